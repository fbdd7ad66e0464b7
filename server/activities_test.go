package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
)

func TestActivities(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	a, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("work")})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:states:us-east-1:123456789012:activity:work"; *a.ActivityArn != want {
		t.Errorf("arn %s, want %s", *a.ActivityArn, want)
	}
	// Idempotent by name (AWS API reference, CreateActivity).
	again, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("work")})
	if err != nil || *again.ActivityArn != *a.ActivityArn || !again.CreationDate.Equal(*a.CreationDate) {
		t.Errorf("second create: %+v %v", again, err)
	}
	d, err := c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: a.ActivityArn})
	if err != nil || *d.Name != "work" || !d.CreationDate.Equal(*a.CreationDate) {
		t.Errorf("describe: %+v %v", d, err)
	}
	for _, n := range []string{"b", "c"} {
		if _, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	l1, err := c.ListActivities(ctx, &sfn.ListActivitiesInput{MaxResults: 2})
	if err != nil || len(l1.Activities) != 2 || l1.NextToken == nil {
		t.Fatalf("list page 1: %+v %v", l1, err)
	}
	l2, err := c.ListActivities(ctx, &sfn.ListActivitiesInput{MaxResults: 2, NextToken: l1.NextToken})
	if err != nil || len(l2.Activities) != 1 || l2.NextToken != nil {
		t.Fatalf("list page 2: %+v %v", l2, err)
	}
	_, err = c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("a:b")})
	wantCode(t, err, "InvalidName")
	if _, err := c.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: a.ActivityArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: a.ActivityArn})
	if ae := wantCode(t, err, "ActivityDoesNotExist"); ae.ErrorMessage() != "Activity Does Not Exist: '"+*a.ActivityArn+"'" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: a.ActivityArn})
	wantCode(t, err, "ActivityDoesNotExist")
	_, err = c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:x")})
	wantCode(t, err, "InvalidArn")
}

const activityDef = `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:work","End":true}}}`

// GetActivityTask holds the request until a task comes, without blocking
// other requests; the task runs through SendTaskHeartbeat and
// SendTaskSuccess; answers on an ended token are TaskTimedOut, on a token
// never issued TaskDoesNotExist, on garbage InvalidToken (AWS API
// reference, SendTaskSuccess).
func TestActivityTaskRoundTrip(t *testing.T) {
	_, c := start(t, server.Config{PollTimeout: 10 * time.Second})
	ctx := ctxT(t)
	act := createActivity(t, c, "work")
	arn := createMachine(t, c, "worker", activityDef)

	polled := make(chan *sfn.GetActivityTaskOutput, 1)
	go func() {
		out, err := c.GetActivityTask(context.Background(), &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn, WorkerName: aws.String("w1")})
		if err != nil {
			t.Error(err)
		}
		polled <- out
	}()
	// The poll is held; other requests are answered meanwhile.
	time.Sleep(50 * time.Millisecond)
	for range 5 {
		if _, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-polled:
		t.Fatal("GetActivityTask answered before any task was scheduled")
	default:
	}
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"n":7}`)})
	if err != nil {
		t.Fatal(err)
	}
	var task *sfn.GetActivityTaskOutput
	select {
	case task = <-polled:
	case <-time.After(5 * time.Second):
		t.Fatal("the held poll got no task")
	}
	if task.TaskToken == nil || aws.ToString(task.Input) != `{"n":7}` {
		t.Fatalf("task %+v", task)
	}
	if _, err := c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: task.TaskToken}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`not json`)})
	wantCode(t, err, "InvalidOutput")
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{"done":true}`)}); err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, c, *ex.ExecutionArn)
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"done":true}` {
		t.Errorf("execution %s %s", d.Status, aws.ToString(d.Output))
	}
	_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{}`)})
	if ae := wantCode(t, err, "TaskTimedOut"); ae.ErrorMessage() != "Task Timed Out: 'Provided task does not exist anymore'" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: task.TaskToken})
	wantCode(t, err, "TaskTimedOut")
	forged := *task.TaskToken
	forged = forged[:len(forged)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(forged, "AA")]
	_, err = c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: &forged})
	wantCode(t, err, "TaskDoesNotExist")
	_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("garbage"), Output: aws.String(`{}`)})
	wantCode(t, err, "InvalidToken")

	// The history records the worker taking the task, as AWS does.
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var typesSeen []string
	for i, e := range h.Events {
		typesSeen = append(typesSeen, string(e.Type))
		if e.Id != int64(i+1) || e.PreviousEventId >= e.Id {
			t.Errorf("event %d: id %d previous %d", i, e.Id, e.PreviousEventId)
		}
		if e.Type == types.HistoryEventTypeActivityStarted && aws.ToString(e.ActivityStartedEventDetails.WorkerName) != "w1" {
			t.Errorf("ActivityStarted worker %v", aws.ToString(e.ActivityStartedEventDetails.WorkerName))
		}
		if e.Type == types.HistoryEventTypeActivityScheduled && aws.ToString(e.ActivityScheduledEventDetails.Resource) != *act.ActivityArn {
			t.Errorf("ActivityScheduled resource %v", aws.ToString(e.ActivityScheduledEventDetails.Resource))
		}
	}
	want := "ExecutionStarted TaskStateEntered ActivityScheduled ActivityStarted ActivitySucceeded TaskStateExited ExecutionSucceeded"
	if got := strings.Join(typesSeen, " "); got != want {
		t.Errorf("history\n got %s\nwant %s", got, want)
	}
}

func TestActivityTaskFailureAndEmptyPoll(t *testing.T) {
	_, c := start(t, server.Config{PollTimeout: 200 * time.Millisecond})
	ctx := ctxT(t)
	act := createActivity(t, c, "work")
	began := time.Now()
	empty, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn})
	if err != nil || empty.TaskToken != nil {
		t.Fatalf("empty poll: %+v %v", empty, err)
	}
	if held := time.Since(began); held < 150*time.Millisecond {
		t.Errorf("empty poll answered after %v, want it held for the poll timeout", held)
	}
	arn := createMachine(t, c, "worker", activityDef)
	ex := startExec(t, c, arn)
	// The task is queued before a worker polls.
	var task *sfn.GetActivityTaskOutput
	for task == nil || task.TaskToken == nil {
		if task, err = c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: task.TaskToken, Error: aws.String("Boom"), Cause: aws.String("it broke")}); err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, c, *ex.ExecutionArn)
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Boom" || aws.ToString(d.Cause) != "it broke" {
		t.Errorf("execution %s error %q cause %q, want FAILED Boom / it broke", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}

// A task that times out ends its token: a late answer is TaskTimedOut.
func TestActivityTaskTimeout(t *testing.T) {
	_, c := start(t, server.Config{PollTimeout: 5 * time.Second})
	ctx := ctxT(t)
	act := createActivity(t, c, "work")
	def := strings.Replace(activityDef, `"End":true`, `"TimeoutSeconds":1,"End":true`, 1)
	arn := createMachine(t, c, "slow", def)
	ex := startExec(t, c, arn)
	task := pollTask(t, c, act.ActivityArn)
	d := waitDone(t, c, *ex.ExecutionArn)
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "States.Timeout" {
		t.Errorf("execution %s %q", d.Status, aws.ToString(d.Error))
	}
	_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{}`)})
	wantCode(t, err, "TaskTimedOut")
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn, ReverseOrder: true})
	if err != nil {
		t.Fatal(err)
	}
	if h.Events[0].Type != types.HistoryEventTypeExecutionFailed || h.Events[1].Type != types.HistoryEventTypeActivityTimedOut {
		t.Errorf("last events %s, %s", h.Events[0].Type, h.Events[1].Type)
	}
}

// SendTaskHeartbeat keeps a task with HeartbeatSeconds alive; without
// heartbeats it times out with States.HeartbeatTimeout.
func TestActivityHeartbeat(t *testing.T) {
	_, c := start(t, server.Config{PollTimeout: 5 * time.Second})
	ctx := ctxT(t)
	act := createActivity(t, c, "work")
	def := strings.Replace(activityDef, `"End":true`, `"HeartbeatSeconds":2,"End":true`, 1)
	arn := createMachine(t, c, "beating", def)
	run := func(beat bool) *sfn.DescribeExecutionOutput {
		ex := startExec(t, c, arn)
		task := pollTask(t, c, act.ActivityArn)
		if beat {
			for range 12 { // 3 s in all, more than HeartbeatSeconds
				time.Sleep(250 * time.Millisecond)
				if _, err := c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: task.TaskToken}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`"alive"`)}); err != nil {
				t.Fatal(err)
			}
		}
		return waitDone(t, c, *ex.ExecutionArn)
	}
	if d := run(true); d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `"alive"` {
		t.Errorf("with heartbeats: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Output))
	}
	if d := run(false); d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "States.HeartbeatTimeout" {
		t.Errorf("without heartbeats: %s %s", d.Status, aws.ToString(d.Error))
	}
}

// In a Parallel state, each ActivityStarted follows its own
// ActivityScheduled and names the worker that took that task.
func TestParallelActivities(t *testing.T) {
	_, c := start(t, server.Config{PollTimeout: 5 * time.Second})
	ctx := ctxT(t)
	act := createActivity(t, c, "work")
	branch := func(v string) string {
		return `{"StartAt":"W` + v + `","States":{"W` + v + `":{"Type":"Task","Resource":"` + *act.ActivityArn + `","Parameters":{"v":"` + v + `"},"End":true}}}`
	}
	arn := createMachine(t, c, "par", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[`+branch("a")+`,`+branch("b")+`],"End":true}}}`)
	ex := startExec(t, c, arn)
	for range 2 {
		task, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn, WorkerName: aws.String("w")})
		if err != nil || task.TaskToken == nil {
			t.Fatalf("poll: %+v %v", task, err)
		}
		// The worker answers with its input, so that each answer names its task.
		if _, err := c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: task.TaskToken}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: task.Input}); err != nil {
			t.Fatal(err)
		}
	}
	if d := waitDone(t, c, *ex.ExecutionArn); d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `[{"v":"a"},{"v":"b"}]` {
		t.Fatalf("%s %s", d.Status, aws.ToString(d.Output))
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]types.HistoryEvent{}
	started := 0
	for _, e := range h.Events {
		byID[e.Id] = e
		if e.Type != types.HistoryEventTypeActivityStarted {
			continue
		}
		started++
		if sched := byID[e.PreviousEventId]; sched.Type != types.HistoryEventTypeActivityScheduled {
			t.Errorf("ActivityStarted %d follows %s %d", e.Id, sched.Type, e.PreviousEventId)
		}
	}
	if started != 2 {
		t.Errorf("%d ActivityStarted events, want 2", started)
	}
	// Each ActivitySucceeded follows the ActivityStarted of its own task.
	for _, e := range h.Events {
		if e.Type != types.HistoryEventTypeActivitySucceeded {
			continue
		}
		st := byID[e.PreviousEventId]
		sched := byID[st.PreviousEventId]
		if st.Type != types.HistoryEventTypeActivityStarted || sched.ActivityScheduledEventDetails == nil ||
			aws.ToString(sched.ActivityScheduledEventDetails.Input) != aws.ToString(e.ActivitySucceededEventDetails.Output) {
			t.Errorf("ActivitySucceeded %d (%s) follows %s %d after %+v", e.Id, aws.ToString(e.ActivitySucceededEventDetails.Output), st.Type, st.Id, sched.ActivityScheduledEventDetails)
		}
	}
}

// At most MaxPollers (AWS: 1,000) GetActivityTask requests wait on one
// activity; more get ActivityWorkerLimitExceeded.
func TestActivityPollerLimit(t *testing.T) {
	s, c := start(t, server.Config{PollTimeout: 20 * time.Second, MaxPollers: 20})
	ctx := ctxT(t)
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("busy")})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"activityArn":"` + *act.ActivityArn + `"}`
	pollCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	refused := make(chan string, 30)
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(pollCtx, "POST", s.URL(), strings.NewReader(body))
			req.Header.Set("X-Amz-Target", "AWSStepFunctions.GetActivityTask")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				if resp.StatusCode == 400 {
					refused <- resp.Header.Get("X-Amzn-ErrorType")
				}
				resp.Body.Close()
			}
		}()
	}
	defer func() { cancel(); wg.Wait() }()
	// 20 wait; the other 10 are refused at once.
	for i := range 10 {
		select {
		case code := <-refused:
			if code != "ActivityWorkerLimitExceeded" {
				t.Fatalf("refusal %d: %s", i, code)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("%d of 30 pollers refused, want 10", i)
		}
	}
	_, err = c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn})
	wantCode(t, err, "ActivityWorkerLimitExceeded")
	select {
	case <-refused:
		t.Errorf("more than 10 pollers refused")
	default:
	}
}

// Task tokens (activities and .waitForTaskToken) are random, differ
// between two servers running the same execution (a restart, another
// machine), carry the execution they belong to, and are told apart when
// answered: a token another server issued is TaskDoesNotExist here, a
// changed one too, and text of another form InvalidToken.
func TestTaskTokensUniqueAndRouted(t *testing.T) {
	def := `{"StartAt":"Cb","States":{"Cb":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"Next":"Act"},
		"Act":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:work","End":true}}}`
	type issued struct{ callback, activity, execution string }
	run := func() (issued, *sfn.Client) {
		tokens := make(chan string, 1)
		cb := interpreter.TaskFunc(func(_ context.Context, req *interpreter.TaskRequest) ([]byte, error) {
			if req.TaskToken == "" { // the activity: for a worker
				return nil, &interpreter.UnresolvedTaskError{State: req.StateName, Resource: req.Resource}
			}
			tokens <- req.TaskToken
			return nil, nil // no result: wait for the callback
		})
		_, c := start(t, server.Config{Tasks: cb})
		act := createActivity(t, c, "work")
		arn := createMachine(t, c, "tokens", def)
		ex, err := c.StartExecution(ctxT(t), &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("same")})
		if err != nil {
			t.Fatal(err)
		}
		var got issued
		got.execution = *ex.ExecutionArn
		got.callback = <-tokens
		if _, err := c.SendTaskSuccess(ctxT(t), &sfn.SendTaskSuccessInput{TaskToken: &got.callback, Output: aws.String(`{}`)}); err != nil {
			t.Fatal(err)
		}
		task := pollTask(t, c, act.ActivityArn)
		got.activity = *task.TaskToken
		return got, c
	}
	a, ca := run()
	b, cb := run()
	if a.execution != b.execution {
		t.Fatalf("executions %s and %s", a.execution, b.execution)
	}
	seen := map[string]bool{}
	for _, tok := range []string{a.callback, a.activity, b.callback, b.activity} {
		if seen[tok] {
			t.Errorf("token %s issued twice", tok)
		}
		seen[tok] = true
		if len(tok) > 2048 { // the API's TaskToken length limit
			t.Errorf("token of %d characters", len(tok))
		}
		if ex, ok := server.TokenExecution(tok); !ok || ex != a.execution {
			t.Errorf("token %s routes to %q, %v; want %s", tok, ex, ok, a.execution)
		}
	}
	// Server b does not know server a's tokens, nor changed ones.
	_, err := cb.SendTaskSuccess(ctxT(t), &sfn.SendTaskSuccessInput{TaskToken: &a.activity, Output: aws.String(`{}`)})
	wantCode(t, err, "TaskDoesNotExist")
	changed := b.activity[:8] + string(b.activity[8]^1) + b.activity[9:]
	_, err = cb.SendTaskSuccess(ctxT(t), &sfn.SendTaskSuccessInput{TaskToken: &changed, Output: aws.String(`{}`)})
	if !strings.Contains(fmt.Sprint(err), "TaskDoesNotExist") && !strings.Contains(fmt.Sprint(err), "InvalidToken") {
		t.Errorf("changed token: %v", err)
	}
	_, err = cb.SendTaskSuccess(ctxT(t), &sfn.SendTaskSuccessInput{TaskToken: aws.String(a.execution + "-1"), Output: aws.String(`{}`)})
	wantCode(t, err, "InvalidToken")
	// Each server still answers its own.
	for _, x := range []struct {
		c   *sfn.Client
		tok string
	}{{ca, a.activity}, {cb, b.activity}} {
		if _, err := x.c.SendTaskSuccess(ctxT(t), &sfn.SendTaskSuccessInput{TaskToken: &x.tok, Output: aws.String(`{}`)}); err != nil {
			t.Error(err)
		}
	}
}
