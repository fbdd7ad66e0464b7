package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	hsc "github.com/hsc-dev/hsc"
)

// TestSortKeysMatchesPython compiles each golden program with WithSortKeys
// and compares it with what Python 3.11 prints for heaviside's definition
// with json.dumps(..., indent=3, sort_keys=True, ensure_ascii=False), which
// is what heaviside.compile(source, indent=3, sort_keys=True) returns.
// The expected files were made from the golden .sfn files (heaviside's
// output) and, for testdata/sorted/keys.hsd (keys outside ASCII, nested
// objects in arrays), from hsc's unsorted output, with:
//
//	python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin),
//	    indent=3, sort_keys=True, ensure_ascii=False))' < X.sfn
func TestSortKeysMatchesPython(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.hsd")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	inputs = append(inputs, "testdata/sorted/keys.hsd")
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".hsd")
		t.Run(name, func(t *testing.T) {
			res, err := hsc.CompileFile(in, hsc.WithRegion(goldenRegion), hsc.WithAccountID(goldenAccount), hsc.WithIndent(3), hsc.WithSortKeys())
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", "sorted", name+".sfn"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(res.Definition)+"\n"); diff != "" {
				t.Errorf("sorted output differs from Python's (-want +got):\n%s", diff)
			}
		})
	}
}
