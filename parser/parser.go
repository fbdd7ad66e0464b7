// Package parser builds the syntax tree of a Heaviside DSL program from the
// lexer's tokens. It mirrors heaviside's grammar rule for rule, trying
// alternatives in the same order, so a syntax error is reported at the same
// token as heaviside reports it: the token after the furthest one any
// alternative consumed.
//
// The DSL extensions (docs/dsl-extensions.md) are alternatives tried only
// where heaviside's grammar has failed, so every program heaviside accepts
// parses as before; Options.Heaviside turns them off, and then a syntax
// error is reported where heaviside reports it.
//
// The parser owns the grammar. It must not know the meaning of modifiers or
// services: each finished state is handed to a Checker (package sema), at
// the moment heaviside would construct and check it, so that errors come in
// heaviside's order.
package parser

import (
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/internal/iso8601"
	"github.com/hsc-dev/hsc/lexer"
)

// Checker checks a state when its parse is complete. A non-nil error stops
// parsing and is returned as is.
type Checker interface {
	CheckState(s *ast.State) error
}

// MaxDepth bounds the nesting of blocks, parentheses and JSON values.
const MaxDepth = 500

type bailout struct{ err error }

// slab hands out pointers into chunks of T, so that the many small nodes of
// a large program cost one allocation per chunk instead of one each.
type slab[T any] struct{ buf []T }

func (s *slab[T]) alloc(v T) *T {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]T, 0, 128)
	}
	s.buf = append(s.buf, v)
	return &s.buf[len(s.buf)-1]
}

type parser struct {
	strs      slab[ast.Str]
	stateSlab slab[ast.State]
	mods      slab[ast.Modifier]
	conds     slab[ast.Cond]
	brs       slab[ast.ChoiceBranch]

	src   *diag.Source
	st    *lexer.Stream
	toks  []lexer.Token
	pos   int
	max   int
	depth int
	load  int // Python stack heaviside would use here, in millionths of its limit
	check Checker
	// ext enables the DSL extensions (docs/dsl-extensions.md). Each is an
	// alternative tried only where heaviside's grammar has already failed,
	// so that programs heaviside accepts parse as before.
	ext bool
}

// Options configure parsing.
type Options struct {
	// Heaviside turns every DSL extension off: the parser accepts exactly
	// heaviside 2.2.5's grammar and fails where and how heaviside fails.
	Heaviside bool
}

// Parse tokenizes and parses src with the DSL extensions on. check may be
// nil.
func Parse(src *diag.Source, check Checker) (m *ast.Machine, err error) {
	return ParseWith(src, check, Options{})
}

// ParseWith is Parse with options.
func ParseWith(src *diag.Source, check Checker, o Options) (m *ast.Machine, err error) {
	st, err := lexer.TokenizeSource(src)
	if err != nil {
		return nil, err
	}
	return ParseTokensWith(src, st, check, o)
}

// ParseTokens parses an already tokenized source, with the DSL extensions
// on.
func ParseTokens(src *diag.Source, st *lexer.Stream, check Checker) (m *ast.Machine, err error) {
	return ParseTokensWith(src, st, check, Options{})
}

// ParseTokensWith is ParseTokens with options.
func ParseTokensWith(src *diag.Source, st *lexer.Stream, check Checker, o Options) (m *ast.Machine, err error) {
	p := &parser{src: src, st: st, toks: st.Toks, check: check, ext: !o.Heaviside}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			m, err = nil, b.err
		}
	}()
	m = p.machine()
	if m == nil {
		tok := p.toks[len(p.toks)-1]
		if p.max < len(p.toks) {
			tok = p.toks[p.max]
		}
		msg := "Invalid syntax"
		if tok.Kind == lexer.ERRORTOKEN {
			msg = "Unterminated quote"
		}
		return nil, p.src.Errorf(tok.Pos(), "%s", msg)
	}
	return m, nil
}

func (p *parser) fail(pos diag.Pos, format string, args ...any) {
	panic(bailout{p.src.Errorf(pos, format, args...)})
}

func (p *parser) enter(pos diag.Pos) {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(pos, "nesting too deep (more than %d levels)", MaxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// heaviside's parser recurses in Python and crashes with a RecursionError
// when a program nests too deeply; how deep depends on the construct. The
// costs below are one millionth of Python's stack divided by the nesting at
// which heaviside 2.2.5 crashes (measured: 70 nested if blocks, 81 while,
// 65 switch cases, 89 parallel, 58 map iterators, 49 catch blocks, 80 JSON
// objects, 106 JSON arrays, 120 parentheses, 320 nots). Mixed nesting adds
// up. hsc reports a positioned error where heaviside would crash (parity
// rule 3); the sum errs, if at all, towards accepting.
const stackBudget = 1_000_000

const (
	costIf       = stackBudget/70 + 1
	costWhile    = stackBudget/81 + 1
	costSwitch   = stackBudget/65 + 1
	costParallel = stackBudget/89 + 1
	costMap      = stackBudget/58 + 1
	costCatch    = stackBudget/49 + 1
	costObject   = stackBudget/80 + 1
	costArray    = stackBudget/106 + 1
	costParen    = stackBudget/120 + 1
	costNot      = stackBudget/320 + 1
)

// nest charges cost for one more level of nesting at the current token.
func (p *parser) nest(cost int) {
	p.load += cost
	if p.load >= stackBudget {
		p.fail(p.cur().Pos(), "nesting too deep (heaviside runs out of Python stack here)")
	}
}

func (p *parser) unnest(cost int) { p.load -= cost }

// nestedBlock parses block() one level deeper.
func (p *parser) nestedBlock(cost int) ([]*ast.State, bool) {
	p.nest(cost)
	defer p.unnest(cost)
	return p.block()
}

// nestedCommentBlock parses commentBlock() one level deeper.
func (p *parser) nestedCommentBlock(cost int) (*ast.Str, []*ast.State, bool) {
	p.nest(cost)
	defer p.unnest(cost)
	return p.commentBlock()
}

func (p *parser) cur() *lexer.Token { return &p.toks[p.pos] }

// tx returns a token's text.
func (p *parser) tx(t *lexer.Token) string { return p.st.Text(t) }

func (p *parser) advance() *lexer.Token {
	t := &p.toks[p.pos]
	if p.pos < len(p.toks)-1 || t.Kind != lexer.ENDMARKER {
		p.pos++
	}
	if p.pos > p.max {
		p.max = p.pos
	}
	return t
}

// accept consumes the current token if it has kind k (and text, if not "").
func (p *parser) accept(k lexer.Kind, text string) *lexer.Token {
	if p.pos >= len(p.toks) {
		return nil
	}
	t := &p.toks[p.pos]
	if t.Kind != k || (text != "" && p.tx(t) != text) {
		return nil
	}
	return p.advance()
}

func (p *parser) op(text string) bool   { return p.accept(lexer.OP, text) != nil }
func (p *parser) name(text string) bool { return p.accept(lexer.NAME, text) != nil }

// str accepts a STRING token and returns its value as heaviside strips it.
func (p *parser) str() *ast.Str {
	t := p.accept(lexer.STRING, "")
	if t == nil {
		return nil
	}
	return p.strs.alloc(ast.Str{Pos: t.Pos(), Value: stringValue(p.tx(t))})
}

func stringValue(text string) string {
	if strings.HasPrefix(text, `"""`) || strings.HasPrefix(text, "'''") {
		return text[3 : len(text)-3]
	}
	return text[1 : len(text)-1]
}

// number accepts a NUMBER token; a literal that is neither int nor float is an
// error at once, as in heaviside.
func (p *parser) number() (ast.Number, diag.Pos, bool) {
	t := p.accept(lexer.NUMBER, "")
	if t == nil {
		return ast.Number{}, diag.Pos{}, false
	}
	n, ok := ast.ParseNumber(p.tx(t))
	if !ok {
		p.fail(t.Pos(), "'%s' is not a valid number", p.tx(t))
	}
	return n, t.Pos(), true
}

func (p *parser) integer() (ast.Number, diag.Pos, bool) {
	n, pos, ok := p.number()
	if ok && !n.IsInt {
		p.fail(pos, "'%s' is not a valid integer", n.String())
	}
	return n, pos, ok
}

func (p *parser) integerPos() (ast.Number, diag.Pos, bool) {
	n, pos, ok := p.integer()
	if ok && n.Text == "0" {
		p.fail(pos, "'%s' is not a positive integer", n.String())
	}
	return n, pos, ok
}

// integerNN: integers from tokens are never negative.
func (p *parser) integerNN() (ast.Number, diag.Pos, bool) { return p.integer() }

func (p *parser) checkState(s *ast.State) {
	if p.check == nil {
		return
	}
	if err := p.check.CheckState(s); err != nil {
		panic(bailout{err})
	}
}

// machine = [STRING] [version] [timeout] {state} ENDMARKER
func (p *parser) machine() *ast.Machine {
	m := &ast.Machine{FirstToken: p.cur().Pos()}
	m.Comment = p.str()
	save := p.pos
	if p.name("version") && p.op(":") {
		if s := p.str(); s != nil {
			m.Version = s
		} else {
			p.pos = save
		}
	} else {
		p.pos = save
	}
	save = p.pos
	if kw := p.accept(lexer.NAME, "timeout"); kw != nil && p.op(":") {
		if n, pos, ok := p.integerPos(); ok {
			m.Timeout = &ast.Int{Pos: pos, Value: n}
		} else {
			p.pos = save
		}
	} else {
		p.pos = save
	}
	save = p.pos
	if p.ext && p.name("query_language") && p.op(":") {
		if s := p.str(); s != nil {
			m.QueryLanguage = s
		} else {
			p.pos = save
		}
	} else {
		p.pos = save
	}
	m.States = p.states()
	if p.accept(lexer.ENDMARKER, "") == nil {
		return nil
	}
	return m
}

// states = {state}
func (p *parser) states() []*ast.State {
	var out []*ast.State
	for {
		s := p.state()
		if s == nil {
			return out
		}
		out = append(out, s)
	}
}

// state = pass | success | fail | wait | task | while | if | switch | parallel | goto | map
func (p *parser) state() *ast.State {
	t := p.cur()
	if t.Kind != lexer.NAME {
		return nil
	}
	p.enter(t.Pos())
	defer p.leave()
	// Every alternative but task starts with its own keyword, so only the
	// keyword's alternative and task can match; they are tried in
	// heaviside's order (simple states, then flow control).
	var kw func() *ast.State
	before := true // is the keyword's alternative before task in the order?
	switch p.tx(t) {
	case "Pass":
		kw = p.passState
	case "Success":
		kw = p.successState
	case "Fail":
		kw = p.failState
	case "Wait":
		kw = p.waitState
	case "while":
		kw, before = p.whileState, false
	case "if":
		kw, before = p.ifState, false
	case "switch":
		kw, before = p.switchState, false
	case "parallel":
		kw, before = p.parallelState, false
	case "goto":
		kw, before = p.gotoState, false
	case "map":
		kw, before = p.mapState, false
	}
	save := p.pos
	if kw != nil && before {
		if s := kw(); s != nil {
			return s
		}
		p.pos = save
	}
	if s := p.taskState(); s != nil {
		return s
	}
	p.pos = save
	if kw != nil && !before {
		if s := kw(); s != nil {
			return s
		}
		p.pos = save
	}
	return nil
}

// stateBlock = [INDENT [STRING] [modifier {modifier}] DEDENT]
func (p *parser) stateBlock() (doc *ast.Str, mods []*ast.Modifier) {
	save := p.pos
	if p.accept(lexer.INDENT, "") == nil {
		return nil, nil
	}
	doc = p.str()
	mods = p.modifiers(p.stateModifier)
	if p.accept(lexer.DEDENT, "") == nil {
		p.pos = save
		return nil, nil
	}
	return doc, mods
}

func (p *parser) modifiers(one func() *ast.Modifier) []*ast.Modifier {
	var buf [8]*ast.Modifier // most states have a few modifiers
	mods := buf[:0]
	for {
		save := p.pos
		m := one()
		if m == nil {
			p.pos = save
			break
		}
		mods = append(mods, m)
	}
	if len(mods) == 0 {
		return nil
	}
	return append([]*ast.Modifier(nil), mods...)
}

func (p *parser) newState(k ast.Kind, first *lexer.Token, doc *ast.Str, mods []*ast.Modifier) *ast.State {
	s := p.stateSlab.alloc(ast.State{Kind: k, Pos: first.Pos(), Mods: mods})
	setName(s, doc)
	return s
}

// setName names a state from its docstring as heaviside does (first line is
// the name, the rest the comment), or Line<N> without one (D8: also when the
// first line is empty).
func setName(s *ast.State, doc *ast.Str) {
	if doc != nil && doc.Value != "" {
		first, rest, multi := strings.Cut(doc.Value, "\n")
		s.Name = pyStrip(first)
		if multi {
			lines := strings.Split(rest, "\n")
			for i, l := range lines {
				lines[i] = pyStrip(l)
			}
			c := strings.Join(lines, "\n")
			s.Comment = &c
		}
	}
	if s.Name == "" {
		s.Name = "Line" + strconv.Itoa(int(s.Pos.Line))
	}
}

// pyStrip is Python's str.strip() with no arguments.
func pyStrip(s string) string {
	return strings.TrimFunc(s, isPySpace)
}

func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

func (p *parser) passState() *ast.State {
	t := p.accept(lexer.NAME, "Pass")
	if t == nil || !p.op("(") || !p.op(")") {
		return nil
	}
	doc, mods := p.stateBlock()
	s := p.newState(ast.Pass, t, doc, mods)
	p.checkState(s)
	return s
}

func (p *parser) successState() *ast.State {
	t := p.accept(lexer.NAME, "Success")
	if t == nil || !p.op("(") || !p.op(")") {
		return nil
	}
	doc, mods := p.stateBlock()
	s := p.newState(ast.Succeed, t, doc, mods)
	p.checkState(s)
	return s
}

func (p *parser) failState() *ast.State {
	t := p.accept(lexer.NAME, "Fail")
	if t == nil || !p.op("(") {
		return nil
	}
	args := p.pos
	e := p.str()
	var c *ast.Str
	if e != nil && p.op(",") {
		c = p.str()
	}
	var fa *ast.FailArgs
	if c == nil || !p.op(")") {
		if !p.ext {
			return nil
		}
		p.pos = args
		if fa = p.failArgs(); fa == nil {
			return nil
		}
	}
	doc, mods := p.stateBlock()
	s := p.newState(ast.Fail, t, doc, mods)
	if fa != nil {
		s.Ext = &ast.StateExt{FailArgs: fa}
	} else {
		s.Error, s.Cause = e.Value, c.Value
	}
	p.checkState(s)
	return s
}

// failArgs parses the Fail arguments of the extensions, up to and
// including ")": [STRING ["," STRING]] then keyword arguments error=,
// cause=, error_path=, cause_path= (each STRING), comma separated.
func (p *parser) failArgs() *ast.FailArgs {
	fa := &ast.FailArgs{}
	n := 0 // arguments read
	if e := p.str(); e != nil {
		fa.Error, n = e, 1
		save := p.pos
		if p.op(",") {
			if c := p.str(); c != nil {
				fa.Cause, n = c, 2
			} else {
				p.pos = save
			}
		}
	}
	for {
		save := p.pos
		if n > 0 && !p.op(",") {
			break
		}
		kw := p.accept(lexer.NAME, "")
		if kw == nil || !p.op("=") {
			p.pos = save
			break
		}
		var slot **ast.Str
		switch p.tx(kw) {
		case "error":
			slot = &fa.Error
		case "cause":
			slot = &fa.Cause
		case "error_path":
			slot = &fa.ErrorPath
		case "cause_path":
			slot = &fa.CausePath
		}
		v := p.str()
		if slot == nil || *slot != nil || v == nil {
			p.pos = save
			break
		}
		*slot = v
		n++
	}
	if !p.op(")") {
		return nil
	}
	return fa
}

func (p *parser) waitState() *ast.State {
	t := p.accept(lexer.NAME, "Wait")
	if t == nil || !p.op("(") {
		return nil
	}
	kw := p.cur()
	if kw.Kind != lexer.NAME {
		return nil
	}
	switch p.tx(kw) {
	case "seconds", "seconds_path", "timestamp", "timestamp_path":
		p.advance()
	default:
		return nil
	}
	if !p.op("=") {
		return nil
	}
	arg := &ast.WaitArg{Key: p.tx(kw), Pos: kw.Pos()}
	if n, pos, ok := p.integerPos(); ok {
		arg.Value = ast.Value{Kind: ast.NumberVal, Pos: pos, Num: n}
	} else if v, ok := p.timestampOrString(); ok {
		arg.Value = v
	} else {
		return nil
	}
	if !p.op(")") {
		return nil
	}
	doc, mods := p.stateBlock()
	s := p.newState(ast.Wait, t, doc, mods)
	s.Wait = arg
	p.checkState(s)
	return s
}

func (p *parser) timestampOrString() (ast.Value, bool) {
	s := p.str()
	if s == nil {
		return ast.Value{}, false
	}
	v := ast.Value{Kind: ast.StringVal, Pos: s.Pos, Str: s.Value}
	if iso8601.Parses(s.Value) {
		v.Kind = ast.TimestampVal
	}
	return v, true
}

// task = NAME ["." NAME] "(" [STRING] ")" stateBlock
func (p *parser) taskState() *ast.State {
	svc := p.accept(lexer.NAME, "")
	if svc == nil {
		return nil
	}
	call := &ast.TaskCall{Service: ast.Str{Pos: svc.Pos(), Value: p.tx(svc)}}
	save := p.pos
	if p.op(".") {
		if fn := p.accept(lexer.NAME, ""); fn != nil {
			call.Function = p.strs.alloc(ast.Str{Pos: fn.Pos(), Value: p.tx(fn)})
			s2 := p.pos
			if p.ext && p.op(".") {
				// Extension: Service.Action.suffix().
				if sfx := p.accept(lexer.NAME, ""); sfx != nil {
					call.Suffix = p.strs.alloc(ast.Str{Pos: sfx.Pos(), Value: p.tx(sfx)})
				} else {
					p.pos = s2
				}
			}
		} else {
			p.pos = save
		}
	}
	if !p.op("(") {
		return nil
	}
	call.Arg = p.str()
	if !p.op(")") {
		return nil
	}
	doc, mods := p.stateBlock()
	s := p.newState(ast.TaskKind, svc, doc, mods)
	s.Call = call
	p.checkState(s)
	return s
}

// stateModifier tries heaviside's modifier alternatives in order.
func (p *parser) stateModifier() *ast.Modifier {
	t := p.cur()
	if t.Kind != lexer.NAME {
		return nil
	}
	switch p.tx(t) {
	case "timeout", "heartbeat", "max_concurrency":
		p.advance()
		if !p.op(":") {
			return nil
		}
		var n ast.Number
		var ok bool
		if p.tx(t) == "max_concurrency" {
			n, _, ok = p.integerNN()
		} else {
			n, _, ok = p.integerPos()
		}
		k := ast.ModTimeout
		switch p.tx(t) {
		case "heartbeat":
			k = ast.ModHeartbeat
		case "max_concurrency":
			k = ast.ModMaxConcurrency
		}
		if !ok {
			// Extension: a path (the ...Path field) where heaviside
			// wants a number.
			if s := p.extStr(); s != nil && pathModifiers[k] {
				return p.mods.alloc(ast.Modifier{Kind: k, Pos: t.Pos(), Str: s.Value, Path: true})
			}
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: k, Pos: t.Pos(), Int: n})
	case "input", "result", "output", "items_path":
		return p.strModifier()
	case "data":
		p.advance()
		if !p.op(":") || p.accept(lexer.INDENT, "") == nil {
			return nil
		}
		v, ok := p.json()
		if !ok || p.accept(lexer.DEDENT, "") == nil {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: ast.ModData, Pos: t.Pos(), Data: v})
	case "parameters":
		return p.parametersBlock()
	case "retry":
		return p.retryBlock()
	case "catch":
		return p.catchBlock()
	case "iterator":
		p.advance()
		if !p.op(":") {
			return nil
		}
		_, states, ok := p.nestedCommentBlock(costMap)
		if !ok {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: ast.ModIterator, Pos: t.Pos(), Iter: states})
	}
	if p.ext {
		return p.extModifier()
	}
	return nil
}

// kvModifiers are the extension modifiers written as a block of
// key[.$]: json lines, like parameters:.
var kvModifiers = map[string]ast.ModKind{
	"result_selector": ast.ModResultSelector,
	"assign":          ast.ModAssign,
	"credentials":     ast.ModCredentials,
	"item_selector":   ast.ModItemSelector,
	"item_batcher":    ast.ModItemBatcher,
	"item_reader":     ast.ModItemReader,
	"result_writer":   ast.ModResultWriter,
}

// strModifiers are the extension modifiers whose value is one string.
var strModifiers = map[string]ast.ModKind{
	"query_language": ast.ModQueryLanguage,
	"label":          ast.ModLabel,
	"mode":           ast.ModMode,
	"execution_type": ast.ModExecutionType,
	"comment":        ast.ModComment,
}

// numModifiers are the extension modifiers whose value is a number or,
// for the ...Path field, a string.
var numModifiers = map[string]ast.ModKind{
	"tolerated_failure_percentage": ast.ModToleratedFailurePercentage,
	"tolerated_failure_count":      ast.ModToleratedFailureCount,
}

// pathModifiers are the heaviside number modifiers that take a path
// string with the extensions.
var pathModifiers = map[ast.ModKind]bool{ast.ModMaxConcurrency: true, ast.ModTimeout: true, ast.ModHeartbeat: true}

// extModifier parses the modifiers the DSL extensions add (the current
// token is a NAME that no heaviside modifier starts with).
func (p *parser) extModifier() *ast.Modifier {
	t := p.cur()
	word := p.tx(t)
	if k, ok := kvModifiers[word]; ok {
		p.advance()
		if !p.op(":") {
			return nil
		}
		params, inline := p.kvValue(t.Pos())
		if params == nil {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: k, Pos: t.Pos(), Params: params, Inline: inline})
	}
	if k, ok := strModifiers[word]; ok {
		p.advance()
		if !p.op(":") {
			return nil
		}
		s := p.str()
		if s == nil {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: k, Pos: t.Pos(), Str: s.Value})
	}
	if k, ok := numModifiers[word]; ok {
		p.advance()
		if !p.op(":") {
			return nil
		}
		if n, _, ok := p.number(); ok {
			return p.mods.alloc(ast.Modifier{Kind: k, Pos: t.Pos(), Int: n})
		}
		s := p.str()
		if s == nil {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: k, Pos: t.Pos(), Str: s.Value, Path: true})
	}
	switch word {
	case "next":
		p.advance()
		if !p.op(":") {
			return nil
		}
		target := p.str()
		if target == nil {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: ast.ModNext, Pos: t.Pos(), Str: target.Value})
	case "end":
		p.advance()
		if !p.op(":") || !p.name("true") {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: ast.ModEnd, Pos: t.Pos()})
	case "arguments":
		// arguments: STRING | block
		p.advance()
		if !p.op(":") {
			return nil
		}
		if s := p.str(); s != nil {
			return p.mods.alloc(ast.Modifier{Kind: ast.ModArguments, Pos: t.Pos(), Str: s.Value})
		}
		params, inline := p.kvValue(t.Pos())
		if params == nil {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: ast.ModArguments, Pos: t.Pos(), Params: params, Block: true, Inline: inline})
	case "items":
		// items: STRING | JSON array
		p.advance()
		if !p.op(":") {
			return nil
		}
		if s := p.str(); s != nil {
			return p.mods.alloc(ast.Modifier{Kind: ast.ModItems, Pos: t.Pos(), Str: s.Value})
		}
		if c := p.cur(); c.Kind != lexer.OP || p.tx(c) != "[" {
			return nil
		}
		v, ok := p.json()
		if !ok {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: ast.ModItems, Pos: t.Pos(), Data: v, Block: true})
	case "item_processor":
		p.advance()
		if !p.op(":") {
			return nil
		}
		_, states, ok := p.nestedCommentBlock(costMap)
		if !ok {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: ast.ModItemProcessor, Pos: t.Pos(), Iter: states})
	}
	return nil
}

// strModifier = ("input"|"result"|"output"|"items_path") ":" STRING
func (p *parser) strModifier() *ast.Modifier {
	t := p.cur()
	var k ast.ModKind
	switch p.tx(t) {
	case "input":
		k = ast.ModInput
	case "result":
		k = ast.ModResult
	case "output":
		k = ast.ModOutput
	case "items_path":
		k = ast.ModItemsPath
	default:
		return nil
	}
	if t.Kind != lexer.NAME {
		return nil
	}
	p.advance()
	if !p.op(":") {
		return nil
	}
	s := p.str()
	if s == nil {
		if k != ast.ModItemsPath && p.extNull() {
			return p.mods.alloc(ast.Modifier{Kind: k, Pos: t.Pos(), Null: true})
		}
		if c := p.cur(); k == ast.ModOutput && p.ext && (c.Kind == lexer.INDENT || c.Kind == lexer.OP && p.tx(c) == "{") {
			// Extension: a JSONata Output object, as a block or on the
			// line (`output: {}`).
			if params, inline := p.kvValue(t.Pos()); params != nil {
				return p.mods.alloc(ast.Modifier{Kind: k, Pos: t.Pos(), Params: params, Block: true, Inline: inline})
			}
		}
		return nil
	}
	return p.mods.alloc(ast.Modifier{Kind: k, Pos: t.Pos(), Str: s.Value})
}

// extNull accepts the NAME null with the extensions on (a path that is
// JSON null: InputPath, ResultPath and OutputPath null).
func (p *parser) extNull() bool {
	return p.ext && p.name("null")
}

// parametersBlock = "parameters" ":" INDENT kv {kv} DEDENT;
// kv = NAME ["." "$"] ":" json
func (p *parser) parametersBlock() *ast.Modifier {
	t := p.accept(lexer.NAME, "parameters")
	if t == nil || !p.op(":") {
		return nil
	}
	if c := p.cur(); p.ext && c.Kind == lexer.OP && p.tx(c) == "[" {
		// Extension: Parameters that are a JSON array, on the line.
		v, ok := p.array()
		if !ok {
			return nil
		}
		return p.mods.alloc(ast.Modifier{Kind: ast.ModParameters, Pos: t.Pos(), Data: v, Inline: true})
	}
	params, inline := p.kvValue(t.Pos())
	if params == nil {
		return nil
	}
	return p.mods.alloc(ast.Modifier{Kind: ast.ModParameters, Pos: t.Pos(), Params: params, Inline: inline})
}

// kvValue = kvBlock | object (extension: a JSON object on the modifier's
// line, `parameters: {}` or `parameters: {'a-b': 1}`, for objects a block
// cannot write, such as the empty one). inline reports that form.
func (p *parser) kvValue(pos diag.Pos) (params *ast.Params, inline bool) {
	t := p.cur()
	if !p.ext || t.Kind != lexer.OP || p.tx(t) != "{" {
		return p.kvBlock(pos), false
	}
	v, ok := p.object()
	if !ok {
		return nil, false
	}
	obj := v.(*ast.Object)
	params = &ast.Params{Pos: pos}
	for i, k := range obj.Keys {
		params.Keys = append(params.Keys, ast.Str{Pos: t.Pos(), Value: k})
		params.Vals = append(params.Vals, obj.Vals[i])
	}
	return params, true
}

// kvBlock = INDENT kv {kv} DEDENT; kv = NAME ["." "$"] ":" json. With the
// extensions a key may also be a STRING (`'my-key': 1`, `'a.$': '$.x'`),
// for keys that are not names.
func (p *parser) kvBlock(pos diag.Pos) *ast.Params {
	if p.accept(lexer.INDENT, "") == nil {
		return nil
	}
	params := &ast.Params{Pos: pos}
	for {
		save := p.pos
		var key ast.Str
		if k := p.accept(lexer.NAME, ""); k != nil {
			key = ast.Str{Pos: k.Pos(), Value: p.tx(k)}
			s2 := p.pos
			if p.op(".") && p.accept(lexer.ERRORTOKEN, "$") != nil {
				key.Value += ".$"
			} else {
				p.pos = s2
			}
		} else if ks := p.extStr(); ks != nil {
			key = *ks
		} else {
			p.pos = save
			break
		}
		if !p.op(":") {
			p.pos = save
			break
		}
		v, ok := p.json()
		if !ok && p.ext && p.cur().Kind == lexer.INDENT {
			// Extension: a nested block of key: json lines is an object.
			v, ok = p.nestedKV(key.Pos)
		}
		if !ok {
			p.pos = save
			break
		}
		params.Keys = append(params.Keys, key)
		params.Vals = append(params.Vals, v)
	}
	if len(params.Keys) == 0 || p.accept(lexer.DEDENT, "") == nil {
		return nil
	}
	return params
}

// nestedKV parses an indented key: json block as a JSON object value.
func (p *parser) nestedKV(pos diag.Pos) (ast.JSON, bool) {
	p.enter(pos)
	defer p.leave()
	p.nest(costObject)
	defer p.unnest(costObject)
	params := p.kvBlock(pos)
	if params == nil {
		return nil, false
	}
	obj := &ast.Object{}
	for i, k := range params.Keys {
		obj.Set(k.Value, params.Vals[i])
	}
	return obj, true
}

// extStr accepts a STRING token only with the extensions on.
func (p *parser) extStr() *ast.Str {
	if !p.ext {
		return nil
	}
	return p.str()
}

// errorList = STRING | "[" [STRING {"," STRING}] "]"   (array tried first)
func (p *parser) errorList() ([]string, bool) {
	save := p.pos
	if p.op("[") {
		var out []string
		if s := p.str(); s != nil {
			out = append(out, s.Value)
			for {
				s2 := p.pos
				if !p.op(",") {
					break
				}
				s := p.str()
				if s == nil {
					p.pos = s2
					break
				}
				out = append(out, s.Value)
			}
		}
		if p.op("]") {
			if out == nil {
				out = []string{}
			}
			return out, true
		}
	}
	p.pos = save
	if s := p.str(); s != nil {
		return []string{s.Value}, true
	}
	return nil, false
}

// retryBlock = "retry" errors POSINT NNINT NUMBER
func (p *parser) retryBlock() *ast.Modifier {
	t := p.accept(lexer.NAME, "retry")
	if t == nil {
		return nil
	}
	errs, ok := p.errorList()
	if !ok {
		return nil
	}
	r := &ast.Retry{Pos: t.Pos(), Errors: errs}
	if r.Interval, _, ok = p.integerPos(); !ok {
		if p.ext {
			// Extension: keyword arguments only; the numbers not given
			// are left out (AWS's defaults apply).
			r.NoInterval, r.NoMax, r.NoBackoff = true, true, true
			if p.retryKeywords(r, true) {
				return p.mods.alloc(ast.Modifier{Kind: ast.ModRetry, Pos: t.Pos(), Retry: r})
			}
		}
		return nil
	}
	if r.Max, _, ok = p.integerNN(); !ok {
		return nil
	}
	if r.Backoff, r.BackPos, ok = p.number(); !ok {
		return nil
	}
	if p.ext {
		p.retryKeywords(r, false)
	}
	return p.mods.alloc(ast.Modifier{Kind: ast.ModRetry, Pos: t.Pos(), Retry: r})
}

// retryKeywords parses the retry keyword arguments of the extensions,
// NAME "=" value ...: interval=, max_attempts=, backoff= (only when all
// three are keywords, all is set), max_delay=, jitter= and comment=. It reports
// whether it read at least one.
func (p *parser) retryKeywords(r *ast.Retry, all bool) bool {
	read := false
	for {
		save := p.pos
		kw := p.accept(lexer.NAME, "")
		if kw == nil || !p.op("=") {
			p.pos = save
			return read
		}
		var ok bool
		switch word := p.tx(kw); {
		case word == "interval" && all && r.NoInterval:
			r.Interval, _, ok = p.integerPos()
			r.NoInterval = !ok
		case word == "max_attempts" && all && r.NoMax:
			r.Max, _, ok = p.integerNN()
			r.NoMax = !ok
		case word == "backoff" && all && r.NoBackoff:
			r.Backoff, r.BackPos, ok = p.number()
			r.NoBackoff = !ok
		case word == "max_delay" && r.MaxDelay == nil:
			var n ast.Number
			if n, _, ok = p.integerPos(); ok {
				r.MaxDelay = &n
			}
		case word == "jitter" && r.Jitter == nil:
			r.Jitter = p.str()
			ok = r.Jitter != nil
		case word == "comment" && r.Comment == nil:
			r.Comment = p.str()
			ok = r.Comment != nil
		}
		if !ok {
			p.pos = save
			return read
		}
		read = true
	}
}

// catchBlock = "catch" errors ":" [STRING] block
func (p *parser) catchBlock() *ast.Modifier {
	t := p.accept(lexer.NAME, "catch")
	if t == nil {
		return nil
	}
	errs, ok := p.errorList()
	if !ok || !p.op(":") {
		return nil
	}
	c := &ast.Catch{Pos: t.Pos(), Errors: errs}
	if s := p.str(); s != nil {
		v := s.Value
		c.ResultPath = &v
	} else if p.extNull() {
		c.ResultNull = true
	}
	if g := p.sameLineGoto(); g != nil {
		c.Goto = g
		// An indented block of comment:/assign: lines (no states) may
		// follow: the catcher's Comment and Assign.
		save := p.pos
		if p.accept(lexer.INDENT, "") != nil {
			head := p.branchHeadLines(true, false)
			if (head.comment == nil && head.assign == nil) || p.accept(lexer.DEDENT, "") == nil {
				p.pos = save
			} else {
				c.Assign, c.Comment = head.assign, head.comment
			}
		}
		return p.mods.alloc(ast.Modifier{Kind: ast.ModCatch, Pos: t.Pos(), Catch: c})
	}
	_, head, states, ok := p.branchBlock(costCatch, false, true, false)
	if !ok {
		return nil
	}
	c.States, c.Assign, c.Comment = states, head.assign, head.comment
	return p.mods.alloc(ast.Modifier{Kind: ast.ModCatch, Pos: t.Pos(), Catch: c})
}

// sameLineGoto accepts, with the extensions, `goto STRING` where a block
// must start (a branch or catcher that is one jump to an existing state).
func (p *parser) sameLineGoto() *ast.Str {
	if !p.ext {
		return nil
	}
	save := p.pos
	if !p.name("goto") {
		return nil
	}
	target := p.str()
	if target == nil {
		p.pos = save
	}
	return target
}

// gotoBranch returns a Choice branch that is one jump (extension), or nil.
func (p *parser) gotoBranch(cond *ast.Cond) *ast.ChoiceBranch {
	g := p.sameLineGoto()
	if g == nil {
		return nil
	}
	b := p.brs.alloc(ast.ChoiceBranch{Cond: cond, Goto: g, Target: g.Value, Linked: true})
	if cond != nil {
		// The rule's comment:, assign: and output: may follow in an
		// indented block of their own.
		save := p.pos
		if p.accept(lexer.INDENT, "") != nil {
			head := p.branchHeadLines(true, true)
			if (head.comment == nil && head.assign == nil && head.output == nil) || p.accept(lexer.DEDENT, "") == nil {
				p.pos = save
			} else {
				b.Comment, b.Assign, b.Output = head.comment, head.assign, head.output
			}
		}
	}
	return b
}

// defaultBranch parses the body of else: or default: (after the colon):
// a block, or with the extensions `goto 'S'` or `None`.
func (p *parser) defaultBranch(cost int) *ast.ChoiceBranch {
	if b := p.gotoBranch(nil); b != nil {
		return b
	}
	if p.ext && p.name("None") {
		return p.brs.alloc(ast.ChoiceBranch{None: true, Linked: true})
	}
	b, ok := p.nestedBlock(cost)
	if !ok {
		return nil
	}
	return p.brs.alloc(ast.ChoiceBranch{States: b})
}

// branchHead is what the extensions allow first in a branch's block:
// comment: 'text' (the rule's, catcher's or branch's Comment) and, for
// rules and catchers, assign: (their Assign).
type branchHead struct {
	comment *ast.Str
	assign  *ast.Modifier
	output  *ast.Modifier // a Choice rule's output: (JSONata Output)
}

// branchBlock is block (or, with doc, commentBlock) for a Choice branch,
// catch handler or Parallel branch, one level deeper: with the
// extensions, comment:, (with assign) assign: and (with output, for a
// Choice rule) output: may come first, after the docstring, in any order.
func (p *parser) branchBlock(cost int, doc, assign, output bool) (*ast.Str, branchHead, []*ast.State, bool) {
	p.nest(cost)
	defer p.unnest(cost)
	var head branchHead
	if p.accept(lexer.INDENT, "") == nil {
		return nil, head, nil, false
	}
	var d *ast.Str
	if doc {
		d = p.str()
	}
	head = p.branchHeadLines(assign, output)
	states := p.states()
	if p.accept(lexer.DEDENT, "") == nil {
		return nil, head, nil, false
	}
	return d, head, states, true
}

// branchHeadLines parses, with the extensions, the comment:, assign: (with
// assign) and output: (with output) lines that may open a branch's block,
// in any order, each at most once.
func (p *parser) branchHeadLines(assign, output bool) branchHead {
	var head branchHead
	for p.ext {
		t := p.cur()
		if t.Kind != lexer.NAME {
			break
		}
		save := p.pos
		switch {
		case p.tx(t) == "comment" && head.comment == nil:
			p.advance()
			if p.op(":") {
				head.comment = p.str()
			}
			if head.comment == nil {
				p.pos = save
			}
		case p.tx(t) == "assign" && assign && head.assign == nil:
			if head.assign = p.extModifier(); head.assign == nil {
				p.pos = save
			}
		case p.tx(t) == "output" && output && head.output == nil:
			if head.output = p.strModifier(); head.output == nil || head.output.Null {
				head.output = nil
				p.pos = save
			}
		}
		if p.pos == save {
			break
		}
	}
	return head
}

// block = INDENT {state} DEDENT
func (p *parser) block() ([]*ast.State, bool) {
	if p.accept(lexer.INDENT, "") == nil {
		return nil, false
	}
	states := p.states()
	if p.accept(lexer.DEDENT, "") == nil {
		return nil, false
	}
	return states, true
}

// commentBlock = INDENT [STRING] {state} DEDENT
func (p *parser) commentBlock() (*ast.Str, []*ast.State, bool) {
	if p.accept(lexer.INDENT, "") == nil {
		return nil, nil, false
	}
	doc := p.str()
	states := p.states()
	if p.accept(lexer.DEDENT, "") == nil {
		return nil, nil, false
	}
	return doc, states, true
}

// transformBlock = ["transform" ":" INDENT [tmod {tmod}] DEDENT]
func (p *parser) transformBlock() []*ast.Modifier {
	save := p.pos
	if !p.name("transform") || !p.op(":") || p.accept(lexer.INDENT, "") == nil {
		p.pos = save
		return nil
	}
	mods := p.modifiers(func() *ast.Modifier {
		t := p.cur()
		if t.Kind == lexer.NAME && (p.tx(t) == "input" || p.tx(t) == "result" || p.tx(t) == "output") {
			save := p.pos
			if m := p.strModifier(); m != nil || !p.ext {
				return m
			}
			p.pos = save
		}
		if p.ext && t.Kind == lexer.NAME {
			// Extensions: every modifier may be written under transform:
			// (sema says which the state allows).
			return p.stateModifier()
		}
		return nil
	})
	if p.accept(lexer.DEDENT, "") == nil {
		p.pos = save
		return nil
	}
	return mods
}

// errorBlock = ["error" ":" INDENT [(retry|catch) {retry|catch}] DEDENT]
func (p *parser) errorBlock() []*ast.Modifier {
	save := p.pos
	if !p.name("error") || !p.op(":") || p.accept(lexer.INDENT, "") == nil {
		p.pos = save
		return nil
	}
	mods := p.modifiers(func() *ast.Modifier {
		s := p.pos
		if m := p.retryBlock(); m != nil {
			return m
		}
		p.pos = s
		return p.catchBlock()
	})
	if p.accept(lexer.DEDENT, "") == nil {
		p.pos = save
		return nil
	}
	return mods
}

func (p *parser) whileState() *ast.State {
	t := p.accept(lexer.NAME, "while")
	if t == nil {
		return nil
	}
	cond := p.comparison()
	if cond == nil || !p.op(":") {
		return nil
	}
	doc, head, body, ok := p.branchBlock(costWhile, true, true, true)
	if !ok {
		return nil
	}
	mods := p.transformBlock()
	s := p.newState(ast.Choice, t, doc, mods)
	s.IsWhile = true
	s.Choices = []*ast.ChoiceBranch{{Cond: cond, States: body, Assign: head.assign, Comment: head.comment, Output: head.output}}
	p.checkState(s)
	return s
}

func (p *parser) ifState() *ast.State {
	t := p.accept(lexer.NAME, "if")
	if t == nil {
		return nil
	}
	cond := p.comparison()
	if cond == nil || !p.op(":") {
		return nil
	}
	var doc *ast.Str
	var branches []*ast.ChoiceBranch
	if b := p.gotoBranch(cond); b != nil {
		branches = append(branches, b)
		// The Choice state's docstring, indented under the if line, and
		// after it the rule's comment:, assign:, output:.
		save := p.pos
		if b.Comment == nil && b.Assign == nil && b.Output == nil && p.accept(lexer.INDENT, "") != nil {
			if doc = p.str(); doc == nil {
				p.pos = save
			} else {
				head := p.branchHeadLines(true, true)
				if p.accept(lexer.DEDENT, "") == nil {
					doc = nil
					p.pos = save
				} else {
					b.Comment, b.Assign, b.Output = head.comment, head.assign, head.output
				}
			}
		}
	} else {
		d, head, body, ok := p.branchBlock(costIf, true, true, true)
		if !ok {
			return nil
		}
		doc = d
		branches = append(branches, p.brs.alloc(ast.ChoiceBranch{Cond: cond, States: body, Assign: head.assign, Comment: head.comment, Output: head.output}))
	}
	for {
		save := p.pos
		if !p.name("elif") {
			break
		}
		c := p.comparison()
		if c == nil || !p.op(":") {
			p.pos = save
			break
		}
		if gb := p.gotoBranch(c); gb != nil {
			branches = append(branches, gb)
			continue
		}
		_, head, b, ok := p.branchBlock(costIf, false, true, true)
		if !ok {
			p.pos = save
			break
		}
		branches = append(branches, p.brs.alloc(ast.ChoiceBranch{Cond: c, States: b, Assign: head.assign, Comment: head.comment, Output: head.output}))
	}
	save := p.pos
	if p.name("else") && p.op(":") {
		if b := p.defaultBranch(costIf); b != nil {
			branches = append(branches, b)
		} else {
			p.pos = save
		}
	} else {
		p.pos = save
	}
	mods := p.transformBlock()
	s := p.newState(ast.Choice, t, doc, mods)
	s.Choices = branches
	p.checkState(s)
	return s
}

func (p *parser) switchState() *ast.State {
	t := p.accept(lexer.NAME, "switch")
	if t == nil {
		return nil
	}
	v := p.str()
	if v == nil || !p.op(":") || p.accept(lexer.INDENT, "") == nil {
		return nil
	}
	doc := p.str()
	var branches []*ast.ChoiceBranch
	for {
		save := p.pos
		ct := p.accept(lexer.NAME, "case")
		if ct == nil {
			break
		}
		val, ok := p.opValue()
		if !ok || !p.op(":") {
			p.pos = save
			break
		}
		cond := p.conds.alloc(ast.Cond{Pos: v.Pos, Op: "==", Var: v.Value, Val: val})
		if gb := p.gotoBranch(cond); gb != nil {
			branches = append(branches, gb)
			continue
		}
		_, head, b, ok := p.branchBlock(costSwitch, false, true, true)
		if !ok {
			p.pos = save
			break
		}
		branches = append(branches, p.brs.alloc(ast.ChoiceBranch{Cond: cond, States: b, Assign: head.assign, Comment: head.comment, Output: head.output}))
	}
	save := p.pos
	if p.name("default") && p.op(":") {
		if b := p.defaultBranch(costSwitch); b != nil {
			branches = append(branches, b)
		} else {
			p.pos = save
		}
	} else {
		p.pos = save
	}
	if p.accept(lexer.DEDENT, "") == nil {
		return nil
	}
	mods := p.transformBlock()
	s := p.newState(ast.Choice, t, doc, mods)
	s.Choices = branches
	p.checkState(s)
	return s
}

func (p *parser) parallelState() *ast.State {
	t := p.accept(lexer.NAME, "parallel")
	if t == nil || !p.op(":") {
		return nil
	}
	doc, head, first, ok := p.branchBlock(costParallel, true, false, false)
	if !ok {
		return nil
	}
	branches := []*ast.Branch{{Pos: t.Pos(), States: first, Comment: head.comment}}
	for {
		save := p.pos
		bt := p.accept(lexer.NAME, "parallel")
		if bt == nil || !p.op(":") {
			p.pos = save
			break
		}
		_, head, b, ok := p.branchBlock(costParallel, false, false, false)
		if !ok {
			p.pos = save
			break
		}
		branches = append(branches, &ast.Branch{Pos: bt.Pos(), States: b, Comment: head.comment})
	}
	mods := append(p.transformBlock(), p.errorBlock()...)
	s := p.newState(ast.Parallel, t, doc, mods)
	s.Branches = branches
	p.checkState(s)
	return s
}

func (p *parser) gotoState() *ast.State {
	t := p.accept(lexer.NAME, "goto")
	if t == nil {
		return nil
	}
	target := p.str()
	if target == nil {
		return nil
	}
	s := p.newState(ast.Pass, t, nil, []*ast.Modifier{{Kind: ast.ModNext, Pos: target.Pos, Str: target.Value}})
	s.IsGoto = true
	p.checkState(s)
	return s
}

// map = "map" ":" stateBlock transform errorblock (D3: both applied)
func (p *parser) mapState() *ast.State {
	t := p.accept(lexer.NAME, "map")
	if t == nil || !p.op(":") {
		return nil
	}
	doc, mods := p.stateBlock()
	mods = append(mods, p.transformBlock()...)
	mods = append(mods, p.errorBlock()...)
	s := p.newState(ast.Map, t, doc, mods)
	p.checkState(s)
	return s
}

// comparison = and {"or" and}; and = base {"and" base};
// base = "(" comparison ")" | STRING op value | "not" base
func (p *parser) comparison() *ast.Cond {
	return p.compJoin("or", p.compAnd)
}

func (p *parser) compAnd() *ast.Cond { return p.compJoin("and", p.compBase) }

func (p *parser) compJoin(word string, sub func() *ast.Cond) *ast.Cond {
	first := sub()
	if first == nil {
		return nil
	}
	subs := []*ast.Cond{first}
	for {
		save := p.pos
		if !p.name(word) {
			break
		}
		c := sub()
		if c == nil {
			p.pos = save
			break
		}
		subs = append(subs, c)
	}
	if len(subs) == 1 {
		return first
	}
	return p.conds.alloc(ast.Cond{Pos: first.Pos, Op: word, Subs: subs})
}

func (p *parser) compBase() *ast.Cond {
	t := p.cur()
	p.enter(t.Pos())
	defer p.leave()
	save := p.pos
	if p.op("(") {
		p.nest(costParen)
		c := p.comparison()
		p.unnest(costParen)
		if c != nil && p.op(")") {
			return c
		}
	}
	p.pos = save
	if v := p.str(); v != nil {
		if op := p.cur(); op.Kind == lexer.OP {
			switch p.tx(op) {
			case "==", "<", ">", "<=", ">=", "!=":
				p.advance()
				if val, ok := p.opValue(); ok {
					return p.conds.alloc(ast.Cond{Pos: v.Pos, Op: p.tx(op), Var: v.Value, Val: val})
				}
			}
		}
	}
	p.pos = save
	if nt := p.accept(lexer.NAME, "not"); nt != nil {
		p.nest(costNot)
		c := p.compBase()
		p.unnest(costNot)
		if c != nil {
			return p.conds.alloc(ast.Cond{Pos: nt.Pos(), Op: "not", Subs: []*ast.Cond{c}})
		}
	}
	p.pos = save
	if p.ext {
		if c := p.extCompBase(); c != nil {
			return c
		}
		p.pos = save
	}
	return nil
}

// extCompBase parses the Choice rules the extensions add:
//
//	is_present(STRING [, bool])  (and is_null, is_numeric, ...)
//	all(rule, ...), any(rule, ...)
//	STRING matches STRING
//	STRING op extValue           (negative numbers, typed literals, paths)
//	STRING                       (a JSONata condition: sema checks)
func (p *parser) extCompBase() *ast.Cond {
	save := p.pos
	if t := p.cur(); t.Kind == lexer.NAME && ast.IsTypeTest(p.tx(t)) {
		p.advance()
		if !p.op("(") {
			return nil
		}
		v := p.str()
		if v == nil {
			return nil
		}
		val := ast.Value{Kind: ast.BoolVal, Pos: t.Pos(), Bool: true}
		if p.op(",") {
			b, ok := p.boolValue()
			if !ok {
				return nil
			}
			val = b
		}
		if !p.op(")") {
			return nil
		}
		return p.conds.alloc(ast.Cond{Pos: t.Pos(), Op: p.tx(t), Var: v.Value, Val: val})
	}
	p.pos = save
	if t := p.cur(); t.Kind == lexer.NAME && (p.tx(t) == "all" || p.tx(t) == "any") {
		// all(c, ...) / any(c, ...): And / Or of the rules, also of one.
		p.advance()
		if !p.op("(") {
			return nil
		}
		p.nest(costParen)
		defer p.unnest(costParen)
		op := map[string]string{"all": "and", "any": "or"}[p.tx(t)]
		c := &ast.Cond{Pos: t.Pos(), Op: op}
		for {
			sub := p.comparison()
			if sub == nil {
				return nil
			}
			c.Subs = append(c.Subs, sub)
			if !p.op(",") {
				break
			}
		}
		if !p.op(")") {
			return nil
		}
		return c
	}
	p.pos = save
	v := p.str()
	if v == nil {
		return nil
	}
	if p.name("matches") {
		pat := p.str()
		if pat == nil {
			return nil
		}
		return p.conds.alloc(ast.Cond{Pos: v.Pos, Op: "matches", Var: v.Value, Val: ast.Value{Kind: ast.StringVal, Pos: pat.Pos, Str: pat.Value}})
	}
	if op := p.cur(); op.Kind == lexer.OP {
		switch p.tx(op) {
		case "==", "<", ">", "<=", ">=", "!=":
			p.advance()
			val, ok := p.opValue()
			if !ok {
				return nil
			}
			return p.conds.alloc(ast.Cond{Pos: v.Pos, Op: p.tx(op), Var: v.Value, Val: val})
		}
	}
	// A lone string: a JSONata condition.
	return p.conds.alloc(ast.Cond{Pos: v.Pos, Op: "jsonata", Var: v.Value})
}

func (p *parser) boolValue() (ast.Value, bool) {
	t := p.cur()
	if t.Kind == lexer.NAME {
		switch p.tx(t) {
		case "true", "True":
			p.advance()
			return ast.Value{Kind: ast.BoolVal, Pos: t.Pos(), Bool: true}, true
		case "false", "False":
			p.advance()
			return ast.Value{Kind: ast.BoolVal, Pos: t.Pos()}, true
		}
	}
	return ast.Value{}, false
}

// typedValues are the calls that name a comparison value's type
// (extension): the literal forms and the ...Path forms.
var typedValues = map[string]struct {
	kind ast.ValueKind
	path bool
}{
	"string": {ast.StringVal, false}, "numeric": {ast.NumberVal, false},
	"boolean": {ast.BoolVal, false}, "timestamp": {ast.TimestampVal, false},
	"string_path": {ast.StringVal, true}, "numeric_path": {ast.NumberVal, true},
	"boolean_path": {ast.BoolVal, true}, "timestamp_path": {ast.TimestampVal, true},
}

// extOpValue = "-" NUMBER | typed "(" value ")" (extension).
func (p *parser) extOpValue() (ast.Value, bool) {
	t := p.cur()
	if n, pos, ok := p.negNumber(); ok {
		return ast.Value{Kind: ast.NumberVal, Pos: pos, Num: n}, true
	}
	tv, ok := typedValues[p.tx(t)]
	if t.Kind != lexer.NAME || !ok {
		return ast.Value{}, false
	}
	p.advance()
	if !p.op("(") {
		return ast.Value{}, false
	}
	var v ast.Value
	switch {
	case tv.path || tv.kind == ast.StringVal || tv.kind == ast.TimestampVal:
		s := p.str()
		if s == nil {
			return ast.Value{}, false
		}
		v = ast.Value{Pos: s.Pos, Str: s.Value}
	case tv.kind == ast.NumberVal:
		n, pos, ok := p.number()
		if !ok {
			if n, pos, ok = p.negNumber(); !ok {
				return ast.Value{}, false
			}
		}
		v = ast.Value{Pos: pos, Num: n}
	default:
		if v, ok = p.boolValue(); !ok {
			return ast.Value{}, false
		}
	}
	if !p.op(")") {
		return ast.Value{}, false
	}
	v.Kind, v.Path, v.Typed = tv.kind, tv.path, !tv.path
	return v, true
}

// negNumber = "-" NUMBER (extension): a negative number literal.
func (p *parser) negNumber() (ast.Number, diag.Pos, bool) {
	save := p.pos
	t := p.cur()
	if !p.ext || !p.op("-") {
		return ast.Number{}, diag.Pos{}, false
	}
	n, _, ok := p.number()
	if !ok {
		p.pos = save
		return ast.Number{}, diag.Pos{}, false
	}
	if n.IsInt {
		if n.Text != "0" {
			n.Text = "-" + n.Text
		}
	} else {
		n.Float = -n.Float
	}
	return n, t.Pos(), true
}

// opValue = boolean | number | timestamp_or_string
func (p *parser) opValue() (ast.Value, bool) {
	save := p.pos
	if v, ok := p.hsOpValue(); ok {
		return v, true
	}
	if p.ext {
		p.pos = save
		return p.extOpValue()
	}
	return ast.Value{}, false
}

func (p *parser) hsOpValue() (ast.Value, bool) {
	t := p.cur()
	if t.Kind == lexer.NAME {
		switch p.tx(t) {
		case "true", "True":
			p.advance()
			return ast.Value{Kind: ast.BoolVal, Pos: t.Pos(), Bool: true}, true
		case "false", "False":
			p.advance()
			return ast.Value{Kind: ast.BoolVal, Pos: t.Pos()}, true
		}
		return ast.Value{}, false
	}
	if n, pos, ok := p.number(); ok {
		return ast.Value{Kind: ast.NumberVal, Pos: pos, Num: n}, true
	}
	return p.timestampOrString()
}

// json = null | true | false | object | array | number | string
func (p *parser) json() (ast.JSON, bool) {
	t := p.cur()
	switch t.Kind {
	case lexer.NAME:
		switch p.tx(t) {
		case "null", "Null":
			p.advance()
			return nil, true
		case "true", "True":
			p.advance()
			return true, true
		case "false", "False":
			p.advance()
			return false, true
		}
		return nil, false
	case lexer.NUMBER:
		n, _, _ := p.number()
		return n, true
	case lexer.STRING:
		return p.str().Value, true
	case lexer.OP:
		switch p.tx(t) {
		case "{":
			return p.object()
		case "[":
			return p.array()
		case "-":
			// Extension: a negative number.
			if n, _, ok := p.negNumber(); ok {
				return n, true
			}
		}
	}
	return nil, false
}

func (p *parser) object() (ast.JSON, bool) {
	t := p.advance() // "{"
	p.enter(t.Pos())
	defer p.leave()
	p.nest(costObject)
	defer p.unnest(costObject)
	obj := &ast.Object{}
	member := func() bool {
		save := p.pos
		k := p.str()
		if k == nil || !p.op(":") {
			p.pos = save
			return false
		}
		v, ok := p.json()
		if !ok {
			p.pos = save
			return false
		}
		obj.Set(k.Value, v)
		return true
	}
	if member() {
		for {
			save := p.pos
			if !p.op(",") || !member() {
				p.pos = save
				break
			}
		}
		p.op(",")
	}
	if !p.op("}") {
		return nil, false
	}
	return obj, true
}

func (p *parser) array() (ast.JSON, bool) {
	t := p.advance() // "["
	p.enter(t.Pos())
	defer p.leave()
	p.nest(costArray)
	defer p.unnest(costArray)
	arr := []ast.JSON{}
	save := p.pos
	if v, ok := p.json(); ok {
		arr = append(arr, v)
		for {
			s := p.pos
			if !p.op(",") {
				break
			}
			v, ok := p.json()
			if !ok {
				p.pos = s
				break
			}
			arr = append(arr, v)
		}
		p.op(",")
	} else {
		p.pos = save
	}
	if !p.op("]") {
		return nil, false
	}
	return arr, true
}
