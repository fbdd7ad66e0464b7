package diag

import (
	"errors"
	"fmt"
	"strings"
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

func TestSnippetLongLineAndControls(t *testing.T) {
	// Issue 10 item 11: a 10 MB line of NUL bytes must not be printed whole.
	long := strings.Repeat("\x00", 10<<20)
	e := &Error{File: "x.hsd", Pos: Pos{Line: 1, Col: 5 << 20}, Msg: "bad", Source: long}
	s := e.Snippet()
	if len(s) > 1000 {
		t.Fatalf("snippet of a 10 MB line is %d bytes", len(s))
	}
	lines := strings.Split(s, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "    ...\\x00") || !strings.HasSuffix(lines[0], "\\x00...") {
		t.Fatalf("snippet = %q", s)
	}
	// The caret sits under the start of the escaped character at the column.
	caret := strings.Index(lines[1], "^")
	if lines[0][caret:caret+4] != `\x00` {
		t.Errorf("caret at %d points at %q", caret, lines[0][caret:])
	}

	tests := []struct {
		src  string
		col  int
		want string
	}{
		{"a\x1b[2Jb", 3, "    a\\x1b[2Jb\n         ^"},
		{"\tx", 2, "     x\n     ^"},
		{"é\xffz", 3, "    é\\xffz\n         ^"},
		{"abc", 4, "    abc\n       ^"},
	}
	for _, tt := range tests {
		e := &Error{Pos: At(0, 1, tt.col), Source: tt.src}
		if got := e.Snippet(); got != tt.want {
			t.Errorf("Snippet(%q, col %d) =\n%s\nwant\n%s", tt.src, tt.col, got, tt.want)
		}
	}
	// A long line cut at both ends keeps the caret on the column's character.
	line := strings.Repeat("a", 300) + "X" + strings.Repeat("b", 300)
	e = &Error{Pos: Pos{Line: 1, Col: 301}, Source: line}
	parts := strings.Split(e.Snippet(), "\n")
	if c := strings.Index(parts[1], "^"); parts[0][c] != 'X' {
		t.Errorf("caret misplaced:\n%s", e.Snippet())
	}
}

func TestPrinter(t *testing.T) {
	s := NewSource("f.hsd", []byte("Pass()\nbad line\n"))
	w := s.Errorf(Pos{Line: 2, Col: 5}, "unknown word")
	w.Severity = SevWarning
	var b strings.Builder
	if err := Fprint(&b, "hsc", fmt.Errorf("wrapped: %w", List{w})); err != nil {
		t.Fatal(err)
	}
	want := "f.hsd:2:5: warning: unknown word\n    bad line\n        ^\n"
	if b.String() != want {
		t.Errorf("Fprint =\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	Fprint(&b, "hsc", errors.New("plain"))
	if b.String() != "hsc: plain\n" {
		t.Errorf("plain error printed as %q", b.String())
	}
	if (List{w}).Err() != nil {
		t.Error("a list of warnings is an error")
	}
	e := s.Errorf(Pos{Line: 1, Col: 1}, "boom")
	if err := (List{w, e}).Err(); err == nil {
		t.Error("a list with an error is no error")
	}
	if l, ok := AsList(fmt.Errorf("x: %w", e)); !ok || len(l) != 1 || l[0] != e {
		t.Errorf("AsList of a wrapped *Error = %v, %v", l, ok)
	}
}
