package asl

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hsc-dev/hsc/diag"
)

// MaxDepth is how deeply arrays and objects may nest in a JSON document.
// Deeper input is rejected with a "nesting too deep" SyntaxError instead of
// exhausting the stack. 1,000 is the default limit of Jackson
// (StreamReadConstraints.DEFAULT_MAX_DEPTH), the JSON library of the JVM
// that AWS Step Functions runs on; definitions and the values an execution
// passes around are read with the same limit.
const MaxDepth = 1000

// The JSON reading rules, the same for definitions (ParseValue) and for the
// values an execution passes around (the interpreter builds its runtime
// values with a Scanner):
//
//   - RFC 8259 syntax; a leading UTF-8 byte-order mark is skipped;
//   - text that is not valid UTF-8 is rejected, at the offending byte;
//   - a \u escape of a lone surrogate (\ud800 without its pair) decodes to
//     U+FFFD, as Go and Jackson's writers do;
//   - a number too large for a float64 (1e400) is rejected as out of range
//     at the number; one too small (1e-400) reads as 0;
//   - nesting deeper than MaxDepth is rejected.

// TokenKind is the kind of a JSON token.
type TokenKind uint8

// The token kinds Scanner.Next returns.
const (
	TokenNull TokenKind = iota
	TokenTrue
	TokenFalse
	TokenNumber
	TokenString
	TokenArray  // '[': read the elements with NextElem
	TokenObject // '{': read the members with NextKey
)

// Scanner reads one JSON document as a stream of tokens. Builders of
// different trees (Value, the interpreter's runtime values) drive it, so
// every reader of JSON in hsc accepts exactly the same documents:
//
//	tok, err := s.Next() // a value; for arrays and objects its opening bracket
//	more, err := s.NextElem() // before each array element; false at ']'
//	more, err := s.NextKey()  // before each member value; false at '}'; Text is the key
//	err = s.Finish()          // after the top-level value
//
// Errors are *SyntaxError with the position of the offending byte.
type Scanner struct {
	data []byte
	off  int
	// The last token: where it starts, its text and whether a number
	// has a fraction or exponent.
	tokOff int
	text   string // a string token's or key's decoded text
	numEnd int    // for a number token (numEnd > 0): where its literal ends
	float  bool
	depth  int
	first  bool // just after '[' or '{'
	// Position cache: positions are asked for in increasing offset order,
	// so they are computed incrementally (linear overall).
	posOff, line, col int
}

// NewScanner returns a Scanner of data.
func NewScanner(data []byte) *Scanner {
	s := &Scanner{}
	s.Reset(data)
	return s
}

// Reset makes s read data from its start (a Scanner can live on the
// stack: var s Scanner; s.Reset(data)).
func (s *Scanner) Reset(data []byte) {
	*s = Scanner{data: data, line: 1, col: 1}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		s.off, s.posOff = 3, 3
	}
}

// Text is the last token's text: a string's decoded value, a number's
// literal, or the key NextKey read.
func (s *Scanner) Text() string {
	if s.numEnd > 0 {
		return string(s.data[s.tokOff:s.numEnd])
	}
	return s.text
}

// Number returns the last number token as the interpreter computes with
// it: an int64 when written without fraction or exponent and in range,
// otherwise a float64 (see NumberLiteral).
func (s *Scanner) Number() any {
	lit := s.data[s.tokOff:s.numEnd]
	if !s.float {
		// Up to 18 digits always fit: add them up here rather than
		// converting the literal to a string for ParseInt.
		if digits := lit; len(digits) > 0 && len(digits) <= 19 {
			neg := digits[0] == '-'
			if neg {
				digits = digits[1:]
			}
			if len(digits) <= 18 {
				var n int64
				for _, c := range digits {
					n = n*10 + int64(c-'0')
				}
				if neg {
					n = -n
				}
				return n
			}
		}
		if n, err := strconv.ParseInt(string(lit), 10, 64); err == nil {
			return n
		}
	}
	f, _ := strconv.ParseFloat(string(lit), 64) // Next checked the range
	return f
}

// Offset is the byte offset where the last token (or key) starts.
func (s *Scanner) Offset() int { return s.tokOff }

// Pos converts a byte offset of the document into a position.
func (s *Scanner) Pos(off int) diag.Pos {
	if off < s.posOff { // rare: restart from the beginning
		s.posOff, s.line, s.col = 0, 1, 1
	}
	for s.posOff < off && s.posOff < len(s.data) {
		c := s.data[s.posOff]
		switch {
		case c == '\n':
			s.line++
			s.col = 1
			s.posOff++
		case c < utf8.RuneSelf:
			s.col++
			s.posOff++
		default:
			_, n := utf8.DecodeRune(s.data[s.posOff:])
			s.col++
			s.posOff += n
		}
	}
	return diag.At(off, s.line, s.col)
}

func (s *Scanner) errorf(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: s.Pos(off), Msg: fmt.Sprintf(format, args...)}
}

func (s *Scanner) describe() string {
	if s.off >= len(s.data) {
		return "end of input"
	}
	c := s.data[s.off]
	if c < 0x20 || c >= 0x7f {
		if c == 0 {
			return "NUL byte"
		}
		r, _ := utf8.DecodeRune(s.data[s.off:])
		if r == utf8.RuneError {
			return "invalid UTF-8"
		}
		return fmt.Sprintf("character %q", r)
	}
	return fmt.Sprintf("character %q", c)
}

func (s *Scanner) skipSpace() {
	i, d := s.off, s.data
	for i < len(d) && d[i] <= ' ' && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	s.off = i
}

// Next reads the next value: a scalar whole, an array or object up to its
// opening bracket.
func (s *Scanner) Next() (TokenKind, error) {
	s.skipSpace()
	if s.off >= len(s.data) {
		return 0, s.errorf(s.off, "unexpected end of input, expected a JSON value")
	}
	start := s.off
	s.tokOff, s.numEnd = start, 0
	switch c := s.data[s.off]; {
	case c == '{' || c == '[':
		if s.depth >= MaxDepth {
			return 0, s.errorf(start, "nesting too deep (more than %d levels)", MaxDepth)
		}
		s.depth++
		s.off++
		s.first = true
		if c == '{' {
			return TokenObject, nil
		}
		return TokenArray, nil
	case c == '"':
		str, err := s.str()
		if err != nil {
			return 0, err
		}
		s.text = str
		return TokenString, nil
	case c == '-' || (c >= '0' && c <= '9'):
		end, float, errOff, msg := numberSyntax(s.data, start)
		if msg != "" {
			return 0, s.errorf(errOff, "%s", msg)
		}
		if (float || end-start > 308) && (end-start > 308 || bytes.ContainsAny(s.data[start:end], "eE")) {
			if f, _ := strconv.ParseFloat(string(s.data[start:end]), 64); math.IsInf(f, 0) {
				return 0, s.errorf(start, "number %s is out of range", abbreviate(string(s.data[start:end])))
			}
		}
		s.off = end
		s.numEnd, s.float = end, float
		return TokenNumber, nil
	case c == 't':
		return s.literal("true", TokenTrue)
	case c == 'f':
		return s.literal("false", TokenFalse)
	case c == 'n':
		return s.literal("null", TokenNull)
	}
	return 0, s.errorf(start, "unexpected %s, expected a JSON value", s.describe())
}

func (s *Scanner) literal(word string, tok TokenKind) (TokenKind, error) {
	if len(s.data)-s.off >= len(word) && string(s.data[s.off:s.off+len(word)]) == word {
		s.off += len(word)
		return tok, nil
	}
	return 0, s.errorf(s.off, "unexpected %s, expected a JSON value", s.describe())
}

func abbreviate(lit string) string {
	if len(lit) > 40 {
		return lit[:20] + "..." + lit[len(lit)-10:]
	}
	return lit
}

// NextElem is called before each element of an array: it reads the ','
// or ']' in between and reports whether an element follows.
func (s *Scanner) NextElem() (bool, error) { return s.separator(']', "a JSON value") }

// separator reads what stands before the next element or member: the
// closing bracket close (false), or a ',' (true; nothing before the
// first). firstWant names what the first element or member starts with.
func (s *Scanner) separator(close byte, firstWant string) (bool, error) {
	s.skipSpace()
	if s.off >= len(s.data) {
		if s.first {
			return false, s.errorf(s.off, "unexpected end of input, expected %s", firstWant)
		}
		return false, s.errorf(s.off, "unexpected end of input, expected ',' or '%c'", close)
	}
	switch c := s.data[s.off]; {
	case c == close:
		s.off++
		s.depth--
		s.first = false
		return false, nil
	case s.first:
		s.first = false
		return true, nil
	case c == ',':
		s.off++
		return true, nil
	}
	return false, s.errorf(s.off, "unexpected %s, expected ',' or '%c'", s.describe(), close)
}

// NextKey is called before each member of an object: it reads the ',' or
// '}' in between and the member's key and ':', and reports whether a
// member follows. Text and Offset are then the key's.
func (s *Scanner) NextKey() (bool, error) {
	if more, err := s.separator('}', "a string key"); !more || err != nil {
		return false, err
	}
	s.skipSpace()
	if s.off >= len(s.data) || s.data[s.off] != '"' {
		return false, s.errorf(s.off, "unexpected %s, expected a string key", s.describe())
	}
	s.tokOff, s.numEnd = s.off, 0
	key, err := s.str()
	if err != nil {
		return false, err
	}
	s.text = key
	s.skipSpace()
	if s.off >= len(s.data) || s.data[s.off] != ':' {
		return false, s.errorf(s.off, "unexpected %s, expected ':' after object key", s.describe())
	}
	s.off++
	return true, nil
}

// Finish checks that nothing but white space follows the top-level value.
func (s *Scanner) Finish() error {
	s.skipSpace()
	if s.off < len(s.data) {
		return s.errorf(s.off, "unexpected %s after the JSON value", s.describe())
	}
	return nil
}

// str reads a JSON string starting at the opening quote.
func (s *Scanner) str() (string, error) {
	d := s.data
	i := s.off + 1
	var b *strings.Builder
	runStart := i
	for {
		if i >= len(d) {
			return "", s.errorf(s.off, "unterminated string")
		}
		c := d[i]
		switch {
		case c == '"':
			var str string
			if b == nil {
				str = string(d[runStart:i])
			} else {
				b.Write(d[runStart:i])
				str = b.String()
			}
			s.off = i + 1
			return str, nil
		case c == '\\':
			if b == nil {
				b = &strings.Builder{}
			}
			b.Write(d[runStart:i])
			n, err := s.escape(i, b)
			if err != nil {
				return "", err
			}
			i += n
			runStart = i
		case c < 0x20:
			return "", s.errorf(i, "control character %#02x in string (must be escaped)", c)
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && n <= 1 {
				return "", s.errorf(i, "invalid UTF-8 in string")
			}
			i += n
		}
	}
}

// escape decodes the escape sequence at d[i] (a backslash) into b and
// returns its length in bytes.
func (s *Scanner) escape(i int, b *strings.Builder) (int, error) {
	d := s.data
	if i+1 >= len(d) {
		return 0, s.errorf(i, "unterminated escape sequence")
	}
	switch d[i+1] {
	case '"', '\\', '/':
		b.WriteByte(d[i+1])
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		r, ok := hex4(d, i+2)
		if !ok {
			return 0, s.errorf(i, `invalid \u escape`)
		}
		if utf16.IsSurrogate(r) {
			if r2, ok := hex4(d, i+8); ok && d[i+6] == '\\' && d[i+7] == 'u' {
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					b.WriteRune(dec)
					return 12, nil
				}
			}
			r = utf8.RuneError // lone surrogate
		}
		b.WriteRune(r)
		return 6, nil
	default:
		return 0, s.errorf(i, "invalid escape sequence")
	}
	return 2, nil
}

func hex4(d []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// numberSyntax checks the JSON number at d[i:]. It returns where it ends
// and whether it has a fraction or exponent, or, when malformed, the
// offset of the problem and a message.
func numberSyntax[T string | []byte](d T, i int) (end int, float bool, errOff int, msg string) {
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(d) && d[i] == '0' {
		i++
	} else if digits() == 0 {
		return 0, false, i, "invalid number: expected a digit"
	}
	if i < len(d) && d[i] == '.' {
		i++
		float = true
		if digits() == 0 {
			return 0, false, i, "invalid number: expected a digit after '.'"
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		float = true
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, false, i, "invalid number: expected a digit in the exponent"
		}
	}
	if i < len(d) && (d[i] >= '0' && d[i] <= '9' || d[i] == '.' || d[i] == 'x' || d[i] == 'X') {
		return 0, false, i, "invalid number"
	}
	return i, float, 0, ""
}

// NumberLiteral converts a JSON number literal to the value the
// interpreter computes with: an int64 when it is written without fraction
// or exponent and fits, otherwise a float64. A number out of a float64's
// range is an error.
func NumberLiteral(lit string) (any, error) {
	if !strings.ContainsAny(lit, ".eE") {
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && (!errors.Is(err, strconv.ErrRange) || math.IsInf(f, 0)) {
		return nil, fmt.Errorf("number %s is out of range", abbreviate(lit))
	}
	return f, nil
}

// ---- writing ----

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Bytes that are not valid UTF-8
// are written as \ufffd; non-ASCII text is written as is; control
// characters are escaped (\n, \t, ... or \u00XX).
func AppendString(b []byte, s string) []byte { return appendString(b, s, false) }

// AppendMarshalString appends s as a JSON string as encoding/json's
// Marshal writes it: like [AppendString], and also HTML-escaped (<, > and
// & as \u003c, \u003e, \u0026) with U+2028 and U+2029 escaped.
func AppendMarshalString(b []byte, s string) []byte { return appendString(b, s, true) }

// appendString is AppendString, or with marshal AppendMarshalString.
func appendString(b []byte, s string, marshal bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!marshal || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case marshal && (r == '\u2028' || r == '\u2029'):
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendIndent appends the compact JSON text src (as the writers of Value
// and of the interpreter's values produce it) indented by indent per level,
// in the layout of Python's json.dumps(indent=n): each member and element
// on its own line, "," at line ends, ": " after keys, and empty arrays and
// objects as [] and {}. Every indented JSON writer in hsc goes through it.
func AppendIndent(dst, src []byte, indent string) []byte {
	level := 0
	newline := func(b []byte) []byte {
		b = append(b, '\n')
		for range level {
			b = append(b, indent...)
		}
		return b
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(src))
			dst = append(dst, src[i:j]...)
			i = j - 1
		case '{', '[':
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, c, src[i+1])
				i++
				continue
			}
			level++
			dst = newline(append(dst, c))
		case '}', ']':
			level--
			dst = append(newline(dst), c)
		case ',':
			dst = newline(append(dst, ','))
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
