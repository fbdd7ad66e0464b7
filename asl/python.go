package asl

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// PythonFormat selects how EncodePython lays out JSON, after the arguments
// of Python's json.dumps. json.dumps's default layout (one line, ", "
// between items and ": " after keys) is Indent: OneLine; the zero value is
// json.dumps(indent=0), one item per line without indentation.
type PythonFormat struct {
	// Indent >= 0 writes one item per line, indented by Indent spaces per
	// level (json.dumps(indent=n)); Indent < 0 (OneLine) writes one line.
	Indent int
	// Compact, on one line, drops the spaces after ',' and ':'
	// (separators=(",", ":")).
	Compact bool
	// SortKeys orders every object's members by key, recursively
	// (sort_keys=True): by code point, which is the byte order of UTF-8.
	// Members with equal keys keep their order.
	SortKeys bool
	// EnsureASCII escapes every non-ASCII character as \uXXXX, with
	// surrogate pairs above U+FFFF (ensure_ascii=True, json.dumps's
	// default; heaviside's compiler output turns it off).
	EnsureASCII bool
	// ReprNumbers writes each number as Python prints the value json.loads
	// makes of it: integers as they are (-0 as 0), other numbers as
	// repr(float) (1.0, 1e+16, Infinity for an overflow). Without it
	// number literals are written as they are.
	ReprNumbers bool
}

// OneLine is json.dumps's default layout: one line, ", " and ": ".
const OneLine = -1

// EncodePython writes v as Python's json.dumps writes the value json.loads
// makes of v's text, in the layout f selects. A nil v is null.
func (v *Value) EncodePython(f PythonFormat) []byte {
	return v.AppendPython(nil, f)
}

// AppendPython appends EncodePython's output to dst.
func (v *Value) AppendPython(dst []byte, f PythonFormat) []byte {
	w := pyWriter{f: f}
	if f.Indent > 0 {
		w.spaces = "\n" + strings.Repeat(" ", min(f.Indent*32, 1<<12))
	} else {
		w.spaces = "\n"
	}
	return w.value(dst, v, 0)
}

// pyWriter holds the format; the output buffer is passed along and
// returned rather than kept in it: a slice stored through a pointer costs
// a write barrier for every append while the garbage collector is
// marking, and writing a large definition is mostly appends.
type pyWriter struct {
	f      PythonFormat
	spaces string // a newline and a run of blanks to copy indentation from
}

func (w *pyWriter) newline(b []byte, level int) []byte {
	n := level * w.f.Indent
	if n < len(w.spaces) {
		return append(b, w.spaces[:n+1]...)
	}
	b = append(b, w.spaces...)
	for n -= len(w.spaces) - 1; n > 0; {
		k := min(n, len(w.spaces)-1)
		b = append(b, w.spaces[1:1+k]...)
		n -= k
	}
	return b
}

// sep writes what comes before item i of a container at level.
func (w *pyWriter) sep(b []byte, i, level int) []byte {
	if i > 0 {
		b = append(b, ',')
		if w.f.Indent < 0 && !w.f.Compact {
			b = append(b, ' ')
		}
	}
	if w.f.Indent >= 0 {
		b = w.newline(b, level)
	}
	return b
}

func (w *pyWriter) close(b []byte, c byte, n, level int) []byte {
	if n > 0 && w.f.Indent >= 0 {
		b = w.newline(b, level)
	}
	return append(b, c)
}

func (w *pyWriter) value(b []byte, v *Value, level int) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	switch v.Kind {
	case KindNull:
		return append(b, "null"...)
	case KindBool:
		return strconv.AppendBool(b, v.Bool)
	case KindNumber:
		if w.f.ReprNumbers {
			return append(b, PythonNumber(v.Str)...)
		}
		return append(b, v.Str...)
	case KindString:
		return w.str(b, v.Str)
	case KindArray:
		b = append(b, '[')
		for i, e := range v.Elems {
			b = w.sep(b, i, level+1)
			b = w.value(b, e, level+1)
		}
		return w.close(b, ']', len(v.Elems), level)
	case KindObject:
		b = append(b, '{')
		members := v.Members
		if w.f.SortKeys && !slices.IsSortedFunc(members, cmpMember) {
			members = slices.Clone(members)
			slices.SortStableFunc(members, cmpMember)
		}
		for i := range members {
			m := &members[i]
			b = w.sep(b, i, level+1)
			b = w.str(b, m.Key)
			b = append(b, ':')
			if !w.f.Compact || w.f.Indent >= 0 {
				b = append(b, ' ')
			}
			b = w.value(b, m.Value, level+1)
		}
		return w.close(b, '}', len(members), level)
	}
	return append(b, "null"...)
}

// pyNeedsEscape8 reports whether any of the eight bytes of s is one str
// escapes: below 0x20, '"', '\\', or with ascii 0x7f and above. It tests
// them as one word ("has a byte less than n" and "has a zero byte" from
// the well-known bit tricks; they never miss a byte, which is all that is
// needed here).
func pyNeedsEscape8(s string, ascii bool) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	less := func(x, n uint64) uint64 { return (x - ones*n) & ^x & highs } // some byte < n (n <= 128)
	q, bs := x^(ones*'"'), x^(ones*'\\')
	special := less(x, 0x20) | less(q, 1) | less(bs, 1)
	if ascii {
		special |= x&highs | less(x^(ones*0x7f), 1)
	}
	return special != 0
}

func cmpMember(a, b Member) int { return strings.Compare(a.Key, b.Key) }

// str writes a JSON string as json.dumps does: Python's short escapes for
// '"', '\\', \n, \r, \t, \b and \f, \u00XX for other control characters,
// and with EnsureASCII \uXXXX for everything above U+007E.
func (w *pyWriter) str(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip eight bytes at a time while none needs escaping: most
		// strings need none.
		if i+8 <= len(s) && !pyNeedsEscape8(s[i:i+8], w.f.EnsureASCII) {
			i += 8
			continue
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && (c < 0x7f || !w.f.EnsureASCII) {
			i++
			continue
		}
		b = append(b, s[start:i]...)
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
		case c < 0x80:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default: // EnsureASCII and a non-ASCII character
			r, size := utf8.DecodeRuneInString(s[i:])
			units := []rune{r}
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				units = []rune{r1, r2}
			}
			for _, u := range units {
				b = append(b, '\\', 'u', hex[u>>12&0xf], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
			}
			i += size
			start = i
			continue
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// PythonNumber returns the JSON number literal lit as Python prints the
// value json.loads makes of it: an integer exactly (-0 as 0), anything with
// a fraction or exponent as repr(float), Infinity or -Infinity when it
// overflows a double.
func PythonNumber(lit string) string {
	if !strings.ContainsAny(lit, ".eE") {
		if strings.Trim(lit, "-0") == "" {
			return "0"
		}
		return lit
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !math.IsInf(f, 0) {
		return lit
	}
	return PythonFloat(f)
}

// PythonFloat formats f as Python's json.dumps writes a float: repr(f)
// (shortest round-trip digits, scientific below 1e-4 and from 1e16), with
// Infinity, -Infinity and NaN for the values JSON has no literal for.
func PythonFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // [-]d.ddddde±XX
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	b := make([]byte, 0, 24)
	if neg {
		b = append(b, '-')
	}
	switch {
	case exp < -4 || exp >= 16:
		b = append(b, digits[0])
		if len(digits) > 1 {
			b = append(b, '.')
			b = append(b, digits[1:]...)
		}
		b = append(b, 'e')
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		b = strconv.AppendInt(b, int64(exp), 10)
	case exp < 0:
		b = append(b, "0."...)
		for range -exp - 1 {
			b = append(b, '0')
		}
		b = append(b, digits...)
	case len(digits) <= exp+1:
		b = append(b, digits...)
		for range exp + 1 - len(digits) {
			b = append(b, '0')
		}
		b = append(b, ".0"...)
	default:
		b = append(b, digits[:exp+1]...)
		b = append(b, '.')
		b = append(b, digits[exp+1:]...)
	}
	return string(b)
}
