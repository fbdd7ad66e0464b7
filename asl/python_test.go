package asl

import (
	"strings"
	"testing"
)

func TestPythonStringEscapes(t *testing.T) {
	tests := []struct {
		in, want, ascii string
	}{
		{"plain", `"plain"`, `"plain"`},
		{`a"b\c`, `"a\"b\\c"`, `"a\"b\\c"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`, `"\n\r\t\b\f"`},
		{"\x01\x1f\x7f", `"\u0001\u001f` + "\x7f\"", `"\u0001\u001f\u007f"`},
		{"ünï 名 🙂", `"ünï 名 🙂"`, `"\u00fcn\u00ef \u540d \ud83d\ude42"`},
	}
	for _, tt := range tests {
		if got := string(NewString(tt.in).EncodePython(PythonFormat{Indent: OneLine})); got != tt.want {
			t.Errorf("EncodePython(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if got := string(NewString(tt.in).EncodePython(PythonFormat{Indent: OneLine, EnsureASCII: true})); got != tt.ascii {
			t.Errorf("EncodePython(%q, ensure_ascii) = %s, want %s", tt.in, got, tt.ascii)
		}
	}
}

// TestPythonSortKeys checks sort_keys=True against what Python 3 prints for
// json.dumps({"b": 1, "a": {"z": [{"y": 1, "x": 2}], "B": 0}, "é": 0, "e": 0,
// "\U0001F600": 0, "\uff61": 0}, sort_keys=True): keys by code point, at
// every depth, inside arrays too (U+FF61 before U+1F600, although UTF-16
// order would put the surrogate pair first).
func TestPythonSortKeys(t *testing.T) {
	v, err := ParseValue([]byte(`{"b": 1, "a": {"z": [{"y": 1, "x": 2}], "B": 0}, "é": 0, "e": 0, "😀": 0, "｡": 0}`))
	if err != nil {
		t.Fatal(err)
	}
	got := string(v.EncodePython(PythonFormat{Indent: OneLine, SortKeys: true}))
	want := `{"a": {"B": 0, "z": [{"x": 2, "y": 1}]}, "b": 1, "e": 0, "é": 0, "｡": 0, "😀": 0}`
	if got != want {
		t.Errorf("sorted:\n got %s\nwant %s", got, want)
	}
	// The tree itself is not reordered.
	if v.Members[0].Key != "b" {
		t.Error("SortKeys changed the value")
	}
}

func TestPythonLayoutsAndNumbers(t *testing.T) {
	v, err := ParseValue([]byte(`{"a": [1, 1.0, 1e300, -0, 1E2, 0.00001, 12345678901234567890], "b": {}, "c": []}`))
	if err != nil {
		t.Fatal(err)
	}
	v.Members[0].Value.Elems[2] = NewNumber("1e400") // built in code: the reader refuses it
	tests := []struct {
		f    PythonFormat
		want string
	}{
		{PythonFormat{Indent: OneLine}, `{"a": [1, 1.0, 1e400, -0, 1E2, 0.00001, 12345678901234567890], "b": {}, "c": []}`},
		{PythonFormat{Indent: OneLine, ReprNumbers: true}, `{"a": [1, 1.0, Infinity, 0, 100.0, 1e-05, 12345678901234567890], "b": {}, "c": []}`},
		{PythonFormat{Indent: OneLine, Compact: true}, `{"a":[1,1.0,1e400,-0,1E2,0.00001,12345678901234567890],"b":{},"c":[]}`},
		{PythonFormat{Indent: 3}, "{\n   \"a\": [\n      1,\n      1.0,\n      1e400,\n      -0,\n      1E2,\n      0.00001,\n      12345678901234567890\n   ],\n   \"b\": {},\n   \"c\": []\n}"},
		{PythonFormat{Indent: 0}, "{\n\"a\": [\n1,\n1.0,\n1e400,\n-0,\n1E2,\n0.00001,\n12345678901234567890\n],\n\"b\": {},\n\"c\": []\n}"},
	}
	for _, tt := range tests {
		if got := string(v.EncodePython(tt.f)); got != tt.want {
			t.Errorf("format %+v:\n got %s\nwant %s", tt.f, got, tt.want)
		}
	}
	// Deep indentation beyond the cached run of blanks.
	deep := NewArray(NewArray(NewArray(NewInt(1))))
	got := string(deep.EncodePython(PythonFormat{Indent: 2000}))
	if want := "[\n" + strings.Repeat(" ", 2000) + "[\n" + strings.Repeat(" ", 4000) + "[\n" + strings.Repeat(" ", 6000) + "1"; !strings.HasPrefix(got, want) {
		t.Errorf("deep indentation wrong (len %d)", len(got))
	}
}

func TestPythonFloat(t *testing.T) {
	for in, want := range map[float64]string{
		1: "1.0", 0.5: "0.5", 1e16: "1e+16", 1e15: "1000000000000000.0", 2.5e-5: "2.5e-05",
		0.0001: "0.0001", -1.5: "-1.5", 123456789.125: "123456789.125",
	} {
		if got := PythonFloat(in); got != want {
			t.Errorf("PythonFloat(%v) = %s, want %s", in, got, want)
		}
	}
}

// TestPyStrWordAtATime checks the eight-bytes-at-a-time scan of str: a
// long string is written exactly as the rune-by-rune writing of short
// strings (which never take that path), with every kind of character to
// escape at every position of the word.
func TestPyStrWordAtATime(t *testing.T) {
	write := func(s string, ascii bool) string {
		w := pyWriter{f: PythonFormat{EnsureASCII: ascii}}
		return string(w.str(nil, s))
	}
	specials := []string{"\x00", "\x01", "\x1f", " ", "\"", "\\", "~", "\x7f", "\u0080", "é", "\u2028", "\U0001F600", "\n", "!", "#", "[", "]"}
	for _, ascii := range []bool{false, true} {
		for n := 8; n <= 20; n++ {
			for pos := 0; pos < n; pos++ {
				for _, sp := range specials {
					s := strings.Repeat("a", pos) + sp + strings.Repeat("z", n-pos)
					want := `"`
					for _, r := range s {
						want += strings.TrimSuffix(strings.TrimPrefix(write(string(r), ascii), `"`), `"`)
					}
					want += `"`
					if got := write(s, ascii); got != want {
						t.Fatalf("EnsureASCII=%v: str(%q) = %s, want %s", ascii, s, got, want)
					}
				}
			}
		}
	}
}
