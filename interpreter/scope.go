package interpreter

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Scopes, the context object and workflow variables.

// scope is one thread of control: the top level, a Parallel branch or a Map
// iteration. It carries what the context object shows.
type scope struct {
	x         *execution
	lastEvent int64
	stateName string
	entered   time.Time
	// enteredEvent is the id of the event that entered the state, for
	// AWS's "(entered at the event id #N)".
	enteredEvent int64
	// enteredPrev is the previousEventId of that event.
	enteredPrev int64
	// inSize bounds the JSON size of the current state's input and
	// outSize that of its output (-1: unknown), so that the 256 KiB
	// checks need not walk values whose size is known.
	inSize, outSize int
	retryCount      int
	// retries is set in Task, Parallel and Map states, whose context
	// object has State.RetryCount. (The booleans sit together, as do
	// live and replayed below: a Map allocates a scope per iteration.)
	retries   bool
	hasItem   bool
	token     string
	itemIndex int
	itemValue any
	ctxObj    any
	// assigned holds the variables the current state assigned, for its
	// ...StateExited event.
	assigned *Object
	vars     *varScope
	// Resume (resume.go): path names the scope in event keys and seq
	// counts its events; live is set once the scope went past the
	// record it replays; replayTS is the time of its last replayed event
	// (zero once it emitted a live one) and replayed reports whether its
	// last event was replayed.
	path     string
	seq      int
	live     bool
	replayed bool
	replayTS time.Time
	// scratch is the scope's room for building events (emitFrom),
	// allocated on its first recorded event.
	scratch *emitScratch
}

// emitScratch is a scope's reusable room for building history events: the
// event being filled and a buffer for JSON texts. A scope emits from one
// goroutine at a time, so they need no lock; they spare each event and
// each encoded text its own growing allocations.
type emitScratch struct {
	ev  Event
	buf []byte
	// inJSON is the JSON text of the input runMachine is about to run
	// on when its caller has it (the top level: ExecutionStarted's
	// input), and outJSON that of the output of the last state
	// runMachine ran (its ...StateExited output); "" when not encoded.
	inJSON, outJSON string
}

// maxScratchBuf is the largest encoding buffer a scope keeps between
// events.
const maxScratchBuf = 64 << 10

// minScratchBuf is the size a scope's encoding buffer starts at: most
// texts fit, so that it seldom grows.
const minScratchBuf = 256

func (sc *scope) room() *emitScratch {
	if sc.scratch == nil {
		sc.scratch = new(emitScratch)
	}
	return sc.scratch
}

// encode returns the compact JSON text of v, built in the scope's buffer.
func (sc *scope) encode(v any) string {
	r := sc.room()
	if r.buf == nil {
		r.buf = make([]byte, 0, minScratchBuf)
	}
	r.buf = appendJSON(r.buf[:0], v)
	s := string(r.buf)
	if cap(r.buf) > maxScratchBuf {
		r.buf = nil
	}
	return s
}

func (sc *scope) child() *scope {
	var vars *varScope
	if sc.vars != nil {
		vars = &varScope{parent: sc.vars}
	}
	return &scope{x: sc.x, lastEvent: sc.lastEvent, enteredEvent: sc.enteredEvent, hasItem: sc.hasItem, itemIndex: sc.itemIndex, itemValue: sc.itemValue, vars: vars}
}

// enter starts a state. The clock is read only for states that may read
// the context object: reading it costs more than a simple state.
func (sc *scope) enter(name string, typ stateType, readsContext bool) {
	sc.stateName = name
	sc.retries = typ == typeTask || typ == typeParallel || typ == typeMap
	if readsContext {
		sc.entered = sc.x.cfg.clock.Now()
	}
	sc.retryCount = 0
	sc.token = ""
	sc.ctxObj = nil
	sc.assigned = nil
}

const timeLayout = "2006-01-02T15:04:05.000Z"

// contextObject builds (once per state attempt) the value "$$" names.
func (sc *scope) contextObject() any {
	if sc.ctxObj != nil {
		return sc.ctxObj
	}
	x := sc.x
	// Fields in the order AWS writes them (ctx_input_path_all in
	// ../shared/aws/history); State.RetryCount only in the states that
	// retry.
	exe := newObject(6)
	exe.add("Id", x.id)
	exe.add("Input", x.input)
	exe.add("StartTime", x.start.UTC().Format(timeLayout))
	exe.add("Name", x.name)
	exe.add("RoleArn", x.cfg.roleArn)
	exe.add("RedriveCount", int64(x.redrives))
	st := newObject(3)
	st.add("Name", sc.stateName)
	st.add("EnteredTime", sc.entered.UTC().Format(timeLayout))
	if sc.retries {
		st.add("RetryCount", int64(sc.retryCount))
	}
	sm := newObject(2)
	sm.add("Id", x.smID)
	sm.add("Name", x.cfg.smName)
	o := newObject(5)
	o.add("Execution", exe)
	o.add("StateMachine", sm)
	o.add("State", st)
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
	if x.ctxOverlay != nil {
		o = mergeDeep(o, x.ctxOverlay)
	}
	sc.ctxObj = o
	return o
}

// mergeDeep returns a with b's members: an object member of both is
// merged the same way, any other member of b replaces a's.
func mergeDeep(a, b *Object) *Object {
	out := newObject(a.Len() + b.Len())
	out.m = append(out.m, a.m...)
	for _, mem := range b.m {
		i := out.index(mem.k)
		if i < 0 {
			out.m = append(out.m, mem)
			continue
		}
		ao, aok := out.m[i].v.(*Object)
		bo, bok := mem.v.(*Object)
		if aok && bok {
			out.m[i].v = mergeDeep(ao, bo)
		} else {
			out.m[i].v = mem.v
		}
	}
	return out
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
	if o != nil {
		if _, err := sc.checkSize(o, -1, "Assign"); err != nil {
			return nil, err
		}
	}
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
	sc.assigned = o
}

func (sc *scope) varsParent() *varScope {
	if sc.vars == nil {
		return nil
	}
	return sc.vars.parent
}

// runtimeError is a States.Runtime error of the current state, with AWS's
// prefix naming the state and the event that entered it.
func (sc *scope) runtimeError(format string, args ...any) *ExecutionError {
	return &ExecutionError{Name: ErrRuntime, Cause: sc.errorPrefix() + fmt.Sprintf(format, args...)}
}

func (sc *scope) errorPrefix() string {
	return "An error occurred while executing the state '" + sc.stateName + "' (entered at the event id #" +
		strconv.FormatInt(sc.enteredEvent, 10) + "). "
}

// checkSize fails with States.DataLimitExceeded when v, written as JSON,
// is larger than MaxPayloadBytes; what names it in the cause. bound is a
// known bound on the size (-1: none): within the limit, v is not walked.
// It returns a bound on v's size.
func (sc *scope) checkSize(v any, bound int, what string) (int, *ExecutionError) {
	if uint(bound) <= MaxPayloadBytes { // known (not -1) and small
		return bound, nil
	}
	return sc.measureSize(v, what)
}

// measureSize is checkSize without a bound: it measures v.
func (sc *scope) measureSize(v any, what string) (int, *ExecutionError) {
	if n := jsonSize(v, 0, MaxPayloadBytes); n <= MaxPayloadBytes {
		return n, nil
	}
	if what == "output" {
		// AWS's wording for a state's output.
		return -1, newError(ErrDataLimitExceeded, "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", sc.stateName)
	}
	return -1, newError(ErrDataLimitExceeded, "The %s of state '%s' has a size exceeding the maximum number of bytes service limit (%d bytes).", what, sc.stateName, MaxPayloadBytes)
}

// jsonSize returns n plus the length of v's compact JSON text, as
// appendJSON writes it, without writing it; it stops counting once the
// total exceeds limit.
func jsonSize(v any, n, limit int) int {
	switch x := v.(type) {
	case nil:
		return n + 4
	case bool:
		if x {
			return n + 4
		}
		return n + 5
	case int64:
		return n + intSize(x)
	case float64:
		return n + floatSize(x)
	case string:
		return n + stringSize(x)
	case []any:
		n += 2 + max(len(x)-1, 0)
		for _, e := range x {
			if n = jsonSize(e, n, limit); n > limit {
				return n
			}
		}
		return n
	case *Object:
		n += 2 + max(len(x.m)-1, 0)
		for _, m := range x.m {
			n += stringSize(m.k) + 1
			// Scalars inline: objects of numbers and short strings
			// are the common case.
			switch v := m.v.(type) {
			case int64:
				n += intSize(v)
			case string:
				n += stringSize(v)
			default:
				n = jsonSize(m.v, n, limit)
			}
			if n > limit {
				return n
			}
		}
		return n
	}
	return n + len(appendJSON(nil, v))
}

// floatSize is the length of x as appendFloat writes it.
func floatSize(x float64) int {
	var buf [40]byte
	return len(appendFloat(buf[:0], x))
}

// intSize is the number of characters of n in decimal.
func intSize(n int64) int {
	if n == math.MinInt64 {
		return 20
	}
	size := 1
	if n < 0 {
		size, n = 2, -n
	}
	for ; n >= 10; n /= 10 {
		size++
	}
	return size
}

// stringSize is the length of s as a JSON string literal (appendString).
func stringSize(s string) int {
	// Plain ASCII, the common case, is as long as it is.
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < utf8.RuneSelf && s[i] != '"' && s[i] != '\\' {
		i++
	}
	n := 2 + i
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 0x20 && c != '"' && c != '\\':
				n++
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
				n += 2
			default:
				n += 6
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			n += 6
		} else {
			n += size
		}
		i += size
	}
	return n
}
