package interpreter_test

import (
	"context"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

// echoTask returns its input as its result.
var echoTask = interpreter.WithTaskResolver(interpreter.TaskFunc(func(_ context.Context, r *interpreter.TaskRequest) ([]byte, error) {
	return r.Input, nil
}))

func jsonataMachine(states string) string {
	return `{"QueryLanguage":"JSONata","StartAt":"S","States":` + states + `}`
}

func TestJSONata(t *testing.T) {
	runCases(t, []runCase{
		{"Pass Output", jsonataMachine(`{"S":{"Type":"Pass","Output":{"sum":"{% $states.input.a + $states.input.b %}","lit":"x","list":["{% $uppercase('a') %}",2]},"End":true}}`),
			`{"a":1,"b":2}`, nil, `{"sum":3,"lit":"x","list":["A",2]}`},
		{"Pass without Output passes its input", jsonataMachine(`{"S":{"Type":"Pass","End":true}}`), `{"a":1}`, nil, `{"a":1}`},
		{"Task Arguments, Output and Assign", jsonataMachine(`{
		   "S":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"n":"{% $states.input.n * 2 %}"},
		        "Output":{"doubled":"{% $states.result.n %}"},"Assign":{"seen":"{% $states.result.n %}"},"Next":"T"},
		   "T":{"Type":"Pass","Output":{"prev":"{% $states.input %}","seen":"{% $seen %}"},"End":true}}`),
			`{"n":21}`, []interpreter.Option{echoTask}, `{"prev":{"doubled":42},"seen":42}`},
		{"Choice Condition and variables", jsonataMachine(`{
		   "S":{"Type":"Pass","Assign":{"limit":10},"Next":"C"},
		   "C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.v > $limit %}","Next":"Big","Assign":{"kind":"big"}}],"Default":"Small","Assign":{"kind":"small"}},
		   "Big":{"Type":"Pass","Output":"{% $kind %}","End":true},
		   "Small":{"Type":"Pass","Output":"{% $kind %}","End":true}}`),
			`{"v":11}`, nil, `"big"`},
		{"Choice default", jsonataMachine(`{
		   "S":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.v > 10 %}","Next":"Big"}],"Default":"Small","Assign":{"kind":"small"}},
		   "Big":{"Type":"Pass","Output":"big","End":true},
		   "Small":{"Type":"Pass","Output":"{% $kind %}","End":true}}`),
			`{"v":1}`, nil, `"small"`},
		{"Map Items and ItemSelector", jsonataMachine(`{"S":{"Type":"Map","Items":"{% $states.input.xs %}",
		   "ItemSelector":{"i":"{% $states.context.Map.Item.Index %}","v":"{% $states.context.Map.Item.Value * 10 %}"},
		   "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.i + $states.input.v %}","End":true}}},
		   "Output":{"results":"{% $states.result %}"},"End":true}}`),
			`{"xs":[1,2,3]}`, nil, `{"results":[10,21,32]}`},
		{"Parallel Arguments", jsonataMachine(`{"S":{"Type":"Parallel","Arguments":{"k":"{% $states.input.k %}"},"Branches":[
		   {"StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input.k & '1' %}","End":true}}},
		   {"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $states.input.k & '2' %}","End":true}}}],"End":true}}`),
			`{"k":"x","other":1}`, nil, `["x1","x2"]`},
		{"Catch Output and Assign see the error", jsonataMachine(`{
		   "S":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["States.ALL"],"Output":{"e":"{% $states.errorOutput.Error %}","in":"{% $states.input.k %}"},"Assign":{"cause":"{% $states.errorOutput.Cause %}"},"Next":"H"}],"End":true},
		   "H":{"Type":"Pass","Output":{"out":"{% $states.input %}","cause":"{% $cause %}"},"End":true}}`),
			`{"k":7}`, []interpreter.Option{flaky(1, "Boom", new(int))}, `{"out":{"e":"Boom","in":7},"cause":"attempt 0"}`},
		{"Fail with expressions", jsonataMachine(`{"S":{"Type":"Fail","Error":"{% 'E' & $string($states.input.code) %}","Cause":"fixed"}}`), `{"code":42}`, nil, "!E42"},
		{"undefined Output", jsonataMachine(`{"S":{"Type":"Pass","Output":"{% $states.input.nope %}","End":true}}`), `{}`, nil, "!States.QueryEvaluationError"},
		{"undefined fields are left out", jsonataMachine(`{"S":{"Type":"Pass","Output":{"a":"{% $states.input.nope %}","b":1},"End":true}}`), `{}`, nil, `{"b":1}`},
		{"JSONata state in a JSONPath machine", `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"v":2},"ResultPath":"$.r","Next":"B"},"B":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $states.input.r.v * 3 %}","End":true}}}`,
			`{}`, nil, `6`},
	})
	// Wait with an expression, under a virtual clock.
	clock := interpreter.NewVirtualClock(t0)
	if _, err := run(t, jsonataMachine(`{"S":{"Type":"Wait","Seconds":"{% $states.input.s + 1 %}","End":true}}`), `{"s":4}`, interpreter.WithClock(clock)); err != nil {
		t.Fatal(err)
	}
	if got := clock.Now().Sub(t0); got != 5*time.Second {
		t.Errorf("waited %v, want 5s", got)
	}
	for _, bad := range []string{
		jsonataMachine(`{"S":{"Type":"Pass","InputPath":"$.a","End":true}}`),
		jsonataMachine(`{"S":{"Type":"Pass","Output":"{% $states.input. %}","End":true}}`),
		jsonataMachine(`{"S":{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"S"}]}}`),
		`{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`,
		`{"QueryLanguage":"XPath","StartAt":"S","States":{"S":{"Type":"Pass","End":true}}}`,
	} {
		if _, err := interpreter.Compile([]byte(bad)); err == nil {
			t.Errorf("Compile(%s): want an error", bad)
		}
	}
}

func TestJSONataStepFunctionsFunctions(t *testing.T) {
	runCases(t, []runCase{
		{"$partition", jsonataMachine(`{"S":{"Type":"Pass","Output":"{% $partition([1,2,3,4,5], 2) %}","End":true}}`), `{}`, nil, `[[1,2],[3,4],[5]]`},
		{"$range", jsonataMachine(`{"S":{"Type":"Pass","Output":"{% $range(0, 10, 5) %}","End":true}}`), `{}`, nil, `[0,5,10]`},
		{"$hash", jsonataMachine(`{"S":{"Type":"Pass","Output":"{% $hash('input data', 'SHA-1') %}","End":true}}`), `{}`, nil, `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{"$parse", jsonataMachine(`{"S":{"Type":"Pass","Output":"{% $parse($states.input.s).a %}","End":true}}`), `{"s":"{\"a\":[1]}"}`, nil, `[1]`},
		{"$random and $uuid", jsonataMachine(`{"S":{"Type":"Pass","Output":"{% $random() < 1 and $length($uuid()) = 36 %}","End":true}}`), `{}`, nil, `true`},
		{"$range error", jsonataMachine(`{"S":{"Type":"Pass","Output":"{% $range(0, 10, 0) %}","End":true}}`), `{}`, nil, "!States.QueryEvaluationError"},
	})
}
