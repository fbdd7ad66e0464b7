package interpreter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/asl"
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
	lits map[string]int // the keys of the expression's object constructors, ranked
	uses *jneeds        // what the expression refers to
}

// jsonataExpr reports whether s is a "{% ... %}" expression and returns its
// text.
func jsonataExpr(s string) (string, bool) { return asl.JSONataExpression(s) }

func compileJTemplate(v any) (*jtemplate, error) {
	switch x := v.(type) {
	case string:
		src, ok := jsonataExpr(x)
		if !ok {
			return &jtemplate{kind: tConst, val: x}, nil
		}
		e, err := compileJSONata(src)
		if err != nil {
			return nil, fmt.Errorf("invalid JSONata expression %q: %w", src, err)
		}
		return &jtemplate{kind: tCall, expr: e, src: src, lits: literalKeys(src), uses: needsOf(src)}, nil
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
	if err := asl.JSONataLexerTrap(src); err != nil {
		return nil, err
	}
	if e, err = jsonata.Compile(src); err != nil {
		return nil, err
	}
	if err := guardJSONataTree(e); err != nil {
		return nil, err
	}
	return e, nil
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

// jenv is what JSONata expressions of one state evaluation see. Values
// are converted for the engine on first use and only when an expression
// names them: the context object holds the whole execution input, and
// converting it for every Map item made a Map quadratic.
type jenv struct {
	sc          *scope
	input       any
	result      any
	hasResult   bool
	errorOutput any
	hasError    bool
	goInput     any
	states      map[string]any // $states, built on first use
	context     bool           // states holds the context object
	vars        map[string]any // converted variables, by name; nil: build (again) on next use
	order       *jsonOrder
}

// jneeds is what an expression refers to: the context object, and the
// variables it names.
type jneeds struct {
	context bool
	vars    []string
}

// needsOf finds what src refers to. It errs on the side of converting:
// any "context" in the text, or $states used whole, brings in the context
// object.
func needsOf(src string) *jneeds {
	n := &jneeds{context: strings.Contains(src, "context")}
	seen := map[string]bool{}
	for i := 0; i < len(src); i++ {
		if src[i] != '$' {
			continue
		}
		j := i + 1
		for j < len(src) && isJSONataWordByte(src[j]) && src[j] != '$' {
			j++
		}
		name := src[i+1 : j]
		if name == "states" && (j >= len(src) || src[j] != '.') {
			n.context = true
		}
		if name != "" && !seen[name] {
			seen[name] = true
			n.vars = append(n.vars, name)
		}
		i = j - 1
	}
	return n
}

func (env *jenv) bindings(needs *jneeds) (map[string]any, any) {
	if env.vars == nil { // first use, or the caller reset it to rebuild
		env.context = false
		env.order = newJSONOrder()
		env.goInput = env.order.toGo(env.input)
		env.states = map[string]any{"input": env.goInput}
		if env.hasResult {
			env.states["result"] = env.order.toGo(env.result)
		}
		if env.hasError {
			env.states["errorOutput"] = env.order.toGo(env.errorOutput)
		}
		env.vars = map[string]any{}
	}
	if needs.context && !env.context {
		env.states["context"] = env.order.toGo(env.sc.contextObject())
		env.context = true
	}
	vars := map[string]any{"states": env.states}
	for _, name := range needs.vars {
		if name == "states" {
			continue
		}
		v, ok := env.vars[name]
		if !ok {
			for s := env.sc.vars; s != nil; s = s.parent {
				if x, found := s.m[name]; found {
					v, ok = env.order.toGo(x), true
					break
				}
			}
			if !ok {
				continue
			}
			env.vars[name] = v
		}
		vars[name] = v
	}
	for _, name := range needs.vars {
		if _, isVar := vars[name]; !isVar && engineOnlyFunction(name) {
			// Not a JSONata function: calling it fails as on AWS (T1006).
			vars[name] = false
		}
	}
	return vars, env.goInput
}

// engineOnlyFunction reports whether name is a function jsonata-go adds
// that JSONata, and so Step Functions, does not have.
func engineOnlyFunction(name string) bool {
	switch name {
	case "objmerge", "sjoin", "unescape", "hashmd5", "hash256", "dateTimeDim", "dateTimeDimLite",
		"timeSince", "objectsToDocument", "oneToManyJoin", "accumulatingSlice", "renameKeys":
		return true
	}
	return false
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
				result, err = nil, jsonataFailure(env.sc, t.src, path, fmt.Errorf("%v", r))
			}
		}()
		vars, in := env.bindings(t.uses)
		e := *t.expr // a private copy: RegisterVars must not touch the shared expression
		if err := e.RegisterVars(vars); err != nil {
			return nil, jsonataFailure(env.sc, t.src, path, err)
		}
		var hit limitHit
		if err := e.RegisterExts(stepFunctionsExts(env.sc, env.order, &hit)); err != nil {
			return nil, jsonataFailure(env.sc, t.src, path, err)
		}
		if err := e.RegisterExts(guardedJSONataFuncs(&hit, env.order, t.lits)); err != nil {
			return nil, jsonataFailure(env.sc, t.src, path, err)
		}
		if err := e.RegisterExts(jsonataAssert()); err != nil {
			return nil, jsonataFailure(env.sc, t.src, path, err)
		}
		if err := e.RegisterExts(jsonataClock(env.sc)); err != nil {
			return nil, jsonataFailure(env.sc, t.src, path, err)
		}
		v, err := e.Eval(in)
		if hit.err != nil {
			return nil, hit.err
		}
		if errors.Is(err, jsonata.ErrUndefined) {
			return nil, newError(ErrQueryEvaluation, "%sThe JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", env.sc.errorPrefix(), t.src, path)
		}
		if err != nil {
			return nil, jsonataFailure(env.sc, t.src, path, err)
		}
		return env.order.fromGo(v, t.lits)
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

// evalTopArray evaluates a field that must give an array (a Map state's
// Items), failing as Step Functions does when it does not.
func (t *jtemplate) evalTopArray(env *jenv, field string) (any, *ExecutionError) {
	v, err := t.evalTop(env, field)
	if err != nil {
		return nil, err
	}
	if _, ok := v.([]any); !ok {
		src := t.src
		if t.kind != tCall {
			src = encodeJSON(v)
		}
		return nil, newError(ErrQueryEvaluation, "%sThe JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected 'array', but was '%s' for value: %s", env.sc.errorPrefix(), src, field, typeName(v), truncate(encodeJSON(v)))
	}
	return v, nil
}

// evalTop evaluates a whole field.
func (t *jtemplate) evalTop(env *jenv, field string) (any, *ExecutionError) {
	v, err := t.eval(env, field)
	if err != nil {
		return nil, asExecError(err)
	}
	return v, nil
}

// stepFunctionsExts are the functions Step Functions adds to JSONata.
func stepFunctionsExts(sc *scope, order *jsonOrder, hit *limitHit) map[string]jsonata.Extension {
	// Each wraps the matching intrinsic function, which checks its
	// arguments.
	call := func(name string, args ...any) (any, error) {
		fn, _ := lookupIntrinsic(name)
		vals := make([]any, len(args))
		for i, a := range args {
			v, err := order.fromGo(a, nil)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		v, err := fn.call(sc, vals, nil)
		if err != nil {
			return nil, hit.record(err)
		}
		return order.toGo(v), nil
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
