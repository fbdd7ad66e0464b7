package asl

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseModel(t *testing.T) {
	m, err := Parse([]byte(validJSONata))
	if err != nil {
		t.Fatal(err)
	}
	call := m.State("Call")
	if call == nil || call.Type != TypeTask || call.Next != "Choose" {
		t.Fatalf("Call = %+v", call)
	}
	if e, ok := call.TimeoutSeconds.Expression(); !ok || e != "{% $t %}" {
		t.Errorf("TimeoutSeconds expression = %q, %v", e, ok)
	}
	if _, ok := call.TimeoutSeconds.Int64(); ok {
		t.Error("an expression read as an integer")
	}
	if got := string(m.Encode(0)); got != string(mustValue(t, validJSONata).Encode(0)) {
		t.Errorf("JSONata round trip:\n%s", got)
	}

	m, err = Parse([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	task := m.State("Task")
	if n, ok := task.HeartbeatSeconds.Int64(); !ok || n != 10 {
		t.Errorf("HeartbeatSeconds = %v", task.HeartbeatSeconds)
	}
	if !task.OutputPath.Set || !task.OutputPath.Null || task.InputPath.Value != "$" || task.ResultPath.Value != "$.result" {
		t.Errorf("paths: in %+v out %+v result %+v", task.InputPath, task.OutputPath, task.ResultPath)
	}
	if len(task.Retry) != 2 || task.Retry[0].ErrorEquals[0] != "Custom.Error" || task.Retry[0].BackoffRate != "1.5" {
		t.Errorf("Retry = %+v", task.Retry)
	}
	if len(task.Catch) != 1 || task.Catch[0].Next != "Failed" || task.Catch[0].ResultPath.Value != "$.error" {
		t.Errorf("Catch = %+v", task.Catch)
	}
	choose := m.State("Choose")
	if len(choose.Choices) != 3 || choose.Default != "Map" {
		t.Fatalf("Choices = %+v", choose.Choices)
	}
	r0 := choose.Choices[0]
	if r0.Variable != "$.n" || r0.Operator != "NumericGreaterThan" || r0.Operand.Str != "3" || r0.Next != "Wait" {
		t.Errorf("rule 0 = %+v", r0)
	}
	r1 := choose.Choices[1]
	if len(r1.And) != 2 || r1.And[1].Not == nil || r1.And[1].Not.Operator != "BooleanEquals" || !r1.And[1].Not.Operand.Bool {
		t.Errorf("rule 1 = %+v", r1)
	}
	par := m.State("Parallel")
	if len(par.Branches) != 2 || par.Branches[0].StartAt != "B1" || par.Branches[0].State("B1").SecondsPath != "$.secs" {
		t.Errorf("Branches = %+v", par.Branches)
	}
	mp := m.State("Map")
	if mp.ItemProcessor == nil || mp.ItemProcessor.ProcessorConfig.Get("Mode").Str != "INLINE" || mp.ItemsPath != "$.items[0]['list']" {
		t.Errorf("Map = %+v", mp)
	}
	if old := m.State("Old"); old.Iterator == nil || old.Iterator.State("I1").Type != TypeWait {
		t.Errorf("Old = %+v", old)
	}
	if f := m.State("Failed"); f.Error != "E" || f.Cause != "c" || !f.Terminal() {
		t.Errorf("Failed = %+v", f)
	}
	if m.State("nope") != nil {
		t.Error("State found a missing state")
	}
}

func mustValue(t *testing.T, s string) *Value {
	t.Helper()
	v, err := ParseValue([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestModelKeepsUnknown checks that unknown fields, a second comparator
// and key order survive a round trip through the model.
func TestModelKeepsUnknown(t *testing.T) {
	in := `{"X-Top":{"a":[1.0]},"States":{"A":{"Next":"B","Type":"Choice","Choices":[{"Next":"B","IsNull":true,"StringEquals":"x","Variable":"$.a","X-Rule":1}],"X-State":null},"B":{"Type":"Succeed"}},"StartAt":"A"}`
	m, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(m.Encode(0)); got != in {
		t.Errorf("round trip:\n got %s\nwant %s", got, in)
	}
	if len(m.Extra) != 1 || m.Extra[0].Key != "X-Top" {
		t.Errorf("Extra = %+v", m.Extra)
	}
	r := m.State("A").Choices[0]
	if r.Operator != "IsNull" || len(r.Extra) != 2 {
		t.Errorf("rule = %+v", r)
	}
}

func TestParseFieldErrors(t *testing.T) {
	tests := []struct {
		in, ptr string
	}{
		{`[]`, ""},
		{`{"StartAt": 1}`, "/StartAt"},
		{`{"States": {"A": {"Type": "Pass", "End": "yes"}}}`, "/States/A/End"},
		{`{"States": {"A": {"Type": "Task", "Retry": [{"ErrorEquals": "E"}]}}}`, "/States/A/Retry/0/ErrorEquals"},
		{`{"States": {"A": {"Type": "Choice", "Choices": [{"And": [{"Variable": 3}]}]}}}`, "/States/A/Choices/0/And/0/Variable"},
		{`{"States": {"A": {"Type": "Parallel", "Branches": [{"States": {"a/b": {"Type": 7}}}]}}}`, "/States/A/Branches/0/States/a~1b/Type"},
		{`{"States": {"A": {"Type": "Wait", "Seconds": "5"}}}`, "/States/A/Seconds"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: err = %v, want *FieldError", tt.in, err)
			continue
		}
		if fe.Pointer != tt.ptr || !fe.Pos.IsValid() {
			t.Errorf("%s: pointer %q at %v, want %q", tt.in, fe.Pointer, fe.Pos, tt.ptr)
		}
	}
	var se *SyntaxError
	if _, err := Parse([]byte(`{"a":`)); !errors.As(err, &se) {
		t.Errorf("malformed JSON: err = %v, want *SyntaxError", err)
	}
}

// TestBuildInCode builds a machine without parsing, writes it with
// encoding/json and reads it back.
func TestBuildInCode(t *testing.T) {
	m := &StateMachine{
		StartAt: "Wait",
		States: []*State{
			{Name: "Wait", Type: TypeWait, Seconds: Number(NewInt(5).Str), Next: "Work"},
			{Name: "Work", Type: TypeTask, Resource: "arn:aws:lambda:us-east-1:1:function:f",
				ResultPath: NullableString{Set: true, Null: true}, OutputPath: Str("$.out"),
				Comment: "tab\\there \"quoted\"\n\x01",
				Retry:   []*Retrier{{ErrorEquals: []string{ErrorAll}, BackoffRate: "2.0"}},
				End:     true},
		},
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":5,"Next":"Work"},` +
		`"Work":{"Type":"Task","Comment":"tab\\there \"quoted\"\n\u0001","Resource":"arn:aws:lambda:us-east-1:1:function:f",` +
		`"ResultPath":null,"OutputPath":"$.out","Retry":[{"ErrorEquals":["States.ALL"],"BackoffRate":2.0}],"End":true}}}`
	if string(data) != want {
		t.Errorf("Marshal:\n got %s\nwant %s", data, want)
	}
	if ps := m.Validate(); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if c := back.State("Work").Comment; c != m.States[1].Comment {
		t.Errorf("comment %q after round trip", c)
	}
	if f, ok := back.State("Work").Retry[0].BackoffRate.Float64(); !ok || f != 2 {
		t.Errorf("BackoffRate %v", f)
	}
}

func TestErrorStrings(t *testing.T) {
	_, err := Parse([]byte("{\n \"StartAt\": 1}"))
	if got := err.Error(); got != "2:13: /StartAt: expected a string, found number" {
		t.Errorf("FieldError: %q", got)
	}
	_, err = Parse([]byte("{\n \"StartAt\" 1}"))
	if got := err.Error(); got != "2:12: unexpected character '1', expected ':' after object key" {
		t.Errorf("SyntaxError: %q", got)
	}
	ps, _ := Validate([]byte(`{"StartAt": "A", "States": {"A": {"Type": "Succeed", "Next": "A"}}}`))
	if len(ps) != 1 || ps[0].String() != `1:54: error: field "Next" is not allowed in a Succeed state (at /States/A/Next)` {
		t.Errorf("Problem.String: %v", ps)
	}
}

// TestComparatorIndex keeps the switch comparatorIndex in step with the
// comparator table, and checks LookupComparator against the table.
func TestComparatorIndex(t *testing.T) {
	for i, b := range comparatorBases() {
		if got, j := comparatorIndex(b.name); j != i || got != b {
			t.Errorf("comparatorIndex(%q) = %+v, %d; want %+v, %d", b.name, got, j, b, i)
		}
	}
	for _, name := range []string{"", "Path", "stringequals", "StringEqualsPathPath", "And", "IsNullPath", "StringMatchesPath"} {
		if _, got := comparatorIndex(name); got != -1 {
			t.Errorf("comparatorIndex(%q) = %d, want -1", name, got)
		}
		if c, ok := LookupComparator(name); ok {
			t.Errorf("LookupComparator(%q) = %+v, want none", name, c)
		}
	}
	table := ComparatorTable()
	for _, c := range table {
		got, ok := LookupComparator(c.Name)
		if !ok || got != c {
			t.Errorf("LookupComparator(%q) = %+v, %v; want %+v", c.Name, got, ok, c)
		}
	}
	if len(table) != 23+16 {
		t.Errorf("%d comparators, want 39 (23 and 16 Path variants)", len(table))
	}
}
