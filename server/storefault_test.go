package server_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/store"
)

// unavailableStore refuses every write, while full is set, as a full or
// read-only disk does (sqlstore: ErrUnavailable); reads go on.
type unavailableStore struct {
	store.Store
	full atomic.Bool
}

func (u *unavailableStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if u.full.Load() {
		return fmt.Errorf("disk full: %w", store.ErrUnavailable)
	}
	return u.Store.Update(ctx, fn)
}

func (u *unavailableStore) Close() error { return nil }

// Durable is the wrapped store's (the server keeps heartbeat deadlines
// only in a durable one).
func (u *unavailableStore) Durable() bool {
	d, ok := u.Store.(interface{ Durable() bool })
	return ok && d.Durable()
}

// An activity worker meets a store that cannot write: a task whose start
// cannot be stored is not handed out (503, and it is queued again once
// the store writes), and an answer that cannot be stored is refused with
// 503, also while the execution waits to be resumed, never with
// TaskTimedOut, which a worker takes as final; so is a heartbeat whose
// deadline cannot be stored. Once the store writes
// again, the same token's answer lands and the execution succeeds.
func TestActivityWhileStoreUnavailable(t *testing.T) {
	for _, kind := range []string{"memstore", "sqlstore"} {
		t.Run(kind, func(t *testing.T) {
			st := &unavailableStore{Store: openStore(t, kind)}
			_, c := start(t, server.Config{Store: st})
			ctx := ctxT(t)
			act := createActivity(t, c, "work")
			sm := createMachine(t, c, "m", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"`+*act.ActivityArn+`","HeartbeatSeconds":3600,"End":true}}}`)
			ex := startExec(t, c, sm)
			// Once ActivityScheduled is stored the task is queued
			// without another write.
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
				if err != nil {
					t.Fatal(err)
				}
				if n := len(h.Events); n > 0 && h.Events[n-1].Type == types.HistoryEventTypeActivityScheduled {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no ActivityScheduled within 20 s")
				}
			}

			st.full.Store(true)
			_, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn})
			wantCode(t, err, "ServiceUnavailable")
			st.full.Store(false)
			task := pollTask(t, c, act.ActivityArn) // queued again by the resumed execution

			st.full.Store(true)
			// A heartbeat's deadline is kept in a durable store (to
			// survive a restart): refused when it cannot be.
			_, err = c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: task.TaskToken})
			if kind == "sqlstore" {
				wantCode(t, err, "ServiceUnavailable")
			} else if err != nil {
				t.Errorf("SendTaskHeartbeat on memstore, which keeps no deadline: %v", err)
			}
			for i := range 3 {
				_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{"done":true}`)})
				if ae := wantCode(t, err, "ServiceUnavailable"); i == 2 {
					t.Logf("a later answer: %s", ae.ErrorMessage())
				}
			}
			if d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn}); err != nil || d.Status != "RUNNING" {
				t.Fatalf("execution on the full store: %v %v, want RUNNING", d, err)
			}
			st.full.Store(false)
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{"done":true}`)})
				if err == nil {
					break
				}
				wantCode(t, err, "ServiceUnavailable") // until the execution is resumed
				if time.Now().After(deadline) {
					t.Fatalf("the answer did not land within 20 s of the store writing again: %v", err)
				}
			}
			if d := waitDone(t, c, *ex.ExecutionArn); d.Status != "SUCCEEDED" || aws.ToString(d.Output) != `{"done":true}` {
				t.Fatalf("%s %s, want SUCCEEDED with the worker's output", d.Status, aws.ToString(d.Output))
			}
		})
	}
}

// A worker's answer reaches a restarted server after its task timed out
// and was dispatched again before the restart: TaskTimedOut, as AWS answers a token
// whose task has ended (not TaskDoesNotExist, which tells a worker the
// token was never issued and hides that the task ran out of time).
func TestTokenOfAnEarlierRunTimedOut(t *testing.T) {
	st := openStore(t, "sqlstore")
	crash := &crashStore{Store: st}
	a, ca := start(t, server.Config{Store: crash})
	ctx := ctxT(t)
	act := createActivity(t, ca, "work")
	sm := createMachine(t, ca, "m", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"`+*act.ActivityArn+`","TimeoutSeconds":1,
		"Retry":[{"ErrorEquals":["States.Timeout"],"IntervalSeconds":1,"MaxAttempts":1}],"End":true}}}`)
	startExec(t, ca, sm)
	old := pollTask(t, ca, act.ActivityArn)
	again := pollTask(t, ca, act.ActivityArn) // the first attempt timed out
	if *again.TaskToken == *old.TaskToken {
		t.Fatal("the retried task has the timed-out task's token")
	}
	crash.dead.Store(true)
	a.Close()

	_, cb := start(t, server.Config{Store: st})
	// (Answered after the start-up grace in which a token may yet become
	// live as executions resume.)
	_, err := cb.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: old.TaskToken, Output: aws.String(`{}`)})
	wantCode(t, err, "TaskTimedOut")
}
