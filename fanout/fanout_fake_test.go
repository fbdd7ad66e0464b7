package fanout_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/activity"
	"github.com/hsc-dev/hsc/fanout"
)

// Results come back in input order, with the common input merged in, and
// never more than MaxConcurrent run at once (the fake's counterpart of
// TestFanoutHundred).
func TestFakeFanoutOrderAndConcurrency(t *testing.T) {
	f := newFake(2)
	f.outcome = func(in string) (types.ExecutionStatus, string, string, string) {
		var v struct {
			I int    `json:"i"`
			C string `json:"common"`
		}
		json.Unmarshal([]byte(in), &v)
		return types.ExecutionStatusSucceeded, fmt.Sprintf(`{"twice":%d,"common":%q}`, 2*v.I, v.C), "", ""
	}
	inputs := make([]map[string]int, 40)
	for i := range inputs {
		inputs[i] = map[string]int{"i": i}
	}
	cfg := noDelays("order", 7)
	cfg.Common = map[string]any{"common": "yes"}
	out, err := fanout.Fanout(context.Background(), f, "sub", inputs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if want := fmt.Sprintf(`{"twice":%d,"common":"yes"}`, 2*i); string(o) != want {
			t.Errorf("result %d = %s, want %s", i, o, want)
		}
	}
	if f.peak != 7 {
		t.Errorf("peak of %d running at once, want MaxConcurrent 7", f.peak)
	}
	if n := f.count("ListStateMachines"); n != 2 {
		t.Errorf("looked the machine up with %d list pages, want 2", n)
	}
}

// The first failed execution stops every running one (with
// hsc.FanoutStopped) and its error and cause come back as an
// *activity.ActivityError; inputs not launched yet never start.
func TestFakeFanoutFailureStopsAll(t *testing.T) {
	for _, hide := range []bool{false, true} {
		t.Run(fmt.Sprintf("error in history only=%v", hide), func(t *testing.T) {
			f := newFake(1)
			f.hideError = hide
			f.outcome = func(in string) (types.ExecutionStatus, string, string, string) {
				if in == "3" {
					return types.ExecutionStatusFailed, "", "Widget.Broken", "input 3 broke"
				}
				if in > "3" { // the later ones keep running
					return types.ExecutionStatusRunning, "", "", ""
				}
				return types.ExecutionStatusSucceeded, in, "", ""
			}
			_, err := fanout.Fanout(context.Background(), f, fakeMachineARN, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, noDelays("fail", 5))
			var ae *activity.ActivityError
			if !errors.As(err, &ae) || ae.ErrorName != "Widget.Broken" || ae.Cause != "input 3 broke" {
				t.Fatalf("error %v, want Widget.Broken: input 3 broke", err)
			}
			if running := f.byStatus(types.ExecutionStatusRunning); len(running) != 0 {
				t.Errorf("still running: %v", running)
			}
			aborted := f.byStatus(types.ExecutionStatusAborted)
			if len(aborted) == 0 {
				t.Error("nothing was stopped")
			}
			for _, arn := range f.order {
				if e := f.execs[arn]; e.status == types.ExecutionStatusAborted && e.stopError != fanout.ErrorNameStopped {
					t.Errorf("%s stopped with error %q", e.name, e.stopError)
				}
			}
			if n := len(f.order); n == 10 {
				t.Errorf("all 10 inputs were started although input 3 failed early")
			}
			if hide && f.count("GetExecutionHistory") == 0 {
				t.Error("the error was not looked up in the history")
			}
		})
	}
}

// Throttled starts and status calls never stop the fan-out; every input
// runs exactly once (the fake's counterpart of TestFanoutThrottledNeverStops).
func TestFakeFanoutThrottled(t *testing.T) {
	f := newFake(1)
	f.inject = func(op string, n int) error {
		if (op == "StartExecution" || op == "DescribeExecution") && n%3 == 1 {
			return throttleErr()
		}
		return nil
	}
	out, err := fanout.Fanout(context.Background(), f, fakeMachineARN, []string{"a", "b", "c", "d", "e", "f"}, noDelays("thr", 2))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rawStrings(out)); got != `["a" "b" "c" "d" "e" "f"]` {
		t.Errorf("results %s", got)
	}
	if len(f.order) != 6 {
		t.Errorf("%d executions for 6 inputs", len(f.order))
	}
}

func rawStrings(rs []json.RawMessage) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// A round that crashed after starting executions is run again from the
// saved state: the executions it started are adopted, nothing runs twice.
// An execution with the fan-out's name but another input is a clash.
func TestFakeResumeAdoptsAndClashes(t *testing.T) {
	f := newFake(0)
	s, err := fanout.NewState(fakeMachineARN, []int{10, 11, 12}, noDelays("crash", 3))
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := json.Marshal(s)
	// The crashed round started inputs 0 and 1, then died before its
	// state was saved.
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := fanout.Resume(ctx, &cancelAfterStarts{fakeSFN: f, n: 2, cancel: cancel}, saved, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("the crashing round: %v", err)
	}
	if len(f.order) != 2 {
		t.Fatalf("the crashing round started %d executions, want 2", len(f.order))
	}
	state := saved
	for range 10 {
		if state, err = fanout.Resume(context.Background(), f, state, nil); err != nil {
			t.Fatal(err)
		}
		var st fanout.State
		json.Unmarshal(state, &st)
		if st.Finished {
			if got := fmt.Sprint(rawStrings(st.Results)); got != "[10 11 12]" {
				t.Errorf("results %s", got)
			}
			break
		}
	}
	if len(f.order) != 3 {
		t.Errorf("%d executions for 3 inputs: something ran twice", len(f.order))
	}

	// Same id, other inputs: the name exists with another input.
	_, err = fanout.Fanout(context.Background(), f, fakeMachineARN, []int{99}, noDelays("crash", 1))
	if !errors.Is(err, fanout.ErrNameClash) {
		t.Errorf("name clash: %v", err)
	}
}

// cancelAfterStarts cancels the round's context after n starts: a round
// that dies right after launching.
type cancelAfterStarts struct {
	*fakeSFN
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfterStarts) StartExecution(ctx context.Context, in *sfn.StartExecutionInput, o ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	out, err := c.fakeSFN.StartExecution(ctx, in, o...)
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return out, err
}

// Cancelling a blocking fan-out stops every execution it started.
func TestFakeFanoutCancelStopsAll(t *testing.T) {
	f := newFake(1 << 30) // never finish on their own
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	cfg := noDelays("cancel", 4)
	cfg.PollDelay = 10 * time.Millisecond
	_, err := fanout.Fanout(ctx, f, "sub", []int{1, 2, 3, 4, 5, 6}, cfg)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the context's", err)
	}
	if running := f.byStatus(types.ExecutionStatusRunning); len(running) != 0 {
		t.Errorf("left running: %v", running)
	}
	if n := len(f.byStatus(types.ExecutionStatusAborted)); n != 4 {
		t.Errorf("%d stopped, want the 4 that were running", n)
	}
}

// An unknown state machine, or an input the service refuses, ends the
// fan-out with an error (and stops what runs).
func TestFakeFanoutErrors(t *testing.T) {
	f := newFake(0)
	if _, err := fanout.Fanout(context.Background(), f, "nope", []int{1}, noDelays("x", 1)); err == nil || !strings.Contains(err.Error(), `no state machine called "nope"`) {
		t.Errorf("unknown machine: %v", err)
	}
	f = newFake(5)
	f.inject = func(op string, n int) error {
		if op == "StartExecution" && n == 3 {
			return &types.InvalidExecutionInput{Message: aws.String("Invalid Execution Input")}
		}
		return nil
	}
	_, err := fanout.Fanout(context.Background(), f, "sub", []int{1, 2, 3}, noDelays("y", 3))
	if err == nil || !strings.Contains(err.Error(), "Invalid Execution Input") {
		t.Fatalf("a refused input: %v", err)
	}
	if running := f.byStatus(types.ExecutionStatusRunning); len(running) != 0 {
		t.Errorf("left running after a refused input: %v", running)
	}
	if n := len(f.byStatus(types.ExecutionStatusAborted)); n != 2 {
		t.Errorf("%d stopped, want the 2 started before the refused one", n)
	}
}
