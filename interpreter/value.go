package interpreter

import (
	"bytes"
	"fmt"
	"github.com/hsc-dev/hsc/asl"
	"math"
	"strconv"
	"strings"
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
	return newObjectLen(0, n)
}

// newObjectLen returns an object of n zero members with room for c (c >= n).
// A small object and its members are one allocation, of the size two
// would take.
func newObjectLen(n, c int) *Object {
	switch c {
	case 1:
		return inlineObject(n, func(a *[1]member) []member { return a[:] })
	case 2:
		return inlineObject(n, func(a *[2]member) []member { return a[:] })
	case 3:
		return inlineObject(n, func(a *[3]member) []member { return a[:] })
	case 4:
		return inlineObject(n, func(a *[4]member) []member { return a[:] })
	case 5:
		return inlineObject(n, func(a *[5]member) []member { return a[:] })
	case 6:
		return inlineObject(n, func(a *[6]member) []member { return a[:] })
	case 7:
		return inlineObject(n, func(a *[7]member) []member { return a[:] })
	case 8:
		return inlineObject(n, func(a *[8]member) []member { return a[:] })
	}
	return &Object{m: make([]member, n, c)}
}

// inlineObject allocates an object together with its member array A
// (all of whose room slice gives) and returns it with n members.
func inlineObject[A any](n int, slice func(*A) []member) *Object {
	b := new(struct {
		o Object
		a A
	})
	b.o.m = slice(&b.a)[:n]
	return &b.o
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
	c := newObjectLen(len(o.m), n)
	copy(c.m, o.m)
	if i >= 0 {
		c.m[i].v = v
	} else {
		c.m = append(c.m, member{k, v})
	}
	return c
}

// ---- decoding ----

// SyntaxError reports malformed JSON, with its position.
type SyntaxError = asl.SyntaxError

// parseJSON decodes one JSON document into a value. The reading rules
// (nesting limit, UTF-8, numbers out of range, lone surrogates) are asl's
// Scanner's, the same as for definitions.
func parseJSON(b []byte) (any, error) {
	var s asl.Scanner
	s.Reset(b)
	v, err := buildValue(&s)
	if err != nil {
		return nil, err
	}
	if err := s.Finish(); err != nil {
		return nil, err
	}
	return v, nil
}

// buildValue builds the runtime value of the next JSON value s reads. Its
// recursion is bounded by the Scanner's nesting limit.
func buildValue(s *asl.Scanner) (any, error) {
	tok, err := s.Next()
	if err != nil {
		return nil, err
	}
	switch tok {
	case asl.TokenNull:
		return nil, nil
	case asl.TokenTrue:
		return true, nil
	case asl.TokenFalse:
		return false, nil
	case asl.TokenString:
		return s.Text(), nil
	case asl.TokenNumber:
		return s.Number(), nil
	case asl.TokenArray:
		a := make([]any, 0, 4)
		for {
			more, err := s.NextElem()
			if err != nil {
				return nil, err
			}
			if !more {
				return a, nil
			}
			v, err := buildValue(s)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	default: // asl.TokenObject
		o := newObject(4)
		for {
			more, err := s.NextKey()
			if err != nil {
				return nil, err
			}
			if !more {
				return o, nil
			}
			k := s.Text()
			v, err := buildValue(s)
			if err != nil {
				return nil, err
			}
			o.set(k, v)
		}
	}
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
		return asl.AppendString(b, x)
	case *Object:
		b = append(b, '{')
		for i, m := range x.m {
			if i > 0 {
				b = append(b, ',')
			}
			b = asl.AppendString(b, m.k)
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
