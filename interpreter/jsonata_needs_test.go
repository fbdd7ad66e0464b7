package interpreter

import (
	"slices"
	"testing"

	"github.com/hsc-dev/hsc/asl"
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

// The JSONata lexer steps back too far after '!' or '~' followed by a
// multi-byte character and then overflows the stack (a fatal error, not a
// panic); such expressions must be refused before they reach it.
func TestJSONataLexerTrap(t *testing.T) {
	for _, src := range []string{"$?!\uFFFD", "1 !é", "$x ~é", "!･"} {
		if _, err := compileJSONata(src); err == nil {
			t.Errorf("compileJSONata(%q) succeeded", src)
		}
		if err := asl.CheckJSONata(src); err == nil {
			t.Errorf("asl.CheckJSONata(%q) succeeded", src)
		}
	}
	for _, src := range []string{`"!é"`, "'~é'", "`!é`", "$a != 'é'", "$x ~> $uppercase"} {
		if _, err := compileJSONata(src); err != nil {
			t.Errorf("compileJSONata(%q): %v", src, err)
		}
	}
}
