//go:build unix

package taskcmd_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/hsc-dev/hsc/internal/taskcmd"
	"github.com/hsc-dev/hsc/interpreter"
)

func TestResolver(t *testing.T) {
	var mu sync.Mutex
	stderrs := map[string]string{}
	r := taskcmd.NewResolver(map[string]string{
		"ByState":                          `cat`,
		"fn":                               `printf '{"got":%s}' "$(cat)"`,
		"act":                              `printf '"%s"' "$HSC_ACTIVITY"`,
		"Env":                              `printf '"%s %s %s"' "$HSC_STATE_NAME" "$HSC_ATTEMPT" "$HSC_TASK_TOKEN"`,
		"Role":                             `printf '"%s"' "$HSC_CREDENTIALS_ROLE_ARN"`,
		"Failing":                          `echo 'plain message' >&2; exit 4`,
		"Named":                            `echo 'log line' >&2; echo '{"Error":"Custom","Cause":{"k":1}}' >&2; exit 1`,
		"Empty":                            `exit 0`,
		"Blank":                            `printf ' \n\t'`,
		"Null":                             `echo null`,
		"Chatty":                           `echo 'progress' >&2; echo 1`,
		"TooLarge":                         `head -c 300000 /dev/zero | tr '\0' 1`,
		"arn:aws:states:::sqs:sendMessage": `echo '"by resource"'`,
	})
	r.Stderr = func(req *interpreter.TaskRequest, text string) {
		mu.Lock()
		defer mu.Unlock()
		stderrs[req.StateName] = text
	}
	tests := []struct {
		req  interpreter.TaskRequest
		want string // output, or "!Name:Cause" for an ExecutionError
	}{
		{interpreter.TaskRequest{StateName: "ByState", Resource: "x", Input: []byte(`{"a":1}`)}, `{"a":1}`},
		{interpreter.TaskRequest{StateName: "S", Resource: "arn:aws:lambda:us-east-1:1:function:fn:live", Input: []byte(`1`)}, `{"got":1}`},
		// lambda:invoke: the command gets the Payload; the output is wrapped
		// as the integration's result (AWS docs, "Invoke an AWS Lambda
		// function with Step Functions": ExecutedVersion, Payload, StatusCode).
		{interpreter.TaskRequest{StateName: "S", Resource: "arn:aws:states:::lambda:invoke", Input: []byte(`{"FunctionName":"arn:aws:lambda:us-east-1:1:function:fn","Payload":{"p":2.50}}`)},
			`{"ExecutedVersion":"$LATEST","Payload":{"got":{"p":2.50}},"StatusCode":200}`},
		{interpreter.TaskRequest{StateName: "S", Resource: "arn:aws:states:::lambda:invoke", Input: []byte(`{"FunctionName":"fn"}`)},
			`{"ExecutedVersion":"$LATEST","Payload":{"got":null},"StatusCode":200}`},
		{interpreter.TaskRequest{StateName: "S", Resource: "arn:aws:states:us-east-1:1:activity:act"}, `"act"`},
		{interpreter.TaskRequest{StateName: "S", Resource: "arn:aws:states:::sqs:sendMessage"}, `"by resource"`},
		{interpreter.TaskRequest{StateName: "Env", Resource: "x", Attempt: 2, TaskToken: "tok"}, `"Env 2 tok"`},
		// the role of the state's Credentials
		{interpreter.TaskRequest{StateName: "Role", Resource: "x", RoleArn: "arn:aws:iam::1:role/R"}, `"arn:aws:iam::1:role/R"`},
		{interpreter.TaskRequest{StateName: "Failing", Resource: "x"}, "!States.TaskFailed:plain message"},
		{interpreter.TaskRequest{StateName: "Named", Resource: "x"}, `!Custom:{"k":1}`},
		{interpreter.TaskRequest{StateName: "Empty", Resource: "x"}, `null`},
		// .waitForTaskToken (a token is given): printing nothing is no
		// result yet (the task waits for SendTaskSuccess/Failure with the
		// token, as on AWS, where only the callback ends such a task);
		// printing null is the result null.
		{interpreter.TaskRequest{StateName: "Empty", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", TaskToken: "tok"}, ``},
		{interpreter.TaskRequest{StateName: "Blank", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", TaskToken: "tok"}, ``},
		{interpreter.TaskRequest{StateName: "Blank", Resource: "x"}, `null`},
		{interpreter.TaskRequest{StateName: "Null", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", TaskToken: "tok"}, `null`},
		{interpreter.TaskRequest{StateName: "Null", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Input: []byte(`{"FunctionName":"f"}`), TaskToken: "tok"},
			`{"ExecutedVersion":"$LATEST","Payload":null,"StatusCode":200}`},
		{interpreter.TaskRequest{StateName: "Empty", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Input: []byte(`{"FunctionName":"f"}`), TaskToken: "tok"}, ``},
		{interpreter.TaskRequest{StateName: "Chatty", Resource: "x"}, `1`},
		{interpreter.TaskRequest{StateName: "TooLarge", Resource: "x"}, `!States.DataLimitExceeded:the command printed more than 262144 bytes (256 KiB), the most Step Functions accepts as a task result`},
	}
	for _, tc := range tests {
		out, err := r.ResolveTask(context.Background(), &tc.req)
		if name, cause, ok := strings.Cut(tc.want, ":"); ok && strings.HasPrefix(tc.want, "!") {
			var ee *interpreter.ExecutionError
			if !errors.As(err, &ee) || ee.Name != name[1:] || ee.Cause != cause {
				t.Errorf("%s: err %v, want %s", tc.req.StateName, err, tc.want)
			}
			continue
		}
		if err != nil || string(out) != tc.want {
			t.Errorf("%s: %s, %v; want %s", tc.req.StateName, out, err, tc.want)
		}
	}
	// Standard error reaches the callback unless it became the cause.
	want := map[string]string{"Chatty": "progress\n", "Named": "log line\n{\"Error\":\"Custom\",\"Cause\":{\"k\":1}}\n"}
	if len(stderrs) != len(want) || stderrs["Chatty"] != want["Chatty"] || stderrs["Named"] != want["Named"] {
		t.Errorf("stderr callbacks %q, want %q", stderrs, want)
	}

	_, err := r.ResolveTask(context.Background(), &interpreter.TaskRequest{StateName: "None", Resource: "arn:aws:lambda:us-east-1:1:function:none"})
	var ue *interpreter.UnresolvedTaskError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `"None"`) || !strings.Contains(err.Error(), "function:none") {
		t.Errorf("unmapped: err %v", err)
	}
}

// A Resolver in an interpreter.Resolvers chain leaves unmapped tasks to
// the next resolver.
func TestResolverInChain(t *testing.T) {
	m, err := interpreter.Compile([]byte(`{"StartAt":"A","States":{
		"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:a","Next":"B"},
		"B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:b","End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	fallback := interpreter.TaskFunc(func(_ context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		return []byte(`{"from":"fallback","in":` + string(req.Input) + `}`), nil
	})
	chain := interpreter.Resolvers{taskcmd.NewResolver(map[string]string{"A": `echo '{"from":"command"}'`}), fallback}
	res, err := m.Run(context.Background(), []byte(`{}`), interpreter.WithTaskResolver(chain))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"from":"fallback","in":{"from":"command"}}`; string(res.Output) != want {
		t.Errorf("output %s, want %s", res.Output, want)
	}
}
