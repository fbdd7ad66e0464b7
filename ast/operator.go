package ast

// Operator returns the States Language comparison operator for a comparison
// (for "!=", the operator inside the Not).
func Operator(c *Cond) string {
	op := c.Op
	if op == "!=" {
		op = "=="
	}
	var prefix string
	switch c.Val.Kind {
	case StringVal:
		prefix = "String"
	case NumberVal:
		prefix = "Numeric"
	case BoolVal:
		prefix = "Boolean"
	case TimestampVal:
		prefix = "Timestamp"
	}
	switch op {
	case "==":
		return prefix + "Equals"
	case "<":
		return prefix + "LessThan"
	case ">":
		return prefix + "GreaterThan"
	case "<=":
		return prefix + "LessThanEquals"
	case ">=":
		return prefix + "GreaterThanEquals"
	}
	return prefix
}
