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
// stored: their caller's connection ends with the process. A distributed
// Map's run goes on as the same run (see "Map runs across a restart"
// below), and a task in flight keeps its heartbeat deadline (durableBeat).

// resumeGrace is how long after resuming SendTask… waits for a token that
// is not live yet: a resumed execution makes its tokens live when its
// replay reaches them.
const resumeGrace = 15 * time.Second

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
			rec := &recorder{s: s, arn: e.ARN, clock: interpreter.RealClock{}, next: e.EventCount + 1}
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
	return s.readHistory(ctx, arn, store.Tx.Events)
}

// readHistory reads the stored events of arn through events (an
// execution's or a map run child's), page by page, as the interpreter's
// events with their keys.
func (s *Server) readHistory(ctx context.Context, arn string,
	events func(tx store.Tx, arn string, reverse bool, page store.Page) ([]store.Event, string, error)) ([]interpreter.Event, error) {
	var h []interpreter.Event
	page := store.Page{Limit: 1000}
	for {
		var next string
		err := s.store.View(ctx, func(tx store.Tx) error {
			evs, n, err := events(tx, arn, false, page)
			if err != nil {
				return err
			}
			for _, se := range evs {
				ev, err := decodeEvent(se.JSON)
				if err != nil {
					return fmt.Errorf("event %d of %s: %w", se.ID, arn, err)
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
	// No answer before the outcome is stored or has failed to be: a 200
	// that a crash could undo would be a lost acknowledgement. The wait
	// ends with the request (the client gave up, or the server stops).
	if t.committed != nil {
		select {
		case err := <-t.committed:
			if err != nil {
				return errNotStored
			}
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
			// The resumed run registers its tasks' tokens again as it
			// replays its history: until then an answer to one of them is
			// refused with 503 (deadToken), which a worker retries, not
			// with TaskTimedOut, which it takes as final. For at most
			// resumeGrace, as after a restart.
			s.stalled.add(arn)
			time.AfterFunc(resumeGrace, func() { s.stalled.done(arn) })
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

// durable reports whether the store keeps its records across a restart.
func (s *Server) durable() bool {
	d, ok := s.store.(durableStore)
	return ok && d.Durable()
}

// durableBeat is the heartbeat function of a task whose token the
// server answers: req.SendHeartbeat, and with a durable store the new
// heartbeat deadline kept in the store (a store.Task under the token), so
// that after a restart the resumed task times out when it would have
// (WithHeartbeatDeadlines): SendTaskHeartbeat writes no history event.
// One write per heartbeat, through the group commit, before
// SendTaskHeartbeat answers.
func (s *Server) durableBeat(rec *recorder, req *interpreter.TaskRequest, token string) func() error {
	beat := req.SendHeartbeat
	if req.ID == "" || req.Heartbeat <= 0 || token == "" || !s.durable() {
		return func() error { beat(); return nil }
	}
	t := &store.Task{Token: token, ExecutionARN: rec.arn, State: req.StateName, Created: rec.clock.Now()}
	if req.ActivityName() != "" {
		t.ActivityARN = req.Resource
	} else {
		t.Resource = req.Resource
	}
	return func() error {
		beat()
		task := *t
		task.HandedOut = true
		task.HeartbeatDeadline = rec.clock.Now().Add(req.Heartbeat)
		err := s.commits.do(func(tx store.Tx) error {
			err := tx.PutTask(&task)
			if errors.Is(err, store.ErrNotFound) {
				return nil // the execution was deleted
			}
			return err
		})
		if err != nil {
			s.log.Error("store task heartbeat", "execution", rec.arn, "err", err)
		}
		return err // ServiceUnavailable: the worker sends it again
	}
}

// handedOut reports whether the store holds the task token as handed
// out to a worker (storeHandedOut, or a heartbeat's durableBeat).
func (s *Server) handedOut(token string) bool {
	var t *store.Task
	err := s.store.View(s.ctx, func(tx store.Tx) (err error) {
		t, err = tx.GetTask(token)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Warn("task record not read; the task is queued again", "token", token, "err", err)
	}
	return err == nil && t.HandedOut
}

// storeHandedOut stores that a worker took the activity task of a map
// run's child with token before GetActivityTask answers, so that after a
// restart the resumed child waits for that worker's answer rather than
// queue the task again. It reports false when the store refused it.
func (s *Server) storeHandedOut(rec *recorder, req *interpreter.TaskRequest, token, worker string) bool {
	t := &store.Task{Token: token, ExecutionARN: rec.arn, ActivityARN: req.Resource, State: req.StateName,
		HandedOut: true, WorkerName: worker, Created: rec.clock.Now()}
	err := s.commits.do(func(tx store.Tx) error {
		err := tx.PutTask(t)
		if errors.Is(err, store.ErrNotFound) {
			return nil // the execution was deleted
		}
		return err
	})
	if err != nil {
		s.log.Error("store handed-out task", "execution", req.ExecutionARN, "err", err)
		return false
	}
	return true
}

// resumeOptions are the interpreter options of a resumed execution beyond
// its history: its map runs (childLog) and the heartbeat deadlines of its
// tasks (durableBeat).
func (s *Server) resumeOptions(e *store.Execution) []interpreter.Option {
	arn, start, redrives := e.ARN, e.Start, e.RedriveCount
	return []interpreter.Option{
		interpreter.WithMapRunRecords(func(runARN string) (*interpreter.MapRunRecord, error) {
			rec, err := s.mapRunRecord(s.ctx, runARN)
			if err != nil {
				// The interpreter runs the children again (at least once).
				s.log.Warn("map run record not read; its children run again", "execution", arn, "mapRun", runARN, "err", err)
			}
			return rec, err
		}),
		interpreter.WithHeartbeatDeadlines(func(id, token string) (time.Time, bool) {
			if token == "" {
				token = activityToken(arn, start, id, redrives)
			}
			var t *store.Task
			err := s.store.View(s.ctx, func(tx store.Tx) (err error) {
				t, err = tx.GetTask(token)
				return err
			})
			if err != nil || t.ExecutionARN != arn || t.HeartbeatDeadline.IsZero() {
				return time.Time{}, false
			}
			return t.HeartbeatDeadline, true
		}),
	}
}

// Map runs across a restart.
//
// A map run whose top-level execution is stored is written as it runs:
// its record when it starts (and when UpdateMapRun changes it), each
// child's record when it starts and ends, and a STANDARD child's history
// events with their keys, all through the group commit (commit.go), each
// child's end before its parent's MapRunSucceeded or MapRunFailed. When
// the parent is resumed and replays the run's MapRunStarted, the
// interpreter asks for the run's record (interpreter.WithMapRunRecords)
// and goes on with the same run: children that ended are not run again,
// running STANDARD children resume from their stored histories, and
// running EXPRESS children start again under the same name.

// childLog writes one child of a stored map run to the store. Its writes
// join the next group transaction; several pending ones make one.
type childLog struct {
	s   *Server
	arn string

	mu     sync.Mutex
	rec    *store.MapRunChild // the record to put; nil: unchanged
	events []store.Event      // to append
	keys   []string           // the events' keys
	queued bool
	root   string // the top-level execution
	// waiting holds the keys ("<child ARN> <key>") of the child's task
	// outcomes whose SendTask… waits for them to be stored, with the
	// recorder that holds the waiter (taskWaiter); ended is set once the
	// child's end is stored.
	waiting map[string]*recorder
	ended   bool
	// broken is set when the stored child is missing or its history
	// has a hole (a group transaction failed): nothing more is written,
	// so the stored history stays a prefix of the run.
	broken bool
}

// childRecord is the store's record of a child of the run runARN.
func childRecord(runARN string, c interpreter.ChildExecution) *store.MapRunChild {
	doc, _ := json.Marshal(c) // plain strings and times
	return &store.MapRunChild{ARN: c.ExecutionARN, MapRunARN: runARN, Seq: int64(c.Index) + 1,
		Status: childStatus(c), Start: c.StartDate, Stop: c.StopDate, Doc: doc}
}

// childLogOf returns the writer of a map run's child (a new one for a
// child that has none).
func (s *Server) childLogOf(arn string) *childLog {
	m := s.mapRuns
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.logs[arn]
	if l == nil {
		l = &childLog{s: s, arn: arn}
		m.logs[arn] = l
	}
	return l
}

// closingRun reports whether the execution root is being cut short by
// the server's end or a store failure: what its map runs do then is not
// written (a restart resumes them).
func (s *Server) closingRun(root string) bool {
	if s.ctx.Err() != nil {
		return true
	}
	r := s.runs.get(root)
	return r != nil && r.rec.failed.Load()
}

// put queues the child's new record and/or event (with its key) for the
// next group transaction.
func (l *childLog) put(root string, rec *store.MapRunChild, ev *store.Event, key string) {
	if l.s.closingRun(root) {
		// Not stored: an answer waiting for it is not acknowledged (the
		// resumed child takes it again).
		l.mu.Lock()
		l.root = root
		l.mu.Unlock()
		l.release(nil, false, errStoreFailed)
		return
	}
	l.mu.Lock()
	l.root = root
	if l.broken {
		l.mu.Unlock()
		return
	}
	if rec != nil {
		l.rec = rec
	}
	if ev != nil {
		l.events = append(l.events, *ev)
		l.keys = append(l.keys, key)
	}
	queued := l.queued
	l.queued = true
	l.mu.Unlock()
	if !queued {
		// What this op writes is its own (wrote, end): a later op takes
		// what is put after this one's flush.
		var (
			wrote []string
			end   bool
		)
		w := &pendingWrite{}
		w.op = func(tx store.Tx) (err error) {
			wrote, end, err = l.flush(tx)
			return err
		}
		w.after = func(err error) { l.release(wrote, end, err) }
		if err := l.s.commits.submit(w, false); err != nil {
			l.release(nil, false, err)
		}
	}
}

// flush writes what is pending (in the committer's transaction). Only a
// failure of the store fails the transaction. It returns the keys of the
// events stored (or found stored already) and whether it stored the
// child's end.
func (l *childLog) flush(tx store.Tx) ([]string, bool, error) {
	l.mu.Lock()
	rec, evs, keys, broken := l.rec, l.events, l.keys, l.broken
	l.rec, l.events, l.keys, l.queued = nil, nil, nil, false
	l.mu.Unlock()
	if broken {
		return nil, false, nil
	}
	end := false
	if rec != nil {
		if err := tx.PutMapRunChild(rec); err != nil {
			return nil, false, l.fail(err)
		}
		end = rec.Status != store.StatusRunning
	}
	if len(evs) == 0 {
		return nil, end, nil
	}
	c, err := tx.GetMapRunChild(l.arn)
	if err != nil {
		return nil, false, l.fail(err)
	}
	for len(evs) > 0 && evs[0].ID <= c.EventCount {
		evs = evs[1:] // stored already (a resumed child)
	}
	if len(evs) == 0 {
		return keys, end, nil
	}
	if evs[0].ID != c.EventCount+1 {
		return nil, false, l.fail(store.ErrNotFound)
	}
	if err := tx.AppendMapRunChildEvents(l.arn, evs); err != nil {
		return nil, false, l.fail(err)
	}
	return keys, end, nil
}

// waiter registers the waiter (in rec, the top-level execution's
// recorder) of the child's task outcome with key id ("<child ARN>
// <key>"): it receives nil once the child's event with that key is
// stored or the child's end is, errStoreFailed when it will not be.
func (l *childLog) waiter(rec *recorder, id string) <-chan error {
	ch := rec.waiter(id)
	if ch == nil {
		return nil
	}
	l.mu.Lock()
	broken, ended, root := l.broken, l.ended, l.root
	if !broken && !ended {
		if l.waiting == nil {
			l.waiting = map[string]*recorder{}
		}
		l.waiting[id] = rec
	}
	l.mu.Unlock()
	switch {
	case broken || root != "" && l.s.closingRun(root):
		rec.signal(id, errStoreFailed)
	case ended:
		rec.signal(id, nil)
	}
	return ch
}

// release is the outcome of one of the log's writes: the waiters of the
// events it stored (wrote; all of them when it stored the child's end)
// are told they are stored; on err, or when the log is broken, nothing
// more of the child is stored and every waiter is told so.
func (l *childLog) release(wrote []string, end bool, err error) {
	l.mu.Lock()
	if err != nil {
		l.broken = true // its history would have a hole
	}
	root := l.root
	if err != nil && root != "" && !errors.Is(err, errStoreFailed) {
		// The transaction failed: as for the execution's own events,
		// the top-level run stops and is resumed from the store once it
		// takes writes again (the child with it, from its stored
		// history), so an answer refused here can be given again.
		defer func() {
			if r := l.s.runs.get(root); r != nil {
				r.rec.storeFailed()
			}
		}()
	}
	if len(l.waiting) == 0 {
		if end && !l.broken {
			l.ended = true
		}
		l.mu.Unlock()
		return
	}
	var ok, failed []string
	recs := map[string]*recorder{}
	if l.broken {
		for k, r := range l.waiting {
			failed = append(failed, k)
			recs[k] = r
		}
		l.waiting = nil
	} else {
		for _, k := range wrote {
			id := l.arn + " " + k
			if r := l.waiting[id]; r != nil {
				ok = append(ok, id)
				recs[id] = r
				delete(l.waiting, id)
			}
		}
		if end {
			l.ended = true
			for k, r := range l.waiting {
				ok = append(ok, k)
				recs[k] = r
			}
			l.waiting = nil
		}
	}
	l.mu.Unlock()
	for _, k := range ok {
		recs[k].signal(k, nil)
	}
	for _, k := range failed {
		recs[k].signal(k, errStoreFailed)
	}
}

// fail marks the log broken; it returns err when the store failed. The
// waiters are failed once the transaction is over (release).
func (l *childLog) fail(err error) error {
	l.mu.Lock()
	l.broken = true
	l.mu.Unlock()
	if errors.Is(err, store.ErrUnavailable) {
		return err
	}
	l.s.log.Warn("map run child not stored", "execution", l.arn, "err", err)
	return nil
}

// mapRunRecord reads a stored map run for the interpreter to go on with
// it: its info and children, with the histories of running STANDARD
// children. It returns nil when the run is not stored.
func (s *Server) mapRunRecord(ctx context.Context, arn string) (*interpreter.MapRunRecord, error) {
	var run *store.MapRun
	err := s.store.View(ctx, func(tx store.Tx) (err error) {
		run, err = tx.GetMapRun(arn)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rec := &interpreter.MapRunRecord{}
	if err := json.Unmarshal(run.Info, &rec.Info); err != nil {
		return nil, err
	}
	page := store.Page{Limit: 1000}
	for {
		var (
			kids []*store.MapRunChild
			next string
		)
		err := s.store.View(ctx, func(tx store.Tx) (err error) {
			kids, next, err = tx.ListMapRunChildren(store.MapRunChildFilter{MapRunARN: arn}, page)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			var c interpreter.RecordedChild
			if err := json.Unmarshal(k.Doc, &c.ChildExecution); err != nil {
				return nil, fmt.Errorf("map run child %s: %w", k.ARN, err)
			}
			rec.Children = append(rec.Children, c)
		}
		if next == "" {
			break
		}
		page.After = next
	}
	if rec.Info.ExecutionType != "STANDARD" {
		return rec, nil
	}
	for i := range rec.Children {
		c := &rec.Children[i]
		if c.Status != "" {
			continue
		}
		if c.History, err = s.childEvents(ctx, c.ExecutionARN); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// childEvents reads a map run child's stored history.
func (s *Server) childEvents(ctx context.Context, arn string) ([]interpreter.Event, error) {
	return s.readHistory(ctx, arn, store.Tx.MapRunChildEvents)
}
