package hsc_test

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/internal/testenv"
)

var updateSnapshot = flag.Bool("update", false, "rewrite testdata/compile-warnings.golden from the current compiler")

// TestCompileWarningsSnapshot pins the warnings hsc.Compile reports
// (asl's validator on the compiled tree, mapped to DSL positions) for
// every program under ../shared/parity and the benchmark program, against
// testdata/compile-warnings.golden: making the validation faster must not
// change a problem, its pointer or its position. Run with -update to
// record a deliberate change.
func TestCompileWarningsSnapshot(t *testing.T) {
	root := testenv.Shared(t, "parity")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Ext(path) == ".hsd" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, testenv.Shared(t, "bench", "large.hsd"))
	shared := filepath.Dir(root)
	var b strings.Builder
	for _, path := range files {
		rel, _ := filepath.Rel(shared, path)
		fmt.Fprintf(&b, "%s\n", filepath.ToSlash(rel))
		res, err := hsc.CompileFile(path)
		if err != nil {
			var list diag.List
			if !errors.As(err, &list) {
				// The file's name in the message is the one under ../shared.
				fmt.Fprintf(&b, "\terror: %s\n", strings.ReplaceAll(err.Error(), path, filepath.ToSlash(rel)))
				continue
			}
			fmt.Fprintf(&b, "\t%d errors\n", len(list))
			continue
		}
		for _, w := range res.Warnings {
			fmt.Fprintf(&b, "\t%d:%d@%d\t%s\t%s\t%s\t%s\t%q\n", w.Pos.Line, w.Pos.Col, w.Pos.Offset, w.Severity, w.Code, w.Pointer, w.Msg, w.Source)
		}
	}
	got := b.String()
	testenv.Golden(t, filepath.Join("testdata", "compile-warnings.golden"), got, *updateSnapshot)
}
