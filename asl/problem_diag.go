package asl

import (
	"bytes"

	"github.com/hsc-dev/hsc/diag"
)

// Diag converts p into a diagnostic of src, the text the definition was
// read from (its name is the diagnostic's file, and the line at p.Pos its
// source line). src may be nil. The message is p's; the code and JSON
// pointer are kept.
func (p Problem) Diag(src *diag.Source) *diag.Error {
	e := &diag.Error{Pos: p.Pos, Msg: p.Msg, Severity: p.Severity, Code: string(p.Code), Pointer: p.Pointer}
	if src != nil {
		e.File = src.Name
		if p.Pos.IsValid() {
			e.Source = lineText(src, int(p.Pos.Line))
		}
	}
	return e
}

// lineText is src.LineText(n), without indexing every line of the text
// for the first one (where the definition-size problem is: compiling a
// large program should not cost a pass over its text for that).
func lineText(src *diag.Source, n int) string {
	if n != 1 {
		return src.LineText(n)
	}
	t := src.Text
	if i := bytes.IndexAny(t, "\r\n"); i >= 0 {
		t = t[:i]
	}
	return string(t)
}

// Diags converts problems with Problem.Diag, in their order.
func Diags(problems []Problem, src *diag.Source) diag.List {
	out := make(diag.List, len(problems))
	for i, p := range problems {
		out[i] = p.Diag(src)
	}
	return out
}

// Diag converts a JSON syntax error into a diagnostic of src.
func (e *SyntaxError) Diag(src *diag.Source) *diag.Error {
	d := &diag.Error{Pos: e.Pos, Msg: "invalid JSON: " + e.Msg, Severity: diag.SevError, Code: "INVALID_JSON"}
	if src != nil {
		d.File = src.Name
		d.Source = src.LineText(int(e.Pos.Line))
	}
	return d
}
