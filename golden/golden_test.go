package golden

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	hsc "github.com/hsc-dev/hsc"
)

var update = flag.Bool("update", false, "rewrite the golden .sfn files from the current output")

const (
	goldenRegion  = "us-east-1"
	goldenAccount = "123456789012"
)

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.hsd")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	// testdata/ext: the DSL extensions (docs/dsl-extensions.md); the
	// expected output follows the AWS States Language specification.
	ext, err := filepath.Glob("testdata/ext/*.hsd")
	if err != nil || len(ext) == 0 {
		t.Fatalf("no extension inputs: %v", err)
	}
	files = append(files, ext...)
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".hsd")
		if filepath.Base(filepath.Dir(in)) == "ext" {
			name = "ext/" + name
		}
		t.Run(name, func(t *testing.T) {
			opts := []hsc.Option{hsc.WithRegion(goldenRegion), hsc.WithAccountID(goldenAccount), hsc.WithIndent(3)}
			if strings.HasPrefix(name, "ext/") {
				opts = append(opts, hsc.WithStrict()) // extensions write what AWS accepts
			}
			res, err := hsc.CompileFile(in, opts...)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			want := strings.TrimSuffix(in, ".hsd") + ".sfn"
			if *update {
				if err := os.WriteFile(want, append(res.Definition, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("missing golden file (run go test ./golden -update): %v", err)
			}
			if diff := cmp.Diff(string(exp), string(res.Definition)+"\n"); diff != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", in, want, diff)
			}
		})
	}
}

// TestGoldenErrors compiles each testdata/errors/*.hsd and checks the first
// diagnostic against the *.err file ("line:col: message").
func TestGoldenErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.hsd")
	if err != nil || len(files) == 0 {
		t.Fatalf("no error inputs: %v", err)
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".hsd")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(in, ".hsd") + ".err")
			if err != nil {
				t.Fatal(err)
			}
			_, err = hsc.CompileFile(in)
			if err == nil {
				t.Fatalf("compiled; want error %q", want)
			}
			var ce *hsc.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *hsc.Error", err, err)
			}
			if ce.File != in {
				t.Errorf("File = %q, want %q", ce.File, in)
			}
			got := ce.Pos.String() + ": " + ce.Msg
			if got != strings.TrimSpace(string(want)) {
				t.Errorf("got  %q\nwant %q", got, strings.TrimSpace(string(want)))
			}
			if !strings.HasPrefix(err.Error(), in+":"+ce.Pos.String()+": ") {
				t.Errorf("Error() = %q, want file:line:col: prefix", err.Error())
			}
		})
	}
}
