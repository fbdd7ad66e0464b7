package codegen

import (
	"math"
	"testing"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/diag"
)

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
	b := &builder{}
	v := b.json(obj, diag.Pos{Line: 3, Col: 1})
	for _, tt := range tests {
		if got := string(Encode(v, tt.f, 0)); got != tt.want {
			t.Errorf("format %+v:\n got %s\nwant %s", tt.f, got, tt.want)
		}
	}
}

// TestSourceMap checks that every value of a compiled definition carries
// the position of the DSL text it came from.
func TestSourceMap(t *testing.T) {
	pos := func(l, c int) diag.Pos { return diag.At(0, l, c) }
	m := &ast.Machine{States: []*ast.State{
		{Kind: ast.Pass, Pos: pos(1, 1), Name: "A", HasNext: true, Next: "B",
			Parameters: &ast.Modifier{Kind: ast.ModParameters, Pos: pos(2, 5), Params: &ast.Params{
				Keys: []ast.Str{{Pos: pos(3, 9), Value: "k.$"}, {Pos: pos(4, 9), Value: "k.$"}},
				Vals: []ast.JSON{"$.a", ast.Number{IsInt: true, Text: "7"}},
			}}},
		{Kind: ast.Succeed, Pos: pos(6, 1), Name: "B"},
	}}
	def := Build(m)
	sm := NewSourceMap(def)
	for ptr, want := range map[string]diag.Pos{
		"/States/A":                pos(1, 1),
		"/States/A/Next":           pos(1, 1),
		"/States/A/Parameters":     pos(2, 5),
		"/States/A/Parameters/k.$": pos(4, 9), // a repeated key's value is the last one
		"/States/B/Type":           pos(6, 1),
		"/StartAt":                 pos(1, 1),
	} {
		if got, ok := sm.Pos(ptr); !ok || got != want {
			t.Errorf("Pos(%s) = %v %v, want %v", ptr, got, ok, want)
		}
	}
	// ...while the key keeps its first place and position.
	if v := def.Lookup("/States/A/Parameters/k.$"); v == nil || v.Kind != asl.KindNumber || v.Str != "7" {
		t.Errorf("repeated parameter = %+v", v)
	}
	if m := def.Lookup("/States/A/Parameters").Members; len(m) != 1 || m[0].KeyPos != pos(3, 9) {
		t.Errorf("repeated parameter members = %+v", m)
	}
	if _, ok := sm.Pos("/States/Nope"); ok {
		t.Error("a missing pointer has a position")
	}
	n := 0
	for ptr, p := range sm.All() {
		if !p.IsValid() {
			t.Errorf("%s has no position", ptr)
		}
		n++
	}
	if n < 8 {
		t.Errorf("All yielded %d pointers", n)
	}
}
