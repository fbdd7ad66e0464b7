package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/hsc-dev/hsc/store"
)

// Group commit of history events.
//
// Executions hand their events to one committer, which stores everything
// handed to it since its last transaction in one transaction: an event and
// the status change it makes commit together, in the order each execution
// emitted them, so the stored history of an execution is always a prefix
// of its run. Writers that something depends on wait for their commit:
// an execution's last event (its status), ActivityStarted (before
// GetActivityTask answers) and a task's outcome (before SendTask…
// answers). A writer that waits and finds no transaction under way runs
// it itself; otherwise the committer goroutine runs the next one. A
// failed transaction fails every execution in it: each stops storing,
// stops its run and is resumed from the store later (retryResume), so no
// execution's stored history gets a hole.
//
// Over the in-memory store the server made itself, the committer is
// direct: a writer stores its write at once, in its own goroutine, and
// an execution's recorder holds the events no one waits for until one
// that someone does wait for comes, or a reader of the history asks
// (submitEvent): a run of events in one transaction, none of them
// missing from a read.

// maxQueued bounds the events waiting for a transaction: past it, writers
// wait for their commit.
const maxQueued = 8192

type committer struct {
	s        *Server
	direct   bool
	once     sync.Once
	stopOnce sync.Once
	started  atomic.Bool
	mu       sync.Mutex
	queue    []*pendingWrite
	// batches holds commitBatches for reuse: one is needed for every
	// transaction, over the in-memory store one per event.
	batches sync.Pool
	// flushing is set while someone (a waiting writer or the committer
	// goroutine) stores a batch: one at a time, so each execution's
	// events are stored in the order they were queued. idle (on mu) is
	// signalled whenever flushing is cleared, for close to wait on.
	flushing bool
	idle     *sync.Cond
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
}

// pendingWrite is one event waiting for its transaction, or (rec nil)
// an operation of a request (op).
type pendingWrite struct {
	op    func(store.Tx) error
	rec   *recorder
	ev    store.Event
	final *store.Execution // status fields, for an execution's last event
	key   string
	done  chan error // receives the outcome when someone waits
	// direct: the writer stores w itself (a direct committer) and reads
	// the outcome from err.
	direct bool
	err    error
	// after, when set (an op), is called with the transaction's outcome
	// once it has committed or failed.
	after func(error)
}

func newCommitter(s *Server, direct bool) *committer {
	c := &committer{s: s, direct: direct, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	c.idle = sync.NewCond(&c.mu)
	c.batches.New = func() any {
		b := &commitBatch{c: c}
		b.apply = b.write
		return b
	}
	return c
}

// submit queues w; with wait it returns once w is committed (or not).
// A direct committer (over the in-memory store, where a transaction costs
// little) stores w at once instead.
func (c *committer) submit(w *pendingWrite, wait bool) error {
	if c.direct {
		one := [1]*pendingWrite{w}
		return c.storeNow(one[:])
	}
	c.once.Do(func() {
		c.started.Store(true)
		go c.run()
	})
	select {
	case <-c.stop:
		return errStoreFailed // the server has closed
	default:
	}
	c.mu.Lock()
	if len(c.queue) >= maxQueued {
		wait = true
	}
	if wait {
		w.done = make(chan error, 1)
	}
	c.queue = append(c.queue, w)
	// A writer that waits and finds no one storing stores the queue (w
	// with it) itself, rather than wake the committer goroutine and wait
	// to be woken in turn: two hand-offs fewer on the way of every
	// StartExecution and every execution's end.
	var batch []*pendingWrite
	if wait && !c.flushing {
		c.flushing = true
		batch = c.take()
	}
	c.mu.Unlock()
	if batch != nil {
		c.flushBatch(batch)
		c.release()
		return <-w.done
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
	if !wait {
		return nil
	}
	return <-w.done
}

// maxHeld bounds the events a recorder holds back (submitEvent).
const maxHeld = 64

// submitEvent hands an execution's event to the committer; the
// recorder's lock is held. A direct committer lets the recorder hold an
// event that no one waits for, and stores the held events in one
// transaction with the next one that someone does wait for (the
// execution's last, ActivityStarted, an outcome a SendTask… waits for),
// once maxHeld are held, or when a reader of the history asks
// (recorder.flushHeld, which GetExecutionHistory calls): a transaction
// for a run of events rather than one for each, and a read still finds
// every event emitted before it. Any other committer takes the event as
// submit does.
func (c *committer) submitEvent(w *pendingWrite, wait bool) error {
	if !c.direct {
		return c.submit(w, wait)
	}
	r := w.rec
	r.held = append(r.held, w)
	if !wait && len(r.held) < maxHeld && !r.awaited(w.key) {
		return nil
	}
	return r.storeHeld()
}

// storeNow stores a direct committer's batch in one transaction and
// returns its outcome.
func (c *committer) storeNow(batch []*pendingWrite) error {
	for _, w := range batch {
		w.direct = true
	}
	c.flushBatch(batch)
	for _, w := range batch {
		if w.err != nil {
			return w.err
		}
	}
	return nil
}

// take empties the queue (c.mu is held).
func (c *committer) take() []*pendingWrite {
	batch := c.queue
	c.queue = nil
	return batch
}

// release ends a writer's flush: what was queued meanwhile goes to the
// committer goroutine.
func (c *committer) release() {
	c.mu.Lock()
	c.flushing = false
	c.idle.Broadcast()
	more := len(c.queue) > 0
	c.mu.Unlock()
	if more {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

func (c *committer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.wake:
			c.flush()
		case <-c.stop:
			c.flush()
			return
		}
	}
}

// close stores what is queued and stops the committer.
func (c *committer) close() {
	c.stopOnce.Do(func() { close(c.stop) })
	if c.started.Load() {
		<-c.done
	}
	// A writer may be storing its batch still; what it leaves queued
	// is stored here.
	for {
		c.mu.Lock()
		for c.flushing {
			c.idle.Wait()
		}
		c.mu.Unlock()
		c.flush()
		c.mu.Lock()
		idle := !c.flushing && len(c.queue) == 0
		c.mu.Unlock()
		if idle {
			return
		}
	}
}

// flush stores what is queued, one transaction at a time, unless a
// writer is storing (it hands what is left to the committer goroutine
// when it is done).
func (c *committer) flush() {
	for {
		c.mu.Lock()
		if c.flushing || len(c.queue) == 0 {
			c.mu.Unlock()
			return
		}
		c.flushing = true
		batch := c.take()
		c.mu.Unlock()
		c.flushBatch(batch)
		c.mu.Lock()
		c.flushing = false
		c.idle.Broadcast()
		c.mu.Unlock()
	}
}

// commitBatch is what flushBatch stores in one transaction, in one
// allocation with room for the common batch of a single event.
type commitBatch struct {
	c *committer
	// apply is write, bound once (a method value made for every
	// transaction would be an allocation each).
	apply func(store.Tx) error
	ops   []*pendingWrite // operations of requests
	live  []*pendingWrite // events of executions still storing
	// order is live's events, one group per execution (groupEvents);
	// finals the final records written, by index in live.
	order  []recEvents
	finals []*store.Execution
	oneW   [1]*pendingWrite
	oneG   [1]recEvents
	oneE   [1]store.Event
	oneF   [1]*store.Execution
}

// flushBatch stores batch in one transaction.
func (c *committer) flushBatch(batch []*pendingWrite) {
	if len(batch) == 0 {
		return
	}
	b := c.batches.Get().(*commitBatch)
	defer b.release()
	if len(batch) == 1 {
		b.live = b.oneW[:0]
	} else {
		b.live = make([]*pendingWrite, 0, len(batch))
	}
	for _, w := range batch {
		if w.op != nil {
			b.ops = append(b.ops, w)
			continue
		}
		if w.rec.failed.Load() {
			w.finish(errStoreFailed)
			continue
		}
		b.live = append(b.live, w)
	}
	if len(b.live) == 0 && len(b.ops) == 0 {
		return
	}
	// One AppendEvents per execution, in order.
	b.order = b.groupEvents()
	for _, w := range b.live {
		if w.final != nil {
			if len(b.live) == 1 {
				b.finals = b.oneF[:]
			} else {
				b.finals = make([]*store.Execution, len(b.live))
			}
			break
		}
	}
	err := c.s.store.Update(context.Background(), b.apply)
	if err != nil {
		if len(b.live) > 0 { // a request's own write is logged with its answer
			c.s.log.Error("store history events", "events", len(b.live), "executions", len(b.order), "err", err)
		}
		for _, g := range b.order {
			g.rec.storeFailed()
		}
	}
	for i, w := range b.live {
		if err == nil {
			if b.finals != nil && b.finals[i] != nil {
				w.rec.view.Store(b.finals[i])
			}
			w.rec.committed(w)
		}
		w.finish(err)
	}
	for _, w := range b.ops {
		if w.after != nil {
			w.after(err)
		}
		w.finish(err)
	}
}

// release empties b, keeping nothing it referred to, and returns it to
// its committer for the next transaction.
func (b *commitBatch) release() {
	c, apply := b.c, b.apply
	*b = commitBatch{c: c, apply: apply}
	c.batches.Put(b)
}

// write writes the batch in the transaction tx.
func (b *commitBatch) write(tx store.Tx) error {
	var err error
	for _, w := range b.ops {
		if err := w.op(tx); err != nil {
			return err
		}
	}
	for _, g := range b.order {
		if err := tx.AppendEvents(g.rec.arn, g.events); err != nil {
			return err
		}
	}
	for i, w := range b.live {
		if w.final == nil {
			continue
		}
		// The record as last committed: the recorder's view when it
		// has one (nothing else writes a running execution's
		// record), otherwise the store's.
		var e *store.Execution
		if v := w.rec.view.Load(); v != nil {
			c := *v
			e = &c
		} else if e, err = tx.GetExecution(w.rec.arn); err != nil {
			return err
		}
		f := w.final
		e.Status, e.Output, e.Error, e.Cause, e.Stop = f.Status, f.Output, f.Error, f.Cause, f.Stop
		if err := tx.PutExecution(e); err != nil {
			return err
		}
		e.EventCount = w.ev.ID // the last event of the history
		b.finals[i] = e
	}
	return nil
}

// recEvents are the events of one execution in a batch.
type recEvents struct {
	rec    *recorder
	events []store.Event
}

// groupEvents groups the batch's events by execution, executions in the
// order of their first event. Most batches hold one execution or a few:
// they are found by a scan; a map is made only for many.
func (b *commitBatch) groupEvents() []recEvents {
	if len(b.live) == 1 {
		w := b.live[0]
		b.oneE[0] = w.ev
		b.oneG[0] = recEvents{rec: w.rec, events: b.oneE[:]}
		return b.oneG[:]
	}
	var (
		groups []recEvents
		index  map[*recorder]int
	)
	for _, w := range b.live {
		i := -1
		if index != nil {
			if j, ok := index[w.rec]; ok {
				i = j
			}
		} else {
			for j := range groups {
				if groups[j].rec == w.rec {
					i = j
					break
				}
			}
		}
		if i < 0 {
			i = len(groups)
			g := recEvents{rec: w.rec}
			if i == 0 { // often the only one: room for all
				g.events = make([]store.Event, 0, len(b.live))
			}
			groups = append(groups, g)
			if index != nil {
				index[w.rec] = i
			} else if len(groups) > 16 {
				index = make(map[*recorder]int, 2*len(groups))
				for j, g := range groups {
					index[g.rec] = j
				}
			}
		}
		groups[i].events = append(groups[i].events, w.ev)
	}
	return groups
}

// do runs fn in the next group transaction and waits for its commit. fn
// must return an error only when the store fails (that fails the whole
// group); answers of its own, such as ExecutionAlreadyExists, go through
// its result: do returns them when fn returns them wrapped by
// requestError.
func (c *committer) do(fn func(store.Tx) error) error {
	var res error
	err := c.submit(&pendingWrite{op: func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			if re, ok := err.(requestError); ok {
				res = re.error
				return nil
			}
			return err
		}
		return nil
	}}, true)
	if err != nil {
		return err
	}
	return res
}

// requestError marks an error of a request (not of the store) that an
// operation run by do returns before writing anything.
type requestError struct{ error }

func (w *pendingWrite) finish(err error) {
	if w.direct {
		w.err = err
		return
	}
	if w.done != nil {
		w.done <- err
	}
}

// errNotStored answers a SendTask… whose outcome could not be stored:
// the client retries, and the resumed execution takes the answer.
var errNotStored = &APIError{Code: "ServiceUnavailable", Message: "The service is unavailable: the task's outcome could not be stored. Try again later.", Status: http.StatusServiceUnavailable}

// errNotStarted answers a GetActivityTask whose task's start could not be
// stored: the worker does not get it, and the resumed execution queues it
// again.
var errNotStarted = &APIError{Code: "ServiceUnavailable", Message: "The service is unavailable: the task's start could not be stored. Try again later.", Status: http.StatusServiceUnavailable}

// errStalled answers a SendTask… for an execution whose run stopped
// because the store refused its history: it is resumed, and takes the
// answer, once the store takes writes again.
var errStalled = &APIError{Code: "ServiceUnavailable", Message: "The service is unavailable: the task's execution waits for its store to take writes again. Try again later.", Status: http.StatusServiceUnavailable}

// requestErrors makes fn's API errors requestErrors, for do.
func requestErrors(fn func(store.Tx) error) func(store.Tx) error {
	return func(tx store.Tx) error {
		err := fn(tx)
		var ae *APIError
		if errors.As(err, &ae) {
			return requestError{err}
		}
		return err
	}
}

// sync waits until what was handed to the committer so far is stored.
func (c *committer) sync() {
	if c.direct {
		return
	}
	_ = c.submit(&pendingWrite{op: func(store.Tx) error { return nil }}, true)
}
