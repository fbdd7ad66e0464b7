package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/internal/taskcmd"
	"github.com/hsc-dev/hsc/server"
)

// Task commands (hsc run's --task contract, real processes) answer Lambda
// tasks and activities they map; a .waitForTaskToken command that prints
// nothing leaves the task waiting for SendTaskSuccess with the token it
// got in HSC_TASK_TOKEN, while one that prints null gives the result null
// at once; a command that fails fails only its task.
func TestTaskCommands(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	tasks := taskcmd.NewResolver(map[string]string{
		"hello":    `echo '{"greeting":"hi"}'`,
		"Callback": `printf %s "$HSC_TASK_TOKEN" > ` + tokenFile,
		"NullNow":  `echo null`,
		"byCmd":    `echo '"activity by command"'`,
		"broken":   `echo '{"Error":"Broken","Cause":"on purpose"}' >&2; exit 3`,
	})
	_, c := start(t, server.Config{Tasks: tasks})
	ctx := ctxT(t)
	def := `{"StartAt":"Hello","States":{
		"Hello":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:hello","ResultPath":"$.hello","Next":"Callback"},
		"Callback":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"ResultPath":"$.cb","Next":"NullNow"},
		"NullNow":{"Type":"Task","Resource":"arn:aws:states:::sns:publish.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"ResultPath":"$.now","Next":"ByCmd"},
		"ByCmd":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:byCmd","ResultPath":"$.act","Next":"Broken"},
		"Broken":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:broken","Catch":[{"ErrorEquals":["Broken"],"ResultPath":"$.err","Next":"Done"}],"End":true},
		"Done":{"Type":"Succeed"}}}`
	arn := createMachine(t, c, "cmds", def)
	ex := startExec(t, c, arn)
	var token []byte
	deadline := time.Now().Add(20 * time.Second)
	for len(token) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the callback command never wrote its token")
		}
		time.Sleep(10 * time.Millisecond)
		token, _ = os.ReadFile(tokenFile)
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(string(token)), Output: aws.String(`{"called":"back"}`)}); err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, c, *ex.ExecutionArn)
	// NullNow printed null: its result, no waiting for a callback.
	want := `{"hello":{"greeting":"hi"},"cb":{"called":"back"},"now":null,"act":"activity by command","err":{"Error":"Broken","Cause":"on purpose"}}`
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != want {
		t.Errorf("%s %s\nwant %s", d.Status, aws.ToString(d.Output), want)
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range h.Events {
		if strings.HasPrefix(string(e.Type), "LambdaFunction") || strings.HasPrefix(string(e.Type), "Activity") {
			seen = append(seen, string(e.Type))
		}
	}
	if got := strings.Join(seen, " "); !strings.Contains(got, "LambdaFunctionSucceeded") || !strings.Contains(got, "ActivitySucceeded") || !strings.Contains(got, "LambdaFunctionFailed") {
		t.Errorf("task events %s", got)
	}
}
