package interpreter

import (
	"slices"
	"strings"
)

// Intrinsic functions that build strings and arrays check the size of what
// they are about to build against the payload limit and fail with
// States.DataLimitExceeded instead of building it: no value bigger than a
// payload can end up in one. (Doubling a string with States.Format 30
// times used to take 3.3 GB.)

// checkSize fails when n bytes of JSON text would be over the limit.
func checkSize(fn string, n int) error {
	if n > MaxPayloadBytes {
		return newError(ErrDataLimitExceeded, "the result of %s would be %d bytes or more, over the payload limit of %d bytes", fn, n, MaxPayloadBytes)
	}
	return nil
}

// checkValueSize fails when v's JSON text is over the limit. It stops
// counting at the limit.
func checkValueSize(fn string, v any) error {
	return checkSize(fn, jsonLen(v, MaxPayloadBytes))
}

// uniqueKey is a text that two values have in common exactly when
// equalValues holds for them: numbers by value, objects whatever their key
// order. ok is false for values it cannot key (numbers beyond ±2^53, where
// int64 and float64 comparisons differ); those are compared pairwise.
func uniqueKey(v any) (string, bool) {
	var b []byte
	ok := appendUniqueKey(&b, v)
	return string(b), ok
}

func appendUniqueKey(b *[]byte, v any) bool {
	switch x := v.(type) {
	case int64:
		if x <= -1<<53 || x >= 1<<53 {
			return false
		}
		*b = appendJSON(*b, float64(x))
	case float64:
		if x <= -1<<53 || x >= 1<<53 {
			return false
		}
		*b = appendJSON(*b, x)
	case []any:
		*b = append(*b, '[')
		for _, e := range x {
			if !appendUniqueKey(b, e) {
				return false
			}
			*b = append(*b, ',')
		}
		*b = append(*b, ']')
	case *Object:
		ms := slices.Clone(x.m)
		slices.SortFunc(ms, func(p, q member) int { return strings.Compare(p.k, q.k) })
		*b = append(*b, '{')
		for _, m := range ms {
			*b = appendJSON(*b, m.k)
			*b = append(*b, ':')
			if !appendUniqueKey(b, m.v) {
				return false
			}
			*b = append(*b, ',')
		}
		*b = append(*b, '}')
	default:
		*b = appendJSON(*b, x)
	}
	return true
}
