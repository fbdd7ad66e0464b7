package sema_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/parser"
	"github.com/hsc-dev/hsc/sema"
)

func analyze(src string) (*sema.Analysis, error) {
	s := diag.NewSource("t.hsd", []byte(src))
	m, err := parser.Parse(s, sema.NewChecker(s))
	if err != nil {
		return nil, err
	}
	return sema.Analyze(s, m, sema.Options{Region: "r", AccountID: "a"})
}

// TestModifierTable checks each state type against each modifier, with
// heaviside's messages.
func TestModifierTable(t *testing.T) {
	mods := map[string]string{
		"Timeout":        "timeout: 5",
		"Heartbeat":      "heartbeat: 5",
		"Input":          "input: '$'",
		"Result":         "result: '$'",
		"Output":         "output: '$'",
		"Data":           "data:\n        {}",
		"Parameters":     "parameters:\n        a: 1",
		"Retry":          "retry [] 1 1 1.0",
		"Catch":          "catch []:\n        Pass()",
		"Iterator":       "iterator:\n        Pass()",
		"MaxConcurrency": "max_concurrency: 1",
		"ItemsPath":      "items_path: '$'",
	}
	states := map[string]struct {
		head    string
		allowed string
	}{
		"Pass":    {"Pass()", "Input Result Output Data Parameters"},
		"Succeed": {"Success()", "Input Output"},
		"Fail":    {"Fail('e', 'c')", ""},
		"Wait":    {"Wait(seconds=1)", "Input Output"},
		"Task":    {"Arn('arn:aws:x')", "Timeout Heartbeat Input Result Output Parameters Retry Catch"},
	}
	for typ, st := range states {
		for mod, text := range mods {
			src := st.head + "\n    " + text + "\n"
			_, err := analyze(src)
			allowed := strings.Contains(" "+st.allowed+" ", " "+mod+" ")
			if allowed {
				if err != nil {
					t.Errorf("%s with %s: unexpected error %v", typ, mod, err)
				}
				continue
			}
			want := typ + " state cannot contain a " + mod + " modifier"
			var e *diag.Error
			if !errors.As(err, &e) || e.Msg != want || e.Pos.Line != 2 || e.Pos.Col != 5 {
				t.Errorf("%s with %s: got %v, want 2:5 %s", typ, mod, err, want)
			}
		}
	}
}

func TestLinking(t *testing.T) {
	an, err := analyze("Fail('e', 'c')\nPass()\n    \"\"\"Dead\"\"\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := an.State("Dead"); !ok || s.Pos.Line != 2 || !s.End {
		t.Errorf("Dead state: %+v %v", s, ok)
	}
	n := 0
	for range an.States() {
		n++
	}
	if n != 2 {
		t.Errorf("States() yielded %d states, want 2", n)
	}
}

func TestIsRFC3339(t *testing.T) {
	for s, want := range map[string]bool{
		"2016-03-14T01:59:00Z":        true,
		"2016-03-14T01:59:00.5+01:00": true,
		"2016-03-14t01:59:00Z":        false,
		"2016-03-14T01:59:00z":        false,
		"2016-03-14":                  false,
		"2016-03-14 01:59:00Z":        false,
	} {
		if got := sema.IsRFC3339(s); got != want {
			t.Errorf("IsRFC3339(%q) = %v, want %v", s, got, want)
		}
	}
}
