package activity

import (
	"strings"
	"testing"
)

// Step Functions limits error names to 256 and causes to 32,768
// characters (SendTaskFailure's length constraints), counted as UTF-16
// code units; a cut never splits a character.
func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{strings.Repeat("é", maxCauseLen+5), maxCauseLen, strings.Repeat("é", maxCauseLen)}, // 2 bytes, 1 unit each
		{"a" + strings.Repeat("😀", 200), maxErrorLen, "a" + strings.Repeat("😀", 127)},       // 4 bytes, 2 units each
	}
	for _, tc := range tests {
		if got := truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("truncate(%.20q…, %d): %d bytes, want %d", tc.s, tc.n, len(got), len(tc.want))
		}
	}
}
