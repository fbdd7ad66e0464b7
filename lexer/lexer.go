// Package lexer turns Heaviside DSL source into tokens the way Python's
// tokenize module does (heaviside tokenizes with it): INDENT and DEDENT from
// indentation, implicit line joining inside brackets, backslash continuation,
// raw string tokens and Python's number syntax. NEWLINE, NL and COMMENT
// tokens are dropped, as heaviside drops them.
//
// The lexer owns characters, lines and token boundaries. It must not know the
// grammar: what a token means is the parser's business.
package lexer

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hsc-dev/hsc/diag"
)

// Kind is a token kind, named after Python's token module.
type Kind uint8

const (
	ENDMARKER Kind = iota
	NAME
	NUMBER
	STRING
	OP
	INDENT
	DEDENT
	ERRORTOKEN
)

var kindNames = [...]string{"ENDMARKER", "NAME", "NUMBER", "STRING", "OP", "INDENT", "DEDENT", "ERRORTOKEN"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "?"
}

// Token is one token. It holds no pointers (its text is a byte range of the
// Stream's normalized source), so a token stream costs the garbage
// collector nothing to scan. Positions are kept in 32 bits; Pos returns them.
type Token struct {
	start, end     int32 // byte range in Stream.Src
	off, line, col int32 // position in the original source
	Kind           Kind
}

// Pos returns the token's position in the original source.
func (t *Token) Pos() diag.Pos {
	return diag.Pos{Offset: t.off, Line: t.line, Col: t.col}
}

// Stream is the result of tokenizing: the tokens and the text they point
// into (the source with line endings normalized to "\n" and any byte-order
// mark kept in place).
type Stream struct {
	Src  string
	Toks []Token
}

// Text returns the exact text of a token (for STRING, quotes and prefix
// included; for INDENT, the indentation; for DEDENT and ENDMARKER, "").
func (s *Stream) Text(t *Token) string { return s.Src[t.start:t.end] }

// MaxIndentDepth bounds the number of nested indentation levels.
const MaxIndentDepth = 1000

const tabSize = 8

// Tokenize scans src. Line endings may be LF, CRLF or CR (Python reads
// files with universal newlines); a UTF-8 byte-order mark is skipped. The
// error, if any, is a *diag.Error with a position.
func Tokenize(name string, src []byte) (*Stream, error) {
	s := diag.NewSource(name, src)
	return TokenizeSource(s)
}

// MaxSourceSize is the largest source the lexer accepts (positions are
// stored in 32 bits).
const MaxSourceSize = 1 << 30

// TokenizeSource is Tokenize on an indexed source.
func TokenizeSource(s *diag.Source) (*Stream, error) {
	if len(s.Text) > MaxSourceSize {
		return nil, s.Errorf(diag.Pos{Line: 1, Col: 1}, "source larger than 1 GiB")
	}
	lx := &lexer{src: s}
	if err := lx.split(); err != nil {
		return nil, err
	}
	if err := lx.run(); err != nil {
		return nil, err
	}
	return &Stream{Src: lx.norm, Toks: lx.toks}, nil
}

type line struct {
	text   string // content including the trailing "\n" (absent on a last line without one)
	start  int    // byte offset of the line in the original source
	nstart int    // byte offset of the line in the normalized text
}

type lexer struct {
	src   *diag.Source
	norm  string // the source with every line ending as "\n"
	lines []line
	toks  []Token
	// column cache: the rune column of byte colByte on line colLine, so
	// that columns on one long line are counted once, not per token.
	colLine, colByte, colRunes int
}

// runeCol returns the 0-based rune column of byteCol in line lnum.
func (lx *lexer) runeCol(lnum int, line string, byteCol int) int {
	if lnum != lx.colLine || byteCol < lx.colByte {
		lx.colLine, lx.colByte, lx.colRunes = lnum, 0, 0
	}
	lx.colRunes += utf8.RuneCountInString(line[lx.colByte:byteCol])
	lx.colByte = byteCol
	return lx.colRunes
}

// split checks the encoding and breaks the source into lines with universal
// newline handling ("\r\n" and a lone "\r" end a line, as "\n" does).
func (lx *lexer) split() error {
	b := lx.src.Text
	off := 0
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		off = 3
	}
	hasCR := bytes.IndexByte(b, '\r') >= 0
	var nb strings.Builder // the normalized text, when it differs
	if hasCR {
		nb.Grow(len(b))
		nb.Write(b[:off])
	}
	lx.lines = make([]line, 0, len(b)/24+1)
	lineNo, col := 1, 1
	start := off
	endLine := func(i, next int) {
		l := line{start: start, nstart: start}
		if hasCR {
			l.nstart = nb.Len()
			nb.Write(b[start:i])
			nb.WriteByte('\n')
		}
		lx.lines = append(lx.lines, l)
		start = next
		lineNo++
		col = 1
	}
	for i := off; i < len(b); {
		c := b[i]
		switch {
		case c == 0:
			return lx.errAt(diag.At(i, lineNo, col), "NUL byte in source")
		case c == '\n':
			endLine(i, i+1)
			i++
		case c == '\r':
			next := i + 1
			if next < len(b) && b[next] == '\n' {
				next++
			}
			endLine(i, next)
			i = next
		case c < utf8.RuneSelf:
			i++
			col++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				return lx.errAt(diag.At(i, lineNo, col), "invalid UTF-8 encoding")
			}
			i += size
			col++
		}
	}
	if start < len(b) {
		l := line{start: start, nstart: start}
		if hasCR {
			l.nstart = nb.Len()
			nb.Write(b[start:])
		}
		lx.lines = append(lx.lines, l)
	}
	if hasCR {
		lx.norm = nb.String()
	} else {
		lx.norm = string(b)
	}
	for i := range lx.lines {
		end := len(lx.norm)
		if i+1 < len(lx.lines) {
			end = lx.lines[i+1].nstart
		}
		lx.lines[i].text = lx.norm[lx.lines[i].nstart:end]
	}
	lx.toks = make([]Token, 0, len(b)/4+8)
	return nil
}

func (lx *lexer) errAt(p diag.Pos, msg string) error {
	return lx.src.Errorf(p, "%s", msg)
}

// pos converts (1-based line, 0-based rune column) to a position; lnum may be
// one past the last line (end of file).
func (lx *lexer) pos(lnum, col int) diag.Pos {
	if lnum-1 >= len(lx.lines) {
		return diag.At(len(lx.src.Text), lnum, col+1)
	}
	l := lx.lines[lnum-1]
	off := l.start
	n := 0
	for i := range l.text {
		if n == col {
			off = l.start + i
			break
		}
		n++
		off = l.start + len(l.text)
	}
	if col == 0 {
		off = l.start
	}
	return diag.At(off, lnum, col+1)
}

// emit appends a token of n bytes starting at byteCol of line lnum.
func (lx *lexer) emit(k Kind, n int, lnum int, line string, byteCol int) {
	nstart := lx.lines[lnum-1].nstart + byteCol
	lx.emitSpan(k, nstart, nstart+n, lnum, line, byteCol)
}

// emitSpan appends a token whose text is norm[nstart:nend] and which starts
// at byteCol of line lnum.
func (lx *lexer) emitSpan(k Kind, nstart, nend int, lnum int, line string, byteCol int) {
	col := lx.runeCol(lnum, line, byteCol)
	lx.toks = append(lx.toks, Token{
		start: int32(nstart), end: int32(nend),
		off: int32(lx.lines[lnum-1].start + byteCol), line: int32(lnum), col: int32(col + 1),
		Kind: k,
	})
}

// emitEnd appends a DEDENT or ENDMARKER at the start of line lnum, which may
// be one past the last line.
func (lx *lexer) emitEnd(k Kind, lnum int) {
	p := lx.pos(lnum, 0)
	lx.toks = append(lx.toks, Token{off: int32(p.Offset), line: int32(p.Line), col: int32(p.Col), Kind: k})
}

// run is Python 3.11's tokenize.generate_tokens, token for token, minus the
// NEWLINE, NL and COMMENT tokens.
func (lx *lexer) run() error {
	indents := []int{0}
	parenlev := 0
	continued := false
	var (
		inContStr bool
		needcont  bool
		strStartL int
		strStartC int // byte column
		strLine   string
		endQuote  string // terminator of the continued string
	)
	lnum := 0
	for li := 0; ; li++ {
		var text string
		eof := li >= len(lx.lines)
		if !eof {
			text = lx.lines[li].text
		}
		lnum++
		pos, max := 0, len(text)

		if inContStr {
			if eof {
				return lx.errAt(lx.posByte(strStartL, strLine, strStartC), "EOF in multi-line string")
			}
			strStart := lx.lines[strStartL-1].nstart + strStartC
			here := lx.lines[li].nstart
			if end, ok := matchStringEnd(text, 0, endQuote); ok {
				lx.emitSpan(STRING, strStart, here+end, strStartL, strLine, strStartC)
				inContStr, needcont = false, false
				pos = end
			} else if needcont && !strings.HasSuffix(text, "\\\n") {
				lx.emitSpan(ERRORTOKEN, strStart, here+len(text), strStartL, strLine, strStartC)
				inContStr = false
				continue
			} else {
				continue
			}
		} else if parenlev == 0 && !continued {
			if eof {
				break
			}
			column := 0
			for pos < max {
				switch text[pos] {
				case ' ':
					column++
				case '\t':
					column = (column/tabSize + 1) * tabSize
				case '\f':
					column = 0
				default:
					goto measured
				}
				pos++
			}
		measured:
			if pos == max {
				break
			}
			if c := text[pos]; c == '#' || c == '\n' {
				continue
			}
			if column > indents[len(indents)-1] {
				if len(indents) > MaxIndentDepth {
					return lx.errAt(lx.posByte(lnum, text, pos), "nesting too deep")
				}
				indents = append(indents, column)
				lx.emit(INDENT, pos, lnum, text, 0)
			}
			for column < indents[len(indents)-1] {
				if !containsInt(indents, column) {
					return lx.errAt(lx.posByte(lnum, text, pos), "unindent does not match any outer indentation level")
				}
				indents = indents[:len(indents)-1]
				lx.emit(DEDENT, 0, lnum, text, pos)
			}
		} else {
			if eof {
				return lx.errAt(lx.pos(lnum, 0), "EOF in multi-line statement")
			}
			continued = false
		}

		for pos < max {
			wsStart := pos
			for pos < max && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\f') {
				pos++
			}
			if pos >= max {
				break
			}
			c := text[pos]
			switch {
			case c == '\\':
				if pos+1 < max && text[pos+1] == '\n' {
					continued = true
					pos = max
					continue
				}
				lx.errorToken(lnum, text, &pos, wsStart)
				continue
			case c == '#':
				pos = max
				continue
			case c == '\n':
				pos = max
				continue
			}
			// Number
			if n := scanNumber(text, pos); n > 0 {
				lx.emit(NUMBER, n, lnum, text, pos)
				pos += n
				continue
			}
			// String (with optional prefix)
			if q, plen := stringStart(text, pos); q != "" {
				qs := pos + plen
				if len(q) == 3 {
					if end, ok := matchStringEnd(text, qs+3, q); ok {
						lx.emit(STRING, end-pos, lnum, text, pos)
						pos = end
						continue
					}
					inContStr = true
					needcont = false
					strStartL, strStartC, strLine = lnum, pos, text
					endQuote = q
					pos = max
					continue
				}
				end, cont, ok := scanSingleQuoted(text, qs+1, q[0])
				if ok && !cont {
					lx.emit(STRING, end-pos, lnum, text, pos)
					pos = end
					continue
				}
				if ok && cont {
					inContStr = true
					needcont = true
					strStartL, strStartC, strLine = lnum, pos, text
					endQuote = q
					pos = max
					continue
				}
				// An unterminated quote is not a token: fall through to the
				// operator and name checks, which fail, giving an ERRORTOKEN.
			}
			// Operators and brackets
			if n := scanOp(text, pos); n > 0 {
				switch c {
				case '(', '[', '{':
					parenlev++
					if parenlev > MaxParenDepth {
						return lx.errAt(lx.posByte(lnum, text, pos), "nesting too deep")
					}
				case ')', ']', '}':
					parenlev--
				}
				lx.emit(OP, n, lnum, text, pos)
				pos += n
				continue
			}
			// Names: Python's \w+
			if n := scanWord(text, pos); n > 0 {
				r, _ := utf8.DecodeRuneInString(text[pos:])
				if pyClass(r) == 3 {
					lx.emit(NAME, n, lnum, text, pos)
				} else {
					lx.emit(OP, n, lnum, text, pos)
				}
				pos += n
				continue
			}
			lx.errorToken(lnum, text, &pos, wsStart)
		}
	}
	for range indents[1:] {
		lx.emitEnd(DEDENT, lnum)
	}
	lx.emitEnd(ENDMARKER, lnum)
	return nil
}

// MaxParenDepth bounds bracket nesting.
const MaxParenDepth = 2000

// errorToken emits Python's ERRORTOKEN for one character. Python reports the
// character where the failed match began: the first whitespace character
// before the offending one when there is any.
func (lx *lexer) errorToken(lnum int, text string, pos *int, wsStart int) {
	_, size := utf8.DecodeRuneInString(text[wsStart:])
	lx.emit(ERRORTOKEN, size, lnum, text, wsStart)
	*pos = wsStart + size
}

func (lx *lexer) posByte(lnum int, text string, byteCol int) diag.Pos {
	if byteCol > len(text) {
		byteCol = len(text)
	}
	col := utf8.RuneCountInString(text[:byteCol])
	off := len(lx.src.Text)
	if lnum-1 < len(lx.lines) {
		off = lx.lines[lnum-1].start + byteCol
	}
	return diag.At(off, lnum, col+1)
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// stringStart reports whether a string literal (with an optional Python
// prefix) starts at pos; it returns the quote ("'", "\"", "”'", `"""`) and
// the prefix length.
func stringStart(text string, pos int) (string, int) {
	switch text[pos] {
	case '\'', '"', 'r', 'R', 'b', 'B', 'u', 'U', 'f', 'F':
	default:
		return "", 0
	}
	p := pos
	for p < len(text) && p-pos < 2 && strings.IndexByte("rRbBuUfF", text[p]) >= 0 {
		p++
	}
	for plen := p - pos; plen >= 0; plen-- {
		if !validPrefix(text[pos : pos+plen]) {
			continue
		}
		q := pos + plen
		if q >= len(text) || (text[q] != '\'' && text[q] != '"') {
			continue
		}
		if q+2 < len(text) && text[q+1] == text[q] && text[q+2] == text[q] {
			return text[q : q+3], plen
		}
		return text[q : q+1], plen
	}
	return "", 0
}

func validPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "", "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// matchStringEnd finds the end of a string whose terminator is quote,
// scanning text from pos the way Python's endpats do: a backslash escapes the
// next character (but not a newline). It returns the offset just past the
// terminator.
func matchStringEnd(text string, pos int, quote string) (int, bool) {
	for i := pos; i < len(text); {
		c := text[i]
		if c == '\\' {
			if i+1 < len(text) && text[i+1] != '\n' {
				i += 2
				continue
			}
			if len(quote) == 1 && i+1 < len(text) {
				// single-quoted continuation: "\\\n" is part of the string
				i += 2
				continue
			}
			return 0, false
		}
		if c == quote[0] && strings.HasPrefix(text[i:], quote) {
			return i + len(quote), true
		}
		if len(quote) == 1 && c == '\n' {
			return 0, false
		}
		i++
	}
	return 0, false
}

// scanSingleQuoted scans a one-line string body after its opening quote. ok
// is false for an unterminated string; cont is true when the line ends in a
// backslash continuation.
func scanSingleQuoted(text string, pos int, q byte) (end int, cont, ok bool) {
	for i := pos; i < len(text); {
		c := text[i]
		switch {
		case c == '\\':
			if i+1 < len(text) && text[i+1] == '\n' {
				return len(text), true, true
			}
			if i+1 >= len(text) {
				return 0, false, false
			}
			i += 2
		case c == q:
			return i + 1, false, true
		case c == '\n':
			return 0, false, false
		default:
			i++
		}
	}
	return 0, false, false
}

// scanOp returns the length of the Python 3.11 operator at pos (the longest
// of the three-, two- and one-character operators), or 0.
func scanOp(text string, pos int) int {
	c := text[pos]
	var c1, c2 byte
	if pos+1 < len(text) {
		c1 = text[pos+1]
	}
	if pos+2 < len(text) {
		c2 = text[pos+2]
	}
	switch c {
	case '(', ')', '[', ']', '{', '}', ',', ';', '~':
		return 1
	case ':':
		if c1 == '=' {
			return 2
		}
		return 1
	case '.':
		if c1 == '.' && c2 == '.' {
			return 3
		}
		return 1
	case '=', '%', '&', '^', '|', '@', '+':
		if c1 == '=' {
			return 2
		}
		return 1
	case '!':
		if c1 == '=' {
			return 2
		}
		return 0
	case '-':
		if c1 == '=' || c1 == '>' {
			return 2
		}
		return 1
	case '*', '/', '<', '>':
		if c1 == c {
			if c2 == '=' {
				return 3
			}
			return 2
		}
		if c1 == '=' {
			return 2
		}
		return 1
	}
	return 0
}

type pyRange struct {
	lo, hi rune
	class  uint8
}

// pyClass classifies r as Python 3.11's tokenizer does: 0 not a word
// character, 1 a word character (\w) that cannot start a NAME, 3 one that
// can. Go's Unicode tables are newer than Python 3.11's, so the code points
// where they disagree come from a generated table (unicode_py311.go).
func pyClass(r rune) uint8 {
	if r < utf8.RuneSelf {
		switch {
		case r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z':
			return 3
		case '0' <= r && r <= '9':
			return 1
		}
		return 0
	}
	lo, hi := 0, len(pyExceptions)
	for lo < hi {
		m := (lo + hi) / 2
		switch e := &pyExceptions[m]; {
		case r < e.lo:
			hi = m
		case r > e.hi:
			lo = m + 1
		default:
			return e.class
		}
	}
	switch {
	case unicode.IsLetter(r):
		return 3
	case unicode.IsNumber(r):
		return 1
	}
	return 0
}

func scanWord(text string, pos int) int {
	i := pos
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if pyClass(r) == 0 {
			break
		}
		i += size
	}
	return i - pos
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits matches [0-9](?:_?[0-9])* at pos and returns its length.
func digits(s string, pos int, ok func(byte) bool) int {
	if pos >= len(s) || !ok(s[pos]) {
		return 0
	}
	i := pos + 1
	for i < len(s) {
		if ok(s[i]) {
			i++
		} else if s[i] == '_' && i+1 < len(s) && ok(s[i+1]) {
			i += 2
		} else {
			break
		}
	}
	return i - pos
}

func exponent(s string, pos int) int {
	if pos >= len(s) || (s[pos] != 'e' && s[pos] != 'E') {
		return 0
	}
	i := pos + 1
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	n := digits(s, i, isDigit)
	if n == 0 {
		return 0
	}
	return i + n - pos
}

// floatNumber matches Python's Floatnumber at pos.
func floatNumber(s string, pos int) int {
	// Pointfloat
	if d := digits(s, pos, isDigit); d > 0 {
		i := pos + d
		if i < len(s) && s[i] == '.' {
			i++
			i += digits(s, i, isDigit)
			return i + exponent(s, i) - pos
		}
		// Expfloat
		if e := exponent(s, i); e > 0 {
			return i + e - pos
		}
		return 0
	}
	if pos < len(s) && s[pos] == '.' {
		if d := digits(s, pos+1, isDigit); d > 0 {
			i := pos + 1 + d
			return i + exponent(s, i) - pos
		}
	}
	return 0
}

// scanNumber matches Python's Number regex (Imagnumber | Floatnumber |
// Intnumber, first alternative that matches) at pos.
func scanNumber(s string, pos int) int {
	if pos >= len(s) || !(isDigit(s[pos]) || s[pos] == '.') {
		return 0
	}
	isJ := func(i int) bool { return i < len(s) && (s[i] == 'j' || s[i] == 'J') }
	if d := digits(s, pos, isDigit); d > 0 && isJ(pos+d) {
		return d + 1
	}
	if f := floatNumber(s, pos); f > 0 {
		if isJ(pos + f) {
			return f + 1
		}
		return f
	}
	if !isDigit(s[pos]) {
		return 0
	}
	if s[pos] == '0' && pos+1 < len(s) {
		var ok func(byte) bool
		switch s[pos+1] {
		case 'x', 'X':
			ok = func(c byte) bool { return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') }
		case 'b', 'B':
			ok = func(c byte) bool { return c == '0' || c == '1' }
		case 'o', 'O':
			ok = func(c byte) bool { return '0' <= c && c <= '7' }
		}
		if ok != nil {
			i := pos + 2
			n := 0
			for i < len(s) {
				if ok(s[i]) {
					i++
					n++
				} else if s[i] == '_' && i+1 < len(s) && ok(s[i+1]) {
					i += 2
					n++
				} else {
					break
				}
			}
			if n > 0 {
				return i - pos
			}
		}
	}
	if s[pos] == '0' {
		i := pos + 1
		for i < len(s) {
			if s[i] == '0' {
				i++
			} else if s[i] == '_' && i+1 < len(s) && s[i+1] == '0' {
				i += 2
			} else {
				break
			}
		}
		return i - pos
	}
	return digits(s, pos, isDigit)
}
