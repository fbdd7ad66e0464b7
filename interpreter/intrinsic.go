package interpreter

import (
	"github.com/hsc-dev/hsc/asl"

	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// An intrinsic function call, such as States.Format('{}', $.x), ready to
// evaluate. The grammar and the table of functions are asl's
// (asl.ParseIntrinsic, asl.IntrinsicFuncs); this file evaluates the tree.
type intrinsic struct {
	name string
	fn   *intrinsicFunc
	args []intrinsicArg
}

type intrinsicArg struct {
	lit  any    // literal value
	raw  string // literal string as written (escapes kept), for Format
	str  bool   // lit is a string literal
	path *Path
	call *intrinsic
}

type intrinsicFunc struct {
	call func(sc *scope, args []any, a0 *intrinsicArg) (any, error)
}

// lookupIntrinsic returns the implementation of the function named name.
func lookupIntrinsic(name string) (*intrinsicFunc, bool) {
	var f func(sc *scope, args []any, a0 *intrinsicArg) (any, error)
	switch name {
	case "States.Format":
		f = fnFormat
	case "States.StringToJson":
		f = fnStringToJSON
	case "States.JsonToString":
		f = fnJSONToString
	case "States.Array":
		f = fnArray
	case "States.ArrayPartition":
		f = fnArrayPartition
	case "States.ArrayContains":
		f = fnArrayContains
	case "States.ArrayRange":
		f = fnArrayRange
	case "States.ArrayGetItem":
		f = fnArrayGetItem
	case "States.ArrayLength":
		f = fnArrayLength
	case "States.ArrayUnique":
		f = fnArrayUnique
	case "States.Base64Encode":
		f = fnBase64Encode
	case "States.Base64Decode":
		f = fnBase64Decode
	case "States.Hash":
		f = fnHash
	case "States.JsonMerge":
		f = fnJSONMerge
	case "States.MathRandom":
		f = fnMathRandom
	case "States.MathAdd":
		f = fnMathAdd
	case "States.StringSplit":
		f = fnStringSplit
	case "States.UUID":
		f = fnUUID
	default:
		return nil, false
	}
	return &intrinsicFunc{f}, true
}

// isIntrinsic reports whether s is written as an intrinsic function call.
func isIntrinsic(s string) bool { return asl.IsIntrinsicCall(s) }

// parseIntrinsic parses a call with asl's grammar.
func parseIntrinsic(src string) (*intrinsic, error) {
	ai, err := asl.ParseIntrinsic(src)
	if err != nil {
		return nil, err
	}
	return newIntrinsic(ai)
}

// newIntrinsic prepares a parsed call for evaluation.
func newIntrinsic(ai *asl.Intrinsic) (*intrinsic, error) {
	fn, ok := lookupIntrinsic(ai.Func.Name)
	if !ok {
		return nil, &UnsupportedError{Feature: "intrinsic function " + ai.Func.Name}
	}
	f := &intrinsic{name: ai.Func.Name, fn: fn, args: make([]intrinsicArg, len(ai.Args))}
	for i := range ai.Args {
		a := &ai.Args[i]
		switch a.Kind {
		case asl.ArgPath:
			f.args[i].path = newPath(a.Path)
		case asl.ArgCall:
			c, err := newIntrinsic(a.Call)
			if err != nil {
				return nil, err
			}
			f.args[i].call = c
		default:
			f.args[i] = intrinsicArg{lit: a.Literal, raw: a.Raw, str: a.String}
		}
	}
	return f, nil
}

// eval runs the call with input as "$".
func (f *intrinsic) eval(sc *scope, input any) (any, error) {
	args := make([]any, len(f.args))
	for i := range f.args {
		a := &f.args[i]
		switch {
		case a.call != nil:
			v, err := a.call.eval(sc, input)
			if err != nil {
				return nil, err
			}
			args[i] = v
		case a.path != nil:
			v, ok := sc.evalPath(a.path, input)
			if !ok {
				return nil, newError(ErrParameterPathFailure, "the JSONPath %s in the intrinsic function %s could not be found in the input", a.path.src, f.name)
			}
			args[i] = v
		default:
			args[i] = a.lit
		}
	}
	var a0 *intrinsicArg
	if len(f.args) > 0 {
		a0 = &f.args[0]
	}
	v, err := f.fn.call(sc, args, a0)
	if err != nil {
		if _, ok := err.(*ExecutionError); ok {
			return nil, err
		}
		return nil, newError(ErrIntrinsicFailure, "%s: %v", f.name, err)
	}
	return v, nil
}

func argString(args []any, i int, what string) (string, error) {
	s, ok := args[i].(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, got %s", what, typeName(args[i]))
	}
	return s, nil
}

func argArray(args []any, i int, what string) ([]any, error) {
	a, ok := args[i].([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an array, got %s", what, typeName(args[i]))
	}
	return a, nil
}

// argInt accepts an integer, or a number with no fractional part.
func argInt(args []any, i int, what string) (int64, error) {
	switch x := args[i].(type) {
	case int64:
		return x, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	}
	return 0, fmt.Errorf("%s must be an integer, got %s", what, encodeJSON(args[i]))
}

func fnFormat(_ *scope, args []any, a0 *intrinsicArg) (any, error) {
	tmpl, err := argString(args, 0, "the format string")
	if err != nil {
		return nil, err
	}
	escaped := a0 != nil && a0.str
	if escaped {
		tmpl = a0.raw
	}
	var b strings.Builder
	n := 1
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if escaped && c == '\\' && i+1 < len(tmpl) {
			i++
			b.WriteByte(tmpl[i])
			continue
		}
		if c == '{' && i+1 < len(tmpl) && tmpl[i+1] == '}' {
			if n >= len(args) {
				return nil, fmt.Errorf("the format string has more {} placeholders than arguments (%d)", len(args)-1)
			}
			if err := checkSize("States.Format", b.Len()+formatArgLen(args[n], MaxPayloadBytes-b.Len())); err != nil {
				return nil, err
			}
			formatArg(&b, args[n])
			n++
			i++
			continue
		}
		b.WriteByte(c)
	}
	if n != len(args) {
		return nil, fmt.Errorf("the format string has %d {} placeholders but %d arguments follow it", n-1, len(args)-1)
	}
	return b.String(), nil
}

func fnStringToJSON(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	s, err := argString(args, 0, "the argument")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil // as recorded on AWS: "" and " " give null
	}
	return parseJSON([]byte(s))
}

func fnJSONToString(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	if err := checkValueSize("States.JsonToString", args[0]); err != nil {
		return nil, err
	}
	s := encodeJSON(args[0])
	// As a string in a payload, its quotes and backslashes are escaped.
	if err := checkValueSize("States.JsonToString", s); err != nil {
		return nil, err
	}
	return s, nil
}

func fnArray(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	if err := checkValueSize("States.Array", out); err != nil {
		return nil, err
	}
	return out, nil
}

func fnArrayPartition(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	a, err := argArray(args, 0, "the first argument")
	if err != nil {
		return nil, err
	}
	n, err := argRounded(args[1], "the chunk size")
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, fmt.Errorf("the chunk size must be positive, got %d", n)
	}
	chunks := (int64(len(a)) + n - 1) / n
	if err := checkSize("States.ArrayPartition", jsonLen(a, MaxPayloadBytes)+int(min(chunks, MaxPayloadBytes))*3); err != nil {
		return nil, err
	}
	out := make([]any, 0, (int64(len(a))+n-1)/n)
	for i := int64(0); i < int64(len(a)); i += n {
		out = append(out, a[i:min(i+n, int64(len(a)))])
	}
	return out, nil
}

func fnArrayContains(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	a, err := argArray(args, 0, "the first argument")
	if err != nil {
		return nil, err
	}
	for _, e := range a {
		if equalValues(e, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

const maxArrayRange = 1000

func fnArrayRange(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	start, err := argRounded(args[0], "the start")
	if err != nil {
		return nil, err
	}
	end, err := argRounded(args[1], "the end")
	if err != nil {
		return nil, err
	}
	step, err := argRounded(args[2], "the step")
	if err != nil {
		return nil, err
	}
	if step == 0 {
		return nil, fmt.Errorf("the step must not be 0")
	}
	out := []any{}
	for i := start; (step > 0 && i <= end) || (step < 0 && i >= end); i += step {
		if len(out) == maxArrayRange {
			return nil, fmt.Errorf("the range has more than %d items", maxArrayRange)
		}
		out = append(out, i)
	}
	return out, nil
}

func fnArrayGetItem(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	a, err := argArray(args, 0, "the first argument")
	if err != nil {
		return nil, err
	}
	i, err := argInt(args, 1, "the index")
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(a)) {
		return nil, fmt.Errorf("index %d is out of range for an array of %d items", i, len(a))
	}
	return a[i], nil
}

func fnArrayLength(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	a, err := argArray(args, 0, "the argument")
	if err != nil {
		return nil, err
	}
	return int64(len(a)), nil
}

func fnArrayUnique(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	a, err := argArray(args, 0, "the argument")
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(a))
	seen := map[string]bool{}
	var composite []any // objects and arrays, compared pairwise
outer:
	for _, e := range a {
		if k, ok := uniqueKey(e); ok {
			if !seen[k] {
				seen[k] = true
				out = append(out, e)
			}
			continue
		}
		for _, u := range composite {
			if equalValues(e, u) {
				continue outer
			}
		}
		composite = append(composite, e)
		out = append(out, e)
	}
	return out, nil
}

const maxEncodeLen = 10000

func fnBase64Encode(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	s, err := argString(args, 0, "the argument")
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(s) > maxEncodeLen {
		return nil, fmt.Errorf("the input is longer than %d characters", maxEncodeLen)
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	s, err := argString(args, 0, "the argument")
	if err != nil {
		return nil, err
	}
	if len(s) > maxEncodeLen {
		return nil, fmt.Errorf("the input is longer than %d characters", maxEncodeLen)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid base64: %w", err)
	}
	return string(b), nil
}

func fnHash(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	data, ok := args[0].(string)
	if !ok {
		data = encodeJSON(args[0])
	}
	if utf8.RuneCountInString(data) > maxEncodeLen {
		return nil, fmt.Errorf("the input is longer than %d characters", maxEncodeLen)
	}
	alg, err := argString(args, 1, "the algorithm")
	if err != nil {
		return nil, err
	}
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unknown algorithm %q (want MD5, SHA-1, SHA-256, SHA-384 or SHA-512)", alg)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnJSONMerge(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	a, ok1 := args[0].(*Object)
	b, ok2 := args[1].(*Object)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("both values to merge must be objects, got %s and %s", typeName(args[0]), typeName(args[1]))
	}
	deep, ok := args[2].(bool)
	if !ok {
		return nil, fmt.Errorf("the deep-merge flag must be a boolean, got %s", typeName(args[2]))
	}
	if deep {
		// The intrinsic functions page: "Step Functions only supports the
		// shallow merging mode; therefore, you must specify the boolean
		// value as false."
		return nil, fmt.Errorf("only the shallow merging mode is supported: the third argument must be false")
	}
	out := mergeObjects(a, b)
	if err := checkValueSize("States.JsonMerge", out); err != nil {
		return nil, err
	}
	javaHashOrder(out)
	return out, nil
}

// mergeObjects is a shallow merge: b's members replace a's.
func mergeObjects(a, b *Object) *Object {
	out := newObject(a.Len() + b.Len())
	out.m = append(out.m, a.m...)
	at := make(map[string]int, len(out.m))
	for i, mem := range out.m {
		at[mem.k] = i
	}
	for _, mem := range b.m {
		if i, ok := at[mem.k]; ok {
			out.m[i].v = mem.v
			continue
		}
		at[mem.k] = len(out.m)
		out.m = append(out.m, mem)
	}
	return out
}

func fnMathRandom(sc *scope, args []any, _ *intrinsicArg) (any, error) {
	start, err := argRounded(args[0], "the start")
	if err != nil {
		return nil, err
	}
	end, err := argRounded(args[1], "the end")
	if err != nil {
		return nil, err
	}
	if end <= start {
		return nil, fmt.Errorf("the end (%d) must be greater than the start (%d)", end, start)
	}
	if len(args) == 3 {
		seed, err := argRounded(args[2], "the seed")
		if err != nil {
			return nil, err
		}
		r := rand.New(rand.NewPCG(uint64(seed), 0))
		return start + r.Int64N(end-start), nil
	}
	return start + sc.x.int64n(end-start), nil
}

func fnMathAdd(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	if a, ok := args[0].(int64); ok { // two integers: nothing to round
		if b, ok := args[1].(int64); ok {
			return a + b, nil
		}
	}
	if !isNumber(args[0]) || !isNumber(args[1]) {
		return nil, fmt.Errorf("both arguments must be numbers, got %s and %s", typeName(args[0]), typeName(args[1]))
	}
	// Each argument is rounded half up to an integer first (recorded on
	// AWS: MathAdd(1.49, 1.5) is 3, MathAdd(-1.5, 0) is -1).
	a, err := argRounded(args[0], "the first argument")
	if err != nil {
		return nil, err
	}
	b, err := argRounded(args[1], "the second argument")
	if err != nil {
		return nil, err
	}
	return a + b, nil
}

func fnStringSplit(_ *scope, args []any, _ *intrinsicArg) (any, error) {
	s, err := argString(args, 0, "the string to split")
	if err != nil {
		return nil, err
	}
	sep, err := argString(args, 1, "the delimiter")
	if err != nil {
		return nil, err
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(sep, r) })
	size := 2
	for _, f := range fields {
		size += jsonLen(f, MaxPayloadBytes) + 1
		if err := checkSize("States.StringSplit", size); err != nil {
			return nil, err
		}
	}
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i] = f
	}
	return out, nil
}

func fnUUID(sc *scope, _ []any, _ *intrinsicArg) (any, error) {
	return sc.x.uuid(), nil
}
