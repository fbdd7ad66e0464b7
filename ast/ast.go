// Package ast defines the syntax tree of a Heaviside DSL program: states,
// modifiers, comparisons and JSON values, each with its source position. It
// owns the data and the Visitor hook; it must not know how the tree is
// parsed, checked or written out.
package ast

import "github.com/hsc-dev/hsc/diag"

// Task is a Task state. (Filled out with the rest of the tree.)
type Task struct {
	Pos      diag.Pos
	Name     string
	Service  string // "Lambda", "Activity", "Arn" or an AWS service such as "DynamoDB"
	Function string // function name, activity name, ARN, or service API name
	// Resource is the state's ARN; a visitor may change it.
	Resource string
}
