package interpreter_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/interpreter"
)

func TestMockInvocationRanges(t *testing.T) {
	cfg, err := interpreter.ParseMockConfig([]byte(`{
	  "StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
	  "MockedResponses": {"R": {
	    "0": {"Throw": {"Error": "E0", "Cause": "c0"}},
	    "1-2": {"Return": {"n": 12}},
	    "3": {"Return": [3]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := cfg.Resolver("M", "T")
	if err != nil {
		t.Fatal(err)
	}
	req := &interpreter.TaskRequest{StateName: "S", Resource: "r"}
	want := []string{"!E0", `{"n": 12}`, `{"n": 12}`, `[3]`, "!States.Runtime"}
	for i, w := range want {
		out, err := r.ResolveTask(context.Background(), req)
		if name, ok := strings.CutPrefix(w, "!"); ok {
			var ee *interpreter.ExecutionError
			if !errors.As(err, &ee) || ee.Name != name {
				t.Errorf("invocation %d: err %v, want %s", i, err, name)
			}
			continue
		}
		if err != nil || string(out) != w {
			t.Errorf("invocation %d: %s, %v; want %s", i, out, err, w)
		}
	}
	// Unmocked states are left to the next resolver.
	_, err = r.ResolveTask(context.Background(), &interpreter.TaskRequest{StateName: "Other", Resource: "r"})
	var ue *interpreter.UnresolvedTaskError
	if !errors.As(err, &ue) || ue.State != "Other" {
		t.Errorf("unmocked state: err %v", err)
	}
}

func TestMockConfigErrors(t *testing.T) {
	for _, bad := range []string{
		`{`,
		`{"MockedResponses": {"R": {"x": {"Return": 1}}}}`,
		`{"MockedResponses": {"R": {"2-1": {"Return": 1}}}}`,
		`{"MockedResponses": {"R": {"0": {}}}}`,
		`{"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}`,
		`{"StateMachines": {"M": {"TestCases": {"T": {"S": "Missing"}}}}, "MockedResponses": {}}`,
	} {
		if _, err := interpreter.ParseMockConfig([]byte(bad)); err == nil {
			t.Errorf("ParseMockConfig(%s): want an error", bad)
		}
	}
	cfg, err := interpreter.ParseMockConfig([]byte(`{"StateMachines": {"A": {"TestCases": {}}, "B": {"TestCases": {}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Resolver("C", "T"); err == nil || !strings.Contains(err.Error(), "A, B") {
		t.Errorf("unknown state machine: err %v", err)
	}
}

// A distributed Map's S3 calls are looked up in a test case as
// "STATE/ItemReader" and "STATE/ResultWriter", then as "STATE"; each key
// counts its own invocations.
func TestMockDistributedMapParts(t *testing.T) {
	c, err := interpreter.ParseMockConfig([]byte(`{"StateMachines":{"m":{"TestCases":{"t":{"M":"Plain","M/ResultWriter":"Writes"}}}},
		"MockedResponses":{"Plain":{"0":{"Return":"read"},"1":{"Return":"second"}},"Writes":{"0-1":{"Return":"written"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Resolver("m", "t")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ part, want string }{
		{interpreter.PartResultWriter, `"written"`}, {interpreter.PartItemReader, `"read"`}, {interpreter.PartResultWriter, `"written"`}, {"", `"second"`},
	} {
		out, err := r.ResolveTask(context.Background(), &interpreter.TaskRequest{StateName: "M", Part: tc.part})
		if err != nil || string(out) != tc.want {
			t.Errorf("part %q: %s %v, want %s", tc.part, out, err, tc.want)
		}
	}
}
