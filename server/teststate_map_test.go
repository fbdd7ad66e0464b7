package server_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/server"
)

// TestState of Map and Parallel states with a mock standing for the
// whole state's result or error, and the TestStateConfiguration members
// of the AWS API model: mapItemReaderData (what the ItemReader reads),
// mapIterationFailureCount (judged against the tolerated failures:
// States.ExceedToleratedFailureThreshold with AWS's recorded cause) and
// errorCausedByState (a state inside the Map or Parallel); DEBUG shows
// the Map's stages (AWS API reference, TestState and InspectionData).
func TestTestStateMap(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	const proc = `"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true}}}`
	const reader = `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},"Parameters":{"Bucket":"b","Key":"k.csv"}}`
	csv := "a,b\n1,2\n3,4\n5,6\n7,8\n"
	dmap := func(extra string) *string {
		return aws.String(`{"Type":"Map",` + reader + `,` + proc + `,"ItemSelector":{"x.$":"$$.Map.Item.Value.a"},"ResultPath":"$.r",` + extra + `"Next":"After"}`)
	}
	conf := func(failures int32) *types.TestStateConfiguration {
		return &types.TestStateConfiguration{MapItemReaderData: aws.String(csv), MapIterationFailureCount: aws.Int32(failures)}
	}
	ok := &types.MockInput{Result: aws.String(`["r1","r2","r3","r4"]`)}
	tests := []struct {
		name string
		in   sfn.TestStateInput
		want string // status nextState output error cause
	}{
		{"map result", sfn.TestStateInput{Definition: dmap(""), Input: aws.String(`{"k":1}`), Mock: ok, StateConfiguration: conf(0)},
			`SUCCEEDED After {"k":1,"r":["r1","r2","r3","r4"]}  `},
		{"failures tolerated by count", sfn.TestStateInput{Definition: dmap(`"ToleratedFailureCount":2,`), Mock: ok, StateConfiguration: conf(2)},
			`SUCCEEDED After {"r":["r1","r2","r3","r4"]}  `},
		{"failures past the count", sfn.TestStateInput{Definition: dmap(`"ToleratedFailureCount":2,`), Mock: ok, StateConfiguration: conf(3)},
			`FAILED   States.ExceedToleratedFailureThreshold The specified tolerated failure threshold was exceeded`},
		{"failures within the percentage", sfn.TestStateInput{Definition: dmap(`"ToleratedFailurePercentage":50,`), Mock: ok, StateConfiguration: conf(2)},
			`SUCCEEDED After {"r":["r1","r2","r3","r4"]}  `},
		{"failures past the percentage, caught", sfn.TestStateInput{Definition: dmap(`"ToleratedFailurePercentage":50,"Catch":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"Next":"Handle"}],`), Mock: ok, StateConfiguration: conf(3)},
			`CAUGHT_ERROR Handle {"Error":"States.ExceedToleratedFailureThreshold","Cause":"The specified tolerated failure threshold was exceeded"} States.ExceedToleratedFailureThreshold The specified tolerated failure threshold was exceeded`},
		{"failures past the count of ToleratedFailureCountPath", sfn.TestStateInput{Definition: dmap(`"ToleratedFailureCountPath":"$.tolerate",`), Input: aws.String(`{"tolerate":1}`), Mock: ok, StateConfiguration: conf(2)},
			`FAILED   States.ExceedToleratedFailureThreshold The specified tolerated failure threshold was exceeded`},
		{"failures within ToleratedFailureCountPath", sfn.TestStateInput{Definition: dmap(`"ToleratedFailureCountPath":"$.tolerate",`), Input: aws.String(`{"tolerate":2}`), Mock: ok, StateConfiguration: conf(2)},
			`SUCCEEDED After {"tolerate":2,"r":["r1","r2","r3","r4"]}  `},
		{"no tolerance", sfn.TestStateInput{Definition: dmap(""), Mock: ok, StateConfiguration: conf(1)},
			`FAILED   States.ExceedToleratedFailureThreshold The specified tolerated failure threshold was exceeded`},
		{"error caused by an inner state", sfn.TestStateInput{Definition: dmap(""), StateConfiguration: &types.TestStateConfiguration{ErrorCausedByState: aws.String("Work")},
			Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("Lambda.Boom"), Cause: aws.String("c")}}},
			`FAILED   Lambda.Boom c`},
		{"parallel mocked", sfn.TestStateInput{Definition: aws.String(`{"Type":"Parallel","Branches":[{"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}}],"ResultSelector":{"first.$":"$[0]"},"End":true}`),
			Mock: &types.MockInput{Result: aws.String(`[{"a":1},{"b":2}]`)}},
			`SUCCEEDED  {"first":{"a":1}}  `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.TestState(ctx, &tt.in, noHostPrefix)
			if err != nil {
				t.Fatal(err)
			}
			got := string(out.Status) + " " + aws.ToString(out.NextState) + " " + aws.ToString(out.Output) + " " + aws.ToString(out.Error) + " " + aws.ToString(out.Cause)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}

	// DEBUG: the items read from mapItemReaderData, after ItemSelector
	// and ItemBatcher; the concurrency and tolerance.
	dbg, err := c.TestState(ctx, &sfn.TestStateInput{InspectionLevel: types.InspectionLevelDebug, Input: aws.String(`{"k":1}`),
		Definition: dmap(`"ItemBatcher":{"MaxItemsPerBatch":3},"MaxConcurrency":7,"ToleratedFailureCount":1,"ToleratedFailurePercentage":25,`),
		Mock:       ok, StateConfiguration: conf(0)}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	d := dbg.InspectionData
	if d == nil {
		t.Fatal("no inspection data")
	}
	if got := aws.ToString(d.AfterItemSelector); got != `[{"x":"1"},{"x":"3"},{"x":"5"},{"x":"7"}]` {
		t.Errorf("afterItemSelector %s", got)
	}
	if got := aws.ToString(d.AfterItemBatcher); got != `[{"Items":[{"x":"1"},{"x":"3"},{"x":"5"}]},{"Items":[{"x":"7"}]}]` {
		t.Errorf("afterItemBatcher %s", got)
	}
	if aws.ToInt32(d.MaxConcurrency) != 7 || aws.ToInt32(d.ToleratedFailureCount) != 1 || aws.ToFloat32(d.ToleratedFailurePercentage) != 25 ||
		aws.ToString(d.Input) != `{"k":1}` || aws.ToString(d.Result) != `["r1","r2","r3","r4"]` || aws.ToString(d.AfterResultPath) != `{"k":1,"r":["r1","r2","r3","r4"]}` {
		t.Errorf("inspection %+v", d)
	}

	// An inline Map: ItemsPath; ItemsPointer of a JSON object read.
	dbg, err = c.TestState(ctx, &sfn.TestStateInput{InspectionLevel: types.InspectionLevelDebug, Input: aws.String(`{"in":{"list":[1,2]}}`),
		Definition: aws.String(`{"Type":"Map","InputPath":"$.in","ItemsPath":"$.list","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`),
		Mock:       &types.MockInput{Result: aws.String(`[]`)}}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if d := dbg.InspectionData; aws.ToString(d.AfterInputPath) != `{"list":[1,2]}` || aws.ToString(d.AfterItemsPath) != `[1,2]` || string(dbg.Status) != "SUCCEEDED" {
		t.Errorf("inline map inspection %+v (%s)", d, dbg.Status)
	}
	dbg, err = c.TestState(ctx, &sfn.TestStateInput{InspectionLevel: types.InspectionLevelDebug,
		Definition: aws.String(`{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON","ItemsPointer":"/rows"},"Parameters":{"Bucket":"b","Key":"k.json"}},` + proc + `,"End":true}`),
		Mock:       &types.MockInput{Result: aws.String(`[]`)}, StateConfiguration: &types.TestStateConfiguration{MapItemReaderData: aws.String(`{"rows":[{"id":1},{"id":2}]}`)}}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(dbg.InspectionData.AfterItemsPointer); got != `[{"id":1},{"id":2}]` {
		t.Errorf("afterItemsPointer %s", got)
	}

	// Members that do not fit the state are refused.
	for name, in := range map[string]sfn.TestStateInput{
		"reader data on a Pass": {Definition: aws.String(`{"Type":"Pass","End":true}`), StateConfiguration: &types.TestStateConfiguration{MapItemReaderData: aws.String(`[]`)}},
		"unknown inner state": {Definition: dmap(""), StateConfiguration: &types.TestStateConfiguration{ErrorCausedByState: aws.String("Nope")},
			Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("E")}}},
		"inner state without a mocked error": {Definition: dmap(""), StateConfiguration: &types.TestStateConfiguration{ErrorCausedByState: aws.String("Work")}, Mock: ok},
		"more failures than iterations":      {Definition: dmap(""), Mock: ok, StateConfiguration: conf(5)},
		"failures without a mock":            {Definition: dmap(""), StateConfiguration: conf(1)},
	} {
		_, err := c.TestState(ctx, &in, noHostPrefix)
		var ve *types.ValidationException
		if !errors.As(err, &ve) {
			t.Errorf("%s: %v, want a ValidationException", name, err)
		} else if ve.ErrorMessage() == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
