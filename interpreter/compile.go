package interpreter

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/diag"
)

// The compiler turns the asl package's typed model of a definition into
// nodes, one per state (see node.go). It reads no text itself: Compile
// parses with asl.Parse, and every error names the field at fault with a
// JSON pointer and, when the model came from text, its line and column.
// Payload templates (Parameters, Result, Assign, ...) are converted from
// asl values into the runtime value model once, here.

// Compile parses a States Language definition (JSON) with asl.Parse and
// compiles it into a Machine. Problems that stop the definition from
// running are reported as a *DefinitionError; full validation is the asl
// package's job (asl.Validate).
func Compile(definition []byte) (*Machine, error) {
	def, err := asl.Parse(definition)
	if err != nil {
		return nil, definitionError(err)
	}
	return CompileASL(def)
}

// definitionError wraps an asl parse error as a *DefinitionError with its
// position.
func definitionError(err error) error {
	var se *asl.SyntaxError
	var fe *asl.FieldError
	switch {
	case errors.As(err, &se):
		return &DefinitionError{Pos: se.Pos, Msg: se.Msg, Err: err}
	case errors.As(err, &fe):
		return &DefinitionError{Pointer: fe.Pointer, Pos: fe.Pos, Msg: fe.Msg, Err: err}
	}
	return &DefinitionError{Msg: err.Error(), Err: err}
}

// CompileASL compiles a state machine held in the asl package's model.
func CompileASL(def *asl.StateMachine) (*Machine, error) {
	if def == nil {
		return nil, &DefinitionError{Msg: "no state machine"}
	}
	c := &compiler{}
	top := site{src: def.Source}
	switch def.QueryLanguage {
	case "", "JSONPath":
	case "JSONata":
		c.jsonata = true
	default:
		return nil, top.err("QueryLanguage", "QueryLanguage must be \"JSONPath\" or \"JSONata\", got %q", def.QueryLanguage)
	}
	root, err := c.machine(def, "")
	if err != nil {
		return nil, err
	}
	m := &Machine{root: root}
	if def.TimeoutSeconds != "" {
		n, ok := nonNegNumber(def.TimeoutSeconds)
		if !ok {
			return nil, top.err("TimeoutSeconds", "TimeoutSeconds must be a non-negative number")
		}
		m.timeout = seconds(n)
	}
	return m, nil
}

type compiler struct {
	jsonata bool // the machine's QueryLanguage is JSONata
}

// site locates errors: the JSON value of a state (or machine, retrier,
// ...) and its JSON pointer.
type site struct {
	src   *asl.Value
	ptr   string
	state string
}

// at returns the site of a member of s (field is a pointer suffix such as
// "Retry/0").
func (s site) at(field string) site {
	return site{src: s.src.Lookup("/" + field), ptr: s.ptr + "/" + field, state: s.state}
}

// err reports a problem with field ("" for the value itself).
func (s site) err(field, format string, args ...any) error {
	ptr, v := s.ptr, s.src
	if field != "" {
		ptr += "/" + field
		if f := s.src.Lookup("/" + field); f != nil {
			v = f
		}
	}
	var pos diag.Pos
	if v != nil {
		pos = v.Pos
	}
	return &DefinitionError{State: s.state, Pointer: ptr, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// unsupported reports a feature the local interpreter does not run; the
// error wraps an *UnsupportedError.
func (s site) unsupported(field, feature string) error {
	err := s.err(field, "%s is not supported locally", feature)
	de := err.(*DefinitionError)
	de.Unsupported = true
	de.Err = &UnsupportedError{State: s.state, Feature: feature}
	return err
}

func (c *compiler) machine(def *asl.StateMachine, ptr string) (*stateMachine, error) {
	at := site{src: def.Source, ptr: ptr}
	if def.StartAt == "" {
		return nil, at.err("StartAt", "StartAt must be a string naming a state")
	}
	if len(def.States) == 0 {
		return nil, at.err("States", "States must be a non-empty object")
	}
	sm := &stateMachine{index: make(map[string]int, len(def.States)), states: make([]node, len(def.States))}
	for i, s := range def.States {
		sm.index[s.Name] = i
	}
	var ok bool
	if sm.start, ok = sm.index[def.StartAt]; !ok {
		return nil, at.err("StartAt", "StartAt names %q, which is not a state", def.StartAt)
	}
	sm.cpuOnly = true
	for i, s := range def.States {
		n, err := c.state(sm, s, ptr+"/States/"+asl.PointerToken(s.Name))
		if err != nil {
			return nil, err
		}
		sm.states[i] = n
		switch n.info().typ {
		case typeTask, typeWait, typeParallel, typeMap:
			sm.cpuOnly = false
		}
	}
	return sm, nil
}

func (c *compiler) target(sm *stateMachine, at site, field, name string) (int, error) {
	i, ok := sm.index[name]
	if !ok {
		return 0, at.err(field, "%s names %q, which is not a state in the same scope", field, name)
	}
	return i, nil
}

var stateTypes = map[string]stateType{
	asl.TypePass: typePass, asl.TypeTask: typeTask, asl.TypeChoice: typeChoice, asl.TypeWait: typeWait,
	asl.TypeSucceed: typeSucceed, asl.TypeFail: typeFail, asl.TypeParallel: typeParallel, asl.TypeMap: typeMap,
}

func (c *compiler) state(sm *stateMachine, s *asl.State, ptr string) (node, error) {
	at := site{src: s.Source, ptr: ptr, state: s.Name}
	typ, ok := stateTypes[s.Type]
	switch {
	case s.Type == "":
		return nil, at.err("", "Type is missing")
	case !ok:
		return nil, at.err("Type", "unknown Type %q", s.Type)
	}
	info := stateInfo{name: s.Name, typ: typ, next: -1,
		entered: typ.String() + "StateEntered", exited: typ.String() + "StateExited"}
	if typ == typeParallel || typ == typeMap {
		info.failed = typ.String() + "StateFailed"
	}
	jsonata := c.jsonata
	switch s.QueryLanguage {
	case "":
	case "JSONPath":
		if c.jsonata {
			return nil, at.err("QueryLanguage", "a state cannot use JSONPath when the state machine's QueryLanguage is JSONata")
		}
	case "JSONata":
		jsonata = true
	default:
		return nil, at.err("QueryLanguage", "QueryLanguage must be \"JSONPath\" or \"JSONata\", got %q", s.QueryLanguage)
	}
	info.jsonata = jsonata
	info.readsContext = s.Source == nil || mayReadContext(s.Source)

	// Transitions.
	if typ != typeChoice && typ != typeSucceed && typ != typeFail {
		switch {
		case s.Next != "" && s.End:
			return nil, at.err("End", "has both Next and End")
		case s.Next != "":
			var err error
			if info.next, err = c.target(sm, at, "Next", s.Next); err != nil {
				return nil, err
			}
		case !s.End:
			return nil, at.err("", "needs Next or \"End\": true")
		}
	}

	var io queryIO
	var err error
	if jsonata {
		io, err = c.jsonataIO(at, s, typ)
	} else {
		io, err = c.jsonPathIO(at, s, typ)
	}
	if err != nil {
		return nil, err
	}

	switch typ {
	case typePass:
		return &passNode{stateInfo: info, io: io}, nil
	case typeSucceed:
		return &succeedNode{stateInfo: info, io: io}, nil
	case typeFail:
		return c.failNode(at, s, info)
	case typeWait:
		return c.waitNode(at, s, info, io)
	case typeChoice:
		return c.choiceNode(sm, at, s, info, io)
	}
	pol, err := c.policy(sm, at, s, jsonata)
	if err != nil {
		return nil, err
	}
	switch typ {
	case typeTask:
		return c.taskNode(at, s, info, io, pol)
	case typeParallel:
		return c.parallelNode(at, s, info, io, pol)
	default:
		return c.mapNode(at, s, info, io, pol)
	}
}

// jsonPathIO compiles the JSONPath input and output fields a state of type
// typ has.
func (c *compiler) jsonPathIO(at site, s *asl.State, typ stateType) (*jsonPathIO, error) {
	p := &jsonPathIO{}
	var err error
	if typ != typeFail {
		if p.inputPath, err = compileIOPath(at, "InputPath", s.InputPath); err != nil {
			return nil, err
		}
		if p.outputPath, err = compileIOPath(at, "OutputPath", s.OutputPath); err != nil {
			return nil, err
		}
	}
	switch typ {
	case typePass, typeTask, typeParallel, typeMap:
		if p.resultPath, err = compileResultPath(at, "ResultPath", s.ResultPath); err != nil {
			return nil, err
		}
	}
	switch typ {
	case typePass, typeTask, typeParallel:
		// A Map state's Parameters are its ItemSelector (see mapNode).
		if s.Parameters != nil {
			if p.params, err = compileTemplateAt(at, "Parameters", s.Parameters); err != nil {
				return nil, err
			}
		}
	}
	switch typ {
	case typeTask, typeParallel, typeMap:
		if s.ResultSelector != nil {
			if p.resultSelector, err = compileTemplateAt(at, "ResultSelector", s.ResultSelector); err != nil {
				return nil, err
			}
		}
	}
	if typ == typePass && s.Result != nil {
		v, err := valueOf(at.at("Result"), s.Result)
		if err != nil {
			return nil, err
		}
		p.result, p.hasResult = v, true
		p.resultSize = jsonSize(v, 0, MaxPayloadBytes+1)
	}
	if typ != typeSucceed && typ != typeFail {
		if p.assign, err = compileAssign(at, s.Assign); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// jsonataIO compiles the JSONata fields common to every state kind.
func (c *compiler) jsonataIO(at site, s *asl.State, typ stateType) (*jsonataIO, error) {
	for _, f := range []struct {
		name string
		set  bool
	}{{"InputPath", s.InputPath.Set}, {"Parameters", s.Parameters != nil}, {"ResultSelector", s.ResultSelector != nil},
		{"ResultPath", s.ResultPath.Set}, {"OutputPath", s.OutputPath.Set}, {"ItemsPath", s.ItemsPath != ""}} {
		if f.set {
			return nil, at.err(f.name, "%s is a JSONPath field; JSONata states use Arguments, Output and Assign", f.name)
		}
	}
	j := &jsonataIO{}
	var err error
	if j.output, err = compileJTemplateAt(at, "Output", s.Output); err != nil {
		return nil, err
	}
	if j.assign, err = compileJTemplateAt(at, "Assign", s.Assign); err != nil {
		return nil, err
	}
	if typ == typeTask || typ == typeParallel {
		if j.args, err = compileJTemplateAt(at, "Arguments", s.Arguments); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// policy compiles Retry and Catch.
func (c *compiler) policy(sm *stateMachine, at site, s *asl.State, jsonata bool) (policy, error) {
	var pol policy
	for i, r := range s.Retry {
		rt, err := compileRetrier(at.at("Retry/"+strconv.Itoa(i)), r)
		if err != nil {
			return pol, err
		}
		pol.retry = append(pol.retry, rt)
	}
	for i, ca := range s.Catch {
		cat, err := c.compileCatcher(sm, at.at("Catch/"+strconv.Itoa(i)), ca, jsonata)
		if err != nil {
			return pol, err
		}
		pol.catch = append(pol.catch, cat)
	}
	return pol, nil
}

func errorList(at site, list []string) ([]string, error) {
	if len(list) == 0 {
		return nil, at.err("ErrorEquals", "ErrorEquals must be a non-empty array of strings")
	}
	return list, nil
}

func compileRetrier(at site, r *asl.Retrier) (retrier, error) {
	at.src = r.Source
	errs, err := errorList(at, r.ErrorEquals)
	if err != nil {
		return retrier{}, err
	}
	rt := retrier{errors: errs, interval: 1, maxAttempts: 3, backoff: 2}
	if r.IntervalSeconds != "" {
		f, ok := nonNegNumber(r.IntervalSeconds)
		if !ok || f < 1 || f != math.Trunc(f) {
			return rt, at.err("IntervalSeconds", "IntervalSeconds must be a positive integer")
		}
		rt.interval = f
	}
	if r.MaxAttempts != "" {
		f, ok := nonNegNumber(r.MaxAttempts)
		if !ok || f != math.Trunc(f) {
			return rt, at.err("MaxAttempts", "MaxAttempts must be a non-negative integer")
		}
		rt.maxAttempts = int(min(f, 99999999))
	}
	if r.BackoffRate != "" {
		f, ok := nonNegNumber(r.BackoffRate)
		if !ok || f < 1 {
			return rt, at.err("BackoffRate", "BackoffRate must be a number >= 1.0")
		}
		rt.backoff = f
	}
	if r.MaxDelaySeconds != "" {
		f, ok := nonNegNumber(r.MaxDelaySeconds)
		if !ok || f < 1 || f != math.Trunc(f) {
			return rt, at.err("MaxDelaySeconds", "MaxDelaySeconds must be a positive integer")
		}
		rt.maxDelay = f
	}
	switch r.JitterStrategy {
	case "FULL":
		rt.jitterFull = true
	case "", "NONE":
	default:
		return rt, at.err("JitterStrategy", "JitterStrategy must be \"FULL\" or \"NONE\"")
	}
	return rt, nil
}

func (c *compiler) compileCatcher(sm *stateMachine, at site, ca *asl.Catcher, jsonata bool) (catcher, error) {
	at.src = ca.Source
	errs, err := errorList(at, ca.ErrorEquals)
	if err != nil {
		return catcher{}, err
	}
	if ca.Next == "" {
		return catcher{}, at.err("Next", "Next must name a state")
	}
	cat := catcher{errors: errs}
	if cat.next, err = c.target(sm, at, "Next", ca.Next); err != nil {
		return cat, err
	}
	if jsonata {
		if ca.ResultPath.Set {
			return cat, at.err("ResultPath", "ResultPath is a JSONPath field; JSONata catchers use Output and Assign")
		}
		if cat.jOutput, err = compileJTemplateAt(at, "Output", ca.Output); err != nil {
			return cat, err
		}
		if cat.jAssign, err = compileJTemplateAt(at, "Assign", ca.Assign); err != nil {
			return cat, err
		}
		return cat, nil
	}
	if cat.resultPath, err = compileResultPath(at, "ResultPath", ca.ResultPath); err != nil {
		return cat, err
	}
	if cat.assign, err = compileAssign(at, ca.Assign); err != nil {
		return cat, err
	}
	return cat, nil
}

// mayReadContext reports whether any string in v could read the context
// object: a "$$" path or a JSONata expression ($states.context).
func mayReadContext(v *asl.Value) bool {
	switch v.Kind {
	case asl.KindString:
		return strings.Contains(v.Str, "$$") || strings.Contains(v.Str, "{%")
	case asl.KindArray:
		for _, e := range v.Elems {
			if mayReadContext(e) {
				return true
			}
		}
	case asl.KindObject:
		for _, m := range v.Members {
			if mayReadContext(m.Value) {
				return true
			}
		}
	}
	return false
}

// has reports whether state s has field: a string field of the model is
// "" both when absent and when empty, and an empty path is an error.
func has(s *asl.State, field string) bool {
	if s.Source == nil {
		v := modelPathField(s, field)
		return v != ""
	}
	return s.Source.Has(field)
}

// modelPathField returns a path field of a state built in code.
func modelPathField(s *asl.State, field string) string {
	switch field {
	case "ItemsPath":
		return s.ItemsPath
	case "MaxConcurrencyPath":
		return s.MaxConcurrencyPath
	case "ToleratedFailurePercentagePath":
		return s.ToleratedFailurePercentagePath
	case "ToleratedFailureCountPath":
		return s.ToleratedFailureCountPath
	case "ErrorPath":
		return s.ErrorPath
	case "CausePath":
		return s.CausePath
	case "SecondsPath":
		return s.SecondsPath
	case "TimestampPath":
		return s.TimestampPath
	case "TimeoutSecondsPath":
		return s.TimeoutSecondsPath
	case "HeartbeatSecondsPath":
		return s.HeartbeatSecondsPath
	}
	return ""
}

// parsePathAt parses the path in field with asl's grammar of kind k.
func parsePathAt(at site, field, s string, k asl.PathKind) (*Path, error) {
	p, err := parsePath(s, k)
	if err != nil {
		return nil, at.err(field, "%v", err)
	}
	return p, nil
}

func compileIOPath(at site, field string, v asl.NullableString) (ioPath, error) {
	switch {
	case !v.Set:
		return ioPath{}, nil
	case v.Null:
		return ioPath{null: true}, nil
	case v.Value == "$":
		return ioPath{}, nil
	}
	p, err := parsePathAt(at, field, v.Value, asl.PathAny)
	return ioPath{path: p}, err
}

func compileResultPath(at site, field string, v asl.NullableString) (resultPath, error) {
	switch {
	case !v.Set:
		return resultPath{}, nil
	case v.Null:
		return resultPath{null: true}, nil
	case v.Value == "$":
		return resultPath{}, nil
	}
	p, err := parsePathAt(at, field, v.Value, asl.PathResult)
	if err != nil {
		return resultPath{}, err
	}
	return resultPath{path: p}, nil
}

// compileTemplateAt compiles the payload template in field.
func compileTemplateAt(at site, field string, v *asl.Value) (*template, error) {
	val, err := valueOf(at.at(field), v)
	if err != nil {
		return nil, err
	}
	t, err := compileTemplate(val)
	if err != nil {
		return nil, at.err(field, "%v", err)
	}
	return t, nil
}

// compileJTemplateAt compiles the JSONata template in field; nil if absent.
func compileJTemplateAt(at site, field string, v *asl.Value) (*jtemplate, error) {
	if v == nil {
		return nil, nil
	}
	val, err := valueOf(at.at(field), v)
	if err != nil {
		return nil, err
	}
	t, err := compileJTemplate(val)
	if err != nil {
		var ue *UnsupportedError
		if errors.As(err, &ue) {
			return nil, at.unsupported(field, ue.Feature)
		}
		if strings.Contains(err.Error(), "user-defined functions") {
			return nil, at.unsupported(field, "JSONata user-defined functions (function/λ)")
		}
		return nil, at.err(field, "%v", err)
	}
	return t, nil
}

// compileAssign compiles an Assign field: an object whose keys name
// variables (with ".$" for values from paths and intrinsic functions).
func compileAssign(at site, v *asl.Value) (*template, error) {
	if v == nil {
		return nil, nil
	}
	if v.Kind != asl.KindObject {
		return nil, at.err("Assign", "Assign must be an object")
	}
	for _, m := range v.Members {
		name := strings.TrimSuffix(m.Key, ".$")
		if !asl.IsVariableName(name) || name == "states" {
			return nil, at.err("Assign/"+asl.PointerToken(m.Key), "Assign: %q is not a valid variable name", name)
		}
	}
	return compileTemplateAt(at, "Assign", v)
}

// valueOf converts an asl value into the runtime value model.
func valueOf(at site, v *asl.Value) (any, error) {
	switch v.Kind {
	case asl.KindNull:
		return nil, nil
	case asl.KindBool:
		return v.Bool, nil
	case asl.KindString:
		return v.Str, nil
	case asl.KindNumber:
		n, err := numberValue(v.Str)
		if err != nil {
			return nil, &DefinitionError{State: at.state, Pointer: at.ptr, Pos: v.Pos, Msg: err.Error()}
		}
		return n, nil
	case asl.KindArray:
		out := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			x, err := valueOf(site{src: e, ptr: at.ptr + "/" + strconv.Itoa(i), state: at.state}, e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	default:
		o := newObject(len(v.Members))
		var seen map[string]int // only for large objects: keeps conversion linear
		if len(v.Members) > 32 {
			seen = make(map[string]int, len(v.Members))
		}
		for _, m := range v.Members {
			x, err := valueOf(site{src: m.Value, ptr: at.ptr + "/" + asl.PointerToken(m.Key), state: at.state}, m.Value)
			if err != nil {
				return nil, err
			}
			if seen == nil {
				o.set(m.Key, x) // a repeated key: the last one wins
				continue
			}
			if i, dup := seen[m.Key]; dup {
				o.m[i].v = x
				continue
			}
			seen[m.Key] = len(o.m)
			o.add(m.Key, x)
		}
		return o, nil
	}
}

// numberValue converts a JSON number literal: int64 when written without
// fraction or exponent and in range, float64 otherwise.
func numberValue(lit string) (any, error) {
	if !strings.ContainsAny(lit, ".eE") {
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, fmt.Errorf("invalid number %s", lit)
	}
	if math.IsInf(f, 0) {
		return nil, fmt.Errorf("number %s is out of range", lit)
	}
	return f, nil
}

// nonNegNumber reads a non-negative finite number field.
func nonNegNumber(n asl.Number) (float64, bool) {
	f, ok := n.Float64()
	return f, ok && f >= 0 && !math.IsInf(f, 0) && !math.IsNaN(f)
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// numberOrExpr compiles a numeric field that JSONata states may give as an
// expression: the fixed value, or a template.
func numberOrExpr(at site, field string, n asl.Number, positive bool) (float64, *jtemplate, error) {
	if n == "" {
		return 0, nil, nil
	}
	if src, ok := n.Expression(); ok {
		t, err := compileJTemplate(src)
		if err != nil {
			return 0, nil, at.err(field, "%v", err)
		}
		return 0, t, nil
	}
	f, ok := nonNegNumber(n)
	if !ok || (positive && f == 0) {
		return 0, nil, at.err(field, "%s must be a positive number or a JSONata expression", field)
	}
	return f, nil, nil
}

// parseTimestamp parses the RFC 3339 profile the States Language uses:
// an uppercase T between date and time, Z or a numeric offset.
func parseTimestamp(s string) (time.Time, error) {
	if strings.ContainsAny(s, "tz") {
		return time.Time{}, fmt.Errorf("lowercase t or z in timestamp")
	}
	return time.Parse(time.RFC3339Nano, s)
}
