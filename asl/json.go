package asl

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hsc-dev/hsc/diag"
)

// MaxDepth is how deeply arrays and objects may nest in a parsed document.
// Deeper input is rejected with a "nesting too deep" SyntaxError instead of
// exhausting the stack.
const MaxDepth = 1000

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON value kinds.
const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
	KindArray
	KindObject
)

func (k Kind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindBool:
		return "boolean"
	case KindNumber:
		return "number"
	case KindString:
		return "string"
	case KindArray:
		return "array"
	case KindObject:
		return "object"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Value is a JSON value that remembers where it came from and, for
// objects, the order of its members. Numbers keep their literal text so
// that writing a document back reproduces 1.0 as 1.0.
type Value struct {
	Kind    Kind
	Bool    bool     // for Bool
	Str     string   // for String: the decoded text; for Number: the literal
	Elems   []*Value // for Array
	Members []Member // for Object, in document order
	Pos     diag.Pos // where the value starts; zero when built in code
}

// Member is one key/value pair of an object.
type Member struct {
	Key    string
	KeyPos diag.Pos
	Value  *Value
}

// NewString returns a String value.
func NewString(s string) *Value { return &Value{Kind: KindString, Str: s} }

// NewBool returns a Bool value.
func NewBool(b bool) *Value { return &Value{Kind: KindBool, Bool: b} }

// NewNull returns a null value.
func NewNull() *Value { return &Value{Kind: KindNull} }

// NewNumber returns a Number value with the literal text lit, which must be
// a JSON number (it is written back verbatim).
func NewNumber(lit string) *Value { return &Value{Kind: KindNumber, Str: lit} }

// NewInt returns a Number value holding n.
func NewInt(n int64) *Value { return NewNumber(strconv.FormatInt(n, 10)) }

// NewObject returns an Object value with the given members.
func NewObject(m ...Member) *Value { return &Value{Kind: KindObject, Members: m} }

// NewArray returns an Array value with the given elements.
func NewArray(e ...*Value) *Value { return &Value{Kind: KindArray, Elems: e} }

// Get returns the value of key in an object, or nil when v is not an object
// or has no such member. When a key occurs more than once the last one
// wins, as in most JSON decoders.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != KindObject {
		return nil
	}
	for i := len(v.Members) - 1; i >= 0; i-- {
		if v.Members[i].Key == key {
			return v.Members[i].Value
		}
	}
	return nil
}

// Member returns the member named key (the last one if repeated).
func (v *Value) Member(key string) (Member, bool) {
	if v == nil || v.Kind != KindObject {
		return Member{}, false
	}
	for i := len(v.Members) - 1; i >= 0; i-- {
		if v.Members[i].Key == key {
			return v.Members[i], true
		}
	}
	return Member{}, false
}

// Has reports whether an object has a member named key.
func (v *Value) Has(key string) bool { return v.Get(key) != nil }

// Int64 returns a Number's value as an integer; ok is false when v is not
// a number or not an integer that fits in int64 (1.0 counts as 1).
func (v *Value) Int64() (n int64, ok bool) {
	if v == nil || v.Kind != KindNumber {
		return 0, false
	}
	if i, err := strconv.ParseInt(v.Str, 10, 64); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(v.Str, 64)
	if err != nil || f != math.Trunc(f) || f > math.MaxInt64 || f < math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

// Float64 returns a Number's value as a float64.
func (v *Value) Float64() (float64, bool) {
	if v == nil || v.Kind != KindNumber {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.Str, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// Lookup follows an RFC 6901 JSON pointer from v and returns the value it
// names, or nil.
func (v *Value) Lookup(pointer string) *Value {
	if pointer == "" {
		return v
	}
	if !strings.HasPrefix(pointer, "/") {
		return nil
	}
	cur := v
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch {
		case cur == nil:
			return nil
		case cur.Kind == KindObject:
			cur = cur.Get(tok)
		case cur.Kind == KindArray:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(cur.Elems) || strconv.Itoa(i) != tok {
				return nil
			}
			cur = cur.Elems[i]
		default:
			return nil
		}
	}
	return cur
}

// PointerToken escapes one reference token for a JSON pointer (RFC 6901).
func PointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// SyntaxError is a malformed JSON document, with the position of the
// offending byte.
type SyntaxError struct {
	Pos diag.Pos
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg) }

// ParseValue parses a JSON document into a Value tree, keeping member order
// and positions. A leading UTF-8 byte-order mark is skipped. Errors are
// *SyntaxError.
func ParseValue(data []byte) (*Value, error) {
	p := &jsonParser{data: data, line: 1, col: 1}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		p.off = 3
		p.posOff = 3
	}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.off < len(p.data) {
		return nil, p.errorf(p.off, "unexpected %s after the JSON value", p.describe())
	}
	return v, nil
}

type jsonParser struct {
	data []byte
	off  int
	// Position cache: positions are asked for in increasing offset order,
	// so they are computed incrementally (linear overall).
	posOff, line, col int
	// slab hands out Values in blocks, to allocate less per value.
	slab []Value
}

func (p *jsonParser) newValue(v Value) *Value {
	if len(p.slab) == 0 {
		p.slab = make([]Value, 128)
	}
	nv := &p.slab[0]
	p.slab = p.slab[1:]
	*nv = v
	return nv
}

func (p *jsonParser) pos(off int) diag.Pos {
	if off < p.posOff { // rare: restart from the beginning
		p.posOff, p.line, p.col = 0, 1, 1
	}
	for p.posOff < off && p.posOff < len(p.data) {
		c := p.data[p.posOff]
		switch {
		case c == '\n':
			p.line++
			p.col = 1
			p.posOff++
		case c < utf8.RuneSelf:
			p.col++
			p.posOff++
		default:
			_, n := utf8.DecodeRune(p.data[p.posOff:])
			p.col++
			p.posOff += n
		}
	}
	return diag.Pos{Offset: off, Line: p.line, Col: p.col}
}

func (p *jsonParser) errorf(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: p.pos(off), Msg: fmt.Sprintf(format, args...)}
}

func (p *jsonParser) describe() string {
	if p.off >= len(p.data) {
		return "end of input"
	}
	c := p.data[p.off]
	if c < 0x20 || c >= 0x7f {
		if c == 0 {
			return "NUL byte"
		}
		r, _ := utf8.DecodeRune(p.data[p.off:])
		if r == utf8.RuneError {
			return "invalid UTF-8"
		}
		return fmt.Sprintf("character %q", r)
	}
	return fmt.Sprintf("character %q", c)
}

func (p *jsonParser) skipSpace() {
	for p.off < len(p.data) {
		switch p.data[p.off] {
		case ' ', '\t', '\n', '\r':
			p.off++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (*Value, error) {
	if p.off >= len(p.data) {
		return nil, p.errorf(p.off, "unexpected end of input, expected a JSON value")
	}
	start := p.off
	switch c := p.data[p.off]; {
	case c == '{':
		if depth >= MaxDepth {
			return nil, p.errorf(start, "nesting too deep (more than %d levels)", MaxDepth)
		}
		return p.object(depth)
	case c == '[':
		if depth >= MaxDepth {
			return nil, p.errorf(start, "nesting too deep (more than %d levels)", MaxDepth)
		}
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return p.newValue(Value{Kind: KindString, Str: s, Pos: p.pos(start)}), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		for _, lit := range []struct {
			text string
			v    Value
		}{{"true", Value{Kind: KindBool, Bool: true}}, {"false", Value{Kind: KindBool}}, {"null", Value{Kind: KindNull}}} {
			if strings.HasPrefix(string(p.data[p.off:min(len(p.data), p.off+len(lit.text))]), lit.text) {
				p.off += len(lit.text)
				v := p.newValue(lit.v)
				v.Pos = p.pos(start)
				return v, nil
			}
		}
		return nil, p.errorf(start, "unexpected %s, expected a JSON value", p.describe())
	}
}

func (p *jsonParser) object(depth int) (*Value, error) {
	v := p.newValue(Value{Kind: KindObject, Pos: p.pos(p.off)})
	p.off++ // {
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == '}' {
		p.off++
		return v, nil
	}
	for {
		if p.off >= len(p.data) || p.data[p.off] != '"' {
			return nil, p.errorf(p.off, "unexpected %s, expected a string key", p.describe())
		}
		keyOff := p.off
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		keyPos := p.pos(keyOff)
		p.skipSpace()
		if p.off >= len(p.data) || p.data[p.off] != ':' {
			return nil, p.errorf(p.off, "unexpected %s, expected ':' after object key", p.describe())
		}
		p.off++
		p.skipSpace()
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.Members = append(v.Members, Member{Key: key, KeyPos: keyPos, Value: val})
		p.skipSpace()
		if p.off >= len(p.data) {
			return nil, p.errorf(p.off, "unexpected end of input, expected ',' or '}'")
		}
		switch p.data[p.off] {
		case ',':
			p.off++
			p.skipSpace()
		case '}':
			p.off++
			return v, nil
		default:
			return nil, p.errorf(p.off, "unexpected %s, expected ',' or '}'", p.describe())
		}
	}
}

func (p *jsonParser) array(depth int) (*Value, error) {
	v := p.newValue(Value{Kind: KindArray, Pos: p.pos(p.off)})
	p.off++ // [
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == ']' {
		p.off++
		return v, nil
	}
	for {
		el, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.Elems = append(v.Elems, el)
		p.skipSpace()
		if p.off >= len(p.data) {
			return nil, p.errorf(p.off, "unexpected end of input, expected ',' or ']'")
		}
		switch p.data[p.off] {
		case ',':
			p.off++
			p.skipSpace()
		case ']':
			p.off++
			return v, nil
		default:
			return nil, p.errorf(p.off, "unexpected %s, expected ',' or ']'", p.describe())
		}
	}
}

func (p *jsonParser) number() (*Value, error) {
	start := p.off
	d := p.data
	i := p.off
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
		return nil, p.errorf(i, "invalid number: expected a digit")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			return nil, p.errorf(i, "invalid number: expected a digit after '.'")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, p.errorf(i, "invalid number: expected a digit in the exponent")
		}
	}
	if i < len(d) && (d[i] >= '0' && d[i] <= '9' || d[i] == '.' || d[i] == 'x' || d[i] == 'X') {
		return nil, p.errorf(i, "invalid number")
	}
	p.off = i
	return p.newValue(Value{Kind: KindNumber, Str: string(d[start:i]), Pos: p.pos(start)}), nil
}

// str reads a JSON string starting at the opening quote.
func (p *jsonParser) str() (string, error) {
	d := p.data
	i := p.off + 1
	// Fast path: no escapes, ASCII or valid UTF-8.
	var b *strings.Builder
	runStart := i
	for {
		if i >= len(d) {
			return "", p.errorf(p.off, "unterminated string")
		}
		c := d[i]
		switch {
		case c == '"':
			var s string
			if b == nil {
				s = string(d[runStart:i])
			} else {
				b.Write(d[runStart:i])
				s = b.String()
			}
			p.off = i + 1
			return s, nil
		case c < 0x20:
			return "", p.errorf(i, "control character %#02x in string (must be escaped)", c)
		case c == '\\':
			if b == nil {
				b = &strings.Builder{}
			}
			b.Write(d[runStart:i])
			n, err := p.escape(i, b)
			if err != nil {
				return "", err
			}
			i += n
			runStart = i
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && n <= 1 {
				return "", p.errorf(i, "invalid UTF-8 in string")
			}
			i += n
		}
	}
}

// escape decodes the escape sequence at d[i] (a backslash) into b and
// returns its length in bytes.
func (p *jsonParser) escape(i int, b *strings.Builder) (int, error) {
	d := p.data
	if i+1 >= len(d) {
		return 0, p.errorf(i, "unterminated escape sequence")
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
			return 0, p.errorf(i, `invalid \u escape`)
		}
		if utf16.IsSurrogate(r) {
			if r2, ok := hex4(d, i+8); ok && i+7 < len(d) && d[i+6] == '\\' && d[i+7] == 'u' {
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
		return 0, p.errorf(i, "invalid escape sequence")
	}
	return 2, nil
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(d[i:i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

// Encode writes v as JSON. With indent > 0 each member and element goes on
// its own line indented by that many spaces per level and ", "/": "
// separators are used the way Python's json.dumps(indent=n) writes them;
// with indent <= 0 the output is compact. Non-ASCII text is written as is.
func (v *Value) Encode(indent int) []byte {
	var b []byte
	return appendValue(b, v, indent, 0)
}

func appendValue(b []byte, v *Value, indent, level int) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	nl := func(b []byte, lvl int) []byte {
		if indent <= 0 {
			return b
		}
		b = append(b, '\n')
		for range lvl * indent {
			b = append(b, ' ')
		}
		return b
	}
	switch v.Kind {
	case KindNull:
		return append(b, "null"...)
	case KindBool:
		return strconv.AppendBool(b, v.Bool)
	case KindNumber:
		return append(b, v.Str...)
	case KindString:
		return appendString(b, v.Str)
	case KindArray:
		if len(v.Elems) == 0 {
			return append(b, "[]"...)
		}
		b = append(b, '[')
		for i, e := range v.Elems {
			if i > 0 {
				b = append(b, ',')
			}
			b = nl(b, level+1)
			b = appendValue(b, e, indent, level+1)
		}
		b = nl(b, level)
		return append(b, ']')
	case KindObject:
		if len(v.Members) == 0 {
			return append(b, "{}"...)
		}
		b = append(b, '{')
		for i, m := range v.Members {
			if i > 0 {
				b = append(b, ',')
			}
			b = nl(b, level+1)
			b = appendString(b, m.Key)
			b = append(b, ':')
			if indent > 0 {
				b = append(b, ' ')
			}
			b = appendValue(b, m.Value, indent, level+1)
		}
		b = nl(b, level)
		return append(b, '}')
	}
	return append(b, "null"...)
}

func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			b = append(b, '\\', '"')
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
