package interpreter_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/interpreter"
)

// The tables of Choice comparators and intrinsic functions live in asl
// (asl.ComparatorTable, asl.IntrinsicFuncs). These tests check that the
// interpreter implements every entry and that the validator accepts
// exactly the entries.

func validationErrors(t *testing.T, def string) []asl.Problem {
	t.Helper()
	probs, err := asl.Validate([]byte(def))
	if err != nil {
		t.Fatalf("%s: %v", def, err)
	}
	var errs []asl.Problem
	for _, p := range probs {
		if p.Severity == diag.SevError {
			errs = append(errs, p)
		}
	}
	return errs
}

func runOutput(t *testing.T, def, input string) (string, error) {
	t.Helper()
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		return "", err
	}
	res, err := m.Run(context.Background(), []byte(input), interpreter.WithSeed(1))
	if err != nil {
		return "", err
	}
	if res.Error != "" {
		return "", fmt.Errorf("%s: %s", res.Error, res.Cause)
	}
	return string(res.Output), nil
}

// comparatorCases give, per base comparator, a value of the Variable, an
// operand, and whether the rule matches (the semantics of the AWS Step
// Functions developer guide, "Choice workflow state"). Each base has a
// matching and a non-matching case. A variable of nil means: absent.
var comparatorCases = map[string][]struct {
	variable, operand any
	match             bool
}{
	"StringEquals":               {{"a", "a", true}, {"a", "b", false}},
	"StringLessThan":             {{"a", "b", true}, {"b", "a", false}},
	"StringGreaterThan":          {{"b", "a", true}, {"a", "b", false}},
	"StringLessThanEquals":       {{"a", "a", true}, {"b", "a", false}},
	"StringGreaterThanEquals":    {{"a", "a", true}, {"a", "b", false}},
	"StringMatches":              {{"log.txt", "*.txt", true}, {"log.csv", "*.txt", false}},
	"NumericEquals":              {{1, 1.0, true}, {1, 2, false}},
	"NumericLessThan":            {{1, 2, true}, {2, 1, false}},
	"NumericGreaterThan":         {{2, 1, true}, {1, 2, false}},
	"NumericLessThanEquals":      {{2, 2, true}, {3, 2, false}},
	"NumericGreaterThanEquals":   {{2, 2, true}, {1, 2, false}},
	"BooleanEquals":              {{true, true, true}, {true, false, false}},
	"TimestampEquals":            {{"2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", true}, {"2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", false}},
	"TimestampLessThan":          {{"2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", true}, {"2021-01-01T00:00:00Z", "2020-01-01T00:00:00Z", false}},
	"TimestampGreaterThan":       {{"2021-01-01T00:00:00Z", "2020-01-01T00:00:00Z", true}, {"2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", false}},
	"TimestampLessThanEquals":    {{"2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", true}, {"2021-01-01T00:00:00Z", "2020-01-01T00:00:00Z", false}},
	"TimestampGreaterThanEquals": {{"2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", true}, {"2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", false}},
	"IsNull":                     {{json.RawMessage("null"), true, true}, {1, true, false}},
	"IsPresent":                  {{1, true, true}, {nil, true, false}},
	"IsNumeric":                  {{1.5, true, true}, {"1", true, false}},
	"IsString":                   {{"a", true, true}, {1, true, false}},
	"IsBoolean":                  {{false, true, true}, {1, true, false}},
	"IsTimestamp":                {{"2020-01-01T00:00:00Z", true, true}, {"yesterday", true, false}},
}

func choiceDefinition(comparator string, operand any) string {
	op, _ := json.Marshal(operand)
	return `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.v","` + comparator + `":` + string(op) +
		`,"Next":"Yes"}],"Default":"No"},"Yes":{"Type":"Pass","Result":"yes","End":true},"No":{"Type":"Pass","Result":"no","End":true}}}`
}

func TestInterpreterImplementsEveryComparator(t *testing.T) {
	table := asl.ComparatorTable()
	bases := map[string]bool{}
	for _, c := range table {
		bases[c.Base] = true
		cases, ok := comparatorCases[c.Base]
		if !ok {
			t.Errorf("%s: no test case (add one to comparatorCases)", c.Name)
			continue
		}
		for _, tc := range cases {
			input := map[string]any{}
			if tc.variable != nil {
				input["v"] = tc.variable
			}
			operand := tc.operand
			if c.Path {
				input["o"] = tc.operand
				operand = "$.o"
			}
			def := choiceDefinition(c.Name, operand)
			if errs := validationErrors(t, def); len(errs) > 0 {
				t.Errorf("%s: the validator rejects %s: %v", c.Name, def, errs)
			}
			in, _ := json.Marshal(input)
			out, err := runOutput(t, def, string(in))
			if err != nil {
				t.Errorf("%s with input %s: %v", c.Name, in, err)
				continue
			}
			want := `"no"`
			if tc.match {
				want = `"yes"`
			}
			if out != want {
				t.Errorf("%s with input %s: %s, want %s", c.Name, in, out, want)
			}
		}
	}
	for base := range comparatorCases {
		if !bases[base] {
			t.Errorf("test case for %s, which is not in asl's table", base)
		}
	}
}

func TestOnlyTableComparatorsAccepted(t *testing.T) {
	for _, name := range []string{"StringMatchesPath", "IsNullPath", "IsPresentPath", "NumericNotEquals", "stringEquals", "StringEqual", "Equals"} {
		if _, ok := asl.LookupComparator(name); ok {
			t.Fatalf("%s is in the table", name)
		}
		def := choiceDefinition(name, "$.o")
		if len(validationErrors(t, def)) == 0 {
			t.Errorf("the validator accepts comparator %s", name)
		}
		if _, err := interpreter.Compile([]byte(def)); err == nil {
			t.Errorf("the interpreter accepts comparator %s", name)
		}
	}
}

// intrinsicCases call every intrinsic function of asl's table, with the
// results the AWS Step Functions developer guide ("Intrinsic functions for
// JSONPath states") gives or implies. want "" means: checked by check.
var intrinsicCases = map[string]struct {
	call  string
	input string
	want  string
	check func(v any) error
}{
	"States.Format":         {call: "States.Format('Hello, my name is {}.', $.name)", input: `{"name":"Arnav"}`, want: `"Hello, my name is Arnav."`},
	"States.StringToJson":   {call: "States.StringToJson($.s)", input: `{"s":"{\"number\": 20}"}`, want: `{"number":20}`},
	"States.JsonToString":   {call: "States.JsonToString($.o)", input: `{"o":{"a":1,"b":[true]}}`, want: `"{\"a\":1,\"b\":[true]}"`},
	"States.Array":          {call: "States.Array('Foo', 2020, $.x, null)", input: `{"x":{"y":1}}`, want: `["Foo",2020,{"y":1},null]`},
	"States.ArrayPartition": {call: "States.ArrayPartition($.a, 4)", input: `{"a":[1,2,3,4,5,6,7,8,9]}`, want: `[[1,2,3,4],[5,6,7,8],[9]]`},
	"States.ArrayContains":  {call: "States.ArrayContains($.a, $.v)", input: `{"a":[1,2,3,4,5,6,7,8,9],"v":5}`, want: `true`},
	"States.ArrayRange":     {call: "States.ArrayRange(1, 9, 2)", input: `{}`, want: `[1,3,5,7,9]`},
	"States.ArrayGetItem":   {call: "States.ArrayGetItem($.a, $.i)", input: `{"a":[1,2,3,4,5,6,7,8,9],"i":5}`, want: `6`},
	"States.ArrayLength":    {call: "States.ArrayLength($.a)", input: `{"a":[1,2,3,4,5,6,7,8,9]}`, want: `9`},
	"States.ArrayUnique":    {call: "States.ArrayUnique($.a)", input: `{"a":[1,2,3,3,3,3,3,3,4]}`, want: `[1,2,3,4]`},
	"States.Base64Encode":   {call: "States.Base64Encode($.s)", input: `{"s":"Data to encode"}`, want: `"RGF0YSB0byBlbmNvZGU="`},
	"States.Base64Decode":   {call: "States.Base64Decode($.s)", input: `{"s":"RGF0YSB0byBlbmNvZGU="}`, want: `"Data to encode"`},
	"States.Hash":           {call: "States.Hash($.s, 'SHA-1')", input: `{"s":"input data"}`, want: `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
	"States.JsonMerge":      {call: "States.JsonMerge($.a, $.b, false)", input: `{"a":{"x":1,"n":{"p":1}},"b":{"y":2,"n":{"q":2}}}`, want: `{"x":1,"y":2,"n":{"q":2}}`}, // key order: AWS answers with a Java HashMap (see corpus aws-intrinsics/json-manipulation)
	"States.MathRandom": {call: "States.MathRandom(1, 999)", input: `{}`, check: func(v any) error {
		if f, ok := v.(float64); !ok || f < 1 || f > 999 || f != float64(int(f)) {
			return fmt.Errorf("%v is not an integer from 1 to 999", v)
		}
		return nil
	}},
	"States.MathAdd":     {call: "States.MathAdd($.a, $.b)", input: `{"a":111,"b":-1}`, want: `110`},
	"States.StringSplit": {call: "States.StringSplit($.s, ',')", input: `{"s":"1,2,3,4,5"}`, want: `["1","2","3","4","5"]`},
	"States.UUID": {call: "States.UUID()", input: `{}`, check: func(v any) error {
		if s, ok := v.(string); !ok || len(s) != 36 || strings.Count(s, "-") != 4 {
			return fmt.Errorf("%v is not a UUID", v)
		}
		return nil
	}},
}

func TestInterpreterImplementsEveryIntrinsic(t *testing.T) {
	names := map[string]bool{}
	for _, f := range asl.IntrinsicFuncs() {
		names[f.Name] = true
		tc, ok := intrinsicCases[f.Name]
		if !ok {
			t.Errorf("%s: no test case (add one to intrinsicCases)", f.Name)
			continue
		}
		call, _ := json.Marshal(tc.call)
		def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"r.$":` + string(call) + `},"OutputPath":"$.r","End":true}}}`
		if errs := validationErrors(t, def); len(errs) > 0 {
			t.Errorf("%s: the validator rejects %s: %v", f.Name, tc.call, errs)
		}
		out, err := runOutput(t, def, tc.input)
		if err != nil {
			t.Errorf("%s: %v", tc.call, err)
			continue
		}
		if tc.check != nil {
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%s: output %s: %v", tc.call, out, err)
			}
			if err := tc.check(v); err != nil {
				t.Errorf("%s: %v", tc.call, err)
			}
		} else if out != tc.want {
			t.Errorf("%s = %s, want %s", tc.call, out, tc.want)
		}
	}
	for name := range intrinsicCases {
		if !names[name] {
			t.Errorf("test case for %s, which is not in asl's table", name)
		}
	}
}

func TestOnlyTableIntrinsicsAccepted(t *testing.T) {
	for _, call := range []string{"States.Nope()", "States.format('x')", "States.MathSub(1, 2)", "States.Format()", "States.UUID(1)", "States.ArrayRange(1, 2)"} {
		c, _ := json.Marshal(call)
		def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"r.$":` + string(c) + `},"End":true}}}`
		if len(validationErrors(t, def)) == 0 {
			t.Errorf("the validator accepts %s", call)
		}
		if _, err := interpreter.Compile([]byte(def)); err == nil {
			t.Errorf("the interpreter accepts %s", call)
		}
	}
}

// TestUnicodeVariableNames: "$ä" reads the variable ä. Variable names are
// letters, digits and '_' (not starting with a digit); the validator and
// the interpreter share the rule (asl.IsVariableName) and the path grammar.
func TestUnicodeVariableNames(t *testing.T) {
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"größe":3},"Next":"B"},
		"B":{"Type":"Pass","Parameters":{"v.$":"$größe","w.$":"States.MathAdd($größe, 1)"},"End":true}}}`
	if errs := validationErrors(t, def); len(errs) > 0 {
		t.Fatalf("the validator rejects it: %v", errs)
	}
	out, err := runOutput(t, def, `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if out != `{"v":3,"w":4}` {
		t.Errorf("output %s, want {\"v\":3,\"w\":4}", out)
	}
}

// TestUnsupportedIsNotInvalid: features the local interpreter does not run
// are reported as *UnsupportedError ("not supported locally"), never as an
// invalid definition, and the validator accepts the definitions.
func TestUnsupportedIsNotInvalid(t *testing.T) {
	defs := map[string]string{
		"JSONata user-defined function": `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% ($f := function($x){ $x * 2 }; $f(2)) %}","End":true}}}`,
	}
	for name, def := range defs {
		if errs := validationErrors(t, def); len(errs) > 0 {
			t.Errorf("%s: the validator rejects it: %v", name, errs)
		}
		_, err := interpreter.Compile([]byte(def))
		var ue *interpreter.UnsupportedError
		if !errors.As(err, &ue) {
			t.Errorf("%s: Compile error %v (%T), want an *UnsupportedError", name, err, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "not supported locally") || strings.HasPrefix(msg, "invalid definition") {
			t.Errorf("%s: message %q does not say it is not supported locally, or calls it invalid", name, msg)
		}
	}
}
