package codegen

import (
	"math"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/ast"
)

func TestStringEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"\x01\x1f\x7f", `"\u0001\u001f` + "\x7f\""},
		{"ünï 名 🙂", `"ünï 名 🙂"`},
	}
	for _, tt := range tests {
		w := &writer{buf: make([]byte, 1)} // tiny buffer: exercises growth
		w.str(tt.in)
		if got := string(w.buf[:w.n]); got != tt.want {
			t.Errorf("str(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestJSONLayouts(t *testing.T) {
	obj := &ast.Object{}
	obj.Set("a", []ast.JSON{ast.Number{IsInt: true, Text: "1"}, ast.Number{Float: 2.5}, nil, true})
	obj.Set("b", &ast.Object{})
	obj.Set("c", []ast.JSON{})
	obj.Set("d", ast.Number{Float: math.Inf(1)})
	obj.Set("a", "last value, first position")
	tests := []struct {
		f    Format
		want string
	}{
		{Format{Indent: -1}, `{"a": "last value, first position", "b": {}, "c": [], "d": Infinity}`},
		{Format{Indent: -1, Compact: true}, `{"a":"last value, first position","b":{},"c":[],"d":Infinity}`},
		{Format{Indent: 2}, "{\n  \"a\": \"last value, first position\",\n  \"b\": {},\n  \"c\": [],\n  \"d\": Infinity\n}"},
		{Format{Indent: 0}, "{\n\"a\": \"last value, first position\",\n\"b\": {},\n\"c\": [],\n\"d\": Infinity\n}"},
	}
	for _, tt := range tests {
		w := &writer{f: tt.f, buf: make([]byte, 8)}
		w.spaces = "\n"
		if tt.f.Indent > 0 {
			w.spaces = "\n  " // shorter than the indentation: exercises the long path
		}
		w.json(obj)
		if got := string(w.buf[:w.n]); got != tt.want {
			t.Errorf("format %+v:\n got %s\nwant %s", tt.f, got, tt.want)
		}
	}
}

func TestNewlineLongIndent(t *testing.T) {
	w := &writer{f: Format{Indent: 2}, buf: make([]byte, 4), spaces: "\n  ", level: 5}
	w.newline()
	if got, want := string(w.buf[:w.n]), "\n"+strings.Repeat(" ", 10); got != want {
		t.Errorf("newline at level 5 = %q, want %q", got, want)
	}
}
