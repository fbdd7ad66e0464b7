package sfnlocal

import (
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	seen := map[string]bool{}
	for _, prefix := range []string{"a", "machine", strings.Repeat("p", 100)} {
		for range 3 {
			n := Name(t, prefix)
			if len(n) > 80 {
				t.Errorf("Name(%q) = %q: longer than 80", prefix, n)
			}
			if !strings.HasPrefix(n, prefix[:min(len(prefix), 10)]) {
				t.Errorf("Name(%q) = %q: does not start with the prefix", prefix, n)
			}
			if seen[n] {
				t.Errorf("Name(%q) repeated %q", prefix, n)
			}
			seen[n] = true
		}
	}
}
