package server_test

import (
	"encoding/json"
	"reflect"
	"strings"
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
	// TRACE has DEBUG's data; INFO none.
	for _, lvl := range []types.InspectionLevel{types.InspectionLevelTrace, types.InspectionLevelInfo, ""} {
		out, err := c.TestState(ctx, &sfn.TestStateInput{InspectionLevel: lvl, Input: aws.String(`{"a":1}`),
			Definition: aws.String(`{"Type":"Pass","InputPath":"$.a","End":true}`)}, noHostPrefix)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case lvl == types.InspectionLevelTrace && (out.InspectionData == nil || aws.ToString(out.InspectionData.AfterInputPath) != "1"):
			t.Errorf("TRACE: inspection data %+v", out.InspectionData)
		case lvl != types.InspectionLevelTrace && out.InspectionData != nil:
			t.Errorf("%q: inspection data %+v", lvl, out.InspectionData)
		}
	}
	_, err = c.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","Next":7}`)}, noHostPrefix)
	wantCode(t, err, "InvalidDefinition")
	_, err = c.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`), StateName: aws.String("Z")}, noHostPrefix)
	wantCode(t, err, "ValidationException")
}

// TestState's context is the context object ($$) the state reads, merged
// member by member into the one the run builds; AWS accepts it only with
// a mock ("This field may only be specified if a mock is specified in the
// same request", API reference, TestState). Variables and context work
// in JSONPath and JSONata states, and in the DEBUG inspection data.
func TestTestStateContext(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	mock := &types.MockInput{Result: aws.String(`{"ok":1}`)}
	const taskJP = `"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultSelector":{"ok.$":"$.ok"},"End":true`
	context := `{"Execution":{"Id":"arn:aws:states:us-east-1:123456789012:execution:m:e1","Name":"e1","Input":{"from":"ctx"}},` +
		`"Map":{"Item":{"Index":3,"Value":"x"}},"Task":{"Token":"tok-1"}}`
	tests := []struct {
		name string
		in   sfn.TestStateInput
		want string // status, output, or the error code
	}{
		{"jsonpath", sfn.TestStateInput{Definition: aws.String(`{` + taskJP + `,"Parameters":{"id.$":"$$.Execution.Id","name.$":"$$.Execution.Name","in.$":"$$.Execution.Input.from",` +
			`"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","st.$":"$$.State.Name","ctx.$":"$$.Task.Token"},"ResultPath":"$.r","OutputPath":"$"}`),
			Input: aws.String(`{}`), Context: &context, Mock: mock},
			`SUCCEEDED {"r":{"ok":1}}`},
		{"jsonata", sfn.TestStateInput{Definition: aws.String(`{"QueryLanguage":"JSONata","Type":"Task","Resource":"arn:aws:states:::lambda:invoke",` +
			`"Output":"{% {'id': $states.context.Execution.Id, 'v': $states.context.Map.Item.Value, 'sm': $exists($states.context.StateMachine.Id), 'x': $x, 'r': $states.result.ok} %}","End":true}`),
			Variables: aws.String(`{"x":[1,2]}`), Context: &context, Mock: mock},
			`SUCCEEDED {"id":"arn:aws:states:us-east-1:123456789012:execution:m:e1","v":"x","sm":true,"x":[1,2],"r":1}`},
		{"no mock", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`), Context: &context}, `ValidationException`},
		{"not an object", sfn.TestStateInput{Definition: aws.String(`{` + taskJP + `}`), Context: aws.String(`[1]`), Mock: mock}, `ValidationException`},
		{"not JSON", sfn.TestStateInput{Definition: aws.String(`{` + taskJP + `}`), Context: aws.String(`{`), Mock: mock}, `ValidationException`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.TestState(ctx, &tt.in, noHostPrefix)
			if !strings.HasPrefix(tt.want, "SUCCEEDED") {
				wantCode(t, err, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(out.Status) + " " + aws.ToString(out.Output); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	// The task's effective input shows what the state read from the context.
	out, err := c.TestState(ctx, &sfn.TestStateInput{InspectionLevel: types.InspectionLevelDebug, Context: &context, Mock: mock,
		Definition: aws.String(`{` + taskJP + `,"Parameters":{"v.$":"$$.Map.Item.Value","t.$":"$$.Task.Token","n.$":"$$.State.Name","y.$":"$y"}}`),
		Variables:  aws.String(`{"y":true}`)}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	var params map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.InspectionData.AfterParameters)), &params); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"v": "x", "t": "tok-1", "n": "TestState", "y": true}; !reflect.DeepEqual(params, want) {
		t.Errorf("afterParameters %v, want %v", params, want)
	}
	if got := aws.ToString(out.InspectionData.Variables); got != `{"y":true}` {
		t.Errorf("variables %s", got)
	}
}
