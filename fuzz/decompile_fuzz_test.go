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
