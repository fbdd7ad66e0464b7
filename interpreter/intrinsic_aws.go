package interpreter

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Helpers that make the intrinsic functions behave as Step Functions' own
// (a Java service) does, where that differs from what Go does by default.

// javaRound rounds x half up, as Java's Math.round does: 1.5 is 2, -1.5 is
// -1, -2.5 is -2 (Go's math.Round gives -2 and -3).
func javaRound(x float64) float64 {
	f := math.Floor(x)
	if x-f >= 0.5 {
		return f + 1
	}
	return f
}

// argRounded reads a number argument, rounding a non-integer to the nearest
// integer as the intrinsic functions page says ArrayPartition, ArrayRange,
// MathAdd and MathRandom do.
func argRounded(v any, what string) (int64, error) {
	if n, ok := v.(int64); ok { // the common case, inlined
		return n, nil
	}
	return argRoundedFloat(v, what)
}

// argRoundedFloat is argRounded for an argument that is not an int64.
func argRoundedFloat(v any, what string) (int64, error) {
	if x, ok := v.(float64); ok {
		r := javaRound(x)
		if math.Abs(r) < 1<<53 {
			return int64(r), nil
		}
	}
	return 0, fmt.Errorf("%s must be a number within ±2^53, got %s", what, encodeJSON(v))
}

// formatArg renders one States.Format argument. Strings go in as they are;
// objects and arrays as Java's Map and List toString write them
// ({Arg1=1, Arg2=[]}), which is what Step Functions gives.
func formatArg(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case *Object:
		b.WriteByte('{')
		for i, m := range x.m {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(m.k)
			b.WriteByte('=')
			formatArg(b, m.v)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			formatArg(b, e)
		}
		b.WriteByte(']')
	default:
		b.WriteString(encodeJSON(v))
	}
}

// formatArgLen is the length formatArg would write, or more than limit
// once it passes limit, without building the text.
func formatArgLen(v any, limit int) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case *Object:
		n := 2
		for i, m := range x.m {
			if i > 0 {
				n += 2
			}
			n += len(m.k) + 1 + formatArgLen(m.v, limit-n)
			if n > limit {
				return n
			}
		}
		return n
	case []any:
		n := 2
		for i, e := range x {
			if i > 0 {
				n += 2
			}
			n += formatArgLen(e, limit-n)
			if n > limit {
				return n
			}
		}
		return n
	}
	return jsonLen(v, limit)
}

// jsonLen is the length of v's compact JSON text, or more than limit once
// it passes limit.
func jsonLen(v any, limit int) int {
	switch x := v.(type) {
	case nil:
		return 4
	case bool:
		if x {
			return 4
		}
		return 5
	case int64:
		return len(strconv.AppendInt(nil, x, 10))
	case float64:
		return len(appendJSON(nil, x))
	case string:
		n := 2
		for i := 0; i < len(x); i++ {
			switch c := x[i]; {
			case c == '"' || c == '\\':
				n += 2
			case c < 0x20:
				n += 6
			default:
				n++
			}
		}
		return n
	case *Object:
		n := 1
		for _, m := range x.m {
			n += jsonLen(m.k, limit-n) + 2 + jsonLen(m.v, limit-n)
			if n > limit {
				return n
			}
		}
		return max(n, 2)
	case []any:
		n := 1
		for _, e := range x {
			n += jsonLen(e, limit-n) + 1
			if n > limit {
				return n
			}
		}
		return max(n, 2)
	}
	return len(appendJSON(nil, v))
}

// javaHashOrder orders the members of a merged object as Step Functions
// returns them: States.JsonMerge builds a java.util.HashMap, whose
// iteration order is by bucket (the key's String.hashCode, spread and
// masked by the table size), then by insertion. Recorded on AWS:
// merging {"constant_in_literal"} with {"constant_input_field"} gives
// constant_input_field first.
func javaHashOrder(o *Object) {
	n := len(o.m)
	size := 16
	for float64(n) > 0.75*float64(size) {
		size *= 2
	}
	bucket := func(k string) int {
		var h int32
		for _, u := range utf16Units(k) {
			h = 31*h + int32(u)
		}
		x := uint32(h)
		return int((x ^ x>>16) & uint32(size-1))
	}
	type keyed struct {
		b int
		m member
	}
	tmp := make([]keyed, n)
	for i, m := range o.m {
		tmp[i] = keyed{bucket(m.k), m}
	}
	slices.SortStableFunc(tmp, func(a, b keyed) int { return a.b - b.b })
	for i := range tmp {
		o.m[i] = tmp[i].m
	}
}

// utf16Units returns s as UTF-16 code units, as Java strings hold it.
func utf16Units(s string) []uint16 {
	out := make([]uint16, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}
