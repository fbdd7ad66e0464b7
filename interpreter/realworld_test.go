package interpreter_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/interpreter"
)

// TestRealworldDefinitions reads ../shared/aws/realworld in place: state
// machines that users deployed on AWS (from AWS's sample repositories), so
// AWS accepted them. Every one not listed in INVALID.tsv must pass asl
// validation without errors and load in the interpreter; the only loads
// allowed to fail are those using a distributed Map's ItemReader, which
// the local interpreter does not run (an *interpreter.UnsupportedError).
func TestRealworldDefinitions(t *testing.T) {
	dir := needShared(t, filepath.Join(sharedDir, "aws", "realworld"))
	invalid := readInvalid(t, filepath.Join(dir, "INVALID.tsv"))
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	checked, valid, loaded, itemReader := 0, 0, 0, 0
	for _, f := range files {
		if invalid[filepath.Base(f)] {
			continue
		}
		checked++
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		probs, err := asl.Validate(data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		ok := true
		for _, p := range probs {
			if p.Severity == diag.SevError {
				t.Errorf("%s: %v", f, p)
				ok = false
			}
		}
		if ok {
			valid++
		}
		_, err = interpreter.Compile(data)
		var ue *interpreter.UnsupportedError
		switch {
		case err == nil:
			loaded++
		case errors.As(err, &ue) && strings.Contains(ue.Feature, "ItemReader"):
			itemReader++
		default:
			t.Errorf("%s: does not load: %v", f, err)
		}
	}
	t.Logf("%d definitions: %d pass asl validation, %d load, %d use the distributed Map's ItemReader (not supported locally)",
		checked, valid, loaded, itemReader)
	// The folder's README: 192 definitions, those in INVALID.tsv skipped;
	// nine use ItemReader (issue 9: 191/191 validate, 182/191 load).
	if checked != 191 || valid != 191 || loaded != 182 || itemReader != 9 {
		t.Errorf("got %d checked, %d valid, %d loaded, %d with ItemReader; want 191, 191, 182, 9", checked, valid, loaded, itemReader)
	}
}

func readInvalid(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if first {
			continue // header
		}
		if name, _, _ := strings.Cut(sc.Text(), "\t"); name != "" {
			out[name] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
