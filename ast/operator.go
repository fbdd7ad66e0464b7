package ast

// Operator returns the States Language comparison operator for a comparison
// (for "!=", the operator inside the Not), such as "NumericLessThan".
func Operator(c *Cond) string {
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
