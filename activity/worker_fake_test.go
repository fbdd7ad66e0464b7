package activity_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/hsc-dev/hsc/activity"
)

// Every way a handler can end, and what the worker reports for it (the
// fake's counterpart of TestWorkerCompletesExecutions, which needs the
// local server).
func TestFakeWorkerReportsEachOutcome(t *testing.T) {
	f := newFake()
	w, err := activity.NewWorker(f, "arn:aws:states:us-east-1:123456789012:activity:work", caseHandler, fastOptions(activity.Options{Concurrency: 4}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		input string
		want  result
	}{
		{`{"case":"echo","n":21}`, result{Succeeded: true, Output: `{"doubled":42,"echo":21}`}},
		{`{"case":"raw"}`, result{Succeeded: true, Output: `[1,"two",{"three":3}]`}},
		{`{"case":"activity-error","n":7}`, result{Error: "Widget.Broken", Cause: "widget 7 is broken"}},
		{`{"case":"wrapped-activity-error"}`, result{Error: "Widget.Wrapped", Cause: "deep inside"}},
		{`{"case":"plain-error"}`, result{Error: activity.ErrorNameHandler, Cause: "disk full"}},
		{`{"case":"panic","n":3}`, result{Error: activity.ErrorNamePanic, Cause: "panic: kaboom 3"}},
		{`{"case":"huge"}`, result{Error: activity.ErrorNameOutputTooLarge}},
		{`{"case":"not-json"}`, result{Error: activity.ErrorNameInvalidOutput, Cause: "the task output is not valid JSON"}},
		{`{"case":"unencodable"}`, result{Error: activity.ErrorNameInvalidOutput}},
		{`not json at all`, result{Error: activity.ErrorNameHandler}},
	}
	tokens := make([]string, len(tests))
	for i, tt := range tests {
		tokens[i] = f.add(tt.input)
	}
	runWorker(t, w)
	got := f.wait(t, len(tests), 10*time.Second)
	for i, tt := range tests {
		r := got[tokens[i]]
		if r.Succeeded != tt.want.Succeeded || r.Output != tt.want.Output || r.Error != tt.want.Error ||
			(tt.want.Cause != "" && r.Cause != tt.want.Cause) {
			t.Errorf("input %s: reported %+v, want %+v", tt.input, r, tt.want)
		}
	}
	if n := f.count("SendTaskHeartbeat"); n != 1 {
		t.Errorf("%d heartbeats; the echo case beats once", n)
	}
}

// Error names and causes are cut to the service's limits (256 and 32,768
// characters) without splitting a character.
func TestFakeWorkerTruncatesFailure(t *testing.T) {
	f := newFake()
	name, cause := strings.Repeat("é", 300), strings.Repeat("ü", 40000)
	long := func(ctx context.Context, _ json.RawMessage, _ activity.Heartbeater) (any, error) {
		return nil, &activity.ActivityError{ErrorName: name, Cause: cause}
	}
	w, _ := activity.NewWorker(f, "arn:aws:states:us-east-1:1:activity:a", long, fastOptions(activity.Options{}))
	token := f.add(`{}`)
	runWorker(t, w)
	r := f.wait(t, 1, 5*time.Second)[token]
	for _, c := range []struct {
		got, full string
		limit     int
	}{{r.Error, name, 256}, {r.Cause, cause, 32768}} {
		n := len(utf16.Encode([]rune(c.got)))
		if !utf8.ValidString(c.got) || !strings.HasPrefix(c.full, c.got) || n > c.limit || n < c.limit/2 {
			t.Errorf("cut to %d characters (%d bytes, valid UTF-8 %v); want a prefix of at most %d characters",
				n, len(c.got), utf8.ValidString(c.got), c.limit)
		}
	}
}

// No more than Concurrency handlers run at once, and that many do.
func TestFakeWorkerConcurrency(t *testing.T) {
	f := newFake()
	var running, peak atomic.Int32
	slow := func(ctx context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		running.Add(-1)
		return in, nil
	}
	w, _ := activity.NewWorker(f, "arn:aws:states:us-east-1:1:activity:a", slow, fastOptions(activity.Options{Concurrency: 3, Pollers: 3}))
	for i := range 12 {
		f.add(fmt.Sprintf(`{"i":%d}`, i))
	}
	runWorker(t, w)
	f.wait(t, 12, 10*time.Second)
	if p := peak.Load(); p != 3 {
		t.Errorf("peak of %d handlers at once, want 3 (Concurrency)", p)
	}
}

// Throttled polls and results are retried until they go through; no task
// is lost (the fake's counterpart of TestWorkerRetriesThrottling).
func TestFakeWorkerRetriesThrottling(t *testing.T) {
	f := newFake()
	f.inject = func(op string, n int) error {
		if (op == "GetActivityTask" && n <= 3) || (op == "SendTaskSuccess" && n <= 2) {
			return throttled()
		}
		return nil
	}
	echo := func(_ context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) { return in, nil }
	w, _ := activity.NewWorker(f, "arn:aws:states:us-east-1:1:activity:a", echo, fastOptions(activity.Options{}))
	token := f.add(`{"x":1}`)
	runWorker(t, w)
	if r := f.wait(t, 1, 5*time.Second)[token]; !r.Succeeded || r.Output != `{"x":1}` {
		t.Errorf("result %+v", r)
	}
	if n := f.count("SendTaskSuccess"); n != 3 {
		t.Errorf("SendTaskSuccess called %d times, want 3 (two throttled)", n)
	}
}

// A poll error that retrying cannot fix ends Run with that error.
func TestFakeWorkerStopsOnPermanentError(t *testing.T) {
	f := newFake()
	f.inject = func(op string, n int) error {
		if op == "GetActivityTask" {
			return &types.ActivityDoesNotExist{Message: aws.String("no such activity")}
		}
		return nil
	}
	w, _ := activity.NewWorker(f, "arn:aws:states:us-east-1:1:activity:gone", caseHandler, fastOptions(activity.Options{}))
	err := w.Run(context.Background())
	var dne *types.ActivityDoesNotExist
	if !errors.As(err, &dne) || !strings.Contains(err.Error(), "activity:gone") {
		t.Errorf("Run: %v; want the ActivityDoesNotExist error naming the activity", err)
	}
}

// When a heartbeat answers TaskTimedOut, the handler's context is
// cancelled with ErrTaskTimedOut and nothing is reported for the task.
func TestFakeWorkerHeartbeatTimeout(t *testing.T) {
	f := newFake()
	cause := make(chan error, 1)
	blocked := func(ctx context.Context, _ json.RawMessage, _ activity.Heartbeater) (any, error) {
		<-ctx.Done()
		cause <- context.Cause(ctx)
		return "too late", nil
	}
	w, _ := activity.NewWorker(f, "arn:aws:states:us-east-1:1:activity:a", blocked, fastOptions(activity.Options{Heartbeat: 10 * time.Millisecond}))
	token := f.add(`{}`)
	f.mu.Lock()
	f.timedOut[token] = true
	f.mu.Unlock()
	stop := runWorker(t, w)
	select {
	case c := <-cause:
		if !errors.Is(c, activity.ErrTaskTimedOut) {
			t.Errorf("handler context cause %v, want ErrTaskTimedOut", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler context not cancelled after a TaskTimedOut heartbeat")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := f.count("SendTaskSuccess") + f.count("SendTaskFailure"); n != 0 {
		t.Errorf("%d results sent for a timed-out task", n)
	}
}

// At shutdown a handler still running after the grace period gets its
// context cancelled (cause ErrShutdown) and its task is failed with
// hsc.WorkerShutdown; a task that finishes within the grace period
// reports normally.
func TestFakeWorkerShutdown(t *testing.T) {
	f := newFake()
	started := make(chan struct{}, 2)
	h := func(ctx context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) {
		started <- struct{}{}
		if string(in) == `"quick"` {
			time.Sleep(50 * time.Millisecond)
			return "done", nil
		}
		<-ctx.Done()
		return nil, context.Cause(ctx)
	}
	w, _ := activity.NewWorker(f, "arn:aws:states:us-east-1:1:activity:a", h,
		fastOptions(activity.Options{Concurrency: 2, Pollers: 2, GracePeriod: 200 * time.Millisecond}))
	quick, stuck := f.add(`"quick"`), f.add(`"stuck"`)
	stop := runWorker(t, w)
	<-started
	<-started
	var se *activity.ShutdownError
	if err := stop(); !errors.As(err, &se) || se.Interrupted != 1 || se.Abandoned != 0 {
		t.Errorf("Run: %v; want a ShutdownError for 1 interrupted task", err)
	}
	got := f.wait(t, 2, 5*time.Second)
	if r := got[quick]; !r.Succeeded || r.Output != `"done"` {
		t.Errorf("quick task: %+v", r)
	}
	if r := got[stuck]; r.Error != activity.ErrorNameShutdown || !strings.Contains(r.Cause, activity.ErrShutdown.Error()) {
		t.Errorf("stuck task: %+v, want %s", r, activity.ErrorNameShutdown)
	}
}

// The service refusing an output fails the task with the service's reason
// instead of leaving it to time out.
func TestFakeWorkerOutputRefused(t *testing.T) {
	f := newFake()
	f.inject = func(op string, n int) error {
		if op == "SendTaskSuccess" {
			return &types.InvalidOutput{Message: aws.String("Invalid Output: not what we expected")}
		}
		return nil
	}
	echo := func(_ context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) { return in, nil }
	w, _ := activity.NewWorker(f, "arn:aws:states:us-east-1:1:activity:a", echo, fastOptions(activity.Options{}))
	token := f.add(`{"x":1}`)
	runWorker(t, w)
	r := f.wait(t, 1, 5*time.Second)[token]
	if r.Error != activity.ErrorNameInvalidOutput || !strings.Contains(r.Cause, "not what we expected") {
		t.Errorf("result %+v", r)
	}
}

// A name is looked up through every page of ListActivities, and created
// when missing; an ARN is used as is.
func TestFakeLookupOrCreate(t *testing.T) {
	f := newFake()
	ctx := context.Background()
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		if _, err := f.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	created := f.count("CreateActivity")
	arn, err := activity.LookupOrCreate(ctx, f, "e") // on the third page
	if err != nil || !strings.HasSuffix(arn, ":activity:e") {
		t.Fatalf("LookupOrCreate(e) = %q, %v", arn, err)
	}
	if f.count("CreateActivity") != created || f.count("ListActivities") != 3 {
		t.Errorf("existing activity: %d creates, %d list pages; want none and 3", f.count("CreateActivity")-created, f.count("ListActivities"))
	}
	arn, err = activity.LookupOrCreate(ctx, f, "new")
	if err != nil || !strings.HasSuffix(arn, ":activity:new") || f.count("CreateActivity") != created+1 {
		t.Errorf("missing activity: %q, %v, %d creates", arn, err, f.count("CreateActivity")-created)
	}
	if arn, _ := activity.LookupOrCreate(ctx, f, "arn:aws:states:x:1:activity:z"); arn != "arn:aws:states:x:1:activity:z" {
		t.Errorf("ARN changed to %q", arn)
	}
	f.inject = func(string, int) error { return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"} }
	if _, err := activity.LookupOrCreate(ctx, f, "x"); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("access denied: %v", err)
	}
}

// The manager restarts a worker whose loop died; the restarted worker
// serves tasks.
func TestFakeManagerRestartsWorker(t *testing.T) {
	f := newFake()
	var deaths atomic.Int32
	f.inject = func(op string, n int) error {
		if op == "GetActivityTask" && n <= 2 {
			deaths.Add(1)
			return &types.ActivityDoesNotExist{Message: aws.String("not yet")}
		}
		return nil
	}
	echo := func(_ context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) { return in, nil }
	m := &activity.Manager{
		API:        f,
		Activities: []activity.Spec{{Activity: "arn:aws:states:us-east-1:1:activity:a", Handler: echo, Options: fastOptions(activity.Options{})}},
		RestartMin: 10 * time.Millisecond,
		RestartMax: 50 * time.Millisecond,
		NoSignals:  true,
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); m.Run(ctx) }()
	token := f.add(`{"after":"restarts"}`)
	r := f.wait(t, 1, 5*time.Second)[token]
	cancel()
	wg.Wait()
	if !r.Succeeded || deaths.Load() != 2 {
		t.Errorf("result %+v after %d worker deaths; want success after 2", r, deaths.Load())
	}
}

// unreachableError is the error a real SDK client returns when nothing
// listens at its endpoint (the server is restarting, say).
func unreachableError(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := sfn.New(sfn.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + addr),
		Credentials:  aws.AnonymousCredentials{},
		Retryer:      aws.NopRetryer{},
	})
	_, err = c.SendTaskSuccess(context.Background(), &sfn.SendTaskSuccessInput{TaskToken: aws.String("t"), Output: aws.String("{}")})
	if err == nil {
		t.Fatalf("SendTaskSuccess to %s answered", addr)
	}
	return err
}

// A result that cannot be sent because the service is unreachable is
// retried until it lands; the task is not failed as a refused output
// (which is what happened when the SDK's status-0 wrapper hid the
// connection error: TestServeCrashResume saw it after a restart).
func TestFakeWorkerResultWaitsForUnreachableService(t *testing.T) {
	down := unreachableError(t)
	if !activity.Transient(down) {
		t.Fatalf("Transient(%v) = false; a refused connection is worth retrying", down)
	}
	f := newFake()
	f.inject = func(op string, n int) error {
		if op == "SendTaskSuccess" && n <= 3 {
			return down
		}
		return nil
	}
	echo := func(_ context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) { return in, nil }
	w, _ := activity.NewWorker(f, "arn:aws:states:us-east-1:1:activity:a", echo, fastOptions(activity.Options{}))
	token := f.add(`{"x":1}`)
	runWorker(t, w)
	if r := f.wait(t, 1, 5*time.Second)[token]; !r.Succeeded || r.Output != `{"x":1}` {
		t.Errorf("result %+v, want the output delivered once the service answers", r)
	}
	if n := f.count("SendTaskFailure"); n != 0 {
		t.Errorf("SendTaskFailure called %d times, want none", n)
	}
}
