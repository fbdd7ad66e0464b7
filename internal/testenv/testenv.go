// Package testenv is what tests call when they need something from outside
// the repository: the shared test data in ../shared (next to the module
// root), the local Step Functions server, or a privilege such as mounting
// a file system. Missing, the test is skipped loudly: the skip is
// recorded, and [Main] prints one summary line per reason when the
// package's tests end. Under CI=true the test fails instead, so CI can
// never pass by skipping.
//
// A package that uses it calls [Main] from its TestMain:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// It only knows the environment contract (CI, the ../shared layout); it
// must not know about hsc's packages. It keeps the skips in a
// process-wide tally, which is what a summary across a package's tests
// needs; nothing outside tests imports it.
package testenv

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// CI reports whether the tests run in CI (CI=true), where a missing
// requirement is a failure.
func CI() bool { return os.Getenv("CI") == "true" }

// tally counts skipped tests per reason for the summary.
var tally = struct {
	sync.Mutex
	reasons map[string][]string
}{reasons: map[string][]string{}}

// Skip skips t because reason (what is missing and how to provide it), or
// fails it under CI=true. The skip is counted in the summary [Main] prints.
func Skip(t testing.TB, reason string) {
	t.Helper()
	if CI() {
		t.Fatalf("CI=true, and %s", reason)
	}
	tally.Lock()
	tally.reasons[reason] = append(tally.reasons[reason], t.Name())
	tally.Unlock()
	t.Skip("SKIPPED: " + reason)
}

// Shared returns the path of elem inside the shared test data folder
// (../shared next to the module root, e.g. Shared(t, "parity")), skipping
// the test (failing it under CI=true) when it does not exist.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	p, err := SharedPath(elem...)
	if err != nil {
		Skip(t, err.Error())
	}
	return p
}

// SharedPath is Shared for callers without a testing.TB (fuzz seed
// corpora, examples): the path, or an error saying what is missing.
func SharedPath(elem ...string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(append([]string{filepath.Dir(root), "shared"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("shared test data %s not found (link ../shared next to the repository)", p)
	}
	return p, nil
}

// moduleRoot returns the folder holding go.mod, from the test's working
// directory (its package folder) upwards.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test's folder")
		}
		dir = parent
	}
}

// SkipLogVar names an environment variable holding a file that [Main]
// appends its summary to. go test shows a passing package's output only
// with -v, so .ci/run sets it and prints the file at the end.
const SkipLogVar = "HSC_SKIP_LOG"

// Main runs the package's tests and then prints, on standard error, how
// many tests were skipped for each missing requirement (and appends the
// same lines to the file $HSC_SKIP_LOG names, if set). It exits with the
// tests' status.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main without the exit: it returns the tests' status, for a
// TestMain that has to clean up after them.
func Run(m *testing.M) int {
	code := m.Run()
	Summary(os.Stderr)
	if log := os.Getenv(SkipLogVar); log != "" {
		if f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			Summary(f)
			if err := f.Close(); err != nil {
				fmt.Fprintf(os.Stderr, "testenv: %s: %v\n", log, err)
			}
		}
	}
	return code
}

// Summary writes one line per reason tests were skipped, naming the
// package (its folder in the module).
func Summary(w io.Writer) {
	pkg := "."
	if root, err := moduleRoot(); err == nil {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(root, wd); err == nil {
				pkg = filepath.ToSlash(rel)
			}
		}
	}
	tally.Lock()
	defer tally.Unlock()
	reasons := make([]string, 0, len(tally.reasons))
	for r := range tally.reasons {
		reasons = append(reasons, r)
	}
	slices.Sort(reasons)
	for _, r := range reasons {
		names := tally.reasons[r]
		shown := names
		if len(shown) > 5 {
			shown = append(slices.Clip(shown[:5]), "...")
		}
		fmt.Fprintf(w, "SKIPPED %d test(s) in %s: %s (CI=true makes this a failure): %v\n", len(names), pkg, r, shown)
	}
}

// Golden compares got with the golden file at path, naming the first line
// that differs. With update (the test binary's -update flag, which the
// calling package defines) it writes got to path instead.
func Golden(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to record)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			t.Fatalf("output differs from %s at line %d:\n got: %s\nwant: %s", path, i+1, gl[i], wl[i])
		}
	}
	t.Fatalf("output differs from %s: %d lines, want %d", path, len(gl), len(wl))
}
