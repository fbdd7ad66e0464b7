package asl

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is the one grammar of States Language paths (JSONPath as
// Jayway JsonPath, which AWS Step Functions runs on, reads it). ParsePath
// returns a tree that the validator inspects and the interpreter
// evaluates, so the two cannot disagree about what a path is.
//
// A path starts at "$" (the state's input or the value a field applies to),
// "$$" (the context object) or "$name" (the workflow variable name). Steps:
// .name, ['name'], ["name"], [index] (negative counts from the end), .* and
// [*], ..name and ..[...] (deep scan), ['a','b'] (names), [0,2] (indexes),
// [start:end:step] (slice), [?(filter)] and .length(). As in Jayway, a dot
// before a bracket is redundant: $.[0] is $[0] and $.['a'] is $['a'].

// PathKind says which of the States Language's path grammars a string is
// read with.
type PathKind uint8

const (
	// PathAny is a Path: the whole JSONPath syntax (InputPath, OutputPath,
	// Choice Variable, the "*Path" comparators, "key.$" template fields).
	PathAny PathKind = iota
	// PathReference is a Reference Path: it names one node, so only .name,
	// ['name'] and [index] steps (ItemsPath, SecondsPath, TimestampPath,
	// TimeoutSecondsPath, HeartbeatSecondsPath, the Map "*Path" fields;
	// ErrorPath and CausePath, which may also hold an intrinsic function
	// call). AWS: "The operators @, ,, :, and ? are not supported", nor are
	// functions such as length().
	PathReference
	// PathResult is a Reference Path that can be written to: ResultPath.
	// It starts at "$"; the context object and variables cannot be written.
	PathResult
)

func (k PathKind) String() string {
	switch k {
	case PathReference:
		return "reference path"
	case PathResult:
		return "result path"
	}
	return "path"
}

// Root is where a path starts.
type Root uint8

// The path roots.
const (
	RootInput    Root = iota // $
	RootContext              // $$
	RootVariable             // $name
)

// StepKind is the kind of one path step.
type StepKind uint8

// The step kinds.
const (
	StepField    StepKind = iota // .name or ['name']: Step.Name
	StepIndex                    // [n]: Step.Index (negative counts from the end)
	StepWildcard                 // .* or [*]
	StepNames                    // ['a','b']: Step.Names
	StepIndexes                  // [0,2]: Step.Indexes
	StepSlice                    // [start:end:stride]
	StepFilter                   // [?(expr)]: Step.Filter
	StepLength                   // .length(): Jayway's length function
)

// Step is one step of a path.
type Step struct {
	Kind    StepKind
	Deep    bool // preceded by ".." (deep scan)
	Name    string
	Index   int
	Names   []string
	Indexes []int
	// Slice bounds; HasStart/HasEnd say whether they were written. Stride
	// is never 0 (1 when not written).
	Start, End, Stride int
	HasStart, HasEnd   bool
	Filter             Expr
	// Offset is the byte offset in the path text where the step starts.
	Offset int
}

// Definite reports whether the step selects at most one value.
func (s *Step) Definite() bool {
	return !s.Deep && (s.Kind == StepField || s.Kind == StepIndex || s.Kind == StepLength)
}

// Path is a parsed path.
type Path struct {
	Text     string // the path as written
	Root     Root
	Variable string // for RootVariable: the variable's name
	Steps    []Step
}

func (p *Path) String() string { return p.Text }

// Definite reports whether the path selects at most one value (fields,
// indexes and length() only). Jayway returns the matches of an indefinite
// path as an array.
func (p *Path) Definite() bool {
	for i := range p.Steps {
		if !p.Steps[i].Definite() {
			return false
		}
	}
	return true
}

// IsReference reports whether the path names one node: only field and
// index steps, no deep scan.
func (p *Path) IsReference() bool {
	for i := range p.Steps {
		if s := &p.Steps[i]; s.Deep || (s.Kind != StepField && s.Kind != StepIndex) {
			return false
		}
	}
	return true
}

// Expr is a filter expression: *AndExpr, *OrExpr, *NotExpr, *ExistsExpr or
// *CompareExpr.
type Expr interface{ filterExpr() }

// AndExpr is L && R.
type AndExpr struct{ L, R Expr }

// OrExpr is L || R.
type OrExpr struct{ L, R Expr }

// NotExpr is !X.
type NotExpr struct{ X Expr }

// ExistsExpr is a path on its own: true when it selects something.
type ExistsExpr struct{ X Operand }

// CompareExpr is L Op R, Op one of == != < <= > >=.
type CompareExpr struct {
	Op   string
	L, R Operand
}

func (*AndExpr) filterExpr()     {}
func (*OrExpr) filterExpr()      {}
func (*NotExpr) filterExpr()     {}
func (*ExistsExpr) filterExpr()  {}
func (*CompareExpr) filterExpr() {}

// OperandKind is the kind of a filter operand.
type OperandKind uint8

// The operand kinds.
const (
	OperandPath    OperandKind = iota // @... (Relative) or $...
	OperandLiteral                    // a string, number, true, false or null
	// OperandWord is an unquoted word such as Receipt in
	// [?(@.Name==Receipt)]. AWS accepts such a definition (deployed AWS
	// samples use it), but Jayway JsonPath cannot read the word (it parses
	// it as a number and fails), so evaluating the filter is an error.
	OperandWord
)

// Operand is one side of a filter comparison.
type Operand struct {
	Kind     OperandKind
	Path     *Path // for OperandPath: the steps after @ or $
	Relative bool  // for OperandPath: starts at @ (the element being tested)
	// Literal, for OperandLiteral: nil, bool, string, int64 (a number
	// without fraction or exponent that fits) or float64.
	Literal any
	Word    string // for OperandWord
}

// PathError is a string that is not a path of the wanted kind.
type PathError struct {
	Path   string
	Kind   PathKind
	Offset int // byte offset of the problem in Path
	Msg    string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("invalid %s %q at offset %d: %s", e.Kind, e.Path, e.Offset, e.Msg)
}

// ParsePath parses src as a path of kind k.
func ParsePath(src string, k PathKind) (*Path, error) {
	pp := pathParser{s: src, kind: k}
	p, err := pp.parse()
	if err != nil {
		return nil, err
	}
	if err := checkKind(p, k); err != nil {
		return nil, err
	}
	return p, nil
}

// checkKind applies the restrictions of a Reference Path or ResultPath.
func checkKind(p *Path, k PathKind) error {
	if k == PathAny {
		return nil
	}
	bad := func(off int, format string, args ...any) error {
		return &PathError{Path: p.Text, Kind: k, Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
	if k == PathResult {
		switch p.Root {
		case RootContext:
			return bad(0, "a result cannot be written to the context object ($$)")
		case RootVariable:
			return bad(0, "a result cannot be written to a variable; ResultPath starts at '$'")
		}
	}
	for i := range p.Steps {
		s := &p.Steps[i]
		switch {
		case s.Deep:
			return bad(s.Offset, "'..' (deep scan) is not allowed")
		case s.Kind == StepWildcard:
			return bad(s.Offset, "wildcards are not allowed")
		case s.Kind == StepFilter:
			return bad(s.Offset, "filters are not allowed")
		case s.Kind == StepLength:
			return bad(s.Offset, "functions such as length() are not allowed")
		case s.Kind != StepField && s.Kind != StepIndex:
			return bad(s.Offset, "slices and unions do not name a single field or array element")
		}
	}
	return nil
}

// FieldPathKind returns the path grammar of a States Language field that
// holds a path (JSONPath states), so that the validator and the
// interpreter read each field the same way: ResultPath (of a state or a
// catcher) is a result path; ItemsPath, SecondsPath, TimestampPath,
// TimeoutSecondsPath, HeartbeatSecondsPath, MaxConcurrencyPath,
// ToleratedFailurePercentagePath, ToleratedFailureCountPath and the
// ItemBatcher's MaxItemsPerBatchPath and MaxInputBytesPerBatchPath are
// reference paths (as the AWS developer guide names them); InputPath,
// OutputPath, a Choice rule's Variable and "*Path" comparators, "key.$"
// template fields, ErrorPath and CausePath take any path (the last four
// also an intrinsic function call). ok is false for other fields.
func FieldPathKind(field string) (k PathKind, ok bool) {
	switch field {
	case "ResultPath":
		return PathResult, true
	case "ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
		"MaxConcurrencyPath", "ToleratedFailurePercentagePath", "ToleratedFailureCountPath",
		"MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath", "ErrorPath", "CausePath":
		return PathReference, true
	case "InputPath", "OutputPath", "Variable":
		return PathAny, true
	}
	if c, isCmp := LookupComparator(field); isCmp && c.Path {
		return PathAny, true
	}
	return PathAny, strings.HasSuffix(field, ".$")
}

// CheckPath reports why p is not a States Language Path, or nil when it is
// one.
func CheckPath(p string) error { return checkPath(p, PathAny) }

// CheckReferencePath reports why p is not a Reference Path, the restricted
// JSONPath of fields such as ItemsPath and SecondsPath: only .name,
// ['name'] and [index] steps, no wildcards, deep scans, slices, unions,
// filters or functions.
func CheckReferencePath(p string) error { return checkPath(p, PathReference) }

// CheckResultPath reports why p cannot be a ResultPath: a Reference Path
// from "$" (not the context object or a variable).
func CheckResultPath(p string) error { return checkPath(p, PathResult) }

func checkPath(p string, k PathKind) error {
	if simplePath(p) {
		return nil
	}
	_, err := ParsePath(p, k)
	return err
}

// simplePath reports whether p is '$' followed by nothing but .name steps
// with ASCII names (a letter or '_', then letters, digits and '_'), such
// as $.order.id: a path of every kind, which most paths in definitions
// are, accepted here without building its tree (TestSimplePath checks the
// parser agrees).
func simplePath(p string) bool {
	if p == "" || p[0] != '$' {
		return false
	}
	for i := 1; i < len(p); {
		if p[i] != '.' || i+1 == len(p) {
			return false
		}
		i++
		if c := p[i]; !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
		for i++; i < len(p) && p[i] != '.'; i++ {
			if c := p[i]; !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				return false
			}
		}
	}
	return true
}

// IsVariableName reports whether s can name a workflow variable: a letter
// or '_' followed by letters, digits and '_' (Unicode letters and digits
// count). "$name" paths read the variable of that name.
func IsVariableName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !isIdentStart(r) && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

type pathParser struct {
	s    string
	i    int
	kind PathKind
}

func (pp *pathParser) fail(msg string) error {
	return &PathError{Path: pp.s, Kind: pp.kind, Offset: pp.i, Msg: msg}
}

func (pp *pathParser) parse() (*Path, error) {
	p := &Path{Text: pp.s}
	if !strings.HasPrefix(pp.s, "$") {
		return nil, pp.fail("must start with '$'")
	}
	pp.i = 1
	if strings.HasPrefix(pp.s, "$$") {
		p.Root = RootContext
		pp.i = 2
	} else if r, _ := utf8.DecodeRuneInString(pp.s[1:]); len(pp.s) > 1 && isIdentStart(r) {
		start := pp.i
		for pp.i < len(pp.s) {
			r, n := utf8.DecodeRuneInString(pp.s[pp.i:])
			if !isIdentStart(r) && !unicode.IsDigit(r) {
				break
			}
			pp.i += n
		}
		p.Root, p.Variable = RootVariable, pp.s[start:pp.i]
	}
	steps, err := pp.steps(false)
	if err != nil {
		return nil, err
	}
	if pp.i != len(pp.s) {
		return nil, pp.fail(fmt.Sprintf("unexpected %q; expected '.' or '['", pp.s[pp.i:pp.i+1]))
	}
	p.Steps = steps
	return p, nil
}

// nameEnd reports whether c ends a field name written after '.'. At the
// top level (as in Jayway) only '.', '[' and '(' do, and a blank is an
// error; inside a filter also the characters of operators and ')'.
func nameEnd(c byte, inFilter bool) bool {
	switch c {
	case '.', '[', '(', ' ':
		return true
	case ')', '=', '!', '<', '>', '&', '|', ',', ']':
		return inFilter
	}
	return false
}

// steps parses steps until the text ends or a character that cannot start
// one.
func (pp *pathParser) steps(inFilter bool) ([]Step, error) {
	var steps []Step
	for pp.i < len(pp.s) {
		st := Step{Offset: pp.i}
		switch pp.s[pp.i] {
		case '.':
			pp.i++
			if pp.i < len(pp.s) && pp.s[pp.i] == '.' {
				pp.i++
				st.Deep = true
			}
			if pp.i >= len(pp.s) {
				return nil, pp.fail("a path must not end with '.' or '..'")
			}
			if pp.s[pp.i] == '[' {
				// ..[...] is a deep scan; .[...] is the bracket step itself.
				if err := pp.bracket(&st); err != nil {
					return nil, err
				}
				break
			}
			if pp.s[pp.i] == '*' {
				pp.i++
				st.Kind = StepWildcard
				break
			}
			start := pp.i
			for pp.i < len(pp.s) && !nameEnd(pp.s[pp.i], inFilter) {
				pp.i++
			}
			name := pp.s[start:pp.i]
			if name == "" {
				if pp.s[pp.i] == ' ' {
					return nil, pp.fail("field name expected after '.'; write ['my name'] for names with blanks")
				}
				return nil, pp.fail("field name expected after '.'")
			}
			if pp.i < len(pp.s) && pp.s[pp.i] == '(' {
				if name == "length" && strings.HasPrefix(pp.s[pp.i:], "()") {
					pp.i += 2
					st.Kind = StepLength
					break
				}
				return nil, pp.fail(fmt.Sprintf("unsupported function %s()", name))
			}
			if !inFilter && pp.i < len(pp.s) && pp.s[pp.i] == ' ' {
				return nil, pp.fail("blank in a field name; write ['my name'] for names with blanks")
			}
			st.Kind = StepField
			st.Name = name
		case '[':
			if err := pp.bracket(&st); err != nil {
				return nil, err
			}
		default:
			return steps, nil
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

func (pp *pathParser) bracket(st *Step) error {
	pp.i++ // '['
	pp.skipSpace()
	if pp.i >= len(pp.s) {
		return pp.fail("unclosed '['")
	}
	switch c := pp.s[pp.i]; {
	case c == ']':
		return pp.fail("empty brackets")
	case c == '*':
		pp.i++
		st.Kind = StepWildcard
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
		st.Kind = StepFilter
		st.Filter = e
	case c == '\'' || c == '"':
		for {
			s, err := pp.quoted()
			if err != nil {
				return err
			}
			st.Names = append(st.Names, s)
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
		if len(st.Names) == 1 {
			st.Kind = StepField
			st.Name = st.Names[0]
			st.Names = nil
		} else {
			st.Kind = StepNames
		}
	case c == '-' || c == ':' || (c >= '0' && c <= '9'):
		n, has, err := pp.optInt()
		if err != nil {
			return err
		}
		pp.skipSpace()
		if pp.i < len(pp.s) && pp.s[pp.i] == ':' {
			st.Kind = StepSlice
			st.Start, st.HasStart = n, has
			pp.i++
			pp.skipSpace()
			if st.End, st.HasEnd, err = pp.optInt(); err != nil {
				return err
			}
			st.Stride = 1
			pp.skipSpace()
			if pp.i < len(pp.s) && pp.s[pp.i] == ':' {
				pp.i++
				pp.skipSpace()
				s, has, err := pp.optInt()
				if err != nil {
					return err
				}
				if has {
					if s == 0 {
						return pp.fail("slice step must not be 0")
					}
					st.Stride = s
				}
			}
			break
		}
		if !has {
			return pp.fail("index expected")
		}
		st.Indexes = append(st.Indexes, n)
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
			st.Indexes = append(st.Indexes, m)
			pp.skipSpace()
		}
		if len(st.Indexes) == 1 {
			st.Kind = StepIndex
			st.Index = n
		} else {
			st.Kind = StepIndexes
		}
	default:
		return pp.fail(fmt.Sprintf("unexpected %q in '[...]'; expected a quoted name, an index, '*' or '?('", c))
	}
	pp.skipSpace()
	if pp.i >= len(pp.s) {
		return pp.fail("unclosed '['")
	}
	if pp.s[pp.i] != ']' {
		return pp.fail("']' expected")
	}
	pp.i++
	return nil
}

// optInt reads an optional integer (an index or slice bound).
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
	lit := pp.s[start:pp.i]
	if lit == "-" {
		pp.i = start
		return 0, false, pp.fail("digit expected after '-'")
	}
	n, ok := parseInt32(lit)
	if !ok {
		pp.i = start
		return 0, false, pp.fail("index out of range")
	}
	return n, true, nil
}

// parseInt32 parses an index, which Jayway holds in a Java int.
func parseInt32(s string) (int, bool) {
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			return 0, false
		}
	}
	if neg {
		return -n, true
	}
	if n == 1<<31 {
		return 0, false
	}
	return n, true
}

// quoted reads a quoted name or string; a backslash takes the next byte
// literally.
func (pp *pathParser) quoted() (string, error) {
	v, end, ok := unquote(pp.s, pp.i+1, pp.s[pp.i])
	if !ok {
		return "", pp.fail("unterminated quoted name")
	}
	pp.i = end
	return v, nil
}

// unquote reads a string literal of paths and intrinsic functions from
// s[i:], just after its opening quote q, up to the closing quote: a
// backslash takes the next byte literally. It returns the value and the
// offset after the closing quote; ok is false when there is none.
func unquote(s string, i int, q byte) (v string, end int, ok bool) {
	var b strings.Builder
	for ; i < len(s); i++ {
		c := s[i]
		if c == q {
			return b.String(), i + 1, true
		}
		if c == '\\' && i+1 < len(s) {
			i++
			c = s[i]
		}
		b.WriteByte(c)
	}
	return "", 0, false
}

// ---- filter expressions ----

func (pp *pathParser) orExpr() (Expr, error) {
	return pp.chain("||", pp.andExpr, func(l, r Expr) Expr { return &OrExpr{l, r} })
}

func (pp *pathParser) andExpr() (Expr, error) {
	return pp.chain("&&", pp.unary, func(l, r Expr) Expr { return &AndExpr{l, r} })
}

// chain parses sub {op sub}, joining the operands from the left.
func (pp *pathParser) chain(op string, sub func() (Expr, error), join func(l, r Expr) Expr) (Expr, error) {
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

func (pp *pathParser) unary() (Expr, error) {
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
		return &NotExpr{e}, nil
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
	for _, op := range [...]string{"==", "!=", "<=", ">=", "<", ">"} {
		if strings.HasPrefix(pp.s[pp.i:], op) {
			pp.i += len(op)
			r, err := pp.operand()
			if err != nil {
				return nil, err
			}
			return &CompareExpr{Op: op, L: l, R: r}, nil
		}
	}
	if l.Kind != OperandPath {
		return nil, pp.fail("comparison operator expected")
	}
	return &ExistsExpr{l}, nil
}

func (pp *pathParser) operand() (Operand, error) {
	pp.skipSpace()
	if pp.i >= len(pp.s) {
		return Operand{}, pp.fail("operand expected")
	}
	start := pp.i
	c := pp.s[pp.i]
	switch {
	case c == '@' || c == '$':
		pp.i++
		steps, err := pp.steps(true)
		if err != nil {
			return Operand{}, err
		}
		return Operand{Kind: OperandPath, Path: &Path{Text: pp.s[start:pp.i], Steps: steps}, Relative: c == '@'}, nil
	case c == '\'' || c == '"':
		s, err := pp.quoted()
		return Operand{Kind: OperandLiteral, Literal: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		pp.i++
		for pp.i < len(pp.s) && strings.IndexByte("0123456789.eE+-", pp.s[pp.i]) >= 0 {
			pp.i++
		}
		lit := pp.s[start:pp.i]
		if end, _, _, msg := numberSyntax(lit, 0); msg != "" || end != len(lit) {
			pp.i = start
			return Operand{}, pp.fail(fmt.Sprintf("invalid number %q", lit))
		}
		v, err := NumberLiteral(lit)
		if err != nil {
			pp.i = start
			return Operand{}, pp.fail(err.Error())
		}
		return Operand{Kind: OperandLiteral, Literal: v}, nil
	}
	wordEnd := pp.i
	for wordEnd < len(pp.s) && (isASCIIWordByte(pp.s[wordEnd]) || pp.s[wordEnd] >= utf8.RuneSelf) {
		wordEnd++
	}
	switch word := pp.s[pp.i:wordEnd]; word {
	case "true", "false", "null":
		pp.i = wordEnd
		var v any
		if word != "null" {
			v = word == "true"
		}
		return Operand{Kind: OperandLiteral, Literal: v}, nil
	case "":
		return Operand{}, pp.fail("operand expected")
	default:
		pp.i = wordEnd
		return Operand{Kind: OperandWord, Word: word}, nil
	}
}

func isASCIIWordByte(c byte) bool {
	return c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
