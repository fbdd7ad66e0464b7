package interpreter

// JSONata input and output processing: the state input is $states.input;
// Arguments builds what a Task or Parallel state works on; Output (by
// default the result, or the input for states without one) is the state
// output; Assign sets variables. Output and Assign both see the variables
// as they were before the state.

// jsonataIO is the queryIO of a JSONata state.
type jsonataIO struct {
	args, output, assign *jtemplate
}

func (j *jsonataIO) input(_ *scope, raw any) (any, *ExecutionError) { return raw, nil }

func (j *jsonataIO) payload(sc *scope, raw, _ any) (any, int, *ExecutionError) {
	if j.args == nil {
		return raw, sc.inSize, nil
	}
	v, err := j.args.evalTop(&jenv{sc: sc, input: raw}, "Arguments")
	if err != nil {
		return nil, -1, err
	}
	n, err := sc.checkSize(v, -1, "Arguments")
	return v, n, err
}

func (j *jsonataIO) selectResult(_ *scope, res any) (any, *ExecutionError) { return res, nil }

func (j *jsonataIO) finish(sc *scope, f frame) (any, *ExecutionError) {
	env := &jenv{sc: sc, input: f.raw, result: f.res, hasResult: f.hasRes}
	output, assign := j.output, j.assign
	if f.rule != nil {
		assign = f.rule.jAssign
		if f.rule.jOutput != nil {
			output = f.rule.jOutput
		}
	}
	def, size := f.raw, sc.inSize
	if f.hasRes {
		def, size = f.res, f.resSize
	}
	return finishJSONata(env, output, assign, def, size)
}

func (j *jsonataIO) caught(sc *scope, raw any, c *catcher, eo *Object) (any, *ExecutionError) {
	env := &jenv{sc: sc, input: raw, errorOutput: eo, hasError: true}
	return finishJSONata(env, c.jOutput, c.jAssign, eo, -1)
}

// finishJSONata evaluates Output (default: def) and Assign, which both see
// the variables as they were, then sets the variables. defSize bounds the
// JSON size of def (-1: unknown).
func finishJSONata(env *jenv, output, assign *jtemplate, def any, defSize int) (any, *ExecutionError) {
	out, size := def, defSize
	if output != nil {
		v, err := output.evalTop(env, "Output")
		if err != nil {
			return nil, err
		}
		out, size = v, -1
	}
	var err *ExecutionError
	if env.sc.outSize, err = env.sc.checkSize(out, size, "output"); err != nil {
		return nil, err
	}
	if assign != nil {
		v, err := assign.evalTop(env, "Assign")
		if err != nil {
			return nil, err
		}
		o, ok := v.(*Object)
		if !ok {
			return nil, newError(ErrQueryEvaluation, "Assign must be an object")
		}
		if _, err := env.sc.checkSize(o, -1, "Assign"); err != nil {
			return nil, err
		}
		env.sc.commit(o)
	}
	return out, nil
}
