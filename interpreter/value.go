package interpreter

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Values flowing through an execution are immutable trees of:
//
//	nil                 JSON null
//	bool                JSON true/false
//	int64               a JSON number written without fraction or exponent
//	float64             any other JSON number
//	string              JSON string
//	*Object             JSON object, members in document order
//	[]any               JSON array
//
// Nothing mutates a value once built; updates (ResultPath) copy the spine.

// Object is a JSON object that keeps its members in insertion order.
type Object struct {
	m []member
}

type member struct {
	k string
	v any
}

// newObject returns an empty object with room for n members.
func newObject(n int) *Object {
	return &Object{m: make([]member, 0, n)}
}

// Len is the number of members.
func (o *Object) Len() int { return len(o.m) }

// Get returns the member named k.
func (o *Object) Get(k string) (any, bool) {
	for i := range o.m {
		if o.m[i].k == k {
			return o.m[i].v, true
		}
	}
	return nil, false
}

func (o *Object) index(k string) int {
	for i := range o.m {
		if o.m[i].k == k {
			return i
		}
	}
	return -1
}

// add appends a member; only for objects under construction.
func (o *Object) add(k string, v any) {
	o.m = append(o.m, member{k, v})
}

// set sets k on an object under construction, replacing an existing member.
func (o *Object) set(k string, v any) {
	if i := o.index(k); i >= 0 {
		o.m[i].v = v
		return
	}
	o.add(k, v)
}

// with returns a copy of o with member k set to v.
func (o *Object) with(k string, v any) *Object {
	i := o.index(k)
	n := len(o.m)
	if i < 0 {
		n++
	}
	c := &Object{m: make([]member, len(o.m), n)}
	copy(c.m, o.m)
	if i >= 0 {
		c.m[i].v = v
	} else {
		c.m = append(c.m, member{k, v})
	}
	return c
}

// ---- decoding ----

const maxDepth = 10000

// SyntaxError reports malformed JSON.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.Offset, e.Msg)
}

// parseJSON decodes one JSON document into a value.
func parseJSON(b []byte) (any, error) {
	p := jsonParser{b: b}
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, p.fail("unexpected data after the top-level value")
	}
	return v, nil
}

type jsonParser struct {
	b []byte
	i int
}

func (p *jsonParser) fail(msg string) error { return &SyntaxError{Offset: p.i, Msg: msg} }

func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.fail("nesting too deep")
	}
	if p.i >= len(p.b) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		p.i++
		o := newObject(4)
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return o, nil
		}
		for {
			p.ws()
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return nil, p.fail("expected a string for an object key")
			}
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.ws()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return nil, p.fail("expected ':' after an object key")
			}
			p.i++
			p.ws()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			o.set(k, v)
			p.ws()
			if p.i >= len(p.b) {
				return nil, p.fail("unexpected end of input in an object")
			}
			if p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.b[p.i] == '}' {
				p.i++
				return o, nil
			}
			return nil, p.fail("expected ',' or '}' in an object")
		}
	case c == '[':
		p.i++
		a := make([]any, 0, 4)
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return a, nil
		}
		for {
			p.ws()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
			p.ws()
			if p.i >= len(p.b) {
				return nil, p.fail("unexpected end of input in an array")
			}
			if p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.b[p.i] == ']' {
				p.i++
				return a, nil
			}
			return nil, p.fail("expected ',' or ']' in an array")
		}
	case c == '"':
		return p.str()
	case c == 't':
		return p.lit("true", true)
	case c == 'f':
		return p.lit("false", false)
	case c == 'n':
		return p.lit("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.num()
	default:
		return nil, p.fail(fmt.Sprintf("unexpected character %q", c))
	}
}

func (p *jsonParser) lit(s string, v any) (any, error) {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return v, nil
	}
	return nil, p.fail("invalid literal")
}

func (p *jsonParser) num() (any, error) {
	start := p.i
	isFloat := false
	if p.b[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	intStart := p.i
	if digits() == 0 {
		return nil, p.fail("invalid number")
	}
	if p.b[intStart] == '0' && p.i-intStart > 1 {
		return nil, p.fail("invalid number: leading zero")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		isFloat = true
		p.i++
		if digits() == 0 {
			return nil, p.fail("invalid number: digits expected after '.'")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		isFloat = true
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.fail("invalid number: digits expected in exponent")
		}
	}
	s := string(p.b[start:p.i])
	if !isFloat {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, p.fail("invalid number")
	}
	if math.IsInf(f, 0) {
		return nil, p.fail("number out of range")
	}
	return f, nil
}

func (p *jsonParser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := string(p.b[start:p.i])
			p.i++
			return validUTF8(s), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.fail("control character in string")
		}
		p.i++
	}
	// slow path with escapes
	buf := make([]byte, 0, p.i-start+16)
	buf = append(buf, p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return validUTF8(string(buf)), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.b) {
			break
		}
		e := p.b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					r2, ok := p.hex4()
					if ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							buf = utf8.AppendRune(buf, d)
							continue
						}
					}
					p.i = save
				}
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.fail("invalid escape in string")
		}
	}
	return "", p.fail("unterminated string")
}

// validUTF8 replaces each byte that is not part of valid UTF-8 with U+FFFD,
// as the encoder would, so that values survive a round trip unchanged.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.b)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
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
	p.i += 4
	return r, true
}

// ---- encoding ----

// appendJSON appends the compact JSON text of v.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendFloat(b, x)
	case string:
		return appendString(b, x)
	case *Object:
		b = append(b, '{')
		for i, m := range x.m {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.k)
			b = append(b, ':')
			b = appendJSON(b, m.v)
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	default:
		panic(fmt.Sprintf("interpreter: not a JSON value: %T", v))
	}
}

// appendIndent appends v indented by indent per level, starting at level lvl.
func appendIndent(b []byte, v any, indent string, lvl int) []byte {
	nl := func(b []byte, l int) []byte {
		b = append(b, '\n')
		for range l {
			b = append(b, indent...)
		}
		return b
	}
	switch x := v.(type) {
	case *Object:
		if len(x.m) == 0 {
			return append(b, "{}"...)
		}
		b = append(b, '{')
		for i, m := range x.m {
			if i > 0 {
				b = append(b, ',')
			}
			b = nl(b, lvl+1)
			b = appendString(b, m.k)
			b = append(b, ": "...)
			b = appendIndent(b, m.v, indent, lvl+1)
		}
		b = nl(b, lvl)
		return append(b, '}')
	case []any:
		if len(x) == 0 {
			return append(b, "[]"...)
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = nl(b, lvl+1)
			b = appendIndent(b, e, indent, lvl+1)
		}
		b = nl(b, lvl)
		return append(b, ']')
	default:
		return appendJSON(b, v)
	}
}

// appendFloat writes a non-integer JSON number the way Java's
// Double.toString does (Step Functions runs on the JVM): plain notation
// with at least one fractional digit from 1e-3 up to 1e7, otherwise
// scientific notation such as 1.0E10.
func appendFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, "null"...)
	}
	if f == 0 {
		return append(b, "0.0"...)
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		n := len(b)
		b = strconv.AppendFloat(b, f, 'f', -1, 64)
		if !bytes.ContainsRune(b[n:], '.') {
			b = append(b, ".0"...)
		}
		return b
	}
	s := strconv.FormatFloat(f, 'E', -1, 64)
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	exp = strings.TrimPrefix(exp, "+")
	if neg := strings.HasPrefix(exp, "-"); neg {
		exp = "-" + strings.TrimLeft(exp[1:], "0")
	} else {
		exp = strings.TrimLeft(exp, "0")
	}
	b = append(b, mant...)
	b = append(b, 'E')
	return append(b, exp...)
}

const hexDigits = "0123456789abcdef"

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
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
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// encodeJSON returns the compact JSON text of v.
func encodeJSON(v any) string { return string(appendJSON(nil, v)) }

// ---- comparison ----

// toFloat reports v as a float64 if it is a number.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

// equalValues is deep JSON equality; numbers compare by value.
func equalValues(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		if y, ok := b.(int64); ok {
			return x == y
		}
		f, ok := toFloat(b)
		return ok && float64(x) == f
	case float64:
		f, ok := toFloat(b)
		return ok && x == f
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Object:
		y, ok := b.(*Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, m := range x.m {
			w, ok := y.Get(m.k)
			if !ok || !equalValues(m.v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// typeName names v's JSON type for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64, float64:
		return "number"
	case string:
		return "string"
	case *Object:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}
