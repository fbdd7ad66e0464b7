package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/store"
)

// runs tracks the executions running in this process and, over a
// durable store, the final records of those that ended last (ended), so
// that the DescribeExecution polls that follow an execution's end are
// answered without a read of the store. Nothing else changes a finished
// execution's record but a redrive and a purge, which forget it
// (forgetEnded, Server.PurgeFinished).
type runs struct {
	mu sync.Mutex
	m  map[string]*run
	// keepEnded is set over a durable store. ended holds at most
	// maxEnded records, whose inputs and outputs come to at most
	// maxEndedBytes, dropped oldest first (endedOrder).
	keepEnded  bool
	ended      map[string]*store.Execution
	endedOrder []string
	endedBytes int
}

// Bounds of runs.ended.
const (
	maxEnded      = 1024
	maxEndedBytes = 8 << 20
)

func newRuns() *runs { return &runs{m: map[string]*run{}, ended: map[string]*store.Execution{}} }

// end forgets the run r of an execution; its final record, when it has
// one, is kept among the ended.
func (r *runs) end(arn string, rn *run) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m[arn] != rn { // a redrive started a new run
		return
	}
	delete(r.m, arn)
	if !r.keepEnded {
		return
	}
	v := rn.rec.view.Load()
	if v == nil || v.Status == store.StatusRunning {
		return
	}
	if _, ok := r.ended[arn]; !ok {
		r.endedOrder = append(r.endedOrder, arn)
	} else {
		r.endedBytes -= endedSize(r.ended[arn])
	}
	r.ended[arn] = v
	r.endedBytes += endedSize(v)
	for len(r.endedOrder) > maxEnded || r.endedBytes > maxEndedBytes {
		old := r.endedOrder[0]
		r.endedOrder = r.endedOrder[1:]
		if e, ok := r.ended[old]; ok {
			r.endedBytes -= endedSize(e)
			delete(r.ended, old)
		}
	}
	if cap(r.endedOrder) > 4*maxEnded { // let the slice's start go
		r.endedOrder = append([]string(nil), r.endedOrder...)
	}
}

func endedSize(e *store.Execution) int {
	return len(e.Input) + len(e.Output) + len(e.Error) + len(e.Cause)
}

// endedView is the final record of an execution that ended in this
// process lately, or nil.
func (r *runs) endedView(arn string) *store.Execution {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ended[arn]
}

// forgetEnded forgets ended records: of arn, or all when arn is "".
func (r *runs) forgetEnded(arn string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if arn == "" {
		clear(r.ended)
		r.endedOrder, r.endedBytes = nil, 0
		return
	}
	if e, ok := r.ended[arn]; ok {
		r.endedBytes -= endedSize(e)
		delete(r.ended, arn) // its place in endedOrder goes when it comes first
	}
}

func (r *runs) get(arn string) *run {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[arn]
}

// run is one execution on the interpreter.
type run struct {
	arn    string
	cancel context.CancelCauseFunc
	done   chan struct{}
	rec    *recorder
}

// expressMaxDuration is the longest an Express execution runs (AWS: five
// minutes), on the execution's clock.
const expressMaxDuration = 5 * time.Minute

// errStopped is the cancel cause of StopExecution.
var errStopped = errors.New("execution stopped")

// stopExecutionTimeout bounds how long StopExecution waits for the
// interpreter to wind down before it marks the execution ABORTED itself.
const stopExecutionTimeout = 10 * time.Second

// recorder writes an execution's history to the store as the interpreter
// emits it, through the server's committer (commit.go), which stores the
// events of all executions in group transactions, each execution's last
// event with its status change. It renumbers events, so that the server can hold back
// ActivityStarted until a worker takes the task (as AWS records it, with
// the worker's name).
type recorder struct {
	s     *Server
	arn   string
	clock interpreter.Clock

	mu     sync.Mutex
	next   int64    // the id of the next event
	ids    eventIDs // interpreter event id → stored event id
	closed bool     // the execution's status is final: drop events
	// stop holds the error and cause given to StopExecution.
	stopError, stopCause string
	// pending activity tasks: scheduled, not yet taken by a worker.
	pending []*pendingActivity
	// scheduled holds the details of ActivityScheduled events by the
	// interpreter's event id, until their ActivityStarted comes.
	scheduled map[int64]*interpreter.ActivityScheduledDetails
	// base is the last event id of the history a resumed execution
	// replays: the interpreter gives replayed events their stored ids.
	base int64
	// redrives is the execution's redrive count and start its start time
	// (parts of its task tokens).
	redrives int
	start    time.Time
	// waiters receive nil when the event with their key is stored (or
	// the execution ends), an error when it cannot be: SendTask… answers
	// once the outcome is durable. wmu guards them (the committer reports
	// while a writer may hold mu).
	wmu     sync.Mutex
	waiters map[string]chan error
	// cancel stops the run when its events cannot be stored; failed is
	// set then.
	cancel context.CancelCauseFunc
	failed atomic.Bool
	// ev is hook's copy of the event it writes (mu is held).
	ev interpreter.Event
	// held are events written and not yet handed to the store (a direct
	// committer's; committer.submitEvent; mu is held).
	held []*pendingWrite
	// arena is the chunk the JSON of the execution's stored events is
	// written into (encode; mu is held).
	arena []byte
	// view is the execution's record as last committed (nil when the
	// recorder was not given one): DescribeExecution of a running
	// execution answers from it without reading the store, and the
	// committer writes the final status on top of it. Only what is
	// committed goes here, so a reader never sees a status that a crash
	// would roll back.
	view atomic.Pointer[store.Execution]
}

// stored maps an interpreter event id to the stored id.
func (r *recorder) stored(id int64) int64 {
	if v, ok := r.ids.get(id - r.base); ok {
		return v
	}
	if id <= r.base {
		return id
	}
	return 0
}

// setStored records the stored id of an interpreter event id.
func (r *recorder) setStored(id, stored int64) { r.ids.set(id-r.base, stored) }

// eventIDs maps event ids, given relative to the base of a resumed
// history, to stored ids. The interpreter numbers the events it emits
// densely after the base, so those are kept in a slice by id; any other
// (such as finish's -1) in a map.
type eventIDs struct {
	dense []int64 // dense[i]: the stored id of event i+1, or -1
	other map[int64]int64
}

// maxIDGap bounds the ids dense leaves unset to take an id beyond its
// end; an id further on goes to the map.
const maxIDGap = 64

func (m *eventIDs) set(id, v int64) {
	i := id - 1
	if i < 0 || i > int64(len(m.dense))+maxIDGap {
		if m.other == nil {
			m.other = map[int64]int64{}
		}
		m.other[id] = v
		return
	}
	if m.dense == nil {
		m.dense = make([]int64, 0, 32)
	}
	for int64(len(m.dense)) <= i {
		m.dense = append(m.dense, -1)
	}
	m.dense[i] = v
}

func (m *eventIDs) get(id int64) (int64, bool) {
	if i := id - 1; i >= 0 && i < int64(len(m.dense)) {
		if v := m.dense[i]; v >= 0 {
			return v, true
		}
	}
	v, ok := m.other[id]
	return v, ok
}

// waiter returns a channel that receives nil once the event with key is
// stored or the execution has ended, and an error when the store refused
// it; nil when there is nothing to wait for.
func (r *recorder) waiter(key string) <-chan error {
	if key == "" {
		return nil
	}
	r.wmu.Lock()
	if r.waiters == nil {
		r.waiters = map[string]chan error{}
	}
	ch := r.waiters[key]
	if ch == nil {
		ch = make(chan error, 1)
		r.waiters[key] = ch
	}
	r.wmu.Unlock()
	// Closed is read after the waiter is registered (and under mu, which
	// write holds until the final event's commit is done): an execution
	// that ended before then told its waiters already, and this one is
	// taken back, so none is left that nothing will tell.
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		r.wmu.Lock()
		if r.waiters[key] == ch {
			delete(r.waiters, key)
		}
		r.wmu.Unlock()
		if r.failed.Load() {
			// Nothing more is stored: an answer must not be taken as
			// stored (the resumed execution waits for it again).
			ch := make(chan error, 1)
			ch <- errStoreFailed
			return ch
		}
		return nil
	}
	// An event with key held back before its waiter came is stored now.
	for _, w := range r.held {
		if w.key == key {
			if err := r.storeHeld(); err != nil {
				r.closed = true
			}
			break
		}
	}
	return ch
}

// awaited reports whether someone waits for the event with key.
func (r *recorder) awaited(key string) bool {
	if key == "" {
		return false
	}
	r.wmu.Lock()
	defer r.wmu.Unlock()
	_, ok := r.waiters[key]
	return ok
}

// storeHeld stores the events held back by committer.submitEvent (mu is
// held).
func (r *recorder) storeHeld() error {
	if len(r.held) == 0 {
		return nil
	}
	batch := r.held
	err := r.s.commits.storeNow(batch)
	clear(batch)
	r.held = batch[:0] // storeNow is done with it
	return err
}

// flushHeld stores the held events, for a reader of the history.
func (r *recorder) flushHeld() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.storeHeld(); err != nil {
		r.closed = true
	}
}

// committed is the committer's report that w is stored.
func (r *recorder) committed(w *pendingWrite) {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	if ch := r.waiters[w.key]; ch != nil {
		ch <- nil
		delete(r.waiters, w.key)
	}
	if w.final != nil {
		for k, ch := range r.waiters {
			ch <- nil
			delete(r.waiters, k)
		}
	}
}

// signal tells the waiter of key (if any) that its event is stored (nil)
// or will not be (an error).
func (r *recorder) signal(key string, err error) {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	if ch := r.waiters[key]; ch != nil {
		ch <- err
		delete(r.waiters, key)
	}
}

// storeFailed is the committer's report that the execution's events
// could not be stored: the stored history must stay a prefix of the run,
// so nothing more is stored, the run stops, and the execution is resumed
// from the store once it takes writes again.
func (r *recorder) storeFailed() {
	if r.failed.Swap(true) {
		return
	}
	r.wmu.Lock()
	for k, ch := range r.waiters {
		ch <- errStoreFailed
		delete(r.waiters, k)
	}
	r.wmu.Unlock()
	if r.cancel != nil {
		r.s.stalled.add(r.arn)
		r.cancel(errStoreFailed)
		go r.s.retryResume(r.arn)
	}
}

type pendingActivity struct {
	resource, input string
	scheduled       int64 // stored id of ActivityScheduled
	startedID       int64 // interpreter id of its ActivityStarted
	key             string
	claimed         bool
}

// wireEvent is a history event in GetExecutionHistory's wire form.
type wireEvent struct {
	*interpreter.Event
	ID              int64  `json:"id"`
	PreviousEventID int64  `json:"previousEventId"`
	Timestamp       *epoch `json:"timestamp"`
	// Key is the interpreter's event key, kept for resuming and
	// redriving; it is the last member of the stored JSON and is cut off
	// before events are served (stripKey).
	Key string `json:"hscKey,omitempty"`
}

// hook receives the interpreter's events; calls are never concurrent, but
// activityStarted may run at the same time, hence the lock.
func (r *recorder) hook(ev interpreter.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	if ev.Type == "ActivityStarted" {
		sched := r.stored(ev.PreviousEventID)
		r.setStored(ev.ID, sched) // until a worker takes the task
		p := &pendingActivity{scheduled: sched, startedID: ev.ID, key: ev.Key}
		if d := r.scheduled[ev.PreviousEventID]; d != nil {
			p.resource, p.input = d.Resource, d.Input
			delete(r.scheduled, ev.PreviousEventID)
		}
		r.pending = append(r.pending, p)
		return
	}
	// write takes the event by pointer and keeps none of it: a copy in
	// the recorder, reused, spares an allocation per event.
	r.ev = ev
	if ev.Type == "ExecutionAborted" {
		r.ev.ExecutionAbortedEventDetails = &interpreter.FailureDetails{Error: r.stopError, Cause: r.stopCause}
	}
	r.write(&r.ev, -1)
	r.ev = interpreter.Event{} // holds no payload between events
}

// write stores one event (the lock is held). Its previous event is prev,
// or when prev is -1 the stored event of ev.PreviousEventID. Once the
// server shuts down nothing more is stored: the execution stays RUNNING
// at its last stored event and the next start resumes it.
func (r *recorder) write(ev *interpreter.Event, prev int64) {
	if r.s.ctx.Err() != nil && r.arn != "" || r.failed.Load() {
		r.closed = true
		r.storeHeld() // what was emitted before the shutdown is stored
		return
	}
	id := r.next
	if prev < 0 {
		prev = r.stored(ev.PreviousEventID)
	}
	r.setStored(ev.ID, id)
	if ev.Type == "ActivityScheduled" {
		if r.scheduled == nil {
			r.scheduled = map[int64]*interpreter.ActivityScheduledDetails{}
		}
		r.scheduled[ev.ID] = ev.ActivityScheduledEventDetails
	}
	data, err := r.encode(ev, id, prev)
	if err != nil {
		r.s.log.Error("encode history event", "execution", r.arn, "err", err)
		return
	}
	var final *store.Execution
	switch ev.Type {
	case "ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted":
		final = &store.Execution{Stop: ev.Timestamp}
		switch ev.Type {
		case "ExecutionSucceeded":
			final.Status, final.Output = store.StatusSucceeded, ev.ExecutionSucceededEventDetails.Output
		case "ExecutionFailed":
			d := ev.ExecutionFailedEventDetails
			final.Status, final.Error, final.Cause = store.StatusFailed, d.Error, d.Cause
		case "ExecutionTimedOut":
			d := ev.ExecutionTimedOutEventDetails
			final.Status, final.Error, final.Cause = store.StatusTimedOut, d.Error, d.Cause
		default:
			final.Status, final.Error, final.Cause = store.StatusAborted, r.stopError, r.stopCause
		}
		r.closed = true
	}
	r.next++
	// The last event (the status) and ActivityStarted (GetActivityTask's
	// answer waits for it) are stored before write returns; the others
	// in the background, in order (commit.go), or, over the in-memory
	// store, held back until one that someone waits for comes
	// (committer.submitEvent).
	if err := r.s.commits.submitEvent(&pendingWrite{rec: r, ev: store.Event{ID: id, JSON: data}, final: final, key: ev.Key},
		final != nil || ev.Type == "ActivityStarted"); err != nil {
		r.closed = true
	}
}

// Sizes of a recorder's arena chunks: the first, and the most a chunk
// grows to; a chunk with less room than arenaRoom left is retired.
const (
	minArenaChunk = 1 << 10
	maxArenaChunk = 16 << 10
	arenaRoom     = 512
)

// encode writes an event's JSON (encodeEvent's) into the recorder's
// arena (the lock is held): an execution's events share a few
// allocations rather than one each, and a chunk lives as long as the
// history it holds. The slice returned ends at its capacity, so nothing
// appends into the arena.
func (r *recorder) encode(ev *interpreter.Event, id, prev int64) ([]byte, error) {
	if cap(r.arena)-len(r.arena) < arenaRoom {
		r.arena = make([]byte, 0, min(max(2*cap(r.arena), minArenaChunk), maxArenaChunk))
	}
	start := len(r.arena)
	buf, err := r.s.events.appendEvent(r.arena, ev, id, prev)
	if err != nil {
		return nil, err
	}
	if cap(buf) != cap(r.arena) {
		// The event outgrew the chunk's room: it gets a slice of its
		// own, and the chunk stays for the next events.
		own := make([]byte, len(buf)-start)
		copy(own, buf[start:])
		return own, nil
	}
	r.arena = buf
	return buf[start:len(buf):len(buf)], nil
}

// claim finds the pending activity task the interpreter just scheduled
// for resource with input.
func (r *recorder) claim(resource, input string) *pendingActivity {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.pending) - 1; i >= 0; i-- {
		p := r.pending[i]
		if !p.claimed && p.resource == resource && p.input == input {
			p.claimed = true
			return p
		}
	}
	return nil
}

// activityStarted records that a worker took the task p; it reports
// false when the store refused the event (the run stops and is resumed
// later, with the task queued again).
func (r *recorder) activityStarted(p *pendingActivity, worker string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || p == nil {
		return !r.failed.Load()
	}
	ev := &interpreter.Event{ID: p.startedID, Timestamp: r.clock.Now(), Type: "ActivityStarted", Key: p.key,
		ActivityStartedEventDetails: &interpreter.ActivityStartedDetails{WorkerName: worker}}
	r.write(ev, p.scheduled) // later events that follow the interpreter's ActivityStarted follow this one
	r.forget(p)
	return !r.failed.Load()
}

// forget drops a pending task (the lock is held).
func (r *recorder) forget(p *pendingActivity) {
	for i, q := range r.pending {
		if q == p {
			r.pending = append(r.pending[:i], r.pending[i+1:]...)
			return
		}
	}
}

// release forgets a task that ended without a worker taking it.
func (r *recorder) release(p *pendingActivity) {
	if p == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forget(p)
}

// scaledClock runs time at 1/scale of the wall clock's speed for waits:
// a Wait of d sleeps d*scale, and Now advances accordingly.
type scaledClock struct {
	start time.Time
	scale float64
}

func (c *scaledClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.start)) / c.scale))
}

func (c *scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	return interpreter.RealClock{}.Sleep(ctx, c.real(d))
}

// AfterFunc runs f after d on the scaled clock: task timeouts and
// heartbeats run on the same time as Wait states.
func (c *scaledClock) AfterFunc(d time.Duration, f func()) interpreter.Timer {
	return &scaledTimer{t: time.AfterFunc(c.real(d), f), c: c}
}

func (c *scaledClock) real(d time.Duration) time.Duration { return time.Duration(float64(d) * c.scale) }

type scaledTimer struct {
	t *time.Timer
	c *scaledClock
}

func (t *scaledTimer) Stop() bool                 { return t.t.Stop() }
func (t *scaledTimer) Reset(d time.Duration) bool { return t.t.Reset(t.c.real(d)) }

func (s *Server) newClock() interpreter.Clock {
	switch {
	case s.cfg.VirtualTime:
		return interpreter.NewVirtualClock(s.now())
	case s.cfg.WaitScale == 1:
		return interpreter.RealClock{}
	}
	return &scaledClock{start: s.now(), scale: s.cfg.WaitScale}
}

// resolverFor answers an execution's Task states through the mock test
// case (if any) and the configured resolver (Config.Tasks); an activity
// neither answers is queued for workers; a .waitForTaskToken task whose
// resolver returns no result waits for SendTask… with its token.
func (s *Server) resolverFor(rec *recorder, mock interpreter.TaskResolver) interpreter.TaskResolver {
	var chain interpreter.Resolvers
	if mock != nil {
		chain = append(chain, mock)
	}
	if s.cfg.Tasks != nil {
		chain = append(chain, s.cfg.Tasks)
	}
	return interpreter.TaskFunc(func(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		if req.ActivityName() != "" {
			// A mock test case or a task command may answer an activity
			// state (as in Step Functions Local and hsc run); otherwise a
			// worker polling the API does.
			if len(chain) > 0 {
				out, err := chain.ResolveTask(ctx, req)
				var ue *interpreter.UnresolvedTaskError
				if !errors.As(err, &ue) {
					// Recorded before the outcome, so that the stored
					// history has no hole a resume would trip on.
					rec.activityStarted(rec.claim(req.Resource, string(req.Input)), "")
					return out, err
				}
			}
			return s.runActivity(ctx, rec, req)
		}
		if len(chain) == 0 {
			return nil, &interpreter.UnresolvedTaskError{State: req.StateName, Resource: req.Resource}
		}
		if req.TaskToken == "" {
			return chain.ResolveTask(ctx, req)
		}
		// The token is live from the start: whoever the command hands it
		// to may answer before the command exits.
		t := &task{token: req.TaskToken, beat: s.durableBeat(rec, req, req.TaskToken), taken: func(string) bool { return true }, answer: make(chan taskAnswer, 1),
			committed: s.taskWaiter(rec, req)}
		if !s.tasks.register(t) {
			return nil, fmt.Errorf("task token %q is already waiting for an answer", t.token)
		}
		defer s.tasks.end(t.token)
		out, err := chain.ResolveTask(ctx, req)
		if err != nil || !noResult(out) {
			return out, err
		}
		return waitAnswer(ctx, t)
	})
}

func (s *Server) runActivity(ctx context.Context, rec *recorder, req *interpreter.TaskRequest) ([]byte, error) {
	p := rec.claim(req.Resource, string(req.Input))
	var once sync.Once
	token := s.tasks.newToken(rec.arn)
	if req.ID != "" {
		// The same token when the execution is resumed: a worker that
		// took the task before a restart can still answer it.
		token = activityToken(rec.arn, rec.start, req.ID, rec.redrives)
	}
	t := &task{token: token, activityARN: req.Resource, input: string(req.Input), beat: s.durableBeat(rec, req, token),
		answer: make(chan taskAnswer, 1), committed: s.taskWaiter(rec, req)}
	t.taken = func(worker string) bool {
		stored := true
		once.Do(func() { stored = rec.activityStarted(p, worker) })
		return stored
	}
	defer once.Do(func() { rec.release(p) })
	queue := !req.Resumed
	if req.ID != "" && req.ExecutionARN != rec.arn && s.durable() {
		// A task of a map run's child: the child's ActivityStarted is
		// stored when the task is scheduled, so a task handed out is
		// told apart by a stored Task under its token, written before
		// GetActivityTask answers (after the child's ActivityStarted, in
		// the same commit order: a task not Resumed was not handed out).
		queue = !req.Resumed || !s.handedOut(token)
		t.taken = func(worker string) bool {
			if s.storeHandedOut(rec, req, token, worker) {
				return true
			}
			s.tasks.enqueue(t) // for the next worker, once the store takes writes
			return false
		}
	}
	// A task a worker took before the execution was resumed keeps its
	// token and is not queued again.
	return s.awaitTask(ctx, t, queue)
}

// taskWaiter is the channel that tells when the outcome of the task req
// is stored (recorder.waiter): the execution's own event with key req.ID,
// or for a task of a map run's STANDARD child (req.ID is the child's ARN,
// a space and the key) the child's event, written by its childLog. It is
// nil when there is nothing to wait for.
func (s *Server) taskWaiter(rec *recorder, req *interpreter.TaskRequest) <-chan error {
	if req.ExecutionARN == rec.arn {
		return rec.waiter(req.ID)
	}
	child, _, ok := strings.Cut(req.ID, " ")
	if !ok || !s.durable() {
		return nil
	}
	s.mapRuns.mu.Lock()
	l := s.mapRuns.logs[child]
	s.mapRuns.mu.Unlock()
	if l == nil {
		return nil
	}
	return l.waiter(rec, req.ID)
}

// awaitTask makes t's token live (and queues it when it is an activity
// task) and waits for its answer or the end of ctx.
func (s *Server) awaitTask(ctx context.Context, t *task, queue bool) ([]byte, error) {
	if !s.tasks.register(t) {
		return nil, fmt.Errorf("task token %q is already waiting for an answer", t.token)
	}
	defer s.tasks.end(t.token)
	if queue {
		s.tasks.enqueue(t)
	}
	return waitAnswer(ctx, t)
}

// noResult reports whether a callback task's resolver gave no result
// (nothing: a task command that printed nothing); null is a result.
func noResult(out []byte) bool {
	return len(bytes.TrimSpace(out)) == 0
}

// waitAnswer waits for the answer to t or the end of ctx.
func waitAnswer(ctx context.Context, t *task) ([]byte, error) {
	select {
	case a := <-t.answer:
		if a.failed {
			return nil, &interpreter.ExecutionError{Name: a.error, Cause: a.cause}
		}
		return []byte(a.output), nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

type startExecutionInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            *string `json:"name"`
	Input           *string `json:"input"`
	TraceHeader     string  `json:"traceHeader"`
}

type startExecutionOutput struct {
	ExecutionArn string `json:"executionArn"`
	StartDate    *epoch `json:"startDate"`
}

// target is what an execution runs: a state machine revision.
type target struct {
	machineARN, machineName  string
	versionARN, aliasARN     string
	typ, definition, roleARN string
	revision                 string
	updated                  time.Time
}

// resolveTarget finds the revision a (possibly qualified) state machine
// ARN designates; an alias picks one of its versions by weight.
// getMachine reads a state machine, answering StateMachineDoesNotExist
// with the ARN the caller gave (arn) when there is none.
func getMachine(tx store.Tx, machine, arn string) (*store.StateMachine, error) {
	sm, err := tx.GetStateMachine(machine)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errMachineNotFound(arn)
	}
	return sm, err
}

func (s *Server) resolveTarget(tx store.Tx, arn string) (*target, error) {
	ref, aerr := parseMachineARN(arn, true)
	if aerr != nil {
		return nil, aerr
	}
	sm, err := s.starts.machine(tx, ref.machine, arn)
	if err != nil {
		return nil, err
	}
	t := &target{machineARN: sm.ARN, machineName: sm.Name, typ: sm.Type, definition: sm.Definition, roleARN: sm.RoleARN, revision: sm.RevisionID, updated: sm.Updated}
	versionARN := ""
	switch {
	case ref.alias != "":
		a, err := tx.GetAlias(arn)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errResourceNotFound(arn)
		} else if err != nil {
			return nil, err
		}
		t.aliasARN = a.ARN
		versionARN = pickRoute(a.Routing)
	case ref.version > 0:
		versionARN = arn
	}
	if versionARN != "" {
		v, err := tx.GetVersion(versionARN)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errMachineNotFound(versionARN)
		} else if err != nil {
			return nil, err
		}
		t.versionARN, t.definition, t.roleARN, t.revision, t.updated = v.ARN, v.Definition, v.RoleARN, v.RevisionID, v.Created
	}
	return t, nil
}

func pickRoute(routes []store.Route) string {
	n := rand.IntN(100)
	for _, r := range routes {
		if n < r.Weight {
			return r.VersionARN
		}
		n -= r.Weight
	}
	if len(routes) > 0 {
		return routes[0].VersionARN
	}
	return ""
}

func (s *Server) startExecution(ctx context.Context, in *startExecutionInput) (any, error) {
	smARN, testCase, _ := strings.Cut(in.StateMachineArn, "#")
	name, input, aerr := in.nameAndInput()
	if aerr != nil {
		return nil, aerr
	}
	var mock interpreter.TaskResolver
	var tg *target
	var out startExecutionOutput
	var rec *store.Execution
	now := s.now()
	// In the next group transaction with other starts and the history
	// events (commit.go): it writes nothing before any answer of its own.
	err := s.commits.do(requestErrors(func(tx store.Tx) error {
		var err error
		if tg, mock, err = s.resolveStart(tx, smARN, testCase); err != nil {
			return err
		}
		if tg.typ == "EXPRESS" {
			return nil
		}
		arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", s.cfg.Region, s.cfg.AccountID, tg.machineName, name)
		old, err := tx.GetExecution(arn)
		if err == nil {
			// Idempotent while running with the same input (AWS).
			if old.Status == store.StatusRunning && old.Input == input {
				out = startExecutionOutput{old.ARN, ep(old.Start)}
				return nil
			}
			return apiErr("ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		rec = &store.Execution{
			ARN: arn, Name: name, StateMachineARN: tg.machineARN, VersionARN: tg.versionARN, AliasARN: tg.aliasARN,
			Status: store.StatusRunning, Input: input, Start: now, TraceHeader: in.TraceHeader,
			Definition: tg.definition, RoleARN: tg.roleARN, RevisionID: tg.revision, MachineName: tg.machineName, MachineUpdated: tg.updated,
		}
		out = startExecutionOutput{arn, ep(now)}
		if err := tx.CreateExecution(rec); err != nil {
			return err
		}
		return putCheckpoint(tx, arn, testCase)
	}))
	if err != nil {
		return nil, err
	}
	m, err := s.compiled(tg)
	if err != nil {
		return nil, err
	}
	if tg.typ == "EXPRESS" {
		arn := fmt.Sprintf("arn:aws:states:%s:%s:express:%s:%s:%s", s.cfg.Region, s.cfg.AccountID, tg.machineName, name, newUUID())
		// Stored until it ends, so that a restart runs it again.
		e := &store.Execution{ARN: arn, Name: name, StateMachineARN: tg.machineARN, VersionARN: tg.versionARN, AliasARN: tg.aliasARN,
			Status: store.StatusRunning, Input: input, Start: now, Definition: tg.definition, RoleARN: tg.roleARN,
			RevisionID: tg.revision, MachineName: tg.machineName, MachineUpdated: tg.updated, Express: true}
		if err := s.storeExpress(ctx, e, testCase); err != nil {
			return nil, err
		}
		s.launchExpress(m, tg, arn, name, input, mock)
		return &startExecutionOutput{arn, ep(now)}, nil
	}
	if rec != nil {
		s.launch(m, rec, mock)
	}
	return &out, nil
}

// nameAndInput returns the execution's name (a fresh UUID when none is
// given) and input ("{}" when none is given), refusing an invalid name or
// input as AWS does. StartExecution and StartSyncExecution share it.
func (in *startExecutionInput) nameAndInput() (name, input string, aerr *APIError) {
	name = deref(in.Name)
	if in.Name == nil {
		name = newUUID()
	} else if !validName(name) {
		return "", "", errInvalidName(name)
	}
	input = "{}"
	if in.Input != nil {
		input = *in.Input
		if err := checkJSON(input); err != nil {
			return "", "", apiErr("InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'", err.Error())
		}
	}
	return name, input, nil
}

// resolveStart resolves the machine an execution starts (see resolveTarget)
// and, when the ARN names a test case ("arn#case"), the mock resolver for it.
func (s *Server) resolveStart(tx store.Tx, smARN, testCase string) (*target, interpreter.TaskResolver, error) {
	tg, err := s.resolveTarget(tx, smARN)
	if err != nil {
		return nil, nil, err
	}
	if testCase == "" {
		return tg, nil, nil
	}
	if s.cfg.Mock == nil {
		return nil, nil, errValidation("No mock configuration: cannot run test case '%s'", testCase)
	}
	mock, err := s.cfg.Mock.Resolver(tg.machineName, testCase)
	if err != nil {
		return nil, nil, errValidation("%s", err.Error())
	}
	return tg, mock, nil
}

// compiled returns the compiled machine of a target.
func (s *Server) compiled(tg *target) (*interpreter.Machine, error) {
	m, err := s.machines.get(tg.revision, tg.definition)
	if err != nil {
		// Definitions are checked at create time; this is a server fault.
		return nil, fmt.Errorf("compile %s: %w", tg.machineARN, err)
	}
	return m, nil
}

// checkJSON reports why s is not one JSON value, in encoding/json's words
// (a value that decodes into an any, with nothing but white space after
// it). A value json.Valid takes whose numbers cannot overflow a float64
// is one; any other input is decoded for the answer.
func checkJSON(s string) error {
	if smallNumbers(s) && json.Valid([]byte(s)) {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// smallNumbers reports whether no number in the JSON text s (outside its
// strings) has an exponent or more than 300 characters: such a number
// cannot overflow a float64, the one thing besides its syntax that makes
// encoding/json refuse a text as an any.
func smallNumbers(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case c == '-' || c >= '0' && c <= '9':
			start := i
			for i < len(s) && (s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] >= '0' && s[i] <= '9' || s[i] == 'e' || s[i] == 'E') {
				if s[i] == 'e' || s[i] == 'E' {
					return false
				}
				i++
			}
			if i-start > 300 {
				return false
			}
			i--
		}
	}
	return true
}

// launch runs a Standard execution in the background.
func (s *Server) launch(m *interpreter.Machine, e *store.Execution, mock interpreter.TaskResolver) {
	s.launchRun(m, e, mock, nil)
}

// launchRun runs a Standard execution in the background; a resumed or
// redriven one replays its stored history h (see resume.go).
func (s *Server) launchRun(m *interpreter.Machine, e *store.Execution, mock interpreter.TaskResolver, h []interpreter.Event) {
	ctx, cancel := context.WithCancelCause(s.ctx)
	clock := s.newClock()
	rec := &recorder{s: s, arn: e.ARN, clock: clock, next: 1, redrives: e.RedriveCount, start: e.Start}
	opts := []interpreter.Option{interpreter.WithResumable(), interpreter.WithSeed(seedFor(e.ARN))}
	if h != nil {
		clock = s.resumeClock(e, h)
		rec.clock = clock
		rec.prepareResume(h)
		opts = append(opts, interpreter.WithResume(h))
		opts = append(opts, s.resumeOptions(e)...)
	}
	r := &run{arn: e.ARN, cancel: cancel, done: make(chan struct{}), rec: rec}
	rec.cancel = cancel
	view := *e // committed by the caller (start, resume, redrive)
	rec.view.Store(&view)
	if !s.track() {
		cancel(nil)
		s.finish(rec, store.StatusAborted, "States.Runtime", "the server is shutting down")
		return
	}
	s.runs.mu.Lock()
	s.runs.m[e.ARN] = r
	s.runs.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer close(r.done)
		defer func() {
			s.runs.end(e.ARN, r)
			cancel(nil)
		}()
		res, err := m.Run(ctx, []byte(e.Input), append(opts,
			interpreter.WithTaskResolver(s.resolverFor(rec, mock)),
			interpreter.WithEventHook(rec.hook),
			interpreter.WithExecutionName(e.Name),
			interpreter.WithStateMachineName(e.MachineName),
			interpreter.WithRegion(s.cfg.Region),
			interpreter.WithAccountID(s.cfg.AccountID),
			interpreter.WithRoleArn(e.RoleARN),
			interpreter.WithMapRunHook(s.mapRunHook()),
			interpreter.WithTaskTokens(func() string { return s.tasks.newToken(e.ARN) }),
			interpreter.WithKeyedTaskTokens(func(key string) string { return resumableToken(e.ARN, e.Start, key) }),
			interpreter.WithClock(clock))...)
		if res == nil && err != nil {
			s.finish(rec, store.StatusFailed, "States.Runtime", err.Error())
		}
	}()
}

// finish ends an execution whose interpreter run could not end it.
func (s *Server) finish(rec *recorder, status, errName, cause string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.closed {
		return
	}
	typ := map[string]string{store.StatusFailed: "ExecutionFailed", store.StatusAborted: "ExecutionAborted"}[status]
	ev := &interpreter.Event{ID: -1, Timestamp: rec.clock.Now(), Type: typ}
	d := &interpreter.FailureDetails{Error: errName, Cause: cause}
	if status == store.StatusFailed {
		ev.ExecutionFailedEventDetails = d
	} else {
		ev.ExecutionAbortedEventDetails = d
	}
	rec.write(ev, rec.next-1)
}

// launchExpress runs an asynchronous Express execution in the background.
func (s *Server) launchExpress(m *interpreter.Machine, tg *target, arn, name, input string, mock interpreter.TaskResolver) {
	if !s.track() {
		return
	}
	go func() {
		defer s.wg.Done()
		if _, err := s.runExpress(s.ctx, m, tg, arn, name, input, mock); s.ctx.Err() != nil && err != nil {
			return // the server is closing: a restart runs it again
		}
		s.dropExpress(arn)
	}()
}

// runExpress runs an Express execution to its end. AWS keeps no history of
// it that the API can read, so nothing is recorded.
func (s *Server) runExpress(ctx context.Context, m *interpreter.Machine, tg *target, arn, name, input string, mock interpreter.TaskResolver) (*interpreter.Result, error) {
	rec := &recorder{s: s, arn: arn, closed: true, clock: s.newClock()}
	return m.Run(ctx, []byte(input),
		interpreter.WithTaskResolver(s.resolverFor(rec, mock)),
		interpreter.WithExecutionName(name),
		interpreter.WithStateMachineName(tg.machineName),
		interpreter.WithRegion(s.cfg.Region),
		interpreter.WithAccountID(s.cfg.AccountID),
		interpreter.WithRoleArn(tg.roleARN),
		interpreter.WithTimeout(expressMaxDuration),
		interpreter.WithMapRunHook(s.mapRunHook()),
		interpreter.WithTaskTokens(func() string { return s.tasks.newToken(arn) }),
		interpreter.WithClock(rec.clock))
}

type executionInput struct {
	ExecutionArn         string  `json:"executionArn"`
	IncludedData         string  `json:"includedData"`
	Error                *string `json:"error"`
	Cause                *string `json:"cause"`
	MaxResults           int     `json:"maxResults"`
	NextToken            *string `json:"nextToken"`
	ReverseOrder         bool    `json:"reverseOrder"`
	IncludeExecutionData *bool   `json:"includeExecutionData"`
}

// standardExecution checks an execution ARN for the operations that only
// take Standard executions.
func standardExecution(arn string) *APIError {
	ref, err := parseExecutionARN(arn)
	if err != nil {
		return err
	}
	if ref.express {
		return errArnType("express")
	}
	return nil
}

func (s *Server) getExecution(ctx context.Context, arn string) (*store.Execution, error) {
	if err := standardExecution(arn); err != nil {
		return nil, err
	}
	if e := s.liveView(arn); e != nil {
		return e, nil
	}
	var e *store.Execution
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		e, err = tx.GetExecution(arn)
		if errors.Is(err, store.ErrNotFound) {
			return errExecutionNotFound(arn)
		}
		return err
	})
	return e, err
}

// liveView is the committed record of an execution running in this
// process (a copy), or nil: the same answer a read of the store would
// give, without one.
func (s *Server) liveView(arn string) *store.Execution {
	var v *store.Execution
	if r := s.runs.get(arn); r != nil {
		v = r.rec.view.Load()
	} else {
		v = s.runs.endedView(arn)
	}
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

type dataDetails struct {
	Included bool `json:"included"`
}

type describeExecutionOutput struct {
	ExecutionArn           string       `json:"executionArn"`
	StateMachineArn        string       `json:"stateMachineArn"`
	Name                   string       `json:"name"`
	Status                 string       `json:"status"`
	StartDate              *epoch       `json:"startDate"`
	StopDate               *epoch       `json:"stopDate,omitempty"`
	Input                  *string      `json:"input,omitempty"`
	InputDetails           dataDetails  `json:"inputDetails"`
	Output                 *string      `json:"output,omitempty"`
	OutputDetails          *dataDetails `json:"outputDetails,omitempty"`
	Error                  *string      `json:"error,omitempty"`
	Cause                  *string      `json:"cause,omitempty"`
	TraceHeader            *string      `json:"traceHeader,omitempty"`
	StateMachineVersionArn string       `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasArn   string       `json:"stateMachineAliasArn,omitempty"`
	RedriveCount           int          `json:"redriveCount"`
	RedriveDate            *epoch       `json:"redriveDate,omitempty"`
	RedriveStatus          string       `json:"redriveStatus"`
	RedriveStatusReason    string       `json:"redriveStatusReason,omitempty"`
	MapRunArn              string       `json:"mapRunArn,omitempty"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) describeExecution(ctx context.Context, in *executionInput) (any, error) {
	e, err := s.getExecution(ctx, in.ExecutionArn)
	if err != nil {
		if out, ok := s.describeChild(in.ExecutionArn); ok && strings.Contains(in.ExecutionArn, ":execution:") {
			out.RedriveStatus = "NOT_REDRIVABLE"
			if in.IncludedData == "METADATA_ONLY" {
				out.Input, out.Output = nil, nil
				out.InputDetails.Included = false
				if out.OutputDetails != nil {
					out.OutputDetails.Included = false
				}
			}
			return out, nil
		}
		return nil, err
	}
	out := &describeExecutionOutput{
		ExecutionArn: e.ARN, StateMachineArn: e.StateMachineARN, Name: e.Name, Status: e.Status,
		StartDate: ep(e.Start), StopDate: ep(e.Stop), Input: &e.Input, InputDetails: dataDetails{true},
		Error: optional(e.Error), Cause: optional(e.Cause), TraceHeader: optional(e.TraceHeader),
		StateMachineVersionArn: e.VersionARN, StateMachineAliasArn: e.AliasARN,
		RedriveCount: e.RedriveCount, RedriveDate: ep(e.RedriveDate),
	}
	out.RedriveStatus, out.RedriveStatusReason = redriveStatus(e, s.now())
	if e.Status == store.StatusSucceeded {
		out.Output, out.OutputDetails = &e.Output, &dataDetails{true}
	}
	if in.IncludedData == "METADATA_ONLY" {
		out.Input, out.Output = nil, nil
		out.InputDetails.Included = false
		if out.OutputDetails != nil {
			out.OutputDetails.Included = false
		}
	}
	return out, nil
}

func (s *Server) stopExecution(ctx context.Context, in *executionInput) (any, error) {
	if _, err := s.getExecution(ctx, in.ExecutionArn); err != nil {
		if out, ok := s.stopChild(in.ExecutionArn); ok {
			return out, nil
		}
		return nil, err
	}
	if r := s.runs.get(in.ExecutionArn); r != nil {
		r.rec.mu.Lock()
		if !r.rec.closed {
			r.rec.stopError, r.rec.stopCause = deref(in.Error), deref(in.Cause)
		}
		r.rec.mu.Unlock()
		r.cancel(errStopped)
		t := time.NewTimer(stopExecutionTimeout)
		select {
		case <-r.done:
		case <-t.C:
			s.log.Warn("execution did not stop in time; marking it ABORTED", "execution", r.arn)
			s.finish(r.rec, store.StatusAborted, deref(in.Error), deref(in.Cause))
		}
		t.Stop()
	}
	e, err := s.getExecution(ctx, in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	stop := e.Stop
	if stop.IsZero() {
		stop = s.now()
	}
	return &struct {
		StopDate *epoch `json:"stopDate"`
	}{ep(stop)}, nil
}

type listExecutionsInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	StatusFilter    string  `json:"statusFilter"`
	MaxResults      int     `json:"maxResults"`
	NextToken       *string `json:"nextToken"`
	MapRunArn       string  `json:"mapRunArn"`
	RedriveFilter   string  `json:"redriveFilter"`
}

type executionListItem struct {
	ExecutionArn           string `json:"executionArn"`
	StateMachineArn        string `json:"stateMachineArn"`
	Name                   string `json:"name"`
	Status                 string `json:"status"`
	StartDate              *epoch `json:"startDate"`
	StopDate               *epoch `json:"stopDate,omitempty"`
	StateMachineVersionArn string `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasArn   string `json:"stateMachineAliasArn,omitempty"`
	RedriveCount           int    `json:"redriveCount"`
	RedriveDate            *epoch `json:"redriveDate,omitempty"`
}

func (s *Server) listExecutions(ctx context.Context, in *listExecutionsInput) (any, error) {
	switch {
	case in.StateMachineArn != "" && in.MapRunArn != "":
		return nil, errValidation("Cannot specify both a StateMachine ARN and a MapRun ARN")
	case in.StateMachineArn == "" && in.MapRunArn == "":
		return nil, errValidation("Must provide a StateMachine ARN or MapRun ARN")
	case in.MapRunArn != "":
		return s.listMapRunExecutions(in)
	case in.StatusFilter == "PENDING_REDRIVE":
		return nil, errValidation("PENDING_REDRIVE status filter requires a MapRun ARN")
	}
	ref, aerr := parseMachineARN(in.StateMachineArn, true)
	if aerr != nil {
		return nil, aerr
	}
	f := store.ExecutionFilter{StateMachineARN: ref.machine, Status: in.StatusFilter}
	switch {
	case ref.version > 0:
		f.VersionARN = in.StateMachineArn
	case ref.alias != "":
		f.AliasARN = in.StateMachineArn
	}
	filter := in.StateMachineArn + "\x01" + in.StatusFilter + "\x01" + in.RedriveFilter
	page, perr := pageFor("ListExecutions", filter, in.MaxResults, in.NextToken)
	if perr != nil {
		return nil, perr
	}
	out := struct {
		Executions []executionListItem `json:"executions"`
		NextToken  *string             `json:"nextToken,omitempty"`
	}{Executions: []executionListItem{}}
	err := s.store.View(ctx, func(tx store.Tx) error {
		sm, err := getMachine(tx, ref.machine, in.StateMachineArn)
		if err != nil {
			return err
		}
		if sm.Type == "EXPRESS" {
			return apiErr("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
		}
		l, next, err := tx.ListExecutions(f, page)
		for _, e := range l {
			// redriveFilter selects within the page: a page may come
			// out short.
			if in.RedriveFilter == "REDRIVEN" && e.RedriveCount == 0 || in.RedriveFilter == "NOT_REDRIVEN" && e.RedriveCount > 0 {
				continue
			}
			out.Executions = append(out.Executions, executionListItem{
				ExecutionArn: e.ARN, StateMachineArn: e.StateMachineARN, Name: e.Name, Status: e.Status,
				StartDate: ep(e.Start), StopDate: ep(e.Stop), StateMachineVersionArn: e.VersionARN, StateMachineAliasArn: e.AliasARN,
				RedriveCount: e.RedriveCount, RedriveDate: ep(e.RedriveDate),
			})
		}
		out.NextToken = tokenFor("ListExecutions", filter, next)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Server) getExecutionHistory(ctx context.Context, in *executionInput) (any, error) {
	if err := standardExecution(in.ExecutionArn); err != nil {
		return nil, err
	}
	filter := in.ExecutionArn + "\x01" + fmt.Sprint(in.ReverseOrder)
	page, perr := pageFor("GetExecutionHistory", filter, in.MaxResults, in.NextToken)
	if perr != nil {
		return nil, perr
	}
	withData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	if out, ok, err := s.childHistory(in, filter, page, withData); ok || err != nil {
		return out, err
	}
	if rn := s.runs.get(in.ExecutionArn); rn != nil {
		// Every event emitted so far: those its recorder holds, and those
		// handed to the committer.
		rn.rec.flushHeld()
		s.commits.sync()
	}
	out := struct {
		Events    []json.RawMessage `json:"events"`
		NextToken *string           `json:"nextToken,omitempty"`
	}{Events: []json.RawMessage{}}
	err := s.store.View(ctx, func(tx store.Tx) error {
		evs, next, err := tx.Events(in.ExecutionArn, in.ReverseOrder, page)
		if errors.Is(err, store.ErrNotFound) {
			return errExecutionNotFound(in.ExecutionArn)
		} else if err != nil {
			return err
		}
		for _, ev := range evs {
			out.Events = append(out.Events, wireDetails(stripKey(ev.JSON), withData))
		}
		out.NextToken = tokenFor("GetExecutionHistory", filter, next)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// wireDetails finishes an event's details as GetExecutionHistory writes
// them: every input or output comes with its inputDetails/outputDetails
// ({"truncated": false}: payloads are never cut here), and without
// execution data the payloads themselves are left out.
func wireDetails(ev json.RawMessage, withData bool) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(ev, &m) != nil {
		return ev
	}
	changed := false
	for k, v := range m {
		if !strings.HasSuffix(k, "EventDetails") {
			continue
		}
		var d map[string]json.RawMessage
		if json.Unmarshal(v, &d) != nil {
			continue
		}
		touched := false
		for _, f := range []string{"input", "output"} {
			if _, ok := d[f]; !ok {
				continue
			}
			if _, ok := d[f+"Details"]; !ok {
				d[f+"Details"] = json.RawMessage(`{"truncated":false}`)
				touched = true
			}
			if !withData {
				delete(d, f)
				touched = true
			}
		}
		if !withData {
			if _, ok := d["parameters"]; ok {
				delete(d, "parameters")
				touched = true
			}
		}
		if touched {
			m[k], _ = json.Marshal(d)
			changed = true
		}
	}
	if !changed {
		return ev
	}
	out, _ := json.Marshal(m)
	return out
}

func (s *Server) describeStateMachineForExecution(ctx context.Context, in *executionInput) (any, error) {
	e, err := s.getExecution(ctx, in.ExecutionArn)
	var mapRunARN, label string
	if err != nil {
		// A map run's child: the machine of its map run, with the run's
		// ARN and label (AWS API reference).
		info, ok := s.childRunInfo(ctx, in.ExecutionArn)
		if !ok {
			return nil, err
		}
		if e, err = s.topExecution(ctx, info.ExecutionARN); err != nil {
			return nil, errExecutionNotFound(in.ExecutionArn)
		}
		e.StateMachineARN, mapRunARN, label = info.StateMachineARN, info.ARN, info.Label
	}
	return &struct {
		StateMachineArn      string          `json:"stateMachineArn"`
		Name                 string          `json:"name"`
		Definition           string          `json:"definition"`
		RoleArn              string          `json:"roleArn"`
		UpdateDate           *epoch          `json:"updateDate"`
		RevisionID           string          `json:"revisionId,omitempty"`
		LoggingConfiguration json.RawMessage `json:"loggingConfiguration"`
		TracingConfiguration json.RawMessage `json:"tracingConfiguration"`
		MapRunArn            string          `json:"mapRunArn,omitempty"`
		Label                string          `json:"label,omitempty"`
	}{e.StateMachineARN, e.MachineName, e.Definition, e.RoleARN, ep(e.MachineUpdated), e.RevisionID, defaultLogging, defaultTracing, mapRunARN, label}, nil
}
