package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"sync"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/store"
)

// Resuming executions after a restart.
//
// Every Standard execution runs with interpreter.WithResumable: each
// stored event carries the interpreter's key (the hidden last member
// "hscKey" of its stored JSON, cut off before it is served). At start-up
// the server reads the RUNNING executions from the store and runs each
// again with interpreter.WithResume over its stored history: the
// interpreter replays what is recorded (task outcomes, waits, branches
// and iterations that finished) without emitting or running it again and
// goes on live where the record ends, so the history continues without a
// gap or a duplicate. Activity tokens are derived from the execution and
// the task's key, so a worker that took a task before the restart can
// still answer it (the task is not queued again); a task scheduled but
// not handed out is queued again; a .waitForTaskToken task waits for the
// same token; the work of a task command or mock in flight runs again
// (at least once). Asynchronous Express executions are stored while they
// run and start again from the beginning; synchronous ones are not
// stored: their caller's connection ends with the process.

// resumeGrace is how long after resuming SendTask… waits for a token that
// is not live yet: a resumed execution makes its tokens live when its
// replay reaches them.
const resumeGrace = 15 * time.Second

// answerCommitWait bounds how long SendTask… waits for the execution to
// store the outcome event before answering.
const answerCommitWait = 10 * time.Second

// checkpoint is what the server keeps with an execution beside its
// history (store.Tx.PutCheckpoint).
type checkpoint struct {
	TestCase string `json:"testCase,omitempty"`
	// RedriveToken is the clientToken of the last RedriveExecution.
	RedriveToken string `json:"redriveToken,omitempty"`
}

// resumeAll runs again every execution the store holds as RUNNING.
func (s *Server) resumeAll(ctx context.Context) error {
	var list []*store.Execution
	page := store.Page{Limit: 500}
	for {
		var next string
		err := s.store.View(ctx, func(tx store.Tx) error {
			l, n, err := tx.ListExecutions(store.ExecutionFilter{Status: store.StatusRunning}, page)
			list, next = append(list, l...), n
			return err
		})
		if err != nil {
			return fmt.Errorf("server: list running executions: %w", err)
		}
		if next == "" {
			break
		}
		page.After = next
	}
	if len(list) == 0 {
		return nil
	}
	s.resumeUntil = time.Now().Add(resumeGrace)
	// Oldest first, as they were started.
	for i := len(list) - 1; i >= 0; i-- {
		if err := s.resume(ctx, list[i]); err != nil {
			return err
		}
	}
	s.log.Info("resumed running executions", "count", len(list))
	return nil
}

// resume runs one stored RUNNING execution again.
func (s *Server) resume(ctx context.Context, e *store.Execution) error {
	var cp checkpoint
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		cp, err = readCheckpoint(tx, e.ARN)
		return err
	})
	if err != nil {
		return fmt.Errorf("server: resume %s: %w", e.ARN, err)
	}
	tg := &target{machineARN: e.StateMachineARN, machineName: e.MachineName, versionARN: e.VersionARN, aliasARN: e.AliasARN,
		definition: e.Definition, roleARN: e.RoleARN, revision: e.RevisionID, updated: e.MachineUpdated}
	var mock interpreter.TaskResolver
	fail := func(cause string) {
		s.log.Error("cannot resume execution", "execution", e.ARN, "cause", cause)
		if !e.Express {
			rec := &recorder{s: s, arn: e.ARN, clock: interpreter.RealClock{}, ids: map[int64]int64{}, next: e.EventCount + 1}
			s.finish(rec, store.StatusFailed, "States.Runtime", "hsc serve could not resume the execution after a restart: "+cause)
		}
	}
	if cp.TestCase != "" {
		if s.cfg.Mock == nil {
			fail(fmt.Sprintf("mock test case %q, but the server has no mock configuration", cp.TestCase))
			return nil
		}
		if mock, err = s.cfg.Mock.Resolver(e.MachineName, cp.TestCase); err != nil {
			fail(err.Error())
			return nil
		}
	}
	m, err := s.compiled(tg)
	if err != nil {
		fail(err.Error())
		return nil
	}
	if e.Express {
		tg.typ = "EXPRESS"
		s.launchExpress(m, tg, e.ARN, e.Name, e.Input, mock)
		return nil
	}
	h, err := s.loadHistory(ctx, e.ARN)
	if err != nil {
		return fmt.Errorf("server: resume %s: %w", e.ARN, err)
	}
	s.launchRun(m, e, mock, h)
	return nil
}

// loadHistory reads an execution's stored history, page by page, as the
// interpreter's events with their keys.
func (s *Server) loadHistory(ctx context.Context, arn string) ([]interpreter.Event, error) {
	var h []interpreter.Event
	page := store.Page{Limit: 1000}
	for {
		var next string
		err := s.store.View(ctx, func(tx store.Tx) error {
			evs, n, err := tx.Events(arn, false, page)
			if err != nil {
				return err
			}
			for _, se := range evs {
				ev, err := decodeEvent(se.JSON)
				if err != nil {
					return fmt.Errorf("event %d: %w", se.ID, err)
				}
				h = append(h, ev)
			}
			next = n
			return nil
		})
		if err != nil {
			return nil, err
		}
		if next == "" {
			return h, nil
		}
		page.After = next
	}
}

// storedEvent reads a stored event: the wire form with its hidden key.
type storedEvent struct {
	*interpreter.Event
	ID              int64   `json:"id"`
	PreviousEventID int64   `json:"previousEventId"`
	Timestamp       float64 `json:"timestamp"`
	Key             string  `json:"hscKey"`
}

func decodeEvent(data []byte) (interpreter.Event, error) {
	var ev interpreter.Event
	se := storedEvent{Event: &ev}
	if err := json.Unmarshal(data, &se); err != nil {
		return ev, err
	}
	ev.ID, ev.PreviousEventID, ev.Key = se.ID, se.PreviousEventID, se.Key
	ev.Timestamp = time.UnixMilli(int64(math.Round(se.Timestamp * 1000)))
	return ev, nil
}

var keyMember = []byte(`,"hscKey":`)

// stripKey cuts the hidden key off a stored event.
func stripKey(data []byte) []byte {
	if i := bytes.LastIndex(data, keyMember); i >= 0 {
		return append(data[:i:i], '}')
	}
	return data
}

// seedFor is the random seed of an execution: the same on every run of
// it, so that a resumed execution draws the numbers the first run drew
// (jitter, States.UUID, States.MathRandom) where the order is fixed.
func seedFor(arn string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(arn))
	return h.Sum64()
}

// resuming reports whether the server resumed executions lately enough
// that a token may not be live yet.
func (s *Server) resuming() bool {
	return !s.resumeUntil.IsZero() && time.Now().Before(s.resumeUntil)
}

// waitLive waits (while resuming) until token is live, ended, or ctx is
// done; it reports whether the token is live.
func (s *Server) waitLive(ctx context.Context, token string) bool {
	for s.resuming() && !s.tasks.isEnded(token) {
		if _, ok := s.tasks.lookup(token); ok {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	_, ok := s.tasks.lookup(token)
	return ok
}

// liveTask returns the live task of a token, waiting for it while
// executions are being resumed.
func (s *Server) liveTask(ctx context.Context, token string) (*task, bool) {
	if t, ok := s.tasks.lookup(token); ok {
		return t, true
	}
	if !s.waitLive(ctx, token) {
		return nil, false
	}
	return s.tasks.lookup(token)
}

// deliver answers a task and waits until its execution has stored the
// outcome, so that an answer acknowledged is never lost by a crash.
func (s *Server) deliver(ctx context.Context, token string, a taskAnswer) error {
	t, ok := s.tasks.answer(token, a)
	if !ok && s.waitLive(ctx, token) {
		t, ok = s.tasks.answer(token, a)
	}
	if !ok {
		return s.deadToken(token)
	}
	if t.committed != nil {
		timer := time.NewTimer(answerCommitWait)
		defer timer.Stop()
		select {
		case err := <-t.committed:
			if err != nil {
				return errNotStored
			}
		case <-timer.C:
			s.log.Warn("task answer not stored in time", "wait", answerCommitWait)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// storeExpress keeps an asynchronous Express execution while it runs so
// that a restart runs it again (AWS: at least once).
func (s *Server) storeExpress(ctx context.Context, e *store.Execution, testCase string) error {
	return s.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateExecution(e); err != nil {
			return err
		}
		return putCheckpoint(tx, e.ARN, testCase)
	})
}

// putCheckpoint stores what a resume needs beyond the history.
func putCheckpoint(tx store.Tx, arn, testCase string) error {
	if testCase == "" {
		return nil
	}
	return writeCheckpoint(tx, arn, checkpoint{TestCase: testCase})
}

// dropExpress forgets an Express execution that ended.
func (s *Server) dropExpress(arn string) {
	err := s.store.Update(context.Background(), func(tx store.Tx) error {
		err := tx.DeleteExecution(arn)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		s.log.Error("forget ended Express execution", "execution", arn, "err", err)
	}
}

// resumeClock is the clock of a resumed execution: it goes on from the
// time its history stopped (virtual time) or from its start (scaled).
func (s *Server) resumeClock(e *store.Execution, h []interpreter.Event) interpreter.Clock {
	switch {
	case s.cfg.VirtualTime:
		t := e.Start
		if len(h) > 0 {
			t = h[len(h)-1].Timestamp
		}
		return interpreter.NewVirtualClock(t)
	case s.cfg.WaitScale == 1:
		return interpreter.RealClock{}
	}
	return &scaledClock{start: e.Start, scale: s.cfg.WaitScale}
}

// prepareResume sets the recorder up for the stored history h: replayed
// events keep their ids, new ones follow, and activity tasks scheduled
// but not taken by a worker keep their details for their ActivityStarted.
func (r *recorder) prepareResume(h []interpreter.Event) {
	started := map[int64]bool{}
	for _, ev := range h {
		r.base = max(r.base, ev.ID)
		if ev.Type == "ActivityStarted" {
			started[ev.PreviousEventID] = true
		}
	}
	r.next = r.base + 1
	for _, ev := range h {
		if ev.Type == "ActivityScheduled" && !started[ev.ID] && ev.ActivityScheduledEventDetails != nil {
			if r.scheduled == nil {
				r.scheduled = map[int64]*interpreter.ActivityScheduledDetails{}
			}
			r.scheduled[ev.ID] = ev.ActivityScheduledEventDetails
		}
	}
}

// errStoreFailed is the cancel cause of a run whose events could not be
// stored.
var errStoreFailed = errors.New("the store refused the execution's history")

// retryResume resumes an execution whose run stopped because the store
// refused its events: once the run has ended and the store takes writes
// again, it tries again, backing off up to 10 s, until the execution is
// resumed, is no longer RUNNING, or the server closes.
func (s *Server) retryResume(arn string) {
	defer s.stalled.done(arn)
	if !s.track() {
		return
	}
	defer s.wg.Done()
	if r := s.runs.get(arn); r != nil {
		select {
		case <-r.done:
		case <-s.ctx.Done():
			return
		}
	}
	wait := 500 * time.Millisecond
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
		if s.runs.get(arn) != nil {
			return // running again (a redrive, say)
		}
		// The record is written back unchanged: a resume only once the
		// store takes writes again, not a run that fails at its first
		// event and comes back here every half second while the disk
		// stays full or read-only.
		var e *store.Execution
		err := s.store.Update(s.ctx, func(tx store.Tx) error {
			var err error
			if e, err = tx.GetExecution(arn); err != nil || e.Status != store.StatusRunning {
				return err
			}
			return tx.PutExecution(e)
		})
		if errors.Is(err, store.ErrNotFound) || err == nil && e.Status != store.StatusRunning {
			return
		}
		if err != nil {
			continue
		}
		if err := s.resume(s.ctx, e); err == nil {
			s.log.Info("resumed an execution after a store failure", "execution", arn)
			return
		}
	}
}

// stalledRuns counts, per execution, the runs stopped by a store failure
// that retryResume has not yet resumed or given up on.
type stalledRuns struct {
	mu sync.Mutex
	n  map[string]int
}

func (st *stalledRuns) add(arn string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.n == nil {
		st.n = map[string]int{}
	}
	st.n[arn]++
}

func (st *stalledRuns) done(arn string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.n[arn]--; st.n[arn] <= 0 {
		delete(st.n, arn)
	}
}

func (st *stalledRuns) has(arn string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.n[arn] > 0
}
