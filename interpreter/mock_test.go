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

func TestCommandResolver(t *testing.T) {
	r := interpreter.NewCommandResolver(map[string]string{
		"ByState":  `cat`,
		"fn":       `printf '{"got":%s}' "$(cat)"`,
		"act":      `echo '"activity"'`,
		"Failing":  `echo 'plain message' >&2; exit 4`,
		"Named":    `echo '{"Error":"Custom","Cause":{"k":1}}' >&2; exit 1`,
		"BadShell": `exit 0`,
	})
	tests := []struct {
		req  interpreter.TaskRequest
		want string // output, or "!Name" for an ExecutionError, or "?" for a plain error
	}{
		{interpreter.TaskRequest{StateName: "ByState", Resource: "x", Input: []byte(`{"a":1}`)}, `{"a":1}`},
		{interpreter.TaskRequest{StateName: "S", Resource: "arn:aws:lambda:us-east-1:1:function:fn:live", Input: []byte(`1`)}, `{"got":1}`},
		{interpreter.TaskRequest{StateName: "S", Resource: "arn:aws:states:::lambda:invoke", Input: []byte(`{"FunctionName":"arn:aws:lambda:us-east-1:1:function:fn","Payload":{"p":2}}`)},
			`{"ExecutedVersion":"$LATEST","Payload":{"got":{"p":2}},"StatusCode":200}`},
		{interpreter.TaskRequest{StateName: "S", Resource: "arn:aws:states:us-east-1:1:activity:act"}, `"activity"`},
		{interpreter.TaskRequest{StateName: "Failing", Resource: "x"}, "?plain message"},
		{interpreter.TaskRequest{StateName: "Named", Resource: "x"}, `!Custom`},
		{interpreter.TaskRequest{StateName: "BadShell", Resource: "x"}, ``},
	}
	for _, tc := range tests {
		out, err := r.ResolveTask(context.Background(), &tc.req)
		switch {
		case strings.HasPrefix(tc.want, "!"):
			var ee *interpreter.ExecutionError
			if !errors.As(err, &ee) || ee.Name != tc.want[1:] || ee.Cause != `{"k":1}` {
				t.Errorf("%s: err %v, want %s", tc.req.StateName, err, tc.want)
			}
		case strings.HasPrefix(tc.want, "?"):
			if err == nil || !strings.Contains(err.Error(), tc.want[1:]) {
				t.Errorf("%s: err %v, want %q", tc.req.StateName, err, tc.want[1:])
			}
		default:
			if err != nil || string(out) != tc.want {
				t.Errorf("%s: %s, %v; want %s", tc.req.StateName, out, err, tc.want)
			}
		}
	}
	_, err := r.ResolveTask(context.Background(), &interpreter.TaskRequest{StateName: "None", Resource: "arn:aws:lambda:us-east-1:1:function:none"})
	var ue *interpreter.UnresolvedTaskError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `"None"`) || !strings.Contains(err.Error(), "function:none") {
		t.Errorf("unmapped: err %v", err)
	}
}
