package interpreter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/interpreter"
)

// trickyStrings are the strings whose JSON encoding differs between
// encoders: HTML characters, control characters, U+2028/U+2029, invalid
// UTF-8, quotes and backslashes, and plain and empty text.
var trickyStrings = []string{
	"", "plain", `{"a":[1,2.5,"x"]}`, "<b>&amp;</b>", "tab\there\nnl\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", `quote " backslash \ slash /`, "line\u2028para\u2029end",
	"bad \xff utf8 \xc3", "héllo wörld ✓ 𝄞", "\u00e9\u0301",
}

// fill sets every field reachable from v (a struct) from seed: strings
// from trickyStrings, numbers and booleans varying, maps with a few
// members, pointers allocated.
func fill(v reflect.Value, seed int) {
	for i := range v.NumField() {
		f := v.Field(i)
		n := seed + i
		switch f.Kind() {
		case reflect.String:
			f.SetString(trickyStrings[n%len(trickyStrings)])
		case reflect.Int, reflect.Int64:
			f.SetInt(int64([]int{0, 1, -7, 900, 1 << 40}[n%5]))
		case reflect.Bool:
			f.SetBool(n%2 == 1)
		case reflect.Map:
			if n%3 != 0 {
				m := reflect.MakeMap(f.Type())
				for j := range n % 4 {
					m.SetMapIndex(reflect.ValueOf(trickyStrings[(n+j)%len(trickyStrings)]+"k"), reflect.ValueOf(trickyStrings[(n+2*j)%len(trickyStrings)]))
				}
				f.Set(m)
			}
		case reflect.Pointer:
			if n%3 != 0 {
				p := reflect.New(f.Type().Elem())
				fill(p.Elem(), n)
				f.Set(p)
			}
		case reflect.Struct:
			fill(f, n)
		}
	}
}

// detailsJSON returns what encoding/json writes for ev's details: the
// members of json.Marshal(ev) after "type".
func detailsJSON(t *testing.T, ev *interpreter.Event) string {
	t.Helper()
	bare := *ev
	for i := range reflect.TypeFor[interpreter.Event]().NumField() {
		if f := reflect.ValueOf(&bare).Elem().Field(i); f.Kind() == reflect.Pointer {
			f.SetZero()
		}
	}
	pre, err := json.Marshal(&bare)
	if err != nil {
		t.Fatal(err)
	}
	full, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	head := strings.TrimSuffix(string(pre), "}")
	if !strings.HasPrefix(string(full), head) {
		t.Fatalf("%s does not start with %s", full, head)
	}
	return string(full[len(head) : len(full)-1])
}

// TestAppendDetailsJSON checks AppendDetailsJSON against encoding/json for
// every details field of Event, alone and all together, over many values:
// a details field added to Event without an encoder fails here.
func TestAppendDetailsJSON(t *testing.T) {
	et := reflect.TypeFor[interpreter.Event]()
	for seed := range 40 {
		all := interpreter.Event{Type: "T"}
		for i := range et.NumField() {
			if et.Field(i).Type.Kind() != reflect.Pointer {
				continue
			}
			ev := interpreter.Event{Type: "T"}
			p := reflect.New(et.Field(i).Type.Elem())
			fill(p.Elem(), seed)
			reflect.ValueOf(&ev).Elem().Field(i).Set(p)
			reflect.ValueOf(&all).Elem().Field(i).Set(p)
			want := detailsJSON(t, &ev)
			if got := string(ev.AppendDetailsJSON([]byte(`{"type":"T"`))[len(`{"type":"T"`):]); got != want {
				t.Errorf("%s, seed %d:\n got %s\nwant %s", et.Field(i).Name, seed, got, want)
			}
		}
		want := detailsJSON(t, &all)
		if got := string(all.AppendDetailsJSON([]byte(`{"type":"T"`))[len(`{"type":"T"`):]); got != want {
			t.Errorf("all details, seed %d:\n got %s\nwant %s", seed, got, want)
		}
	}
	// Appended to an empty buffer or an object just opened, the first
	// member has no comma before it.
	ev := interpreter.Event{MapStateStartedEventDetails: &interpreter.MapStateStartedDetails{Length: 3}}
	if got := string(ev.AppendDetailsJSON(nil)); got != `"mapStateStartedEventDetails":{"length":3}` {
		t.Errorf("empty buffer: %s", got)
	}
	if got := string(ev.AppendDetailsJSON([]byte("{"))); got != `{"mapStateStartedEventDetails":{"length":3}` {
		t.Errorf("open object: %s", got)
	}
}

// FuzzAppendDetailsJSON compares the string encoding with encoding/json's
// on any text.
func FuzzAppendDetailsJSON(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ev := interpreter.Event{StateExitedEventDetails: &interpreter.StateExitedDetails{Name: a, Output: b,
			AssignedVariables: map[string]string{a: b, b: a}, AssignedVariablesDetails: &interpreter.DataDetails{}}}
		want := detailsJSON(t, &ev)
		if got := string(ev.AppendDetailsJSON([]byte(`{"type":""`))[len(`{"type":""`):]); got != want {
			t.Errorf("got %s\nwant %s", got, want)
		}
	})
}

// A server writing history events in GetExecutionHistory's form appends
// each event's details after the members it writes itself.
func ExampleEvent_AppendDetailsJSON() {
	m, err := interpreter.Compile([]byte(`{"StartAt":"Hello","States":{"Hello":{"Type":"Pass","Result":"<hi>","End":true}}}`))
	if err != nil {
		panic(err)
	}
	_, err = m.Run(context.Background(), []byte(`{}`), interpreter.WithEventHook(func(e interpreter.Event) {
		b := append([]byte(`{"type":"`), e.Type...)
		b = append(b, '"')
		b = e.AppendDetailsJSON(b)
		b = fmt.Appendf(b, `,"id":%d}`, e.ID)
		fmt.Println(string(b))
	}))
	if err != nil {
		panic(err)
	}
	// Output:
	// {"type":"ExecutionStarted","executionStartedEventDetails":{"input":"{}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/StepFunctions-StateMachine-role"},"id":1}
	// {"type":"PassStateEntered","stateEnteredEventDetails":{"name":"Hello","input":"{}","inputDetails":{"truncated":false}},"id":2}
	// {"type":"PassStateExited","stateExitedEventDetails":{"name":"Hello","output":"\"\u003chi\u003e\"","outputDetails":{"truncated":false}},"id":3}
	// {"type":"ExecutionSucceeded","executionSucceededEventDetails":{"output":"\"\u003chi\u003e\"","outputDetails":{"truncated":false}},"id":4}
}
