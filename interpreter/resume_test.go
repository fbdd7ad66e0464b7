package interpreter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

// resumeMachine mixes what a resume must get right: a Pass chain, a task
// retried once, a Wait, a Parallel of two branches with tasks and a Map of
// five iterations with tasks.
const resumeMachine = `{"StartAt":"P","States":{
 "P":{"Type":"Pass","Result":{"n":1},"ResultPath":"$.p","Next":"T"},
 "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","ResultPath":"$.t",
      "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":2,"MaxAttempts":2}],"Next":"W"},
 "W":{"Type":"Wait","Seconds":30,"Next":"Par"},
 "Par":{"Type":"Parallel","ResultPath":"$.par","Next":"M","Branches":[
   {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"a","Payload.$":"$.p"},"ResultSelector":{"v.$":"$.Payload"},"Next":"A2"},
                           "A2":{"Type":"Pass","End":true}}},
   {"StartAt":"B","States":{"B":{"Type":"Wait","Seconds":5,"Next":"B2"},"B2":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:b","End":true}}}]},
 "M":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.m","MaxConcurrency":3,"End":true,
      "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:i","End":true}}}}}}`

const resumeInput = `{"items":[1,2,3,4,5]}`

// countingResolver answers every task from its input, fails T's first
// attempt with Flaky, and counts the calls per state.
type countingResolver struct {
	mu    sync.Mutex
	calls map[string]int
	fail  func(req *interpreter.TaskRequest) bool
}

func (r *countingResolver) ResolveTask(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
	r.mu.Lock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[req.StateName]++
	r.mu.Unlock()
	if req.StateName == "T" && req.Attempt == 0 {
		return nil, &interpreter.ExecutionError{Name: "Flaky", Cause: "first attempt"}
	}
	if r.fail != nil && r.fail(req) {
		return nil, &interpreter.ExecutionError{Name: "Boom", Cause: string(req.Input)}
	}
	if req.StateName == "A" {
		return []byte(fmt.Sprintf(`{"Payload":%s}`, req.Input)), nil
	}
	return []byte(fmt.Sprintf(`{"state":%q,"in":%s}`, req.StateName, req.Input)), nil
}

func (r *countingResolver) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		n += c
	}
	return n
}

// runKeyed runs the machine with keys, recording its events.
func runKeyed(t *testing.T, m *interpreter.Machine, clock interpreter.Clock, res interpreter.TaskResolver, opts ...interpreter.Option) (*interpreter.Result, []interpreter.Event) {
	t.Helper()
	var mu sync.Mutex
	var evs []interpreter.Event
	opts = append([]interpreter.Option{interpreter.WithClock(clock), interpreter.WithExecutionName("e"),
		interpreter.WithTaskResolver(res), interpreter.WithResumable(), interpreter.WithMaxEvents(0),
		interpreter.WithEventHook(func(e interpreter.Event) {
			mu.Lock()
			evs = append(evs, e)
			mu.Unlock()
		})}, opts...)
	r, _ := m.Run(context.Background(), []byte(resumeInput), opts...)
	return r, evs
}

// shape is an event without its ids and time: key, type and details.
func shape(e interpreter.Event) string {
	e.ID, e.PreviousEventID, e.Timestamp = 0, 0, time.Time{}
	b, _ := json.Marshal(e)
	return e.Key + " " + string(b)
}

// through returns events up to and including the first of type typ (all
// of them when there is none): a history cut short there.
func through(events []interpreter.Event, typ string) []interpreter.Event {
	for i, e := range events {
		if e.Type == typ {
			return events[: i+1 : i+1]
		}
	}
	return events
}

func shapes(evs []interpreter.Event) []string {
	var s []string
	for _, e := range evs {
		s = append(s, shape(e))
	}
	sort.Strings(s)
	return s
}

// A run stopped after any number of events and resumed from that prefix
// ends as an uninterrupted run does, emitting exactly the events the
// prefix lacks (no gap, no duplicate), calling the resolver only for tasks
// whose outcome was not recorded, and keeping every id of the prefix.
func TestResumeFromEveryPrefix(t *testing.T) {
	m, err := interpreter.Compile([]byte(resumeMachine))
	if err != nil {
		t.Fatal(err)
	}
	full := &countingResolver{}
	want, all := runKeyed(t, m, interpreter.NewVirtualClock(xt0), full)
	if want.Status != interpreter.StatusSucceeded {
		t.Fatalf("uninterrupted run: %s %s %s", want.Status, want.Error, want.Cause)
	}
	keys := map[string]bool{}
	for _, e := range all {
		if e.Key == "" || keys[e.Key] {
			t.Fatalf("event %d %s has key %q (empty or repeated)", e.ID, e.Type, e.Key)
		}
		keys[e.Key] = true
	}
	for k := 1; k < len(all); k++ {
		prefix := append([]interpreter.Event(nil), all[:k]...)
		// A record in emission order may stop anywhere; the last event's
		// time is the time of the "crash".
		clock := interpreter.NewVirtualClock(prefix[k-1].Timestamp)
		res := &countingResolver{}
		got, more := runKeyed(t, m, clock, res, interpreter.WithResume(prefix))
		if got.Status != want.Status || string(got.Output) != string(want.Output) {
			t.Fatalf("prefix %d: %s %s (%s %s), want %s %s", k, got.Status, got.Output, got.Error, got.Cause, want.Status, want.Output)
		}
		if diff := cmpStrings(shapes(all), shapes(append(prefix, more...))); diff != "" {
			t.Fatalf("prefix %d: history differs from the uninterrupted one:\n%s", k, diff)
		}
		seen := map[int64]bool{}
		for _, e := range append(prefix, more...) {
			if seen[e.ID] {
				t.Fatalf("prefix %d: id %d twice", k, e.ID)
			}
			seen[e.ID] = true
		}
		// Tasks whose outcome is in the prefix are not run again.
		outcomes := 0
		for _, e := range prefix {
			if strings.HasSuffix(e.Type, "Succeeded") && (strings.HasPrefix(e.Type, "Task") || strings.HasPrefix(e.Type, "Lambda")) ||
				e.Type == "LambdaFunctionFailed" {
				outcomes++
			}
		}
		if calls := res.total(); calls > full.total()-outcomes {
			t.Fatalf("prefix %d: %d resolver calls after %d recorded outcomes, want at most %d", k, calls, outcomes, full.total()-outcomes)
		}
	}
}

// A Wait resumed after part of its time keeps its original deadline, and
// the execution timeout counts from the original start.
func TestResumeKeepsDeadlines(t *testing.T) {
	const def = `{"TimeoutSeconds":100,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"Next":"W2"},"W2":{"Type":"Wait","Seconds":60,"End":true}}}`
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	_, all := runKeyed(t, m, interpreter.NewVirtualClock(xt0), &countingResolver{})
	// Stop after WaitStateEntered (event 2); resume 20 s later.
	clock := interpreter.NewVirtualClock(xt0.Add(20 * time.Second))
	got, more := runKeyed(t, m, clock, &countingResolver{}, interpreter.WithResume(all[:2]))
	if s := clock.Sleeps(); len(s) == 0 || s[0] != 40*time.Second {
		t.Fatalf("sleeps %v, want the first to be the 40 s left of the Wait", s)
	}
	if got.Status != interpreter.StatusTimedOut {
		t.Fatalf("status %s, want TIMED_OUT at 100 s from the original start", got.Status)
	}
	if last := more[len(more)-1]; !last.Timestamp.Equal(xt0.Add(100 * time.Second)) {
		t.Fatalf("timed out at %v, want %v", last.Timestamp, xt0.Add(100*time.Second))
	}
	if got.StartDate != xt0 {
		t.Fatalf("start %v, want the original %v", got.StartDate, xt0)
	}
}

// Redrive (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html):
// the execution continues from the failed state; inside a Map only the
// failed and not-run iterations run again, inside a Parallel only the
// failed branch; the successful steps are not run again.
func TestRedriveRunsOnlyWhatFailed(t *testing.T) {
	m, err := interpreter.Compile([]byte(resumeMachine))
	if err != nil {
		t.Fatal(err)
	}
	broken := true
	first := &countingResolver{fail: func(req *interpreter.TaskRequest) bool {
		return broken && (req.StateName == "B2" || (req.StateName == "I" && string(req.Input) == "3"))
	}}
	r1, h := runKeyed(t, m, interpreter.NewVirtualClock(xt0), first)
	if r1.Status != interpreter.StatusFailed || r1.Error != "Boom" {
		t.Fatalf("first run: %s %s", r1.Status, r1.Error)
	}
	// Redrive 1: the Parallel's branch B fails no more; the Map's item 3 still does.
	first.fail = func(req *interpreter.TaskRequest) bool { return req.StateName == "I" && string(req.Input) == "3" }
	redrive := func(h []interpreter.Event, n int) []interpreter.Event {
		last := h[len(h)-1]
		return append(h, interpreter.Event{ID: last.ID + 1, PreviousEventID: last.ID, Timestamp: last.Timestamp.Add(time.Minute), Type: "ExecutionRedriven"})
	}
	h = redrive(h, 1)
	res := &countingResolver{fail: first.fail}
	r2, more := runKeyed(t, m, interpreter.NewVirtualClock(h[len(h)-1].Timestamp), res, interpreter.WithResume(h))
	if r2.Status != interpreter.StatusFailed {
		t.Fatalf("redrive 1: %s %s", r2.Status, r2.Output)
	}
	// Branch A ran again only if the failure of B aborted it before its
	// task's outcome was recorded.
	aDone := 0
	for _, e := range h {
		if e.Type == "TaskSucceeded" {
			aDone = 1
		}
	}
	if res.calls["T"] != 0 || res.calls["A"] != 1-aDone || res.calls["B2"] != 1 {
		t.Fatalf("redrive 1 ran %v (A finished before: %d); want only B2 of the Parallel and the Map", res.calls, aDone)
	}
	if more[0].Type == "ExecutionStarted" {
		t.Fatalf("redrive started the execution again")
	}
	h = redrive(append(h, more...), 2)
	res = &countingResolver{}
	r3, _ := runKeyed(t, m, interpreter.NewVirtualClock(h[len(h)-1].Timestamp), res, interpreter.WithResume(h))
	want, _ := runKeyed(t, m, interpreter.NewVirtualClock(xt0), &countingResolver{})
	if r3.Status != interpreter.StatusSucceeded || string(r3.Output) != string(want.Output) {
		t.Fatalf("redrive 2: %s %s, want %s", r3.Status, r3.Output, want.Output)
	}
	// Only the Map's unfinished iterations ran: the failed one and those
	// aborted or never started; never the Parallel or T again.
	if res.calls["T"]+res.calls["A"]+res.calls["B2"] != 0 || res.calls["I"] == 0 || res.calls["I"] == 5 {
		t.Fatalf("redrive 2 ran %v", res.calls)
	}
}

func cmpStrings(a, b []string) string {
	var d []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || (i < len(a) && a[i] < b[j]):
			d = append(d, "- "+a[i])
			i++
		case i >= len(a) || b[j] < a[i]:
			d = append(d, "+ "+b[j])
			j++
		default:
			i++
			j++
		}
	}
	return strings.Join(d, "\n")
}

// stoppedInFlight compiles def, whose one Task never answers (block),
// runs it on a virtual clock with instant timers, and returns the history
// cut after the first event of type last: an execution stopped while its
// task was in flight.
func stoppedInFlight(t *testing.T, def, last string) (*interpreter.Machine, interpreter.TaskFunc, []interpreter.Event) {
	t.Helper()
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	block := interpreter.TaskFunc(func(ctx context.Context, _ *interpreter.TaskRequest) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	first := instantTimers{interpreter.NewVirtualClock(xt0), make(chan time.Duration, 1)}
	_, all := runKeyed(t, m, first, block)
	return m, block, through(all, last)
}

// A task in flight when the execution stopped keeps its TimeoutSeconds
// deadline when resumed: its timer runs for what is left.
func TestResumedTaskKeepsItsTimeout(t *testing.T) {
	const def = `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","TimeoutSeconds":10,"End":true}}}`
	// Stop after LambdaFunctionStarted (event 4), resume 8 s later.
	m, block, prefix := stoppedInFlight(t, def, "LambdaFunctionStarted")
	clock := instantTimers{interpreter.NewVirtualClock(prefix[len(prefix)-1].Timestamp.Add(8 * time.Second)), make(chan time.Duration, 1)}
	res, _ := runKeyed(t, m, clock, block, interpreter.WithResume(prefix))
	if d := <-clock.fired; d != 2*time.Second {
		t.Errorf("timer of %v, want the 2 s left of 10 s", d)
	}
	if res.Error != interpreter.ErrTimeout {
		t.Errorf("error %s, want States.Timeout", res.Error)
	}
}

// A task in flight when the execution stopped keeps its heartbeat
// deadline when resumed: HeartbeatSeconds count from the last heartbeat
// the caller recorded (WithHeartbeatDeadlines), or without one from the
// task's last recorded event, not from the resume (AWS: a failure of the
// service does not extend a HeartbeatSeconds deadline).
func TestResumedTaskKeepsItsHeartbeat(t *testing.T) {
	const def = `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:a","HeartbeatSeconds":5,"End":true}}}`
	m, block, prefix := stoppedInFlight(t, def, "ActivityStarted")
	started := prefix[len(prefix)-1].Timestamp
	for _, tc := range []struct {
		name string
		beat time.Duration // after the task's start; 0: none recorded
		want time.Duration
	}{
		{"no heartbeat recorded", 0, 2 * time.Second},
		{"heartbeat recorded", 2 * time.Second, 4 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked []string
			deadlines := interpreter.WithHeartbeatDeadlines(func(id, token string) (time.Time, bool) {
				asked = append(asked, id)
				if tc.beat == 0 {
					return time.Time{}, false
				}
				return started.Add(tc.beat + 5*time.Second), true
			})
			// Resumed 3 s after the task started.
			clock := instantTimers{interpreter.NewVirtualClock(started.Add(3 * time.Second)), make(chan time.Duration, 1)}
			res, _ := runKeyed(t, m, clock, block, interpreter.WithResume(prefix), deadlines)
			if d := <-clock.fired; d != tc.want {
				t.Errorf("heartbeat timer of %v, want %v", d, tc.want)
			}
			if res.Error != interpreter.ErrHeartbeatTimeout {
				t.Errorf("error %s, want States.HeartbeatTimeout", res.Error)
			}
			if len(asked) != 1 || asked[0] == "" {
				t.Errorf("deadline asked for %q, want the task's id once", asked)
			}
		})
	}
}

// A distributed Map's run goes on after its execution is resumed
// (WithMapRunRecords): the resumed execution keeps the run's ARN and emits
// no second MapRunStarted; children recorded as ended are not run again
// and keep their results; a running STANDARD child resumes from its
// recorded history (its finished task is not run again); a running child
// without a history starts again under its name; the output and counts are
// those of an uninterrupted run.
func TestResumeDistributedMapRun(t *testing.T) {
	const def = `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","End":true,
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"A","States":{
	   "A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:a","Next":"B"},
	   "B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:b","End":true}}}}}}`
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	// Records children as the server does: their starts, events and ends.
	type child struct {
		c   interpreter.ChildExecution
		evs []interpreter.Event
	}
	var mu sync.Mutex
	var runs []*interpreter.MapRun
	kids := map[string]*child{}
	hook := interpreter.WithMapRunHook(func(r *interpreter.MapRun) {
		mu.Lock()
		runs = append(runs, r)
		mu.Unlock()
		r.SetChildHook(func(c interpreter.ChildExecution) func(interpreter.Event) {
			mu.Lock()
			k := &child{c: c}
			kids[c.Name] = k
			mu.Unlock()
			return func(e interpreter.Event) {
				mu.Lock()
				k.evs = append(k.evs, e)
				mu.Unlock()
			}
		})
		r.SetChildEndHook(func(c interpreter.ChildExecution) {
			mu.Lock()
			kids[c.Name].c = c
			mu.Unlock()
		})
	})
	res := &countingResolver{}
	input := []byte(`{"items":[1,2,3,4,5]}`)
	run := func(res interpreter.TaskResolver, opts ...interpreter.Option) (*interpreter.Result, []interpreter.Event) {
		var evs []interpreter.Event
		opts = append([]interpreter.Option{interpreter.WithClock(interpreter.NewVirtualClock(xt0)), interpreter.WithExecutionName("e"),
			interpreter.WithTaskResolver(res), interpreter.WithResumable(), hook,
			interpreter.WithEventHook(func(e interpreter.Event) { evs = append(evs, e) })}, opts...)
		r, err := m.Run(context.Background(), input, opts...)
		if r == nil {
			t.Fatal(err)
		}
		return r, evs
	}
	want, parent := run(res)
	if want.Status != interpreter.StatusSucceeded || len(runs) != 1 {
		t.Fatalf("%s %s, %d runs", want.Status, want.Cause, len(runs))
	}
	wantInfo := runs[0].Info()
	// The record as a crash could leave it: the parent up to its
	// MapRunStarted; children of items 0 and 1 ended, 2 running after
	// its task A (its history up to A's outcome), 3 running with no
	// history, 4 never started.
	prefix := through(parent, "MapRunStarted")
	rec := &interpreter.MapRunRecord{Info: wantInfo}
	byIndex := map[int]*child{}
	for _, k := range kids {
		byIndex[k.c.Index] = k
	}
	for i := 0; i < 4; i++ {
		k := byIndex[i]
		rc := interpreter.RecordedChild{ChildExecution: k.c}
		switch i {
		case 2:
			rc.Status, rc.StopDate, rc.Output = "", time.Time{}, ""
			for _, e := range k.evs {
				rc.History = append(rc.History, e)
				if e.Type == "LambdaFunctionSucceeded" {
					break
				}
			}
		case 3:
			rc.Status, rc.StopDate, rc.Output = "", time.Time{}, ""
		}
		rec.Children = append(rec.Children, rc)
	}
	runs, kids = nil, map[string]*child{}
	again := &countingResolver{}
	got, evs := run(again, interpreter.WithResume(prefix), interpreter.WithMapRunRecords(func(arn string) (*interpreter.MapRunRecord, error) {
		if arn != wantInfo.ARN {
			t.Errorf("record asked for %s, want %s", arn, wantInfo.ARN)
		}
		return rec, nil
	}))
	if got.Status != want.Status || string(got.Output) != string(want.Output) {
		t.Errorf("resumed: %s %s, want %s %s", got.Status, got.Output, want.Status, want.Output)
	}
	for _, e := range evs {
		if e.Type == "MapRunStarted" || e.Type == "MapStateStarted" {
			t.Errorf("resumed run emitted %s again", e.Type)
		}
	}
	if len(runs) != 1 || runs[0].Info().ARN != wantInfo.ARN {
		t.Fatalf("resumed runs %d, want the run %s again", len(runs), wantInfo.ARN)
	}
	info := runs[0].Info()
	if info.ItemCounts != wantInfo.ItemCounts || info.ExecutionCounts != wantInfo.ExecutionCounts || !info.StartDate.Equal(wantInfo.StartDate) {
		t.Errorf("resumed run %+v\nwant %+v", info, wantInfo)
	}
	// A: items 3 and 4; B: items 2, 3 and 4.
	if again.calls["A"] != 2 || again.calls["B"] != 3 {
		t.Errorf("tasks run again: %v, want A twice and B three times", again.calls)
	}
	// Children that ran kept their names; child 2 continued its history.
	for i := 2; i <= 3; i++ {
		k := kids[byIndex[i].c.Name]
		if k == nil {
			t.Errorf("child of item %d did not keep its name %s", i, byIndex[i].c.Name)
			continue
		}
		if i == 2 && (len(k.evs) == 0 || k.evs[0].ID != int64(len(rec.Children[2].History))+1 || k.evs[0].Type == "ExecutionStarted") {
			t.Errorf("child of item 2 resumed with events %v, want its history continued", shapes(k.evs))
		}
	}
	if len(kids) != 3 {
		t.Errorf("%d children ran, want 3 (items 2, 3 and 4)", len(kids))
	}
}

// Tolerated failures go on counting across a resume: children recorded as
// failed count against the run's ToleratedFailureCount, so a resumed run
// whose record already holds more failures than it tolerates fails with
// States.ExceedToleratedFailureThreshold without starting more children,
// as the uninterrupted run would have.
func TestResumedMapRunKeepsItsFailures(t *testing.T) {
	const def = `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,"ToleratedFailureCount":1,"End":true,
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"A","States":{
	   "A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:a","End":true}}}}}}`
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	var run *interpreter.MapRun
	var parent []interpreter.Event
	res := &countingResolver{fail: func(req *interpreter.TaskRequest) bool { return true }}
	opts := []interpreter.Option{interpreter.WithClock(interpreter.NewVirtualClock(xt0)), interpreter.WithExecutionName("e"),
		interpreter.WithResumable(), interpreter.WithEventHook(func(e interpreter.Event) { parent = append(parent, e) }),
		interpreter.WithMapRunHook(func(r *interpreter.MapRun) { run = r })}
	r, _ := m.Run(context.Background(), []byte(`{"items":[1,2,3,4]}`), append(opts, interpreter.WithTaskResolver(res))...)
	if r.Error != "States.ExceedToleratedFailureThreshold" {
		t.Fatalf("uninterrupted run: %s %s", r.Status, r.Error)
	}
	prefix := through(parent, "MapRunStarted")
	rec := &interpreter.MapRunRecord{Info: run.Info()}
	for i := range 2 {
		rec.Children = append(rec.Children, interpreter.RecordedChild{ChildExecution: interpreter.ChildExecution{
			ExecutionARN: fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:x:c%d", i), Name: fmt.Sprintf("c%d", i), Index: i,
			Status: interpreter.StatusFailed, StartDate: xt0, StopDate: xt0, Input: "1", Error: "Boom", Cause: "1"}})
	}
	again := &countingResolver{}
	parent = nil
	r, _ = m.Run(context.Background(), []byte(`{"items":[1,2,3,4]}`), append(opts, interpreter.WithTaskResolver(again), interpreter.WithResume(prefix),
		interpreter.WithMapRunRecords(func(string) (*interpreter.MapRunRecord, error) { return rec, nil }))...)
	if r.Error != "States.ExceedToleratedFailureThreshold" || again.total() != 0 {
		t.Errorf("resumed: %s %s with %d tasks run, want States.ExceedToleratedFailureThreshold and none", r.Status, r.Error, again.total())
	}
	if c := run.Info().ExecutionCounts; c.Failed != 2 || c.Total != 2 {
		t.Errorf("resumed run's executions %+v, want the 2 recorded failures", c)
	}
}
