// Package codegen writes a linked, checked state machine as States Language
// JSON, byte for byte as heaviside 2.2.5 writes it: heaviside's key order and
// Python's json.dumps formatting (float repr, integers of any size,
// non-ASCII unescaped, Python's escapes for control characters).
//
// codegen owns the JSON text. It must not check anything: every error is
// found by sema before codegen runs.
package codegen

import (
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/sema"
)

// Format selects the JSON layout.
type Format struct {
	// Indent >= 0 writes one item per line indented by Indent spaces per
	// level (json.dumps(indent=N)). Indent < 0 writes one line.
	Indent int
	// Compact, with Indent < 0, drops the spaces after ',' and ':'.
	Compact bool
}

// Write returns the definition of m.
// sizeHint, when known, is the source size: the output is usually a few
// times larger, and reserving it up front avoids repeated copying.
func Write(m *ast.Machine, f Format, sizeHint int) []byte {
	w := &writer{f: f, buf: make([]byte, 1<<12+sizeHint*6)}
	if f.Indent > 0 {
		w.spaces = "\n" + strings.Repeat(" ", f.Indent*64)
	} else {
		w.spaces = "\n"
	}
	w.begin('{')
	w.states(m.States)
	if m.Comment != nil {
		w.key("Comment")
		w.str(m.Comment.Value)
	}
	if m.Version != nil {
		w.key("Version")
		w.str(m.Version.Value)
	}
	if m.Timeout != nil {
		w.key("TimeoutSeconds")
		w.number(m.Timeout.Value)
	}
	w.end('}')
	return w.buf[:w.n:w.n]
}

// writer appends to buf[:n]. Writing by index rather than with append keeps
// pointer stores (and so GC write barriers) out of the hot path.
type writer struct {
	f     Format
	buf   []byte // len(buf) is the capacity in use
	n     int
	level int
	first []bool
	// spaces is a newline and a run of blanks to copy indentation from.
	spaces string
}

func (w *writer) grow(k int) {
	nb := make([]byte, 2*len(w.buf)+k)
	copy(nb, w.buf[:w.n])
	w.buf = nb
}

func (w *writer) raw(s string) {
	if w.n+len(s) > len(w.buf) {
		w.grow(len(s))
	}
	w.n += copy(w.buf[w.n:], s)
}

func (w *writer) byte1(c byte) {
	if w.n >= len(w.buf) {
		w.grow(1)
	}
	w.buf[w.n] = c
	w.n++
}

func (w *writer) newline() {
	n := w.level * w.f.Indent
	if n < len(w.spaces) {
		w.raw(w.spaces[:n+1]) // "\n" and the indentation in one copy
		return
	}
	w.raw(w.spaces)
	for n -= len(w.spaces) - 1; n > 0; {
		k := min(n, len(w.spaces)-1)
		w.raw(w.spaces[1 : 1+k])
		n -= k
	}
}

func (w *writer) begin(c byte) {
	w.byte1(c)
	w.level++
	w.first = append(w.first, true)
}

func (w *writer) end(c byte) {
	w.level--
	empty := w.first[len(w.first)-1]
	w.first = w.first[:len(w.first)-1]
	if !empty && w.f.Indent >= 0 {
		w.newline()
	}
	w.byte1(c)
}

// item starts a new element of the innermost container.
func (w *writer) item() {
	top := len(w.first) - 1
	if !w.first[top] {
		w.byte1(',')
		if w.f.Indent < 0 && !w.f.Compact {
			w.byte1(' ')
		}
	}
	w.first[top] = false
	if w.f.Indent >= 0 {
		w.newline()
	}
}

func (w *writer) key(k string) {
	w.item()
	w.str(k)
	w.byte1(':')
	if !w.f.Compact || w.f.Indent >= 0 {
		w.byte1(' ')
	}
}

const hexDigits = "0123456789abcdef"

// str writes a JSON string as Python's json.dumps(ensure_ascii=False).
func (w *writer) str(s string) {
	w.byte1('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		w.raw(s[start:i])
		switch c {
		case '"':
			w.raw(`\"`)
		case '\\':
			w.raw(`\\`)
		case '\n':
			w.raw(`\n`)
		case '\r':
			w.raw(`\r`)
		case '\t':
			w.raw(`\t`)
		case '\b':
			w.raw(`\b`)
		case '\f':
			w.raw(`\f`)
		default:
			w.raw(`\u00`)
			w.byte1(hexDigits[c>>4])
			w.byte1(hexDigits[c&0xf])
		}
		start = i + 1
	}
	w.raw(s[start:])
	w.byte1('"')
}

func (w *writer) number(n ast.Number) {
	if n.IsInt {
		w.raw(n.Text)
		return
	}
	switch s := ast.FormatFloat(n.Float); s {
	case "inf":
		w.raw("Infinity")
	case "-inf":
		w.raw("-Infinity")
	case "nan":
		w.raw("NaN")
	default:
		w.raw(s)
	}
}

func (w *writer) boolean(b bool) {
	if b {
		w.raw("true")
	} else {
		w.raw("false")
	}
}

// json writes a JSON value from a data: or parameters: block (the parser
// bounds its depth).
func (w *writer) json(v ast.JSON) {
	switch x := v.(type) {
	case nil:
		w.raw("null")
	case bool:
		w.boolean(x)
	case ast.Number:
		w.number(x)
	case string:
		w.str(x)
	case *ast.Object:
		w.begin('{')
		for i, k := range x.Keys {
			w.key(k)
			w.json(x.Vals[i])
		}
		w.end('}')
	case []ast.JSON:
		w.begin('[')
		for _, e := range x {
			w.item()
			w.json(e)
		}
		w.end(']')
	}
}

func (w *writer) strList(xs []string) {
	w.begin('[')
	for _, x := range xs {
		w.item()
		w.str(x)
	}
	w.end(']')
}

func errorsOrAll(xs []string) []string {
	if len(xs) == 0 {
		return []string{"States.ALL"}
	}
	return xs
}

// states writes "States" and "StartAt" of a branch.
func (w *writer) states(states []*ast.State) {
	w.key("States")
	w.begin('{')
	for _, s := range states {
		w.key(s.Name)
		w.state(s)
	}
	w.end('}')
	w.key("StartAt")
	w.str(states[0].Name)
}

// strMod writes key with a string modifier's value, if the modifier is set.
func (w *writer) strMod(key string, m *ast.Modifier) {
	if m != nil {
		w.key(key)
		w.str(m.Str)
	}
}

// intMod writes key with an integer modifier's value, if the modifier is set.
func (w *writer) intMod(key string, m *ast.Modifier) {
	if m != nil {
		w.key(key)
		w.number(m.Int)
	}
}

func (w *writer) state(s *ast.State) {
	w.begin('{')
	w.key("Type")
	w.str(s.Kind.String())
	if s.Comment != nil {
		w.key("Comment")
		w.str(*s.Comment)
	}
	w.intMod("TimeoutSeconds", s.Timeout)
	w.intMod("HeartbeatSeconds", s.Heartbeat)
	w.strMod("InputPath", s.Input)
	w.strMod("ResultPath", s.Result)
	w.strMod("OutputPath", s.Output)
	if s.Data != nil {
		w.key("Result")
		w.json(s.Data.Data)
	}
	if len(s.Catch) > 0 {
		w.key("Catch")
		w.begin('[')
		for _, m := range s.Catch {
			c := m.Catch
			w.item()
			w.begin('{')
			w.key("ErrorEquals")
			w.strList(errorsOrAll(c.Errors))
			w.key("Next")
			w.str(c.Next)
			if c.ResultPath != nil {
				w.key("ResultPath")
				w.str(*c.ResultPath)
			}
			w.end('}')
		}
		w.end(']')
	}
	if len(s.Retry) > 0 {
		w.key("Retry")
		w.begin('[')
		for _, m := range s.Retry {
			r := m.Retry
			w.item()
			w.begin('{')
			w.key("ErrorEquals")
			w.strList(errorsOrAll(r.Errors))
			w.key("IntervalSeconds")
			w.number(r.Interval)
			w.key("MaxAttempts")
			w.number(r.Max)
			w.key("BackoffRate")
			b := r.Backoff
			if b.IsInt {
				f, _ := strconv.ParseFloat(b.Text, 64)
				b = ast.Number{Float: f}
			}
			w.number(b)
			w.end('}')
		}
		w.end(']')
	}
	if s.Kind == ast.Map {
		w.key("Iterator")
		w.begin('{')
		w.states(s.IterStates)
		w.end('}')
	}
	w.strMod("ItemsPath", s.ItemsPath)
	w.intMod("MaxConcurrency", s.MaxConcurrency)
	switch s.Kind {
	case ast.Fail:
		w.key("Error")
		w.str(s.Error)
		w.key("Cause")
		w.str(s.Cause)
	case ast.Pass, ast.Map:
		if s.Parameters != nil {
			w.params(s.Parameters.Params)
		}
	case ast.TaskKind:
		w.key("Resource")
		w.str(s.Task.Resource)
		if s.Parameters != nil {
			w.params(s.Parameters.Params)
		}
	case ast.Wait:
		w.key(waitKey(s.Wait.Key))
		w.value(s.Wait.Value)
	case ast.Choice:
		for _, b := range s.Choices {
			if b.Cond == nil {
				w.key("Default")
				w.str(b.Target)
			}
		}
		w.key("Choices")
		w.begin('[')
		for _, b := range s.Choices {
			if b.Cond != nil {
				w.item()
				w.cond(b.Cond, &b.Target)
			}
		}
		w.end(']')
	case ast.Parallel:
		w.key("Branches")
		w.begin('[')
		for _, b := range s.Branches {
			w.item()
			w.begin('{')
			w.states(b.States)
			w.end('}')
		}
		w.end(']')
	}
	if s.HasNext {
		w.key("Next")
		w.str(s.Next)
	}
	if s.End {
		w.key("End")
		w.boolean(true)
	}
	w.end('}')
}

func waitKey(k string) string {
	switch k {
	case "seconds":
		return "Seconds"
	case "seconds_path":
		return "SecondsPath"
	case "timestamp":
		return "Timestamp"
	}
	return "TimestampPath"
}

// params writes a parameters: block; a repeated key keeps its first position
// and takes its last value, as a Python dict does.
func (w *writer) params(p *ast.Params) {
	obj := &ast.Object{}
	for i, k := range p.Keys {
		obj.Set(k.Value, p.Vals[i])
	}
	w.key("Parameters")
	w.json(obj)
}

func (w *writer) value(v ast.Value) {
	switch v.Kind {
	case ast.NumberVal:
		w.number(v.Num)
	case ast.BoolVal:
		w.boolean(v.Bool)
	default:
		w.str(v.Str)
	}
}

// cond writes a choice rule; target is nil for nested rules.
func (w *writer) cond(c *ast.Cond, target *string) {
	w.begin('{')
	switch c.Op {
	case "not":
		w.key("Not")
		w.cond(c.Subs[0], nil)
	case "and", "or":
		if c.Op == "and" {
			w.key("And")
		} else {
			w.key("Or")
		}
		w.begin('[')
		for _, sub := range c.Subs {
			w.item()
			w.cond(sub, nil)
		}
		w.end(']')
	case "!=":
		w.key("Not")
		w.begin('{')
		w.key("Variable")
		w.str(c.Var)
		w.key(sema.Operator(c))
		w.value(c.Val)
		w.end('}')
	default:
		w.key("Variable")
		w.str(c.Var)
		w.key(sema.Operator(c))
		w.value(c.Val)
	}
	if target != nil {
		w.key("Next")
		w.str(*target)
	}
	w.end('}')
}
