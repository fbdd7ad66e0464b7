package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/server"
)

// TestState runs one state: its output, the state it goes to, and its
// status (AWS API reference, TestState).
func TestTestState(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	const task = `"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"ResultPath":"$.r"`
	tests := []struct {
		name string
		in   sfn.TestStateInput
		want string // status nextState output error
	}{
		{"pass", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","Parameters":{"b.$":"$.a"},"Next":"After"}`), Input: aws.String(`{"a":1}`)},
			`SUCCEEDED After {"b":1} `},
		{"choice", sfn.TestStateInput{Definition: aws.String(`{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":5,"Next":"Big"}],"Default":"Small"}`), Input: aws.String(`{"n":9}`)},
			`SUCCEEDED Big {"n":9} `},
		{"choice default", sfn.TestStateInput{Definition: aws.String(`{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":5,"Next":"Big"}],"Default":"Small"}`), Input: aws.String(`{"n":1}`)},
			`SUCCEEDED Small {"n":1} `},
		{"task mock", sfn.TestStateInput{Definition: aws.String(`{` + task + `,"End":true}`), Input: aws.String(`{}`), Mock: &types.MockInput{Result: aws.String(`{"ok":true}`)}},
			`SUCCEEDED  {"r":{"ok":true}} `},
		{"task caught", sfn.TestStateInput{Definition: aws.String(`{` + task + `,"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Handler"}],"Next":"After"}`),
			Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("Boom"), Cause: aws.String("c")}}},
			`CAUGHT_ERROR Handler {"err":{"Error":"Boom","Cause":"c"}} Boom`},
		{"task retriable", sfn.TestStateInput{Definition: aws.String(`{` + task + `,"Retry":[{"ErrorEquals":["Other"]},{"ErrorEquals":["Boom"],"IntervalSeconds":2}],"End":true}`),
			Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("Boom")}}},
			`RETRIABLE   Boom`},
		{"retries spent", sfn.TestStateInput{Definition: aws.String(`{` + task + `,"Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":1}],"End":true}`),
			Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("Boom")}}, StateConfiguration: &types.TestStateConfiguration{RetrierRetryCount: aws.Int32(1)}},
			`FAILED   Boom`},
		{"fail", sfn.TestStateInput{Definition: aws.String(`{"Type":"Fail","Error":"E","Cause":"C"}`)}, `FAILED   E`},
		{"succeed", sfn.TestStateInput{Definition: aws.String(`{"Type":"Succeed"}`), Input: aws.String(`[1]`)}, `SUCCEEDED  [1] `},
		{"named state", sfn.TestStateInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Result":2,"Next":"A"}}}`), StateName: aws.String("B")},
			`SUCCEEDED A 2 `},
		{"variables", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","Parameters":{"v.$":"$x"},"End":true}`), Variables: aws.String(`{"x":"hi"}`)},
			`SUCCEEDED  {"v":"hi"} `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.TestState(ctx, &tt.in, noHostPrefix)
			if err != nil {
				t.Fatal(err)
			}
			got := string(out.Status) + " " + aws.ToString(out.NextState) + " " + aws.ToString(out.Output) + " " + aws.ToString(out.Error)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if out.Status == types.TestExecutionStatusRetriable && (out.InspectionData == nil || out.InspectionData.ErrorDetails == nil ||
				aws.ToInt32(out.InspectionData.ErrorDetails.RetryIndex) != 1 || aws.ToInt32(out.InspectionData.ErrorDetails.RetryBackoffIntervalSeconds) != 2) {
				t.Errorf("retry details %+v", out.InspectionData)
			}
		})
	}
	// DEBUG shows the data flow through the state.
	dbg, err := c.TestState(ctx, &sfn.TestStateInput{InspectionLevel: types.InspectionLevelDebug, Input: aws.String(`{"in":{"a":1},"keep":true}`),
		Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.in","Parameters":{"Payload.$":"$.a"},` +
			`"ResultSelector":{"got.$":"$.v"},"ResultPath":"$.out","End":true}`),
		Mock: &types.MockInput{Result: aws.String(`{"v":7}`)}}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	id := dbg.InspectionData
	got := []string{aws.ToString(id.Input), aws.ToString(id.AfterInputPath), aws.ToString(id.AfterParameters), aws.ToString(id.Result),
		aws.ToString(id.AfterResultSelector), aws.ToString(id.AfterResultPath)}
	want := []string{`{"in":{"a":1},"keep":true}`, `{"a":1}`, `{"Payload":1}`, `{"v":7}`, `{"got":7}`, `{"in":{"a":1},"keep":true,"out":{"got":7}}`}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("inspection stage %d: %s, want %s", i, got[i], want[i])
		}
	}
	_, err = c.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","Next":7}`)}, noHostPrefix)
	wantCode(t, err, "InvalidDefinition")
	_, err = c.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`), StateName: aws.String("Z")}, noHostPrefix)
	wantCode(t, err, "ValidationException")
}
