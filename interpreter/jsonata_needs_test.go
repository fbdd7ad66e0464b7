package interpreter

import (
	"slices"
	"testing"
)

func TestNeedsOf(t *testing.T) {
	tests := []struct {
		src     string
		context bool
		vars    []string
	}{
		{`$states.input.a + $x`, false, []string{"states", "x"}},
		{`$states.context.Execution.Name`, true, []string{"states"}},
		{`$keys($states)`, true, []string{"keys", "states"}},
		{`$lookup($states, 'context')`, true, []string{"lookup", "states"}},
		{`$a_1 & $b`, false, []string{"a_1", "b"}},
		{`$`, false, nil},
	}
	for _, tt := range tests {
		n := needsOf(tt.src)
		if n.context != tt.context || !slices.Equal(n.vars, tt.vars) {
			t.Errorf("needsOf(%q) = %v %q, want %v %q", tt.src, n.context, n.vars, tt.context, tt.vars)
		}
	}
}
