package interpreter

import (
	"strconv"
	"testing"
)

// TestTopKey checks the top level's precomputed event keys against the
// general form "<scope>.<seq>".
func TestTopKey(t *testing.T) {
	for seq := range 130 {
		sc := &scope{path: "r", seq: seq}
		if got, want := sc.peekKey(), "r."+strconv.Itoa(seq); got != want {
			t.Errorf("key %d = %q, want %q", seq, got, want)
		}
	}
	sc := &scope{path: "r.4/2", seq: 7}
	if got := sc.peekKey(); got != "r.4/2.7" {
		t.Errorf("branch key = %q, want r.4/2.7", got)
	}
}
