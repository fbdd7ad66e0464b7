package interpreter_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/interpreter"
)

// TestTaskCredentials: a Task's Credentials name the role the task runs
// with (AWS Step Functions Developer Guide, "Task workflow state",
// Credentials: an object with RoleArn, a fixed ARN, or RoleArn.$, a
// reference path or intrinsic function; in JSONata an expression). The
// role is evaluated per attempt and handed to the task as
// TaskRequest.RoleArn; a value that is no IAM role ARN fails the
// execution with States.Runtime.
func TestTaskCredentials(t *testing.T) {
	task := func(ql, cred string) string {
		q := ""
		if ql != "" {
			q = `"QueryLanguage": "` + ql + `", `
		}
		c := ""
		if cred != "" {
			c = `, "Credentials": ` + cred
		}
		return `{` + q + `"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "InputPath": "$.in"` + c + `, "End": true}}}`
	}
	jtask := func(cred string) string {
		return `{"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Credentials": ` + cred + `, "End": true}}}`
	}
	tests := []struct {
		name, def, input string
		role             string // the RoleArn the task gets
		err              string // or the execution's error
	}{
		{"none", task("", ""), `{"in": {}}`, "", ""},
		{"fixed", task("", `{"RoleArn": "arn:aws:iam::111122223333:role/Fixed"}`), `{"in": {}}`, "arn:aws:iam::111122223333:role/Fixed", ""},
		{"path on the effective input", task("", `{"RoleArn.$": "$.role"}`), `{"in": {"role": "arn:aws:iam::111122223333:role/FromInput"}, "role": "outer"}`, "arn:aws:iam::111122223333:role/FromInput", ""},
		{"context object", task("", `{"RoleArn.$": "$$.Execution.Input.role"}`), `{"in": {}, "role": "arn:aws-cn:iam::111122223333:role/Ctx"}`, "arn:aws-cn:iam::111122223333:role/Ctx", ""},
		{"intrinsic function", task("", `{"RoleArn.$": "States.Format('arn:aws:iam::{}:role/Cross', $.account)"}`), `{"in": {"account": "444455556666"}}`, "arn:aws:iam::444455556666:role/Cross", ""},
		{"JSONata", jtask(`{"RoleArn": "{% 'arn:aws:iam::' & $states.input.account & ':role/J' %}"}`), `{"account": "777788889999"}`, "arn:aws:iam::777788889999:role/J", ""},
		{"not a role ARN", task("", `{"RoleArn.$": "$.role"}`), `{"in": {"role": "arn:aws:s3:::bucket"}}`, "", "States.Runtime"},
		{"not a string", task("", `{"RoleArn.$": "$.role"}`), `{"in": {"role": 5}}`, "", "States.Runtime"},
		{"path selects nothing", task("", `{"RoleArn.$": "$.role"}`), `{"in": {}}`, "", "States.Runtime"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, called := "", false
			res, err := run(t, tc.def, tc.input, interpreter.WithTaskResolver(interpreter.TaskFunc(func(_ context.Context, req *interpreter.TaskRequest) ([]byte, error) {
				got, called = req.RoleArn, true
				return []byte(`{}`), nil
			})))
			if tc.err != "" {
				if res == nil || res.Status != interpreter.StatusFailed || res.Error != tc.err {
					t.Fatalf("want failure %s, got %+v, %v", tc.err, res, err)
				}
				if called {
					t.Errorf("the task ran although its credentials are invalid")
				}
				return
			}
			if err != nil || res.Status != interpreter.StatusSucceeded {
				t.Fatalf("run: %+v, %v", res, err)
			}
			if got != tc.role {
				t.Errorf("RoleArn = %q, want %q", got, tc.role)
			}
		})
	}
}

// TestTaskCredentialsCompile: Credentials hold exactly RoleArn (or
// RoleArn.$ in JSONPath); anything else is refused when the definition is
// compiled.
func TestTaskCredentialsCompile(t *testing.T) {
	for _, tc := range []struct{ ql, cred, want string }{
		{"", `{}`, "exactly one field"},
		{"", `{"RoleArn": "arn:aws:iam::1:role/R", "Other": 1}`, "exactly one field"},
		{"", `{"Role": "arn:aws:iam::1:role/R"}`, "exactly one field"},
		{"", `{"RoleArn": 5}`, "must be a string"},
		{"JSONata", `{"RoleArn.$": "$.r"}`, "exactly one field, RoleArn"},
	} {
		q := ""
		if tc.ql != "" {
			q = `"QueryLanguage": "` + tc.ql + `", `
		}
		def := `{` + q + `"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Credentials": ` + tc.cred + `, "End": true}}}`
		_, err := interpreter.Compile([]byte(def))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error with %q", tc.cred, err, tc.want)
		}
	}
}
