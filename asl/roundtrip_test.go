package asl

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

// parityDir is the shared parity data, read in place.
const parityDir = "../../shared/parity"

func paritySFN(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, sub := range []string{"corpus", "mutants", "edges", "heaviside-tests"} {
		m, err := filepath.Glob(filepath.Join(parityDir, sub, "*.sfn"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		testenv.Skip(t, "no parity data at "+parityDir)
	}
	return files
}

// TestRoundTrip parses every parity definition into the typed model and
// writes it back with heaviside's layout (indent 3): the bytes must match.
func TestRoundTrip(t *testing.T) {
	for _, f := range paritySFN(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimRight(data, "\n")
		m, err := Parse(data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if got := m.Encode(3); !bytes.Equal(got, want) {
			t.Errorf("%s: typed round trip differs:\n%s", f, firstDiff(got, want))
		}
		v, err := ParseValue(data)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Encode(3); !bytes.Equal(got, want) {
			t.Errorf("%s: Value round trip differs:\n%s", f, firstDiff(got, want))
		}
	}
}

func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-80)
	return "got:  ..." + string(got[lo:min(len(got), i+80)]) + "\nwant: ..." + string(want[lo:min(len(want), i+80)])
}
