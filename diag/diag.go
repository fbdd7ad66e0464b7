// Package diag holds source positions and diagnostics shared by every stage
// of the compiler (lexer, parser, sema), the States Language validator
// (asl converts its problems to diagnostics) and every command, and the one
// printer they all use: "file:line:col: severity: message", then the
// source line with a caret (Error.Fprint, List.Fprint, Fprint). It knows
// nothing about the Heaviside grammar or the States Language; it only
// records where in a file something went wrong and how to show it to a
// person.
package diag

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// Unicode code points (characters), as editors do. Offset is the 0-based
// byte offset. The zero Pos means "no position".
//
// The fields are 32 bits wide: positions are stored in every node of the
// syntax tree and of the compiled definition, and half the size is less
// memory for the garbage collector to go through. Sources larger than
// 2 GiB are refused before anything is positioned (the lexer's limit is
// 1 GiB); At saturates rather than wraps for anything beyond.
type Pos struct {
	Offset int32
	Line   int32
	Col    int32
}

// At returns the position at byte offset, line and column (as ints),
// each saturated at the largest int32.
func At(offset, line, col int) Pos {
	return Pos{Offset: sat32(offset), Line: sat32(line), Col: sat32(col)}
}

func sat32(n int) int32 {
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int32(n)
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

// Error is one positioned diagnostic. Error() is "file:line:col: message";
// Fprint prints it in full: with its severity, the source line and a caret.
type Error struct {
	File     string
	Pos      Pos
	Msg      string
	Source   string // the text of the source line, without its newline
	Severity Severity
	// Code classifies the problem (the validator's codes, such as
	// UNREACHABLE_STATE); "" for a compile error.
	Code string
	// Pointer is the RFC 6901 JSON pointer of the definition value the
	// problem is about; "" when it is not about the definition.
	Pointer string
}

func (e *Error) Error() string {
	var b strings.Builder
	e.writeHead(&b, false)
	return b.String()
}

// writeHead writes "file:line:col: [severity: ]message".
func (e *Error) writeHead(b *strings.Builder, severity bool) {
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Pos.IsValid() {
		fmt.Fprintf(b, "%d:%d: ", e.Pos.Line, e.Pos.Col)
	} else if e.File != "" {
		b.WriteByte(' ')
	}
	if severity {
		b.WriteString(e.Severity.String())
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
}

// Line and Column give the 1-based line and column (0 when unknown).
func (e *Error) Line() int   { return int(e.Pos.Line) }
func (e *Error) Column() int { return int(e.Pos.Col) }

// MaxSnippetWidth is the most characters of a source line a snippet
// shows: a longer line is cut around the column, with "..." marking what
// was left out.
const MaxSnippetWidth = 100

// Snippet renders the source line with a caret under the column, for
// terminals. A tab shows as a space and other control characters (and
// bytes that are not UTF-8) as escapes such as \x00, so that nothing in
// the source can move the caret or drive the terminal; a long line is cut
// around the column. It returns "" when the source line is unknown.
func (e *Error) Snippet() string {
	if e.Source == "" || !e.Pos.IsValid() {
		return ""
	}
	// cells holds what each character near the column shows as; only
	// characters within MaxSnippetWidth of the column are looked at, so a
	// huge line costs no more than a short one beyond finding the column.
	line := e.Source
	col := max(int(e.Pos.Col)-1, 0) // characters before the caret
	first := max(0, col-MaxSnippetWidth)
	var cells []string
	caret := -1
	cutRight := false
	for i, n := 0, 0; i < len(line); n++ {
		if n >= col+MaxSnippetWidth {
			cutRight = true
			break
		}
		r, size := utf8.DecodeRuneInString(line[i:])
		if n < first {
			i += size
			continue
		}
		if n == col {
			caret = len(cells)
		}
		switch {
		case r == '\t':
			cells = append(cells, " ")
		case r == utf8.RuneError && size == 1:
			cells = append(cells, fmt.Sprintf("\\x%02x", line[i]))
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0xfeff:
			if r < 0x100 {
				cells = append(cells, fmt.Sprintf("\\x%02x", r))
			} else {
				cells = append(cells, fmt.Sprintf("\\u%04x", r))
			}
		default:
			cells = append(cells, line[i:i+size])
		}
		i += size
	}
	if caret < 0 {
		caret = len(cells) // the column is at (or past) the end of the line
	}
	// Cut to a window of MaxSnippetWidth characters around the caret.
	from, to := 0, len(cells)
	if to > MaxSnippetWidth {
		from = max(0, caret-MaxSnippetWidth/2)
		to = min(len(cells), from+MaxSnippetWidth)
		from = max(0, to-MaxSnippetWidth)
	}
	cutLeft := first > 0 || from > 0
	cutRight = cutRight || to < len(cells)
	var b strings.Builder
	b.WriteString("    ")
	pad := 0
	if cutLeft {
		b.WriteString("...")
		pad += 3
	}
	for i := from; i < to; i++ {
		b.WriteString(cells[i])
		if i < caret {
			pad += utf8.RuneCountInString(cells[i])
		}
	}
	if cutRight {
		b.WriteString("...")
	}
	b.WriteString("\n    ")
	b.WriteString(strings.Repeat(" ", pad))
	b.WriteString("^")
	return b.String()
}

// Fprint writes e as "file:line:col: severity: message" followed, when the
// source line is known, by the line and a caret under the column.
func (e *Error) Fprint(w io.Writer) error {
	var b strings.Builder
	e.writeHead(&b, true)
	b.WriteByte('\n')
	if s := e.Snippet(); s != "" {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Fprint prints every diagnostic in err (a List, an *Error, or an error
// wrapping either) with Error.Fprint; any other error is printed as
// "prefix: err". It returns the first write error.
func Fprint(w io.Writer, prefix string, err error) error {
	if err == nil {
		return nil
	}
	if l, ok := AsList(err); ok {
		return l.Fprint(w)
	}
	_, werr := fmt.Fprintf(w, "%s: %v\n", prefix, err)
	return werr
}

// AsList returns the diagnostics err holds: the List it is or wraps, or
// the one *Error it is or wraps. ok is false when err holds none.
func AsList(err error) (List, bool) {
	var l List
	if errors.As(err, &l) {
		return l, len(l) > 0
	}
	var e *Error
	if errors.As(err, &e) {
		return List{e}, true
	}
	return nil, false
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

// Err returns l as an error when it holds an error-severity diagnostic,
// else nil (a list of warnings only is no error).
func (l List) Err() error {
	if l.HasErrors() {
		return l
	}
	return nil
}

// HasErrors reports whether any diagnostic of l is an error.
func (l List) HasErrors() bool {
	for _, e := range l {
		if e.Severity == SevError {
			return true
		}
	}
	return false
}

// Fprint prints every diagnostic of l with Error.Fprint.
func (l List) Fprint(w io.Writer) error {
	for _, e := range l {
		if err := e.Fprint(w); err != nil {
			return err
		}
	}
	return nil
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
		e.Source = s.LineText(int(p.Line))
	}
	return e
}
