// Package diag holds source positions and compile diagnostics shared by every
// stage of the compiler (lexer, parser, sema). It knows nothing about the
// Heaviside grammar or the States Language; it only records where in a file
// something went wrong and how to show it to a person.
package diag

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// Unicode code points (characters), as editors do. Offset is the 0-based
// byte offset. The zero Pos means "no position".
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// IsValid reports whether p names a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string {
	if !p.IsValid() {
		return "-"
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Col)
}

// Severity tells an error from a warning.
type Severity int

const (
	SevError Severity = iota
	SevWarning
)

func (s Severity) String() string {
	if s == SevWarning {
		return "warning"
	}
	return "error"
}

// Error is one positioned diagnostic. Error() is "file:line:col: message".
type Error struct {
	File     string
	Pos      Pos
	Msg      string
	Source   string // the text of the source line, without its newline
	Severity Severity
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Pos.IsValid() {
		fmt.Fprintf(&b, "%d:%d: ", e.Pos.Line, e.Pos.Col)
	} else if e.File != "" {
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Line and Column give the 1-based line and column (0 when unknown).
func (e *Error) Line() int   { return e.Pos.Line }
func (e *Error) Column() int { return e.Pos.Col }

// Snippet renders the source line with a caret under the column, for
// terminals. It returns "" when the source line is unknown.
func (e *Error) Snippet() string {
	if e.Source == "" || !e.Pos.IsValid() {
		return ""
	}
	var b strings.Builder
	b.WriteString("    ")
	line := strings.ReplaceAll(e.Source, "\t", " ")
	b.WriteString(line)
	b.WriteString("\n    ")
	col := e.Pos.Col - 1
	n := 0
	for range line {
		if n >= col {
			break
		}
		n++
	}
	b.WriteString(strings.Repeat(" ", n))
	b.WriteString("^")
	return b.String()
}

// List is a list of diagnostics; it implements error when non-empty.
type List []*Error

func (l List) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Sort orders the list by file, then position.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Pos.Col < b.Pos.Col
	})
}

// Unwrap gives errors.As access to every element.
func (l List) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Source is a file's content with a line index, used to fetch a line's
// text for diagnostics. Lines end at "\n", "\r\n" or a lone "\r" (Python's
// universal newlines, as the lexer counts them). The index is built on first
// use, since most compiles never need it.
type Source struct {
	Name string
	Text []byte

	once  sync.Once
	lines []int // byte offset of the start of each line
}

// NewSource returns a Source for src.
func NewSource(name string, src []byte) *Source {
	return &Source{Name: name, Text: src}
}

func (s *Source) index() {
	s.once.Do(func() {
		s.lines = append(make([]int, 0, 1+bytes.Count(s.Text, []byte{'\n'})), 0)
		for i := 0; i < len(s.Text); i++ {
			switch s.Text[i] {
			case '\n':
				s.lines = append(s.lines, i+1)
			case '\r':
				if i+1 < len(s.Text) && s.Text[i+1] == '\n' {
					i++
				}
				s.lines = append(s.lines, i+1)
			}
		}
	})
}

// LineText returns line n (1-based) without its line ending.
func (s *Source) LineText(n int) string {
	s.index()
	if n < 1 || n > len(s.lines) {
		return ""
	}
	start := s.lines[n-1]
	end := len(s.Text)
	if n < len(s.lines) {
		end = s.lines[n]
	}
	for end > start && (s.Text[end-1] == '\n' || s.Text[end-1] == '\r') {
		end--
	}
	return string(s.Text[start:end])
}

// NumLines is the number of lines in the source.
func (s *Source) NumLines() int {
	s.index()
	return len(s.lines)
}

// Errorf builds a positioned error with the source line attached.
func (s *Source) Errorf(p Pos, format string, args ...any) *Error {
	e := &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
	if s != nil {
		e.File = s.Name
		e.Source = s.LineText(p.Line)
	}
	return e
}
