package interpreter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Status is the final status of an execution.
type Status string

// Execution statuses, as Step Functions names them.
const (
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
	StatusTimedOut  Status = "TIMED_OUT"
	StatusAborted   Status = "ABORTED"
)

// Result is the outcome of an execution.
type Result struct {
	Status Status
	// Output is the execution's output JSON when it succeeded.
	Output []byte
	// Error and Cause describe a failure.
	Error, Cause string
	// ExecutionARN and StateMachineARN are the identifiers the context
	// object showed.
	ExecutionARN, StateMachineARN string
	StartDate, StopDate           time.Time
	// History holds the events when WithHistory was given.
	History []Event
}

// execution is the state of one run.
type execution struct {
	cfg      config
	ctx      context.Context // the execution context, for telling abort from timeout
	cancel   context.CancelCauseFunc
	id       string
	name     string
	smID     string
	input    any
	start    time.Time
	deadline time.Time // on the clock; zero: none
	// timeoutCause is the cause of a timeout: the machine's TimeoutSeconds
	// or WithTimeout's limit.
	timeoutCause string
	record       bool

	mu     sync.Mutex // guards events, rnd
	events []Event
	rnd    *rand.Rand
	// rnd's source and value are parts of the execution: fewer
	// allocations.
	pcg     rand.PCG
	rndVal  rand.Rand
	nEvents atomic.Int64
	// eventCap is the event limit, or MaxInt64 for none: count compares
	// with it alone, so that it inlines.
	eventCap int64
	tokenNo  atomic.Int64
	// keyed gives events keys (WithResumable); replay is the record a
	// resumed execution replays (WithResume); redrives counts its
	// ExecutionRedriven events.
	keyed    bool
	replay   *replayLog
	redrives int
	// mapChild marks a child execution of a map run: its events have
	// keys (so that it can be resumed), which repeat across children.
	// resumableChild marks a STANDARD child whose events are recorded
	// (it can be resumed): its task IDs and tokens are its ARN and the
	// key; other children's tasks have none (an EXPRESS child starts
	// again from the beginning).
	mapChild, resumableChild bool
	// ctxOverlay is merged into every context object (WithContextObject).
	ctxOverlay *Object
}

var (
	errExecutionTimeout = errors.New("execution timed out")
	errEventLimit       = errors.New("event limit reached")
	errStateTimeout     = errors.New("state timed out")
	errHeartbeatTimeout = errors.New("heartbeat timed out")
)

// Run executes the machine on input (JSON; empty means {}). It returns the
// result and, when the execution did not succeed, an *ExecutionError as
// well. Other errors (input that is not JSON) come without a result.
func (m *Machine) Run(ctx context.Context, input []byte, opts ...Option) (*Result, error) {
	// The options set the execution's own config: one allocation less.
	x := &execution{cfg: defaultConfig()}
	cfg := &x.cfg
	for _, o := range opts {
		o(cfg)
	}
	if len(input) > MaxPayloadBytes {
		return nil, fmt.Errorf("execution input: %d bytes is more than the %d Step Functions accepts", len(input), MaxPayloadBytes)
	}
	var in any
	if len(bytes.TrimSpace(input)) > 0 {
		v, err := parseJSON(input)
		if err != nil {
			return nil, fmt.Errorf("execution input: invalid JSON: %w", err)
		}
		in = v
	} else {
		in = newObject(0)
	}
	if cfg.roleArn == "" {
		cfg.roleArn = "arn:aws:iam::" + cfg.account + ":role/StepFunctions-" + cfg.smName + "-role"
	}
	x.input, x.record, x.keyed = in, cfg.record || cfg.resume != nil, cfg.keyed
	if cfg.ctxJSON != nil {
		v, err := parseJSON(cfg.ctxJSON)
		o, isObj := v.(*Object)
		if err != nil || !isObj {
			return nil, fmt.Errorf("context object: not a JSON object")
		}
		x.ctxOverlay = o
	}
	x.eventCap = cfg.maxEvents
	if x.eventCap <= 0 {
		x.eventCap = math.MaxInt64
	}
	if cfg.seeded {
		x.pcg.Seed(cfg.seed, cfg.seed^0x9e3779b97f4a7c15)
	} else {
		x.pcg.Seed(rand.Uint64(), rand.Uint64())
	}
	x.rndVal = *rand.New(&x.pcg)
	x.rnd = &x.rndVal
	x.name = cfg.execName
	if x.name == "" {
		x.name = x.uuid()
	}
	x.smID = "arn:aws:states:" + cfg.region + ":" + cfg.account + ":stateMachine:" + cfg.smName
	x.id = "arn:aws:states:" + cfg.region + ":" + cfg.account + ":execution:" + cfg.smName + ":" + x.name
	runStart := x.resumeSetup(cfg.clock.Now())

	ctx, x.cancel = context.WithCancelCause(ctx)
	defer x.cancel(nil)
	timeout := m.timeout
	x.timeoutCause = "the execution exceeded its TimeoutSeconds"
	if cfg.timeout > 0 && (timeout == 0 || cfg.timeout < timeout) {
		timeout = cfg.timeout
		x.timeoutCause = fmt.Sprintf("the execution exceeded its time limit of %v", timeout)
	}
	if timeout > 0 {
		// The deadline is on the execution's clock (Waits and retry
		// intervals move it); the real-time timer bounds the real time
		// tasks take, which a virtual clock does not count.
		x.deadline = runStart.Add(timeout)
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, x.deadline.Sub(cfg.clock.Now()), errExecutionTimeout)
		defer cancel()
	}
	x.ctx = ctx
	// The top level's scope and its room for events, in one allocation.
	top := new(topScope)
	sc := &top.sc
	sc.x, sc.scratch = x, &top.room
	if x.keyed {
		sc.path = "r"
	}
	// AWS counts the first state's entry from event 0, not from
	// ExecutionStarted.
	x.emitKeep(sc, "ExecutionStarted", func(e *Event) {
		sc.scratch.inJSON = sc.encode(in)
		e.ExecutionStartedEventDetails = &ExecutionStartedDetails{Input: sc.scratch.inJSON, RoleArn: cfg.roleArn}
	})
	out, eerr := x.runMachine(ctx, m.root, in, sc, -1)
	res := &Result{ExecutionARN: x.id, StateMachineARN: x.smID, StartDate: x.start}
	var outJSON []byte
	// The output's text is the last ...StateExited's, when it was recorded.
	outText := sc.scratch.outJSON
	if eerr == nil {
		if outText != "" {
			outJSON = []byte(outText)
		} else {
			outJSON = appendJSON(nil, out)
		}
	}
	cause := context.Cause(ctx)
	switch {
	case eerr == nil && len(outJSON) > MaxPayloadBytes:
		eerr = newError(ErrDataLimitExceeded, "the execution output is larger than %d bytes", MaxPayloadBytes)
		res.Status, res.Error, res.Cause = StatusFailed, eerr.Name, eerr.Cause
		x.emit(sc, "ExecutionFailed", func(e *Event) {
			e.ExecutionFailedEventDetails = &FailureDetails{Error: res.Error, Cause: res.Cause}
		})
	case eerr == nil:
		res.Status = StatusSucceeded
		res.Output = outJSON
		x.emit(sc, "ExecutionSucceeded", func(e *Event) {
			if outText == "" {
				outText = string(res.Output)
			}
			e.ExecutionSucceededEventDetails = &OutputDetails{Output: outText}
		})
	case cause == errExecutionTimeout:
		res.Status, res.Error, res.Cause = StatusTimedOut, ErrTimeout, x.timeoutCause
		eerr = &ExecutionError{Name: res.Error, Cause: res.Cause}
		x.emit(sc, "ExecutionTimedOut", func(e *Event) {
			e.ExecutionTimedOutEventDetails = &FailureDetails{Error: res.Error, Cause: res.Cause}
		})
	case cause == errEventLimit:
		eerr = x.ctxError(ctx)
		res.Status, res.Error, res.Cause = StatusFailed, eerr.Name, eerr.Cause
		x.emit(sc, "ExecutionFailed", func(e *Event) {
			e.ExecutionFailedEventDetails = &FailureDetails{Error: res.Error, Cause: res.Cause}
		})
	case ctx.Err() != nil:
		res.Status, res.Error, res.Cause = StatusAborted, "States.Aborted", ctx.Err().Error()
		eerr = &ExecutionError{Name: res.Error, Cause: res.Cause}
		x.emit(sc, "ExecutionAborted", func(e *Event) {
			e.ExecutionAbortedEventDetails = &FailureDetails{Error: res.Error, Cause: res.Cause}
		})
	default:
		res.Status, res.Error, res.Cause = StatusFailed, eerr.Name, eerr.Cause
		x.emit(sc, "ExecutionFailed", func(e *Event) {
			e.ExecutionFailedEventDetails = &FailureDetails{Error: res.Error, Cause: res.Cause}
		})
	}
	res.StopDate = cfg.clock.Now()
	if cfg.keep {
		res.History = x.events
	}
	if eerr != nil {
		return res, eerr
	}
	return res, nil
}

// topScope is the top level's scope with its room for events.
type topScope struct {
	sc   scope
	room emitScratch
}

// count counts one history event that is not recorded.
func (x *execution) count(sc *scope) {
	id := x.nEvents.Add(1)
	sc.lastEvent = id
	if id > x.eventCap {
		x.eventLimit()
	}
}

// eventLimit ends the execution for having reached the event limit.
//
//go:noinline
func (x *execution) eventLimit() {
	x.stop(errEventLimit)
}

// emit counts an event and, when history is on, records it: it is kept
// for Result.History (WithHistory) and passed to the hook. Its
// previousEventId is the scope's last event, which it becomes.
func (x *execution) emit(sc *scope, typ string, fill func(*Event)) int64 {
	return x.emitFrom(sc, typ, sc.lastEvent, true, fill)
}

// emitKeep is emit for the events after which AWS goes on counting from
// the event before them (previousEventId): ExecutionStarted,
// MapIterationSucceeded/Failed, MapStateSucceeded, ParallelStateSucceeded.
// It returns the event's id.
func (x *execution) emitKeep(sc *scope, typ string, fill func(*Event)) int64 {
	return x.emitFrom(sc, typ, sc.lastEvent, false, fill)
}

// emitFrom records an event whose previousEventId is prev; update makes
// it the scope's last event.
func (x *execution) emitFrom(sc *scope, typ string, prev int64, update bool, fill func(*Event)) int64 {
	if !x.record {
		id := x.nEvents.Add(1)
		if update {
			sc.lastEvent = id
		}
		if x.cfg.maxEvents > 0 && id > x.cfg.maxEvents {
			x.stop(errEventLimit)
		}
		return id
	}
	var key string
	if x.keyed {
		if id, ok := x.replayEvent(sc, typ, update); ok {
			return id
		}
		key = sc.nextKey()
		sc.replayTS, sc.replayed = time.Time{}, false
	}
	// The event is built in the scope's room, not in one of its own:
	// fill takes its address, which would move it to the heap.
	// Only the details set last time are unset: assigning a whole Event
	// would take a write barrier for each of its pointers while the
	// garbage collector runs.
	e := &sc.room().ev
	e.clearDetails()
	e.Type, e.Timestamp, e.Key = typ, x.cfg.clock.Now(), key
	if fill != nil {
		fill(e)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	id := x.nEvents.Add(1)
	e.ID = id
	e.PreviousEventID = prev
	if update {
		sc.lastEvent = id
	}
	over := x.cfg.maxEvents > 0 && id > x.cfg.maxEvents
	if x.cfg.keep && (!over || strings.HasPrefix(typ, "Execution")) {
		x.events = append(x.events, *e)
	}
	if x.cfg.hook != nil {
		x.cfg.hook(*e)
	}
	if over {
		x.stop(errEventLimit)
	}
	return id
}

// sleep waits d on the execution's clock. A sleep that would reach the
// execution's deadline sleeps until the deadline and times the execution
// out, so that virtual time times out as real time does.
func (x *execution) sleep(ctx context.Context, sc *scope, d time.Duration) error {
	if x.replay != nil {
		var skip bool
		if d, skip = x.replaySleep(sc, d); skip {
			return nil
		}
	}
	if !x.deadline.IsZero() {
		if left := x.deadline.Sub(x.cfg.clock.Now()); d >= left {
			if err := x.cfg.clock.Sleep(ctx, max(left, 0)); err != nil {
				return err
			}
			x.stop(errExecutionTimeout)
			return errExecutionTimeout
		}
	}
	return x.cfg.clock.Sleep(ctx, d)
}

// stop ends the execution with cause; the states see it at once.
func (x *execution) stop(cause error) {
	x.cancel(cause)
}

// deadlinePassed reports whether the execution's clock has reached its
// deadline; it then times the execution out.
func (x *execution) deadlinePassed() bool {
	if x.deadline.IsZero() {
		return false
	}
	return x.clockPassedDeadline()
}

// clockPassedDeadline is deadlinePassed for an execution with a deadline.
func (x *execution) clockPassedDeadline() bool {
	if x.cfg.clock.Now().Before(x.deadline) {
		return false
	}
	x.stop(errExecutionTimeout)
	return true
}

// ctxError is the error of a state stopped by its context.
func (x *execution) ctxError(ctx context.Context) *ExecutionError {
	switch context.Cause(x.ctx) {
	case errExecutionTimeout:
		return &ExecutionError{Name: ErrTimeout, Cause: x.timeoutCause}
	case errEventLimit:
		return &ExecutionError{Name: ErrRuntime, Cause: fmt.Sprintf("The execution reached the maximum number of history events (%d).", x.cfg.maxEvents)}
	}
	return &ExecutionError{Name: "States.Aborted", Cause: context.Cause(ctx).Error()}
}

func asExecError(err error) *ExecutionError {
	var ee *ExecutionError
	if errors.As(err, &ee) {
		return ee
	}
	return &ExecutionError{Name: ErrRuntime, Cause: err.Error()}
}

func (x *execution) int64n(n int64) int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.rnd.Int64N(n)
}

func (x *execution) float64() float64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.rnd.Float64()
}

// uuid returns a random (version 4) UUID.
func (x *execution) uuid() string {
	x.mu.Lock()
	a, b := x.rnd.Uint64(), x.rnd.Uint64()
	x.mu.Unlock()
	var u [16]byte
	for i := range 8 {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(b >> (8 * i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hx = "0123456789abcdef"
	var s strings.Builder
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s.WriteByte('-')
		}
		s.WriteByte(hx[c>>4])
		s.WriteByte(hx[c&0xf])
	}
	return s.String()
}
