package interpreter_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// run compiles def and runs it on input under a virtual clock.
func run(t *testing.T, def, input string, opts ...interpreter.Option) (*interpreter.Result, error) {
	t.Helper()
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	opts = append([]interpreter.Option{interpreter.WithClock(interpreter.NewVirtualClock(t0)), interpreter.WithExecutionName("exec1"), interpreter.WithStateMachineName("sm")}, opts...)
	return m.Run(context.Background(), []byte(input), opts...)
}

func sameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("output is not JSON: %s", got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s", want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("output %s\nwant   %s", got, want)
	}
}

// one wraps a single state (JSON object text) as a machine.
func one(state string) string {
	return `{"StartAt":"S","States":{"S":` + state + `}}`
}

// resultTask returns a resolver whose tasks all return result.
func resultTask(result string) interpreter.Option {
	return interpreter.WithTaskResolver(interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) {
		return []byte(result), nil
	}))
}

type runCase struct {
	name  string
	def   string
	input string
	opts  []interpreter.Option
	want  string // output JSON, or "!Error" for a failure with that error name
}

func runCases(t *testing.T, cases []runCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkCase(t, tc) })
	}
}

// runCasesVirtual runs each case in a synctest bubble, where real-time
// timers (task and execution timeouts) run on virtual time.
func runCasesVirtual(t *testing.T, cases []runCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { checkCase(t, tc) })
		})
	}
}

func checkCase(t *testing.T, tc runCase) {
	t.Helper()
	res, err := run(t, tc.def, tc.input, tc.opts...)
	if wantErr, ok := strings.CutPrefix(tc.want, "!"); ok {
		var ee *interpreter.ExecutionError
		if !errors.As(err, &ee) {
			t.Fatalf("err = %v, want execution error %s", err, wantErr)
		}
		if ee.Name != wantErr {
			t.Fatalf("error %q (cause %q), want %q", ee.Name, ee.Cause, wantErr)
		}
		if res.Status != interpreter.StatusFailed || res.Error != wantErr {
			t.Errorf("result status %s error %s", res.Status, res.Error)
		}
		return
	}
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Status != interpreter.StatusSucceeded {
		t.Fatalf("status %s", res.Status)
	}
	sameJSON(t, res.Output, tc.want)
}

const paramsInput = `{"comment":"Example for Parameters.","product":{"details":{"color":"blue","size":"small","material":"cotton"},"availability":"in stock","sku":"2317","cost":"$23"}}`

const helloInput = `{"comment":"This is a test of the input and output of a Task state.","details":"Default example","who":"AWS Step Functions"}`

const emrResult = `{"resourceType":"elasticmapreduce","resource":"createCluster.sync","output":{"SdkHttpMetadata":{"HttpHeaders":{"Content-Length":"1112"},"HttpStatusCode":200},"SdkResponseMetadata":{"RequestId":"6b3d"},"ClusterId":"AKIAIOSFODNN7EXAMPLE"}}`

func TestDataFlow(t *testing.T) {
	runCases(t, []runCase{
		// AWS: "Manipulate parameters in Step Functions workflows".
		{"InputPath doc example", one(`{"Type":"Pass","InputPath":"$.dataset2","End":true}`),
			`{"comment":"Example for InputPath.","dataset1":{"val1":1,"val2":2,"val3":3},"dataset2":{"val1":"a","val2":"b","val3":"c"}}`,
			nil, `{"val1":"a","val2":"b","val3":"c"}`},
		{"Parameters doc example", one(`{"Type":"Pass","Parameters":{"comment":"Selecting what I care about.","MyDetails":{"size.$":"$.product.details.size","exists.$":"$.product.availability","StaticValue":"foo"}},"End":true}`),
			paramsInput, nil, `{"comment":"Selecting what I care about.","MyDetails":{"size":"small","exists":"in stock","StaticValue":"foo"}}`},
		{"ResultSelector doc example", one(`{"Type":"Task","Resource":"arn:aws:states:::elasticmapreduce:createCluster.sync","ResultSelector":{"ClusterId.$":"$.output.ClusterId","ResourceType.$":"$.resourceType"},"ResultPath":"$.EMROutput","End":true}`),
			`{"x":1}`, []interpreter.Option{resultTask(emrResult)}, `{"x":1,"EMROutput":{"ClusterId":"AKIAIOSFODNN7EXAMPLE","ResourceType":"elasticmapreduce"}}`},
		// AWS: "Specifying state output using ResultPath".
		{"ResultPath $ replaces the input", one(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:HelloFunction","End":true}`),
			helloInput, []interpreter.Option{resultTask(`"Hello, AWS Step Functions!"`)}, `"Hello, AWS Step Functions!"`},
		{"ResultPath adds the result", one(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:HelloFunction","ResultPath":"$.taskresult","End":true}`),
			helloInput, []interpreter.Option{resultTask(`"Hello, AWS Step Functions!"`)},
			`{"comment":"This is a test of the input and output of a Task state.","details":"Default example","who":"AWS Step Functions","taskresult":"Hello, AWS Step Functions!"}`},
		{"ResultPath null discards the result", one(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:HelloFunction","ResultPath":null,"End":true}`),
			helloInput, []interpreter.Option{resultTask(`"Hello, AWS Step Functions!"`)}, helloInput},
		{"ResultPath into a nested node", one(`{"Type":"Pass","Result":"e","ResultPath":"$.strings.lambdaresult","End":true}`),
			`{"strings":{"string1":"a","string2":"b","string3":"c"}}`, nil, `{"strings":{"string1":"a","string2":"b","string3":"c","lambdaresult":"e"}}`},
		{"ResultPath through a string fails", one(`{"Type":"Pass","Result":1,"ResultPath":"$.a.b","End":true}`), `{"a":"x"}`, nil, "!States.ResultPathMatchFailure"},
		{"OutputPath selects", one(`{"Type":"Pass","Result":{"a":{"b":2}},"OutputPath":"$.a","End":true}`), `{}`, nil, `{"b":2}`},
		{"OutputPath null", one(`{"Type":"Pass","OutputPath":null,"End":true}`), `{"a":1}`, nil, `{}`},
		{"InputPath null", one(`{"Type":"Pass","InputPath":null,"End":true}`), `{"a":1}`, nil, `{}`},
		{"InputPath missing is States.Runtime", one(`{"Type":"Pass","InputPath":"$.nope","End":true}`), `{"a":1}`, nil, "!States.Runtime"},
		{"Pass Result 0 is the output", one(`{"Type":"Pass","Result":0,"End":true}`), `{"a":1}`, nil, `0`},
		{"Pass Result null is the output", one(`{"Type":"Pass","Result":null,"End":true}`), `{"a":1}`, nil, `null`},
		{"Pass without Result passes its input", one(`{"Type":"Pass","End":true}`), `{"a":[1,2]}`, nil, `{"a":[1,2]}`},
		{"empty input is {}", one(`{"Type":"Pass","End":true}`), ``, nil, `{}`},
		{"Parameters path missing", one(`{"Type":"Pass","Parameters":{"x.$":"$.nope"},"End":true}`), `{}`, nil, "!States.Runtime"},
		{"Parameters indefinite path gives an array", one(`{"Type":"Pass","Parameters":{"x.$":"$.a[*].b"},"End":true}`), `{"a":[{"b":1},{"b":2},{"c":3}]}`, nil, `{"x":[1,2]}`},
		{"Parameters inside arrays", one(`{"Type":"Pass","Parameters":{"l":[{"v.$":"$.a"},"k"]},"End":true}`), `{"a":5}`, nil, `{"l":[{"v":5},"k"]}`},
		{"Parameters with the context object", one(`{"Type":"Pass","Parameters":{"name.$":"$$.State.Name","exec.$":"$$.Execution.Name","id.$":"$$.Execution.Id","in.$":"$$.Execution.Input","sm.$":"$$.StateMachine.Name","start.$":"$$.Execution.StartTime","entered.$":"$$.State.EnteredTime","retries.$":"$$.State.RetryCount"},"End":true}`),
			`{"k":true}`, nil, `{"name":"S","exec":"exec1","id":"arn:aws:states:us-east-1:123456789012:execution:sm:exec1","in":{"k":true},"sm":"sm","start":"2026-01-02T03:04:05.000Z","entered":"2026-01-02T03:04:05.000Z","retries":0}`},
		{"chain of states", `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"ResultPath":"$.a","Next":"B"},"B":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a, $.b)"},"Next":"C"},"C":{"Type":"Succeed","OutputPath":"$.sum"}}}`,
			`{"b":41}`, nil, `42`},
		{"Fail state", one(`{"Type":"Fail","Error":"MyError","Cause":"bad"}`), `{}`, nil, "!MyError"},
		{"Fail ErrorPath", one(`{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('code {}', $.c)"}`), `{"e":"E1","c":7}`, nil, "!E1"},
	})
}

func TestIntrinsics(t *testing.T) {
	pass := func(params string) string { return one(`{"Type":"Pass","Parameters":` + params + `,"End":true}`) }
	// Examples from the AWS "Intrinsic functions" page, with its results.
	runCases(t, []runCase{
		{"Format", pass(`{"greeting.$":"States.Format('Hello, my name is {}.', $.name)"}`), `{"name":"Arnav"}`, nil, `{"greeting":"Hello, my name is Arnav."}`},
		{"Format escapes", pass(`{"s.$":"States.Format('\\{\\} it\\'s {} {} {}', 1, true, null)"}`), `{}`, nil, `{"s":"{} it's 1 true null"}`},
		{"Format arity", pass(`{"s.$":"States.Format('{} {}', 1)"}`), `{}`, nil, "!States.IntrinsicFailure"},
		{"StringToJson", pass(`{"o.$":"States.StringToJson($.someString)"}`), `{"someString":"{\"number\": 20}"}`, nil, `{"o":{"number":20}}`},
		{"JsonToString", pass(`{"s.$":"States.JsonToString($.someJson)"}`), `{"someJson":{"name":"Foo","zebra":"Bar"}}`, nil, `{"s":"{\"name\":\"Foo\",\"zebra\":\"Bar\"}"}`},
		{"Array", pass(`{"BuildId.$":"States.Array($.Id)"}`), `{"Id":123456}`, nil, `{"BuildId":[123456]}`},
		{"ArrayPartition", pass(`{"p.$":"States.ArrayPartition($.inputArray,4)"}`), `{"inputArray":[1,2,3,4,5,6,7,8,9]}`, nil, `{"p":[[1,2,3,4],[5,6,7,8],[9]]}`},
		{"ArrayContains", pass(`{"c.$":"States.ArrayContains($.inputArray, $.lookingFor)"}`), `{"inputArray":[1,2,3,4,5,6,7,8,9],"lookingFor":5}`, nil, `{"c":true}`},
		{"ArrayRange", pass(`{"r.$":"States.ArrayRange(1, 9, 2)"}`), `{}`, nil, `{"r":[1,3,5,7,9]}`},
		{"ArrayRange too long", pass(`{"r.$":"States.ArrayRange(1, 2000, 1)"}`), `{}`, nil, "!States.IntrinsicFailure"},
		{"ArrayGetItem", pass(`{"i.$":"States.ArrayGetItem($.inputArray, $.index)"}`), `{"inputArray":[1,2,3,4,5,6,7,8,9],"index":5}`, nil, `{"i":6}`},
		{"ArrayLength", pass(`{"n.$":"States.ArrayLength($.inputArray)"}`), `{"inputArray":[1,2,3,4,5,6,7,8,9]}`, nil, `{"n":9}`},
		{"ArrayUnique", pass(`{"u.$":"States.ArrayUnique($.inputArray)"}`), `{"inputArray":[1,2,3,3,3,3,3,3,4]}`, nil, `{"u":[1,2,3,4]}`},
		{"Base64Encode", pass(`{"b.$":"States.Base64Encode($.input)"}`), `{"input":"Data to encode"}`, nil, `{"b":"RGF0YSB0byBlbmNvZGU="}`},
		{"Base64Decode", pass(`{"s.$":"States.Base64Decode($.base64)"}`), `{"base64":"RGF0YSB0byBlbmNvZGU="}`, nil, `{"s":"Data to encode"}`},
		{"Hash", pass(`{"h.$":"States.Hash($.Data, $.Algorithm)"}`), `{"Data":"input data","Algorithm":"SHA-1"}`, nil, `{"h":"aaff4a450a104cd177d28d18d74485e8cae074b7"}`},
		{"Hash bad algorithm", pass(`{"h.$":"States.Hash('x', 'SHA-3')"}`), `{}`, nil, "!States.IntrinsicFailure"},
		{"JsonMerge shallow", pass(`{"m.$":"States.JsonMerge($.json1, $.json2, false)"}`), `{"json1":{"a":{"a1":1,"a2":2},"b":2},"json2":{"a":{"a3":1,"a4":2},"c":3}}`, nil, `{"m":{"a":{"a3":1,"a4":2},"b":2,"c":3}}`},
		{"JsonMerge deep", pass(`{"m.$":"States.JsonMerge($.json1, $.json2, true)"}`), `{"json1":{"a":{"a1":1,"a2":2},"b":2},"json2":{"a":{"a3":1,"a4":2},"c":3}}`, nil, `{"m":{"a":{"a1":1,"a2":2,"a3":1,"a4":2},"b":2,"c":3}}`},
		{"MathRandom with seed is in range and stable", pass(`{"r.$":"States.ArrayContains(States.ArrayRange(1, 998, 1), States.MathRandom(1, 999, 42))"}`), `{}`, nil, `{"r":true}`},
		{"MathAdd", pass(`{"v.$":"States.MathAdd($.value1, $.step)"}`), `{"value1":111,"step":-1}`, nil, `{"v":110}`},
		{"StringSplit", pass(`{"a.$":"States.StringSplit($.inputString, $.splitter)"}`), `{"inputString":"1,2,3,4,5","splitter":","}`, nil, `{"a":["1","2","3","4","5"]}`},
		{"StringSplit several delimiters", pass(`{"a.$":"States.StringSplit($.inputString, $.splitter)"}`), `{"inputString":"This.is+a,test=string","splitter":".+,="}`, nil, `{"a":["This","is","a","test","string"]}`},
		{"nested (doc myArn example)", pass(`{"myArn.$":"States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1), 'x')"}`),
			`{"ImageRecipe":{"Arn":"arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/mybasic.recipe/1.0.0"}}`, nil, `{"myArn":"1.0.x"}`},
		{"path argument missing", pass(`{"a.$":"States.ArrayLength($.nope)"}`), `{}`, nil, "!States.ParameterPathFailure"},
		{"wrong argument type", pass(`{"a.$":"States.ArrayLength($.s)"}`), `{"s":"x"}`, nil, "!States.IntrinsicFailure"},
	})
}

func TestUUIDFormat(t *testing.T) {
	res, err := run(t, one(`{"Type":"Pass","Parameters":{"u.$":"States.UUID()"},"End":true}`), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ U string }
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.U) != 36 || out.U[14] != '4' || strings.Count(out.U, "-") != 4 {
		t.Errorf("UUID %q is not a version 4 UUID", out.U)
	}
}

func TestIntrinsicSyntaxErrors(t *testing.T) {
	for _, expr := range []string{"States.Nope(1)", "States.Format(", "States.ArrayLength()", "States.Array('a)", "States.MathAdd(1, 2, 3)", "States.Array(foo)"} {
		_, err := interpreter.Compile([]byte(one(`{"Type":"Pass","Parameters":{"x.$":"` + expr + `"},"End":true}`)))
		var de *interpreter.DefinitionError
		if !errors.As(err, &de) {
			t.Errorf("%s: err = %v, want a DefinitionError", expr, err)
		}
	}
}

const choiceDoc = `{"StartAt":"C","States":{
 "C":{"Type":"Choice","Choices":[
  {"Not":{"Variable":"$.type","StringEquals":"Private"},"Next":"Public"},
  {"Variable":"$.value","NumericEquals":0,"Next":"ValueIsZero"},
  {"And":[{"Variable":"$.value","NumericGreaterThanEquals":20},{"Variable":"$.value","NumericLessThan":30}],"Next":"ValueInTwenties"}],
  "Default":"DefaultState"},
 "Public":{"Type":"Pass","Result":"Public","End":true},
 "ValueIsZero":{"Type":"Pass","Result":"ValueIsZero","End":true},
 "ValueInTwenties":{"Type":"Pass","Result":"ValueInTwenties","End":true},
 "DefaultState":{"Type":"Pass","Result":"DefaultState","End":true}}}`

// rule builds a two-way Choice on one rule.
func rule(r string) string {
	return `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[` + strings.TrimSuffix(r, "}") + `,"Next":"Y"}],"Default":"N"},"Y":{"Type":"Pass","Result":"yes","End":true},"N":{"Type":"Pass","Result":"no","End":true}}}`
}

func TestChoice(t *testing.T) {
	cases := []runCase{
		// The Choice state page's example.
		{"doc: Public", choiceDoc, `{"type":"Public","value":22}`, nil, `"Public"`},
		{"doc: zero", choiceDoc, `{"type":"Private","value":0}`, nil, `"ValueIsZero"`},
		{"doc: twenties", choiceDoc, `{"type":"Private","value":22}`, nil, `"ValueInTwenties"`},
		{"doc: default", choiceDoc, `{"type":"Private","value":50}`, nil, `"DefaultState"`},
		{"no match, no default", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","BooleanEquals":true,"Next":"E"}]},"E":{"Type":"Succeed"}}}`, `{"a":false}`, nil, "!States.NoChoiceMatched"},
		{"missing variable is States.Runtime", rule(`{"Variable":"$.nope","StringEquals":"x"}`), `{}`, nil, "!States.Runtime"},
		{"Choice OutputPath", `{"StartAt":"C","States":{"C":{"Type":"Choice","InputPath":"$.in","OutputPath":"$.v","Choices":[{"Variable":"$.v","IsPresent":true,"Next":"E"}]},"E":{"Type":"Succeed"}}}`, `{"in":{"v":3}}`, nil, `3`},
	}
	tests := []struct {
		rule, input string
		want        bool
	}{
		{`{"Variable":"$.s","StringEquals":"abc"}`, `{"s":"abc"}`, true},
		{`{"Variable":"$.s","StringEquals":"abc"}`, `{"s":1}`, false},
		{`{"Variable":"$.s","StringLessThan":"b"}`, `{"s":"a"}`, true},
		{`{"Variable":"$.s","StringGreaterThan":"b"}`, `{"s":"a"}`, false},
		{`{"Variable":"$.s","StringLessThanEquals":"a"}`, `{"s":"a"}`, true},
		{`{"Variable":"$.s","StringGreaterThanEquals":"b"}`, `{"s":"c"}`, true},
		{`{"Variable":"$.s","StringEqualsPath":"$.t"}`, `{"s":"x","t":"x"}`, true},
		{`{"Variable":"$.s","StringLessThanPath":"$.t"}`, `{"s":"x","t":"y"}`, true},
		{`{"Variable":"$.s","StringMatches":"log-*.txt"}`, `{"s":"log-2024.txt"}`, true},
		{`{"Variable":"$.s","StringMatches":"log-*.txt"}`, `{"s":"log-2024.csv"}`, false},
		{`{"Variable":"$.s","StringMatches":"a\\*b"}`, `{"s":"a*b"}`, true},
		{`{"Variable":"$.s","StringMatches":"a\\*b"}`, `{"s":"axb"}`, false},
		{`{"Variable":"$.s","StringMatches":"*"}`, `{"s":""}`, true},
		{`{"Variable":"$.n","NumericEquals":2}`, `{"n":2.0}`, true},
		{`{"Variable":"$.n","NumericLessThan":2}`, `{"n":1.5}`, true},
		{`{"Variable":"$.n","NumericGreaterThan":2}`, `{"n":1.5}`, false},
		{`{"Variable":"$.n","NumericLessThanEquals":2}`, `{"n":2}`, true},
		{`{"Variable":"$.n","NumericGreaterThanEquals":2}`, `{"n":3}`, true},
		{`{"Variable":"$.n","NumericEquals":2}`, `{"n":"2"}`, false},
		{`{"Variable":"$.n","NumericEqualsPath":"$.m"}`, `{"n":2,"m":2}`, true},
		{`{"Variable":"$.n","NumericGreaterThanPath":"$.m"}`, `{"n":3,"m":2}`, true},
		{`{"Variable":"$.n","NumericLessThanEqualsPath":"$.m"}`, `{"n":3,"m":2}`, false},
		{`{"Variable":"$.n","NumericGreaterThanEqualsPath":"$.m"}`, `{"n":2,"m":2}`, true},
		{`{"Variable":"$.n","NumericLessThanPath":"$.m"}`, `{"n":1,"m":2}`, true},
		{`{"Variable":"$.b","BooleanEquals":true}`, `{"b":true}`, true},
		{`{"Variable":"$.b","BooleanEqualsPath":"$.c"}`, `{"b":true,"c":false}`, false},
		{`{"Variable":"$.t","TimestampEquals":"2001-01-01T12:00:00Z"}`, `{"t":"2001-01-01T13:00:00+01:00"}`, true},
		{`{"Variable":"$.t","TimestampLessThan":"2001-01-01T12:00:00Z"}`, `{"t":"2000-01-01T12:00:00Z"}`, true},
		{`{"Variable":"$.t","TimestampGreaterThan":"2001-01-01T12:00:00Z"}`, `{"t":"2000-01-01T12:00:00Z"}`, false},
		{`{"Variable":"$.t","TimestampLessThanEquals":"2001-01-01T12:00:00Z"}`, `{"t":"2001-01-01T12:00:00Z"}`, true},
		{`{"Variable":"$.t","TimestampGreaterThanEquals":"2001-01-01T12:00:00Z"}`, `{"t":"2002-01-01T12:00:00Z"}`, true},
		{`{"Variable":"$.t","TimestampLessThan":"2001-01-01T12:00:00Z"}`, `{"t":"not a time"}`, false},
		{`{"Variable":"$.t","TimestampEqualsPath":"$.u"}`, `{"t":"2001-01-01T12:00:00Z","u":"2001-01-01T12:00:00Z"}`, true},
		{`{"Variable":"$.t","TimestampGreaterThanPath":"$.u"}`, `{"t":"2002-01-01T12:00:00Z","u":"2001-01-01T12:00:00Z"}`, true},
		{`{"Variable":"$.t","TimestampLessThanEqualsPath":"$.u"}`, `{"t":"2002-01-01T12:00:00Z","u":"2001-01-01T12:00:00Z"}`, false},
		{`{"Variable":"$.t","TimestampGreaterThanEqualsPath":"$.u"}`, `{"t":"2001-01-01T12:00:00Z","u":"2001-01-01T12:00:00Z"}`, true},
		{`{"Variable":"$.t","TimestampLessThanPath":"$.u"}`, `{"t":"2000-01-01T12:00:00Z","u":"2001-01-01T12:00:00Z"}`, true},
		{`{"Variable":"$.s","StringGreaterThanPath":"$.t"}`, `{"s":"b","t":"a"}`, true},
		{`{"Variable":"$.s","StringLessThanEqualsPath":"$.t"}`, `{"s":"b","t":"a"}`, false},
		{`{"Variable":"$.s","StringGreaterThanEqualsPath":"$.t"}`, `{"s":"b","t":"b"}`, true},
		{`{"Variable":"$.x","IsPresent":true}`, `{"x":null}`, true},
		{`{"Variable":"$.x","IsPresent":false}`, `{}`, true},
		{`{"Variable":"$.x","IsNull":true}`, `{"x":null}`, true},
		{`{"Variable":"$.x","IsNull":true}`, `{"x":0}`, false},
		{`{"Variable":"$.x","IsNumeric":true}`, `{"x":1.5}`, true},
		{`{"Variable":"$.x","IsNumeric":false}`, `{"x":"1"}`, true},
		{`{"Variable":"$.x","IsString":true}`, `{"x":"1"}`, true},
		{`{"Variable":"$.x","IsBoolean":true}`, `{"x":false}`, true},
		{`{"Variable":"$.x","IsTimestamp":true}`, `{"x":"2016-03-14T01:59:00Z"}`, true},
		{`{"Variable":"$.x","IsTimestamp":true}`, `{"x":"2016-03-14"}`, false},
		{`{"Or":[{"Variable":"$.a","NumericEquals":1},{"Variable":"$.b","NumericEquals":1}]}`, `{"a":0,"b":1}`, true},
		{`{"Or":[{"Variable":"$.a","NumericEquals":1},{"Variable":"$.b","NumericEquals":1}]}`, `{"a":0,"b":0}`, false},
		{`{"And":[{"Variable":"$.a","NumericEquals":1},{"Not":{"Variable":"$.b","NumericEquals":1}}]}`, `{"a":1,"b":0}`, true},
		{`{"Variable":"$$.Execution.Name","StringEquals":"exec1"}`, `{}`, true},
	}
	for _, tc := range tests {
		want := `"no"`
		if tc.want {
			want = `"yes"`
		}
		cases = append(cases, runCase{tc.rule + " on " + tc.input, rule(tc.rule), tc.input, nil, want})
	}
	runCases(t, cases)
}

func TestWait(t *testing.T) {
	tests := []struct {
		state, input string
		want         time.Duration
	}{
		{`{"Type":"Wait","Seconds":10,"End":true}`, `{}`, 10 * time.Second},
		{`{"Type":"Wait","SecondsPath":"$.s","End":true}`, `{"s":3}`, 3 * time.Second},
		{`{"Type":"Wait","Timestamp":"2026-01-02T03:05:05Z","End":true}`, `{}`, time.Minute},
		{`{"Type":"Wait","TimestampPath":"$.t","End":true}`, `{"t":"2026-01-02T04:04:05+01:00"}`, 0},
		{`{"Type":"Wait","TimestampPath":"$.t","End":true}`, `{"t":"2026-01-02T05:04:05Z"}`, 2 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.state, func(t *testing.T) {
			clock := interpreter.NewVirtualClock(t0)
			res, err := run(t, one(tc.state), tc.input, interpreter.WithClock(clock))
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, res.Output, tc.input)
			if got := clock.Now().Sub(t0); got != tc.want {
				t.Errorf("waited %v, want %v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{`{"s":-1}`, `{"s":"x"}`, `{}`} {
		_, err := run(t, one(`{"Type":"Wait","SecondsPath":"$.s","End":true}`), bad)
		var ee *interpreter.ExecutionError
		if !errors.As(err, &ee) || ee.Name != interpreter.ErrRuntime {
			t.Errorf("SecondsPath on %s: err = %v, want States.Runtime", bad, err)
		}
	}
}

// flaky returns a resolver that fails with errName the first n calls.
func flaky(n int, errName string, calls *int) interpreter.Option {
	return interpreter.WithTaskResolver(interpreter.TaskFunc(func(_ context.Context, r *interpreter.TaskRequest) ([]byte, error) {
		*calls++
		if *calls <= n {
			if errName == "" {
				return nil, fmt.Errorf("plain failure %d", *calls)
			}
			return nil, &interpreter.ExecutionError{Name: errName, Cause: fmt.Sprintf("attempt %d", r.Attempt)}
		}
		return []byte(fmt.Sprintf(`{"attempt":%d}`, r.Attempt)), nil
	}))
}

func TestRetryTiming(t *testing.T) {
	task := func(retry string) string {
		return one(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":` + retry + `,"End":true}`)
	}
	s := time.Second
	tests := []struct {
		name, retry string
		fails       int
		errName     string
		wantSleeps  []time.Duration
		wantErr     string
	}{
		{"defaults: 1s, x2, 3 attempts", `[{"ErrorEquals":["States.ALL"]}]`, 3, "E", []time.Duration{1 * s, 2 * s, 4 * s}, ""},
		{"exhausted", `[{"ErrorEquals":["States.ALL"]}]`, 4, "E", []time.Duration{1 * s, 2 * s, 4 * s}, "E"},
		{"interval and backoff", `[{"ErrorEquals":["E"],"IntervalSeconds":3,"BackoffRate":1.5,"MaxAttempts":2}]`, 2, "E", []time.Duration{3 * s, 4500 * time.Millisecond}, ""},
		{"MaxDelaySeconds caps", `[{"ErrorEquals":["E"],"IntervalSeconds":5,"BackoffRate":4,"MaxAttempts":3,"MaxDelaySeconds":30}]`, 3, "E", []time.Duration{5 * s, 20 * s, 30 * s}, ""},
		{"MaxAttempts 0 never retries", `[{"ErrorEquals":["E"],"MaxAttempts":0}]`, 1, "E", nil, "E"},
		{"non-matching retrier", `[{"ErrorEquals":["Other"]}]`, 1, "E", nil, "E"},
		{"first matching retrier wins", `[{"ErrorEquals":["E"],"IntervalSeconds":7,"MaxAttempts":1},{"ErrorEquals":["States.ALL"],"IntervalSeconds":1}]`, 2, "E", []time.Duration{7 * s}, "E"},
		{"TaskFailed matches plain errors", `[{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":2,"MaxAttempts":1}]`, 1, "", []time.Duration{2 * s}, ""},
		{"Runtime is never retried", `[{"ErrorEquals":["States.ALL"]}]`, 1, "States.Runtime", nil, "States.Runtime"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := interpreter.NewVirtualClock(t0)
			calls := 0
			res, err := run(t, task(tc.retry), `{}`, interpreter.WithClock(clock), flaky(tc.fails, tc.errName, &calls))
			if tc.wantErr != "" {
				var ee *interpreter.ExecutionError
				if !errors.As(err, &ee) || ee.Name != tc.wantErr {
					t.Fatalf("err = %v, want %s", err, tc.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				sameJSON(t, res.Output, fmt.Sprintf(`{"attempt":%d}`, tc.fails))
			}
			if got := clock.Sleeps(); !reflect.DeepEqual(got, tc.wantSleeps) && !(len(got) == 0 && len(tc.wantSleeps) == 0) {
				t.Errorf("sleeps %v, want %v", got, tc.wantSleeps)
			}
		})
	}
}

func TestRetryJitter(t *testing.T) {
	def := one(`{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["E"],"IntervalSeconds":10,"MaxAttempts":20,"BackoffRate":1,"JitterStrategy":"FULL"}],"End":true}`)
	clock := interpreter.NewVirtualClock(t0)
	calls := 0
	if _, err := run(t, def, `{}`, interpreter.WithClock(clock), flaky(20, "E", &calls), interpreter.WithSeed(7)); err != nil {
		t.Fatal(err)
	}
	sleeps := clock.Sleeps()
	if len(sleeps) != 20 {
		t.Fatalf("%d sleeps, want 20", len(sleeps))
	}
	distinct := map[time.Duration]bool{}
	for _, d := range sleeps {
		if d < 0 || d > 10*time.Second {
			t.Errorf("jittered delay %v outside [0, 10s]", d)
		}
		distinct[d] = true
	}
	if len(distinct) < 10 {
		t.Errorf("only %d distinct delays among 20: jitter is not random", len(distinct))
	}
}

func TestCatch(t *testing.T) {
	const def = `{"StartAt":"T","States":{
	 "T":{"Type":"Task","Resource":"r","Catch":[
	   {"ErrorEquals":["Specific"],"ResultPath":"$.err","Next":"H1"},
	   {"ErrorEquals":["States.ALL"],"Next":"H2"}],"End":true},
	 "H1":{"Type":"Pass","End":true},
	 "H2":{"Type":"Pass","End":true}}}`
	calls := 0
	runCases(t, []runCase{
		{"catch with ResultPath keeps the input", def, `{"in":1}`, []interpreter.Option{flaky(1, "Specific", &calls)}, `{"in":1,"err":{"Error":"Specific","Cause":"attempt 0"}}`},
		{"States.ALL catch replaces the input", def, `{"in":1}`, []interpreter.Option{flaky(1, "Other", new(int))}, `{"Error":"Other","Cause":"attempt 0"}`},
		{"States.Runtime is not caught", def, `{"in":1}`, []interpreter.Option{flaky(1, "States.Runtime", new(int))}, "!States.Runtime"},
		{"no resolver is States.Runtime", def, `{}`, nil, "!States.Runtime"},
		{"retry then catch", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["E"],"MaxAttempts":2}],"Catch":[{"ErrorEquals":["E"],"ResultPath":"$.e","Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}}`,
			`{}`, []interpreter.Option{flaky(3, "E", new(int))}, `{"e":{"Error":"E","Cause":"attempt 2"}}`},
		{"task error named by resolver", one(`{"Type":"Task","Resource":"r","End":true}`), `{}`, []interpreter.Option{flaky(1, "Lambda.Unknown", new(int))}, "!Lambda.Unknown"},
	})
}

func TestParallel(t *testing.T) {
	const def = `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
	  {"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":5,"Next":"A2"},"A2":{"Type":"Pass","Result":"a","End":true}}},
	  {"StartAt":"B","States":{"B":{"Type":"Pass","Parameters":{"b.$":"$.x"},"End":true}}},
	  {"StartAt":"C","States":{"C":{"Type":"Succeed"}}}],
	 "ResultSelector":{"first.$":"$[0]","rest.$":"$[1:]"},"ResultPath":"$.out","End":true}}}`
	fail := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
	  {"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
	  {"StartAt":"B","States":{"B":{"Type":"Fail","Error":"Boom","Cause":"b"}}}],
	 "Catch":[{"ErrorEquals":["%s"],"ResultPath":"$.caught","Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}}`
	runCases(t, []runCase{
		{"results in branch order", def, `{"x":1}`, nil, `{"x":1,"out":{"first":"a","rest":[{"b":1},{"x":1}]}}`},
		{"branch error caught by name", fmt.Sprintf(fail, "Boom"), `{}`, nil, `{"caught":{"Error":"Boom","Cause":"b"}}`},
		{"branch error caught as BranchFailed", fmt.Sprintf(fail, "States.BranchFailed"), `{}`, nil, `{"caught":{"Error":"Boom","Cause":"b"}}`},
		{"branch error uncaught", fmt.Sprintf(fail, "Other"), `{}`, nil, "!Boom"},
	})
}

func TestMap(t *testing.T) {
	const def = `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.detail.shipped","MaxConcurrency":%d,
	  "ItemSelector":{"ContextIndex.$":"$$.Map.Item.Index","ContextValue.$":"$$.Map.Item.Value","Partner.$":"$.detail.partner"},
	  "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"ResultPath":"$.detail.result","End":true}}}`
	const in = `{"detail":{"partner":"UQS","shipped":[{"prod":"R31"},{"prod":"S39"},{"prod":"R15"}]}}`
	const want = `{"detail":{"partner":"UQS","shipped":[{"prod":"R31"},{"prod":"S39"},{"prod":"R15"}],"result":[
	  {"ContextIndex":0,"ContextValue":{"prod":"R31"},"Partner":"UQS"},
	  {"ContextIndex":1,"ContextValue":{"prod":"S39"},"Partner":"UQS"},
	  {"ContextIndex":2,"ContextValue":{"prod":"R15"},"Partner":"UQS"}]}}`
	iter := `{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{"StartAt":"I","States":{"I":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":2,"Next":"Bad"}],"Default":"Ok"},"Ok":{"Type":"Pass","Parameters":{"v.$":"$"},"End":true},"Bad":{"Type":"Fail","Error":"TooBig"}}},%s"End":true}}}`
	runCases(t, []runCase{
		{"ItemSelector with context, sequential", fmt.Sprintf(def, 1), in, nil, want},
		{"ItemSelector with context, concurrent", fmt.Sprintf(def, 0), in, nil, want},
		{"Iterator (legacy name)", fmt.Sprintf(iter, ""), `[1,2]`, nil, `[{"v":1},{"v":2}]`},
		{"empty items", fmt.Sprintf(iter, ""), `[]`, nil, `[]`},
		{"an item fails the Map", fmt.Sprintf(iter, ""), `[1,2,3]`, nil, "!TooBig"},
		{"tolerated failures", fmt.Sprintf(iter, `"ToleratedFailureCount":1,`), `[1,3]`, nil, `[{"v":1},{"Error":"TooBig","Cause":""}]`},
		{"items not an array", fmt.Sprintf(iter, ""), `{"a":1}`, nil, "!States.Runtime"},
		{"Parameters (legacy name)", `{"StartAt":"M","States":{"M":{"Type":"Map","Parameters":{"i.$":"$$.Map.Item.Index"},"Iterator":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`, `["a","b"]`, nil, `[{"i":0},{"i":1}]`},
	})
	// Ordering holds with many concurrent items.
	items := make([]string, 500)
	for i := range items {
		items[i] = fmt.Sprint(i)
	}
	res, err := run(t, fmt.Sprintf(iter, `"MaxConcurrency":8,`), "["+strings.Join(items, ",")+"]")
	if err == nil || res.Error != "TooBig" {
		t.Fatalf("want TooBig, got %v", err)
	}
	m := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":8,"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($, 1)"},"OutputPath":"$.v","End":true}}},"End":true}}}`
	res, err = run(t, m, "["+strings.Join(items, ",")+"]")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	if err := json.Unmarshal(res.Output, &got); err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("item %d = %d, want %d", i, v, i+1)
		}
	}
}

func TestHistory(t *testing.T) {
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"T"},"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"Next":"M"},
	 "M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Succeed"}}},"End":true}}}`
	res, err := run(t, def, `{"items":[1]}`, interpreter.WithHistory(), resultTask(`{"items":[1]}`))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, e := range res.History {
		types = append(types, e.Type)
		if e.ID != int64(i+1) {
			t.Errorf("event %d has id %d", i, e.ID)
		}
	}
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
		"MapStateEntered", "MapStateStarted", "MapIterationStarted", "SucceedStateEntered", "SucceedStateExited", "MapIterationSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"}
	if !reflect.DeepEqual(types, want) {
		t.Errorf("events\n%v\nwant\n%v", types, want)
	}
	for _, e := range res.History {
		if e.Type == "TaskScheduled" {
			d := e.TaskScheduledEventDetails
			if d == nil || d.ResourceType != "lambda" || d.Resource != "invoke" || d.Parameters != `{"FunctionName":"f","Payload":{"items":[1]}}` {
				t.Errorf("TaskScheduled details %+v", d)
			}
		}
		if e.Type == "PassStateEntered" && (e.StateEnteredEventDetails == nil || e.StateEnteredEventDetails.Input != `{"items":[1]}`) {
			t.Errorf("PassStateEntered details %+v", e.StateEnteredEventDetails)
		}
	}
}

func TestDefinitionErrors(t *testing.T) {
	for _, def := range []string{
		`[]`, `{`, `{"StartAt":"X","States":{}}`, `{"StartAt":"X","States":{"A":{"Type":"Pass","End":true}}}`,
		one(`{"Type":"Nope","End":true}`), one(`{"Type":"Pass"}`), one(`{"Type":"Pass","Next":"Z"}`),
		one(`{"Type":"Pass","ResultPath":"$..a","End":true}`), one(`{"Type":"Pass","InputPath":"x","End":true}`),
		one(`{"Type":"Wait","End":true}`), one(`{"Type":"Choice","Choices":[]}`),
		one(`{"Type":"Choice","Choices":[{"Variable":"$.a","StringEquals":1,"Next":"S"}]}`),
		one(`{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":[],"MaxAttempts":1}],"End":true}`),
		one(`{"Type":"Parallel","Branches":[],"End":true}`), one(`{"Type":"Map","End":true}`),
	} {
		_, err := interpreter.Compile([]byte(def))
		var de *interpreter.DefinitionError
		var se *interpreter.SyntaxError
		if !errors.As(err, &de) && !errors.As(err, &se) {
			t.Errorf("Compile(%s): err = %v, want a definition error", def, err)
		}
	}
}

func TestExecutionTimeout(t *testing.T) {
	synctest.Test(t, testExecutionTimeout)
}

func testExecutionTimeout(t *testing.T) {
	def := `{"TimeoutSeconds":1,"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","End":true}}}`
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Run(context.Background(), nil, interpreter.WithTaskResolver(interpreter.TaskFunc(func(ctx context.Context, _ *interpreter.TaskRequest) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})))
	if err == nil || res.Status != interpreter.StatusTimedOut || res.Error != interpreter.ErrTimeout {
		t.Fatalf("status %v err %v, want TIMED_OUT", res.Status, err)
	}
}

func TestBadInput(t *testing.T) {
	m, err := interpreter.Compile([]byte(one(`{"Type":"Pass","End":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(context.Background(), []byte(`{"a":`)); err == nil {
		t.Fatal("want an error for invalid input JSON")
	}
}

func TestVariables(t *testing.T) {
	runCases(t, []runCase{
		{"assign and read later", `{"StartAt":"A","States":{
		  "A":{"Type":"Pass","Assign":{"x":5,"who.$":"$.name"},"Next":"B"},
		  "B":{"Type":"Pass","Result":{},"Next":"C"},
		  "C":{"Type":"Pass","Parameters":{"x.$":"$x","who.$":"$who","sum.$":"States.MathAdd($x, 1)"},"End":true}}}`,
			`{"name":"ann"}`, nil, `{"x":5,"who":"ann","sum":6}`},
		{"assignments see the old values", `{"StartAt":"A","States":{
		  "A":{"Type":"Pass","Assign":{"x":1},"Next":"B"},
		  "B":{"Type":"Pass","Assign":{"x":2,"old.$":"$x"},"Next":"C"},
		  "C":{"Type":"Pass","Parameters":{"x.$":"$x","old.$":"$old"},"End":true}}}`,
			`{}`, nil, `{"x":2,"old":1}`},
		{"task Assign sees the result", `{"StartAt":"T","States":{
		  "T":{"Type":"Task","Resource":"r","ResultSelector":{"v.$":"$.value"},"Assign":{"got.$":"$.v"},"ResultPath":null,"Next":"C"},
		  "C":{"Type":"Pass","Parameters":{"got.$":"$got"},"End":true}}}`,
			`{}`, []interpreter.Option{resultTask(`{"value":42}`)}, `{"got":42}`},
		{"catch Assign sees the error", `{"StartAt":"T","States":{
		  "T":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"err.$":"$.Error"},"Next":"C"}],"End":true},
		  "C":{"Type":"Pass","Parameters":{"err.$":"$err"},"End":true}}}`,
			`{}`, []interpreter.Option{flaky(1, "Boom", new(int))}, `{"err":"Boom"}`},
		{"choice rule Assign", `{"StartAt":"C","States":{
		  "C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1,"Assign":{"big":true},"Next":"E"}],"Default":"E","Assign":{"big":false}},
		  "E":{"Type":"Pass","Parameters":{"big.$":"$big"},"End":true}}}`,
			`{"n":5}`, nil, `{"big":true}`},
		{"choice on a variable", `{"StartAt":"A","States":{
		  "A":{"Type":"Pass","Assign":{"limit":3},"Next":"C"},
		  "C":{"Type":"Choice","Choices":[{"Variable":"$limit","NumericEqualsPath":"$.n","Next":"Y"}],"Default":"N"},
		  "Y":{"Type":"Pass","Result":"yes","End":true},"N":{"Type":"Pass","Result":"no","End":true}}}`,
			`{"n":3}`, nil, `"yes"`},
		{"branches read outer variables and keep their own", `{"StartAt":"A","States":{
		  "A":{"Type":"Pass","Assign":{"x":1},"Next":"P"},
		  "P":{"Type":"Parallel","Branches":[
		    {"StartAt":"B1","States":{"B1":{"Type":"Pass","Assign":{"x":2},"Next":"B2"},"B2":{"Type":"Pass","Parameters":{"x.$":"$x"},"End":true}}},
		    {"StartAt":"C1","States":{"C1":{"Type":"Pass","Parameters":{"x.$":"$x"},"End":true}}}],
		   "ResultPath":"$.branches","Next":"D"},
		  "D":{"Type":"Pass","Parameters":{"outer.$":"$x","branches.$":"$.branches"},"End":true}}}`,
			`{}`, nil, `{"outer":1,"branches":[{"x":2},{"x":1}]}`},
		{"undefined variable", one(`{"Type":"Pass","Parameters":{"x.$":"$nope"},"End":true}`), `{}`, nil, "!States.Runtime"},
	})
	for _, bad := range []string{
		one(`{"Type":"Pass","Assign":{"1x":1},"End":true}`),
		one(`{"Type":"Pass","Assign":[],"End":true}`),
		one(`{"Type":"Pass","ResultPath":"$x","End":true}`),
	} {
		if _, err := interpreter.Compile([]byte(bad)); err == nil {
			t.Errorf("Compile(%s): want an error", bad)
		}
	}
}

func TestItemBatcher(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemSelector":{"v.$":"$$.Map.Item.Value","k.$":"$.k"},
	  "ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"src.$":"$.k"}},
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},
	  "ItemsPath":"$.items","End":true}}}`
	runCases(t, []runCase{
		{"batches of two", def, `{"k":"x","items":[1,2,3]}`, nil,
			`[{"BatchInput":{"src":"x"},"Items":[{"v":1,"k":"x"},{"v":2,"k":"x"}]},{"BatchInput":{"src":"x"},"Items":[{"v":3,"k":"x"}]}]`},
		{"byte limit", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemBatcher":{"MaxInputBytesPerBatch":10},
		  "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`, `["aaa","bbb","c"]`, nil,
			`[{"Items":["aaa"]},{"Items":["bbb","c"]}]`},
	})
}

// hang is a task that runs until it is cancelled.
var hang = interpreter.WithTaskResolver(interpreter.TaskFunc(func(ctx context.Context, _ *interpreter.TaskRequest) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}))

// Timeouts run on real time; synctest makes that time virtual here.
func TestTaskTimeouts(t *testing.T) {
	runCasesVirtual(t, []runCase{
		{"timeout", one(`{"Type":"Task","Resource":"r","TimeoutSeconds":30,"End":true}`), `{}`, []interpreter.Option{hang}, "!States.Timeout"},
		{"timeout caught", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","TimeoutSeconds":30,"Catch":[{"ErrorEquals":["States.Timeout"],"Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}}`,
			`{}`, []interpreter.Option{hang}, `{"Error":"States.Timeout","Cause":"the task did not finish within 30s"}`},
		{"TimeoutSecondsPath", one(`{"Type":"Task","Resource":"r","TimeoutSecondsPath":"$.t","End":true}`), `{"t":5}`, []interpreter.Option{hang}, "!States.Timeout"},
		{"heartbeat timeout", one(`{"Type":"Task","Resource":"arn:aws:states:us-east-1:1:activity:a","HeartbeatSeconds":10,"End":true}`), `{}`, []interpreter.Option{hang}, "!States.HeartbeatTimeout"},
	})
}

func TestHeartbeat(t *testing.T) {
	synctest.Test(t, testHeartbeat)
}

func testHeartbeat(t *testing.T) {
	def := one(`{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":1,"TimeoutSeconds":5,"Parameters":{"token.$":"$$.Task.Token"},"End":true}`)
	beating := interpreter.TaskFunc(func(ctx context.Context, r *interpreter.TaskRequest) ([]byte, error) {
		for range 3 { // 1.5 s in all, longer than HeartbeatSeconds
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(500 * time.Millisecond):
				r.SendHeartbeat()
			}
		}
		return []byte(fmt.Sprintf(`{"token":%q}`, r.TaskToken)), nil
	})
	res, err := run(t, def, `{}`, interpreter.WithTaskResolver(beating))
	if err != nil {
		t.Fatalf("heartbeats did not keep the task alive: %v", err)
	}
	var out struct{ Token string }
	if err := json.Unmarshal(res.Output, &out); err != nil || !strings.HasPrefix(out.Token, "exec1-") {
		t.Errorf("output %s: the task token is not the one $$.Task.Token showed", res.Output)
	}
	// A Lambda task ignores HeartbeatSeconds.
	slow := interpreter.TaskFunc(func(ctx context.Context, r *interpreter.TaskRequest) ([]byte, error) {
		time.Sleep(1200 * time.Millisecond)
		return []byte(`1`), ctx.Err()
	})
	if _, err := run(t, one(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","HeartbeatSeconds":1,"End":true}`), `{}`, interpreter.WithTaskResolver(slow)); err != nil {
		t.Errorf("lambda task with HeartbeatSeconds: %v", err)
	}
}

// Parallel branches and Map items run concurrently: under real time (made
// virtual by synctest) three 10-second waits take 10 seconds, not 30.
func TestConcurrency(t *testing.T) {
	wait := `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`
	tests := []struct {
		name, def, input string
		want             time.Duration
	}{
		{"parallel", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[` + wait + `,` + wait + `,` + wait + `],"End":true}}}`, `{}`, 10 * time.Second},
		{"map unbounded", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":` + wait + `,"End":true}}}`, `[1,2,3]`, 10 * time.Second},
		{"map MaxConcurrency 1", `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"ItemProcessor":` + wait + `,"End":true}}}`, `[1,2,3]`, 30 * time.Second},
		{"map MaxConcurrency 2", `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,"ItemProcessor":` + wait + `,"End":true}}}`, `[1,2,3]`, 20 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m, err := interpreter.Compile([]byte(tc.def))
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				if _, err := m.Run(context.Background(), []byte(tc.input)); err != nil {
					t.Fatal(err)
				}
				if got := time.Since(start); got != tc.want {
					t.Errorf("took %v, want %v", got, tc.want)
				}
			})
		})
	}
}

func TestAbort(t *testing.T) {
	m, err := interpreter.Compile([]byte(one(`{"Type":"Wait","Seconds":3600,"End":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := m.Run(ctx, nil, interpreter.WithHistory())
	if err == nil || res.Status != interpreter.StatusAborted {
		t.Fatalf("status %v, err %v; want ABORTED", res.Status, err)
	}
	if last := res.History[len(res.History)-1]; last.Type != "ExecutionAborted" {
		t.Errorf("last event %s, want ExecutionAborted", last.Type)
	}
}

func TestDataLimit(t *testing.T) {
	big := `"` + strings.Repeat("x", interpreter.MaxPayloadBytes) + `"`
	runCases(t, []runCase{
		{"task output too large", one(`{"Type":"Task","Resource":"r","End":true}`), `{}`, []interpreter.Option{resultTask(big)}, "!States.DataLimitExceeded"},
		{"not caught by States.ALL", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}}`,
			`{}`, []interpreter.Option{resultTask(big)}, "!States.DataLimitExceeded"},
		{"caught by name", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["States.DataLimitExceeded"],"ResultPath":"$.e","Next":"H"}],"End":true},"H":{"Type":"Pass","OutputPath":"$.e.Error","End":true}}}`,
			`{}`, []interpreter.Option{resultTask(big)}, `"States.DataLimitExceeded"`},
		{"execution output too large", one(`{"Type":"Pass","Parameters":{"s.$":"States.Format('{}{}{}{}{}', $.s, $.s, $.s, $.s, $.s)"},"End":true}`),
			`{"s":"` + strings.Repeat("y", 60000) + `"}`, nil, "!States.DataLimitExceeded"},
	})
	m, err := interpreter.Compile([]byte(one(`{"Type":"Pass","End":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(context.Background(), []byte(big)); err == nil {
		t.Error("an execution input over the limit must be refused")
	}
}
