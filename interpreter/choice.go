package interpreter

import (
	"fmt"
	"github.com/hsc-dev/hsc/asl"
	"strings"
	"time"
)

type choiceOp uint8

const (
	opAnd choiceOp = iota
	opOr
	opNot
	opStringEquals
	opStringLessThan
	opStringGreaterThan
	opStringLessThanEquals
	opStringGreaterThanEquals
	opStringMatches
	opNumericEquals
	opNumericLessThan
	opNumericGreaterThan
	opNumericLessThanEquals
	opNumericGreaterThanEquals
	opBooleanEquals
	opTimestampEquals
	opTimestampLessThan
	opTimestampGreaterThan
	opTimestampLessThanEquals
	opTimestampGreaterThanEquals
	opIsNull
	opIsPresent
	opIsNumeric
	opIsString
	opIsBoolean
	opIsTimestamp
)

// comparatorOp maps a comparison field name (without "Path") to its
// operator. The names come from asl's one table of comparators; the
// operator codes from opStringEquals on follow its order (Comparator.Index).
func comparatorOp(name string) (choiceOp, bool) {
	c, ok := asl.LookupComparator(name)
	if !ok || c.Path {
		return 0, false
	}
	return opStringEquals + choiceOp(c.Index), true
}

type choiceRule struct {
	op        choiceOp
	field     string // the comparison field as written, for messages
	variable  *Path
	value     any   // constant operand
	valuePath *Path // operand of a …Path comparator
	ts        time.Time
	tsInvalid bool // the constant operand is not a timestamp
	pattern   []matchPart
	rules     []*choiceRule // And, Or (Not: one)
	next      int
	assign    *template // a top-level rule's Assign
	jCond     *jtemplate
	jAssign   *jtemplate
}

// matchPart is one piece of a StringMatches pattern: a literal run, or a
// star (lit == "" && star).
type matchPart struct {
	lit  string
	star bool
}

func (c *compiler) compileChoice(sm *stateMachine, st *state, o *Object) error {
	cv, _ := o.Get("Choices")
	arr, ok := cv.([]any)
	if !ok || len(arr) == 0 {
		return defErr(st.name, "Choices must be a non-empty array")
	}
	for i, e := range arr {
		ro, ok := e.(*Object)
		if !ok {
			return defErr(st.name, "Choices[%d] must be an object", i)
		}
		r, err := compileRule(ro)
		if err != nil {
			return defErr(st.name, "Choices[%d]: %v", i, err)
		}
		next, _, err := str(ro, "Next")
		if err != nil || next == "" {
			return defErr(st.name, "Choices[%d]: Next must name a state", i)
		}
		if r.next, err = c.target(sm, st.name, fmt.Sprintf("Choices[%d].Next", i), next); err != nil {
			return err
		}
		if r.assign, err = compileAssign(ro); err != nil {
			return defErr(st.name, "Choices[%d]: %v", i, err)
		}
		st.choices = append(st.choices, r)
	}
	if d, ok, err := str(o, "Default"); err != nil {
		return defErr(st.name, "%v", err)
	} else if ok {
		if st.def, err = c.target(sm, st.name, "Default", d); err != nil {
			return err
		}
	}
	return nil
}

func compileRule(o *Object) (*choiceRule, error) {
	for _, k := range []string{"And", "Or"} {
		if v, ok := o.Get(k); ok {
			arr, ok := v.([]any)
			if !ok || len(arr) == 0 {
				return nil, fmt.Errorf("%s must be a non-empty array of rules", k)
			}
			r := &choiceRule{op: opAnd, field: k}
			if k == "Or" {
				r.op = opOr
			}
			for _, e := range arr {
				so, ok := e.(*Object)
				if !ok {
					return nil, fmt.Errorf("%s must hold rule objects", k)
				}
				sub, err := compileRule(so)
				if err != nil {
					return nil, err
				}
				r.rules = append(r.rules, sub)
			}
			return r, nil
		}
	}
	if v, ok := o.Get("Not"); ok {
		so, ok := v.(*Object)
		if !ok {
			return nil, fmt.Errorf("Not must hold a rule object")
		}
		sub, err := compileRule(so)
		if err != nil {
			return nil, err
		}
		return &choiceRule{op: opNot, field: "Not", rules: []*choiceRule{sub}}, nil
	}
	vs, _, err := str(o, "Variable")
	if err != nil || vs == "" {
		return nil, fmt.Errorf("a comparison needs a Variable path")
	}
	vp, err := ParsePath(vs)
	if err != nil {
		return nil, fmt.Errorf("Variable: %w", err)
	}
	r := &choiceRule{variable: vp}
	found := 0
	for _, mem := range o.m {
		k := mem.k
		if k == "Variable" || k == "Next" || k == "Comment" || k == "Assign" {
			continue
		}
		base, isPath := strings.CutSuffix(k, "Path")
		op, ok := comparatorOp(base)
		if !ok || (isPath && (op == opStringMatches || op >= opIsNull)) {
			if op, ok := comparatorOp(k); ok {
				base, isPath, r.op = k, false, op
			} else {
				return nil, fmt.Errorf("unknown comparison field %q", k)
			}
		} else {
			r.op = op
		}
		found++
		r.field = k
		val := mem.v
		if isPath {
			s, ok := val.(string)
			if !ok {
				return nil, fmt.Errorf("%s must be a path string", k)
			}
			if r.valuePath, err = ParsePath(s); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			continue
		}
		r.value = val
		var bad bool
		switch {
		case r.op >= opStringEquals && r.op <= opStringMatches:
			s, ok := val.(string)
			bad = !ok
			if ok && r.op == opStringMatches {
				r.pattern = compilePattern(s)
			}
		case r.op >= opNumericEquals && r.op <= opNumericGreaterThanEquals:
			bad = !isNumber(val)
		case r.op >= opTimestampEquals && r.op <= opTimestampGreaterThanEquals:
			// A string that is not a timestamp is accepted with a
			// warning (asl.Validate; heaviside emits such rules) and
			// never matches, like a Path operand that is not one.
			s, ok := val.(string)
			bad = !ok
			r.ts, err = parseTimestamp(s)
			r.tsInvalid, err = err != nil, nil
		default: // BooleanEquals and the Is… tests
			_, ok := val.(bool)
			bad = !ok
		}
		if bad {
			return nil, fmt.Errorf("%s has an invalid value %s", base, encodeJSON(val))
		}
	}
	if found != 1 {
		return nil, fmt.Errorf("a rule with Variable needs exactly one comparison field, found %d", found)
	}
	return r, nil
}

// compilePattern splits a StringMatches pattern on unescaped '*'; "\*" is a
// literal star and "\\" a literal backslash.
func compilePattern(p string) []matchPart {
	var parts []matchPart
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			parts = append(parts, matchPart{lit: b.String()})
			b.Reset()
		}
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) && (p[i+1] == '*' || p[i+1] == '\\') {
			i++
			b.WriteByte(p[i])
			continue
		}
		if c == '*' {
			flush()
			parts = append(parts, matchPart{star: true})
			continue
		}
		b.WriteByte(c)
	}
	flush()
	return parts
}

// eval evaluates the rule against the Choice state's effective input.
func (r *choiceRule) eval(sc *scope, input any) (bool, error) {
	switch r.op {
	case opAnd:
		for _, s := range r.rules {
			ok, err := s.eval(sc, input)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case opOr:
		for _, s := range r.rules {
			ok, err := s.eval(sc, input)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case opNot:
		ok, err := r.rules[0].eval(sc, input)
		return !ok, err
	}
	v, present := sc.evalPath(r.variable, input)
	if r.op == opIsPresent {
		return present == r.value.(bool), nil
	}
	if !present {
		return false, newError(ErrRuntime, "Invalid path '%s': the choice state's condition path references an invalid value", r.variable.src)
	}
	switch r.op {
	case opIsNull:
		return (v == nil) == r.value.(bool), nil
	case opIsNumeric:
		return isNumber(v) == r.value.(bool), nil
	case opIsString:
		_, ok := v.(string)
		return ok == r.value.(bool), nil
	case opIsBoolean:
		_, ok := v.(bool)
		return ok == r.value.(bool), nil
	case opIsTimestamp:
		s, ok := v.(string)
		if ok {
			_, err := parseTimestamp(s)
			ok = err == nil
		}
		return ok == r.value.(bool), nil
	}
	other := r.value
	if r.valuePath != nil {
		var ok bool
		if other, ok = sc.evalPath(r.valuePath, input); !ok {
			return false, newError(ErrRuntime, "Invalid path '%s': the choice state's condition path references an invalid value", r.valuePath.src)
		}
	}
	switch {
	case r.op == opStringMatches:
		s, ok := v.(string)
		return ok && matchPattern(r.pattern, s), nil
	case r.op >= opStringEquals && r.op <= opStringGreaterThanEquals:
		a, ok1 := v.(string)
		b, ok2 := other.(string)
		if !ok1 || !ok2 {
			return false, nil
		}
		return compare(r.op-opStringEquals, compareStrings(a, b)), nil
	case r.op >= opNumericEquals && r.op <= opNumericGreaterThanEquals:
		a, ok1 := toFloat(v)
		b, ok2 := toFloat(other)
		if !ok1 || !ok2 {
			return false, nil
		}
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		return compare(r.op-opNumericEquals, c), nil
	case r.op == opBooleanEquals:
		a, ok1 := v.(bool)
		b, ok2 := other.(bool)
		return ok1 && ok2 && a == b, nil
	default: // timestamps
		s, ok := v.(string)
		if !ok {
			return false, nil
		}
		a, err := parseTimestamp(s)
		if err != nil {
			return false, nil
		}
		b := r.ts
		if r.tsInvalid && r.valuePath == nil {
			return false, nil
		}
		if r.valuePath != nil {
			s, ok := other.(string)
			if !ok {
				return false, nil
			}
			if b, err = parseTimestamp(s); err != nil {
				return false, nil
			}
		}
		return compare(r.op-opTimestampEquals, a.Compare(b)), nil
	}
}

// compare applies the k-th operator of the order Equals, LessThan,
// GreaterThan, LessThanEquals, GreaterThanEquals to a comparison result.
func compare(k choiceOp, c int) bool {
	switch k {
	case 0:
		return c == 0
	case 1:
		return c < 0
	case 2:
		return c > 0
	case 3:
		return c <= 0
	default:
		return c >= 0
	}
}
