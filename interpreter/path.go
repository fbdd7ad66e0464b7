package interpreter

import (
	"github.com/hsc-dev/hsc/asl"
)

// A path is a JsonPath expression as the States Language uses them: "$" is
// the state's input and "$$" the context object. The grammar is asl's
// (asl.ParsePath); this file evaluates its tree. A definite path (fields
// and indexes only) selects one value and fails when it is absent; an
// indefinite one (wildcards, "..", unions, slices, filters) yields an array
// of the values it matched, possibly empty, as Jayway JsonPath (which AWS
// uses) does.
//
// Reference paths, required by ResultPath, are definite paths without
// "..": they name one location and can be written to.

// Path is a parsed path ready to evaluate.
type Path struct {
	src      string
	context  bool   // starts with "$$"
	variable string // starts with "$name": a workflow variable
	steps    []asl.Step
	definite bool
	// word is an unquoted word a filter compares with ([?(@.a==b)]). AWS
	// accepts such a definition, but Jayway JsonPath cannot read the
	// filter, so the path never selects anything.
	word string
}

// String returns the path's source text.
func (p *Path) String() string { return p.src }

// IsReference reports whether p is a reference path (fields and indexes only).
func (p *Path) IsReference() bool {
	for i := range p.steps {
		if s := &p.steps[i]; s.Deep || (s.Kind != asl.StepField && s.Kind != asl.StepIndex) {
			return false
		}
	}
	return true
}

// PathError reports a malformed path.
type PathError = asl.PathError

// ParsePath parses a Path (the whole JSONPath syntax) with asl's grammar.
func ParsePath(src string) (*Path, error) { return parsePath(src, asl.PathAny) }

// parsePath parses a path of kind k with asl's grammar.
func parsePath(src string, k asl.PathKind) (*Path, error) {
	ap, err := asl.ParsePath(src, k)
	if err != nil {
		return nil, err
	}
	return newPath(ap), nil
}

// newPath prepares a parsed path for evaluation.
func newPath(ap *asl.Path) *Path {
	p := &Path{
		src:      ap.Text,
		context:  ap.Root == asl.RootContext,
		variable: ap.Variable,
		steps:    ap.Steps,
		definite: ap.Definite(),
	}
	for i := range ap.Steps {
		if f := ap.Steps[i].Filter; f != nil && p.word == "" {
			p.word, _ = filterWord(f)
		}
	}
	return p
}

// ---- filter expressions ----

// testFilter evaluates a filter expression for the element cur.
func testFilter(e asl.Expr, cur, root any) bool {
	switch f := e.(type) {
	case *asl.AndExpr:
		return testFilter(f.L, cur, root) && testFilter(f.R, cur, root)
	case *asl.OrExpr:
		return testFilter(f.L, cur, root) || testFilter(f.R, cur, root)
	case *asl.NotExpr:
		return !testFilter(f.X, cur, root)
	case *asl.ExistsExpr:
		_, ok := operandValue(&f.X, cur, root)
		return ok
	case *asl.CompareExpr:
		return compareFilter(f, cur, root)
	}
	return false
}

func compareFilter(f *asl.CompareExpr, c, r any) bool {
	a, ok1 := operandValue(&f.L, c, r)
	b, ok2 := operandValue(&f.R, c, r)
	if !ok1 || !ok2 {
		return f.Op == "!=" && ok1 != ok2
	}
	switch f.Op {
	case "==":
		return equalValues(a, b)
	case "!=":
		return !equalValues(a, b)
	}
	if x, ok := toFloat(a); ok {
		y, ok := toFloat(b)
		if !ok {
			return false
		}
		switch f.Op {
		case "<":
			return x < y
		case "<=":
			return x <= y
		case ">":
			return x > y
		case ">=":
			return x >= y
		}
	}
	if x, ok := a.(string); ok {
		y, ok := b.(string)
		if !ok {
			return false
		}
		switch f.Op {
		case "<":
			return x < y
		case "<=":
			return x <= y
		case ">":
			return x > y
		case ">=":
			return x >= y
		}
	}
	return false
}

func operandValue(o *asl.Operand, cur, root any) (any, bool) {
	switch o.Kind {
	case asl.OperandLiteral:
		return o.Literal, true
	case asl.OperandPath:
		base := root
		if o.Relative {
			base = cur
		}
		return evalSteps(o.Path.Steps, o.Path.Definite(), base)
	}
	return nil, false
}

// filterWord returns the first unquoted word a filter compares with, if
// any: Jayway JsonPath cannot evaluate such a filter.
func filterWord(e asl.Expr) (string, bool) {
	switch f := e.(type) {
	case *asl.AndExpr:
		if w, ok := filterWord(f.L); ok {
			return w, ok
		}
		return filterWord(f.R)
	case *asl.OrExpr:
		if w, ok := filterWord(f.L); ok {
			return w, ok
		}
		return filterWord(f.R)
	case *asl.NotExpr:
		return filterWord(f.X)
	case *asl.CompareExpr:
		for _, o := range []*asl.Operand{&f.L, &f.R} {
			if o.Kind == asl.OperandWord {
				return o.Word, true
			}
		}
	}
	return "", false
}

// ---- evaluation ----

// eval applies the path to root. A definite path returns the value and
// whether it exists; an indefinite one returns the []any of its matches and
// true.
func (p *Path) eval(root any) (any, bool) {
	if p.word != "" {
		return nil, false
	}
	return evalSteps(p.steps, p.definite, root)
}

func evalSteps(steps []asl.Step, definite bool, root any) (any, bool) {
	if definite {
		cur := root
		for i := range steps {
			s := &steps[i]
			switch s.Kind {
			case asl.StepField:
				o, ok := cur.(*Object)
				if !ok {
					return nil, false
				}
				if cur, ok = o.Get(s.Name); !ok {
					return nil, false
				}
			case asl.StepIndex:
				a, ok := cur.([]any)
				if !ok {
					return nil, false
				}
				n := s.Index
				if n < 0 {
					n += len(a)
				}
				if n < 0 || n >= len(a) {
					return nil, false
				}
				cur = a[n]
			case asl.StepLength:
				switch x := cur.(type) {
				case []any:
					cur = int64(len(x))
				case *Object:
					cur = int64(x.Len())
				case string:
					cur = int64(len([]rune(x)))
				default:
					return nil, false
				}
			}
		}
		return cur, true
	}
	nodes := []any{root}
	for i := range steps {
		s := &steps[i]
		var next []any
		if s.Kind == asl.StepLength {
			if len(nodes) != 0 {
				// length() of an indefinite result is its count.
				return int64(len(nodes)), true
			}
		}
		for _, n := range nodes {
			if s.Deep {
				walk(n, func(d any) { next = applyStep(s, d, root, next) })
			} else {
				next = applyStep(s, n, root, next)
			}
		}
		nodes = next
	}
	if nodes == nil {
		nodes = []any{}
	}
	return nodes, true
}

// walk calls f on v and every value below it, in document order.
func walk(v any, f func(any)) {
	f(v)
	switch x := v.(type) {
	case *Object:
		for _, c := range x.m {
			walk(c.v, f)
		}
	case []any:
		for _, c := range x {
			walk(c, f)
		}
	}
}

func applyStep(s *asl.Step, n, root any, out []any) []any {
	switch s.Kind {
	case asl.StepField:
		if o, ok := n.(*Object); ok {
			if v, ok := o.Get(s.Name); ok {
				out = append(out, v)
			}
		}
	case asl.StepNames:
		if o, ok := n.(*Object); ok {
			for _, k := range s.Names {
				if v, ok := o.Get(k); ok {
					out = append(out, v)
				}
			}
		}
	case asl.StepIndex, asl.StepIndexes:
		if a, ok := n.([]any); ok {
			idxs := s.Indexes
			for _, i := range idxs {
				if i < 0 {
					i += len(a)
				}
				if i >= 0 && i < len(a) {
					out = append(out, a[i])
				}
			}
		}
	case asl.StepWildcard:
		switch x := n.(type) {
		case *Object:
			for _, m := range x.m {
				out = append(out, m.v)
			}
		case []any:
			out = append(out, x...)
		}
	case asl.StepSlice:
		a, ok := n.([]any)
		if !ok {
			break
		}
		l := len(a)
		norm := func(i int) int {
			if i < 0 {
				i += l
			}
			return min(max(i, 0), l)
		}
		if s.Stride > 0 {
			start, end := 0, l
			if s.HasStart {
				start = norm(s.Start)
			}
			if s.HasEnd {
				end = norm(s.End)
			}
			for i := start; i < end; i += s.Stride {
				out = append(out, a[i])
			}
		} else {
			start, end := l-1, -1
			if s.HasStart {
				start = min(norm(s.Start), l-1)
			}
			if s.HasEnd {
				end = norm(s.End)
			}
			for i := start; i > end; i += s.Stride {
				out = append(out, a[i])
			}
		}
	case asl.StepFilter:
		switch x := n.(type) {
		case []any:
			for _, e := range x {
				if testFilter(s.Filter, e, root) {
					out = append(out, e)
				}
			}
		case *Object:
			if testFilter(s.Filter, x, root) {
				out = append(out, x)
			}
		}
	}
	return out
}

// set returns a copy of root with the location named by reference path p
// replaced by v, creating missing objects on the way. It fails when the path
// runs through a value of the wrong type.
func (p *Path) set(root, v any) (any, bool) {
	return setAt(root, p.steps, v)
}

func setAt(cur any, steps []asl.Step, v any) (any, bool) {
	if len(steps) == 0 {
		return v, true
	}
	s := &steps[0]
	switch s.Kind {
	case asl.StepField:
		var o *Object
		switch x := cur.(type) {
		case *Object:
			o = x
		case nil:
			o = newObject(1)
		default:
			return nil, false
		}
		child, _ := o.Get(s.Name)
		nv, ok := setAt(child, steps[1:], v)
		if !ok {
			return nil, false
		}
		return o.with(s.Name, nv), true
	case asl.StepIndex:
		a, ok := cur.([]any)
		if !ok {
			return nil, false
		}
		i := s.Index
		if i < 0 {
			i += len(a)
		}
		if i < 0 || i >= len(a) {
			return nil, false
		}
		nv, ok := setAt(a[i], steps[1:], v)
		if !ok {
			return nil, false
		}
		c := make([]any, len(a))
		copy(c, a)
		c[i] = nv
		return c, true
	}
	return nil, false
}
