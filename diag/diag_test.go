package diag

import (
	"errors"
	"testing"
)

func TestLineText(t *testing.T) {
	s := NewSource("f", []byte("one\r\ntwo\rthree\nfour"))
	want := []string{"one", "two", "three", "four"}
	if s.NumLines() != len(want) {
		t.Fatalf("NumLines = %d, want %d", s.NumLines(), len(want))
	}
	for i, w := range want {
		if got := s.LineText(i + 1); got != w {
			t.Errorf("LineText(%d) = %q, want %q", i+1, got, w)
		}
	}
	if s.LineText(0) != "" || s.LineText(5) != "" {
		t.Error("out-of-range lines should be empty")
	}
}

func TestErrorFormatting(t *testing.T) {
	s := NewSource("flow.hsd", []byte("Pass()\n\tretry [] 1 1 1.0\n"))
	e := s.Errorf(Pos{Offset: 8, Line: 2, Col: 2}, "Pass state cannot contain a %s modifier", "Retry")
	if got := e.Error(); got != "flow.hsd:2:2: Pass state cannot contain a Retry modifier" {
		t.Errorf("Error() = %q", got)
	}
	if got := e.Snippet(); got != "     retry [] 1 1 1.0\n     ^" {
		t.Errorf("Snippet() = %q", got)
	}
	list := List{e, s.Errorf(Pos{Line: 1, Col: 1}, "first")}
	list.Sort()
	if list[0].Msg != "first" {
		t.Errorf("Sort: %v", list)
	}
	var target *Error
	if !errors.As(error(list), &target) || target.Msg != "first" {
		t.Errorf("errors.As through List: %v", target)
	}
}
