package ast

// Operator returns the States Language comparison operator for a comparison
// (for "!=", the operator inside the Not), such as "NumericLessThan".
func Operator(c *Cond) string {
	switch c.Op {
	case "matches":
		return "StringMatches"
	case "jsonata", "not", "and", "or":
		return ""
	}
	if t, ok := typeTests[c.Op]; ok {
		return t
	}
	op := comparator(c)
	if op != "" && c.Val.Path {
		op += "Path"
	}
	return op
}

// typeTests maps the type-test calls to their operators (read only).
var typeTests = map[string]string{
	"is_present": "IsPresent", "is_null": "IsNull", "is_numeric": "IsNumeric",
	"is_string": "IsString", "is_boolean": "IsBoolean", "is_timestamp": "IsTimestamp",
}

// IsTypeTest reports whether op is a type-test call such as "is_present".
func IsTypeTest(op string) bool { _, ok := typeTests[op]; return ok }

func comparator(c *Cond) string {
	var ops *[5]string
	switch c.Val.Kind {
	case StringVal:
		ops = &stringOps
	case NumberVal:
		ops = &numericOps
	case BoolVal:
		ops = &booleanOps
	case TimestampVal:
		ops = &timestampOps
	default:
		return ""
	}
	switch c.Op {
	case "==", "!=":
		return ops[0]
	case "<":
		return ops[1]
	case ">":
		return ops[2]
	case "<=":
		return ops[3]
	case ">=":
		return ops[4]
	}
	return ""
}

// The operators by value kind, in the order ==, <, >, <=, >= (read only).
var (
	stringOps    = [5]string{"StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals"}
	numericOps   = [5]string{"NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals"}
	booleanOps   = [5]string{"BooleanEquals", "BooleanLessThan", "BooleanGreaterThan", "BooleanLessThanEquals", "BooleanGreaterThanEquals"}
	timestampOps = [5]string{"TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals"}
)
