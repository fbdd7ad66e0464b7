package interpreter

import (
	"strings"
	"time"

	"github.com/hsc-dev/hsc/asl"
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
	jOutput   *jtemplate
}

// matchPart is one piece of a StringMatches pattern: a literal run, or a
// star (lit == "" && star).
type matchPart struct {
	lit  string
	star bool
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
		return false, sc.runtimeError("Invalid path '%s': the choice state's condition path references an invalid value", r.variable.src)
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
			return false, sc.runtimeError("Invalid path '%s': the choice state's condition path references an invalid value", r.valuePath.src)
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
