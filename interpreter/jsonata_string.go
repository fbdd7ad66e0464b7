package interpreter

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xiatechs/jsonata-go/jtypes"
)

// jsString is JSONata's $string (and what & does to a value that is not a
// string) as JavaScript JSONata, which Step Functions runs, computes it:
// numbers rounded to 15 significant digits and written as JavaScript
// writes numbers (0.1 + 0.2 is "0.3", 1e21 is "1e+21"), objects and arrays
// as JSON.stringify writes them (keys in their order, no HTML escaping:
// "<" stays "<"), functions as "". The engine here (jsonata-go) writes
// "0.30000000000000004", sorts object keys and escapes "<" as \u003c.
func jsString(v reflect.Value, order *jsonOrder, lits map[string]int) string {
	v = jtypes.Resolve(v)
	if s, ok := jtypes.AsString(v); ok {
		return s
	}
	var b strings.Builder
	appendJSValue(&b, v, order, lits)
	return b.String()
}

func appendJSValue(b *strings.Builder, v reflect.Value, order *jsonOrder, lits map[string]int) {
	v = jtypes.Resolve(v)
	switch {
	case !v.IsValid():
		b.WriteString("null")
	case jtypes.IsCallable(v):
		// JSON.stringify leaves functions out; at the top, $string gives "".
	case jtypes.IsString(v):
		s, _ := jtypes.AsString(v)
		appendJSString(b, s)
	case jtypes.IsNumber(v):
		n, _ := jtypes.AsNumber(v)
		b.WriteString(jsNumber(n))
	case jtypes.IsBool(v):
		if t, _ := jtypes.AsBool(v); t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case jtypes.IsArray(v):
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			e := jtypes.Resolve(v.Index(i))
			if e.IsValid() && jtypes.IsCallable(e) {
				b.WriteString("null") // as JSON.stringify writes a function in an array
				continue
			}
			appendJSValue(b, e, order, lits)
		}
		b.WriteByte(']')
	case jtypes.IsMap(v):
		var keys []string
		if m, ok := v.Interface().(map[string]any); ok && order != nil {
			keys = order.keysOf(m, lits)
		} else {
			for _, k := range v.MapKeys() {
				keys = append(keys, k.String())
			}
			slices.Sort(keys)
		}
		b.WriteByte('{')
		first := true
		for _, k := range keys {
			e := jtypes.Resolve(v.MapIndex(reflect.ValueOf(k)))
			if e.IsValid() && jtypes.IsCallable(e) {
				continue // JSON.stringify leaves function members out
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			appendJSString(b, k)
			b.WriteByte(':')
			appendJSValue(b, e, order, lits)
		}
		b.WriteByte('}')
	default:
		b.WriteString("null")
	}
}

// jsNumber writes n as JSONata's $string does: rounded to 15 significant
// digits, then as JavaScript's Number.prototype.toString.
func jsNumber(n float64) string {
	if r, err := strconv.ParseFloat(strconv.FormatFloat(n, 'g', 15, 64), 64); err == nil {
		n = r
	}
	if n == 0 {
		return "0"
	}
	if a := math.Abs(n); a >= 1e21 || a < 1e-6 {
		s := strconv.FormatFloat(n, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		return mant + "e" + string(sign) + exp
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// appendJSString writes s quoted as JSON.stringify does.
func appendJSString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xF])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}
