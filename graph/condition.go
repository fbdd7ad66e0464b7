package graph

import (
	"strings"

	"github.com/hsc-dev/hsc/asl"
)

// comparatorOp is the operator shown for a comparator's base name without
// its type prefix ("LessThan"), or "" when there is none.
func comparatorOp(base string) string {
	switch base {
	case "Equals":
		return "=="
	case "LessThan":
		return "<"
	case "GreaterThan":
		return ">"
	case "LessThanEquals":
		return "<="
	case "GreaterThanEquals":
		return ">="
	case "Matches":
		return "matches"
	case "IsNull":
		return "is null"
	case "IsPresent":
		return "is present"
	case "IsNumeric":
		return "is numeric"
	case "IsString":
		return "is string"
	case "IsBoolean":
		return "is boolean"
	case "IsTimestamp":
		return "is timestamp"
	}
	return ""
}

// RuleText renders a Choice rule compactly, such as `$.count < 10` or
// `$.a == "x" or not ($.b >= 10)`.
func RuleText(r *asl.ChoiceRule) string { return ruleText(r, false) }

func ruleText(r *asl.ChoiceRule, nested bool) string {
	if r == nil {
		return ""
	}
	wrap := func(s string) string {
		if nested {
			return "(" + s + ")"
		}
		return s
	}
	switch {
	case r.Condition != nil:
		return compactValue(r.Condition)
	case len(r.And) > 0:
		return wrap(joinRules(r.And, " and "))
	case len(r.Or) > 0:
		return wrap(joinRules(r.Or, " or "))
	case r.Not != nil:
		return "not " + ruleText(r.Not, true)
	}
	op := r.Operator
	path := false
	if c, ok := asl.LookupComparator(r.Operator); ok {
		path = c.Path
		base := c.Base
		for _, prefix := range []string{"Numeric", "String", "Boolean", "Timestamp"} {
			if strings.HasPrefix(base, prefix) && len(base) > len(prefix) {
				base = base[len(prefix):]
				break
			}
		}
		if o := comparatorOp(base); o != "" {
			op = o
		}
	}
	switch op {
	case "is null", "is present", "is numeric", "is string", "is boolean", "is timestamp":
		if r.Operand != nil && r.Operand.Kind == asl.KindBool && !r.Operand.Bool {
			return r.Variable + " " + strings.Replace(op, "is ", "is not ", 1)
		}
		return r.Variable + " " + op
	}
	operand := compactValue(r.Operand)
	if path && r.Operand != nil && r.Operand.Kind == asl.KindString {
		operand = r.Operand.Str
	}
	return r.Variable + " " + op + " " + operand
}

func joinRules(rs []*asl.ChoiceRule, sep string) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = ruleText(r, true)
	}
	return strings.Join(parts, sep)
}

// compactValue is a value's JSON text on one line.
func compactValue(v *asl.Value) string {
	if v == nil {
		return "null"
	}
	return string(v.Encode(-1))
}
