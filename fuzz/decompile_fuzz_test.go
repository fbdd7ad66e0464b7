package fuzz

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/decompile"
)

// FuzzDecompile: for any States Language definition, decompile either
// refuses with a *decompile.Error (naming the state and field) or writes a
// program that compiles back to the definition, compared as JSON (issue
// 14 part 2). It never panics. Seeds: the realworld definitions and the
// compiled golden programs.
func FuzzDecompile(f *testing.F) {
	files, _ := filepath.Glob("../../shared/aws/realworld/*.json")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	for _, pattern := range []string{"../golden/testdata/*.hsd", "../golden/testdata/ext/*.hsd"} {
		hsds, _ := filepath.Glob(pattern)
		for _, file := range hsds {
			if b, err := os.ReadFile(file); err == nil {
				if res, err := hsc.Compile(b); err == nil {
					f.Add(res.Definition)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, def []byte) {
		m, err := asl.Parse(def)
		if err != nil {
			return
		}
		text, err := decompile.Decompile(m)
		if err != nil {
			var de *decompile.Error
			if !errors.As(err, &de) {
				t.Fatalf("not a refusal naming state and field: %v\n%s", err, def)
			}
			return
		}
		res, err := hsc.Compile(text)
		if err != nil {
			t.Fatalf("the program does not compile: %v\n%s", err, text)
		}
		var a, b any
		if json.Unmarshal(def, &a) != nil || json.Unmarshal(res.Definition, &b) != nil {
			return
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip differs\n%s\n%s\n%s", def, text, res.Definition)
		}
	})
}

// FuzzDecompileRewired generates definitions from the realworld ones by
// rewiring transitions (a state's Next, a Choice rule's Next or Default, a
// Catcher's Next pointed at another state of the same branch, or End set
// instead of Next), the shapes that decide how decompile lays a program
// out, and checks FuzzDecompile's property on each.
func FuzzDecompileRewired(f *testing.F) {
	files, _ := filepath.Glob("../../shared/aws/realworld/*.json")
	var defs []map[string]any
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		var d map[string]any
		if json.Unmarshal(b, &d) == nil {
			defs = append(defs, d)
		}
	}
	if len(defs) == 0 {
		f.Skip("no realworld definitions")
	}
	f.Add(uint16(0), []byte{1, 2, 3})
	f.Add(uint16(7), []byte{0, 5, 1, 9, 2, 4})
	f.Fuzz(func(t *testing.T, which uint16, ops []byte) {
		var d map[string]any
		b, _ := json.Marshal(defs[int(which)%len(defs)])
		if json.Unmarshal(b, &d) != nil {
			return
		}
		states, _ := d["States"].(map[string]any)
		var names []string
		for n := range states {
			names = append(names, n)
		}
		if len(names) == 0 {
			return
		}
		sortStrings(names)
		for i := 0; i+2 < len(ops) && i < 30; i += 3 {
			s, _ := states[names[int(ops[i])%len(names)]].(map[string]any)
			target := names[int(ops[i+2])%len(names)]
			if s == nil {
				continue
			}
			switch ops[i+1] % 4 {
			case 0:
				if _, ok := s["Next"]; ok {
					s["Next"] = target
				}
			case 1:
				if _, ok := s["Next"]; ok && s["Type"] != "Choice" {
					delete(s, "Next")
					s["End"] = true
				}
			case 2:
				if cs, ok := s["Choices"].([]any); ok && len(cs) > 0 {
					if r, ok := cs[int(ops[i+2])%len(cs)].(map[string]any); ok {
						r["Next"] = target
					}
				} else if _, ok := s["Default"]; ok {
					s["Default"] = target
				}
			case 3:
				if cs, ok := s["Catch"].([]any); ok && len(cs) > 0 {
					if r, ok := cs[0].(map[string]any); ok {
						r["Next"] = target
					}
				}
			}
		}
		def, err := json.Marshal(d)
		if err != nil {
			return
		}
		m, err := asl.Parse(def)
		if err != nil {
			return
		}
		text, err := decompile.Decompile(m)
		if err != nil {
			var de *decompile.Error
			if !errors.As(err, &de) {
				t.Fatalf("not a refusal naming state and field: %v\n%s", err, def)
			}
			return
		}
		res, err := hsc.Compile(text)
		if err != nil {
			t.Fatalf("the program does not compile: %v\n%s\n%s", err, def, text)
		}
		var a, c any
		if json.Unmarshal(def, &a) != nil || json.Unmarshal(res.Definition, &c) != nil {
			return
		}
		if !reflect.DeepEqual(a, c) {
			t.Fatalf("round trip differs\n%s\n%s\n%s", def, text, res.Definition)
		}
	})
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
