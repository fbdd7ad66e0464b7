package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/store"
)

// childActivityRun starts a distributed Map of n STANDARD children, each
// running one activity task, over st; it returns the client, the
// activity's ARN and the execution's ARN.
func childActivityRun(t *testing.T, st store.Store, n int) (*sfn.Client, *string, *string) {
	t.Helper()
	_, c := start(t, server.Config{Store: st, PollTimeout: 500 * time.Millisecond})
	ctx := ctxT(t)
	act := createActivity(t, c, "work")
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":` + strconv.Itoa(n) + `,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
		"StartAt":"A","States":{"A":{"Type":"Task","Resource":"` + *act.ActivityArn + `","End":true}}},"End":true}}}`
	arn := createMachine(t, c, "acts", def)
	items := make([]string, n)
	for i := range items {
		items[i] = strconv.Itoa(i + 1)
	}
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"items":[` + strings.Join(items, ",") + `]}`)})
	if err != nil {
		t.Fatal(err)
	}
	return c, act.ActivityArn, ex.ExecutionArn
}

// storedChildOutcomes counts the ActivitySucceeded events of the run's
// children's histories in the store.
func storedChildOutcomes(t *testing.T, st store.Store, exec string) int {
	t.Helper()
	n := 0
	err := st.View(context.Background(), func(tx store.Tx) error {
		runs, _, err := tx.ListMapRuns(exec, store.Page{Limit: 10})
		if err != nil || len(runs) == 0 {
			return err
		}
		kids, _, err := tx.ListMapRunChildren(store.MapRunChildFilter{MapRunARN: runs[0].ARN}, store.Page{Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range kids {
			evs, _, err := tx.MapRunChildEvents(k.ARN, false, store.Page{Limit: 1000})
			if err != nil {
				return err
			}
			for _, ev := range evs {
				if strings.Contains(string(ev.JSON), `"type":"ActivitySucceeded"`) {
					n++
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// SendTaskSuccess on a task of a distributed Map's STANDARD child answers
// only once the child's ActivitySucceeded is stored: an acknowledged
// answer is never lost by a crash.
func TestMapRunChildAnswerStoredBeforeAck(t *testing.T) {
	const n = 50
	st := openStoreB(t)
	c, act, exec := childActivityRun(t, st, n)
	ctx := ctxT(t)
	for done := 0; done < n; {
		tk, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act, WorkerName: aws.String("w")})
		if err != nil {
			t.Fatal(err)
		}
		if tk.TaskToken == nil {
			continue
		}
		if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: tk.TaskToken, Output: tk.Input}); err != nil {
			t.Fatal(err)
		}
		done++
		if got := storedChildOutcomes(t, st, *exec); got < done {
			t.Fatalf("after %d answers acknowledged, %d children's ActivitySucceeded are stored", done, got)
		}
	}
}

// SendTaskSuccess on a child's task whose outcome cannot be stored (the
// store refuses writes) answers 503, which the worker retries, and does
// not hang.
func TestMapRunChildAnswerStoreFails(t *testing.T) {
	st := &unavailableStore{Store: openStoreB(t)}
	c, act, exec := childActivityRun(t, st, 2)
	ctx := ctxT(t)
	var tk *sfn.GetActivityTaskOutput
	for tk == nil || tk.TaskToken == nil {
		var err error
		if tk, err = c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act, WorkerName: aws.String("w")}); err != nil {
			t.Fatal(err)
		}
	}
	st.full.Store(true)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := c.SendTaskSuccess(sctx, &sfn.SendTaskSuccessInput{TaskToken: tk.TaskToken, Output: tk.Input})
	wantCode(t, err, "ServiceUnavailable")
	st.full.Store(false)
	// The worker retries once the store writes again: the answer lands
	// (the resumed child waits for it again) and the run goes on.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: tk.TaskToken, Output: tk.Input})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SendTaskSuccess retried once the store writes: %v", err)
		}
		wantCode(t, err, "ServiceUnavailable")
	}
	// The other child's task is handed out (again, if it was queued
	// before the resume) and answered: the execution succeeds.
	for deadline := time.Now().Add(20 * time.Second); ; {
		d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: exec})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != "RUNNING" {
			if d.Status != "SUCCEEDED" || aws.ToString(d.Output) != "[1,2]" {
				t.Fatalf("execution %s, output %s, want SUCCEEDED with [1,2]", d.Status, aws.ToString(d.Output))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the execution did not end within 20 s")
		}
		tk, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act, WorkerName: aws.String("w")})
		if err != nil {
			t.Fatal(err)
		}
		if tk.TaskToken != nil {
			if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: tk.TaskToken, Output: tk.Input}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
