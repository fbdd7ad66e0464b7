package interpreter

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Map runs: a distributed Map state runs each item (or batch) as a child
// workflow execution of a map run, as Step Functions does. MapRun is what
// a caller (the server) sees of one: its identity, counts and child
// executions, and UpdateMapRun's settings.

// MapRunCounts are the item or execution counts of a map run, with the
// fields of DescribeMapRun's itemCounts and executionCounts.
type MapRunCounts struct {
	Pending        int64 `json:"pending"`
	Running        int64 `json:"running"`
	Succeeded      int64 `json:"succeeded"`
	Failed         int64 `json:"failed"`
	TimedOut       int64 `json:"timedOut"`
	Aborted        int64 `json:"aborted"`
	Total          int64 `json:"total"`
	ResultsWritten int64 `json:"resultsWritten"`
}

// ChildExecution is one child workflow execution of a map run.
type ChildExecution struct {
	ExecutionARN string
	Name         string
	// Index is the item (or, with an ItemBatcher, the batch) the child
	// runs, from 0.
	Index        int
	Status       Status // "" while running
	StartDate    time.Time
	StopDate     time.Time // zero while running
	Input        string
	Output       string // when SUCCEEDED
	Error, Cause string // when it did not succeed
}

// MapRunInfo is a snapshot of a map run.
type MapRunInfo struct {
	ARN             string
	ExecutionARN    string // the parent execution
	StateMachineARN string // the child machine: STATE_MACHINE_ARN/LABEL
	Label           string
	ExecutionType   string // STANDARD or EXPRESS
	Status          string // RUNNING, SUCCEEDED, FAILED or ABORTED
	StartDate       time.Time
	StopDate        time.Time // zero while running
	MaxConcurrency  int
	// ToleratedFailureCount and ToleratedFailurePercentage as
	// DescribeMapRun shows them (0 when not set).
	ToleratedFailureCount       int64
	ToleratedFailurePercentage  float64
	ItemCounts, ExecutionCounts MapRunCounts
	Error, Cause                string
}

// MapRun is a running (or finished) map run. Its methods are safe for
// concurrent use.
type MapRun struct {
	mu       sync.Mutex
	info     MapRunInfo
	children []ChildExecution
	byName   map[string]int
	// countSet and percentSet tell which tolerance the state (or an
	// update) set: an unset one does not limit failures.
	countSet, percentSet bool
	changed              chan struct{} // closed and replaced on each update
	done                 chan struct{}
	hook                 func(ChildExecution) func(Event)
	endHook              func(ChildExecution)
	stops                map[string]context.CancelCauseFunc // running children
}

// errChildStopped is the cause of a child stopped by StopChild.
var errChildStopped = errors.New("the execution was stopped")

// StopChild stops a running child execution, as StopExecution does: it
// ends ABORTED (which the run counts as a failure). It reports whether
// the child was running.
func (r *MapRun) StopChild(name string) bool {
	r.mu.Lock()
	stop := r.stops[name]
	r.mu.Unlock()
	if stop == nil {
		return false
	}
	stop(errChildStopped)
	return true
}

func (r *MapRun) setStop(name string, f context.CancelCauseFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f == nil {
		delete(r.stops, name)
		return
	}
	if r.stops == nil {
		r.stops = map[string]context.CancelCauseFunc{}
	}
	r.stops[name] = f
}

func newMapRun(info MapRunInfo) *MapRun {
	return &MapRun{info: info, byName: map[string]int{}, changed: make(chan struct{}), done: make(chan struct{})}
}

// Info returns a snapshot of the run.
func (r *MapRun) Info() MapRunInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.info
}

// Children returns the run's child executions, in the order they started.
func (r *MapRun) Children() []ChildExecution {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ChildExecution(nil), r.children...)
}

// Child returns the child execution with this name.
func (r *MapRun) Child(name string) (ChildExecution, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, ok := r.byName[name]
	if !ok {
		return ChildExecution{}, false
	}
	return r.children[i], true
}

// SetChildHook asks for the events of the run's child executions: f is
// called as each child starts and returns the function that receives
// its history events (in order, never concurrently), or nil for none.
// Call it from the WithMapRunHook function, before any child starts.
func (r *MapRun) SetChildHook(f func(ChildExecution) func(Event)) {
	r.mu.Lock()
	r.hook = f
	r.mu.Unlock()
}

// SetChildEndHook asks for the end of each of the run's child
// executions: f is called with the child as it ended, after its last
// event and before the run goes on (so before the parent's MapRunSucceeded
// or MapRunFailed). Children a resumed run restores from its record
// (WithMapRunRecords) do not end again. Call it from the WithMapRunHook
// function, before any child starts.
func (r *MapRun) SetChildEndHook(f func(ChildExecution)) {
	r.mu.Lock()
	r.endHook = f
	r.mu.Unlock()
}

func (r *MapRun) childHook() func(ChildExecution) func(Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hook
}

// Done is closed when the run has ended.
func (r *MapRun) Done() <-chan struct{} { return r.done }

// Update changes the run's maximum concurrency and tolerated failures, as
// UpdateMapRun does; nil leaves a setting as it is. A running map run
// applies them at once: more (or fewer) children run at a time, and the
// failures so far are judged against the new tolerance.
func (r *MapRun) Update(maxConcurrency *int, toleratedCount *int64, toleratedPercent *float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if maxConcurrency != nil {
		r.info.MaxConcurrency = *maxConcurrency
	}
	if toleratedCount != nil {
		r.info.ToleratedFailureCount, r.countSet = *toleratedCount, true
	}
	if toleratedPercent != nil {
		r.info.ToleratedFailurePercentage, r.percentSet = *toleratedPercent, true
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

// limits returns the concurrency limit and whether failures failed
// children exceed the tolerance, and a channel closed at the next update.
func (r *MapRun) limits(defaultLimit int) (limit int, exceeded bool, changed <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	limit = r.info.MaxConcurrency
	if limit <= 0 {
		limit = defaultLimit
	}
	return limit, r.exceededLocked(), r.changed
}

// exceededLocked reports whether the failed children are more than the
// run tolerates: more than ToleratedFailureCount, or a larger share of
// the items than ToleratedFailurePercentage. With neither set no failure
// is tolerated.
func (r *MapRun) exceededLocked() bool {
	failed := r.info.ExecutionCounts.Failed + r.info.ExecutionCounts.TimedOut + r.info.ExecutionCounts.Aborted
	if failed == 0 {
		return false
	}
	if !r.countSet && !r.percentSet {
		return true
	}
	if r.countSet && failed > r.info.ToleratedFailureCount {
		return true
	}
	total := r.info.ItemCounts.Total
	return r.percentSet && total > 0 && float64(failed)*100 > r.info.ToleratedFailurePercentage*float64(total)
}

// setItems records the number of items and of children to come.
func (r *MapRun) setItems(n int64, children int) {
	r.mu.Lock()
	r.info.ItemCounts.Total, r.info.ItemCounts.Pending = n, n
	r.children = make([]ChildExecution, 0, children)
	r.byName = make(map[string]int, children)
	r.mu.Unlock()
}

// startChild records a child starting with items items.
func (r *MapRun) startChild(c ChildExecution, items int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byName[c.Name] = len(r.children)
	r.children = append(r.children, c)
	r.info.ExecutionCounts.Total++
	r.info.ExecutionCounts.Running++
	r.info.ItemCounts.Pending -= items
	r.info.ItemCounts.Running += items
}

// endChild records the end of a child and tells the end hook (unless
// the child is restored from the record).
func (r *MapRun) endChild(name string, status Status, stop time.Time, output, errName, cause string, items int64, restored bool) {
	r.mu.Lock()
	var ended ChildExecution
	if i, ok := r.byName[name]; ok {
		c := &r.children[i]
		c.Status, c.StopDate, c.Output, c.Error, c.Cause = status, stop, output, errName, cause
		ended = *c
	}
	hook := r.endHook
	defer func() {
		r.mu.Unlock()
		if hook != nil && !restored && ended.Name != "" {
			hook(ended)
		}
	}()
	r.info.ExecutionCounts.Running--
	r.info.ItemCounts.Running -= items
	for _, c := range []*MapRunCounts{&r.info.ExecutionCounts, &r.info.ItemCounts} {
		n := int64(1)
		if c == &r.info.ItemCounts {
			n = items
		}
		switch status {
		case StatusSucceeded:
			c.Succeeded += n
		case StatusTimedOut:
			c.TimedOut += n
		case StatusAborted:
			c.Aborted += n
		default:
			c.Failed += n
		}
	}
}

// finish ends the run; with results, the ended children's results count
// as written (resultsWritten).
func (r *MapRun) finish(status string, stop time.Time, errName, cause string, results bool) {
	r.mu.Lock()
	r.info.Status, r.info.StopDate, r.info.Error, r.info.Cause = status, stop, errName, cause
	if results {
		r.info.ItemCounts.ResultsWritten = r.info.ItemCounts.Succeeded + r.info.ItemCounts.Failed + r.info.ItemCounts.TimedOut + r.info.ItemCounts.Aborted
		r.info.ExecutionCounts.ResultsWritten = r.info.ExecutionCounts.Succeeded + r.info.ExecutionCounts.Failed + r.info.ExecutionCounts.TimedOut + r.info.ExecutionCounts.Aborted
	}
	// Items no child started stay pending (AWS docs,
	// concepts-examine-map-run.html: "if a Map Run fails with 10
	// unprocessed items, these 10 items remain in the Pending status").
	r.mu.Unlock()
	select {
	case <-r.done:
	default:
		close(r.done)
	}
}

// WithMapRunHook calls f with each map run a distributed Map state of the
// execution starts, before its first child; the caller may keep the run
// to describe or update it. Calls may come from several goroutines.
func WithMapRunHook(f func(*MapRun)) Option { return func(o *config) { o.mapRunHook = f } }

// gate bounds the children running at once by the run's current limit.
type gate struct {
	run     *MapRun
	def     int
	mu      sync.Mutex
	active  int
	release chan struct{}
}

// acquire waits for a place; it returns false when ctx ends first.
func (g *gate) acquire(ctx context.Context) bool {
	for {
		limit, _, changed := g.run.limits(g.def)
		g.mu.Lock()
		if g.active < limit {
			g.active++
			g.mu.Unlock()
			return true
		}
		rel := g.release
		g.mu.Unlock()
		select {
		case <-ctx.Done():
			return false
		case <-rel:
		case <-changed:
		}
	}
}

func (g *gate) done() {
	g.mu.Lock()
	g.active--
	close(g.release)
	g.release = make(chan struct{})
	g.mu.Unlock()
}
