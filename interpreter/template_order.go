package interpreter

import (
	"slices"
	"strings"
)

// orderFieldsLikeAWS puts the members of a payload template object
// (Parameters, ItemSelector, ResultSelector, Assign) in the order Step
// Functions writes them: the fields with constant values first, as
// written, then the fields whose keys end in ".$", in the iteration order
// of a java.util.HashMap holding them (the bucket of the name's
// String.hashCode, then insertion). Recorded on AWS (localstack's
// test_base_scenarios test_map_state_item_selector_singleton): the
// ItemSelector {"original_input.$", "iteration_input_value.$",
// "iteration_index.$", "from_input_constant.$", "constant_value"} gives
// constant_value, iteration_input_value, from_input_constant,
// iteration_index, original_input; and {"value.$", "bucketName"} gives
// bucketName, value. The order is fixed when the template is compiled.
func orderFieldsLikeAWS(t *template) {
	type field struct {
		key, src string
		kid      *template
		dyn      bool
	}
	fs := make([]field, len(t.keys))
	var names []string
	for i := range t.keys {
		dyn := strings.HasSuffix(t.srcs[i], ".$")
		fs[i] = field{t.keys[i], t.srcs[i], t.kids[i], dyn}
		if dyn {
			names = append(names, t.keys[i])
		}
	}
	if len(names) == 0 {
		return
	}
	rank := javaHashRanks(names)
	slices.SortStableFunc(fs, func(a, b field) int {
		switch {
		case a.dyn != b.dyn:
			if a.dyn {
				return 1
			}
			return -1
		case !a.dyn:
			return 0
		}
		return rank[a.key] - rank[b.key]
	})
	for i, f := range fs {
		t.keys[i], t.srcs[i], t.kids[i] = f.key, f.src, f.kid
	}
}

// javaHashRanks gives each of keys (inserted in this order into a
// java.util.HashMap) its place in the map's iteration order.
func javaHashRanks(keys []string) map[string]int {
	o := newObject(len(keys))
	for _, k := range keys {
		o.add(k, nil)
	}
	javaHashOrder(o)
	rank := make(map[string]int, len(keys))
	for i, m := range o.m {
		rank[m.k] = i
	}
	return rank
}
