package interpreter

import "testing"

func TestDefinesFunction(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{`$f := function($n) { $n <= 1 ? 1 : $n * $f($n - 1) }; $f(5)`, true},
		{`($g := λ($x){ $g($x) }; $g(1))`, true},
		{`$states.input.function`, false},
		{`"function" & $x`, false},
		{`$myfunction(1)`, false},
		{`$sum([1,2])`, false},
	}
	for _, tt := range tests {
		if got := definesFunction(tt.src); got != tt.want {
			t.Errorf("definesFunction(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
	if _, err := compileJSONata(`($f := function($n){ $f($n) }; $f(1))`); err == nil {
		t.Error("a recursive function compiled; it would overflow the stack")
	}
}
