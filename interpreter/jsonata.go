package interpreter

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	jsonata "github.com/xiatechs/jsonata-go"
)

// JSONata states ("QueryLanguage": "JSONata") take their values from
// templates in which any string written "{% expression %}" is a JSONata
// expression. Expressions see the state input as $ and $states.input, the
// task or sub-workflow result as $states.result, a caught error as
// $states.errorOutput, the context object as $states.context, and the
// workflow variables by name, plus the functions Step Functions adds
// ($partition, $range, $hash, $random, $uuid, $parse). The expression engine
// is github.com/xiatechs/jsonata-go (JSONata 1.8; Step Functions runs 2.x).

// ErrQueryEvaluation is the error a failing JSONata expression raises.
const ErrQueryEvaluation = "States.QueryEvaluationError"

type jtemplate struct {
	kind tmplKind // tConst, tObject, tArray, tCall (an expression)
	val  any
	keys []string
	kids []*jtemplate
	expr *jsonata.Expr
	src  string
}

// jsonataExpr reports whether s is a "{% ... %}" expression and returns its
// text.
func jsonataExpr(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{%") && strings.HasSuffix(t, "%}") && len(t) >= 4 {
		return strings.TrimSpace(t[2 : len(t)-2]), true
	}
	return "", false
}

func compileJTemplate(v any) (*jtemplate, error) {
	switch x := v.(type) {
	case string:
		src, ok := jsonataExpr(x)
		if !ok {
			return &jtemplate{kind: tConst, val: x}, nil
		}
		e, err := compileJSONata(src)
		if err != nil {
			return nil, fmt.Errorf("invalid JSONata expression %q: %v", src, err)
		}
		return &jtemplate{kind: tCall, expr: e, src: src}, nil
	case *Object:
		t := &jtemplate{kind: tObject}
		dynamic := false
		for _, m := range x.m {
			kid, err := compileJTemplate(m.v)
			if err != nil {
				return nil, err
			}
			dynamic = dynamic || kid.kind != tConst
			t.keys = append(t.keys, m.k)
			t.kids = append(t.kids, kid)
		}
		if !dynamic {
			return &jtemplate{kind: tConst, val: x}, nil
		}
		return t, nil
	case []any:
		t := &jtemplate{kind: tArray}
		dynamic := false
		for _, e := range x {
			kid, err := compileJTemplate(e)
			if err != nil {
				return nil, err
			}
			dynamic = dynamic || kid.kind != tConst
			t.kids = append(t.kids, kid)
		}
		if !dynamic {
			return &jtemplate{kind: tConst, val: x}, nil
		}
		return t, nil
	}
	return &jtemplate{kind: tConst, val: v}, nil
}

// compileJSONata compiles an expression, turning a crash of the
// third-party parser into an error.
func compileJSONata(src string) (e *jsonata.Expr, err error) {
	if definesFunction(src) {
		// The engine has no recursion limit: a recursive function would
		// overflow the Go stack, which no recover can catch.
		return nil, &UnsupportedError{Feature: "JSONata user-defined functions (function/λ)"}
	}
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return jsonata.Compile(src)
}

// definesFunction reports whether a JSONata expression defines a function
// (the keyword function or λ outside string literals).
func definesFunction(src string) bool {
	var quote rune
	prevWord := false
	for i, r := range src {
		switch {
		case quote != 0:
			if r == '\\' {
				continue
			}
			if r == quote && (i == 0 || src[i-1] != '\\') {
				quote = 0
			}
			continue
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == 'λ':
			return true
		case !prevWord && (i == 0 || src[i-1] != '.') && strings.HasPrefix(src[i:], "function"):
			rest := src[i+len("function"):]
			if rest == "" || !isJSONataWordByte(rest[0]) {
				return true
			}
		}
		prevWord = r < 128 && isJSONataWordByte(byte(r))
	}
	return false
}

func isJSONataWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// jenv is what JSONata expressions of one state evaluation see.
type jenv struct {
	sc          *scope
	input       any
	result      any
	hasResult   bool
	errorOutput any
	hasError    bool
	vars        map[string]any // built on first use
	goInput     any
}

func (env *jenv) bindings() (map[string]any, any) {
	if env.vars != nil {
		return env.vars, env.goInput
	}
	env.goInput = toGo(env.input)
	states := map[string]any{"input": env.goInput, "context": toGo(env.sc.contextObject())}
	if env.hasResult {
		states["result"] = toGo(env.result)
	}
	if env.hasError {
		states["errorOutput"] = toGo(env.errorOutput)
	}
	vars := map[string]any{}
	var chain []*varScope
	for v := env.sc.vars; v != nil; v = v.parent {
		chain = append(chain, v)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		for k, v := range chain[i].m {
			vars[k] = toGo(v)
		}
	}
	vars["states"] = states
	env.vars = vars
	return vars, env.goInput
}

// eval evaluates the template; path names the field for messages, as AWS
// writes it ("Output/FunctionResult"). An expression inside an object or
// array that gives nothing fails like a whole field that does (recorded on
// AWS: "... specified for the field 'Output/result' returned nothing
// (undefined).").
func (t *jtemplate) eval(env *jenv, path string) (result any, err error) {
	switch t.kind {
	case tConst:
		return t.val, nil
	case tCall:
		defer func() {
			// The engine is third-party code: turn a crash into an error.
			if r := recover(); r != nil {
				result, err = nil, jsonataFailure(t.src, path, fmt.Errorf("%v", r))
			}
		}()
		vars, in := env.bindings()
		e := *t.expr // a private copy: RegisterVars must not touch the shared expression
		if err := e.RegisterVars(vars); err != nil {
			return nil, jsonataFailure(t.src, path, err)
		}
		if err := e.RegisterExts(stepFunctionsExts(env.sc)); err != nil {
			return nil, jsonataFailure(t.src, path, err)
		}
		v, err := e.Eval(in)
		if errors.Is(err, jsonata.ErrUndefined) {
			return nil, newError(ErrQueryEvaluation, "The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", t.src, path)
		}
		if err != nil {
			return nil, jsonataFailure(t.src, path, err)
		}
		return fromGo(v)
	case tArray:
		out := make([]any, 0, len(t.kids))
		for i, k := range t.kids {
			v, err := k.eval(env, path+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	default:
		o := newObject(len(t.keys))
		for i, k := range t.kids {
			v, err := k.eval(env, path+"/"+t.keys[i])
			if err != nil {
				return nil, err
			}
			o.set(t.keys[i], v)
		}
		return o, nil
	}
}

// evalTop evaluates a whole field.
func (t *jtemplate) evalTop(env *jenv, field string) (any, *ExecutionError) {
	v, err := t.eval(env, field)
	if err != nil {
		return nil, asExecError(err)
	}
	return v, nil
}

// toGo converts a value to the types the JSONata engine expects.
func toGo(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case *Object:
		m := make(map[string]any, x.Len())
		for _, mem := range x.m {
			m[mem.k] = toGo(mem.v)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toGo(e)
		}
		return out
	}
	return v
}

// fromGo converts a JSONata result back to a value. Objects come back with
// their keys sorted, as the engine keeps no order.
func fromGo(v any) (any, error) {
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
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := newObject(len(keys))
		for _, k := range keys {
			e, err := fromGo(x[k])
			if err != nil {
				return nil, err
			}
			o.add(k, e)
		}
		return o, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := fromGo(e)
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

// stepFunctionsExts are the functions Step Functions adds to JSONata.
func stepFunctionsExts(sc *scope) map[string]jsonata.Extension {
	// Each wraps the matching intrinsic function, which checks its
	// arguments.
	call := func(name string, args ...any) (any, error) {
		fn, _ := lookupIntrinsic(name)
		vals := make([]any, len(args))
		for i, a := range args {
			v, err := fromGo(a)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		v, err := fn.call(sc, vals, nil)
		if err != nil {
			return nil, err
		}
		return toGo(v), nil
	}
	return map[string]jsonata.Extension{
		"partition": {Func: func(a any, size float64) (any, error) { return call("States.ArrayPartition", a, size) }},
		"range": {Func: func(start, end, step float64) (any, error) {
			v, err := call("States.ArrayRange", start, end, step)
			if a, ok := v.([]any); ok && len(a) == 1 {
				// A sequence of one value is that value in JSONata:
				// $range(1, 9, 9) is 1 on AWS.
				return a[0], nil
			}
			return v, err
		}},
		"hash": {Func: func(data any, alg string) (any, error) { return call("States.Hash", data, alg) }},
		"random": {Func: func() float64 {
			return sc.x.float64()
		}},
		"uuid":  {Func: func() string { return sc.x.uuid() }},
		"parse": {Func: func(s string) (any, error) { return call("States.StringToJson", s) }},
	}
}
