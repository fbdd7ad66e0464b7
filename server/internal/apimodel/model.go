// Package apimodel is the Step Functions API model as data: the 37
// operations of API version 2016-11-23 with their input, output and error
// shapes, and every shape's constraints, generated from botocore's
// service-2.json by ./gen. It knows the model and nothing of how requests
// are served or stored.
package apimodel

//go:generate go run ./gen -out model_gen.go

// Kind is a shape's type in the model.
type Kind uint8

// The shape kinds of the model.
const (
	KindString Kind = iota + 1
	KindInteger
	KindLong
	KindFloat
	KindBoolean
	KindTimestamp
	KindBlob
	KindStructure
	KindList
	KindMap
)

// Operation is one API operation.
type Operation struct {
	Name          string
	Input, Output string // shape names; "" when none
	Idempotent    bool
	Errors        []string // the exception shapes the model lists
}

// Shape is one named type of the model with its constraints. Min and Max
// bound a string's or list's length or a number's value when HasMin/HasMax.
type Shape struct {
	Name           string
	Kind           Kind
	HasMin, HasMax bool
	Min, Max       float64
	Enum           []string
	Pattern        string // a Java regular expression, matched against the whole value
	Sensitive      bool
	Exception      bool
	Members        []Member // structure members, sorted by name
	Elem, Key      string   // list member or map value; map key
}

// Member is a structure member.
type Member struct {
	Name, Shape string
	Required    bool
}

// Lookup returns the operation named name.
func Lookup(name string) (*Operation, bool) {
	op, ok := operations[name]
	return op, ok
}

// ShapeOf returns the shape named name.
func ShapeOf(name string) (*Shape, bool) {
	s, ok := shapes[name]
	return s, ok
}

// Operations returns the names of all operations, in no fixed order.
func Operations() []string {
	ns := make([]string, 0, len(operations))
	for n := range operations {
		ns = append(ns, n)
	}
	return ns
}

// Patterns returns every distinct pattern of the model's shapes.
func Patterns() []string {
	seen := map[string]bool{}
	var ps []string
	for _, s := range shapes {
		if s.Pattern != "" && !seen[s.Pattern] {
			seen[s.Pattern] = true
			ps = append(ps, s.Pattern)
		}
	}
	return ps
}

// MemberOf returns the member named name of structure s.
func (s *Shape) MemberOf(name string) (Member, bool) {
	for _, m := range s.Members {
		if m.Name == name {
			return m, true
		}
	}
	return Member{}, false
}
