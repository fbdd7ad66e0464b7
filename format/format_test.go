package format_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/format"
	"github.com/hsc-dev/hsc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// programs lists the .hsd files of the parity corpus and the golden tests.
func programs(t *testing.T) []string {
	var files []string
	err := filepath.WalkDir(testenv.Shared(t, "parity"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".hsd") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	golden, _ := filepath.Glob(filepath.Join("..", "golden", "testdata", "*.hsd"))
	ext, _ := filepath.Glob(filepath.Join("..", "golden", "testdata", "ext", "*.hsd")) // the DSL extensions
	return append(append(files, golden...), ext...)
}

// TestCorpus: on every program hsc accepts in ../shared/parity and
// golden/testdata, formatting is idempotent (fmt(fmt(P)) == fmt(P)) and
// meaning-preserving (compile(fmt(P)) == compile(P) byte for byte), with
// and without WithNameStates (issue 14, part 3).
func TestCorpus(t *testing.T) {
	total, changed, named := 0, 0, 0
	for _, f := range programs(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := hsc.Compile(src)
		if err != nil {
			if _, ferr := format.Source(src); ferr == nil {
				t.Errorf("%s: formatted a program that does not compile", f)
			}
			continue
		}
		total++
		for _, opts := range [][]format.Option{nil, {format.WithNameStates()}} {
			out, err := format.Source(src, opts...)
			if err != nil {
				t.Errorf("%s (%d options): %v", f, len(opts), err)
				continue
			}
			if len(opts) == 0 && !bytes.Equal(out, src) {
				changed++
			}
			got, err := hsc.Compile(out)
			if err != nil {
				t.Errorf("%s: formatted program does not compile: %v\n%s", f, err, out)
				continue
			}
			if !bytes.Equal(got.Definition, want.Definition) {
				t.Errorf("%s: formatting changed the definition\n%s\nwant %s\ngot  %s", f, out, want.Definition, got.Definition)
			}
			again, err := format.Source(out, opts...)
			if err != nil || !bytes.Equal(again, out) {
				t.Errorf("%s (%d options): not idempotent (%v)\nfirst:\n%s\nsecond:\n%s", f, len(opts), err, out, again)
			}
			if len(opts) > 0 && !bytes.Equal(out, src) {
				named++
			}
		}
	}
	t.Logf("%d accepted programs; formatting changed %d; naming states changed %d", total, changed, named)
	if total == 0 {
		t.Fatal("no programs")
	}
}
