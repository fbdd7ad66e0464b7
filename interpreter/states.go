package interpreter

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hsc-dev/hsc/asl"
)

// The nodes of the states that do no outside work: Pass, Succeed, Fail,
// Wait and Choice.

type passNode struct {
	stateInfo
	io queryIO
}

func (n *passNode) run(_ context.Context, _ *execution, sc *scope, in any) (any, int, *ExecutionError) {
	eff, err := n.io.input(sc, in)
	if err != nil {
		return nil, -1, err
	}
	res, size, err := n.io.payload(sc, in, eff)
	if err != nil {
		return nil, -1, err
	}
	out, err := n.io.finish(sc, frame{raw: in, res: res, resSize: size})
	return out, n.next, err
}

type succeedNode struct {
	stateInfo
	io queryIO
}

func (n *succeedNode) run(_ context.Context, _ *execution, sc *scope, in any) (any, int, *ExecutionError) {
	eff, err := n.io.input(sc, in)
	if err != nil {
		return nil, -1, err
	}
	out, err := n.io.finish(sc, frame{raw: in, res: eff, resSize: sc.inSize})
	return out, -1, err
}

type failNode struct {
	stateInfo
	errorName, cause   string
	errorDyn, causeDyn *template  // ErrorPath, CausePath
	jError, jCause     *jtemplate // JSONata Error, Cause
}

func (c *compiler) failNode(at site, s *asl.State, info stateInfo) (node, error) {
	n := &failNode{stateInfo: info, errorName: s.Error, cause: s.Cause}
	if info.jsonata {
		var err error
		if n.jError, err = compileJTemplateAt(at, "Error", stringValue(s, "Error", s.Error)); err != nil {
			return nil, err
		}
		if n.jCause, err = compileJTemplateAt(at, "Cause", stringValue(s, "Cause", s.Cause)); err != nil {
			return nil, err
		}
		return n, nil
	}
	for _, f := range []struct {
		field, src string
		dst        **template
	}{{"ErrorPath", s.ErrorPath, &n.errorDyn}, {"CausePath", s.CausePath, &n.causeDyn}} {
		if !has(s, f.field) {
			continue
		}
		t, err := compileDynamicOf(f.src, asl.PathReference)
		if err != nil {
			return nil, at.err(f.field, "%v", err)
		}
		t.field = f.field
		*f.dst = t
	}
	return n, nil
}

// stringValue returns the string field of a state as a value to compile
// (a JSONata template), or nil when it is absent.
func stringValue(s *asl.State, field, value string) *asl.Value {
	if s.Source == nil {
		if value == "" {
			return nil
		}
		return asl.NewString(value)
	}
	return s.Source.Get(field)
}

func (n *failNode) run(_ context.Context, _ *execution, sc *scope, in any) (any, int, *ExecutionError) {
	e := &ExecutionError{Name: n.errorName, Cause: n.cause}
	if n.jsonata {
		env := &jenv{sc: sc, input: in}
		for _, f := range []struct {
			t     *jtemplate
			dst   *string
			field string
		}{{n.jError, &e.Name, "Error"}, {n.jCause, &e.Cause, "Cause"}} {
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
	}
	for _, f := range []struct {
		t   *template
		dst *string
	}{{n.errorDyn, &e.Name}, {n.causeDyn, &e.Cause}} {
		if f.t == nil {
			continue
		}
		v, err := f.t.eval(sc, in)
		if err != nil {
			return nil, -1, asExecError(err)
		}
		s, ok := v.(string)
		if !ok {
			return nil, -1, sc.runtimeError("%s of state '%s' must select a string, got %s", f.t.field, n.name, typeName(v))
		}
		*f.dst = s
	}
	return nil, -1, e
}

type waitKind uint8

const (
	waitSeconds waitKind = iota + 1
	waitTimestamp
	waitSecondsPath
	waitTimestampPath
	waitJSONata
)

type waitNode struct {
	stateInfo
	io        queryIO
	kind      waitKind
	seconds   float64
	timestamp time.Time
	path      *Path      // SecondsPath or TimestampPath
	jSeconds  *jtemplate // JSONata Seconds
	jStamp    *jtemplate // JSONata Timestamp
}

func (c *compiler) waitNode(at site, s *asl.State, info stateInfo, io queryIO) (node, error) {
	n := &waitNode{stateInfo: info, io: io}
	if info.jsonata {
		count := 0
		if s.Seconds != "" {
			count++
			f, t, err := numberOrExpr(at, "Seconds", s.Seconds, false)
			if err != nil {
				return nil, err
			}
			if t == nil {
				t = &jtemplate{kind: tConst, val: f}
				if x, ok := s.Seconds.Int64(); ok {
					t.val = x
				}
			}
			n.jSeconds = t
		}
		if s.Timestamp != "" {
			count++
			var err error
			if n.jStamp, err = compileJTemplateAt(at, "Timestamp", stringValue(s, "Timestamp", s.Timestamp)); err != nil {
				return nil, err
			}
		}
		if count != 1 {
			return nil, at.err("", "a JSONata Wait state needs exactly one of Seconds and Timestamp")
		}
		n.kind = waitJSONata
		return n, nil
	}
	count := 0
	if s.Seconds != "" {
		f, ok := nonNegNumber(s.Seconds)
		if !ok {
			return nil, at.err("Seconds", "Seconds must be a non-negative number")
		}
		n.seconds, n.kind = f, waitSeconds
		count++
	}
	if s.Timestamp != "" {
		t, err := parseTimestamp(s.Timestamp)
		if err != nil {
			return nil, at.err("Timestamp", "Timestamp %q is not an RFC 3339 timestamp", s.Timestamp)
		}
		n.timestamp, n.kind = t, waitTimestamp
		count++
	}
	for _, f := range []struct {
		field, src string
		kind       waitKind
	}{{"SecondsPath", s.SecondsPath, waitSecondsPath}, {"TimestampPath", s.TimestampPath, waitTimestampPath}} {
		if !has(s, f.field) {
			continue
		}
		p, err := parsePathAt(at, f.field, f.src, asl.PathReference)
		if err != nil {
			return nil, err
		}
		n.path, n.kind = p, f.kind
		count++
	}
	if count != 1 {
		return nil, at.err("", "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath")
	}
	return n, nil
}

func (n *waitNode) run(ctx context.Context, x *execution, sc *scope, in any) (any, int, *ExecutionError) {
	eff, err := n.io.input(sc, in)
	if err != nil {
		return nil, -1, err
	}
	d, err := n.duration(x, sc, in, eff)
	if err != nil {
		return nil, -1, err
	}
	if serr := x.sleep(ctx, d); serr != nil {
		return nil, -1, x.ctxError(ctx)
	}
	out, err := n.io.finish(sc, frame{raw: in, res: eff, resSize: sc.inSize})
	return out, n.next, err
}

func (n *waitNode) duration(x *execution, sc *scope, raw, eff any) (time.Duration, *ExecutionError) {
	switch n.kind {
	case waitSeconds:
		return seconds(n.seconds), nil
	case waitTimestamp:
		return n.timestamp.Sub(x.cfg.clock.Now()), nil
	case waitSecondsPath:
		v, ok := sc.evalPath(n.path, eff)
		f, isNum := toFloat(v)
		if ok && isNum && f < 0 {
			return 0, sc.runtimeError("The SecondsPath parameter references a negative value: %s == %s", n.path.src, encodeJSON(v))
		}
		if !ok || !isNum || f != math.Trunc(f) {
			return 0, sc.runtimeError("SecondsPath '%s' must select a non-negative integer, got %s", n.path.src, describe(v, ok))
		}
		return seconds(f), nil
	case waitTimestampPath:
		v, ok := sc.evalPath(n.path, eff)
		s, isStr := v.(string)
		t, err := parseTimestamp(s)
		if !ok || !isStr || err != nil {
			shown := describe(v, ok)
			if isStr {
				shown = s
			}
			return 0, sc.runtimeError("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", n.path.src, shown)
		}
		return t.Sub(x.cfg.clock.Now()), nil
	}
	env := &jenv{sc: sc, input: raw}
	if n.jSeconds != nil {
		v, err := n.jSeconds.evalTop(env, "Seconds")
		if err != nil {
			return 0, err
		}
		f, ok := toFloat(v)
		if !ok || f < 0 || f != math.Trunc(f) {
			return 0, newError(ErrQueryEvaluation, "Seconds must be a non-negative integer, got %s", truncate(encodeJSON(v)))
		}
		return seconds(f), nil
	}
	v, err := n.jStamp.evalTop(env, "Timestamp")
	if err != nil {
		return 0, err
	}
	s, isString := v.(string)
	t, perr := parseTimestamp(s)
	if perr != nil {
		// AWS's wording (wait_timestamp_jsonata_invalid_date in
		// ../shared/aws/history).
		shown := s
		if !isString {
			shown = encodeJSON(v)
		}
		return 0, newError(ErrQueryEvaluation, "%sThe Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s", sc.errorPrefix(), truncate(shown))
	}
	return t.Sub(x.cfg.clock.Now()), nil
}

func describe(v any, ok bool) string {
	if !ok {
		return "nothing"
	}
	return truncate(encodeJSON(v))
}

type choiceNode struct {
	stateInfo
	io    queryIO
	rules []*choiceRule
	def   int // Default; -1 none
}

func (c *compiler) choiceNode(sm *stateMachine, at site, s *asl.State, info stateInfo, io queryIO) (node, error) {
	n := &choiceNode{stateInfo: info, io: io, def: -1}
	if len(s.Choices) == 0 {
		return nil, at.err("Choices", "Choices must be a non-empty array")
	}
	n.rules = make([]*choiceRule, 0, len(s.Choices))
	for i, r := range s.Choices {
		rat := at.at("Choices/" + strconv.Itoa(i))
		rat.src = r.Source
		var rule *choiceRule
		var err error
		if info.jsonata {
			if r.Condition == nil {
				return nil, rat.err("", "a JSONata Choice rule needs a Condition")
			}
			rule = &choiceRule{}
			if rule.jCond, err = compileJTemplateAt(rat, "Condition", r.Condition); err != nil {
				return nil, err
			}
			if rule.jAssign, err = compileJTemplateAt(rat, "Assign", r.Assign); err != nil {
				return nil, err
			}
			if rule.jOutput, err = compileJTemplateAt(rat, "Output", r.Output); err != nil {
				return nil, err
			}
		} else {
			if rule, err = compileRule(rat, r); err != nil {
				return nil, err
			}
			if rule.assign, err = compileAssign(rat, r.Assign); err != nil {
				return nil, err
			}
		}
		if r.Next == "" {
			return nil, rat.err("Next", "Next must name a state")
		}
		if rule.next, err = c.target(sm, rat, "Next", r.Next); err != nil {
			return nil, err
		}
		n.rules = append(n.rules, rule)
	}
	if s.Default != "" {
		var err error
		if n.def, err = c.target(sm, at, "Default", s.Default); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// compileRule compiles a JSONPath Choice rule (And, Or, Not or a
// comparison).
func compileRule(at site, r *asl.ChoiceRule) (*choiceRule, error) {
	at.src = r.Source
	switch {
	case r.And != nil || r.Or != nil:
		field, subs, op := "And", r.And, opAnd
		if r.Or != nil {
			field, subs, op = "Or", r.Or, opOr
		}
		if len(subs) == 0 {
			return nil, at.err(field, "%s must be a non-empty array of rules", field)
		}
		out := &choiceRule{op: op, field: field}
		for i, s := range subs {
			sub, err := compileRule(at.at(field+"/"+strconv.Itoa(i)), s)
			if err != nil {
				return nil, err
			}
			out.rules = append(out.rules, sub)
		}
		return out, nil
	case r.Not != nil:
		sub, err := compileRule(at.at("Not"), r.Not)
		if err != nil {
			return nil, err
		}
		return &choiceRule{op: opNot, field: "Not", rules: []*choiceRule{sub}}, nil
	}
	if r.Variable == "" {
		return nil, at.err("", "a comparison needs a Variable path")
	}
	vp, err := parsePathAt(at, "Variable", r.Variable, asl.PathAny)
	if err != nil {
		return nil, err
	}
	out := &choiceRule{variable: vp}
	k := r.Operator
	if k == "" {
		for _, m := range r.Extra {
			return nil, at.err(asl.PointerToken(m.Key), "unknown comparison field %q", m.Key)
		}
		return nil, at.err("", "a rule with Variable needs exactly one comparison field, found 0")
	}
	base, isPath := strings.CutSuffix(k, "Path")
	op, ok := comparatorOp(base)
	if !ok || (isPath && (op == opStringMatches || op >= opIsNull)) {
		if op, ok = comparatorOp(k); !ok {
			return nil, at.err(k, "unknown comparison field %q", k)
		}
		base, isPath = k, false
	}
	out.op, out.field = op, k
	val, err := valueOf(at.at(k), r.Operand)
	if err != nil {
		return nil, err
	}
	if isPath {
		s, ok := val.(string)
		if !ok {
			return nil, at.err(k, "%s must be a path string", k)
		}
		if out.valuePath, err = parsePathAt(at, k, s, asl.PathAny); err != nil {
			return nil, err
		}
		return out, nil
	}
	out.value = val
	var bad bool
	switch {
	case op >= opStringEquals && op <= opStringMatches:
		s, ok := val.(string)
		bad = !ok
		if ok && op == opStringMatches {
			out.pattern = compilePattern(s)
		}
	case op >= opNumericEquals && op <= opNumericGreaterThanEquals:
		bad = !isNumber(val)
	case op >= opTimestampEquals && op <= opTimestampGreaterThanEquals:
		// A string that is not a timestamp is accepted with a warning
		// (asl.Validate; heaviside emits such rules) and never matches.
		s, ok := val.(string)
		bad = !ok
		var terr error
		out.ts, terr = parseTimestamp(s)
		out.tsInvalid = terr != nil
	default: // BooleanEquals and the Is… tests
		_, ok := val.(bool)
		bad = !ok
	}
	if bad {
		return nil, at.err(k, "%s has an invalid value %s", base, encodeJSON(val))
	}
	for _, m := range r.Extra {
		if _, isCmp := comparatorOp(strings.TrimSuffix(m.Key, "Path")); isCmp {
			return nil, at.err(asl.PointerToken(m.Key), "a rule with Variable needs exactly one comparison field, found more")
		}
	}
	return out, nil
}

func (n *choiceNode) run(_ context.Context, _ *execution, sc *scope, in any) (any, int, *ExecutionError) {
	eff, err := n.io.input(sc, in)
	if err != nil {
		return nil, -1, err
	}
	f := frame{raw: in, res: eff, resSize: sc.inSize}
	next := -1
	if n.jsonata {
		env := &jenv{sc: sc, input: in}
		for _, r := range n.rules {
			v, err := r.jCond.evalTop(env, "Condition")
			if err != nil {
				return nil, -1, err
			}
			b, ok := v.(bool)
			if !ok {
				return nil, -1, newError(ErrQueryEvaluation, "a Condition must be a boolean, got %s", truncate(encodeJSON(v)))
			}
			if b {
				next, f.rule = r.next, r
				break
			}
		}
	} else {
		for _, r := range n.rules {
			ok, rerr := r.eval(sc, eff)
			if rerr != nil {
				return nil, -1, asExecError(rerr)
			}
			if ok {
				next, f.rule = r.next, r
				break
			}
		}
	}
	if next < 0 {
		if n.def < 0 {
			return nil, -1, newError(ErrNoChoiceMatched, "no Choice rule matched and there is no Default in state '%s'", n.name)
		}
		next = n.def
	}
	out, err := n.io.finish(sc, f)
	return out, next, err
}
