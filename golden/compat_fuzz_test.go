package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	hsc "github.com/hsc-dev/hsc"
)

// FuzzExtensionsKeepHeaviside holds the extensions to their rule
// (docs/dsl-extensions.md): a program that compiles with --compat
// heaviside compiles to the same bytes with the extensions on, since an
// extension is only syntax heaviside rejects.
func FuzzExtensionsKeepHeaviside(f *testing.F) {
	for _, pattern := range []string{"testdata/*.hsd", "testdata/ext/*.hsd", "testdata/compat/*.hsd", "testdata/errors/*.hsd", filepath.Join(parityDir, "*", "*.hsd")} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		opts := []hsc.Option{hsc.WithRegion("us-east-1"), hsc.WithAccountID("123456789012")}
		hs, err := hsc.Compile(src, append(opts, hsc.WithCompat(hsc.CompatHeaviside))...)
		if err != nil {
			return
		}
		ext, err := hsc.Compile(src, opts...)
		if err != nil {
			t.Fatalf("heaviside's language compiles, the extensions refuse: %v", err)
		}
		if !bytes.Equal(hs.Definition, ext.Definition) {
			t.Fatalf("the extensions change the output:\nheaviside: %s\nextended:  %s", hs.Definition, ext.Definition)
		}
	})
}
