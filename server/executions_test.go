package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
)

func TestExecutionLifecycle(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	arn := createMachine(t, c, "life", passDef)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("run-1"), Input: aws.String(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:states:us-east-1:123456789012:execution:life:run-1"; *ex.ExecutionArn != want {
		t.Errorf("execution arn %s, want %s", *ex.ExecutionArn, want)
	}
	d := waitDone(t, c, *ex.ExecutionArn)
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"a":1,"r":{"x":1}}` || aws.ToString(d.Input) != `{"a":1}` ||
		*d.StateMachineArn != arn || *d.Name != "run-1" || d.StopDate == nil || !d.InputDetails.Included ||
		d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable || aws.ToString(d.RedriveStatusReason) != "Execution is SUCCEEDED and cannot be redriven" {
		t.Errorf("describe: %+v", d)
	}
	sm, err := c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || *sm.Definition != passDef || *sm.Name != "life" || *sm.RoleArn != roleARN || *sm.StateMachineArn != arn {
		t.Errorf("state machine for execution: %+v %v", sm, err)
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range h.Events {
		seen = append(seen, string(e.Type))
	}
	if got, want := strings.Join(seen, " "), "ExecutionStarted PassStateEntered PassStateExited PassStateEntered PassStateExited ExecutionSucceeded"; got != want {
		t.Errorf("history %s, want %s", got, want)
	}
	if st := h.Events[0].ExecutionStartedEventDetails; st == nil || aws.ToString(st.Input) != `{"a":1}` || aws.ToString(st.RoleArn) != roleARN ||
		st.InputDetails == nil || st.InputDetails.Truncated {
		t.Errorf("ExecutionStarted details %+v", st)
	}
	if ex := h.Events[2].StateExitedEventDetails; ex == nil || ex.OutputDetails == nil || ex.OutputDetails.Truncated {
		t.Errorf("StateExited details %+v", ex)
	}
	for _, bad := range []struct{ arn, code string }{
		{"arn:aws:states:us-east-1:123456789012:execution:life:nope", "ExecutionDoesNotExist"},
		{"arn:aws:states:us-east-1:123456789012:stateMachine:life", "InvalidArn"},
		{"arn:aws:states:us-east-1:123456789012:express:life:x:y", "InvalidArn"},
		{"run-1", "InvalidArn"},
	} {
		_, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(bad.arn)})
		wantCode(t, err, bad.code)
		_, err = c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(bad.arn)})
		wantCode(t, err, bad.code)
		_, err = c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(bad.arn)})
		wantCode(t, err, bad.code)
		_, err = c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(bad.arn)})
		wantCode(t, err, bad.code)
	}
}

// A Fail state fails the execution with its Error and Cause (AWS; the
// npm emulator reported SUCCEEDED and swapped the two).
func TestFailStateFailsExecution(t *testing.T) {
	_, c := start(t, server.Config{})
	arn := createMachine(t, c, "fails", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"MyError","Cause":"my cause"}}}`)
	ex, err := c.StartExecution(ctxT(t), &sfn.StartExecutionInput{StateMachineArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, c, *ex.ExecutionArn)
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "MyError" || aws.ToString(d.Cause) != "my cause" || d.Output != nil {
		t.Errorf("%s error %q cause %q output %v", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause), d.Output)
	}
}

// StartExecution is idempotent while the execution runs with the same
// input; otherwise ExecutionAlreadyExists (AWS API reference,
// StartExecution).
func TestStartExecutionIdempotency(t *testing.T) {
	_, c := start(t, server.Config{PollTimeout: 5 * time.Second})
	ctx := ctxT(t)
	createActivity(t, c, "work")
	arn := createMachine(t, c, "idem", activityDef)
	first, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("n"), Input: aws.String(`{"i":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("n"), Input: aws.String(`{"i":1}`)})
	if err != nil || *again.ExecutionArn != *first.ExecutionArn || !again.StartDate.Equal(*first.StartDate) {
		t.Errorf("same name and input while running: %+v %v", again, err)
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("n"), Input: aws.String(`{"i":2}`)})
	if ae := wantCode(t, err, "ExecutionAlreadyExists"); ae.ErrorMessage() != "Execution Already Exists: '"+*first.ExecutionArn+"'" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: first.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("n"), Input: aws.String(`{"i":1}`)})
	wantCode(t, err, "ExecutionAlreadyExists")

	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"i":`)})
	if ae := wantCode(t, err, "InvalidExecutionInput"); !strings.HasPrefix(ae.ErrorMessage(), "Invalid State Machine Execution Input: '") {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("a b")})
	wantCode(t, err, "InvalidName")
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "-missing")})
	wantCode(t, err, "StateMachineDoesNotExist")
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`"` + strings.Repeat("x", 256*1024) + `"`)})
	wantCode(t, err, "ValidationException")
}

func TestStopExecution(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	arn := createMachine(t, c, "waits", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	ex := startExec(t, c, arn)
	stop, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: ex.ExecutionArn, Error: aws.String("Halt"), Cause: aws.String("by test")})
	if err != nil || stop.StopDate == nil {
		t.Fatalf("stop: %+v %v", stop, err)
	}
	d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || d.Status != types.ExecutionStatusAborted || aws.ToString(d.Error) != "Halt" || aws.ToString(d.Cause) != "by test" {
		t.Errorf("after stop: %+v %v", d, err)
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn, ReverseOrder: true, MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	last := h.Events[0]
	if last.Type != types.HistoryEventTypeExecutionAborted || aws.ToString(last.ExecutionAbortedEventDetails.Error) != "Halt" || aws.ToString(last.ExecutionAbortedEventDetails.Cause) != "by test" {
		t.Errorf("last event %s %+v", last.Type, last.ExecutionAbortedEventDetails)
	}
}

// A Task no resolver answers fails the execution, naming the state and
// the resource.
func TestUnansweredTask(t *testing.T) {
	_, c := start(t, server.Config{})
	fn := "arn:aws:lambda:us-east-1:123456789012:function:f"
	arn := createMachine(t, c, "lambda", `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"`+fn+`","End":true}}}`)
	ex, err := c.StartExecution(ctxT(t), &sfn.StartExecutionInput{StateMachineArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, c, *ex.ExecutionArn)
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "States.Runtime" ||
		!strings.Contains(aws.ToString(d.Cause), `"Call"`) || !strings.Contains(aws.ToString(d.Cause), fn) {
		t.Errorf("%s %q %q", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}

// Config.Tasks answers Lambda and integration tasks; a .waitForTaskToken
// task whose resolver returns no result waits for SendTaskSuccess with
// its token.
func TestTaskResolverAndCallback(t *testing.T) {
	tokens := make(chan string, 1)
	tasks := interpreter.TaskFunc(func(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		if req.TaskToken != "" {
			tokens <- req.TaskToken
			return nil, nil
		}
		return []byte(fmt.Sprintf(`{"fn":%q}`, req.FunctionName())), nil
	})
	_, c := start(t, server.Config{Tasks: tasks})
	ctx := ctxT(t)
	def := `{"StartAt":"Call","States":{
		"Call":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:hello","ResultPath":"$.call","Next":"Wait"},
		"Wait":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"token.$":"$$.Task.Token"},"ResultPath":"$.cb","End":true}}}`
	arn := createMachine(t, c, "cb", def)
	ex := startExec(t, c, arn)
	var token string
	select {
	case token = <-tokens:
	case <-time.After(10 * time.Second):
		t.Fatal("no callback task")
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &token, Output: aws.String(`{"ok":1}`)}); err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, c, *ex.ExecutionArn)
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"call":{"fn":"hello"},"cb":{"ok":1}}` {
		t.Errorf("%s %s", d.Status, aws.ToString(d.Output))
	}
	_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &token, Output: aws.String(`{}`)})
	wantCode(t, err, "TaskTimedOut")
}

func TestListExecutions(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	ok := createMachine(t, c, "ok", passDef)
	bad := createMachine(t, c, "bad", `{"StartAt":"F","States":{"F":{"Type":"Fail"}}}`)
	var started []string
	for i := range 5 {
		m := ok
		if i%2 == 1 {
			m = bad
		}
		ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &m, Name: aws.String(fmt.Sprintf("e%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, c, *ex.ExecutionArn)
		if m == ok {
			started = append(started, *ex.ExecutionArn)
		}
	}
	var got []string
	var token *string
	for {
		out, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &ok, MaxResults: 2, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Executions {
			got = append(got, *e.ExecutionArn)
			if e.Status != types.ExecutionStatusSucceeded || e.StopDate == nil || *e.StateMachineArn != ok {
				t.Errorf("item %+v", e)
			}
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	want := []string{started[2], started[1], started[0]} // newest first
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("listed %v, want %v", got, want)
	}
	failed, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &bad, StatusFilter: types.ExecutionStatusFailed})
	if err != nil || len(failed.Executions) != 2 {
		t.Errorf("FAILED filter: %+v %v", failed, err)
	}
	none, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &bad, StatusFilter: types.ExecutionStatusSucceeded})
	if err != nil || len(none.Executions) != 0 {
		t.Errorf("SUCCEEDED filter on the failing machine: %+v %v", none, err)
	}
	_, err = c.ListExecutions(ctx, &sfn.ListExecutionsInput{})
	wantCode(t, err, "ValidationException")
	_, err = c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(ok + "x")})
	wantCode(t, err, "StateMachineDoesNotExist")
	tok, _ := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &ok, MaxResults: 1})
	_, err = c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &bad, MaxResults: 1, NextToken: tok.NextToken})
	wantCode(t, err, "InvalidToken")
}

func TestGetExecutionHistoryPaging(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	arn := createMachine(t, c, "hist", passDef)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"secret":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, c, *ex.ExecutionArn)
	for _, reverse := range []bool{false, true} {
		var ids []int64
		var token *string
		for {
			out, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn, MaxResults: 4, ReverseOrder: reverse, NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range out.Events {
				ids = append(ids, e.Id)
			}
			if token = out.NextToken; token == nil {
				break
			}
		}
		want := "[1 2 3 4 5 6]"
		if reverse {
			want = "[6 5 4 3 2 1]"
		}
		if fmt.Sprint(ids) != want {
			t.Errorf("reverse=%v: ids %v, want %s", reverse, ids, want)
		}
	}
	out, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn, IncludeExecutionData: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	st := out.Events[0].ExecutionStartedEventDetails
	if st.Input != nil || aws.ToString(st.RoleArn) != roleARN {
		t.Errorf("without execution data, ExecutionStarted has %+v", st)
	}
}

// No map runs exist yet (distributed Map states do not run as map runs).
func TestMapRunsAnswer(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	arn := createMachine(t, c, "m", passDef)
	ex := startExec(t, c, arn)
	runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 0 {
		t.Errorf("ListMapRuns: %+v %v", runs, err)
	}
	mr := "arn:aws:states:us-east-1:123456789012:mapRun:m/label:1b2c"
	_, err = c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: &mr})
	wantCode(t, err, "ResourceNotFound")
	_, err = c.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: &mr, MaxConcurrency: aws.Int32(1)})
	wantCode(t, err, "ResourceNotFound")
	_, err = c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: &arn})
	wantCode(t, err, "InvalidArn")
	_, err = c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: aws.String(*ex.ExecutionArn + "x")})
	wantCode(t, err, "ExecutionDoesNotExist")
}

// An execution keeps the definition it started with when the state
// machine is updated (AWS: UpdateStateMachine does not affect running
// executions).
func TestUpdateKeepsRunningDefinition(t *testing.T) {
	_, c := start(t, server.Config{PollTimeout: 5 * time.Second})
	ctx := ctxT(t)
	act := createActivity(t, c, "work")
	def := func(v string) string {
		return `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"` + *act.ActivityArn + `","Next":"Tag"},"Tag":{"Type":"Pass","Result":"` + v + `","End":true}}}`
	}
	arn := createMachine(t, c, "upd", def("v1"))
	ex := startExec(t, c, arn)
	task := pollTask(t, c, act.ActivityArn)
	if _, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(def("v2"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *ex.ExecutionArn); aws.ToString(d.Output) != `"v1"` {
		t.Errorf("output %s, want the definition it started with", aws.ToString(d.Output))
	}
	sm, err := c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || *sm.Definition != def("v1") {
		t.Errorf("definition for the execution: %v %v", aws.ToString(sm.Definition), err)
	}
	ex2, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	task, err = c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn})
	if err != nil || task.TaskToken == nil {
		t.Fatalf("poll: %+v %v", task, err)
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *ex2.ExecutionArn); aws.ToString(d.Output) != `"v2"` {
		t.Errorf("a new execution's output %s, want the updated definition's", aws.ToString(d.Output))
	}
}
