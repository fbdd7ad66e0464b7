// Package codegen turns a linked, checked state machine into its States
// Language definition, byte for byte as heaviside 2.2.5 writes it:
// heaviside's key order and Python's json.dumps formatting (float repr,
// integers of any size, non-ASCII unescaped, Python's escapes for control
// characters).
//
// codegen first builds the definition as an asl.Value tree in which every
// value carries the position of the DSL text it came from (the source map:
// asl's validator reports problems of the tree at those positions, and
// SourceMap looks a JSON pointer up), then writes the tree with asl's
// Python-style writer.
//
// codegen owns the shape of the definition. It must not check anything:
// every error is found by sema before codegen runs, and every AWS rule is
// asl's.
package codegen

import (
	"iter"
	"strconv"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/diag"
)

// Format selects the JSON layout.
type Format struct {
	// Indent >= 0 writes one item per line indented by Indent spaces per
	// level (json.dumps(indent=N)). Indent < 0 writes one line.
	Indent int
	// Compact, with Indent < 0, drops the spaces after ',' and ':'.
	Compact bool
	// SortKeys orders every object's keys as json.dumps(sort_keys=True).
	SortKeys bool
}

// Write returns the definition of m as text. sizeHint, when known, is the
// source size: the output is usually a few times larger, and reserving it
// up front avoids repeated copying.
func Write(m *ast.Machine, f Format, sizeHint int) []byte { return Encode(Build(m), f, sizeHint) }

// Encode writes a definition built by Build in the layout f selects;
// sizeHint is as for Write.
func Encode(def *asl.Value, f Format, sizeHint int) []byte {
	buf := make([]byte, 0, 1<<12+sizeHint*6)
	return def.AppendPython(buf, asl.PythonFormat{Indent: f.Indent, Compact: f.Compact, SortKeys: f.SortKeys})
}

// Build returns the definition of m as a value tree. Each value's Pos (and
// each member's KeyPos) is the position of the DSL text that produced it:
// a state's first token for what the state itself implies (Type, Next,
// End), a modifier's keyword for the fields it writes, a parameter's key
// for its value, a comparison for its Choice rule.
func Build(m *ast.Machine) *asl.Value {
	b := &builder{}
	start := m.FirstToken
	if len(m.States) > 0 {
		start = m.States[0].Pos
	}
	o := b.object(start, 5)
	b.states(o, m.States)
	if m.Comment != nil {
		o.add("Comment", m.Comment.Pos, b.str(m.Comment.Value, m.Comment.Pos))
	}
	if m.Version != nil {
		o.add("Version", m.Version.Pos, b.str(m.Version.Value, m.Version.Pos))
	}
	if m.Timeout != nil {
		o.add("TimeoutSeconds", m.Timeout.Pos, b.num(m.Timeout.Value, m.Timeout.Pos))
	}
	if m.QueryLanguage != nil {
		o.add("QueryLanguage", m.QueryLanguage.Pos, b.str(m.QueryLanguage.Value, m.QueryLanguage.Pos))
	}
	return o.done()
}

// SourceMap maps JSON pointers of a definition built by Build to DSL
// positions.
type SourceMap struct{ root *asl.Value }

// NewSourceMap returns the source map of a definition built by Build.
func NewSourceMap(def *asl.Value) SourceMap { return SourceMap{root: def} }

// Pos returns the DSL position of the value at the RFC 6901 pointer
// (such as "/States/Hello/Next").
func (s SourceMap) Pos(pointer string) (diag.Pos, bool) {
	if s.root == nil {
		return diag.Pos{}, false
	}
	v := s.root.Lookup(pointer)
	if v == nil || !v.Pos.IsValid() {
		return diag.Pos{}, false
	}
	return v.Pos, true
}

// All yields every pointer of the definition with its DSL position, in
// document order.
func (s SourceMap) All() iter.Seq2[string, diag.Pos] {
	return func(yield func(string, diag.Pos) bool) {
		var walk func(v *asl.Value, ptr string) bool
		walk = func(v *asl.Value, ptr string) bool {
			if !yield(ptr, v.Pos) {
				return false
			}
			for i, e := range v.Elems {
				if !walk(e, ptr+"/"+strconv.Itoa(i)) {
					return false
				}
			}
			for _, m := range v.Members {
				if !walk(m.Value, ptr+"/"+asl.PointerToken(m.Key)) {
					return false
				}
			}
			return true
		}
		if s.root != nil {
			walk(s.root, "")
		}
	}
}

// builder hands out values, member lists and element lists from slabs,
// to allocate less per value. Each slab is used from index next on: taking
// from it moves an index rather than storing a new slice (a pointer store,
// with a write barrier while the garbage collector marks).
type builder struct {
	noExt       ast.StateExt // what ext gives for a state without extensions; never written
	slab        []asl.Value
	members     []asl.Member
	elems       []*asl.Value
	nextValue   int
	nextMember  int
	nextElement int
}

// memberList returns an empty member list with room for n (appending past
// n allocates, as append does).
func (b *builder) memberList(n int) []asl.Member {
	if n > 64 {
		return make([]asl.Member, 0, n)
	}
	if len(b.members)-b.nextMember < n {
		b.members, b.nextMember = make([]asl.Member, 1024), 0
	}
	i := b.nextMember
	b.nextMember += n
	return b.members[i : i : i+n]
}

// elemList returns a list of n elements.
func (b *builder) elemList(n int) []*asl.Value {
	if n > 64 {
		return make([]*asl.Value, n)
	}
	if len(b.elems)-b.nextElement < n {
		b.elems, b.nextElement = make([]*asl.Value, 512), 0
	}
	i := b.nextElement
	b.nextElement += n
	return b.elems[i : i+n : i+n]
}

// alloc returns a zero value from the slab.
func (b *builder) alloc() *asl.Value {
	if b.nextValue == len(b.slab) {
		b.slab, b.nextValue = make([]asl.Value, 256), 0
	}
	nv := &b.slab[b.nextValue]
	b.nextValue++
	return nv
}

func (b *builder) array(elems []*asl.Value, p diag.Pos) *asl.Value {
	nv := b.alloc()
	nv.Kind, nv.Elems, nv.Pos = asl.KindArray, elems, p
	return nv
}

func (b *builder) null(p diag.Pos) *asl.Value {
	nv := b.alloc()
	nv.Kind, nv.Pos = asl.KindNull, p
	return nv
}

// The constructors set fields in place: copying a whole Value into the
// slab costs more (a write barrier for every pointer field).

func (b *builder) str(s string, p diag.Pos) *asl.Value {
	nv := b.alloc()
	nv.Kind, nv.Str, nv.Pos = asl.KindString, s, p
	return nv
}

func (b *builder) boolean(v bool, p diag.Pos) *asl.Value {
	nv := b.alloc()
	nv.Kind, nv.Bool, nv.Pos = asl.KindBool, v, p
	return nv
}

// num writes a number as json.dumps does: integers as they are, floats in
// repr form.
func (b *builder) num(n ast.Number, p diag.Pos) *asl.Value {
	lit := n.Text
	if !n.IsInt {
		lit = asl.PythonFloat(n.Float)
	}
	nv := b.alloc()
	nv.Kind, nv.Str, nv.Pos = asl.KindNumber, lit, p
	return nv
}

func (b *builder) strList(xs []string, p diag.Pos) *asl.Value {
	elems := b.elemList(len(xs))
	for i, x := range xs {
		elems[i] = b.str(x, p)
	}
	return b.array(elems, p)
}

// obj is an object being built.
type obj struct {
	v *asl.Value
}

func (b *builder) object(p diag.Pos, size int) obj {
	nv := b.alloc()
	nv.Kind, nv.Members, nv.Pos = asl.KindObject, b.memberList(size), p
	return obj{nv}
}

// add appends a member. It sets the fields one by one: appending a whole
// Member copies it with a bulk write barrier while the garbage collector
// marks, which costs more than the two pointer stores.
//
// A member list has room for every member its object gets (memberList
// sizes it) and that room is still zero: growing the length over it
// needs no clearing, which costs a write barrier per pointer too.
func (o obj) add(key string, p diag.Pos, v *asl.Value) {
	n := len(o.v.Members)
	if n < cap(o.v.Members) {
		o.v.Members = o.v.Members[:n+1]
	} else {
		o.v.Members = append(o.v.Members, asl.Member{})
	}
	m := &o.v.Members[n]
	m.Key, m.KeyPos, m.Value = key, p, v
}

func (o obj) done() *asl.Value { return o.v }

// json builds a JSON value from a data: or parameters: block (the parser
// bounds its depth); p is the position of the block or key it belongs to.
func (b *builder) json(v ast.JSON, p diag.Pos) *asl.Value {
	switch x := v.(type) {
	case nil:
		return b.null(p)
	case bool:
		return b.boolean(x, p)
	case ast.Number:
		return b.num(x, p)
	case string:
		return b.str(x, p)
	case *ast.Object:
		o := b.object(p, len(x.Keys))
		for i, k := range x.Keys {
			o.add(k, p, b.json(x.Vals[i], p))
		}
		return o.done()
	case []ast.JSON:
		elems := b.elemList(len(x))
		for i, e := range x {
			elems[i] = b.json(e, p)
		}
		return b.array(elems, p)
	}
	return b.null(p)
}

func errorsOrAll(xs []string) []string {
	if len(xs) == 0 {
		return []string{"States.ALL"}
	}
	return xs
}

// states adds "States" and "StartAt" of a branch to o.
func (b *builder) states(o obj, states []*ast.State) {
	var p diag.Pos
	if len(states) > 0 {
		p = states[0].Pos
	}
	so := b.object(p, len(states))
	for _, s := range states {
		so.add(s.Name, s.Pos, b.state(s))
	}
	o.add("States", p, so.done())
	if len(states) > 0 {
		o.add("StartAt", p, b.str(states[0].Name, p))
	}
}

// strMod adds key with a string modifier's value, if the modifier is set.
func (b *builder) strMod(o obj, key string, m *ast.Modifier) {
	switch {
	case m == nil:
	case m.Null:
		o.add(key, m.Pos, b.null(m.Pos))
	default:
		o.add(key, m.Pos, b.str(m.Str, m.Pos))
	}
}

func (b *builder) state(s *ast.State) *asl.Value {
	x := b.ext(s)
	o := b.object(s.Pos, stateSize(s))
	o.add("Type", s.Pos, b.str(s.Kind.String(), s.Pos))
	if s.Comment != nil {
		o.add("Comment", s.Pos, b.str(*s.Comment, s.Pos))
	}
	b.strMod(o, "QueryLanguage", x.QueryLanguage)
	b.numOrPath(o, "TimeoutSeconds", s.Timeout, s.JSONata)
	b.numOrPath(o, "HeartbeatSeconds", s.Heartbeat, s.JSONata)
	b.strMod(o, "InputPath", s.Input)
	b.strMod(o, "ResultPath", s.Result)
	b.kvMod(o, "ResultSelector", x.ResultSelector)
	switch {
	case s.Output != nil && s.Output.Block:
		b.kvMod(o, "Output", s.Output)
	case s.JSONata:
		b.strMod(o, "Output", s.Output)
	default:
		b.strMod(o, "OutputPath", s.Output)
	}
	if s.Data != nil {
		o.add("Result", s.Data.Pos, b.json(s.Data.Data, s.Data.Pos))
	}
	if len(s.Catch) > 0 {
		elems := b.elemList(len(s.Catch))
		for i, m := range s.Catch {
			c := m.Catch
			co := b.object(m.Pos, 3)
			co.add("ErrorEquals", m.Pos, b.strList(errorsOrAll(c.Errors), m.Pos))
			co.add("Next", m.Pos, b.str(c.Next, m.Pos))
			if c.ResultPath != nil {
				key := "ResultPath"
				if s.JSONata {
					key = "Output" // extension: a JSONata catcher's Output
				}
				co.add(key, m.Pos, b.str(*c.ResultPath, m.Pos))
			} else if c.ResultNull {
				co.add("ResultPath", m.Pos, b.null(m.Pos))
			}
			if c.Comment != nil {
				co.add("Comment", c.Comment.Pos, b.str(c.Comment.Value, c.Comment.Pos))
			}
			b.kvMod(co, "Assign", c.Assign)
			elems[i] = co.done()
		}
		o.add("Catch", s.Catch[0].Pos, b.array(elems, s.Catch[0].Pos))
	}
	if len(s.Retry) > 0 {
		elems := b.elemList(len(s.Retry))
		for i, m := range s.Retry {
			r := m.Retry
			ro := b.object(m.Pos, 4)
			ro.add("ErrorEquals", m.Pos, b.strList(errorsOrAll(r.Errors), m.Pos))
			if !r.NoInterval {
				ro.add("IntervalSeconds", m.Pos, b.num(r.Interval, m.Pos))
			}
			if !r.NoMax {
				ro.add("MaxAttempts", m.Pos, b.num(r.Max, m.Pos))
			}
			if r.NoBackoff {
				b.retryExt(ro, m)
				elems[i] = ro.done()
				continue
			}
			back := r.Backoff
			if back.IsInt {
				f, _ := strconv.ParseFloat(back.Text, 64)
				back = ast.Number{Float: f}
			}
			bp := r.BackPos
			if !bp.IsValid() {
				bp = m.Pos
			}
			ro.add("BackoffRate", bp, b.num(back, bp))
			b.retryExt(ro, m)
			elems[i] = ro.done()
		}
		o.add("Retry", s.Retry[0].Pos, b.array(elems, s.Retry[0].Pos))
	}
	if s.Kind == ast.Map {
		p := s.Pos
		if s.Iterator != nil {
			p = s.Iterator.Pos
		}
		if x.ItemProcessor {
			b.itemProcessor(o, s, p)
		} else {
			io := b.object(p, 2)
			b.states(io, s.IterStates)
			o.add("Iterator", p, io.done())
		}
	}
	b.strMod(o, "ItemsPath", s.ItemsPath)
	if m := x.Items; m != nil {
		if m.Block {
			o.add("Items", m.Pos, b.json(m.Data, m.Pos))
		} else {
			b.strMod(o, "Items", m)
		}
	}
	b.numOrPath(o, "MaxConcurrency", s.MaxConcurrency, s.JSONata)
	if s.Kind == ast.Map {
		b.mapExt(o, s)
	}
	switch s.Kind {
	case ast.Fail:
		if fa := x.FailArgs; fa != nil {
			for _, f := range [...]struct {
				key string
				v   *ast.Str
			}{{"Error", fa.Error}, {"ErrorPath", fa.ErrorPath}, {"Cause", fa.Cause}, {"CausePath", fa.CausePath}} {
				if f.v != nil {
					o.add(f.key, f.v.Pos, b.str(f.v.Value, f.v.Pos))
				}
			}
			break
		}
		o.add("Error", s.Pos, b.str(s.Error, s.Pos))
		o.add("Cause", s.Pos, b.str(s.Cause, s.Pos))
	case ast.Pass, ast.Map:
		if s.Parameters != nil {
			b.params(o, s.Parameters)
		}
		b.arguments(o, x.Arguments)
	case ast.TaskKind:
		o.add("Resource", s.Pos, b.str(s.Task.Resource, s.Pos))
		if s.Parameters != nil {
			b.params(o, s.Parameters)
		}
		b.arguments(o, x.Arguments)
		b.kvMod(o, "Credentials", x.Credentials)
	case ast.Wait:
		o.add(waitKey(s.Wait.Key), s.Wait.Pos, b.value(s.Wait.Value, s.Wait.Pos))
	case ast.Choice:
		n := 0
		for _, c := range s.Choices {
			if c.Cond == nil {
				if !c.None {
					o.add("Default", s.Pos, b.str(c.Target, s.Pos))
				}
			} else {
				n++
			}
		}
		elems := b.elemList(n)[:0]
		for _, c := range s.Choices {
			if c.Cond != nil {
				elems = append(elems, b.cond(c.Cond, &c.Target, c))
			}
		}
		o.add("Choices", s.Pos, b.array(elems, s.Pos))
	case ast.Parallel:
		if s.Parameters != nil {
			b.params(o, s.Parameters)
		}
		b.arguments(o, x.Arguments)
		elems := b.elemList(len(s.Branches))
		for i, br := range s.Branches {
			p := br.Pos
			if !p.IsValid() {
				p = s.Pos
			}
			bo := b.object(p, 2)
			b.states(bo, br.States)
			if br.Comment != nil {
				bo.add("Comment", br.Comment.Pos, b.str(br.Comment.Value, br.Comment.Pos))
			}
			elems[i] = bo.done()
		}
		o.add("Branches", s.Pos, b.array(elems, s.Pos))
	}
	b.kvMod(o, "Assign", x.Assign)
	if s.HasNext {
		p := s.Pos
		if s.GotoNext != nil {
			p = s.GotoNext.Pos
		}
		o.add("Next", p, b.str(s.Next, p))
	}
	if s.End {
		p := s.Pos
		if x.EndMod != nil {
			p = x.EndMod.Pos
		}
		o.add("End", p, b.boolean(true, p))
	}
	return o.done()
}

// retryExt adds a retrier's MaxDelaySeconds and JitterStrategy
// (extensions), when given.
func (b *builder) retryExt(ro obj, m *ast.Modifier) {
	r := m.Retry
	if r.MaxDelay != nil {
		ro.add("MaxDelaySeconds", m.Pos, b.num(*r.MaxDelay, m.Pos))
	}
	if r.Jitter != nil {
		ro.add("JitterStrategy", r.Jitter.Pos, b.str(r.Jitter.Value, r.Jitter.Pos))
	}
	if r.Comment != nil {
		ro.add("Comment", r.Comment.Pos, b.str(r.Comment.Value, r.Comment.Pos))
	}
}

// arguments adds a JSONata Arguments (a string or an object), if set.
func (b *builder) arguments(o obj, m *ast.Modifier) {
	switch {
	case m == nil:
	case m.Block:
		b.kvMod(o, "Arguments", m)
	default:
		b.strMod(o, "Arguments", m)
	}
}

// numOrPath adds key with a number modifier's value or, for a path,
// key+"Path" with the string (in JSONata, key with the string).
func (b *builder) numOrPath(o obj, key string, m *ast.Modifier, jsonata bool) {
	switch {
	case m == nil:
	case m.Path && jsonata:
		o.add(key, m.Pos, b.str(m.Str, m.Pos))
	case m.Path:
		o.add(key+"Path", m.Pos, b.str(m.Str, m.Pos))
	default:
		o.add(key, m.Pos, b.num(m.Int, m.Pos))
	}
}

// itemProcessor adds a Map's ItemProcessor (item_processor:), with its
// ProcessorConfig when mode: or execution_type: is given.
func (b *builder) itemProcessor(o obj, s *ast.State, p diag.Pos) {
	x := b.ext(s)
	io := b.object(p, 3)
	if x.Mode != nil || x.ExecutionType != nil {
		pc := b.object(p, 2)
		b.strMod(pc, "Mode", x.Mode)
		b.strMod(pc, "ExecutionType", x.ExecutionType)
		io.add("ProcessorConfig", p, pc.done())
	}
	b.states(io, s.IterStates)
	o.add("ItemProcessor", p, io.done())
}

// mapExt adds the Map fields of the extensions, after MaxConcurrency.
func (b *builder) mapExt(o obj, s *ast.State) {
	x := b.ext(s)
	b.kvMod(o, "ItemSelector", x.ItemSelector)
	b.kvMod(o, "ItemBatcher", x.ItemBatcher)
	b.kvMod(o, "ItemReader", x.ItemReader)
	b.kvMod(o, "ResultWriter", x.ResultWriter)
	b.numOrPath(o, "ToleratedFailurePercentage", x.ToleratedFailurePercentage, s.JSONata)
	b.numOrPath(o, "ToleratedFailureCount", x.ToleratedFailureCount, s.JSONata)
	b.strMod(o, "Label", x.Label)
}

// stateSize is the number of fields state writes for s.
func stateSize(s *ast.State) int {
	n := 1 // Type
	for _, set := range [...]bool{s.Comment != nil, s.Timeout != nil, s.Heartbeat != nil, s.Input != nil,
		s.Result != nil, s.Output != nil, s.Data != nil, len(s.Catch) > 0, len(s.Retry) > 0,
		s.Kind == ast.Map, s.ItemsPath != nil, s.MaxConcurrency != nil, s.Parameters != nil, s.HasNext, s.End} {
		if set {
			n++
		}
	}
	n += extSize(s)
	switch s.Kind {
	case ast.Fail, ast.Choice:
		n += 2
	case ast.TaskKind, ast.Wait, ast.Parallel:
		n++
	}
	return n
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

// params adds a parameters: block.
func (b *builder) params(o obj, m *ast.Modifier) {
	if m.Params == nil { // extension: a JSON array
		o.add("Parameters", m.Pos, b.json(m.Data, m.Pos))
		return
	}
	o.add("Parameters", m.Pos, b.kvObject(m))
}

// kvMod adds key with a block of key: json lines (an extension modifier
// such as result_selector:), if the modifier is set.
func (b *builder) kvMod(o obj, key string, m *ast.Modifier) {
	if m != nil {
		o.add(key, m.Pos, b.kvObject(m))
	}
}

// kvObject builds the object of a parameters:-like block; a repeated key
// keeps its first position and takes its last value, as a Python dict does.
func (b *builder) kvObject(m *ast.Modifier) *asl.Value {
	p := m.Params
	keys := make(map[string]int, len(p.Keys))
	po := b.object(m.Pos, len(p.Keys))
	for i, k := range p.Keys {
		v := b.json(p.Vals[i], k.Pos)
		if j, ok := keys[k.Value]; ok {
			po.v.Members[j].Value = v
			continue
		}
		keys[k.Value] = len(po.v.Members)
		po.add(k.Value, k.Pos, v)
	}
	return po.done()
}

func (b *builder) value(v ast.Value, p diag.Pos) *asl.Value {
	if v.Pos.IsValid() {
		p = v.Pos
	}
	if v.Path {
		return b.str(v.Str, p)
	}
	switch v.Kind {
	case ast.NumberVal:
		return b.num(v.Num, p)
	case ast.BoolVal:
		return b.boolean(v.Bool, p)
	}
	return b.str(v.Str, p)
}

// cond builds a choice rule; target and br (the branch, for the
// extensions' Comment and Assign) are nil for nested rules.
func (b *builder) cond(c *ast.Cond, target *string, br *ast.ChoiceBranch) *asl.Value {
	var assign, output *ast.Modifier
	var comment *ast.Str
	if br != nil {
		assign, comment, output = br.Assign, br.Comment, br.Output
	}
	// The exact number of members: the member lists come from a slab,
	// and room left unused in them is memory the collector scans.
	size := 1 // Not, And, Or
	switch c.Op {
	case "not", "and", "or", "!=", "jsonata":
	default:
		size = 2 // Variable and the comparison
	}
	if target != nil {
		size++ // Next
	}
	if assign != nil {
		size++
	}
	if comment != nil {
		size++
	}
	if output != nil {
		size++
	}
	o := b.object(c.Pos, size)
	switch c.Op {
	case "not":
		o.add("Not", c.Pos, b.cond(c.Subs[0], nil, nil))
	case "and", "or":
		key := "Or"
		if c.Op == "and" {
			key = "And"
		}
		elems := b.elemList(len(c.Subs))
		for i, sub := range c.Subs {
			elems[i] = b.cond(sub, nil, nil)
		}
		o.add(key, c.Pos, b.array(elems, c.Pos))
	case "jsonata":
		o.add("Condition", c.Pos, b.str(c.Var, c.Pos))
	case "!=":
		inner := b.object(c.Pos, 2)
		inner.add("Variable", c.Pos, b.str(c.Var, c.Pos))
		inner.add(ast.Operator(c), c.Pos, b.value(c.Val, c.Pos))
		o.add("Not", c.Pos, inner.done())
	default:
		o.add("Variable", c.Pos, b.str(c.Var, c.Pos))
		o.add(ast.Operator(c), c.Pos, b.value(c.Val, c.Pos))
	}
	if target != nil {
		o.add("Next", c.Pos, b.str(*target, c.Pos))
	}
	if comment != nil {
		o.add("Comment", comment.Pos, b.str(comment.Value, comment.Pos))
	}
	b.kvMod(o, "Assign", assign)
	if output != nil {
		if output.Block {
			b.kvMod(o, "Output", output)
		} else {
			b.strMod(o, "Output", output)
		}
	}
	return o.done()
}

// extSize is the number of fields the DSL extensions write for s.
func extSize(s *ast.State) int {
	x := s.Ext
	if x == nil {
		return 0
	}
	n := 0
	for _, m := range [...]*ast.Modifier{x.ResultSelector, x.Assign, x.Credentials, x.QueryLanguage, x.Arguments, x.Items,
		x.ItemSelector, x.ItemBatcher, x.ItemReader, x.ResultWriter, x.ToleratedFailurePercentage, x.ToleratedFailureCount, x.Label} {
		if m != nil {
			n++
		}
	}
	return n
}

// ext returns s's extension fields (all nil for a state without any).
func (b *builder) ext(s *ast.State) *ast.StateExt {
	if s.Ext == nil {
		return &b.noExt
	}
	return s.Ext
}
