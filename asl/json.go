package asl

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/diag"
)

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
//
// (The field order keeps a Value at 80 bytes: large definitions hold tens
// of thousands of them.)
type Value struct {
	Kind    Kind
	Bool    bool     // for Bool
	Pos     diag.Pos // where the value starts; zero when built in code
	Str     string   // for String: the decoded text; for Number: the literal
	Elems   []*Value // for Array
	Members []Member // for Object, in document order
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
	if n, ok := smallInt(v.Str); ok {
		return n, true
	}
	if i, err := strconv.ParseInt(v.Str, 10, 64); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(v.Str, 64)
	// float64(MaxInt64) is 2^63, one more than fits.
	if err != nil || f != math.Trunc(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

// smallInt reads a literal of 1 to 18 decimal digits (after an optional
// '-'), which always fits in int64: most numbers of a definition, read
// without strconv's general path.
func smallInt(s string) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	d := s
	if neg {
		d = s[1:]
	}
	if len(d) == 0 || len(d) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
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
	if !strings.ContainsAny(s, "~/") {
		return s // the common case, without the two scans of ReplaceAll
	}
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
// *SyntaxError. The rules are those of Scanner.
func ParseValue(data []byte) (*Value, error) {
	s := NewScanner(data)
	b := valueBuilder{s: s}
	v, err := b.value()
	if err != nil {
		return nil, err
	}
	if err := s.Finish(); err != nil {
		return nil, err
	}
	return v, nil
}

// valueBuilder builds a Value tree from a Scanner.
type valueBuilder struct {
	s *Scanner
	// slab hands out Values in blocks, to allocate less per value.
	slab []Value
}

func (b *valueBuilder) newValue(v Value) *Value {
	if len(b.slab) == 0 {
		b.slab = make([]Value, 128)
	}
	nv := &b.slab[0]
	b.slab = b.slab[1:]
	*nv = v
	return nv
}

func (b *valueBuilder) value() (*Value, error) {
	s := b.s
	tok, err := s.Next()
	if err != nil {
		return nil, err
	}
	pos := s.Pos(s.Offset())
	switch tok {
	case TokenNull:
		return b.newValue(Value{Kind: KindNull, Pos: pos}), nil
	case TokenTrue, TokenFalse:
		return b.newValue(Value{Kind: KindBool, Bool: tok == TokenTrue, Pos: pos}), nil
	case TokenNumber:
		return b.newValue(Value{Kind: KindNumber, Str: s.Text(), Pos: pos}), nil
	case TokenString:
		return b.newValue(Value{Kind: KindString, Str: s.Text(), Pos: pos}), nil
	case TokenArray:
		v := b.newValue(Value{Kind: KindArray, Pos: pos})
		for {
			more, err := s.NextElem()
			if err != nil {
				return nil, err
			}
			if !more {
				return v, nil
			}
			e, err := b.value()
			if err != nil {
				return nil, err
			}
			v.Elems = append(v.Elems, e)
		}
	default: // TokenObject
		v := b.newValue(Value{Kind: KindObject, Pos: pos})
		for {
			more, err := s.NextKey()
			if err != nil {
				return nil, err
			}
			if !more {
				return v, nil
			}
			key, keyPos := s.Text(), s.Pos(s.Offset())
			e, err := b.value()
			if err != nil {
				return nil, err
			}
			v.Members = append(v.Members, Member{Key: key, KeyPos: keyPos, Value: e})
		}
	}
}

// Encode writes v as JSON. With indent > 0 each member and element goes on
// its own line indented by that many spaces per level and ", "/": "
// separators are used the way Python's json.dumps(indent=n) writes them;
// with indent <= 0 the output is compact. Non-ASCII text is written as is.
func (v *Value) Encode(indent int) []byte {
	b := appendValue(nil, v)
	if indent <= 0 {
		return b
	}
	return AppendIndent(make([]byte, 0, len(b)*2), b, strings.Repeat(" ", indent))
}

// appendValue appends v as compact JSON.
func appendValue(b []byte, v *Value) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	switch v.Kind {
	case KindBool:
		return strconv.AppendBool(b, v.Bool)
	case KindNumber:
		return append(b, v.Str...)
	case KindString:
		return AppendString(b, v.Str)
	case KindArray:
		b = append(b, '[')
		for i, e := range v.Elems {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case KindObject:
		b = append(b, '{')
		for i, m := range v.Members {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, m.Key)
			b = append(b, ':')
			b = appendValue(b, m.Value)
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}
