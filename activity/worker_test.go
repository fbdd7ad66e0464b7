package activity_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/activity"
)

// caseHandler answers each task according to the input's "case" field.
func caseHandler(ctx context.Context, input json.RawMessage, hb activity.Heartbeater) (any, error) {
	var in struct {
		Case string `json:"case"`
		N    int    `json:"n"`
	}
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, err
	}
	switch in.Case {
	case "echo":
		if err := hb.Beat(ctx); err != nil {
			return nil, err
		}
		return map[string]any{"echo": in.N, "doubled": 2 * in.N}, nil
	case "raw":
		return json.RawMessage(`[1,"two",{"three":3}]`), nil
	case "activity-error":
		return nil, &activity.ActivityError{ErrorName: "Widget.Broken", Cause: fmt.Sprintf("widget %d is broken", in.N)}
	case "wrapped-activity-error":
		return nil, fmt.Errorf("while working: %w", &activity.ActivityError{ErrorName: "Widget.Wrapped", Cause: "deep inside"})
	case "plain-error":
		return nil, errors.New("disk full")
	case "panic":
		panic(fmt.Sprintf("kaboom %d", in.N))
	case "nil-map-panic":
		var m map[string]int
		m["x"] = 1 //lint:ignore SA5000 the handler panics on purpose
		return nil, nil
	case "huge":
		return strings.Repeat("x", 300*1024), nil
	case "not-json":
		return json.RawMessage(`{"unclosed":`), nil
	case "unencodable":
		return func() {}, nil
	}
	return nil, fmt.Errorf("unknown case %q", in.Case)
}

// One worker serves executions that succeed, fail in every way a handler
// can fail, and panic; it keeps serving after each.
func TestWorkerCompletesExecutions(t *testing.T) {
	c := localClient(t)
	ctx := t.Context()
	// The worker gets the activity by name: it looks it up and creates it.
	name := strings.ReplaceAll(t.Name(), "/", "-")
	name = name[:min(len(name), 30)] + fmt.Sprint(time.Now().UnixNano())
	logs := &logRecorder{}
	w, err := activity.NewWorker(c.API(), name, caseHandler, activity.Options{
		Concurrency: 4, IdleDelay: 20 * time.Millisecond, Logger: newLogger(logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	waitFor(t, 10*time.Second, "the worker to create its activity", func() bool { return w.ARN() != "" })
	if !strings.HasSuffix(w.ARN(), ":activity:"+name) {
		t.Fatalf("worker ARN %q does not name activity %q", w.ARN(), name)
	}
	m := taskMachine(t, c, w.ARN(), 0)

	tests := []struct {
		name           string
		input          string
		status         types.ExecutionStatus
		output         string // when SUCCEEDED
		errName, cause string // of the ActivityFailed event, when FAILED
		causeHasPrefix bool
	}{
		{name: "output", input: `{"case":"echo","n":21}`, status: "SUCCEEDED", output: `{"doubled":42,"echo":21}`},
		{name: "raw JSON output", input: `{"case":"raw"}`, status: "SUCCEEDED", output: `[1,"two",{"three":3}]`},
		{name: "ActivityError", input: `{"case":"activity-error","n":7}`, status: "FAILED", errName: "Widget.Broken", cause: "widget 7 is broken"},
		{name: "wrapped ActivityError", input: `{"case":"wrapped-activity-error"}`, status: "FAILED", errName: "Widget.Wrapped", cause: "deep inside"},
		{name: "other error", input: `{"case":"plain-error"}`, status: "FAILED", errName: activity.ErrorNameHandler, cause: "disk full"},
		{name: "bad input", input: `{"case":5}`, status: "FAILED", errName: activity.ErrorNameHandler, cause: "json: cannot unmarshal", causeHasPrefix: true},
		{name: "panic", input: `{"case":"panic","n":3}`, status: "FAILED", errName: activity.ErrorNamePanic, cause: "panic: kaboom 3"},
		{name: "runtime panic", input: `{"case":"nil-map-panic"}`, status: "FAILED", errName: activity.ErrorNamePanic, cause: "panic: assignment to entry in nil map"},
		{name: "output over 256 KiB", input: `{"case":"huge"}`, status: "FAILED", errName: activity.ErrorNameOutputTooLarge,
			cause: fmt.Sprintf("the task output is %d bytes; Step Functions accepts at most 262144 (256 KiB)", 300*1024+2)},
		{name: "output not JSON", input: `{"case":"not-json"}`, status: "FAILED", errName: activity.ErrorNameInvalidOutput, cause: "the task output is not valid JSON"},
		{name: "output not encodable", input: `{"case":"unencodable"}`, status: "FAILED", errName: activity.ErrorNameInvalidOutput, cause: "encoding the task output as JSON", causeHasPrefix: true},
		// After all the failures and panics the worker still serves.
		{name: "still serving", input: `{"case":"echo","n":1}`, status: "SUCCEEDED", output: `{"doubled":2,"echo":1}`},
	}
	arns := make([]string, len(tests))
	for i, tc := range tests {
		arn, err := m.Start(ctx, []byte(tc.input), fmt.Sprintf("case-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		arns[i] = arn
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := finish(t, c, arns[i], 30*time.Second)
			if d.Status != tc.status {
				t.Fatalf("status %s, want %s", d.Status, tc.status)
			}
			kind, errName, cause := activityEvent(t, c, arns[i])
			if tc.status == types.ExecutionStatusSucceeded {
				if kind != types.HistoryEventTypeActivitySucceeded {
					t.Errorf("history's last activity event is %q, want ActivitySucceeded", kind)
				}
				var got, want any
				if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &got); err != nil {
					t.Fatalf("output %q: %v", aws.ToString(d.Output), err)
				}
				_ = json.Unmarshal([]byte(tc.output), &want)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("output %s, want %s", aws.ToString(d.Output), tc.output)
				}
				return
			}
			if kind != types.HistoryEventTypeActivityFailed {
				t.Fatalf("history's last activity event is %q, want ActivityFailed", kind)
			}
			if errName != tc.errName {
				t.Errorf("ActivityFailed error %q, want %q", errName, tc.errName)
			}
			if tc.causeHasPrefix && !strings.HasPrefix(cause, tc.cause) || !tc.causeHasPrefix && cause != tc.cause {
				t.Errorf("ActivityFailed cause %q, want %q", cause, tc.cause)
			}
			// Step Functions also puts the error and cause in
			// DescribeExecution (API reference, DescribeExecution).
			if aws.ToString(d.Error) != tc.errName {
				t.Errorf("DescribeExecution error %q, want %q", aws.ToString(d.Error), tc.errName)
			}
			if !strings.HasPrefix(aws.ToString(d.Cause), tc.cause) {
				t.Errorf("DescribeExecution cause %q, want %q", aws.ToString(d.Cause), tc.cause)
			}
		})
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if n := logs.count("handler panicked"); n != 2 {
		t.Errorf("logged %d handler panics, want 2:\n%s", n, logs)
	}
}

// An output under the service's 256 KiB limit (Step Functions quotas:
// "Maximum input or output size for a task, state, or execution") is
// accepted: the execution succeeds with it, and the handler runs once.
// (The path where the service refuses an output is tested with a fake.)
func TestWorkerLargeOutput(t *testing.T) {
	c := localClient(t)
	_, arn := newActivity(t, c, "refused")
	m := taskMachine(t, c, arn, 0)
	var calls atomic.Int32
	h := func(ctx context.Context, _ json.RawMessage, _ activity.Heartbeater) (any, error) {
		calls.Add(1)
		return strings.Repeat("y", 100*1024), nil
	}
	w, err := activity.NewWorker(c.API(), arn, h, activity.Options{IdleDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	go w.Run(ctx)
	exec, err := m.Start(t.Context(), nil, "big")
	if err != nil {
		t.Fatal(err)
	}
	d := finish(t, c, exec, 30*time.Second)
	if want := `"` + strings.Repeat("y", 100*1024) + `"`; d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != want {
		t.Errorf("status %s, output of %d bytes; want SUCCEEDED with the 100 KiB string", d.Status, len(aws.ToString(d.Output)))
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("handler ran %d times, want 1", n)
	}
}

// A state with HeartbeatSeconds: automatic heartbeats keep a long task
// alive; without them the service times the task out, the next heartbeat
// is answered with TaskTimedOut, and the handler's context is cancelled.
func TestWorkerHeartbeats(t *testing.T) {
	c := localClient(t)
	tests := []struct {
		name      string
		heartbeat time.Duration // automatic heartbeat period
		work      time.Duration // how long the handler works
		status    types.ExecutionStatus
		event     types.HistoryEventType
	}{
		{name: "beats keep the task alive", heartbeat: 300 * time.Millisecond, work: 3 * time.Second, status: "SUCCEEDED", event: types.HistoryEventTypeActivitySucceeded},
		{name: "no beat in time: timed out", heartbeat: 2500 * time.Millisecond, work: 8 * time.Second, status: "FAILED", event: types.HistoryEventTypeActivityTimedOut},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, arn := newActivity(t, c, "beat")
			m := taskMachine(t, c, arn, 1) // HeartbeatSeconds 1
			causes := make(chan error, 1)
			h := func(ctx context.Context, _ json.RawMessage, _ activity.Heartbeater) (any, error) {
				select {
				case <-ctx.Done(): // the task timed out
					causes <- context.Cause(ctx)
					return nil, ctx.Err()
				case <-time.After(tc.work):
					causes <- nil
					return "done", nil
				}
			}
			w, err := activity.NewWorker(c.API(), arn, h, activity.Options{IdleDelay: 20 * time.Millisecond, Heartbeat: tc.heartbeat})
			if err != nil {
				t.Fatal(err)
			}
			ctx, stop := context.WithCancel(t.Context())
			defer stop()
			go w.Run(ctx)
			exec, err := m.Start(t.Context(), []byte(`{}`), "beat")
			if err != nil {
				t.Fatal(err)
			}
			d := finish(t, c, exec, 30*time.Second)
			if d.Status != tc.status {
				t.Errorf("status %s, want %s", d.Status, tc.status)
			}
			if kind, _, _ := activityEvent(t, c, exec); kind != tc.event {
				t.Errorf("history has %q, want %q", kind, tc.event)
			}
			select {
			case cause := <-causes:
				if tc.status == types.ExecutionStatusSucceeded && cause != nil {
					t.Errorf("handler cancelled: %v", cause)
				}
				if tc.status == types.ExecutionStatusFailed && !errors.Is(cause, activity.ErrTaskTimedOut) {
					t.Errorf("handler context cause %v, want ErrTaskTimedOut", cause)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("handler never returned")
			}
		})
	}
}

// Beat called by the handler itself (heaviside's yield) reports a timeout
// as ErrTaskTimedOut and cancels the handler's context.
func TestBeatReportsTimeout(t *testing.T) {
	c := localClient(t)
	_, arn := newActivity(t, c, "yield")
	m := taskMachine(t, c, arn, 1)
	type result struct{ beatErr, cause error }
	results := make(chan result, 1)
	h := func(ctx context.Context, _ json.RawMessage, hb activity.Heartbeater) (any, error) {
		if err := hb.Beat(ctx); err != nil { // in time: fine
			results <- result{beatErr: fmt.Errorf("first beat: %w", err)}
			return nil, err
		}
		time.Sleep(3 * time.Second) // miss the next heartbeat
		err := hb.Beat(ctx)
		results <- result{err, context.Cause(ctx)}
		return nil, err
	}
	w, _ := activity.NewWorker(c.API(), arn, h, activity.Options{IdleDelay: 20 * time.Millisecond})
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	go w.Run(ctx)
	if _, err := m.Start(t.Context(), nil, "yield"); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-results:
		if !errors.Is(r.beatErr, activity.ErrTaskTimedOut) || !errors.Is(r.cause, activity.ErrTaskTimedOut) {
			t.Errorf("Beat after the timeout: %v (context cause %v); want ErrTaskTimedOut for both", r.beatErr, r.cause)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("handler never finished")
	}
}

// Shutdown: cancelling Run's context stops polling at once, lets the task
// in flight finish within the grace period and sends its result; a task
// that outlives the grace period has its context cancelled and is failed
// with hsc.WorkerShutdown, and Run says so with a *ShutdownError. A
// handler that ignores the cancellation does not keep its task RUNNING on
// the service (issue 10.2): after StopTimeout, Run fails the task itself
// and returns.
func TestWorkerShutdown(t *testing.T) {
	c := localClient(t)
	tests := []struct {
		name      string
		work      time.Duration
		ignoreCtx bool // the handler does not watch its context
		grace     time.Duration
		status    types.ExecutionStatus
		errName   string
		abandoned int // want a *ShutdownError with this many abandoned handlers (-1: no error)
	}{
		{name: "finishes within grace", work: 1500 * time.Millisecond, grace: 10 * time.Second, status: "SUCCEEDED", abandoned: -1},
		{name: "grace runs out", work: time.Minute, grace: 500 * time.Millisecond, status: "FAILED", errName: activity.ErrorNameShutdown},
		{name: "handler ignores cancellation", work: time.Minute, ignoreCtx: true, grace: 500 * time.Millisecond,
			status: "FAILED", errName: activity.ErrorNameShutdown, abandoned: 1},
	}
	const stopTimeout = time.Second
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, arn := newActivity(t, c, "shutdown")
			m := taskMachine(t, c, arn, 0)
			started := make(chan struct{})
			release := make(chan struct{})
			defer close(release)
			h := func(ctx context.Context, _ json.RawMessage, _ activity.Heartbeater) (any, error) {
				close(started)
				if tc.ignoreCtx {
					select {
					case <-time.After(tc.work):
					case <-release:
					}
					return "finished late", nil
				}
				select {
				case <-time.After(tc.work):
					return "finished", nil
				case <-ctx.Done():
					return nil, context.Cause(ctx)
				}
			}
			w, _ := activity.NewWorker(c.API(), arn, h, activity.Options{IdleDelay: 20 * time.Millisecond,
				GracePeriod: tc.grace, StopTimeout: stopTimeout})
			ctx, stop := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx) }()
			exec, err := m.Start(t.Context(), nil, "shutdown")
			if err != nil {
				t.Fatal(err)
			}
			<-started
			stop()
			select {
			case err := <-done:
				var se *activity.ShutdownError
				switch {
				case tc.abandoned < 0 && err != nil:
					t.Errorf("Run: %v", err)
				case tc.abandoned >= 0 && !errors.As(err, &se):
					t.Errorf("Run: %v, want a *ShutdownError", err)
				case tc.abandoned >= 0 && (se.Interrupted != 1 || se.Abandoned != tc.abandoned):
					t.Errorf("Run: %+v, want 1 interrupted, %d abandoned", se, tc.abandoned)
				}
			case <-time.After(tc.grace + stopTimeout + 10*time.Second):
				t.Fatal("Run did not return")
			}
			d := finish(t, c, exec, 20*time.Second)
			if d.Status != tc.status {
				t.Errorf("status %s, want %s", d.Status, tc.status)
			}
			if _, errName, _ := activityEvent(t, c, exec); errName != tc.errName {
				t.Errorf("ActivityFailed error %q, want %q", errName, tc.errName)
			}
		})
	}
}

// A handler learns its task token and activity from its context.
func TestTaskFromContext(t *testing.T) {
	c := localClient(t)
	_, arn := newActivity(t, c, "taskinfo")
	m := taskMachine(t, c, arn, 0)
	h := func(ctx context.Context, _ json.RawMessage, _ activity.Heartbeater) (any, error) {
		info, ok := activity.TaskFromContext(ctx)
		return map[string]any{"ok": ok, "arn": info.ActivityARN, "token": info.Token != "", "worker": info.WorkerName}, nil
	}
	w, _ := activity.NewWorker(c.API(), arn, h, activity.Options{IdleDelay: 20 * time.Millisecond, WorkerName: "w1"})
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	go w.Run(ctx)
	exec, err := m.Start(t.Context(), nil, "info")
	if err != nil {
		t.Fatal(err)
	}
	d := finish(t, c, exec, 20*time.Second)
	want := fmt.Sprintf(`{"arn":%q,"ok":true,"token":true,"worker":"w1"}`, arn)
	if got := aws.ToString(d.Output); got != want {
		t.Errorf("output %s, want %s", got, want)
	}
	if _, ok := activity.TaskFromContext(t.Context()); ok {
		t.Error("TaskFromContext outside a handler reports a task")
	}
}

func TestNewWorkerErrors(t *testing.T) {
	h := func(context.Context, json.RawMessage, activity.Heartbeater) (any, error) { return nil, nil }
	c := localClientOrNil()
	tests := []struct {
		name     string
		api      activity.API
		activity string
		h        activity.Handler
		want     string
	}{
		{"no client", nil, "a", h, "no Step Functions client"},
		{"no activity", c, " ", h, "no activity name or ARN"},
		{"no handler", c, "a", nil, "no handler"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := activity.NewWorker(tc.api, tc.activity, tc.h, activity.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewWorker: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// A worker whose activity does not exist stops with an error that says so
// (no retry loop); the manager test shows it being restarted.
func TestWorkerMissingActivity(t *testing.T) {
	c := localClient(t)
	_, arn := newActivity(t, c, "probe")
	missing := arn[:strings.LastIndexByte(arn, ':')+1] + "missing-" + fmt.Sprint(time.Now().UnixNano())
	h := func(context.Context, json.RawMessage, activity.Heartbeater) (any, error) { return nil, nil }
	w, _ := activity.NewWorker(c.API(), missing, h, activity.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	err := w.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "ActivityDoesNotExist") || !strings.Contains(err.Error(), missing) {
		t.Errorf("Run: %v; want an ActivityDoesNotExist error naming %s", err, missing)
	}
	if activity.Transient(err) {
		t.Errorf("Transient(%v) = true", err)
	}
}

// A worker runs at most Concurrency handlers at once (counted by the
// handlers themselves), with one poller or several.
func TestWorkerConcurrencyLimit(t *testing.T) {
	c := localClient(t)
	tests := []struct{ concurrency, pollers, tasks int }{
		{1, 1, 3},
		{3, 1, 9},
		{3, 3, 9},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("concurrency=%d/pollers=%d", tc.concurrency, tc.pollers), func(t *testing.T) {
			t.Parallel()
			_, arn := newActivity(t, c, "limit")
			m := taskMachine(t, c, arn, 0)
			execs := make([]string, tc.tasks)
			for i := range execs {
				var err error
				if execs[i], err = m.Start(t.Context(), []byte(fmt.Sprintf(`{"i":%d}`, i)), fmt.Sprintf("l%d", i)); err != nil {
					t.Fatal(err)
				}
			}
			var now, peak atomic.Int32
			h := func(_ context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) {
				n := now.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(400 * time.Millisecond)
				now.Add(-1)
				return in, nil
			}
			w, err := activity.NewWorker(c.API(), arn, h, activity.Options{
				Concurrency: tc.concurrency, Pollers: tc.pollers, IdleDelay: 20 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, stop := context.WithCancel(t.Context())
			defer stop()
			go w.Run(ctx)
			for _, e := range execs {
				if d := finish(t, c, e, 30*time.Second); d.Status != types.ExecutionStatusSucceeded {
					t.Errorf("%s: %s", e, d.Status)
				}
			}
			if p := int(peak.Load()); p > tc.concurrency || tc.concurrency > 1 && p < 2 {
				t.Errorf("peak of %d handlers at once; want at most %d (and some parallelism)", p, tc.concurrency)
			}
		})
	}
}
