package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
)

// TestMapRunChildTaskKeepsToken follows issue 12 ("an activity task
// already handed to a worker … keeps its token and the worker's answer
// still lands; an activity task not yet handed out is still queued") for
// the activity tasks of a distributed Map's STANDARD children, whose
// run goes on after a restart as the same run: a worker takes two of
// three scheduled tasks, the server crashes (its store is closed under
// it, as by kill -9), and after the restart the worker's answers with
// the old tokens land, the third task is handed out (once), and the
// fourth item, whose child had not started, runs too.
func TestMapRunChildTaskKeepsToken(t *testing.T) {
	dir := t.TempDir()
	ctx := ctxT(t)
	c, crash := openToCrash(t, dir, server.Config{})
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("times10")})
	if err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":3,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
		"StartAt":"A","States":{"A":{"Type":"Task","Resource":"` + *act.ActivityArn + `","End":true}}},"End":true}}}`
	arn := createMachine(t, c, "acts", def)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"items":[1,2,3,4]}`)})
	if err != nil {
		t.Fatal(err)
	}
	// The worker takes two tasks and does not answer yet.
	tokens := map[string]string{} // by input
	for len(tokens) < 2 {
		tk, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn, WorkerName: aws.String("w")})
		if err != nil {
			t.Fatal(err)
		}
		if tk.TaskToken != nil {
			tokens[*tk.Input] = *tk.TaskToken
		}
	}
	// Three children run (MaxConcurrency), each with its task scheduled:
	// wait until their histories, with the tasks' starts, are stored.
	run := waitChildEvents(t, c, *ex.ExecutionArn, "ActivityStarted", 3)
	crash()

	c, _, _ = openDurable(t, dir, server.Config{PollTimeout: 500 * time.Millisecond})
	for in, tok := range tokens {
		n, _ := strconv.Atoi(in)
		if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(strconv.Itoa(n * 10))}); err != nil {
			t.Fatalf("SendTaskSuccess for item %s with the token taken before the restart: %v", in, err)
		}
	}
	// The third task (scheduled, never handed out) and the fourth (its
	// child had not started) are handed out after the restart, once each;
	// the two taken before it are not.
	var after []string
	for deadline := time.Now().Add(10 * time.Second); len(after) < 3 && time.Now().Before(deadline); {
		tk, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn, WorkerName: aws.String("w")})
		if err != nil {
			t.Fatal(err)
		}
		if tk.TaskToken == nil {
			if len(after) == 2 {
				break
			}
			continue
		}
		after = append(after, *tk.Input)
		n, _ := strconv.Atoi(*tk.Input)
		if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: tk.TaskToken, Output: aws.String(strconv.Itoa(n * 10))}); err != nil {
			t.Fatalf("SendTaskSuccess for item %s: %v", *tk.Input, err)
		}
	}
	var want []string // the items not taken before the restart
	for _, in := range []string{"1", "2", "3", "4"} {
		if _, ok := tokens[in]; !ok {
			want = append(want, in)
		}
	}
	slices.Sort(after)
	if !slices.Equal(after, want) {
		t.Errorf("tasks handed out after the restart: %q, want items %q once each", after, want)
	}
	var d *sfn.DescribeExecutionOutput
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		d, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != "RUNNING" || time.Now().After(deadline) {
			break
		}
	}
	if d.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s %s, want SUCCEEDED", *ex.ExecutionArn, d.Status, aws.ToString(d.Cause))
	}
	var out []int
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil || !slices.Equal(out, []int{10, 20, 30, 40}) {
		t.Errorf("output %s (%v), want [10,20,30,40]", aws.ToString(d.Output), err)
	}
	l, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || len(l.MapRuns) != 1 || *l.MapRuns[0].MapRunArn != *run {
		t.Fatalf("map runs after the restart: %+v %v, want the one run %s", l, err, *run)
	}
	mr, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: run})
	if err != nil || mr.Status != "SUCCEEDED" || mr.ExecutionCounts.Succeeded != 4 || mr.ExecutionCounts.Total != 4 {
		t.Errorf("DescribeMapRun: %+v %v, want SUCCEEDED with 4 children succeeded", mr, err)
	}
}

// TestMapRunChildCallbackKeepsToken follows issue 12 (".waitForTaskToken
// task waiting for its callback keeps its token and the caller's answer
// still lands") for the callback tasks of a distributed Map's STANDARD
// children: each child's token is its own, the resumed children wait for
// the tokens handed out before the crash (the task command that handed
// them out runs again: at least once), and the answers with them land.
func TestMapRunChildCallbackKeepsToken(t *testing.T) {
	dir := t.TempDir()
	ctx := ctxT(t)
	type handed struct{ item, token string }
	tokens := make(chan handed, 8)
	resolver := interpreter.TaskFunc(func(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		var in struct {
			Payload struct{ Item json.RawMessage }
		}
		if err := json.Unmarshal(req.Input, &in); err != nil {
			return nil, err
		}
		tokens <- handed{string(in.Payload.Item), req.TaskToken}
		return nil, nil // no result: wait for the callback
	})
	c, crash := openToCrash(t, dir, server.Config{Tasks: resolver})
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
		"StartAt":"CB","States":{"CB":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"f","Payload":{"Item.$":"$","token.$":"$$.Task.Token"}},"End":true}}},"End":true}}}`
	arn := createMachine(t, c, "cbs", def)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"items":[1,2]}`)})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for len(before) < 2 {
		h := <-tokens
		before[h.item] = h.token
	}
	if before["1"] == before["2"] {
		t.Fatalf("the two children's callback tasks have the same token %q", before["1"])
	}
	// Wait until both children's task starts are stored.
	waitChildEvents(t, c, *ex.ExecutionArn, "TaskStarted", 2)
	crash()

	c, _, _ = openDurable(t, dir, server.Config{Tasks: resolver})
	for range 2 {
		h := <-tokens // the resumed children hand out their tokens again
		if h.token != before[h.item] {
			t.Errorf("item %s: token after the restart %q, want %q", h.item, h.token, before[h.item])
		}
	}
	for item, tok := range before {
		if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(item + "0")}); err != nil {
			t.Fatalf("SendTaskSuccess for item %s with the token from before the crash: %v", item, err)
		}
	}
	d := waitDone(t, c, *ex.ExecutionArn)
	if d.Status != "SUCCEEDED" || aws.ToString(d.Output) != `[10,20]` {
		t.Fatalf("%s %s %s, want SUCCEEDED [10,20]", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
}

// waitChildEvents waits until the children of the execution's map run
// have n events of type typ stored, and returns the run's ARN.
func waitChildEvents(t *testing.T, c *sfn.Client, execution, typ string, n int) *string {
	t.Helper()
	ctx := t.Context()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the children's %d %s events did not reach the store", n, typ)
		}
		l, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: &execution})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.MapRuns) == 0 {
			continue
		}
		run := l.MapRuns[0].MapRunArn
		k, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: run})
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, e := range k.Executions {
			h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: e.ExecutionArn})
			var nf *types.ExecutionDoesNotExist
			if errors.As(err, &nf) {
				continue // listed, not yet stored
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range h.Events {
				if string(ev.Type) == typ {
					seen++
				}
			}
		}
		if seen == n {
			return run
		}
	}
}
