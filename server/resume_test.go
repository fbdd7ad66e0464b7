package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/memstore"
	"github.com/hsc-dev/hsc/store/sqlstore"
)

// crashStore stands for a process that dies: once crashed, no write
// reaches the store (what was committed stays), as after kill -9.
type crashStore struct {
	store.Store
	dead atomic.Bool
}

var errCrashed = errors.New("the process crashed")

func (c *crashStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if c.dead.Load() {
		return errCrashed
	}
	return c.Store.Update(ctx, fn)
}

func (c *crashStore) Close() error { return nil }

// resumeDef has an activity task, a Wait, a Parallel with Lambda tasks
// and a Map whose iterations call a Lambda function.
func resumeDef(activity string) string {
	return `{"StartAt":"Act","States":{
 "Act":{"Type":"Task","Resource":"` + activity + `","ResultPath":"$.act","Next":"W"},
 "W":{"Type":"Wait","Seconds":1,"Next":"Par"},
 "Par":{"Type":"Parallel","ResultPath":"$.par","Next":"M","Branches":[
   {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:a","End":true}}},
   {"StartAt":"B","States":{"B":{"Type":"Pass","Result":"b","End":true}}}]},
 "M":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.m","End":true,
      "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:i","End":true}}}}}}`
}

// lambdas answers the Lambda tasks from their input; gate, when set,
// holds them until it is closed (work in flight at the crash).
func lambdas(gate <-chan struct{}, calls *atomic.Int64) interpreter.TaskResolver {
	return interpreter.TaskFunc(func(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		if req.ActivityName() != "" {
			return nil, &interpreter.UnresolvedTaskError{State: req.StateName, Resource: req.Resource}
		}
		calls.Add(1)
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return []byte(fmt.Sprintf(`{"fn":%q,"in":%s}`, req.StateName, req.Input)), nil
	})
}

// eventShapes lists a history's events without ids and times, sorted:
// what must match between a crash-free run and a resumed one.
func eventShapes(t *testing.T, c *sfn.Client, arn string) ([]string, []int64) {
	t.Helper()
	var shapes []string
	var ids []int64
	var next *string
	for {
		out, err := c.GetExecutionHistory(ctxT(t), &sfn.GetExecutionHistoryInput{ExecutionArn: &arn, NextToken: next, MaxResults: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Events {
			ids = append(ids, e.Id)
			e.Id, e.PreviousEventId, e.Timestamp = 0, 0, nil
			if e.ActivityStartedEventDetails != nil {
				e.ActivityStartedEventDetails.WorkerName = nil
			}
			b, _ := json.Marshal(e)
			shapes = append(shapes, string(b))
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	sort.Strings(shapes)
	return shapes, ids
}

// After a crash, a new server on the same store resumes every RUNNING
// execution from its last stored event (issue 12): the activity task a
// worker took keeps its token and the worker's answer lands, the one not
// taken is queued again, Lambda work in flight runs again, and each
// history ends as a crash-free run's does, with ids 1..n and no event
// twice.
func TestResumeAfterCrash(t *testing.T) {
	for _, kind := range []string{"memstore", "sqlstore"} {
		t.Run(kind, func(t *testing.T) { testResumeAfterCrash(t, openStore(t, kind)) })
	}
}

func testResumeAfterCrash(t *testing.T, mem store.Store) {
	crash := &crashStore{Store: mem}
	gate := make(chan struct{})
	var callsA atomic.Int64
	a, ca := start(t, server.Config{Store: crash, Tasks: lambdas(gate, &callsA)})
	ctx := ctxT(t)
	act := createActivity(t, ca, "work")
	smARN := createMachine(t, ca, "resume", resumeDef(*act.ActivityArn))
	input := `{"items":[1,2,3]}`
	var arns []string
	for i := range 3 {
		out, err := ca.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &smARN, Name: aws.String(fmt.Sprint("e", i)), Input: &input})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, *out.ExecutionArn)
	}
	// e0's activity task goes to a worker before the crash; e1 gets past
	// the activity and waits on the Lambda gate; e2's task stays queued.
	if d := waitDoneOrRunning(t, ca, arns[0]); d != "RUNNING" {
		t.Fatalf("e0 %s", d)
	}
	took := pollTask(t, ca, act.ActivityArn)
	taken := map[string]bool{}
	second := pollTask(t, ca, act.ActivityArn)
	if _, err := ca.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: second.TaskToken, Output: aws.String(`"x"`)}); err != nil {
		t.Fatal(err)
	}
	taken[*took.TaskToken] = true
	deadline := time.Now().Add(10 * time.Second)
	for callsA.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if callsA.Load() == 0 {
		t.Fatal("no Lambda task started before the crash")
	}
	crash.dead.Store(true)
	a.Close()
	close(gate)

	var callsB atomic.Int64
	_, cb := start(t, server.Config{Store: mem, Tasks: lambdas(nil, &callsB)})
	// The worker that took a task before the crash answers the new server.
	if _, err := cb.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: took.TaskToken, Output: aws.String(`"x"`)}); err != nil {
		t.Fatalf("answer of a task taken before the crash: %v", err)
	}
	// The task no worker took is queued again.
	again := pollTask(t, cb, act.ActivityArn)
	if taken[*again.TaskToken] {
		t.Fatal("the task a worker had taken was queued again")
	}
	if _, err := cb.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: again.TaskToken, Output: aws.String(`"x"`)}); err != nil {
		t.Fatal(err)
	}

	// A crash-free run of the same executions, for comparison.
	var callsC atomic.Int64
	_, cc := start(t, server.Config{Tasks: lambdas(nil, &callsC)})
	act2 := createActivity(t, cc, "work")
	sm2 := createMachine(t, cc, "resume", resumeDef(*act2.ActivityArn))
	go func() {
		for range 3 {
			task, err := cc.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act2.ActivityArn})
			if err != nil || task.TaskToken == nil {
				return
			}
			cc.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`"x"`)})
		}
	}()
	for i, arn := range arns {
		got := waitDone(t, cb, arn)
		out, err := cc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &sm2, Name: aws.String(fmt.Sprint("e", i)), Input: &input})
		if err != nil {
			t.Fatal(err)
		}
		want := waitDone(t, cc, *out.ExecutionArn)
		if got.Status != "SUCCEEDED" || got.Status != want.Status {
			t.Fatalf("%s: %s (%s %s), want %s", arn, got.Status, aws.ToString(got.Error), aws.ToString(got.Cause), want.Status)
		}
		if *got.Output != *want.Output {
			t.Errorf("%s output %s, want %s", arn, *got.Output, *want.Output)
		}
		gs, ids := eventShapes(t, cb, arn)
		ws, _ := eventShapes(t, cc, *out.ExecutionArn)
		for k, id := range ids {
			if id != int64(k+1) {
				t.Fatalf("%s: event ids %v, want 1..%d", arn, ids, len(ids))
			}
		}
		// Lambda work in flight at the crash runs again: its Scheduled
		// and Started events are the only ones that may appear twice.
		if d := cmpShapes(ws, gs); d != "" {
			t.Errorf("%s: history differs from a crash-free run:\n%s", arn, d)
		}
		if strings.Contains(strings.Join(gs, ""), "hscKey") {
			t.Errorf("the hidden event key is served")
		}
	}
}

// cmpShapes compares sorted event lists; events only in got are allowed
// when they are a re-dispatched task's Scheduled/Started events.
func cmpShapes(want, got []string) string {
	var d []string
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j >= len(got) || (i < len(want) && want[i] < got[j]):
			d = append(d, "missing: "+want[i])
			i++
		case i >= len(want) || got[j] < want[i]:
			if !strings.Contains(got[j], `Scheduled"`) && !strings.Contains(got[j], `Started"`) {
				d = append(d, "extra: "+got[j])
			}
			j++
		default:
			i++
			j++
		}
	}
	return strings.Join(d, "\n")
}

func waitDoneOrRunning(t *testing.T, c *sfn.Client, arn string) string {
	time.Sleep(200 * time.Millisecond)
	out, err := c.DescribeExecution(ctxT(t), &sfn.DescribeExecutionInput{ExecutionArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	return string(out.Status) + aws.ToString(out.Error) + aws.ToString(out.Cause)
}

// A .waitForTaskToken task keeps its token across a crash: the caller's
// SendTaskSuccess with the token handed out before the crash lands on the
// new server (the command that handed it out runs again: at least once).
// An acknowledged asynchronous Express execution runs again from the
// beginning on the new server (AWS: at least once).
func TestResumeCallbackAndExpress(t *testing.T) {
	mem := memstore.New(memstore.Options{})
	crash := &crashStore{Store: mem}
	tokens := make(chan string, 4)
	var expressCalls atomic.Int64
	resolver := interpreter.TaskFunc(func(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		if req.StateName == "Ex" {
			expressCalls.Add(1)
			<-ctx.Done() // in flight until the server goes
			return nil, ctx.Err()
		}
		tokens <- req.TaskToken
		return nil, nil // no result: wait for the callback
	})
	a, ca := start(t, server.Config{Store: crash, Tasks: resolver})
	ctx := ctxT(t)
	sm := createMachine(t, ca, "cb", `{"StartAt":"CB","States":{"CB":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},"End":true}}}`)
	exm, err := ca.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("ex"), Type: "EXPRESS", RoleArn: aws.String(roleARN),
		Definition: aws.String(`{"StartAt":"Ex","States":{"Ex":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:ex","End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	out := startExec(t, ca, sm)
	token := <-tokens
	if _, err := ca.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: exm.StateMachineArn}); err != nil {
		t.Fatal(err)
	}
	for expressCalls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	crash.dead.Store(true)
	a.Close()

	_, cb := start(t, server.Config{Store: mem, Tasks: resolver})
	if again := <-tokens; again != token {
		t.Fatalf("token after the restart %q, want %q", again, token)
	}
	if _, err := cb.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &token, Output: aws.String(`{"ok":1}`)}); err != nil {
		t.Fatalf("SendTaskSuccess with the token from before the crash: %v", err)
	}
	if d := waitDone(t, cb, *out.ExecutionArn); d.Status != "SUCCEEDED" || aws.ToString(d.Output) != `{"ok":1}` {
		t.Fatalf("%s %s", d.Status, aws.ToString(d.Output))
	}
	deadline := time.Now().Add(10 * time.Second)
	for expressCalls.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if expressCalls.Load() != 2 {
		t.Fatalf("the Express execution's task ran %d times, want 2 (again after the restart)", expressCalls.Load())
	}
}

// When the store refuses an event (disk full, say), the run stops storing
// and is resumed from the store once it takes writes again: the history
// stays without gaps or duplicates and the execution ends as it should.
func TestResumeAfterStoreFailure(t *testing.T) {
	for _, kind := range []string{"memstore", "sqlstore"} {
		t.Run(kind, func(t *testing.T) {
			st := openStore(t, kind)
			failing := &crashStore{Store: st}
			gate := make(chan struct{})
			var calls atomic.Int64
			_, c := start(t, server.Config{Store: failing, Tasks: lambdas(gate, &calls)})
			sm := createMachine(t, c, "sf", `{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"T"},
				"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:t","Next":"Q"},"Q":{"Type":"Pass","End":true}}}`)
			out := startExec(t, c, sm)
			for calls.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			failing.dead.Store(true)
			close(gate) // the task's outcome cannot be stored
			time.Sleep(300 * time.Millisecond)
			failing.dead.Store(false)
			d := waitDone(t, c, *out.ExecutionArn)
			if d.Status != "SUCCEEDED" || calls.Load() != 2 {
				t.Fatalf("%s after %d task calls, want SUCCEEDED after 2", d.Status, calls.Load())
			}
			shapes, ids := eventShapes(t, c, *out.ExecutionArn)
			for k, id := range ids {
				if id != int64(k+1) {
					t.Fatalf("ids %v", ids)
				}
			}
			seen := map[string]bool{}
			for _, s := range shapes {
				if seen[s] {
					t.Fatalf("event twice: %s", s)
				}
				seen[s] = true
			}
			if len(ids) != 11 { // Started, P×2, T×5, Q×2, Succeeded
				t.Fatalf("%d events:\n%s", len(ids), strings.Join(shapes, "\n"))
			}
		})
	}
}

// openStore opens a store of the kind for a test.
func openStore(t *testing.T, kind string) store.Store {
	t.Helper()
	if kind == "memstore" {
		return memstore.New(memstore.Options{})
	}
	return openStoreB(t)
}

// openStoreB opens a durable store in a temporary directory.
func openStoreB(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), t.TempDir(), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// An execution that ended is answered from memory for a while (over a
// durable store); Server.PurgeFinished deletes it from the store and from
// that memory, so DescribeExecution answers ExecutionDoesNotExist at once.
func TestPurgeFinishedForgetsEnded(t *testing.T) {
	s, c := start(t, server.Config{Store: openStoreB(t)})
	ctx := ctxT(t)
	machine := createMachine(t, c, "purged", passDef)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &machine})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *ex.ExecutionArn); d.Status != "SUCCEEDED" {
		t.Fatalf("status %s", d.Status)
	}
	n, err := s.PurgeFinished(ctx, time.Now().Add(time.Hour), 10)
	if err != nil || n != 1 {
		t.Fatalf("PurgeFinished: %d, %v; want 1", n, err)
	}
	_, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
	wantCode(t, err, "ExecutionDoesNotExist")
}
