package interpreter

import (
	"cmp"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"sort"

	"github.com/xiatechs/jsonata-go/jparse"
)

// jsonOrder puts back the key order of objects that pass through the
// JSONata engine, which holds objects in Go maps and so loses it. Step
// Functions runs JavaScript JSONata, which keeps insertion order (recorded
// on AWS: $merge([{"hello":"world"}, {"foo":"bar"}]) gives
// {"hello":"world","foo":"bar"}). An object the expression returns as it
// got it (the same map) gets its own order back; a new one is ordered by
// the first appearance of each key: in the expression's object
// constructors, then in the input, context, result, error and variables;
// keys seen nowhere come last, sorted.
type jsonOrder struct {
	exact map[uintptr][]string
	rank  map[string]int
}

func newJSONOrder() *jsonOrder {
	return &jsonOrder{exact: map[uintptr][]string{}, rank: map[string]int{}}
}

func (o *jsonOrder) see(k string) {
	if _, ok := o.rank[k]; !ok {
		o.rank[k] = len(o.rank)
	}
}

// toGo converts a value to the types the JSONata engine expects,
// remembering key orders.
func (o *jsonOrder) toGo(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case *Object:
		m := make(map[string]any, x.Len())
		keys := make([]string, 0, x.Len())
		for _, mem := range x.m {
			m[mem.k] = o.toGo(mem.v)
			keys = append(keys, mem.k)
			o.see(mem.k)
		}
		o.exact[reflect.ValueOf(m).Pointer()] = keys
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = o.toGo(e)
		}
		return out
	}
	return v
}

// keysOf orders the keys of m.
func (o *jsonOrder) keysOf(m map[string]any, literal map[string]int) []string {
	if keys, ok := o.exact[reflect.ValueOf(m).Pointer()]; ok && len(keys) == len(m) {
		same := true
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				same = false
				break
			}
		}
		if same {
			return keys
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if r, ok := literal[k]; ok {
			return r
		}
		if r, ok := o.rank[k]; ok {
			return len(literal) + r
		}
		return math.MaxInt
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
	})
	return keys
}

// fromGo converts a JSONata result back to a value; literal ranks the keys
// of the expression's object constructors.
func (o *jsonOrder) fromGo(v any, literal map[string]int) (any, error) {
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, newError(ErrQueryEvaluation, "the expression produced a number JSON cannot hold")
		}
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
		return x, nil
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case map[string]any:
		var keys []string
		if o != nil {
			keys = o.keysOf(x, literal)
		} else {
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
		}
		obj := newObject(len(keys))
		for _, k := range keys {
			e, err := o.fromGo(x[k], literal)
			if err != nil {
				return nil, err
			}
			obj.add(k, e)
		}
		return obj, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := o.fromGo(e, literal)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	// Anything else (typed slices and maps the engine may build): go
	// through JSON.
	b, err := json.Marshal(v)
	if err != nil {
		return nil, newError(ErrQueryEvaluation, "the expression produced a value that is not JSON: %v", err)
	}
	return parseJSON(b)
}

// literalKeys ranks the constant keys of the object constructors of an
// expression, in the order they are written.
func literalKeys(src string) map[string]int {
	n, err := jparse.Parse(src)
	if err != nil {
		return nil
	}
	out := map[string]int{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return
			}
			if on, ok := v.Interface().(*jparse.ObjectNode); ok {
				for _, p := range on.Pairs {
					if s, ok := p[0].(*jparse.StringNode); ok {
						if _, seen := out[s.Value]; !seen {
							out[s.Value] = len(out)
						}
					}
				}
			}
			if v.Kind() == reflect.Pointer && v.Type().Elem().PkgPath() != nodeType().PkgPath() {
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(&n).Elem())
	return out
}
