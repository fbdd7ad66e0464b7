package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

func TestParseValueAccepts(t *testing.T) {
	tests := []struct {
		in   string
		want string // the value written back compactly
	}{
		// Too small for a float64 reads as 0: in range, kept as written.
		{`1e-400`, `1e-400`},
		{`[1.7976931348623157e308, -1e308]`, `[1.7976931348623157e308,-1e308]`},
		// A lone surrogate decodes to U+FFFD; a pair to its character.
		{`"\ud800x"`, "\"\uFFFDx\""},
		{`"\udc00\ud800"`, "\"\uFFFD\uFFFD\""},
		{`"\ud83d\ude00"`, `"😀"`},
		{strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)},
	}
	for _, tt := range tests {
		v, err := ParseValue([]byte(tt.in))
		if err != nil {
			t.Errorf("ParseValue(%.40q): %v", tt.in, err)
			continue
		}
		if got := string(v.Encode(0)); got != tt.want {
			t.Errorf("ParseValue(%.40q) written back as %.60q, want %.60q", tt.in, got, tt.want)
		}
	}
}

func TestParseValueErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
	}{
		{"empty", "", 1, 1, "end of input"},
		{"only space", "  \n ", 2, 2, "end of input"},
		{"unclosed object", "{\n  \"a\": 1", 2, 9, "expected ',' or '}'"},
		{"unclosed array", "[1, 2", 1, 6, "expected ',' or ']'"},
		{"trailing comma", `{"a": 1,}`, 1, 9, "expected a string key"},
		{"missing colon", `{"a" 1}`, 1, 6, "expected ':'"},
		{"bare word", `{"a": yes}`, 1, 7, "expected a JSON value"},
		{"trailing text", `{} x`, 1, 4, "after the JSON value"},
		{"unterminated string", `{"a": "b}`, 1, 7, "unterminated string"},
		{"bad escape", `"\q"`, 1, 2, "invalid escape"},
		{"bad unicode escape", `"\u12G4"`, 1, 2, `invalid \u escape`},
		{"control char", "\"a\tb\"", 1, 3, "control character"},
		{"invalid utf8", "{\"é\": \"\xff\"}", 1, 8, "invalid UTF-8"},
		{"NUL", "{\x00}", 1, 2, "NUL byte"},
		{"leading zero", `01`, 1, 2, "invalid number"},
		{"bare minus", `-`, 1, 2, "expected a digit"},
		{"dot no digits", `1.`, 1, 3, "after '.'"},
		{"exponent no digits", `1e+`, 1, 4, "exponent"},
		{"hex", `0x10`, 1, 2, "invalid number"},
		{"NaN", `NaN`, 1, 1, "expected a JSON value"},
		{"column counts characters", "{\"ééé\": tru}", 1, 9, "expected a JSON value"},
		{"too deep", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), 1, MaxDepth + 1, "nesting too deep"},
		{"out of range", `{"a": [1, 1e400]}`, 1, 11, "out of range"},
		{"negative out of range", `-2.5E+308`, 1, 1, "out of range"},
		{"400 digits", strings.Repeat("9", 400), 1, 1, "out of range"},
		{"invalid utf8 in key", "{\"a\xc3\": 1}", 1, 4, "invalid UTF-8"},
		{"unterminated key", `{"a`, 1, 2, "unterminated string"},
		{"missing value", `{"a":}`, 1, 6, "expected a JSON value"},
		{"empty element", `[1,,2]`, 1, 4, "expected a JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseValue([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseValue = %v, %v; want a *SyntaxError", v, err)
			}
			if int(se.Pos.Line) != tt.line || int(se.Pos.Col) != tt.col {
				t.Errorf("at %d:%d, want %d:%d (%v)", se.Pos.Line, se.Pos.Col, tt.line, tt.col, se)
			}
			if !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", se.Msg, tt.msg)
			}
			if int(se.Pos.Offset) < 0 || int(se.Pos.Offset) > len(tt.in) {
				t.Errorf("offset %d outside the input", se.Pos.Offset)
			}
		})
	}
}

func TestParseValue(t *testing.T) {
	in := "\xEF\xBB\xBF{\r\n \"b\": [1.0, -2e3, true, false, null],\r\n \"a\": {\"s\": \"\\u00e9\\ud83d\\ude00\\n\\\"\"}, \"a\": 2}"
	v, err := ParseValue([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{v.Members[0].Key, v.Members[1].Key, v.Members[2].Key}; strings.Join(got, ",") != "b,a,a" {
		t.Errorf("member order %v", got)
	}
	if n, ok := v.Get("a").Int64(); !ok || n != 2 {
		t.Errorf("Get returns the last duplicate: %v %v", n, ok)
	}
	if s := v.Members[1].Value.Get("s").Str; s != "é😀\n\"" {
		t.Errorf("decoded string %q", s)
	}
	b := v.Get("b")
	if b.Elems[0].Str != "1.0" {
		t.Errorf("number literal %q, want 1.0", b.Elems[0].Str)
	}
	if n, ok := b.Elems[0].Int64(); !ok || n != 1 {
		t.Errorf("1.0 as integer: %d %v", n, ok)
	}
	if f, ok := b.Elems[1].Float64(); !ok || f != -2000 {
		t.Errorf("-2e3 = %v %v", f, ok)
	}
	if p := b.Elems[2].Pos; p.Line != 2 || p.Col != 19 {
		t.Errorf("true at %d:%d, want 2:19 (CRLF line endings, BOM skipped)", p.Line, p.Col)
	}
	if got := v.Lookup("/b/4"); got == nil || got.Kind != KindNull {
		t.Errorf("Lookup /b/4 = %v", got)
	}
	for _, bad := range []string{"/b/5", "/b/01", "/c", "b", "/b/-1", "/a/s/x"} {
		if v.Lookup(bad) != nil {
			t.Errorf("Lookup(%q) found something", bad)
		}
	}
	want := `{"b":[1.0,-2e3,true,false,null],"a":{"s":"é😀\n\""},"a":2}`
	if got := string(v.Encode(0)); got != want {
		t.Errorf("Encode(0) = %s\nwant %s", got, want)
	}
}

func TestPointerToken(t *testing.T) {
	v, err := ParseValue([]byte(`{"a/b": {"c~d": 1}}`))
	if err != nil {
		t.Fatal(err)
	}
	ptr := "/" + PointerToken("a/b") + "/" + PointerToken("c~d")
	if ptr != "/a~1b/c~0d" {
		t.Errorf("pointer %q", ptr)
	}
	if got := v.Lookup(ptr); got == nil || got.Str != "1" {
		t.Errorf("Lookup(%q) = %v", ptr, got)
	}
}

func TestParseLargeArray(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("[")
	for i := range 100000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"k":"é"}`)
	}
	b.WriteString("]")
	v, err := ParseValue(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Elems) != 100000 {
		t.Fatalf("%d elements", len(v.Elems))
	}
	if last := v.Elems[99999].Pos; last.Line != 1 || last.Col != 2+99999*10 {
		t.Errorf("last element at %d:%d", last.Line, last.Col)
	}
}

func BenchmarkParseLargeArray(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("[")
	for i := range 100000 {
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString(`{"k":"é"}`)
	}
	buf.WriteString("]")
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := ParseValue(buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseValue checks that parsing never panics, that errors are
// positioned inside the input, and that what parses survives a write and
// re-read unchanged; and that Validate and the model accept whatever parses
// without panicking.
func FuzzParseValue(f *testing.F) {
	f.Add([]byte(valid))
	f.Add([]byte(`{"a": [1, 2.5e-3, "x\u00e9", null, true]}`))
	f.Add([]byte(machine(`"A": {"Type": "Choice", "Choices": [{"Not": {"Variable": "$.a", "IsNull": true}, "Next": "A"}]}`)))
	f.Add([]byte(validJSONata))
	for _, sub := range []string{"corpus", "mutants", "edges", "heaviside-tests"} {
		files, _ := filepath.Glob(filepath.Join(parityDir, sub, "*.sfn"))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseValue(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError", err)
			}
			if int(se.Pos.Offset) < 0 || int(se.Pos.Offset) > len(data) || int(se.Pos.Line) < 1 || int(se.Pos.Col) < 1 {
				t.Fatalf("bad position %+v for %d bytes", se.Pos, len(data))
			}
			return
		}
		out := v.Encode(2)
		v2, err := ParseValue(out)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", out, err)
		}
		if out2 := v2.Encode(2); !bytes.Equal(out, out2) {
			t.Fatalf("write/read/write differs:\n%s\n%s", out, out2)
		}
		ValidateValue(v)
		if m, err := FromValue(v); err == nil {
			m.Validate()
			m.Encode(0)
		}
	})
}

// BenchmarkValidate validates the largest parity definition.
func BenchmarkValidate(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(parityDir, "corpus", "*.sfn"))
	var data []byte
	for _, name := range files {
		if d, err := os.ReadFile(name); err == nil && len(d) > len(data) {
			data = d
		}
	}
	if data == nil {
		testenv.Skip(b, "no parity data at "+parityDir)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Validate(data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestScannerNumber checks the values Scanner.Number gives, on both sides
// of where it stops adding digits up itself (18 digits) and hands the
// literal to strconv: integers that fit in an int64 are int64s, anything
// else a float64.
func TestScannerNumber(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"0", int64(0)},
		{"-0", int64(0)},
		{"7", int64(7)},
		{"-42", int64(-42)},
		{"999999999999999999", int64(999999999999999999)},
		{"-999999999999999999", int64(-999999999999999999)},
		{"1000000000000000000", int64(1000000000000000000)},
		{"9223372036854775807", int64(9223372036854775807)},
		{"-9223372036854775808", int64(-9223372036854775808)},
		{"9223372036854775808", float64(9223372036854775808)},
		{"-9223372036854775809", float64(-9223372036854775809)},
		{"12345678901234567890123", 12345678901234567890123.0},
		{"1.5", 1.5},
		{"-2e3", -2000.0},
		{"1E2", 100.0},
		{"0.0", 0.0},
	}
	for _, tt := range tests {
		s := NewScanner([]byte(tt.in))
		tok, err := s.Next()
		if err != nil || tok != TokenNumber {
			t.Fatalf("%s: token %v, err %v", tt.in, tok, err)
		}
		if got := s.Number(); got != tt.want {
			t.Errorf("Number(%s) = %v (%T), want %v (%T)", tt.in, got, got, tt.want, tt.want)
		}
	}
}

// TestValueInt64 checks Int64 on integer literals of every length around
// the fast path's 18 digits, signs and leading zeros, against strconv and
// the float form (1.0 counts as 1; out of range and fractions do not).
func TestValueInt64(t *testing.T) {
	tests := []struct {
		lit  string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"-0", 0, true},
		{"7", 7, true},
		{"007", 7, true},
		{"-42", -42, true},
		{"999999999999999999", 999999999999999999, true},   // 18 digits
		{"-999999999999999999", -999999999999999999, true}, // 18 digits
		{"9223372036854775807", 9223372036854775807, true}, // 19 digits: strconv
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false}, // over int64, and not exactly a float64 integer in range
		{"1.0", 1, true},
		{"1e3", 1000, true},
		{"1.5", 0, false},
		{"-", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		n, ok := NewNumber(tt.lit).Int64()
		if n != tt.want || ok != tt.ok {
			t.Errorf("Int64(%q) = %d, %v; want %d, %v", tt.lit, n, ok, tt.want, tt.ok)
		}
	}
}

// AppendMarshalString writes what encoding/json's Marshal writes for a
// string; AppendString differs from it only in leaving HTML characters
// and U+2028/U+2029 unescaped.
func TestAppendStringForms(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\`, "a<b>&c", "\u2028\u2029", "\x00\x1f\n\t\b\f\r", "bad\xffutf8", "héllo ☃"} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendMarshalString(nil, s); string(got) != string(want) {
			t.Errorf("AppendMarshalString(%q) = %s, want %s", s, got, want)
		}
		plain := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\u2028`, "\u2028", `\u2029`, "\u2029").Replace(string(want))
		if got := AppendString(nil, s); string(got) != plain {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, plain)
		}
	}
}
