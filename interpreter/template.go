package interpreter

import (
	"fmt"
	"strings"

	"github.com/hsc-dev/hsc/asl"
)

// A payload template (Parameters, ItemSelector, ResultSelector): a JSON value
// whose object keys ending in ".$" take their value from a path or an
// intrinsic function. Static subtrees compile to constants that are shared,
// not rebuilt, on every evaluation.
type template struct {
	kind  tmplKind
	val   any // tConst
	keys  []string
	srcs  []string // original keys, for error messages
	kids  []*template
	path  *Path
	call  *intrinsic
	field string // the "x.$" key this dynamic value came from
	// size is, for a constant, its JSON size; for an object or array,
	// the size of its constant text (brackets, keys, separators and
	// constant members); -1 for a value whose size cannot be bounded
	// from the input's (see bound).
	size int
	// For an object or array, bound's answer computed at compile time:
	// it is fixed + paths*in, or -1 when unbounded is set or when a
	// path (paths > 0) meets an unknown input size.
	fixed, paths int
	unbounded    bool
	// cut is, for a path of fields and indexes from "$", what the JSON
	// text around the selected value takes at least: for each field its
	// key, colon and the object's brackets, for each index the array's
	// brackets. The value is no bigger than the input less cut.
	cut int
}

type tmplKind uint8

const (
	tConst tmplKind = iota
	tObject
	tArray
	tPath
	tCall
)

func compileTemplate(v any) (*template, error) {
	switch x := v.(type) {
	case *Object:
		t := &template{kind: tObject}
		dynamic := false
		for _, mem := range x.m {
			k := mem.k
			var kid *template
			if name, ok := strings.CutSuffix(k, ".$"); ok {
				s, ok := mem.v.(string)
				if !ok {
					return nil, fmt.Errorf("field %q: the value of a field ending in \".$\" must be a string holding a path or an intrinsic function", k)
				}
				var err error
				if kid, err = compileDynamic(s); err != nil {
					return nil, fmt.Errorf("field %q: %w", k, err)
				}
				kid.field = k
				t.keys = append(t.keys, name)
			} else {
				var err error
				if kid, err = compileTemplate(mem.v); err != nil {
					return nil, err
				}
				t.keys = append(t.keys, k)
			}
			if kid.kind != tConst {
				dynamic = true
			}
			t.srcs = append(t.srcs, k)
			t.kids = append(t.kids, kid)
		}
		if !dynamic {
			c := constObject(t)
			return &template{kind: tConst, val: c, size: jsonSize(c, 0, MaxPayloadBytes+1)}, nil
		}
		orderFieldsLikeAWS(t)
		t.size = staticSize(t)
		t.setBound()
		return t, nil
	case []any:
		t := &template{kind: tArray}
		dynamic := false
		for _, e := range x {
			kid, err := compileTemplate(e)
			if err != nil {
				return nil, err
			}
			if kid.kind != tConst {
				dynamic = true
			}
			t.kids = append(t.kids, kid)
		}
		if !dynamic {
			return &template{kind: tConst, val: x, size: jsonSize(x, 0, MaxPayloadBytes+1)}, nil
		}
		t.size = staticSize(t)
		t.setBound()
		return t, nil
	default:
		return &template{kind: tConst, val: v, size: jsonSize(v, 0, MaxPayloadBytes+1)}, nil
	}
}

// staticSize is the size of an object or array template's own text:
// brackets, separators, keys and constant members.
func staticSize(t *template) int {
	n := 2 + max(len(t.kids)-1, 0)
	for i, k := range t.kids {
		if t.kind == tObject {
			n += stringSize(t.keys[i]) + 1
		}
		if k.kind == tConst {
			n += k.size
		}
	}
	return n
}

// fixedSize bounds the JSON size of the result of the intrinsic
// functions whose result does not grow with their arguments.
func fixedSize(name string) (int, bool) {
	switch name {
	case "States.MathAdd", "States.MathRandom", "States.ArrayLength":
		return 32, true
	case "States.ArrayContains":
		return 5, true
	case "States.UUID":
		return 38, true
	case "States.Hash":
		return 132, true
	}
	return 0, false
}

// bound returns a bound on the JSON size of the template's value when the
// input's size is at most in (-1: unknown), or -1 when there is none: a
// path into the input selects at most the input. It costs O(1): the part
// that does not depend on in is computed once, by setBound.
func (t *template) bound(in int) int {
	switch t.kind {
	case tConst:
		return t.size
	case tPath:
		if in < 0 || !t.boundedPath() {
			return -1
		}
		return max(in-t.cut, 0)
	case tCall:
		if n, ok := fixedSize(t.call.name); ok {
			return n
		}
		return -1
	}
	if t.unbounded || t.paths > 0 && in < 0 {
		return -1
	}
	return t.fixed + t.paths*in
}

// boundedPath reports whether a tPath template selects a part of the
// input (not of the context object or a variable).
func (t *template) boundedPath() bool {
	return !t.path.context && t.path.variable == ""
}

// setBound computes an object or array template's fixed, paths and
// unbounded from its kids' (which are set already).
func (t *template) setBound() {
	t.fixed = t.size
	for _, k := range t.kids {
		switch k.kind {
		case tConst:
		case tPath:
			if !k.boundedPath() {
				t.unbounded = true
			}
			t.paths++
			t.fixed -= k.cut
		case tCall:
			n, ok := fixedSize(k.call.name)
			if !ok {
				t.unbounded = true
			}
			t.fixed += n
		default:
			t.unbounded = t.unbounded || k.unbounded
			t.fixed += k.fixed
			t.paths += k.paths
		}
	}
}

func constObject(t *template) *Object {
	o := newObject(len(t.keys))
	for i, k := range t.keys {
		o.set(k, t.kids[i].val)
	}
	return o
}

// compileDynamic compiles the value of a ".$" field: a path or an intrinsic.
func compileDynamic(s string) (*template, error) { return compileDynamicOf(s, asl.PathAny) }

// compileDynamicOf compiles an intrinsic or a path of kind k (ErrorPath
// and CausePath take a reference path).
func compileDynamicOf(s string, k asl.PathKind) (*template, error) {
	if isIntrinsic(s) {
		f, err := parseIntrinsic(s)
		if err != nil {
			return nil, err
		}
		return &template{kind: tCall, call: f}, nil
	}
	p, err := parsePath(s, k)
	if err != nil {
		return nil, err
	}
	return &template{kind: tPath, path: p, cut: pathCut(p)}, nil
}

// pathCut is a path's template cut: 0 unless it is a definite path of
// fields and indexes from "$".
func pathCut(p *Path) int {
	if p.context || p.variable != "" || !p.definite || !p.IsReference() {
		return 0
	}
	cut := 0
	for _, st := range p.steps {
		if st.Kind == asl.StepIndex {
			cut += 2
		} else {
			cut += stringSize(st.Name) + 3
		}
	}
	return cut
}

// eval builds the payload with input as "$".
func (t *template) eval(sc *scope, input any) (any, error) {
	switch t.kind {
	case tConst:
		return t.val, nil
	case tPath:
		v, ok := sc.evalPath(t.path, input)
		if !ok {
			where := "input"
			if t.path.context {
				where = "context object"
			}
			// AWS raises States.Runtime here, not the
			// States.ParameterPathFailure of its error table (recorded
			// histories: invalid_jsonpath_errorpath), so no Catch takes it.
			src := input
			if t.path.context {
				src = sc.contextObject()
			}
			return nil, sc.runtimeError("The JSONPath '%s' specified for the field '%s' could not be found in the %s '%s'", t.path.src, t.field, where, encodeJSON(src))
		}
		return v, nil
	case tCall:
		return t.call.eval(sc, input)
	case tArray:
		out := make([]any, len(t.kids))
		for i, k := range t.kids {
			v, err := k.eval(sc, input)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	default: // tObject
		o := newObject(len(t.keys))
		for i, k := range t.kids {
			v, err := k.eval(sc, input)
			if err != nil {
				return nil, err
			}
			o.set(t.keys[i], v)
		}
		return o, nil
	}
}

// truncate shortens long JSON in error messages.
func truncate(s string) string {
	const limit = 256
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
