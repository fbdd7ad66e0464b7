package interpreter

import (
	"fmt"
	"strings"
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
			return &template{kind: tConst, val: constObject(t)}, nil
		}
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
			return &template{kind: tConst, val: x}, nil
		}
		return t, nil
	default:
		return &template{kind: tConst, val: v}, nil
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
func compileDynamic(s string) (*template, error) {
	if isIntrinsic(s) {
		f, err := parseIntrinsic(s)
		if err != nil {
			return nil, err
		}
		return &template{kind: tCall, call: f}, nil
	}
	p, err := ParsePath(s)
	if err != nil {
		return nil, err
	}
	return &template{kind: tPath, path: p}, nil
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
