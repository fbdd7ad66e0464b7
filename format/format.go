// Package format prints Heaviside DSL programs in one canonical layout:
// four spaces per block level, one space between tokens where Python's
// style puts one and none where it puts none (calls, brackets, keyword
// arguments, the "." of key.$ and Service.Action), strings in single
// quotes (double quotes when the text holds a single quote, triple quotes
// for text with line breaks), docstrings in """ quotes, continuation
// lines of JSON blocks indented by their bracket depth, one blank line
// before every top-level state, at most one blank line elsewhere and none
// at the start of a block. Every comment and docstring is kept.
//
// A state without a docstring is named after its line (Line<N>), so such a
// state keeps its line: blank lines are added or dropped before it as
// needed, and the layout is canonical everywhere else. Formatting keeps
// the user's line breaks inside brackets, so it never needs more lines
// than the source had. WithNameStates writes those names out as
// docstrings, after which the states are free to move.
//
// Formatting never changes what a program compiles to: Source compiles the
// program before and after and refuses (with an error) to return a text
// that compiles differently. A program that does not compile is not
// formatted; its compile error is returned.
//
// The package owns layout only. It reads tokens from the lexer and asks
// the compiler (the root package) where states are and what the program
// means; it must not know the grammar beyond the words that open states.
package format

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/lexer"
)

// Option configures Source.
type Option func(*options)

type options struct {
	filename   string
	nameStates bool
	noVerify   bool
}

// WithFilename names the source in diagnostics.
func WithFilename(name string) Option { return func(o *options) { o.filename = name } }

// WithNameStates writes the name of every state named after its line
// (Line<N>) as its docstring, so that later formatting may move it. A goto
// has no docstring and keeps its line.
func WithNameStates() Option { return func(o *options) { o.nameStates = true } }

// ChangedError reports that the formatted text would compile to a
// different definition (or not at all). It is a bug in the formatter; the
// source is left as it is.
type ChangedError struct {
	File   string
	Detail string
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("%s: formatting would change what the program compiles to (%s); the file is left unformatted, please report this", e.File, e.Detail)
}

// Source returns src in canonical layout. src must compile; otherwise the
// compile error is returned (as *hsc.Error or hsc.ErrorList).
func Source(src []byte, opts ...Option) ([]byte, error) {
	o := options{filename: "<standard input>"}
	for _, f := range opts {
		f(&o)
	}
	res, err := hsc.Compile(src, hsc.WithFilename(o.filename))
	if err != nil {
		return nil, err
	}
	anchors := map[int]bool{}
	for name, pos := range res.StatePositions() {
		if strings.HasPrefix(name, "Line"+strconv.Itoa(int(pos.Line))) {
			anchors[int(pos.Line)] = true
		}
	}
	out, err := layout(src, anchors, &o)
	if err != nil {
		return nil, err
	}
	if o.noVerify {
		return out, nil
	}
	again, err := hsc.Compile(out, hsc.WithFilename(o.filename))
	if err != nil {
		return nil, &ChangedError{File: o.filename, Detail: "the result does not compile: " + err.Error()}
	}
	if !bytes.Equal(again.Definition, res.Definition) {
		return nil, &ChangedError{File: o.filename, Detail: "the definitions differ"}
	}
	return out, nil
}

// tok is one token with its place in the source.
type tok struct {
	kind      lexer.Kind
	text      string
	line      int // original line of its first character
	adjacent  bool
	docstring bool
}

// segment is one physical line of a logical line.
type segment struct {
	toks    []int  // indexes into item.toks
	comment string // trailing comment, or the whole line when toks is empty
	cont    int    // extra indentation levels (brackets, backslash)
	bslash  bool   // ends in a backslash continuation
}

// item is a logical line or a comment on its own line.
type item struct {
	depth   int
	toks    []tok
	segs    []segment
	comment string // for a comment line
	blank   int    // blank lines before it in the source
	anchor  int    // the output line its first line must be on; 0: free
	nlines  int    // lines(), once computed
}

func (it *item) isComment() bool { return it.toks == nil }

// lines returns the number of output lines the item takes.
func (it *item) lines() int {
	if it.nlines > 0 {
		return it.nlines
	}
	if it.isComment() {
		return 1
	}
	n := len(it.segs)
	for _, t := range it.toks {
		n += strings.Count(t.text, "\n")
	}
	it.nlines = n
	return n
}

func layout(src []byte, anchors map[int]bool, o *options) ([]byte, error) {
	bom := bytes.HasPrefix(src, []byte("\xEF\xBB\xBF"))
	if bom {
		src = src[3:]
	}
	norm := strings.ReplaceAll(strings.ReplaceAll(string(src), "\r\n", "\n"), "\r", "\n")
	st, err := lexer.Tokenize(o.filename, []byte(norm))
	if err != nil {
		return nil, err
	}
	items, err := split(norm, st)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		setAnchor(it, anchors)
	}
	markDocstrings(items)
	if o.nameStates {
		// Naming a state frees the states before it, so name until
		// nothing more can be (the result is then its own fixed point).
		for {
			before := countAnchors(items)
			items = nameStates(items)
			if countAnchors(items) == before {
				break
			}
		}
	}
	var b strings.Builder
	if bom {
		b.WriteString("\xEF\xBB\xBF")
	}
	if err := write(&b, items); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// gapEvent is what lies between two tokens.
type gapEvent struct {
	kind    int // evNewline, evBackslash, evComment
	text    string
	col     int // the comment's column (tabs expanded)
	ownLine bool
}

const (
	evNewline = iota
	evBackslash
	evComment
)

// scanGap lists the newlines, backslash continuations and comments in
// the text between two tokens; atLineStart tells whether the gap starts
// at the beginning of a line.
func scanGap(gap string, atLineStart bool) []gapEvent {
	var evs []gapEvent
	col := 0
	lineStart := atLineStart
	for i := 0; i < len(gap); {
		switch c := gap[i]; c {
		case ' ':
			col++
			i++
		case '\t':
			col = (col/8 + 1) * 8
			i++
		case '\f':
			col = 0
			i++
		case '\n':
			evs = append(evs, gapEvent{kind: evNewline})
			col, lineStart = 0, true
			i++
		case '\\':
			evs = append(evs, gapEvent{kind: evBackslash})
			i += 2 // "\\\n"
			col, lineStart = 0, false
		case '#':
			j := strings.IndexByte(gap[i:], '\n')
			if j < 0 {
				j = len(gap) - i
			}
			evs = append(evs, gapEvent{kind: evComment, text: strings.TrimRight(gap[i:i+j], " \t\f"), col: col, ownLine: lineStart})
			i += j
		default:
			i++ // cannot happen between tokens
		}
	}
	return evs
}

// split turns the token stream into items.
func split(src string, st *lexer.Stream) ([]*item, error) {
	var items []*item
	var cur *item
	depth, prevDepth := 0, 0
	colAt := []int{0}
	parens := 0
	nl := 0          // newlines since the last content
	started := false // any content yet
	prevEnd := 0
	var seg *segment
	newSeg := func(cont int) {
		cur.segs = append(cur.segs, segment{cont: cont})
		seg = &cur.segs[len(cur.segs)-1]
	}
	blankBefore := func() int {
		if !started {
			return nl
		}
		return max(nl-1, 0)
	}
	commentDepth := func(col, next int) int {
		if next > prevDepth {
			return next // a comment that opens a block belongs to it
		}
		lo, hi := next, prevDepth
		d := lo
		for k := lo + 1; k <= hi && k < len(colAt); k++ {
			if colAt[k] <= col {
				d = k
			}
		}
		return d
	}
	// gap processes the text before the next token; nextDepth is the
	// block depth of a line that would start there.
	gap := func(text string, nextDepth int, final bool) {
		atStart := prevEnd == 0 || src[prevEnd-1] == '\n'
		for _, ev := range scanGap(text, atStart) {
			switch ev.kind {
			case evBackslash:
				if cur != nil {
					seg.bslash = true
					newSeg(-1)
				}
			case evNewline:
				if cur != nil {
					if parens > 0 {
						if len(seg.toks) > 0 || seg.comment != "" {
							newSeg(-1)
						}
						continue
					}
					// the logical line ends
					if len(seg.toks) == 0 && seg.comment == "" {
						cur.segs = cur.segs[:len(cur.segs)-1]
					}
					prevDepth = cur.depth
					cur, seg = nil, nil
					nl = 1
					continue
				}
				nl++
			case evComment:
				if cur != nil && !ev.ownLine {
					seg.comment = ev.text
					continue
				}
				if cur != nil {
					// a comment line inside brackets
					seg.comment = ev.text
					seg.cont = parens
					continue
				}
				d := commentDepth(ev.col, nextDepth)
				if final {
					d = commentDepth(ev.col, 0)
				}
				items = append(items, &item{depth: d, comment: ev.text, blank: blankBefore()})
				started = true
				nl = 0
			}
		}
	}
	for i := range st.Toks {
		t := &st.Toks[i]
		switch t.Kind {
		case lexer.INDENT:
			depth++
			w := 0
			for _, c := range st.Text(t) {
				switch c {
				case '\t':
					w = (w/8 + 1) * 8
				case '\f':
					w = 0
				default:
					w++
				}
			}
			if depth < len(colAt) {
				colAt[depth] = w
			} else {
				colAt = append(colAt, w)
			}
			continue
		case lexer.DEDENT:
			depth--
			continue
		case lexer.ENDMARKER:
			gap(src[prevEnd:], 0, true)
			if cur != nil && len(seg.toks) == 0 && seg.comment == "" {
				cur.segs = cur.segs[:len(cur.segs)-1]
			}
			return items, nil
		}
		text := st.Text(t)
		off := int(t.Pos().Offset)
		if off < prevEnd || off+len(text) > len(src) {
			return nil, errors.New("format: token positions out of order")
		}
		gap(src[prevEnd:off], depth, false)
		if cur == nil {
			cur = &item{depth: depth, blank: blankBefore()}
			items = append(items, cur)
			newSeg(0)
			started = true
		}
		if seg.cont < 0 {
			c := parens
			if prev := len(cur.segs) - 2; prev >= 0 && cur.segs[prev].bslash {
				c++
			}
			if t.Kind == lexer.OP && isCloser(text) {
				c-- // a closing bracket lines up with its opening line
			}
			seg.cont = max(c, 0)
		}
		cur.toks = append(cur.toks, tok{kind: t.Kind, text: text, line: int(t.Pos().Line), adjacent: off == prevEnd && prevEnd > 0})
		seg.toks = append(seg.toks, len(cur.toks)-1)
		if t.Kind == lexer.OP {
			switch {
			case isOpener(text):
				parens++
			case isCloser(text):
				parens--
			}
		}
		prevEnd = off + len(text)
		nl = 0
	}
	return items, nil
}

func isOpener(s string) bool { return s == "(" || s == "[" || s == "{" }
func isCloser(s string) bool { return s == ")" || s == "]" || s == "}" }

// setAnchor fixes the item's first line when one of its tokens starts a
// state named after its line.
func setAnchor(it *item, anchors map[int]bool) {
	if it.isComment() {
		return
	}
	off := 0 // output line of the current token within the item
	for si, s := range it.segs {
		if si > 0 {
			off++
		}
		for _, ti := range s.toks {
			t := it.toks[ti]
			if anchors[t.line] && it.anchor == 0 {
				it.anchor = t.line - off
			}
			off += strings.Count(t.text, "\n")
		}
	}
}

// blockDocWords open blocks whose first line may be a docstring.
var blockDocWords = map[string]bool{"if": true, "while": true, "switch": true, "parallel": true, "map": true, "iterator": true, "item_processor": true}

// markDocstrings marks the strings that are docstrings: the string that
// starts the program or the first line of a state's block.
func markDocstrings(items []*item) {
	var prev *item
	for i, it := range items {
		if it.isComment() {
			continue
		}
		if it.toks[0].kind == lexer.STRING {
			switch {
			case prev == nil && i == 0 || prev == nil && it.depth == 0:
				it.toks[0].docstring = true
			case prev != nil && it.depth > prev.depth:
				if prev.toks[len(prev.toks)-1].text == ")" || opensDocBlock(prev) {
					it.toks[0].docstring = true
				}
			}
		}
		prev = it
	}
}

func opensDocBlock(it *item) bool {
	for _, t := range it.toks {
		if t.kind == lexer.NAME && blockDocWords[t.text] {
			return true
		}
	}
	return false
}

// stateWords open states at the start of a line.
var stateWords = map[string]bool{"Pass": true, "Success": true, "Fail": true, "Wait": true, "while": true, "if": true, "switch": true, "goto": true, "map": true, "parallel": true}

// isStateStart reports whether the item opens a state (prevTop is the
// previous item at the same depth, for parallel's further branches).
func isStateStart(it, prevSame *item) bool {
	if it.isComment() || it.toks[0].kind != lexer.NAME {
		return false
	}
	w := it.toks[0].text
	if w == "parallel" && prevSame != nil && !prevSame.isComment() && prevSame.toks[0].text == "parallel" {
		return false
	}
	if stateWords[w] {
		return true
	}
	return len(it.toks) > 1 && (it.toks[1].text == "(" || it.toks[1].text == ".") && it.toks[1].kind == lexer.OP
}

func countAnchors(items []*item) int {
	n := 0
	for _, it := range items {
		if it.anchor != 0 {
			n++
		}
	}
	return n
}

// nameStates gives every anchored state that can hold a docstring its
// Line<N> name as one, and frees it. A goto cannot hold one and keeps its
// line, so a state is named only while every line still anchored after it
// can be kept; the others keep their lines unnamed.
func nameStates(items []*item) []*item {
	n := len(items)
	prefix := make([]int, n+1)
	for k, it := range items {
		prefix[k+1] = prefix[k] + it.lines()
	}
	prev := make([]int, n) // the anchored item before k, or -1
	p := -1
	for k, it := range items {
		prev[k] = p
		if it.anchor != 0 {
			p = k
		}
	}
	// Backwards, so that a state is named once the states after it are:
	// naming one moves the lines after it down to the next line kept.
	insert := make([]bool, n)
	next, after := -1, 0 // the next anchored item and the lines before it
	for i := n - 1; i >= 0; i-- {
		it := items[i]
		if it.anchor == 0 {
			after += it.lines()
			continue
		}
		if nameable(it) {
			if d := docSlot(items, i); d >= 0 {
				if renameDoc(&items[d].toks[0], it.anchor) {
					it.anchor = 0
					after += it.lines()
					continue
				}
			} else {
				start := 1
				if p := prev[i]; p >= 0 {
					start = items[p].anchor + items[p].lines()
				}
				if next < 0 || start+prefix[i]-prefix[max(prev[i]+1, 0)]+it.lines()+1+after <= items[next].anchor {
					insert[i] = true
					it.anchor = 0
					after += it.lines() + 1
					continue
				}
			}
		}
		next, after = i, 0
	}
	var out []*item
	for i, it := range items {
		out = append(out, it)
		if insert[i] {
			name := "Line" + strconv.Itoa(it.toks[0].line)
			out = append(out, &item{depth: it.depth + 1, toks: []tok{{kind: lexer.STRING, text: `"""` + name + `"""`, docstring: true}}, segs: []segment{{toks: []int{0}}}})
		}
	}
	return out
}

// nameable reports whether the item starts a state that can hold a
// docstring (a goto cannot).
func nameable(it *item) bool {
	if it.isComment() || it.toks[0].kind != lexer.NAME || it.toks[0].text == "goto" || it.toks[0].line != it.anchor {
		return false
	}
	// the line holds the state's header only (not a second state)
	switch it.toks[0].text {
	case "if", "while", "switch", "parallel", "map":
		n := len(it.toks)
		if n >= 3 && it.toks[n-2].text == "goto" && it.toks[n-1].kind == lexer.STRING {
			n -= 2 // if COND: goto 'S' (its docstring goes under it)
		}
		last := it.toks[n-1]
		return last.kind == lexer.OP && last.text == ":"
	}
	k := 0
	for k < len(it.toks) && (it.toks[k].kind == lexer.NAME || it.toks[k].text == ".") {
		k++
	}
	if k == len(it.toks) || it.toks[k].text != "(" {
		return false
	}
	depth := 0
	for ; k < len(it.toks); k++ {
		if t := it.toks[k]; t.kind == lexer.OP {
			switch {
			case isOpener(t.text):
				depth++
			case isCloser(t.text):
				depth--
			}
		}
		if depth == 0 {
			return k == len(it.toks)-1
		}
	}
	return false
}

// docSlot returns the index of the string that opens the block of the
// state items[i] (its docstring), or -1.
func docSlot(items []*item, i int) int {
	j := i + 1
	for j < len(items) && items[j].isComment() {
		j++
	}
	if j < len(items) && items[j].depth == items[i].depth+1 && items[j].toks[0].kind == lexer.STRING {
		return j
	}
	return -1
}

// renameDoc writes Line<line> as the first line of a docstring whose first
// line is blank (such a state is named after its line); it reports false
// when the docstring cannot be rewritten.
func renameDoc(d *tok, line int) bool {
	v, ok := stringContent(d.text)
	if !ok {
		return false
	}
	first, rest, multi := strings.Cut(v, "\n")
	if strings.TrimFunc(first, isPySpace) != "" {
		return true // named already
	}
	v = "Line" + strconv.Itoa(line)
	if multi {
		v += "\n" + rest
	}
	text := `"""` + v + `"""`
	if !validString(text) {
		return false
	}
	d.text = text
	return true
}

func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// desires computes the blank lines each item wants before it and whether
// that number is fixed by the layout (true) or follows the source.
func desires(items []*item) (want []int, fixed []bool) {
	want = make([]int, len(items))
	fixed = make([]bool, len(items))
	var prev *item
	lastAt := map[int]*item{} // the last item seen at each depth
	for i, it := range items {
		switch {
		case i == 0:
			want[i] = 0
		case it.depth > prev.depth:
			want[i] = 0
		default:
			want[i] = min(it.blank, 1)
		}
		if it.depth == 0 && i > 0 && isStateStart(it, lastAt[0]) {
			// one blank line before the state and the comments just above it
			j := i
			for j > 0 && items[j-1].isComment() && items[j-1].depth == 0 && items[j].blank == 0 {
				j--
			}
			if j > 0 {
				want[j], fixed[j] = 1, true
			}
		}
		if !it.isComment() {
			lastAt[it.depth] = it
			for d := range lastAt {
				if d > it.depth {
					delete(lastAt, d)
				}
			}
		}
		prev = it
	}
	return want, fixed
}

// write lays the items out, keeping anchored items on their lines.
func write(b *strings.Builder, items []*item) error {
	want, fixed := desires(items)
	blanks := make([]int, len(items))
	copy(blanks, want)
	used := 0    // lines taken by the items before start, blanks included
	content := 0 // lines of the items start..i-1, blanks excluded
	start := 0
	for i, it := range items {
		if it.anchor == 0 {
			content += it.lines()
			continue
		}
		// items start..i share the free lines before it
		budget := it.anchor - 1 - content - used
		if budget < 0 {
			return fmt.Errorf("format: the state on line %d cannot keep its line (it is named Line%d after it)", it.anchor, it.anchor)
		}
		total := 0
		for k := start; k <= i; k++ {
			total += want[k]
		}
		if total <= budget {
			last := -1
			for k := start; k <= i; k++ {
				if want[k] > 0 {
					last = k
				}
			}
			if last < 0 {
				last = i
			}
			blanks[last] += budget - total
		} else {
			// drop the blank lines the source chose first, then those
			// before states, nearest the anchored line first
			excess := total - budget
			for _, f := range []bool{false, true} {
				for k := i; k >= start && excess > 0; k-- {
					if fixed[k] == f && blanks[k] > 0 {
						blanks[k]--
						excess--
					}
				}
			}
		}
		start = i + 1
		used = it.anchor - 1 + it.lines()
		content = 0
	}
	for i, it := range items {
		for range blanks[i] {
			b.WriteByte('\n')
		}
		if it.isComment() {
			b.WriteString(strings.Repeat("    ", it.depth))
			b.WriteString(it.comment)
			b.WriteByte('\n')
			continue
		}
		writeItem(b, it)
	}
	return nil
}

func writeItem(b *strings.Builder, it *item) {
	for si, s := range it.segs {
		b.WriteString(strings.Repeat("    ", it.depth+max(s.cont, 0)))
		var prev *tok
		for k, ti := range s.toks {
			t := &it.toks[ti]
			if t.kind == lexer.OP && t.text == "," && k+1 < len(s.toks) {
				if n := it.toks[s.toks[k+1]]; n.kind == lexer.OP && (n.text == "]" || n.text == "}") {
					continue // a trailing comma before a closing bracket on the same line
				}
			}
			if prev != nil && space(prev, t) {
				b.WriteByte(' ')
			}
			if t.kind == lexer.STRING {
				b.WriteString(requote(t.text, t.docstring))
			} else {
				b.WriteString(t.text)
			}
			prev = t
		}
		if s.comment != "" {
			if len(s.toks) > 0 {
				b.WriteString("  ")
			}
			b.WriteString(s.comment)
		}
		if s.bslash && si+1 < len(it.segs) {
			if len(s.toks) > 0 {
				b.WriteByte(' ')
			}
			b.WriteByte('\\')
		}
		b.WriteByte('\n')
	}
}

// keywords are the words after which an opening parenthesis is not a call.
var keywords = map[string]bool{"if": true, "elif": true, "while": true, "not": true, "and": true, "or": true, "switch": true, "case": true, "catch": true, "retry": true, "goto": true, "in": true, "is": true, "matches": true, "else": true, "default": true}

// space reports whether one space goes between two tokens on a line.
func space(p, c *tok) bool {
	punct := c.kind == lexer.OP && (isCloser(c.text) || c.text == "," || c.text == ":")
	if c.kind == lexer.ERRORTOKEN || p.kind == lexer.ERRORTOKEN && !punct {
		return !c.adjacent // such as the $ of key.$: kept as written
	}
	if p.kind == lexer.OP {
		switch {
		case isOpener(p.text), p.text == ".", p.text == "=":
			return false
		case p.text == "-" && c.kind == lexer.NUMBER:
			return false
		}
	}
	if c.kind == lexer.OP {
		switch {
		case isCloser(c.text), c.text == ",", c.text == ":", c.text == ".", c.text == "=":
			return false
		case c.text == "(" && p.kind == lexer.NAME && !keywords[p.text]:
			return false
		}
	}
	return true
}

// stringContent returns the text between the quotes of an unprefixed
// string token.
func stringContent(text string) (string, bool) {
	switch {
	case strings.HasPrefix(text, `"""`) || strings.HasPrefix(text, "'''"):
		return text[3 : len(text)-3], true
	case strings.HasPrefix(text, `"`) || strings.HasPrefix(text, "'"):
		return text[1 : len(text)-1], true
	}
	return "", false // a prefixed string is kept as written
}

// requote writes a string token in the canonical quotes that hold its
// text unchanged (DSL strings are raw, so only the quotes can change).
func requote(text string, doc bool) string {
	v, ok := stringContent(text)
	if !ok {
		return text
	}
	var order []string
	switch {
	case doc:
		order = []string{`"""`, `'''`}
	case strings.Contains(v, "\n"):
		order = []string{`"""`, `'''`}
	default:
		order = []string{`'`, `"`}
	}
	for _, q := range order {
		cand := q + v + q
		if cand == text || validString(cand) {
			return cand
		}
	}
	return text
}

// validString reports whether s is exactly one string token.
func validString(s string) bool {
	st, err := lexer.Tokenize("", []byte(s))
	if err != nil || len(st.Toks) != 2 {
		return false
	}
	t := &st.Toks[0]
	return t.Kind == lexer.STRING && st.Text(t) == s
}
