package interpreter

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"
	"unsafe"

	jsonata "github.com/xiatechs/jsonata-go"
	"github.com/xiatechs/jsonata-go/jlib"
	"github.com/xiatechs/jsonata-go/jparse"
	"github.com/xiatechs/jsonata-go/jtypes"
)

// The payload limit bounds what a JSONata expression may build: the
// functions and operators that grow strings and arrays ($pad, $join,
// $string, $append, & and the range operator) check the size of what they
// are about to build and fail with States.DataLimitExceeded instead of
// building it. Without this, $pad("x", 2000000000) allocated 3.9 GB.

// maxJSONataRange bounds the items of a range [a..b]. JSONata allows 10^7,
// which takes a quarter of a gigabyte here; no array of more than half the
// payload limit of items fits in a payload.
const maxJSONataRange = MaxPayloadBytes / 2

// maxJSONataRangeTotal bounds the items of all the ranges one evaluation
// builds, so that ranges inside a mapping ([1..100000].[1..100000]) cannot
// multiply past it either.
const maxJSONataRangeTotal = 2 * maxJSONataRange

// Names under which the guarded operators are registered; the rewritten
// expression tree calls them.
const (
	jsonataConcatFn   = "__hsc_concat"
	jsonataRangeEndFn = "__hsc_range_end"
)

func dataLimitError(what string, n int) error {
	return newError(ErrDataLimitExceeded, "%s would be %d bytes or more, over the payload limit of %d bytes", what, n, MaxPayloadBytes)
}

// guardJSONataTree rewrites the compiled expression so that string
// concatenation (a & b) and the range operator check sizes first: a & b
// becomes a call of the guarded concatenation, and [a..b] checks b - a.
// The engine keeps its tree unexported; the rewrite reaches it through
// reflection, and fails (rather than running unguarded) if the engine's
// layout changes.
func guardJSONataTree(e *jsonata.Expr) error {
	f := reflect.ValueOf(e).Elem().FieldByName("node")
	if !f.IsValid() || f.Type() != reflect.TypeFor[jparse.Node]() {
		return fmt.Errorf("the JSONata engine's expression layout is not the one this interpreter knows")
	}
	root := (*jparse.Node)(unsafe.Pointer(f.UnsafeAddr()))
	if *root != nil {
		*root = guardNode(*root)
	}
	return nil
}

func nodeType() reflect.Type { return reflect.TypeFor[jparse.Node]() }

func guardNode(n jparse.Node) jparse.Node {
	if v := reflect.ValueOf(n); v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
		guardFields(v.Elem())
	}
	switch x := n.(type) {
	case *jparse.StringConcatenationNode:
		return &jparse.FunctionCallNode{Func: &jparse.VariableNode{Name: jsonataConcatFn}, Args: []jparse.Node{x.LHS, x.RHS}}
	case *jparse.RangeNode:
		x.RHS = &jparse.FunctionCallNode{Func: &jparse.VariableNode{Name: jsonataRangeEndFn}, Args: []jparse.Node{x.LHS, x.RHS}}
	}
	return n
}

// guardFields rewrites the nodes held in the exported fields of a node.
func guardFields(s reflect.Value) {
	for i := range s.NumField() {
		if f := s.Field(i); f.CanSet() {
			guardValue(f)
		}
	}
}

func guardValue(f reflect.Value) {
	switch f.Kind() {
	case reflect.Interface:
		if f.IsNil() {
			return
		}
		if f.Type() == nodeType() {
			f.Set(reflect.ValueOf(guardNode(f.Interface().(jparse.Node))))
		}
	case reflect.Slice, reflect.Array:
		for j := range f.Len() {
			guardValue(f.Index(j))
		}
	case reflect.Struct:
		guardFields(f)
	case reflect.Pointer:
		if !f.IsNil() && f.Elem().Kind() == reflect.Struct && f.Type().Elem().PkgPath() == nodeType().PkgPath() {
			guardFields(f.Elem())
		}
	}
}

// limitHit keeps the first States.DataLimitExceeded a guarded function
// raised during one evaluation: the engine flattens the errors of
// functions into text, so the evaluation reports it from here.
type limitHit struct {
	err        *ExecutionError
	rangeItems int // items of all the ranges built so far
}

func (h *limitHit) record(err error) error {
	if ee, ok := err.(*ExecutionError); ok && ee.Name == ErrDataLimitExceeded && h.err == nil {
		h.err = ee
	}
	return err
}

// guardedJSONataFuncs are the growing functions and operators, each
// checking the size of its result before building it.
func guardedJSONataFuncs(hit *limitHit, order *jsonOrder, lits map[string]int) map[string]jsonata.Extension {
	undefined0 := jtypes.ArgUndefined(0)
	return map[string]jsonata.Extension{
		"pad": {Func: func(s string, width int, chars jtypes.OptionalString) (string, error) {
			r, err := guardedPad(s, width, chars)
			return r, hit.record(err)
		}, UndefinedHandler: undefined0, EvalContextHandler: func(argv []reflect.Value) bool {
			switch len(argv) {
			case 1:
				return jtypes.IsNumber(argv[0])
			case 2:
				return jtypes.IsNumber(argv[0]) && jtypes.IsString(argv[1])
			}
			return false
		}},
		"join": {Func: func(values reflect.Value, sep jtypes.OptionalString) (string, error) {
			r, err := guardedJoin(values, sep)
			return r, hit.record(err)
		}, UndefinedHandler: undefined0},
		"string": {Func: func(v any) (string, error) {
			r, err := guardedString(v, order, lits)
			return r, hit.record(err)
		}, UndefinedHandler: undefined0, EvalContextHandler: jtypes.ArgCountEquals(0)},
		"append": {Func: func(a, b reflect.Value) (any, error) {
			r, err := guardedAppend(a, b)
			return r, hit.record(err)
		}, UndefinedHandler: func(argv []reflect.Value) bool {
			return len(argv) == 2 && !argv[0].IsValid() && !argv[1].IsValid()
		}},
		jsonataConcatFn: {Func: func(a, b reflect.Value) (string, error) {
			r, err := guardedConcat(a, b, order, lits)
			return r, hit.record(err)
		}},
		jsonataRangeEndFn: {Func: func(lo, hi reflect.Value) (any, error) {
			r, err := guardedRangeEnd(lo, hi, &hit.rangeItems)
			return r, hit.record(err)
		}},
	}
}

func guardedPad(s string, width int, chars jtypes.OptionalString) (string, error) {
	n := abs(width) - utf8.RuneCountInString(s)
	if n > 0 {
		w := 4 // the fewest bytes a padding character takes
		for _, r := range chars.String {
			w = min(w, utf8.RuneLen(r))
		}
		if chars.String == "" {
			w = 1
		}
		if n > MaxPayloadBytes || len(s)+n*w > MaxPayloadBytes {
			return "", newError(ErrDataLimitExceeded, "$pad to %d characters would be over the payload limit of %d bytes", abs(width), MaxPayloadBytes)
		}
	}
	return jlib.Pad(s, width, chars), nil
}

func abs(n int) int {
	if n < 0 {
		if n == math.MinInt {
			return math.MaxInt
		}
		return -n
	}
	return n
}

func guardedJoin(values reflect.Value, sep jtypes.OptionalString) (string, error) {
	v := jtypes.Resolve(values)
	if jtypes.IsArray(v) {
		n := 0
		for i := range v.Len() {
			if s, ok := jtypes.AsString(v.Index(i)); ok {
				n += len(s)
			}
			if i > 0 {
				n += len(sep.String)
			}
			if n > MaxPayloadBytes {
				return "", dataLimitError("the result of $join", n)
			}
		}
	}
	return jlib.Join(values, sep)
}

func guardedString(v any, order *jsonOrder, lits map[string]int) (string, error) {
	if n := goJSONLen(reflect.ValueOf(v), MaxPayloadBytes); n > MaxPayloadBytes {
		return "", dataLimitError("the result of $string", n)
	}
	return jsString(reflect.ValueOf(v), order, lits), nil
}

func guardedAppend(a, b reflect.Value) (any, error) {
	n := goJSONLen(a, MaxPayloadBytes)
	if n <= MaxPayloadBytes {
		n += goJSONLen(b, MaxPayloadBytes-n)
	}
	if n > MaxPayloadBytes {
		return nil, dataLimitError("the result of $append", n)
	}
	return jlib.Append(a, b)
}

// guardedConcat is a & b: undefined and functions are "", strings are
// themselves, other values their JSON text.
func guardedConcat(a, b reflect.Value, order *jsonOrder, lits map[string]int) (string, error) {
	text := func(v reflect.Value, room int) (string, error) {
		if !v.IsValid() || !v.CanInterface() {
			return "", nil
		}
		if s, ok := jtypes.AsString(v); ok {
			return s, nil
		}
		if n := goJSONLen(v, room); n > room {
			return "", dataLimitError("the result of &", MaxPayloadBytes-room+n)
		}
		return jsString(v, order, lits), nil
	}
	s1, err := text(a, MaxPayloadBytes)
	if err != nil {
		return "", err
	}
	s2, err := text(b, MaxPayloadBytes-len(s1))
	if err != nil {
		return "", err
	}
	if n := len(s1) + len(s2); n > MaxPayloadBytes {
		return "", dataLimitError("the result of &", n)
	}
	return s1 + s2, nil
}

// guardedRangeEnd returns the end of a range [lo..hi] once it has checked
// the range is not too long.
func guardedRangeEnd(lo, hi reflect.Value, total *int) (any, error) {
	if !hi.IsValid() || !hi.CanInterface() {
		return nil, jtypes.ErrUndefined
	}
	l, ok1 := jtypes.AsNumber(lo)
	h, ok2 := jtypes.AsNumber(hi)
	if ok1 && ok2 && h >= l {
		if h-l+1 > maxJSONataRange {
			return nil, newError(ErrDataLimitExceeded, "the range [%s..%s] has more than %d items", strconv.FormatFloat(l, 'f', -1, 64), strconv.FormatFloat(h, 'f', -1, 64), maxJSONataRange)
		}
		if *total += int(h-l) + 1; *total > maxJSONataRangeTotal {
			return nil, newError(ErrDataLimitExceeded, "the ranges of the expression have more than %d items in all", maxJSONataRangeTotal)
		}
	}
	return hi.Interface(), nil
}

// goJSONLen is the length of the JSON text of an engine value, or a
// number over limit once it passes limit, without building the text.
func goJSONLen(v reflect.Value, limit int) int {
	v = jtypes.Resolve(v)
	if !v.IsValid() {
		return 4
	}
	switch {
	case jtypes.IsString(v):
		s, _ := jtypes.AsString(v)
		return jsonLen(s, limit)
	case jtypes.IsNumber(v):
		return 24
	case jtypes.IsBool(v):
		return 5
	case jtypes.IsArray(v):
		n := 1
		for i := range v.Len() {
			n += goJSONLen(v.Index(i), limit-n) + 1
			if n > limit {
				return n
			}
		}
		return max(n, 2)
	case jtypes.IsMap(v):
		n := 1
		iter := v.MapRange()
		for iter.Next() {
			n += goJSONLen(iter.Key(), limit-n) + 1 + goJSONLen(iter.Value(), limit-n) + 1
			if n > limit {
				return n
			}
		}
		return max(n, 2)
	}
	return 4
}
