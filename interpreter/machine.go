package interpreter

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hsc-dev/hsc/asl"
)

// Machine is a compiled state machine, ready to run any number of
// executions, concurrently if wished. Build one with Compile.
type Machine struct {
	root    *stateMachine
	timeout time.Duration // TimeoutSeconds of the machine; 0: none
}

// stateMachine is a set of states with a start: the top level, a Parallel
// branch, or a Map item processor.
type stateMachine struct {
	start  int
	states []*state
	index  map[string]int
	// cpuOnly is set when no state can block (no Task, Wait, Parallel or
	// Map): running more of them at once than there are CPUs gains nothing.
	cpuOnly bool
}

type stateType uint8

const (
	typePass stateType = iota
	typeTask
	typeChoice
	typeWait
	typeSucceed
	typeFail
	typeParallel
	typeMap
)

func (t stateType) String() string {
	return [...]string{"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}[t]
}

// ioPath is an InputPath or OutputPath: "$" (nil path), a path, or null.
type ioPath struct {
	path *Path
	null bool
}

// resultPath is a ResultPath: "$" (root), a reference path, or null.
type resultPath struct {
	path *Path
	null bool
}

type state struct {
	name string
	typ  stateType
	next int // -1: End

	inputPath, outputPath ioPath
	resultPath            resultPath
	params                *template // Parameters / ItemSelector
	resultSelector        *template
	result                any
	hasResult             bool
	retry                 []retrier
	catch                 []catcher
	assign                *template // Assign; nil if none

	// Choice
	choices []*choiceRule
	def     int // Default; -1 none

	// Wait
	seconds       float64
	timestamp     time.Time
	secondsPath   *Path
	timestampPath *Path
	waitKind      uint8 // 1 seconds, 2 timestamp, 3 secondsPath, 4 timestampPath

	// Task
	resource             string
	timeoutSeconds       float64
	timeoutSecondsPath   *Path
	heartbeatSeconds     float64
	heartbeatSecondsPath *Path

	// Fail
	errorName, cause   string
	errorDyn, causeDyn *template

	// Parallel
	branches []*stateMachine

	// Map
	itemsPath          *Path
	processor          *stateMachine
	maxConcurrency     int
	maxConcurrencyPath *Path
	toleratedPercent   float64
	toleratedCount     int
	hasTolerance       bool
	batch              *itemBatcher

	// JSONata states
	jsonata                     bool
	jArgs, jOutput, jAssign     *jtemplate
	jItems, jItemSelector       *jtemplate
	jSeconds, jTimestamp        *jtemplate
	jTimeout, jHeartbeat        *jtemplate
	jError, jCause, jMaxConcurr *jtemplate
}

// itemBatcher is a Map state's ItemBatcher: items are grouped and each group
// is processed as {"BatchInput": ..., "Items": [...]}.
type itemBatcher struct {
	maxItems     int
	maxItemsPath *Path
	maxBytes     int
	maxBytesPath *Path
	batchInput   *template
}

type retrier struct {
	errors      []string
	interval    float64
	maxAttempts int
	backoff     float64
	maxDelay    float64 // 0: no cap
	jitterFull  bool
}

type catcher struct {
	errors           []string
	next             int
	resultPath       resultPath
	assign           *template
	jOutput, jAssign *jtemplate
}

// Compile parses a States Language definition (JSON) into a Machine.
// It reports problems that stop the definition from running as a
// *DefinitionError; full validation is the asl package's job.
func Compile(definition []byte) (*Machine, error) {
	v, err := parseJSON(definition)
	if err != nil {
		return nil, &DefinitionError{Msg: err.Error()}
	}
	top, ok := v.(*Object)
	if !ok {
		return nil, &DefinitionError{Msg: "the definition must be a JSON object"}
	}
	c := compiler{}
	switch ql, _ := top.Get("QueryLanguage"); ql {
	case nil, "JSONPath":
	case "JSONata":
		c.jsonata = true
	default:
		return nil, &DefinitionError{Msg: fmt.Sprintf("QueryLanguage must be \"JSONPath\" or \"JSONata\", got %s", encodeJSON(ql))}
	}
	m := &Machine{}
	if m.root, err = c.machine(top, ""); err != nil {
		return nil, err
	}
	if t, ok := top.Get("TimeoutSeconds"); ok {
		n, ok := nonNegNumber(t)
		if !ok {
			return nil, &DefinitionError{Msg: "TimeoutSeconds must be a non-negative number"}
		}
		m.timeout = time.Duration(n * float64(time.Second))
	}
	return m, nil
}

type compiler struct {
	jsonata bool // the machine's QueryLanguage is JSONata
}

func defErr(state, format string, args ...any) error {
	if ue, ok := asUnsupported(state, args); ok {
		return ue
	}
	return &DefinitionError{State: state, Msg: fmt.Sprintf(format, args...)}
}

func (c *compiler) machine(o *Object, where string) (*stateMachine, error) {
	startV, _ := o.Get("StartAt")
	start, ok := startV.(string)
	if !ok {
		return nil, defErr(where, "StartAt must be a string naming a state")
	}
	statesV, _ := o.Get("States")
	states, ok := statesV.(*Object)
	if !ok || states.Len() == 0 {
		return nil, defErr(where, "States must be a non-empty object")
	}
	sm := &stateMachine{index: make(map[string]int, states.Len())}
	for i, mem := range states.m {
		sm.index[mem.k] = i
	}
	if sm.start, ok = sm.index[start]; !ok {
		return nil, defErr(where, "StartAt names %q, which is not a state", start)
	}
	for _, mem := range states.m {
		name := mem.k
		so, ok := mem.v.(*Object)
		if !ok {
			return nil, defErr(name, "a state must be a JSON object")
		}
		st, err := c.state(sm, name, so)
		if err != nil {
			return nil, err
		}
		sm.states = append(sm.states, st)
	}
	sm.cpuOnly = true
	for _, st := range sm.states {
		switch st.typ {
		case typeTask, typeWait, typeParallel, typeMap:
			sm.cpuOnly = false
		}
	}
	return sm, nil
}

func (c *compiler) target(sm *stateMachine, state, field, name string) (int, error) {
	i, ok := sm.index[name]
	if !ok {
		return 0, defErr(state, "%s names %q, which is not a state in the same scope", field, name)
	}
	return i, nil
}

func str(o *Object, k string) (string, bool, error) {
	v, ok := o.Get(k)
	if !ok {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, fmt.Errorf("%s must be a string, got %s", k, typeName(v))
	}
	return s, true, nil
}

func nonNegNumber(v any) (float64, bool) {
	f, ok := toFloat(v)
	return f, ok && f >= 0 && !math.IsInf(f, 0)
}

func (c *compiler) state(sm *stateMachine, name string, o *Object) (*state, error) {
	st := &state{name: name, next: -1, def: -1}
	typ, _, err := str(o, "Type")
	if err != nil {
		return nil, defErr(name, "%v", err)
	}
	switch typ {
	case "Pass":
		st.typ = typePass
	case "Task":
		st.typ = typeTask
	case "Choice":
		st.typ = typeChoice
	case "Wait":
		st.typ = typeWait
	case "Succeed":
		st.typ = typeSucceed
	case "Fail":
		st.typ = typeFail
	case "Parallel":
		st.typ = typeParallel
	case "Map":
		st.typ = typeMap
	case "":
		return nil, defErr(name, "Type is missing")
	default:
		return nil, defErr(name, "unknown Type %q", typ)
	}
	fail := func(format string, args ...any) (*state, error) {
		return nil, defErr(name, format, args...)
	}
	st.jsonata = c.jsonata
	switch ql, _ := o.Get("QueryLanguage"); ql {
	case nil:
	case "JSONPath":
		if c.jsonata {
			return fail("a state cannot use JSONPath when the state machine's QueryLanguage is JSONata")
		}
		st.jsonata = false
	case "JSONata":
		st.jsonata = true
	default:
		return fail("QueryLanguage must be \"JSONPath\" or \"JSONata\", got %s", encodeJSON(ql))
	}

	// Transitions.
	if st.typ != typeChoice && st.typ != typeSucceed && st.typ != typeFail {
		next, hasNext, err := str(o, "Next")
		if err != nil {
			return fail("%v", err)
		}
		end, _ := o.Get("End")
		switch {
		case hasNext && end == true:
			return fail("has both Next and End")
		case hasNext:
			if st.next, err = c.target(sm, name, "Next", next); err != nil {
				return nil, err
			}
		case end != true:
			return fail("needs Next or \"End\": true")
		}
	}

	if st.jsonata {
		if err := c.jsonataState(sm, st, o); err != nil {
			return nil, err
		}
		return st, nil
	}

	// Paths.
	if st.typ != typeFail {
		if st.inputPath, err = compileIOPath(o, "InputPath"); err != nil {
			return fail("%v", err)
		}
		if st.outputPath, err = compileIOPath(o, "OutputPath"); err != nil {
			return fail("%v", err)
		}
	}
	switch st.typ {
	case typePass, typeTask, typeParallel, typeMap:
		if st.resultPath, err = compileResultPath(o); err != nil {
			return fail("%v", err)
		}
		if p, ok := o.Get("Parameters"); ok {
			if st.params, err = compileTemplate(p); err != nil {
				return fail("Parameters: %v", err)
			}
		}
	}
	switch st.typ {
	case typeTask, typeParallel, typeMap:
		if p, ok := o.Get("ResultSelector"); ok {
			if st.resultSelector, err = compileTemplate(p); err != nil {
				return fail("ResultSelector: %v", err)
			}
		}
		if st.retry, err = compileRetry(o); err != nil {
			return fail("%v", err)
		}
		if st.catch, err = c.compileCatch(sm, name, o); err != nil {
			return nil, err
		}
	}

	if st.typ != typeSucceed && st.typ != typeFail {
		if st.assign, err = compileAssign(o); err != nil {
			return fail("%v", err)
		}
	}
	switch st.typ {
	case typePass:
		st.result, st.hasResult = o.Get("Result")
	case typeTask:
		if st.resource, _, err = str(o, "Resource"); err != nil || st.resource == "" {
			return fail("Resource must be a non-empty string")
		}
		if err := compileSecondsField(o, "TimeoutSeconds", &st.timeoutSeconds, &st.timeoutSecondsPath); err != nil {
			return fail("%v", err)
		}
		if err := compileSecondsField(o, "HeartbeatSeconds", &st.heartbeatSeconds, &st.heartbeatSecondsPath); err != nil {
			return fail("%v", err)
		}
	case typeChoice:
		if err := c.compileChoice(sm, st, o); err != nil {
			return nil, err
		}
	case typeWait:
		if err := compileWait(st, o); err != nil {
			return fail("%v", err)
		}
	case typeFail:
		if err := compileFail(st, o); err != nil {
			return fail("%v", err)
		}
	case typeParallel:
		bv, _ := o.Get("Branches")
		bs, ok := bv.([]any)
		if !ok || len(bs) == 0 {
			return fail("Branches must be a non-empty array")
		}
		for i, b := range bs {
			bo, ok := b.(*Object)
			if !ok {
				return fail("branch %d must be an object", i)
			}
			bm, err := c.machine(bo, fmt.Sprintf("%s.Branches[%d]", name, i))
			if err != nil {
				return nil, err
			}
			st.branches = append(st.branches, bm)
		}
	case typeMap:
		if err := c.compileMap(st, o); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func compileIOPath(o *Object, field string) (ioPath, error) {
	v, ok := o.Get(field)
	if !ok {
		return ioPath{}, nil
	}
	if v == nil {
		return ioPath{null: true}, nil
	}
	s, ok := v.(string)
	if !ok {
		return ioPath{}, fmt.Errorf("%s must be a path string or null", field)
	}
	if s == "$" {
		return ioPath{}, nil
	}
	p, err := ParsePath(s)
	if err != nil {
		return ioPath{}, fmt.Errorf("%s: %w", field, err)
	}
	return ioPath{path: p}, nil
}

func compileResultPathValue(v any, ok bool) (resultPath, error) {
	if !ok {
		return resultPath{}, nil
	}
	if v == nil {
		return resultPath{null: true}, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return resultPath{}, fmt.Errorf("ResultPath must be a path string or null")
	}
	if s == "$" {
		return resultPath{}, nil
	}
	p, err := parsePath(s, asl.PathResult)
	if err != nil {
		return resultPath{}, fmt.Errorf("ResultPath: %w", err)
	}
	if p.context || p.variable != "" || !p.IsReference() {
		return resultPath{}, fmt.Errorf("ResultPath %q must be a reference path (only '.field', ['field'] and [index] steps from '$')", s)
	}
	return resultPath{path: p}, nil
}

func compileResultPath(o *Object) (resultPath, error) {
	v, ok := o.Get("ResultPath")
	return compileResultPathValue(v, ok)
}

// compileAssign compiles an Assign field: an object whose keys name
// variables (with ".$" for values from paths and intrinsic functions).
func compileAssign(o *Object) (*template, error) {
	v, ok := o.Get("Assign")
	if !ok {
		return nil, nil
	}
	ao, ok := v.(*Object)
	if !ok {
		return nil, fmt.Errorf("Assign must be an object")
	}
	for _, m := range ao.m {
		name := strings.TrimSuffix(m.k, ".$")
		if !asl.IsVariableName(name) || name == "states" {
			return nil, fmt.Errorf("Assign: %q is not a valid variable name", name)
		}
	}
	t, err := compileTemplate(ao)
	if err != nil {
		return nil, fmt.Errorf("Assign: %w", err)
	}
	return t, nil
}

func compileSecondsField(o *Object, field string, n *float64, p **Path) error {
	if v, ok := o.Get(field); ok {
		f, ok := nonNegNumber(v)
		if !ok || f == 0 {
			return fmt.Errorf("%s must be a positive number", field)
		}
		*n = f
	}
	if v, ok := o.Get(field + "Path"); ok {
		s, isStr := v.(string)
		if !isStr {
			return fmt.Errorf("%sPath must be a path string", field)
		}
		path, err := parsePath(s, asl.PathReference)
		if err != nil {
			return fmt.Errorf("%sPath: %w", field, err)
		}
		*p = path
	}
	return nil
}

func errorList(v any, what string) ([]string, error) {
	a, ok := v.([]any)
	if !ok || len(a) == 0 {
		return nil, fmt.Errorf("%s: ErrorEquals must be a non-empty array of strings", what)
	}
	out := make([]string, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%s: ErrorEquals must be a non-empty array of strings", what)
		}
		out[i] = s
	}
	return out, nil
}

func compileRetry(o *Object) ([]retrier, error) {
	v, ok := o.Get("Retry")
	if !ok {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("Retry must be an array")
	}
	var out []retrier
	for i, e := range a {
		ro, ok := e.(*Object)
		if !ok {
			return nil, fmt.Errorf("Retry[%d] must be an object", i)
		}
		what := fmt.Sprintf("Retry[%d]", i)
		ev, _ := ro.Get("ErrorEquals")
		errs, err := errorList(ev, what)
		if err != nil {
			return nil, err
		}
		r := retrier{errors: errs, interval: 1, maxAttempts: 3, backoff: 2}
		if v, ok := ro.Get("IntervalSeconds"); ok {
			f, ok := nonNegNumber(v)
			if !ok || f < 1 || f != math.Trunc(f) {
				return nil, fmt.Errorf("%s: IntervalSeconds must be a positive integer", what)
			}
			r.interval = f
		}
		if v, ok := ro.Get("MaxAttempts"); ok {
			f, ok := nonNegNumber(v)
			if !ok || f != math.Trunc(f) {
				return nil, fmt.Errorf("%s: MaxAttempts must be a non-negative integer", what)
			}
			r.maxAttempts = int(min(f, 99999999))
		}
		if v, ok := ro.Get("BackoffRate"); ok {
			f, ok := nonNegNumber(v)
			if !ok || f < 1 {
				return nil, fmt.Errorf("%s: BackoffRate must be a number >= 1.0", what)
			}
			r.backoff = f
		}
		if v, ok := ro.Get("MaxDelaySeconds"); ok {
			f, ok := nonNegNumber(v)
			if !ok || f < 1 || f != math.Trunc(f) {
				return nil, fmt.Errorf("%s: MaxDelaySeconds must be a positive integer", what)
			}
			r.maxDelay = f
		}
		if v, ok := ro.Get("JitterStrategy"); ok {
			switch v {
			case "FULL":
				r.jitterFull = true
			case "NONE":
			default:
				return nil, fmt.Errorf("%s: JitterStrategy must be \"FULL\" or \"NONE\"", what)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func (c *compiler) compileCatch(sm *stateMachine, name string, o *Object) ([]catcher, error) {
	v, ok := o.Get("Catch")
	if !ok {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, defErr(name, "Catch must be an array")
	}
	var out []catcher
	for i, e := range a {
		co, ok := e.(*Object)
		if !ok {
			return nil, defErr(name, "Catch[%d] must be an object", i)
		}
		what := fmt.Sprintf("Catch[%d]", i)
		ev, _ := co.Get("ErrorEquals")
		errs, err := errorList(ev, what)
		if err != nil {
			return nil, defErr(name, "%v", err)
		}
		next, _, err := str(co, "Next")
		if err != nil || next == "" {
			return nil, defErr(name, "%s: Next must name a state", what)
		}
		cat := catcher{errors: errs}
		if cat.next, err = c.target(sm, name, what+".Next", next); err != nil {
			return nil, err
		}
		if cat.resultPath, err = compileResultPath(co); err != nil {
			return nil, defErr(name, "%s: %v", what, err)
		}
		if cat.assign, err = compileAssign(co); err != nil {
			return nil, defErr(name, "%s: %v", what, err)
		}
		out = append(out, cat)
	}
	return out, nil
}

func compileWait(st *state, o *Object) error {
	n := 0
	if v, ok := o.Get("Seconds"); ok {
		f, ok := nonNegNumber(v)
		if !ok {
			return fmt.Errorf("Seconds must be a non-negative number")
		}
		st.seconds, st.waitKind = f, 1
		n++
	}
	if v, ok := o.Get("Timestamp"); ok {
		s, _ := v.(string)
		t, err := parseTimestamp(s)
		if err != nil {
			return fmt.Errorf("Timestamp %s is not an RFC 3339 timestamp", encodeJSON(v))
		}
		st.timestamp, st.waitKind = t, 2
		n++
	}
	for _, f := range []struct {
		field string
		kind  uint8
		dst   **Path
	}{{"SecondsPath", 3, &st.secondsPath}, {"TimestampPath", 4, &st.timestampPath}} {
		if v, ok := o.Get(f.field); ok {
			s, isStr := v.(string)
			if !isStr {
				return fmt.Errorf("%s must be a path string", f.field)
			}
			p, err := parsePath(s, asl.PathReference)
			if err != nil {
				return fmt.Errorf("%s: %w", f.field, err)
			}
			*f.dst, st.waitKind = p, f.kind
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("a Wait state needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath")
	}
	return nil
}

func compileFail(st *state, o *Object) error {
	var err error
	if st.errorName, _, err = str(o, "Error"); err != nil {
		return err
	}
	if st.cause, _, err = str(o, "Cause"); err != nil {
		return err
	}
	for _, f := range []struct {
		field string
		dst   **template
	}{{"ErrorPath", &st.errorDyn}, {"CausePath", &st.causeDyn}} {
		s, ok, err := str(o, f.field)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		t, err := compileDynamic(s)
		if err != nil {
			return fmt.Errorf("%s: %w", f.field, err)
		}
		t.field = f.field
		*f.dst = t
	}
	return nil
}

func (c *compiler) compileMap(st *state, o *Object) error {
	name := st.name
	if v, ok := o.Get("ItemsPath"); ok {
		s, isStr := v.(string)
		if !isStr {
			return defErr(name, "ItemsPath must be a path string")
		}
		p, err := parsePath(s, asl.PathReference)
		if err != nil {
			return defErr(name, "ItemsPath: %v", err)
		}
		st.itemsPath = p
	}
	if v, ok := o.Get("ItemSelector"); ok {
		if st.params != nil {
			return defErr(name, "has both Parameters and ItemSelector")
		}
		t, err := compileTemplate(v)
		if err != nil {
			return defErr(name, "ItemSelector: %v", err)
		}
		st.params = t
	}
	pv, ok := o.Get("ItemProcessor")
	if !ok {
		pv, ok = o.Get("Iterator")
	}
	po, isObj := pv.(*Object)
	if !ok || !isObj {
		return defErr(name, "a Map state needs an ItemProcessor (or Iterator) object")
	}
	if cfg, ok := po.Get("ProcessorConfig"); ok {
		if co, ok := cfg.(*Object); ok {
			if mode, _ := co.Get("Mode"); mode == "DISTRIBUTED" {
				if _, ok := o.Get("ItemReader"); ok {
					return &UnsupportedError{State: name, Feature: "a distributed Map with an ItemReader"}
				}
			}
		}
	}
	if bv, ok := o.Get("ItemBatcher"); ok {
		bo, ok := bv.(*Object)
		if !ok {
			return defErr(name, "ItemBatcher must be an object")
		}
		b := &itemBatcher{}
		for _, f := range []struct {
			field string
			n     *int
			p     **Path
		}{{"MaxItemsPerBatch", &b.maxItems, &b.maxItemsPath}, {"MaxInputBytesPerBatch", &b.maxBytes, &b.maxBytesPath}} {
			if v, ok := bo.Get(f.field); ok {
				n, ok := nonNegNumber(v)
				if !ok || n < 1 || n != math.Trunc(n) {
					return defErr(name, "ItemBatcher.%s must be a positive integer", f.field)
				}
				*f.n = int(min(n, 1<<30))
			}
			if v, ok := bo.Get(f.field + "Path"); ok {
				s, _ := v.(string)
				p, err := parsePath(s, asl.PathReference)
				if err != nil {
					return defErr(name, "ItemBatcher.%sPath: %v", f.field, err)
				}
				*f.p = p
			}
		}
		if v, ok := bo.Get("BatchInput"); ok {
			t, err := compileTemplate(v)
			if err != nil {
				return defErr(name, "ItemBatcher.BatchInput: %v", err)
			}
			b.batchInput = t
		}
		st.batch = b
	}
	sm, err := c.machine(po, name+".ItemProcessor")
	if err != nil {
		return err
	}
	st.processor = sm
	if v, ok := o.Get("MaxConcurrency"); ok {
		f, ok := nonNegNumber(v)
		if !ok || f != math.Trunc(f) {
			return defErr(name, "MaxConcurrency must be a non-negative integer")
		}
		st.maxConcurrency = int(min(f, 1<<30))
	}
	if v, ok := o.Get("MaxConcurrencyPath"); ok {
		s, _ := v.(string)
		p, err := parsePath(s, asl.PathReference)
		if err != nil {
			return defErr(name, "MaxConcurrencyPath: %v", err)
		}
		st.maxConcurrencyPath = p
	}
	if v, ok := o.Get("ToleratedFailurePercentage"); ok {
		f, ok := nonNegNumber(v)
		if !ok || f > 100 {
			return defErr(name, "ToleratedFailurePercentage must be a number from 0 to 100")
		}
		st.toleratedPercent, st.hasTolerance = f, true
	}
	if v, ok := o.Get("ToleratedFailureCount"); ok {
		f, ok := nonNegNumber(v)
		if !ok || f != math.Trunc(f) {
			return defErr(name, "ToleratedFailureCount must be a non-negative integer")
		}
		st.toleratedCount, st.hasTolerance = int(min(f, 1<<30)), true
		if _, ok := o.Get("ToleratedFailurePercentage"); !ok {
			st.toleratedPercent = -1
		}
	} else if st.hasTolerance {
		st.toleratedCount = -1
	}
	return nil
}

// parseTimestamp parses the RFC 3339 profile the States Language uses:
// an uppercase T between date and time, Z or a numeric offset.
func parseTimestamp(s string) (time.Time, error) {
	if strings.ContainsAny(s, "tz") {
		return time.Time{}, fmt.Errorf("lowercase t or z in timestamp")
	}
	return time.Parse(time.RFC3339Nano, s)
}

// CompileASL compiles a state machine held in the asl package's model.
func CompileASL(m *asl.StateMachine) (*Machine, error) {
	return Compile(m.Encode(0))
}

// jsonataState compiles the fields of a JSONata state.
func (c *compiler) jsonataState(sm *stateMachine, st *state, o *Object) error {
	name := st.name
	for _, f := range []string{"InputPath", "Parameters", "ResultSelector", "ResultPath", "OutputPath", "ItemsPath"} {
		if _, ok := o.Get(f); ok {
			return defErr(name, "%s is a JSONPath field; JSONata states use Arguments, Output and Assign", f)
		}
	}
	tmpl := func(field string, dst **jtemplate) error {
		v, ok := o.Get(field)
		if !ok {
			return nil
		}
		t, err := compileJTemplate(v)
		if err != nil {
			return defErr(name, "%s: %v", field, err)
		}
		*dst = t
		return nil
	}
	for _, f := range []struct {
		field string
		dst   **jtemplate
	}{{"Output", &st.jOutput}, {"Assign", &st.jAssign}, {"Arguments", &st.jArgs}} {
		if err := tmpl(f.field, f.dst); err != nil {
			return err
		}
	}
	switch st.typ {
	case typeTask, typeParallel, typeMap:
		var err error
		if st.retry, err = compileRetry(o); err != nil {
			return defErr(name, "%v", err)
		}
		cv, ok := o.Get("Catch")
		arr, isArr := cv.([]any)
		if ok && !isArr {
			return defErr(name, "Catch must be an array")
		}
		for i, e := range arr {
			co, ok := e.(*Object)
			if !ok {
				return defErr(name, "Catch[%d] must be an object", i)
			}
			ev, _ := co.Get("ErrorEquals")
			errs, err := errorList(ev, fmt.Sprintf("Catch[%d]", i))
			if err != nil {
				return defErr(name, "%v", err)
			}
			next, _, _ := str(co, "Next")
			cat := catcher{errors: errs}
			if cat.next, err = c.target(sm, name, fmt.Sprintf("Catch[%d].Next", i), next); err != nil {
				return err
			}
			for _, f := range []struct {
				field string
				dst   **jtemplate
			}{{"Output", &cat.jOutput}, {"Assign", &cat.jAssign}} {
				if v, ok := co.Get(f.field); ok {
					t, err := compileJTemplate(v)
					if err != nil {
						return defErr(name, "Catch[%d].%s: %v", i, f.field, err)
					}
					*f.dst = t
				}
			}
			st.catch = append(st.catch, cat)
		}
	}
	switch st.typ {
	case typeTask:
		var err error
		if st.resource, _, err = str(o, "Resource"); err != nil || st.resource == "" {
			return defErr(name, "Resource must be a non-empty string")
		}
		for _, f := range []struct {
			field string
			n     *float64
			dst   **jtemplate
		}{{"TimeoutSeconds", &st.timeoutSeconds, &st.jTimeout}, {"HeartbeatSeconds", &st.heartbeatSeconds, &st.jHeartbeat}} {
			if v, ok := o.Get(f.field); ok {
				if s, isStr := v.(string); isStr {
					if _, isExpr := jsonataExpr(s); isExpr {
						if err := tmpl(f.field, f.dst); err != nil {
							return err
						}
						continue
					}
				}
				n, ok := nonNegNumber(v)
				if !ok || n == 0 {
					return defErr(name, "%s must be a positive number or a JSONata expression", f.field)
				}
				*f.n = n
			}
		}
	case typeChoice:
		cv, _ := o.Get("Choices")
		arr, ok := cv.([]any)
		if !ok || len(arr) == 0 {
			return defErr(name, "Choices must be a non-empty array")
		}
		for i, e := range arr {
			ro, ok := e.(*Object)
			if !ok {
				return defErr(name, "Choices[%d] must be an object", i)
			}
			condV, ok := ro.Get("Condition")
			if !ok {
				return defErr(name, "Choices[%d]: a JSONata Choice rule needs a Condition", i)
			}
			r := &choiceRule{}
			var err error
			if r.jCond, err = compileJTemplate(condV); err != nil {
				return defErr(name, "Choices[%d].Condition: %v", i, err)
			}
			if av, ok := ro.Get("Assign"); ok {
				if r.jAssign, err = compileJTemplate(av); err != nil {
					return defErr(name, "Choices[%d].Assign: %v", i, err)
				}
			}
			next, _, _ := str(ro, "Next")
			if r.next, err = c.target(sm, name, fmt.Sprintf("Choices[%d].Next", i), next); err != nil {
				return err
			}
			st.choices = append(st.choices, r)
		}
		if d, ok, _ := str(o, "Default"); ok {
			var err error
			if st.def, err = c.target(sm, name, "Default", d); err != nil {
				return err
			}
		}
	case typeWait:
		n := 0
		for _, f := range []struct {
			field string
			dst   **jtemplate
		}{{"Seconds", &st.jSeconds}, {"Timestamp", &st.jTimestamp}} {
			if _, ok := o.Get(f.field); ok {
				n++
				if err := tmpl(f.field, f.dst); err != nil {
					return err
				}
			}
		}
		if n != 1 {
			return defErr(name, "a JSONata Wait state needs exactly one of Seconds and Timestamp")
		}
	case typeFail:
		if err := tmpl("Error", &st.jError); err != nil {
			return err
		}
		if err := tmpl("Cause", &st.jCause); err != nil {
			return err
		}
	case typeParallel:
		bv, _ := o.Get("Branches")
		bs, ok := bv.([]any)
		if !ok || len(bs) == 0 {
			return defErr(name, "Branches must be a non-empty array")
		}
		for i, b := range bs {
			bo, ok := b.(*Object)
			if !ok {
				return defErr(name, "branch %d must be an object", i)
			}
			bm, err := c.machine(bo, fmt.Sprintf("%s.Branches[%d]", name, i))
			if err != nil {
				return err
			}
			st.branches = append(st.branches, bm)
		}
	case typeMap:
		if err := tmpl("Items", &st.jItems); err != nil {
			return err
		}
		if err := tmpl("ItemSelector", &st.jItemSelector); err != nil {
			return err
		}
		if err := tmpl("MaxConcurrency", &st.jMaxConcurr); err != nil {
			return err
		}
		pv, ok := o.Get("ItemProcessor")
		if !ok {
			pv, ok = o.Get("Iterator")
		}
		po, isObj := pv.(*Object)
		if !ok || !isObj {
			return defErr(name, "a Map state needs an ItemProcessor object")
		}
		sm, err := c.machine(po, name+".ItemProcessor")
		if err != nil {
			return err
		}
		st.processor = sm
	}
	return nil
}
