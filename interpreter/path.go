package interpreter

import (
	"fmt"
	"strconv"
	"strings"
)

// A path is a JsonPath expression as the States Language uses them: "$" is
// the state's input and "$$" the context object. A definite path (fields and
// indexes only) selects one value and fails when it is absent; an indefinite
// one (wildcards, "..", unions, slices, filters) yields an array of the values
// it matched, possibly empty, as Jayway JsonPath (which AWS uses) does.
//
// Reference paths, required by ResultPath and accepted everywhere, are
// definite paths without "..": they name one location and can be written to.

type stepKind uint8

const (
	stField stepKind = iota
	stIndex
	stWildcard
	stNames
	stIndexes
	stSlice
	stFilter
	stLength // Jayway's length() function
)

type pathStep struct {
	kind  stepKind
	deep  bool // preceded by ".."
	name  string
	index int
	names []string
	idxs  []int
	// slice
	start, end, stride int
	hasStart, hasEnd   bool
	filter             filterExpr
	definite           bool
}

// Path is a compiled path.
type Path struct {
	src      string
	context  bool   // starts with "$$"
	variable string // starts with "$name": a workflow variable
	steps    []pathStep
	definite bool
}

// String returns the path's source text.
func (p *Path) String() string { return p.src }

// IsReference reports whether p is a reference path (fields and indexes only).
func (p *Path) IsReference() bool {
	for _, s := range p.steps {
		if s.deep || (s.kind != stField && s.kind != stIndex) {
			return false
		}
	}
	return true
}

// PathError reports a malformed path.
type PathError struct {
	Path string
	Pos  int
	Msg  string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("invalid path %q at offset %d: %s", e.Path, e.Pos, e.Msg)
}

// ParsePath compiles a path expression.
func ParsePath(src string) (*Path, error) {
	pp := pathParser{s: src}
	p, err := pp.parse()
	if err != nil {
		return nil, err
	}
	return p, nil
}

type pathParser struct {
	s string
	i int
}

func (pp *pathParser) fail(msg string) error { return &PathError{Path: pp.s, Pos: pp.i, Msg: msg} }

func (pp *pathParser) parse() (*Path, error) {
	p := &Path{src: pp.s, definite: true}
	if !strings.HasPrefix(pp.s, "$") {
		return nil, pp.fail("a path must start with '$'")
	}
	pp.i = 1
	if strings.HasPrefix(pp.s, "$$") {
		p.context = true
		pp.i = 2
	} else if pp.i < len(pp.s) && isIdentStart(pp.s[pp.i]) {
		start := pp.i
		for pp.i < len(pp.s) && (isIdentStart(pp.s[pp.i]) || (pp.s[pp.i] >= '0' && pp.s[pp.i] <= '9')) {
			pp.i++
		}
		p.variable = pp.s[start:pp.i]
	}
	steps, err := pp.steps(func() bool { return pp.i >= len(pp.s) })
	if err != nil {
		return nil, err
	}
	if pp.i != len(pp.s) {
		return nil, pp.fail("unexpected character")
	}
	p.steps = steps
	for _, s := range steps {
		if !s.definite {
			p.definite = false
		}
	}
	return p, nil
}

// steps parses segments until stop() or a character that cannot start one.
func (pp *pathParser) steps(stop func() bool) ([]pathStep, error) {
	var steps []pathStep
	for !stop() {
		c := pp.s[pp.i]
		var st pathStep
		switch c {
		case '.':
			pp.i++
			if pp.i < len(pp.s) && pp.s[pp.i] == '.' {
				pp.i++
				st.deep = true
				if pp.i < len(pp.s) && pp.s[pp.i] == '[' {
					if err := pp.bracket(&st); err != nil {
						return nil, err
					}
					break
				}
			}
			if pp.i < len(pp.s) && pp.s[pp.i] == '*' {
				pp.i++
				st.kind = stWildcard
				break
			}
			start := pp.i
			for pp.i < len(pp.s) && !strings.ContainsRune(".[ )=!<>&|,", rune(pp.s[pp.i])) {
				if pp.s[pp.i] == '(' {
					break
				}
				pp.i++
			}
			name := pp.s[start:pp.i]
			if name == "" {
				return nil, pp.fail("field name expected after '.'")
			}
			if name == "length" && strings.HasPrefix(pp.s[pp.i:], "()") {
				pp.i += 2
				st.kind = stLength
				st.definite = true
				break
			}
			if pp.i < len(pp.s) && pp.s[pp.i] == '(' {
				return nil, pp.fail(fmt.Sprintf("unsupported function %s()", name))
			}
			st.kind = stField
			st.name = name
			st.definite = true
		case '[':
			if err := pp.bracket(&st); err != nil {
				return nil, err
			}
		default:
			return steps, nil
		}
		if st.deep {
			st.definite = false
		}
		steps = append(steps, st)
	}
	return steps, nil
}

func (pp *pathParser) skipSpace() {
	for pp.i < len(pp.s) && pp.s[pp.i] == ' ' {
		pp.i++
	}
}

func (pp *pathParser) bracket(st *pathStep) error {
	pp.i++ // '['
	pp.skipSpace()
	if pp.i >= len(pp.s) {
		return pp.fail("unterminated '['")
	}
	switch c := pp.s[pp.i]; {
	case c == '*':
		pp.i++
		st.kind = stWildcard
	case c == '?':
		pp.i++
		pp.skipSpace()
		paren := pp.i < len(pp.s) && pp.s[pp.i] == '('
		if paren {
			pp.i++
		}
		e, err := pp.orExpr()
		if err != nil {
			return err
		}
		pp.skipSpace()
		if paren {
			if pp.i >= len(pp.s) || pp.s[pp.i] != ')' {
				return pp.fail("')' expected to close the filter")
			}
			pp.i++
		}
		st.kind = stFilter
		st.filter = e
	case c == '\'' || c == '"':
		for {
			s, err := pp.quoted()
			if err != nil {
				return err
			}
			st.names = append(st.names, s)
			pp.skipSpace()
			if pp.i < len(pp.s) && pp.s[pp.i] == ',' {
				pp.i++
				pp.skipSpace()
				if pp.i >= len(pp.s) || (pp.s[pp.i] != '\'' && pp.s[pp.i] != '"') {
					return pp.fail("quoted name expected after ','")
				}
				continue
			}
			break
		}
		if len(st.names) == 1 {
			st.kind = stField
			st.name = st.names[0]
			st.definite = true
		} else {
			st.kind = stNames
		}
	case c == '-' || c == ':' || (c >= '0' && c <= '9'):
		n, has, err := pp.optInt()
		if err != nil {
			return err
		}
		pp.skipSpace()
		if pp.i < len(pp.s) && pp.s[pp.i] == ':' {
			st.kind = stSlice
			st.start, st.hasStart = n, has
			pp.i++
			pp.skipSpace()
			if st.end, st.hasEnd, err = pp.optInt(); err != nil {
				return err
			}
			st.stride = 1
			pp.skipSpace()
			if pp.i < len(pp.s) && pp.s[pp.i] == ':' {
				pp.i++
				s, has, err := pp.optInt()
				if err != nil {
					return err
				}
				if has {
					if s == 0 {
						return pp.fail("slice step must not be 0")
					}
					st.stride = s
				}
			}
			break
		}
		if !has {
			return pp.fail("index expected")
		}
		st.idxs = append(st.idxs, n)
		for pp.i < len(pp.s) && pp.s[pp.i] == ',' {
			pp.i++
			pp.skipSpace()
			m, has, err := pp.optInt()
			if err != nil {
				return err
			}
			if !has {
				return pp.fail("index expected after ','")
			}
			st.idxs = append(st.idxs, m)
			pp.skipSpace()
		}
		if len(st.idxs) == 1 {
			st.kind = stIndex
			st.index = n
			st.definite = true
		} else {
			st.kind = stIndexes
		}
	default:
		return pp.fail("unexpected character in '[...]'")
	}
	pp.skipSpace()
	if pp.i >= len(pp.s) || pp.s[pp.i] != ']' {
		return pp.fail("']' expected")
	}
	pp.i++
	return nil
}

func (pp *pathParser) optInt() (int, bool, error) {
	start := pp.i
	if pp.i < len(pp.s) && pp.s[pp.i] == '-' {
		pp.i++
	}
	for pp.i < len(pp.s) && pp.s[pp.i] >= '0' && pp.s[pp.i] <= '9' {
		pp.i++
	}
	if start == pp.i {
		return 0, false, nil
	}
	n, err := strconv.Atoi(pp.s[start:pp.i])
	if err != nil {
		pp.i = start
		return 0, false, pp.fail("invalid integer")
	}
	return n, true, nil
}

func (pp *pathParser) quoted() (string, error) {
	q := pp.s[pp.i]
	pp.i++
	var b strings.Builder
	for pp.i < len(pp.s) {
		c := pp.s[pp.i]
		if c == q {
			pp.i++
			return b.String(), nil
		}
		if c == '\\' && pp.i+1 < len(pp.s) {
			pp.i++
			c = pp.s[pp.i]
		}
		b.WriteByte(c)
		pp.i++
	}
	return "", pp.fail("unterminated quoted name")
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// ---- filter expressions ----

type filterExpr interface {
	test(cur, root any) bool
}

type filterAnd struct{ a, b filterExpr }
type filterOr struct{ a, b filterExpr }
type filterNot struct{ e filterExpr }
type filterExists struct{ op operand }
type filterCmp struct {
	op   string
	l, r operand
}

func (f filterAnd) test(c, r any) bool { return f.a.test(c, r) && f.b.test(c, r) }
func (f filterOr) test(c, r any) bool  { return f.a.test(c, r) || f.b.test(c, r) }
func (f filterNot) test(c, r any) bool { return !f.e.test(c, r) }
func (f filterExists) test(c, r any) bool {
	_, ok := f.op.value(c, r)
	return ok
}

func (f filterCmp) test(c, r any) bool {
	a, ok1 := f.l.value(c, r)
	b, ok2 := f.r.value(c, r)
	if !ok1 || !ok2 {
		return f.op == "!=" && ok1 != ok2
	}
	switch f.op {
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
		switch f.op {
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
		switch f.op {
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

type operand struct {
	path    *Path // relative (@) or absolute ($) path
	rel     bool
	lit     any
	isConst bool
}

func (o operand) value(cur, root any) (any, bool) {
	if o.isConst {
		return o.lit, true
	}
	base := root
	if o.rel {
		base = cur
	}
	return o.path.eval(base)
}

func (pp *pathParser) orExpr() (filterExpr, error) {
	return pp.chain("||", pp.andExpr, func(l, r filterExpr) filterExpr { return filterOr{l, r} })
}

func (pp *pathParser) andExpr() (filterExpr, error) {
	return pp.chain("&&", pp.unary, func(l, r filterExpr) filterExpr { return filterAnd{l, r} })
}

// chain parses sub {op sub}, joining the operands from the left.
func (pp *pathParser) chain(op string, sub func() (filterExpr, error), join func(l, r filterExpr) filterExpr) (filterExpr, error) {
	l, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		pp.skipSpace()
		if !strings.HasPrefix(pp.s[pp.i:], op) {
			return l, nil
		}
		pp.i += len(op)
		r, err := sub()
		if err != nil {
			return nil, err
		}
		l = join(l, r)
	}
}

func (pp *pathParser) unary() (filterExpr, error) {
	pp.skipSpace()
	if pp.i >= len(pp.s) {
		return nil, pp.fail("filter expression expected")
	}
	if pp.s[pp.i] == '!' && !strings.HasPrefix(pp.s[pp.i:], "!=") {
		pp.i++
		e, err := pp.unary()
		if err != nil {
			return nil, err
		}
		return filterNot{e}, nil
	}
	if pp.s[pp.i] == '(' {
		pp.i++
		e, err := pp.orExpr()
		if err != nil {
			return nil, err
		}
		pp.skipSpace()
		if pp.i >= len(pp.s) || pp.s[pp.i] != ')' {
			return nil, pp.fail("')' expected")
		}
		pp.i++
		return e, nil
	}
	l, err := pp.operand()
	if err != nil {
		return nil, err
	}
	pp.skipSpace()
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if strings.HasPrefix(pp.s[pp.i:], op) {
			pp.i += len(op)
			r, err := pp.operand()
			if err != nil {
				return nil, err
			}
			return filterCmp{op: op, l: l, r: r}, nil
		}
	}
	if l.isConst {
		return nil, pp.fail("comparison operator expected")
	}
	return filterExists{l}, nil
}

func (pp *pathParser) operand() (operand, error) {
	pp.skipSpace()
	if pp.i >= len(pp.s) {
		return operand{}, pp.fail("operand expected")
	}
	c := pp.s[pp.i]
	switch {
	case c == '@' || c == '$':
		pp.i++
		steps, err := pp.steps(func() bool { return pp.i >= len(pp.s) })
		if err != nil {
			return operand{}, err
		}
		p := &Path{src: "filter operand", steps: steps, definite: true}
		for _, s := range steps {
			if !s.definite {
				p.definite = false
			}
		}
		return operand{path: p, rel: c == '@'}, nil
	case c == '\'' || c == '"':
		s, err := pp.quoted()
		return operand{lit: s, isConst: true}, err
	case c == '-' || (c >= '0' && c <= '9'):
		start := pp.i
		pp.i++
		for pp.i < len(pp.s) && strings.ContainsRune("0123456789.eE+-", rune(pp.s[pp.i])) {
			pp.i++
		}
		v, err := parseJSON([]byte(pp.s[start:pp.i]))
		if err != nil {
			return operand{}, pp.fail("invalid number")
		}
		return operand{lit: v, isConst: true}, nil
	}
	for _, kw := range []struct {
		s string
		v any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(pp.s[pp.i:], kw.s) {
			pp.i += len(kw.s)
			return operand{lit: kw.v, isConst: true}, nil
		}
	}
	return operand{}, pp.fail("operand expected")
}

// ---- evaluation ----

// eval applies the path to root. A definite path returns the value and
// whether it exists; an indefinite one returns the []any of its matches and
// true.
func (p *Path) eval(root any) (any, bool) {
	if p.definite {
		cur := root
		for i := range p.steps {
			s := &p.steps[i]
			switch s.kind {
			case stField:
				o, ok := cur.(*Object)
				if !ok {
					return nil, false
				}
				if cur, ok = o.Get(s.name); !ok {
					return nil, false
				}
			case stIndex:
				a, ok := cur.([]any)
				if !ok {
					return nil, false
				}
				n := s.index
				if n < 0 {
					n += len(a)
				}
				if n < 0 || n >= len(a) {
					return nil, false
				}
				cur = a[n]
			case stLength:
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
	for i := range p.steps {
		s := &p.steps[i]
		var next []any
		if s.kind == stLength {
			if len(nodes) != 0 {
				// length() of an indefinite result is its count.
				return int64(len(nodes)), true
			}
		}
		for _, n := range nodes {
			if s.deep {
				walk(n, func(d any) { next = s.apply(d, root, next) })
			} else {
				next = s.apply(n, root, next)
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

func (s *pathStep) apply(n, root any, out []any) []any {
	switch s.kind {
	case stField:
		if o, ok := n.(*Object); ok {
			if v, ok := o.Get(s.name); ok {
				out = append(out, v)
			}
		}
	case stNames:
		if o, ok := n.(*Object); ok {
			for _, k := range s.names {
				if v, ok := o.Get(k); ok {
					out = append(out, v)
				}
			}
		}
	case stIndex, stIndexes:
		if a, ok := n.([]any); ok {
			idxs := s.idxs
			for _, i := range idxs {
				if i < 0 {
					i += len(a)
				}
				if i >= 0 && i < len(a) {
					out = append(out, a[i])
				}
			}
		}
	case stWildcard:
		switch x := n.(type) {
		case *Object:
			for _, m := range x.m {
				out = append(out, m.v)
			}
		case []any:
			out = append(out, x...)
		}
	case stSlice:
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
		if s.stride > 0 {
			start, end := 0, l
			if s.hasStart {
				start = norm(s.start)
			}
			if s.hasEnd {
				end = norm(s.end)
			}
			for i := start; i < end; i += s.stride {
				out = append(out, a[i])
			}
		} else {
			start, end := l-1, -1
			if s.hasStart {
				start = min(norm(s.start), l-1)
			}
			if s.hasEnd {
				end = norm(s.end)
			}
			for i := start; i > end; i += s.stride {
				out = append(out, a[i])
			}
		}
	case stFilter:
		switch x := n.(type) {
		case []any:
			for _, e := range x {
				if s.filter.test(e, root) {
					out = append(out, e)
				}
			}
		case *Object:
			if s.filter.test(x, root) {
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

func setAt(cur any, steps []pathStep, v any) (any, bool) {
	if len(steps) == 0 {
		return v, true
	}
	s := &steps[0]
	switch s.kind {
	case stField:
		var o *Object
		switch x := cur.(type) {
		case *Object:
			o = x
		case nil:
			o = newObject(1)
		default:
			return nil, false
		}
		child, _ := o.Get(s.name)
		nv, ok := setAt(child, steps[1:], v)
		if !ok {
			return nil, false
		}
		return o.with(s.name, nv), true
	case stIndex:
		a, ok := cur.([]any)
		if !ok {
			return nil, false
		}
		i := s.index
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
