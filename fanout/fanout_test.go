package fanout_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/activity"
	"github.com/hsc-dev/hsc/fanout"
	"github.com/hsc-dev/hsc/internal/sfnlocal"
	"github.com/hsc-dev/hsc/runtime"
)

func localClient(t testing.TB) *runtime.Client {
	t.Helper()
	c, err := runtime.New(context.Background(), runtime.Config{
		Region: sfnlocal.Region, AccessKey: sfnlocal.AccessKey, SecretKey: sfnlocal.SecretKey,
		AccountID: sfnlocal.AccountID, EndpointURL: sfnlocal.Endpoint(t),
		RetryMaxBackoff: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newMachine(t testing.TB, c *runtime.Client, prefix, definition string) *runtime.StateMachine {
	t.Helper()
	m := c.NewStateMachine(sfnlocal.Name(t, prefix), "")
	if err := m.Create(context.Background(), []byte(definition), sfnlocal.RoleARN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Delete(context.Background(), false) })
	return m
}

// waitMachine waits the given seconds and outputs its input.
func waitMachine(t testing.TB, c *runtime.Client, seconds int) *runtime.StateMachine {
	return newMachine(t, c, "sub", fmt.Sprintf(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":%d,"End":true}}}`, seconds))
}

// peakMonitor counts the machine's RUNNING executions, as the service
// reports them, every few milliseconds, and keeps the highest count.
type peakMonitor struct {
	mu    sync.Mutex
	peak  int
	polls int
	stop  context.CancelFunc
	done  chan struct{}
}

func monitor(t testing.TB, c *runtime.Client, machineARN string) *peakMonitor {
	ctx, cancel := context.WithCancel(context.Background())
	p := &peakMonitor{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for ctx.Err() == nil {
			running, err := c.Executions(ctx, machineARN, types.ExecutionStatusRunning)
			if err == nil {
				p.mu.Lock()
				p.peak = max(p.peak, len(running))
				p.polls++
				p.mu.Unlock()
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return p
}

func (p *peakMonitor) result() (peak, polls int) {
	p.stop()
	<-p.done
	return p.peak, p.polls
}

func running(t testing.TB, c *runtime.Client, machineARN string) int {
	t.Helper()
	r, err := c.Executions(context.Background(), machineARN, types.ExecutionStatusRunning)
	if err != nil {
		t.Fatal(err)
	}
	return len(r)
}

func fastConfig(max int) fanout.Config {
	cfg := fanout.DefaultConfig()
	cfg.MaxConcurrent = max
	cfg.RampupDelay = 20 * time.Millisecond
	cfg.PollDelay = 100 * time.Millisecond
	cfg.StatusDelay = 2 * time.Millisecond
	return cfg
}

// 100 sub-executions, at most 10 at a time (as counted by the service),
// results in input order with the common input merged in.
func TestFanoutHundred(t *testing.T) {
	c := localClient(t)
	m := waitMachine(t, c, 1)
	inputs := make([]map[string]int, 100)
	for i := range inputs {
		inputs[i] = map[string]int{"i": i}
	}
	cfg := fastConfig(10)
	cfg.ID = "hundred"
	cfg.Common = map[string]any{"common": "shared"}
	mon := monitor(t, c, m.ARN)
	start := time.Now()
	results, err := fanout.Fanout(t.Context(), c.API(), m.Name, inputs, cfg)
	elapsed := time.Since(start)
	peak, polls := mon.result()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("100 sub-executions in %v; peak RUNNING %d over %d counts", elapsed.Round(time.Millisecond), peak, polls)
	if peak > 10 {
		t.Errorf("peak of %d executions running; MaxConcurrent is 10", peak)
	}
	if peak < 2 {
		t.Errorf("peak of %d executions running: the fan-out did not run in parallel", peak)
	}
	if len(results) != len(inputs) {
		t.Fatalf("%d results for %d inputs", len(results), len(inputs))
	}
	for i, r := range results {
		var got struct {
			I      int    `json:"i"`
			Common string `json:"common"`
		}
		if err := json.Unmarshal(r, &got); err != nil || got.I != i || got.Common != "shared" {
			t.Errorf("result %d = %s (%v); want its input with the common keys", i, r, err)
		}
	}
	all, err := c.Executions(t.Context(), m.ARN, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 100 {
		t.Errorf("%d executions started, want 100", len(all))
	}
	for _, e := range all {
		if !strings.HasPrefix(aws.ToString(e.Name), "hundred-") || e.Status != types.ExecutionStatusSucceeded {
			t.Errorf("execution %s: %s", aws.ToString(e.Name), e.Status)
		}
	}
}

// One failing input stops the rest: the fan-out returns the failure's
// error and cause as an ActivityError and leaves no execution RUNNING.
func TestFanoutFailureStopsAll(t *testing.T) {
	c := localClient(t)
	act, err := c.API().CreateActivity(t.Context(), &sfn.CreateActivityInput{Name: aws.String(sfnlocal.Name(t, "boom"))})
	if err != nil {
		t.Fatal(err)
	}
	m := newMachine(t, c, "failing", fmt.Sprintf(`{"StartAt":"Check","States":{
		"Check":{"Type":"Choice","Choices":[{"Variable":"$.fail","BooleanEquals":true,"Next":"Boom"}],"Default":"Slow"},
		"Boom":{"Type":"Task","Resource":%q,"End":true},
		"Slow":{"Type":"Wait","Seconds":30,"End":true}}}`, aws.ToString(act.ActivityArn)))
	// The activity worker fails the task of the failing input.
	w, err := activity.NewWorker(c.API(), aws.ToString(act.ActivityArn), func(_ context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) {
		var v struct{ I int }
		_ = json.Unmarshal(in, &v)
		return nil, &activity.ActivityError{ErrorName: "Input.Bad", Cause: fmt.Sprintf("input %d is bad", v.I)}
	}, activity.Options{IdleDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	wctx, stopWorker := context.WithCancel(t.Context())
	defer stopWorker()
	go w.Run(wctx)

	inputs := make([]map[string]any, 20)
	for i := range inputs {
		inputs[i] = map[string]any{"i": i, "fail": i == 3}
	}
	cfg := fastConfig(10)
	cfg.ID = "failing"
	_, err = fanout.Fanout(t.Context(), c.API(), m.ARN, inputs, cfg)
	var ae *activity.ActivityError
	if !errors.As(err, &ae) {
		t.Fatalf("Fanout: %v; want an *activity.ActivityError", err)
	}
	if n := running(t, c, m.ARN); n != 0 {
		t.Errorf("%d executions still RUNNING after the failure", n)
	}
	// The error and cause are those the service recorded for the failed
	// execution (Step Functions: Input.Bad / input 3 is bad).
	failedList, err := c.Executions(t.Context(), m.ARN, types.ExecutionStatusFailed)
	if err != nil || len(failedList) != 1 || aws.ToString(failedList[0].Name) != "failing-3" {
		t.Fatalf("failed executions: %v %v; want failing-3 alone", failedList, err)
	}
	events, err := c.History(t.Context(), aws.ToString(failedList[0].ExecutionArn))
	if err != nil {
		t.Fatal(err)
	}
	var wantErr, wantCause string
	for _, ev := range events {
		if d := ev.ExecutionFailedEventDetails; d != nil {
			wantErr, wantCause = aws.ToString(d.Error), aws.ToString(d.Cause)
		}
	}
	if ae.ErrorName != wantErr || ae.Cause != wantCause {
		t.Errorf("ActivityError %q / %q; the history says %q / %q", ae.ErrorName, ae.Cause, wantErr, wantCause)
	}
	if ae.ErrorName != "Input.Bad" || ae.Cause != "input 3 is bad" {
		t.Errorf("ActivityError %q / %q, want Input.Bad / input 3 is bad (the activity's failure)", ae.ErrorName, ae.Cause)
	}
	all, err := c.Executions(t.Context(), m.ARN, "")
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[types.ExecutionStatus]int{}
	for _, e := range all {
		statuses[e.Status]++
	}
	// 10 launched (the first round), none after the failure: 1 failed, 9
	// stopped.
	if len(all) != 10 || statuses[types.ExecutionStatusFailed] != 1 || statuses[types.ExecutionStatusAborted] != 9 {
		t.Errorf("executions after the failure: %d, by status %v; want 10: 1 FAILED, 9 ABORTED", len(all), statuses)
	}
}

// Cancelling the blocking fan-out stops what it started.
func TestFanoutCancelStopsAll(t *testing.T) {
	c := localClient(t)
	m := waitMachine(t, c, 30)
	cfg := fastConfig(4)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for running(t, c, m.ARN) < 4 {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
	}()
	_, err := fanout.Fanout(ctx, c.API(), m.Name, []int{1, 2, 3, 4, 5, 6}, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fanout: %v, want context.Canceled", err)
	}
	if n := running(t, c, m.ARN); n != 0 {
		t.Errorf("%d executions still RUNNING after cancelling", n)
	}
}

// The resumable form: each round's state goes through JSON; one round's
// result is lost (a crash after it started executions), and the fan-out
// resumes from the state before it. It ends with exactly one execution
// per input, results in input order.
func TestResumeAfterCrash(t *testing.T) {
	c := localClient(t)
	m := waitMachine(t, c, 1)
	inputs := make([]json.RawMessage, 12)
	for i := range inputs {
		inputs[i] = json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))
	}
	cfg := fastConfig(4)
	cfg.ID = "resume"
	s, err := fanout.NewState(m.Name, inputs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	round := func(state json.RawMessage) json.RawMessage {
		t.Helper()
		out, err := fanout.Resume(t.Context(), c.API(), state, nil)
		if err != nil {
			t.Fatalf("Resume: %v", err)
		}
		return out
	}
	next := func(state json.RawMessage) int {
		var s fanout.State
		if err := json.Unmarshal(state, &s); err != nil {
			t.Fatal(err)
		}
		return s.Next
	}
	saved = round(saved) // launches 0-3
	// Run rounds until one both collects results and launches more; then
	// lose that round's state, as a crash before saving it would.
	for rounds := 0; ; rounds++ {
		time.Sleep(300 * time.Millisecond)
		lost := round(saved)
		if next(lost) > next(saved) {
			break
		}
		saved = lost
		if rounds > 100 {
			t.Fatalf("no round launched more: %s", saved)
		}
	}
	var final fanout.State
	for rounds := 0; ; rounds++ {
		saved = round(saved) // from the state before the crash
		if err := json.Unmarshal(saved, &final); err != nil {
			t.Fatal(err)
		}
		if final.Finished {
			break
		}
		if rounds > 100 {
			t.Fatalf("not finished after %d rounds: %s", rounds, saved)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for i, r := range final.Results {
		var got struct{ I int }
		if err := json.Unmarshal(r, &got); err != nil || got.I != i {
			t.Errorf("result %d = %s", i, r)
		}
	}
	all, err := c.Executions(t.Context(), m.ARN, "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range all {
		names = append(names, aws.ToString(e.Name))
	}
	sort.Strings(names)
	var want []string
	for i := range inputs {
		want = append(want, fanout.ExecutionName("resume", i))
	}
	sort.Strings(want)
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("executions %v, want exactly one per input: %v", names, want)
	}
}

// An input that is not an object gets no common keys; an execution name
// taken by another input is a clash, and running work is not stopped.
func TestCommonInputAndNameClash(t *testing.T) {
	c := localClient(t)
	m := waitMachine(t, c, 0)
	cfg := fastConfig(5)
	cfg.ID = "mixed"
	cfg.Common = map[string]any{"c": true}
	results, err := fanout.Fanout(t.Context(), c.API(), m.ARN, []any{7, "s", map[string]int{"x": 1}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %s %s", results[0], results[1], results[2])
	if want := `7 "s" {"c":true,"x":1}`; got != want {
		t.Errorf("results %s, want %s", got, want)
	}
	// Same id, different inputs: the names exist with other inputs.
	_, err = fanout.Fanout(t.Context(), c.API(), m.ARN, []int{1}, cfg)
	if !errors.Is(err, fanout.ErrNameClash) {
		t.Errorf("Fanout with a reused id: %v, want ErrNameClash", err)
	}
}

func TestNewStateErrors(t *testing.T) {
	base := fanout.DefaultConfig()
	tests := []struct {
		name string
		sm   string
		cfg  func(*fanout.Config)
		want string
	}{
		{"no machine", "", nil, "no state machine"},
		{"zero concurrency", "m", func(c *fanout.Config) { c.MaxConcurrent = 0 }, "MaxConcurrent must be positive"},
		{"backoff above 1", "m", func(c *fanout.Config) { c.RampupBackoff = 1.5 }, "RampupBackoff must be between 0 and 1"},
		{"negative delay", "m", func(c *fanout.Config) { c.PollDelay = -1 }, "must not be negative"},
		{"bad id", "m", func(c *fanout.Config) { c.ID = "a b" }, "only letters, digits"},
		{"long id", "m", func(c *fanout.Config) { c.ID = strings.Repeat("x", 65) }, "longer than 64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			_, err := fanout.NewState(tc.sm, []int{1}, cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewState: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestResumeBadState(t *testing.T) {
	tests := []struct{ state, want string }{
		{`[`, "fan-out state"},
		{`{"fanout_id":"x","sub_sfn":"m","max_concurrent":0}`, "max_concurrent must be positive"},
		{`{"fanout_id":"x","sub_sfn":"m","max_concurrent":1,"sub_args":[1],"results":[]}`, "1 inputs"},
		{`{"fanout_id":"x","sub_sfn":"m","max_concurrent":1,"sub_args":[1],"results":[null],"next":1,"running":[{"index":0}]}`, "bad running entry"},
	}
	for _, tc := range tests {
		_, err := fanout.Resume(t.Context(), nil, json.RawMessage(tc.state), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Resume(%s): %v, want %q", tc.state, err, tc.want)
		}
	}
}

// Launches pause for the ramp-up delay, and status calls keep to the
// rate limit (StatusDelay between calls).
func TestRampupAndStatusRate(t *testing.T) {
	c := localClient(t)
	m := waitMachine(t, c, 30)
	cfg := fastConfig(4)
	cfg.RampupDelay = 200 * time.Millisecond
	cfg.RampupBackoff = 0.5
	cfg.StatusDelay = 150 * time.Millisecond
	s, err := fanout.NewState(m.ARN, []int{1, 2, 3, 4}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { // stop what the test started
		for _, r := range s.Running {
			_ = c.StopExecution(context.Background(), r.ARN, "", "")
		}
	}()
	start := time.Now()
	if err := s.Step(t.Context(), c.API(), nil); err != nil {
		t.Fatal(err)
	}
	// 4 launches with pauses of 200, 100 and 50 ms between them.
	if d := time.Since(start); d < 350*time.Millisecond {
		t.Errorf("4 launches took %v; the ramp-up pauses add up to 350 ms", d)
	}
	if s.Next != 4 || s.RampupDelay != 0.025 {
		t.Errorf("after 4 launches: next %d, ramp-up %v s; want 4 and 0.025", s.Next, s.RampupDelay)
	}
	start = time.Now()
	if err := s.Step(t.Context(), c.API(), nil); err != nil {
		t.Fatal(err)
	}
	// 4 status calls, at most one per 150 ms (the first may go at once).
	if d := time.Since(start); d < 450*time.Millisecond {
		t.Errorf("a status round over 4 executions took %v; the rate limit allows no less than 450 ms", d)
	}
	if len(s.Running) != 4 {
		t.Errorf("%d running, want 4", len(s.Running))
	}
}

// An input the service refuses ends the fan-out: the running executions
// are stopped, and the state remembers the failure so that resuming it
// launches nothing more.
func TestRefusedInputStopsAll(t *testing.T) {
	c := localClient(t)
	m := waitMachine(t, c, 30)
	huge := map[string]string{"pad": strings.Repeat("x", 300*1024)} // over every input limit
	inputs := []any{map[string]int{"i": 0}, map[string]int{"i": 1}, huge, map[string]int{"i": 3}}
	cfg := fastConfig(4)
	s, err := fanout.NewState(m.ARN, inputs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Step(t.Context(), c.API(), nil)
	if err == nil || !strings.Contains(err.Error(), "starting "+fanout.ExecutionName(s.ID, 2)) {
		t.Fatalf("Step: %v; want the refused start of input 2", err)
	}
	var ae *activity.ActivityError
	if errors.As(err, &ae) {
		t.Errorf("a refused input is not a sub-execution failure: %v", err)
	}
	if n := running(t, c, m.ARN); n != 0 {
		t.Errorf("%d executions still RUNNING", n)
	}
	if !s.Finished || s.Failure == nil || s.Failure.Error != fanout.ErrorNameFailed {
		t.Errorf("state after the failure: finished %v, failure %+v", s.Finished, s.Failure)
	}
	err = s.Step(t.Context(), c.API(), nil)
	if !errors.As(err, &ae) || ae.ErrorName != fanout.ErrorNameFailed {
		t.Errorf("Step after the failure: %v; want the recorded failure", err)
	}
	all, err := c.Executions(t.Context(), m.ARN, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Errorf("%d executions started, want 2 (inputs 0 and 1)", len(all))
	}
}
