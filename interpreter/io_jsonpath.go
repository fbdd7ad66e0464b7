package interpreter

import (
	"strconv"

	"github.com/hsc-dev/hsc/asl"
)

// JSONPath input and output processing: InputPath → Parameters (or a Pass
// state's Result) → the work → ResultSelector → ResultPath → OutputPath,
// with Assign seeing the state's result as "$".

// jsonPathIO is the queryIO of a JSONPath state.
type jsonPathIO struct {
	inputPath, outputPath ioPath
	resultPath            resultPath
	params                *template // Parameters (not a Map state's: that is its ItemSelector)
	result                any       // a Pass state's Result
	resultSize            int       // its JSON size
	hasResult             bool
	resultSelector        *template
	assign                *template // nil if none
}

// ioPath is an InputPath or OutputPath: "$" (nil path), a path, or null.
type ioPath struct {
	path *Path
	null bool
}

// resultPath is a ResultPath: "$" (root), a reference path, or null.
type resultPath struct {
	path *Path
	null bool
}

func (p *jsonPathIO) input(sc *scope, raw any) (any, *ExecutionError) {
	return p.inputPath.apply(sc, raw)
}

func (p *jsonPathIO) payload(sc *scope, _, eff any) (any, int, *ExecutionError) {
	switch {
	case p.hasResult:
		return p.result, p.resultSize, nil
	case p.params != nil:
		v, err := p.params.eval(sc, eff)
		if err != nil {
			return nil, -1, asExecError(err)
		}
		n, serr := sc.checkSize(v, p.params.bound(sc.inSize), "Parameters")
		return v, n, serr
	}
	return eff, sc.inSize, nil // InputPath selects a part of the input
}

func (p *jsonPathIO) selectResult(sc *scope, res any) (any, *ExecutionError) {
	if p.resultSelector == nil {
		return res, nil
	}
	v, err := p.resultSelector.eval(sc, res)
	if err != nil {
		return nil, asExecError(err)
	}
	return v, nil
}

// finish: Assign sees the result as "$" (a Pass state's Result or
// Parameters output, a Task's result after ResultSelector, a Choice or
// Wait state's effective input), as AWS's workflow-variables page says;
// the output is ResultPath applied to the state input, then OutputPath.
func (p *jsonPathIO) finish(sc *scope, f frame) (any, *ExecutionError) {
	assign := p.assign
	if f.rule != nil {
		assign = f.rule.assign
	}
	assigned, err := sc.evalAssign(assign, f.res)
	if err != nil {
		return nil, err
	}
	out, err := p.resultPath.apply(f.raw, f.res)
	if err != nil {
		return nil, err
	}
	if out, err = p.outputPath.apply(sc, out); err != nil {
		return nil, err
	}
	// OutputPath selects a part: the bound of ResultPath's output holds.
	if sc.outSize, err = sc.checkSize(out, p.resultPath.bound(sc, f.raw, f.res, f.resSize), "output"); err != nil {
		return nil, err
	}
	sc.commit(assigned)
	return out, nil
}

// bound returns a bound on the JSON size of apply's result, from those of
// the state input and the result.
func (p *resultPath) bound(sc *scope, raw, result any, resSize int) int {
	switch {
	case p.null:
		return sc.inSize
	case p.path == nil:
		return resSize
	}
	return p.pathBound(sc, raw, result, resSize)
}

// pathBound is bound for a ResultPath that is a reference path.
func (p *resultPath) pathBound(sc *scope, raw, result any, resSize int) int {
	in, res := sc.inSize, resSize
	if in < 0 {
		in = jsonSize(raw, 0, MaxPayloadBytes)
	}
	if res < 0 {
		res = jsonSize(result, 0, MaxPayloadBytes)
	}
	// Setting a member replaces at most the old value; new objects on
	// the way add their keys, which the path spells.
	return in + res + 2*len(p.path.src) + 16
}

// caught: a catcher's Assign sees the error output as "$"; its ResultPath
// puts the error output into the state input.
func (p *jsonPathIO) caught(sc *scope, raw any, c *catcher, eo *Object) (any, *ExecutionError) {
	assigned, err := sc.evalAssign(c.assign, eo)
	if err != nil {
		return nil, err
	}
	out, err := c.resultPath.apply(raw, eo)
	if err != nil {
		return nil, err
	}
	if sc.outSize, err = sc.checkSize(out, c.resultPath.bound(sc, raw, eo, -1), "output"); err != nil {
		return nil, err
	}
	sc.commit(assigned)
	return out, nil
}

func (p ioPath) apply(sc *scope, v any) (any, *ExecutionError) {
	if p.null {
		return newObject(0), nil
	}
	if p.path == nil {
		return v, nil
	}
	r, ok := sc.evalPath(p.path, v)
	if !ok {
		if n, ok := normalizedPath(p.path); ok {
			// AWS's (Jayway's) wording: recorded in
			// ../shared/aws/history/invalid_jsonpath_inputpath.
			return nil, sc.runtimeError("Invalid path '%s' : No results for path: %s", p.path.src, n)
		}
		return nil, sc.runtimeError("Invalid path '%s': no value at that path in '%s'", p.path.src, truncate(encodeJSON(v)))
	}
	return r, nil
}

// normalizedPath writes a path of field and index steps from "$" as Jayway
// normalizes it in messages: $['a'][0].
func normalizedPath(p *Path) (string, bool) {
	if p.context || p.variable != "" || !p.IsReference() {
		return "", false
	}
	b := []byte{'$'}
	for _, st := range p.steps {
		if st.Kind == asl.StepIndex {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(st.Index), 10)
			b = append(b, ']')
			continue
		}
		b = append(b, "['"...)
		b = append(b, st.Name...)
		b = append(b, "']"...)
	}
	return string(b), true
}

func (p resultPath) apply(input, result any) (any, *ExecutionError) {
	switch {
	case p.null:
		return input, nil
	case p.path == nil:
		return result, nil
	}
	out, ok := p.path.set(input, result)
	if !ok {
		return nil, newError(ErrResultPathMatchFailure, "Unable to apply ResultPath '%s' to input '%s'", p.path.src, truncate(encodeJSON(input)))
	}
	return out, nil
}
