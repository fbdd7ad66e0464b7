package interpreter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
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

// Option configures one execution.
type Option func(*config)

type config struct {
	clock     Clock
	tasks     TaskResolver
	execName  string
	smName    string
	region    string
	account   string
	roleArn   string
	record    bool
	keep      bool
	hook      func(Event)
	seed      uint64
	seeded    bool
	mapLimit  int
	ctxInputs bool
}

// WithClock sets the clock (default: RealClock).
func WithClock(c Clock) Option { return func(o *config) { o.clock = c } }

// WithTaskResolver sets what runs Task states. Without one, any Task state
// fails the execution with States.Runtime.
func WithTaskResolver(r TaskResolver) Option { return func(o *config) { o.tasks = r } }

// WithExecutionName sets the execution name (default: a random UUID).
func WithExecutionName(name string) Option { return func(o *config) { o.execName = name } }

// WithStateMachineName sets the state machine name used in ARNs and the
// context object (default "StateMachine").
func WithStateMachineName(name string) Option { return func(o *config) { o.smName = name } }

// WithRegion and WithAccountID set the region and account in ARNs
// (defaults us-east-1 and 123456789012, as Step Functions Local uses).
func WithRegion(region string) Option { return func(o *config) { o.region = region } }

// WithAccountID sets the account id used in ARNs.
func WithAccountID(id string) Option { return func(o *config) { o.account = id } }

// WithRoleArn sets $$.Execution.RoleArn.
func WithRoleArn(arn string) Option { return func(o *config) { o.roleArn = arn } }

// WithHistory records the execution history into Result.History.
func WithHistory() Option { return func(o *config) { o.record, o.keep = true, true } }

// WithEventHook calls f with each history event as it is recorded; calls
// are never concurrent.
func WithEventHook(f func(Event)) Option {
	return func(o *config) { o.record, o.hook = true, f }
}

// WithSeed makes random choices (jitter, States.MathRandom without a seed,
// States.UUID, names) reproducible.
func WithSeed(seed uint64) Option { return func(o *config) { o.seed, o.seeded = seed, true } }

// MaxPayloadBytes is the Step Functions quota on execution input and output
// and on task input and output (256 KiB). Larger payloads raise
// States.DataLimitExceeded.
const MaxPayloadBytes = 256 * 1024

// defaultMapConcurrency bounds the iterations of a Map state with no
// MaxConcurrency, as inline Map states in Step Functions are bounded.
const defaultMapConcurrency = 40

// execution is the state of one run.
type execution struct {
	cfg    config
	m      *Machine
	ctx    context.Context // the execution context, for telling abort from timeout
	id     string
	name   string
	smID   string
	input  any
	start  time.Time
	record bool

	mu      sync.Mutex // guards events, rnd
	events  []Event
	rnd     *rand.Rand
	tokenNo atomic.Int64
}

var (
	errExecutionTimeout = errors.New("execution timed out")
	errStateTimeout     = errors.New("state timed out")
	errHeartbeatTimeout = errors.New("heartbeat timed out")
)

// Run executes the machine on input (JSON; empty means {}). It returns the
// result and, when the execution did not succeed, an *ExecutionError as
// well. Other errors (input that is not JSON) come without a result.
func (m *Machine) Run(ctx context.Context, input []byte, opts ...Option) (*Result, error) {
	cfg := config{clock: RealClock{}, smName: "StateMachine", region: "us-east-1", account: "123456789012", mapLimit: defaultMapConcurrency}
	for _, o := range opts {
		o(&cfg)
	}
	var in any = newObject(0)
	if len(input) > MaxPayloadBytes {
		return nil, fmt.Errorf("execution input: %d bytes is more than the %d Step Functions accepts", len(input), MaxPayloadBytes)
	}
	if len(bytes.TrimSpace(input)) > 0 {
		v, err := parseJSON(input)
		if err != nil {
			return nil, fmt.Errorf("execution input: invalid JSON: %w", err)
		}
		in = v
	}
	x := &execution{cfg: cfg, m: m, input: in, record: cfg.record}
	if cfg.seeded {
		x.rnd = rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x9e3779b97f4a7c15))
	} else {
		x.rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	x.name = cfg.execName
	if x.name == "" {
		x.name = x.uuid()
	}
	x.smID = fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", cfg.region, cfg.account, cfg.smName)
	x.id = fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", cfg.region, cfg.account, cfg.smName, x.name)
	x.start = cfg.clock.Now()

	if m.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, m.timeout, errExecutionTimeout)
		defer cancel()
	}
	x.ctx = ctx
	sc := &scope{x: x}
	x.emit(sc, "ExecutionStarted", func(e *Event) {
		e.ExecutionStartedEventDetails = &ExecutionStartedDetails{Input: encodeJSON(in), RoleArn: cfg.roleArn}
	})
	out, eerr := x.runMachine(ctx, m.root, in, sc)
	res := &Result{ExecutionARN: x.id, StateMachineARN: x.smID, StartDate: x.start}
	var outJSON []byte
	if eerr == nil {
		outJSON = appendJSON(nil, out)
	}
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
			e.ExecutionSucceededEventDetails = &OutputDetails{Output: string(res.Output)}
		})
	case context.Cause(ctx) == errExecutionTimeout:
		res.Status, res.Error, res.Cause = StatusTimedOut, ErrTimeout, "the execution exceeded its TimeoutSeconds"
		eerr = &ExecutionError{Name: res.Error, Cause: res.Cause}
		x.emit(sc, "ExecutionTimedOut", func(e *Event) {
			e.ExecutionTimedOutEventDetails = &FailureDetails{Error: res.Error, Cause: res.Cause}
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

// emit records an event when history is on.
func (x *execution) emit(sc *scope, typ string, fill func(*Event)) {
	if !x.record {
		return
	}
	e := Event{Type: typ, Timestamp: x.cfg.clock.Now()}
	if fill != nil {
		fill(&e)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	e.ID = int64(len(x.events) + 1)
	e.PreviousEventID = sc.lastEvent
	sc.lastEvent = e.ID
	x.events = append(x.events, e)
	if x.cfg.hook != nil {
		x.cfg.hook(e)
	}
}

// scope is one thread of control: the top level, a Parallel branch or a Map
// iteration. It carries what the context object shows.
type scope struct {
	x          *execution
	lastEvent  int64
	stateName  string
	entered    time.Time
	retryCount int
	token      string
	hasItem    bool
	itemIndex  int
	itemValue  any
	ctxObj     any
	vars       *varScope
}

func (sc *scope) child() *scope {
	var vars *varScope
	if sc.vars != nil {
		vars = &varScope{parent: sc.vars}
	}
	return &scope{x: sc.x, lastEvent: sc.lastEvent, hasItem: sc.hasItem, itemIndex: sc.itemIndex, itemValue: sc.itemValue, vars: vars}
}

func (sc *scope) enter(name string) {
	sc.stateName = name
	sc.entered = sc.x.cfg.clock.Now()
	sc.retryCount = 0
	sc.token = ""
	sc.ctxObj = nil
}

const timeLayout = "2006-01-02T15:04:05.000Z"

// contextObject builds (once per state attempt) the value "$$" names.
func (sc *scope) contextObject() any {
	if sc.ctxObj != nil {
		return sc.ctxObj
	}
	x := sc.x
	exe := newObject(6)
	exe.add("Id", x.id)
	exe.add("Input", x.input)
	exe.add("Name", x.name)
	exe.add("RoleArn", x.cfg.roleArn)
	exe.add("StartTime", x.start.UTC().Format(timeLayout))
	exe.add("RedriveCount", int64(0))
	st := newObject(3)
	st.add("EnteredTime", sc.entered.UTC().Format(timeLayout))
	st.add("Name", sc.stateName)
	st.add("RetryCount", int64(sc.retryCount))
	sm := newObject(2)
	sm.add("Id", x.smID)
	sm.add("Name", x.cfg.smName)
	o := newObject(5)
	o.add("Execution", exe)
	o.add("State", st)
	o.add("StateMachine", sm)
	if sc.token != "" {
		t := newObject(1)
		t.add("Token", sc.token)
		o.add("Task", t)
	}
	if sc.hasItem {
		item := newObject(2)
		item.add("Index", int64(sc.itemIndex))
		item.add("Value", sc.itemValue)
		mp := newObject(1)
		mp.add("Item", item)
		o.add("Map", mp)
	}
	sc.ctxObj = o
	return o
}

func (sc *scope) evalPath(p *Path, input any) (any, bool) {
	switch {
	case p.context:
		return p.eval(sc.contextObject())
	case p.variable != "":
		v, ok := sc.vars.lookup(p.variable)
		if !ok {
			return nil, false
		}
		return p.eval(v)
	}
	return p.eval(input)
}

// varScope holds the workflow variables (Assign) of one scope. A Parallel
// branch or Map iteration reads its parent's variables and writes its own.
type varScope struct {
	parent *varScope
	m      map[string]any
}

func (v *varScope) lookup(name string) (any, bool) {
	for ; v != nil; v = v.parent {
		if x, ok := v.m[name]; ok {
			return x, true
		}
	}
	return nil, false
}

// assign evaluates an Assign template against dollar and returns the
// values to set; commit sets them. Evaluating first means a state's
// assignments all see the variables as they were before the state.
func (sc *scope) evalAssign(t *template, dollar any) (*Object, *ExecutionError) {
	if t == nil {
		return nil, nil
	}
	v, err := t.eval(sc, dollar)
	if err != nil {
		return nil, asExecError(err)
	}
	o, _ := v.(*Object)
	return o, nil
}

func (sc *scope) commit(o *Object) {
	if o == nil || o.Len() == 0 {
		return
	}
	if sc.vars == nil || sc.vars.m == nil {
		sc.vars = &varScope{parent: sc.varsParent(), m: make(map[string]any, o.Len())}
	}
	for _, m := range o.m {
		sc.vars.m[m.k] = m.v
	}
}

func (sc *scope) varsParent() *varScope {
	if sc.vars == nil {
		return nil
	}
	return sc.vars.parent
}

func (x *execution) ctxError(ctx context.Context) *ExecutionError {
	if context.Cause(x.ctx) == errExecutionTimeout {
		return &ExecutionError{Name: ErrTimeout, Cause: "the execution exceeded its TimeoutSeconds"}
	}
	return &ExecutionError{Name: "States.Aborted", Cause: context.Cause(ctx).Error()}
}

// runMachine runs sm from its start state to an end.
func (x *execution) runMachine(ctx context.Context, sm *stateMachine, input any, sc *scope) (any, *ExecutionError) {
	cur := sm.start
	done := ctx.Done()
	for {
		if done != nil {
			select {
			case <-done:
				return nil, x.ctxError(ctx)
			default:
			}
		}
		st := sm.states[cur]
		sc.enter(st.name)
		if x.record {
			x.emit(sc, st.typ.String()+"StateEntered", func(e *Event) {
				e.StateEnteredEventDetails = &StateEnteredDetails{Name: st.name, Input: encodeJSON(input)}
			})
		}
		out, next, err := x.runState(ctx, st, input, sc)
		if err != nil {
			return nil, err
		}
		if x.record {
			x.emit(sc, st.typ.String()+"StateExited", func(e *Event) {
				e.StateExitedEventDetails = &StateExitedDetails{Name: st.name, Output: encodeJSON(out)}
			})
		}
		if next < 0 {
			return out, nil
		}
		input, cur = out, next
	}
}

func (p ioPath) apply(sc *scope, v any) (any, *ExecutionError) {
	if p.null {
		return newObject(0), nil
	}
	if p.path == nil {
		return v, nil
	}
	r, ok := sc.evalPath(p.path, v)
	if !ok {
		return nil, newError(ErrRuntime, "Invalid path '%s': no value at that path in '%s'", p.path.src, truncate(encodeJSON(v)))
	}
	return r, nil
}

func (p resultPath) apply(input, result any) (any, *ExecutionError) {
	switch {
	case p.null:
		return input, nil
	case p.path == nil:
		return result, nil
	}
	out, ok := p.path.set(input, result)
	if !ok {
		return nil, newError(ErrResultPathMatchFailure, "Unable to apply ResultPath '%s' to input '%s'", p.path.src, truncate(encodeJSON(input)))
	}
	return out, nil
}

func asExecError(err error) *ExecutionError {
	var ee *ExecutionError
	if errors.As(err, &ee) {
		return ee
	}
	return &ExecutionError{Name: ErrRuntime, Cause: err.Error()}
}

func (x *execution) runState(ctx context.Context, st *state, in any, sc *scope) (any, int, *ExecutionError) {
	if st.jsonata {
		return x.runJSONata(ctx, st, in, sc)
	}
	switch st.typ {
	case typePass:
		eff, err := st.inputPath.apply(sc, in)
		if err != nil {
			return nil, -1, err
		}
		res := eff
		if st.hasResult {
			res = st.result
		} else if st.params != nil {
			v, perr := st.params.eval(sc, eff)
			if perr != nil {
				return nil, -1, asExecError(perr)
			}
			res = v
		}
		assigned, err := sc.evalAssign(st.assign, eff)
		if err != nil {
			return nil, -1, err
		}
		out, err := st.resultPath.apply(in, res)
		if err != nil {
			return nil, -1, err
		}
		if out, err = st.outputPath.apply(sc, out); err != nil {
			return nil, -1, err
		}
		sc.commit(assigned)
		return out, st.next, nil
	case typeSucceed:
		eff, err := st.inputPath.apply(sc, in)
		if err != nil {
			return nil, -1, err
		}
		out, err := st.outputPath.apply(sc, eff)
		return out, -1, err
	case typeFail:
		return nil, -1, x.failState(st, in, sc)
	case typeChoice:
		eff, err := st.inputPath.apply(sc, in)
		if err != nil {
			return nil, -1, err
		}
		next := -1
		assign := st.assign
		for _, r := range st.choices {
			ok, rerr := r.eval(sc, eff)
			if rerr != nil {
				return nil, -1, asExecError(rerr)
			}
			if ok {
				next, assign = r.next, r.assign
				break
			}
		}
		if next < 0 {
			if st.def < 0 {
				return nil, -1, newError(ErrNoChoiceMatched, "no Choice rule matched and there is no Default in state '%s'", st.name)
			}
			next = st.def
		}
		assigned, err := sc.evalAssign(assign, eff)
		if err != nil {
			return nil, -1, err
		}
		out, err := st.outputPath.apply(sc, eff)
		if err != nil {
			return nil, -1, err
		}
		sc.commit(assigned)
		return out, next, nil
	case typeWait:
		eff, err := st.inputPath.apply(sc, in)
		if err != nil {
			return nil, -1, err
		}
		d, err := x.waitDuration(st, eff, sc)
		if err != nil {
			return nil, -1, err
		}
		if serr := x.cfg.clock.Sleep(ctx, d); serr != nil {
			return nil, -1, x.ctxError(ctx)
		}
		assigned, err := sc.evalAssign(st.assign, eff)
		if err != nil {
			return nil, -1, err
		}
		out, err := st.outputPath.apply(sc, eff)
		if err != nil {
			return nil, -1, err
		}
		sc.commit(assigned)
		return out, st.next, nil
	}
	return x.withRetry(ctx, st, in, sc)
}

func (x *execution) failState(st *state, in any, sc *scope) *ExecutionError {
	e := &ExecutionError{Name: st.errorName, Cause: st.cause}
	for _, f := range []struct {
		t   *template
		dst *string
	}{{st.errorDyn, &e.Name}, {st.causeDyn, &e.Cause}} {
		if f.t == nil {
			continue
		}
		v, err := f.t.eval(sc, in)
		if err != nil {
			ee := asExecError(err)
			if ee.Name == ErrParameterPathFailure {
				ee.Name = ErrRuntime
			}
			return ee
		}
		s, ok := v.(string)
		if !ok {
			return newError(ErrRuntime, "%s of state '%s' must select a string, got %s", f.t.field, st.name, typeName(v))
		}
		*f.dst = s
	}
	return e
}

func (x *execution) waitDuration(st *state, eff any, sc *scope) (time.Duration, *ExecutionError) {
	switch st.waitKind {
	case 1:
		return time.Duration(st.seconds * float64(time.Second)), nil
	case 2:
		return st.timestamp.Sub(x.cfg.clock.Now()), nil
	case 3:
		v, ok := sc.evalPath(st.secondsPath, eff)
		f, isNum := toFloat(v)
		if !ok || !isNum || f < 0 || f != math.Trunc(f) {
			return 0, newError(ErrRuntime, "SecondsPath '%s' must select a non-negative integer, got %s", st.secondsPath.src, describe(v, ok))
		}
		return time.Duration(f * float64(time.Second)), nil
	default:
		v, ok := sc.evalPath(st.timestampPath, eff)
		s, isStr := v.(string)
		t, err := parseTimestamp(s)
		if !ok || !isStr || err != nil {
			return 0, newError(ErrRuntime, "TimestampPath '%s' must select an RFC 3339 timestamp, got %s", st.timestampPath.src, describe(v, ok))
		}
		return t.Sub(x.cfg.clock.Now()), nil
	}
}

func describe(v any, ok bool) string {
	if !ok {
		return "nothing"
	}
	return truncate(encodeJSON(v))
}

// withRetry runs a Task, Parallel or Map state with its Retry and Catch.
func (x *execution) withRetry(ctx context.Context, st *state, in any, sc *scope) (any, int, *ExecutionError) {
	var counts []int
	for {
		out, err := x.attempt(ctx, st, in, sc)
		if err == nil {
			return out, st.next, nil
		}
		if ctx.Err() != nil {
			return nil, -1, x.ctxError(ctx)
		}
		if i := matchErrors(len(st.retry), func(i int) []string { return st.retry[i].errors }, err); i >= 0 {
			if counts == nil {
				counts = make([]int, len(st.retry))
			}
			r := &st.retry[i]
			if counts[i] < r.maxAttempts {
				delay := r.interval * math.Pow(r.backoff, float64(counts[i]))
				if r.maxDelay > 0 {
					delay = min(delay, r.maxDelay)
				}
				if r.jitterFull {
					delay *= x.float64()
				}
				counts[i]++
				if serr := x.cfg.clock.Sleep(ctx, time.Duration(delay*float64(time.Second))); serr != nil {
					return nil, -1, x.ctxError(ctx)
				}
				sc.retryCount++
				sc.ctxObj = nil
				continue
			}
		}
		if i := matchErrors(len(st.catch), func(i int) []string { return st.catch[i].errors }, err); i >= 0 {
			c := &st.catch[i]
			eo := newObject(2)
			eo.add("Error", err.Name)
			eo.add("Cause", err.Cause)
			if st.jsonata {
				env := &jenv{sc: sc, input: in, errorOutput: eo, hasError: true}
				out, jerr := x.jsonataFinish(env, c.jOutput, c.jAssign, eo)
				if jerr != nil {
					return nil, -1, jerr
				}
				return out, c.next, nil
			}
			assigned, aerr := sc.evalAssign(c.assign, eo)
			if aerr != nil {
				return nil, -1, aerr
			}
			out, rerr := c.resultPath.apply(in, eo)
			if rerr != nil {
				return nil, -1, rerr
			}
			sc.commit(assigned)
			return out, c.next, nil
		}
		return nil, -1, err
	}
}

// matchErrors returns the index of the first retrier or catcher whose
// ErrorEquals matches err, or -1.
func matchErrors(n int, list func(int) []string, err *ExecutionError) int {
	for i := range n {
		for _, name := range list(i) {
			if err.matches(name) {
				return i
			}
		}
	}
	return -1
}

// attempt runs a Task, Parallel or Map state once.
func (x *execution) attempt(ctx context.Context, st *state, in any, sc *scope) (any, *ExecutionError) {
	if st.jsonata {
		return x.attemptJSONata(ctx, st, in, sc)
	}
	eff, err := st.inputPath.apply(sc, in)
	if err != nil {
		return nil, err
	}
	var res any
	switch st.typ {
	case typeTask:
		if strings.HasSuffix(st.resource, ".waitForTaskToken") {
			sc.token = fmt.Sprintf("%s-%d", x.name, x.tokenNo.Add(1))
			sc.ctxObj = nil
		}
		params := eff
		if st.params != nil {
			v, perr := st.params.eval(sc, eff)
			if perr != nil {
				return nil, asExecError(perr)
			}
			params = v
		}
		timeout, err := x.secondsOption(st.timeoutSeconds, st.timeoutSecondsPath, params, sc, "TimeoutSeconds")
		if err != nil {
			return nil, err
		}
		heartbeat, err := x.secondsOption(st.heartbeatSeconds, st.heartbeatSecondsPath, params, sc, "HeartbeatSeconds")
		if err != nil {
			return nil, err
		}
		if res, err = x.invokeTask(ctx, st, params, timeout, heartbeat, sc); err != nil {
			return nil, err
		}
	case typeParallel:
		if res, err = x.parallel(ctx, st, eff, sc); err != nil {
			return nil, err
		}
	case typeMap:
		if res, err = x.mapState(ctx, st, eff, sc); err != nil {
			return nil, err
		}
	}
	if st.resultSelector != nil {
		v, serr := st.resultSelector.eval(sc, res)
		if serr != nil {
			return nil, asExecError(serr)
		}
		res = v
	}
	assigned, err := sc.evalAssign(st.assign, res)
	if err != nil {
		return nil, err
	}
	out, err := st.resultPath.apply(in, res)
	if err != nil {
		return nil, err
	}
	if out, err = st.outputPath.apply(sc, out); err != nil {
		return nil, err
	}
	sc.commit(assigned)
	return out, nil
}

// secondsOption resolves TimeoutSeconds(Path) or HeartbeatSeconds(Path).
func (x *execution) secondsOption(fixed float64, p *Path, eff any, sc *scope, what string) (time.Duration, *ExecutionError) {
	if p != nil {
		v, ok := sc.evalPath(p, eff)
		f, isNum := toFloat(v)
		if !ok || !isNum || f <= 0 || f != math.Trunc(f) {
			return 0, newError(ErrRuntime, "%sPath '%s' must select a positive integer, got %s", what, p.src, describe(v, ok))
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.Duration(fixed * float64(time.Second)), nil
}

func (x *execution) invokeTask(ctx context.Context, st *state, params any, timeout, heartbeat time.Duration, sc *scope) (any, *ExecutionError) {
	input := appendJSON(nil, params)
	if len(input) > MaxPayloadBytes {
		return nil, newError(ErrDataLimitExceeded, "the input of task '%s' is %d bytes, more than %d", st.name, len(input), MaxPayloadBytes)
	}
	kind, rtype, rname := resourceKind(st.resource)
	x.emitScheduled(sc, kind, rtype, rname, st.resource, input, timeout, heartbeat)
	if x.cfg.tasks == nil {
		return nil, newError(ErrRuntime, "%v: no task resolver is configured", &UnresolvedTaskError{State: st.name, Resource: st.resource})
	}
	tctx := ctx
	var cancel context.CancelCauseFunc
	tctx, cancel = context.WithCancelCause(ctx)
	defer cancel(nil)
	if timeout > 0 {
		t := time.AfterFunc(timeout, func() { cancel(errStateTimeout) })
		defer t.Stop()
	}
	beat := func() {}
	// Only activities and callback tasks send heartbeats; Step Functions
	// does not apply HeartbeatSeconds to other integrations.
	if heartbeat > 0 && (kind == "activity" || strings.HasSuffix(st.resource, ".waitForTaskToken")) {
		t := time.AfterFunc(heartbeat, func() { cancel(errHeartbeatTimeout) })
		defer t.Stop()
		beat = func() { t.Reset(heartbeat) }
	}
	req := &TaskRequest{StateName: st.name, Resource: st.resource, Input: input, Attempt: sc.retryCount,
		TaskToken: sc.token, Timeout: timeout, Heartbeat: heartbeat, SendHeartbeat: beat}
	out, rerr := x.cfg.tasks.ResolveTask(tctx, req)
	var ee *ExecutionError
	switch cause := context.Cause(tctx); {
	case ctx.Err() != nil:
		return nil, x.ctxError(ctx)
	case cause == errStateTimeout:
		ee = &ExecutionError{Name: ErrTimeout, Cause: fmt.Sprintf("the task did not finish within %v", timeout), fromTask: true}
	case cause == errHeartbeatTimeout:
		ee = &ExecutionError{Name: ErrHeartbeatTimeout, Cause: fmt.Sprintf("no heartbeat within %v", heartbeat), fromTask: true}
	case rerr != nil:
		var ue *UnresolvedTaskError
		var te *ExecutionError
		switch {
		case errors.As(rerr, &ue):
			return nil, newError(ErrRuntime, "%v", ue)
		case errors.As(rerr, &te):
			c := *te
			c.fromTask = true
			ee = &c
		default:
			ee = &ExecutionError{Name: ErrTaskFailed, Cause: rerr.Error(), fromTask: true}
		}
	}
	if ee != nil {
		x.emitTaskEnd(sc, kind, rtype, rname, st.resource, "", ee)
		return nil, ee
	}
	if len(out) > MaxPayloadBytes {
		ee := &ExecutionError{Name: ErrDataLimitExceeded, Cause: fmt.Sprintf("the output of task '%s' is %d bytes, more than %d", st.name, len(out), MaxPayloadBytes), fromTask: true}
		x.emitTaskEnd(sc, kind, rtype, rname, st.resource, "", ee)
		return nil, ee
	}
	var res any
	if len(bytes.TrimSpace(out)) == 0 {
		res = nil
	} else {
		v, perr := parseJSON(out)
		if perr != nil {
			ee := &ExecutionError{Name: ErrTaskFailed, Cause: fmt.Sprintf("the task's output is not JSON: %v", perr), fromTask: true}
			x.emitTaskEnd(sc, kind, rtype, rname, st.resource, "", ee)
			return nil, ee
		}
		res = v
	}
	if x.record {
		x.emitTaskEnd(sc, kind, rtype, rname, st.resource, encodeJSON(res), nil)
	}
	return res, nil
}

func (x *execution) emitScheduled(sc *scope, kind, rtype, rname, resource string, input []byte, timeout, heartbeat time.Duration) {
	if !x.record {
		return
	}
	to, hb := int64(timeout/time.Second), int64(heartbeat/time.Second)
	switch kind {
	case "lambda":
		x.emit(sc, "LambdaFunctionScheduled", func(e *Event) {
			e.LambdaFunctionScheduledEventDetails = &LambdaScheduledDetails{Resource: resource, Input: string(input), TimeoutInSeconds: to}
		})
		x.emit(sc, "LambdaFunctionStarted", nil)
	case "activity":
		x.emit(sc, "ActivityScheduled", func(e *Event) {
			e.ActivityScheduledEventDetails = &ActivityScheduledDetails{Resource: resource, Input: string(input), TimeoutInSeconds: to, HeartbeatInSeconds: hb}
		})
		x.emit(sc, "ActivityStarted", func(e *Event) { e.ActivityStartedEventDetails = &ActivityStartedDetails{} })
	default:
		x.emit(sc, "TaskScheduled", func(e *Event) {
			e.TaskScheduledEventDetails = &TaskScheduledDetails{ResourceType: rtype, Resource: rname, Region: x.cfg.region,
				Parameters: string(input), TimeoutInSeconds: to, HeartbeatInSeconds: hb}
		})
		x.emit(sc, "TaskStarted", func(e *Event) { e.TaskStartedEventDetails = &TaskDetails{ResourceType: rtype, Resource: rname} })
	}
}

func (x *execution) emitTaskEnd(sc *scope, kind, rtype, rname, resource, output string, ee *ExecutionError) {
	if !x.record {
		return
	}
	timedOut := ee != nil && (ee.Name == ErrTimeout || ee.Name == ErrHeartbeatTimeout)
	var fd *FailureDetails
	if ee != nil {
		fd = &FailureDetails{Error: ee.Name, Cause: ee.Cause}
	}
	switch kind {
	case "lambda":
		switch {
		case ee == nil:
			x.emit(sc, "LambdaFunctionSucceeded", func(e *Event) { e.LambdaFunctionSucceededEventDetails = &OutputDetails{Output: output} })
		case timedOut:
			x.emit(sc, "LambdaFunctionTimedOut", func(e *Event) { e.LambdaFunctionTimedOutEventDetails = fd })
		default:
			x.emit(sc, "LambdaFunctionFailed", func(e *Event) { e.LambdaFunctionFailedEventDetails = fd })
		}
	case "activity":
		switch {
		case ee == nil:
			x.emit(sc, "ActivitySucceeded", func(e *Event) { e.ActivitySucceededEventDetails = &OutputDetails{Output: output} })
		case timedOut:
			x.emit(sc, "ActivityTimedOut", func(e *Event) { e.ActivityTimedOutEventDetails = fd })
		default:
			x.emit(sc, "ActivityFailed", func(e *Event) { e.ActivityFailedEventDetails = fd })
		}
	default:
		switch {
		case ee == nil:
			x.emit(sc, "TaskSucceeded", func(e *Event) {
				e.TaskSucceededEventDetails = &TaskDetails{ResourceType: rtype, Resource: rname, Output: output}
			})
		case timedOut:
			x.emit(sc, "TaskTimedOut", func(e *Event) {
				e.TaskTimedOutEventDetails = &TaskDetails{ResourceType: rtype, Resource: rname, Error: ee.Name, Cause: ee.Cause}
			})
		default:
			x.emit(sc, "TaskFailed", func(e *Event) {
				e.TaskFailedEventDetails = &TaskDetails{ResourceType: rtype, Resource: rname, Error: ee.Name, Cause: ee.Cause}
			})
		}
	}
}

// batchItems applies a Map state's ItemSelector to each item and groups the
// results as its ItemBatcher says.
func (x *execution) batchItems(st *state, eff any, items []any, sc *scope) ([]any, *ExecutionError) {
	b := st.batch
	limit := func(fixed int, p *Path, what string) (int, *ExecutionError) {
		if p == nil {
			return fixed, nil
		}
		v, ok := sc.evalPath(p, eff)
		f, isNum := toFloat(v)
		if !ok || !isNum || f < 1 || f != math.Trunc(f) {
			return 0, newError(ErrRuntime, "ItemBatcher.%sPath '%s' must select a positive integer, got %s", what, p.src, describe(v, ok))
		}
		return int(min(f, 1<<30)), nil
	}
	maxItems, err := limit(b.maxItems, b.maxItemsPath, "MaxItemsPerBatch")
	if err != nil {
		return nil, err
	}
	maxBytes, err := limit(b.maxBytes, b.maxBytesPath, "MaxInputBytesPerBatch")
	if err != nil {
		return nil, err
	}
	const awsMaxBytes = 256 * 1024
	if maxBytes == 0 || maxBytes > awsMaxBytes {
		maxBytes = awsMaxBytes
	}
	var batchInput any
	if b.batchInput != nil {
		v, perr := b.batchInput.eval(sc, eff)
		if perr != nil {
			return nil, asExecError(perr)
		}
		batchInput = v
	}
	var batches []any
	var cur []any
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		o := newObject(2)
		if batchInput != nil {
			o.add("BatchInput", batchInput)
		}
		o.add("Items", cur)
		batches = append(batches, o)
		cur, size = nil, 0
	}
	for i, item := range items {
		if st.params != nil {
			isc := sc.child()
			isc.hasItem, isc.itemIndex, isc.itemValue = true, i, item
			isc.stateName, isc.entered = sc.stateName, sc.entered
			v, perr := st.params.eval(isc, eff)
			if perr != nil {
				return nil, asExecError(perr)
			}
			item = v
		}
		n := len(appendJSON(nil, item)) + 1
		if len(cur) > 0 && ((maxItems > 0 && len(cur) >= maxItems) || size+n > maxBytes) {
			flush()
		}
		cur = append(cur, item)
		size += n
	}
	flush()
	if batches == nil {
		batches = []any{}
	}
	return batches, nil
}

// branchError marks an error leaving a Parallel branch or Map iteration.
func branchError(err *ExecutionError) *ExecutionError {
	c := *err
	c.fromBranch = true
	c.fromTask = false
	return &c
}

func (x *execution) parallel(ctx context.Context, st *state, eff any, sc *scope) (any, *ExecutionError) {
	bin := eff
	if st.params != nil {
		v, err := st.params.eval(sc, eff)
		if err != nil {
			return nil, asExecError(err)
		}
		bin = v
	}
	x.emit(sc, "ParallelStateStarted", nil)
	results := make([]any, len(st.branches))
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr *ExecutionError
	)
	for i, b := range st.branches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := x.runMachine(bctx, b, bin, sc.child())
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
				return
			}
			results[i] = out
		}()
	}
	wg.Wait()
	if firstErr != nil {
		if ctx.Err() != nil {
			return nil, x.ctxError(ctx)
		}
		x.emit(sc, "ParallelStateFailed", nil)
		return nil, branchError(firstErr)
	}
	x.emit(sc, "ParallelStateSucceeded", nil)
	return results, nil
}

func (x *execution) mapState(ctx context.Context, st *state, eff any, sc *scope) (any, *ExecutionError) {
	itemsV := eff
	if st.jItems != nil {
		v, err := st.jItems.evalTop(&jenv{sc: sc, input: eff}, "Items")
		if err != nil {
			return nil, err
		}
		itemsV = v
	}
	if st.itemsPath != nil {
		v, ok := sc.evalPath(st.itemsPath, eff)
		if !ok {
			return nil, newError(ErrRuntime, "Invalid path '%s': the ItemsPath of Map state '%s' selects nothing", st.itemsPath.src, st.name)
		}
		itemsV = v
	}
	items, ok := itemsV.([]any)
	if !ok {
		return nil, newError(ErrRuntime, "the items of Map state '%s' must be an array, got %s", st.name, typeName(itemsV))
	}
	if st.batch != nil {
		var err *ExecutionError
		if items, err = x.batchItems(st, eff, items, sc); err != nil {
			return nil, err
		}
	}
	limit := st.maxConcurrency
	if st.maxConcurrencyPath != nil {
		v, ok := sc.evalPath(st.maxConcurrencyPath, eff)
		f, isNum := toFloat(v)
		if !ok || !isNum || f < 0 || f != math.Trunc(f) {
			return nil, newError(ErrRuntime, "MaxConcurrencyPath '%s' must select a non-negative integer, got %s", st.maxConcurrencyPath.src, describe(v, ok))
		}
		limit = int(min(f, 1<<30))
	}
	if st.jMaxConcurr != nil {
		v, err := st.jMaxConcurr.evalTop(&jenv{sc: sc, input: eff}, "MaxConcurrency")
		if err != nil {
			return nil, err
		}
		f, isNum := toFloat(v)
		if !isNum || f < 0 || f != math.Trunc(f) {
			return nil, newError(ErrQueryEvaluation, "MaxConcurrency must be a non-negative integer, got %s", truncate(encodeJSON(v)))
		}
		limit = int(min(f, 1<<30))
	}
	if limit == 0 {
		limit = x.cfg.mapLimit
	}
	n := len(items)
	x.emit(sc, "MapStateStarted", func(e *Event) { e.MapStateStartedEventDetails = &MapStateStartedDetails{Length: n} })
	results := make([]any, n)
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr *ExecutionError
		failures int
		next     atomic.Int64
	)
	maxFailures := 0
	if st.hasTolerance {
		maxFailures = math.MaxInt
		if st.toleratedCount >= 0 {
			maxFailures = st.toleratedCount
		}
		if st.toleratedPercent >= 0 {
			maxFailures = min(maxFailures, int(math.Floor(st.toleratedPercent/100*float64(n))))
		}
	}
	runItem := func(i int) {
		isc := sc.child()
		isc.hasItem, isc.itemIndex, isc.itemValue = true, i, items[i]
		isc.stateName, isc.entered, isc.retryCount = sc.stateName, sc.entered, sc.retryCount
		x.emit(isc, "MapIterationStarted", func(e *Event) {
			e.MapIterationStartedEventDetails = &MapIterationDetails{Name: st.name, Index: i}
		})
		in := items[i]
		var err *ExecutionError
		if st.jItemSelector != nil {
			v, jerr := st.jItemSelector.evalTop(&jenv{sc: isc, input: eff}, "ItemSelector")
			if jerr != nil {
				err = jerr
			}
			in = v
		} else if st.params != nil && st.batch == nil {
			v, perr := st.params.eval(isc, eff)
			if perr != nil {
				err = asExecError(perr)
			}
			in = v
		}
		var out any
		if err == nil {
			out, err = x.runMachine(mctx, st.processor, in, isc)
		}
		if err != nil {
			x.emit(isc, "MapIterationFailed", func(e *Event) {
				e.MapIterationFailedEventDetails = &MapIterationDetails{Name: st.name, Index: i}
			})
			mu.Lock()
			failures++
			if failures > maxFailures && firstErr == nil {
				firstErr = err
				cancel()
			}
			mu.Unlock()
			eo := newObject(2)
			eo.add("Error", err.Name)
			eo.add("Cause", err.Cause)
			results[i] = eo
			return
		}
		x.emit(isc, "MapIterationSucceeded", func(e *Event) {
			e.MapIterationSucceededEventDetails = &MapIterationDetails{Name: st.name, Index: i}
		})
		results[i] = out
	}
	workers := min(limit, n)
	if st.processor.cpuOnly {
		workers = min(workers, runtime.GOMAXPROCS(0))
	}
	if workers <= 1 {
		for i := range n {
			if firstErr != nil {
				break
			}
			runItem(i)
		}
	} else {
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for mctx.Err() == nil {
					i := int(next.Add(1) - 1)
					if i >= n {
						return
					}
					runItem(i)
				}
			}()
		}
		wg.Wait()
	}
	if firstErr != nil {
		if ctx.Err() != nil {
			return nil, x.ctxError(ctx)
		}
		x.emit(sc, "MapStateFailed", nil)
		if st.hasTolerance {
			return nil, &ExecutionError{Name: "States.ExceedToleratedFailureThreshold", Cause: fmt.Sprintf("%d of %d items failed, more than the tolerated number", failures, n), fromBranch: true}
		}
		return nil, branchError(firstErr)
	}
	x.emit(sc, "MapStateSucceeded", nil)
	return results, nil
}

// runJSONata runs a JSONata state other than the retrying kinds' attempts.
func (x *execution) runJSONata(ctx context.Context, st *state, in any, sc *scope) (any, int, *ExecutionError) {
	env := &jenv{sc: sc, input: in}
	switch st.typ {
	case typePass, typeSucceed:
		out, err := x.jsonataFinish(env, st.jOutput, st.jAssign, in)
		next := st.next
		if st.typ == typeSucceed {
			next = -1
		}
		return out, next, err
	case typeFail:
		e := &ExecutionError{}
		for _, f := range []struct {
			t     *jtemplate
			dst   *string
			field string
		}{{st.jError, &e.Name, "Error"}, {st.jCause, &e.Cause, "Cause"}} {
			if f.t == nil {
				continue
			}
			v, err := f.t.evalTop(env, f.field)
			if err != nil {
				return nil, -1, err
			}
			s, ok := v.(string)
			if !ok {
				return nil, -1, newError(ErrQueryEvaluation, "%s must be a string, got %s", f.field, typeName(v))
			}
			*f.dst = s
		}
		return nil, -1, e
	case typeChoice:
		next, assign := -1, st.jAssign
		for _, r := range st.choices {
			v, err := r.jCond.evalTop(env, "Condition")
			if err != nil {
				return nil, -1, err
			}
			b, ok := v.(bool)
			if !ok {
				return nil, -1, newError(ErrQueryEvaluation, "a Condition must be a boolean, got %s", truncate(encodeJSON(v)))
			}
			if b {
				next, assign = r.next, r.jAssign
				break
			}
		}
		if next < 0 {
			if st.def < 0 {
				return nil, -1, newError(ErrNoChoiceMatched, "no Choice rule matched and there is no Default in state '%s'", st.name)
			}
			next = st.def
		}
		out, err := x.jsonataFinish(env, st.jOutput, assign, in)
		return out, next, err
	case typeWait:
		var d time.Duration
		if st.jSeconds != nil {
			v, err := st.jSeconds.evalTop(env, "Seconds")
			if err != nil {
				return nil, -1, err
			}
			f, ok := toFloat(v)
			if !ok || f < 0 || f != math.Trunc(f) {
				return nil, -1, newError(ErrQueryEvaluation, "Seconds must be a non-negative integer, got %s", truncate(encodeJSON(v)))
			}
			d = time.Duration(f * float64(time.Second))
		} else {
			v, err := st.jTimestamp.evalTop(env, "Timestamp")
			if err != nil {
				return nil, -1, err
			}
			s, _ := v.(string)
			t, perr := parseTimestamp(s)
			if perr != nil {
				return nil, -1, newError(ErrQueryEvaluation, "Timestamp must be an RFC 3339 timestamp, got %s", truncate(encodeJSON(v)))
			}
			d = t.Sub(x.cfg.clock.Now())
		}
		if serr := x.cfg.clock.Sleep(ctx, d); serr != nil {
			return nil, -1, x.ctxError(ctx)
		}
		out, err := x.jsonataFinish(env, st.jOutput, st.jAssign, in)
		return out, st.next, err
	}
	return x.withRetry(ctx, st, in, sc)
}

// jsonataFinish evaluates Output (default: def) and Assign, which both see
// the variables as they were, then sets the variables.
func (x *execution) jsonataFinish(env *jenv, output, assign *jtemplate, def any) (any, *ExecutionError) {
	out := def
	if output != nil {
		v, err := output.evalTop(env, "Output")
		if err != nil {
			return nil, err
		}
		out = v
	}
	if assign != nil {
		v, err := assign.evalTop(env, "Assign")
		if err != nil {
			return nil, err
		}
		o, ok := v.(*Object)
		if !ok {
			return nil, newError(ErrQueryEvaluation, "Assign must be an object")
		}
		env.sc.commit(o)
	}
	return out, nil
}

// attemptJSONata runs a JSONata Task, Parallel or Map state once.
func (x *execution) attemptJSONata(ctx context.Context, st *state, in any, sc *scope) (any, *ExecutionError) {
	env := &jenv{sc: sc, input: in}
	if st.typ == typeTask && strings.HasSuffix(st.resource, ".waitForTaskToken") {
		sc.token = fmt.Sprintf("%s-%d", x.name, x.tokenNo.Add(1))
		sc.ctxObj = nil
	}
	args := in
	if st.jArgs != nil {
		v, err := st.jArgs.evalTop(env, "Arguments")
		if err != nil {
			return nil, err
		}
		args = v
	}
	var res any
	var err *ExecutionError
	switch st.typ {
	case typeTask:
		seconds := func(t *jtemplate, fixed float64, field string) (time.Duration, *ExecutionError) {
			if t == nil {
				return time.Duration(fixed * float64(time.Second)), nil
			}
			v, err := t.evalTop(env, field)
			if err != nil {
				return 0, err
			}
			f, ok := toFloat(v)
			if !ok || f <= 0 || f != math.Trunc(f) {
				return 0, newError(ErrQueryEvaluation, "%s must be a positive integer, got %s", field, truncate(encodeJSON(v)))
			}
			return time.Duration(f * float64(time.Second)), nil
		}
		timeout, terr := seconds(st.jTimeout, st.timeoutSeconds, "TimeoutSeconds")
		if terr != nil {
			return nil, terr
		}
		heartbeat, herr := seconds(st.jHeartbeat, st.heartbeatSeconds, "HeartbeatSeconds")
		if herr != nil {
			return nil, herr
		}
		res, err = x.invokeTask(ctx, st, args, timeout, heartbeat, sc)
	case typeParallel:
		res, err = x.parallel(ctx, st, args, sc)
	case typeMap:
		res, err = x.mapState(ctx, st, in, sc)
	}
	if err != nil {
		return nil, err
	}
	env.result, env.hasResult = res, true
	env.vars = nil // rebuild the bindings with $states.result
	return x.jsonataFinish(env, st.jOutput, st.jAssign, res)
}
