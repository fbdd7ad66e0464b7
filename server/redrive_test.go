package server_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
)

// redriveDef runs a Task, then a Parallel whose second branch calls a
// function, then a Map (one iteration at a time) calling a function per
// item.
const redriveDef = `{"StartAt":"First","States":{
 "First":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:first","ResultPath":"$.first","Next":"Par"},
 "Par":{"Type":"Parallel","ResultPath":"$.par","Next":"M","Branches":[
   {"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","End":true}}},
   {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:b","End":true}}}]},
 "M":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.m","MaxConcurrency":1,"End":true,
      "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:i","End":true}}}}}}`

// flaky answers the functions, failing those broken says, and counts calls.
type flaky struct {
	mu     sync.Mutex
	calls  map[string]int
	broken func(state, input string) bool
}

func (f *flaky) ResolveTask(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
	f.mu.Lock()
	f.calls[req.StateName+string(req.Input)]++
	broken := f.broken(req.StateName, string(req.Input))
	f.mu.Unlock()
	if broken {
		return nil, &interpreter.ExecutionError{Name: "Broken", Cause: req.StateName}
	}
	return []byte(fmt.Sprintf(`{"ok":%q}`, req.StateName)), nil
}

func (f *flaky) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[key]
}

// RedriveExecution (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
// and the API reference): only an unsuccessful Standard execution is
// redriven; it keeps its ARN and input, appends ExecutionRedriven to its
// history, runs again only the failed state (in a Parallel the failed
// branch, in a Map the failed iteration and those not run), and
// DescribeExecution/ListExecutions report redriveCount and redriveDate.
func TestRedriveExecution(t *testing.T) {
	for _, kind := range []string{"memstore", "sqlstore"} {
		t.Run(kind, func(t *testing.T) { testRedriveExecution(t, kind) })
	}
}

func testRedriveExecution(t *testing.T, kind string) {
	var phase atomic.Int32 // 0: B fails; 1: item 2 fails; 2: nothing fails
	f := &flaky{calls: map[string]int{}, broken: func(state, input string) bool {
		switch phase.Load() {
		case 0:
			return state == "B"
		case 1:
			return state == "I" && input == "2"
		}
		return false
	}}
	_, c := start(t, server.Config{Tasks: f, Store: openStore(t, kind)})
	ctx := ctxT(t)
	sm := createMachine(t, c, "redrive", redriveDef)
	out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &sm, Name: aws.String("r"), Input: aws.String(`{"items":[1,2,3]}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.ExecutionArn
	d := waitDone(t, c, *arn)
	if d.Status != types.ExecutionStatusFailed || d.RedriveStatus != types.ExecutionRedriveStatusRedrivable || d.RedriveCount == nil || *d.RedriveCount != 0 {
		t.Fatalf("before redrive: %s %v %v", d.Status, d.RedriveStatus, d.RedriveCount)
	}
	redrive := func(n int32) *sfn.DescribeExecutionOutput {
		phase.Store(n)
		r, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: arn})
		if err != nil {
			t.Fatalf("redrive %d: %v", n, err)
		}
		d := waitDone(t, c, *arn)
		if d.RedriveCount == nil || *d.RedriveCount != n || d.RedriveDate == nil || !d.RedriveDate.Equal(*r.RedriveDate) {
			t.Fatalf("redrive %d: count %v date %v (answered %v)", n, d.RedriveCount, d.RedriveDate, r.RedriveDate)
		}
		return d
	}
	d = redrive(1)
	if d.Status != types.ExecutionStatusFailed || f.count(`First{"items":[1,2,3]}`) != 1 || f.count("B{\"items\":[1,2,3],\"first\":{\"ok\":\"First\"}}") != 2 {
		t.Fatalf("redrive 1: %s, calls %v", d.Status, f.calls)
	}
	d = redrive(2)
	if d.Status != types.ExecutionStatusSucceeded || *d.ExecutionArn != *arn {
		t.Fatalf("redrive 2: %s", d.Status)
	}
	// Item 1 ran once (it succeeded in redrive 1), item 2 three times,
	// item 3 once (never reached before); First and B no more.
	if f.count("I1") != 1 || f.count("I2") != 2 || f.count("I3") != 1 || f.count(`First{"items":[1,2,3]}`) != 1 {
		t.Fatalf("calls %v", f.calls)
	}
	want := `{"items":[1,2,3],"first":{"ok":"First"},"par":["a",{"ok":"B"}],"m":[{"ok":"I"},{"ok":"I"},{"ok":"I"}]}`
	if *d.Output != want {
		t.Fatalf("output %s, want %s", *d.Output, want)
	}
	// The history grows: one ExecutionStarted, two ExecutionRedriven with
	// their counts, ids without gaps.
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: arn, MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var started, redriven []int64
	for i, e := range h.Events {
		if e.Id != int64(i+1) {
			t.Fatalf("event %d has id %d", i+1, e.Id)
		}
		switch e.Type {
		case types.HistoryEventTypeExecutionStarted:
			started = append(started, e.Id)
		case types.HistoryEventTypeExecutionRedriven:
			redriven = append(redriven, int64(aws.ToInt32(e.ExecutionRedrivenEventDetails.RedriveCount)))
		}
	}
	if len(started) != 1 || fmt.Sprint(redriven) != "[1 2]" || h.Events[len(h.Events)-1].Type != types.HistoryEventTypeExecutionSucceeded {
		t.Fatalf("started %v, redriven %v, last %s", started, redriven, h.Events[len(h.Events)-1].Type)
	}
	// A SUCCEEDED execution cannot be redriven.
	_, err = c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: arn})
	if ae := wantCode(t, err, "ExecutionNotRedrivable"); ae.ErrorMessage() != "Execution is SUCCEEDED and cannot be redriven" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	if d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable || aws.ToString(d.RedriveStatusReason) != "Execution is SUCCEEDED and cannot be redriven" {
		t.Errorf("status %s %q", d.RedriveStatus, aws.ToString(d.RedriveStatusReason))
	}
	// redriveFilter.
	plain := startExec(t, c, sm)
	waitDone(t, c, *plain.ExecutionArn)
	for filter, want := range map[types.ExecutionRedriveFilter]string{types.ExecutionRedriveFilterRedriven: *arn, types.ExecutionRedriveFilterNotRedriven: *plain.ExecutionArn} {
		l, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &sm, RedriveFilter: filter})
		if err != nil || len(l.Executions) != 1 || *l.Executions[0].ExecutionArn != want {
			t.Fatalf("%s: %+v %v", filter, l, err)
		}
		if filter == types.ExecutionRedriveFilterRedriven && (aws.ToInt32(l.Executions[0].RedriveCount) != 2 || l.Executions[0].RedriveDate == nil) {
			t.Errorf("list item %+v", l.Executions[0])
		}
	}
	// Errors.
	_, err = c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(*arn + "x")})
	wantCode(t, err, "ExecutionDoesNotExist")
	_, err = c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String("nope")})
	wantCode(t, err, "InvalidArn")
}

// A RUNNING execution cannot be redriven; an ABORTED one can, and runs
// again the state it was stopped in.
func TestRedriveAborted(t *testing.T) {
	gate := make(chan struct{})
	var calls atomic.Int64
	_, c := start(t, server.Config{Tasks: lambdas(gate, &calls)})
	ctx := ctxT(t)
	sm := createMachine(t, c, "stopme", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:t","End":true}}}`)
	out := startExec(t, c, sm)
	_, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: out.ExecutionArn})
	if ae := wantCode(t, err, "ExecutionNotRedrivable"); ae.ErrorMessage() != "Execution is RUNNING and cannot be redriven" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: out.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	close(gate)
	if _, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: out.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *out.ExecutionArn); d.Status != types.ExecutionStatusSucceeded || calls.Load() != 2 {
		t.Fatalf("%s after %d calls", d.Status, calls.Load())
	}
}

// RedriveExecution is idempotent by clientToken while the redrive runs
// (API reference: "Idempotent"): the same token gets the same answer, and
// another is refused because the execution is RUNNING.
func TestRedriveClientToken(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	res := interpreter.TaskFunc(func(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		if calls.Add(1) == 1 {
			return nil, &interpreter.ExecutionError{Name: "Broken", Cause: "first run"}
		}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return []byte(`1`), nil
	})
	_, c := start(t, server.Config{Tasks: res})
	ctx := ctxT(t)
	sm := createMachine(t, c, "tok", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:t","End":true}}}`)
	out := startExec(t, c, sm)
	if d := waitDone(t, c, *out.ExecutionArn); d.Status != types.ExecutionStatusFailed {
		t.Fatalf("first run %s", d.Status)
	}
	r1, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: out.ExecutionArn, ClientToken: aws.String("tok-a")})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: out.ExecutionArn, ClientToken: aws.String("tok-a")})
	if err != nil || !r2.RedriveDate.Equal(*r1.RedriveDate) {
		t.Fatalf("same token: %v %v, want the first answer %v", r2, err, r1.RedriveDate)
	}
	_, err = c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: out.ExecutionArn, ClientToken: aws.String("tok-b")})
	wantCode(t, err, "ExecutionNotRedrivable")
	close(release)
	if d := waitDone(t, c, *out.ExecutionArn); d.Status != types.ExecutionStatusSucceeded || aws.ToInt32(d.RedriveCount) != 1 {
		t.Fatalf("%s, redriveCount %d", d.Status, aws.ToInt32(d.RedriveCount))
	}
}
