package ast

import (
	"math"
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/diag"
)

// Number is a numeric literal as Python reads it: an integer of any size
// (Text holds its decimal digits, without leading zeros, and without sign
// except for a negative literal, which only the extensions accept: "-5")
// or a float.
type Number struct {
	IsInt bool
	Text  string  // integers: canonical decimal digits
	Float float64 // floats
}

// JSON is a JSON value from the DSL: nil (null), bool, Number, string,
// *Object or []JSON.
type JSON any

// Object is a JSON object that keeps the first position of a repeated key and
// its last value, as a Python dict does.
type Object struct {
	Keys  []string
	Vals  []JSON
	index map[string]int
}

// Set adds or replaces a member.
func (o *Object) Set(k string, v JSON) {
	if o.index == nil && len(o.Keys) >= 8 {
		o.index = make(map[string]int, len(o.Keys)*2)
		for i, key := range o.Keys {
			o.index[key] = i
		}
	}
	if o.index != nil {
		if i, ok := o.index[k]; ok {
			o.Vals[i] = v
			return
		}
		o.index[k] = len(o.Keys)
	} else {
		for i, key := range o.Keys {
			if key == k {
				o.Vals[i] = v
				return
			}
		}
	}
	o.Keys = append(o.Keys, k)
	o.Vals = append(o.Vals, v)
}

// ValueKind is the type of a comparison or Wait value.
type ValueKind uint8

const (
	StringVal ValueKind = iota
	NumberVal
	BoolVal
	TimestampVal // a string that parses as an ISO 8601 timestamp
)

// Value is a scalar used in comparisons, switch cases and Wait.
type Value struct {
	Kind ValueKind
	Pos  diag.Pos
	Str  string // StringVal, TimestampVal
	Num  Number
	Bool bool
	// Path (extension) is a comparison with another variable, written
	// `string_path('$.b')`, `numeric_path(...)`, `boolean_path(...)` or
	// `timestamp_path(...)`: Str holds the path, Kind the type compared
	// (StringEqualsPath, NumericLessThanPath, ...).
	Path bool
	// Typed (extension) is a literal written with its type named,
	// `string('2024-01-01')`, `timestamp('...')`, `numeric(1)`,
	// `boolean(true)`: Kind is that type, not the one heaviside infers.
	Typed bool
}

// String formats the number as Python's str() does: integers as digits,
// floats as repr (1.0, 0.5, 1e+16, 2.5e-05, inf).
func (n Number) String() string {
	if n.IsInt {
		return n.Text
	}
	return FormatFloat(n.Float)
}

// FormatFloat formats f as Python's repr(float): what json.dumps writes,
// but inf, -inf and nan for the values JSON has no literal for.
func FormatFloat(f float64) string {
	switch s := asl.PythonFloat(f); s {
	case "Infinity":
		return "inf"
	case "-Infinity":
		return "-inf"
	case "NaN":
		return "nan"
	default:
		return s
	}
}

// ParseNumber converts a NUMBER token's text as heaviside does: int(text),
// else float(text); ok is false for text that is neither (hex, octal,
// binary and imaginary literals).
func ParseNumber(text string) (Number, bool) {
	clean := strings.ReplaceAll(text, "_", "")
	isDec := clean != ""
	for i := 0; i < len(clean); i++ {
		if clean[i] < '0' || clean[i] > '9' {
			isDec = false
			break
		}
	}
	if isDec {
		t := strings.TrimLeft(clean, "0")
		if t == "" {
			t = "0"
		}
		return Number{IsInt: true, Text: t}, true
	}
	for i := 0; i < len(clean); i++ {
		c := clean[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return Number{}, false
		}
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil && !math.IsInf(f, 0) && f != 0 {
		return Number{}, false
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err != strconv.ErrRange {
			return Number{}, false
		}
	}
	return Number{Float: f}, true
}
