package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/hsc-dev/hsc/interpreter"
)

// TestState runs one state on the interpreter, through the public API
// only: the state is put in a machine of its own whose transitions lead
// to stub states, so that the run shows where the state goes (nextState),
// what it outputs, and which error it raises. Retry is taken out and
// evaluated here (RETRIABLE); Catch stays (CAUGHT_ERROR). Time is virtual:
// a Wait state does not wait.

type testStateInput struct {
	Definition      string  `json:"definition"`
	RoleArn         *string `json:"roleArn"`
	Input           *string `json:"input"`
	InspectionLevel string  `json:"inspectionLevel"`
	RevealSecrets   bool    `json:"revealSecrets"`
	Variables       *string `json:"variables"`
	StateName       *string `json:"stateName"`
	Context         *string `json:"context"`
	Mock            *struct {
		Result      *string `json:"result"`
		ErrorOutput *struct {
			Error *string `json:"error"`
			Cause *string `json:"cause"`
		} `json:"errorOutput"`
	} `json:"mock"`
	StateConfiguration *testStateConfig `json:"stateConfiguration"`
}

type inspectionData struct {
	Input               *string `json:"input,omitempty"`
	AfterInputPath      *string `json:"afterInputPath,omitempty"`
	AfterParameters     *string `json:"afterParameters,omitempty"`
	AfterArguments      *string `json:"afterArguments,omitempty"`
	Result              *string `json:"result,omitempty"`
	AfterResultSelector *string `json:"afterResultSelector,omitempty"`
	AfterResultPath     *string `json:"afterResultPath,omitempty"`
	Variables           *string `json:"variables,omitempty"`
	// A Map state's stages (see teststate_map.go).
	AfterItemsPath             *string  `json:"afterItemsPath,omitempty"`
	AfterItemsPointer          *string  `json:"afterItemsPointer,omitempty"`
	AfterItemSelector          *string  `json:"afterItemSelector,omitempty"`
	AfterItemBatcher           *string  `json:"afterItemBatcher,omitempty"`
	MaxConcurrency             *int32   `json:"maxConcurrency,omitempty"`
	ToleratedFailureCount      *int32   `json:"toleratedFailureCount,omitempty"`
	ToleratedFailurePercentage *float64 `json:"toleratedFailurePercentage,omitempty"`
	ErrorDetails               *struct {
		CatchIndex                  *int `json:"catchIndex,omitempty"`
		RetryIndex                  *int `json:"retryIndex,omitempty"`
		RetryBackoffIntervalSeconds *int `json:"retryBackoffIntervalSeconds,omitempty"`
	} `json:"errorDetails,omitempty"`
}

type testStateOutput struct {
	Output         *string         `json:"output,omitempty"`
	Error          *string         `json:"error,omitempty"`
	Cause          *string         `json:"cause,omitempty"`
	InspectionData *inspectionData `json:"inspectionData,omitempty"`
	NextState      *string         `json:"nextState,omitempty"`
	Status         string          `json:"status"`
}

const stubPrefix = "hsc-test-state-next-"

func decodeObject(s string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return m, nil
}

func (s *Server) testState(ctx context.Context, in *testStateInput) (any, error) {
	var runCtx []interpreter.Option // the context object given, if any
	if in.Context != nil {
		// AWS API reference, TestState: "This field may only be specified
		// if a mock is specified in the same request."
		if in.Mock == nil {
			return nil, errValidation("The context field may only be specified if a mock is specified in the same request")
		}
		if _, err := decodeObject(*in.Context); err != nil {
			return nil, errValidation("context must be a JSON object: %s", err.Error())
		}
		runCtx = append(runCtx, interpreter.WithContextObject([]byte(*in.Context)))
	}
	if in.RoleArn != nil {
		if err := checkRoleArn(*in.RoleArn); err != nil {
			return nil, err
		}
	}
	input := "{}"
	if in.Input != nil {
		input = *in.Input
		if err := checkJSON(input); err != nil {
			return nil, apiErr("InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'", err.Error())
		}
	}
	def, err := decodeObject(in.Definition)
	if err != nil {
		return nil, invalidDefinition([]diagnostic{{Severity: "ERROR", Code: "INVALID_JSON_DESCRIPTION", Message: err.Error()}})
	}
	name := "TestState"
	state := def
	queryLanguage, _ := def["QueryLanguage"].(string)
	if in.StateName != nil {
		states, _ := def["States"].(map[string]any)
		st, ok := states[*in.StateName].(map[string]any)
		if !ok {
			return nil, errValidation("State '%s' is not a state of the definition's top-level States", *in.StateName)
		}
		name, state = *in.StateName, st
	} else if _, full := def["States"]; full {
		return nil, errValidation("The definition is a state machine: give stateName to test one of its states")
	}
	if ql, ok := state["QueryLanguage"].(string); ok {
		queryLanguage = ql
	}
	retry, _ := state["Retry"].([]any)
	delete(state, "Retry")
	typ := stateType(state)
	if err := checkStateConfig(typ, state, in); err != nil {
		return nil, err
	}
	// A mocked Map or Parallel state runs as a Task whose result is the
	// mock's (teststate_map.go).
	var mapT *mapTest
	if (typ == "Map" || typ == "Parallel") && in.Mock != nil {
		if typ == "Map" {
			if mapT, err = s.testMap(ctx, state, queryLanguage, input, in, runCtx); err != nil {
				return nil, err
			}
		}
		state = mockedComposite(state)
	}
	// Transitions lead to stubs that record where the state went.
	stubs := map[string]string{}
	stub := func(target any) any {
		t, ok := target.(string)
		if !ok {
			return target
		}
		for k, v := range stubs {
			if v == t {
				return k
			}
		}
		k := fmt.Sprintf("%s%d", stubPrefix, len(stubs))
		stubs[k] = t
		return k
	}
	if next, ok := state["Next"]; ok {
		state["Next"] = stub(next)
	}
	if d, ok := state["Default"]; ok {
		state["Default"] = stub(d)
	}
	for _, key := range []string{"Choices", "Catch"} {
		list, _ := state[key].([]any)
		for _, r := range list {
			if rm, ok := r.(map[string]any); ok {
				if n, ok := rm["Next"]; ok {
					rm["Next"] = stub(n)
				}
			}
		}
	}
	states := map[string]any{name: state}
	for k := range stubs {
		states[k] = map[string]any{"Type": "Pass", "End": true}
	}
	start := name
	if in.Variables != nil {
		vars, err := decodeObject(*in.Variables)
		if err != nil {
			return nil, errValidation("variables must be a JSON object: %s", err.Error())
		}
		start = stubPrefix + "variables"
		states[start] = map[string]any{"Type": "Pass", "QueryLanguage": "JSONPath", "Assign": vars, "Next": name}
	}
	// The machine stays JSONPath (the stubs are JSONPath states); a
	// JSONata state says so itself.
	machine := map[string]any{"StartAt": start, "States": states}
	if queryLanguage == "JSONata" {
		state["QueryLanguage"] = "JSONata"
	}
	text, _ := json.Marshal(machine)
	ds, m := checkDefinition(string(text), "STANDARD")
	if hasErrors(ds) {
		return nil, invalidDefinition(ds)
	}
	var tasks interpreter.TaskResolver = interpreter.TaskFunc(func(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		if s.cfg.Tasks == nil {
			return nil, &interpreter.UnresolvedTaskError{State: req.StateName, Resource: req.Resource}
		}
		return s.cfg.Tasks.ResolveTask(ctx, req)
	})
	if in.Mock != nil {
		mock := in.Mock
		tasks = interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) {
			if mapT != nil && mapT.exceeded {
				return nil, &interpreter.ExecutionError{Name: "States.ExceedToleratedFailureThreshold", Cause: exceedThresholdCause}
			}
			if mock.ErrorOutput != nil {
				return nil, &interpreter.ExecutionError{Name: deref(mock.ErrorOutput.Error), Cause: deref(mock.ErrorOutput.Cause)}
			}
			return []byte(deref(mock.Result)), nil
		})
	}
	// The task's effective input and its result, for the inspection data.
	var taskInput, taskResult *string
	inner := tasks
	tasks = interpreter.TaskFunc(func(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		ti := string(req.Input)
		taskInput = &ti
		out, err := inner.ResolveTask(ctx, req)
		if err == nil {
			tr := string(bytes.TrimSpace(out))
			taskResult = &tr
		}
		return out, err
	})
	var events []interpreter.Event
	res, rerr := m.Run(ctx, []byte(input), append([]interpreter.Option{
		interpreter.WithTaskResolver(tasks),
		interpreter.WithEventHook(func(e interpreter.Event) { events = append(events, e) }),
		interpreter.WithRegion(s.cfg.Region), interpreter.WithAccountID(s.cfg.AccountID),
		interpreter.WithRoleArn(deref(in.RoleArn)),
		interpreter.WithClock(interpreter.NewVirtualClock(s.now()))}, runCtx...)...)
	if res == nil {
		return nil, apiErr("InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'", rerr.Error())
	}
	out := &testStateOutput{}
	if in.InspectionLevel == "DEBUG" || in.InspectionLevel == "TRACE" {
		out.InspectionData = s.inspect(ctx, state, queryLanguage, input, in.Variables, taskInput, taskResult, runCtx)
		if mapT != nil {
			d := mapT.inspect
			d.Result, d.AfterResultSelector = out.InspectionData.Result, out.InspectionData.AfterResultSelector
			out.InspectionData = d
		}
	}
	// Where did the state go, and did it fail on the way?
	var errName, cause string
	failed := false
	for _, e := range events {
		if d := failureOf(e); d != nil {
			failed, errName, cause = true, d.Error, d.Cause
		}
		if e.StateEnteredEventDetails != nil {
			if target, ok := stubs[e.StateEnteredEventDetails.Name]; ok {
				out.NextState = &target
				o := e.StateEnteredEventDetails.Input
				out.Output = &o
				break
			}
		}
	}
	if failed && res.Status != interpreter.StatusSucceeded {
		errName, cause = res.Error, res.Cause
	}
	if !failed && res.Status != interpreter.StatusSucceeded {
		failed, errName, cause = true, res.Error, res.Cause
	}
	retries := 0
	if in.StateConfiguration != nil && in.StateConfiguration.RetrierRetryCount != nil {
		retries = *in.StateConfiguration.RetrierRetryCount
	}
	if failed {
		if idx, backoff, ok := matchRetrier(retry, errName, retries); ok {
			out.Status, out.Error, out.Cause, out.Output, out.NextState = "RETRIABLE", &errName, optional(cause), nil, nil
			if out.InspectionData == nil {
				out.InspectionData = &inspectionData{}
			}
			out.InspectionData.ErrorDetails = &struct {
				CatchIndex                  *int `json:"catchIndex,omitempty"`
				RetryIndex                  *int `json:"retryIndex,omitempty"`
				RetryBackoffIntervalSeconds *int `json:"retryBackoffIntervalSeconds,omitempty"`
			}{RetryIndex: &idx, RetryBackoffIntervalSeconds: &backoff}
			return out, nil
		}
		out.Error, out.Cause = &errName, optional(cause)
		if out.NextState != nil {
			out.Status = "CAUGHT_ERROR"
		} else {
			out.Status, out.Output = "FAILED", nil
		}
		return out, nil
	}
	out.Status = "SUCCEEDED"
	if out.NextState == nil { // a terminal state: the execution's output
		o := string(res.Output)
		out.Output = &o
	}
	if out.InspectionData != nil {
		out.InspectionData.AfterResultPath = out.Output
	}
	return out, nil
}

// inspect works out the data flow of the state for DEBUG and TRACE: the
// task's input and result as the resolver saw them, and the JSONPath
// stages (InputPath, Parameters, ResultSelector) by running each on its
// own in a Pass state.
func (s *Server) inspect(ctx context.Context, state map[string]any, queryLanguage, input string, vars, taskInput, taskResult *string, opts []interpreter.Option) *inspectionData {
	d := &inspectionData{Input: &input, Variables: vars}
	if queryLanguage == "JSONata" || state["QueryLanguage"] == "JSONata" {
		d.AfterArguments, d.Result = taskInput, taskResult
		return d
	}
	pick := func(keys ...string) map[string]any {
		m := map[string]any{}
		for _, k := range keys {
			if v, ok := state[k]; ok {
				m[k] = v
			}
		}
		return m
	}
	d.AfterInputPath = s.evalPass(ctx, pick("InputPath"), input, vars, opts)
	switch {
	case taskInput != nil:
		d.AfterParameters = taskInput
	case state["Parameters"] != nil:
		d.AfterParameters = s.evalPass(ctx, pick("InputPath", "Parameters"), input, vars, opts)
	default:
		d.AfterParameters = d.AfterInputPath
	}
	switch {
	case taskResult != nil:
		d.Result = taskResult
	case state["Result"] != nil:
		r, _ := json.Marshal(state["Result"])
		rs := string(r)
		d.Result = &rs
	}
	if sel, ok := state["ResultSelector"]; ok && d.Result != nil {
		d.AfterResultSelector = s.evalPass(ctx, map[string]any{"Parameters": sel}, *d.Result, vars, opts)
	}
	return d
}

// evalPass runs a Pass state with fields on input and returns its output,
// or nil when it fails.
func (s *Server) evalPass(ctx context.Context, fields map[string]any, input string, vars *string, opts []interpreter.Option) *string {
	st := map[string]any{"Type": "Pass", "End": true}
	for k, v := range fields {
		st[k] = v
	}
	states := map[string]any{"S": st}
	start := "S"
	if vars != nil {
		if vm, err := decodeObject(*vars); err == nil {
			start = "V"
			states["V"] = map[string]any{"Type": "Pass", "Assign": vm, "Next": "S"}
		}
	}
	text, _ := json.Marshal(map[string]any{"StartAt": start, "States": states})
	m, err := interpreter.Compile(text)
	if err != nil {
		return nil
	}
	res, _ := m.Run(ctx, []byte(input), append([]interpreter.Option{interpreter.WithClock(interpreter.NewVirtualClock(s.now()))}, opts...)...)
	if res == nil || res.Status != interpreter.StatusSucceeded {
		return nil
	}
	out := string(res.Output)
	return &out
}

// failureOf returns the error details of a task failure event.
func failureOf(e interpreter.Event) *interpreter.FailureDetails {
	switch {
	case e.TaskFailedEventDetails != nil:
		return &interpreter.FailureDetails{Error: e.TaskFailedEventDetails.Error, Cause: e.TaskFailedEventDetails.Cause}
	case e.TaskTimedOutEventDetails != nil:
		return &interpreter.FailureDetails{Error: e.TaskTimedOutEventDetails.Error, Cause: e.TaskTimedOutEventDetails.Cause}
	case e.LambdaFunctionFailedEventDetails != nil:
		return e.LambdaFunctionFailedEventDetails
	case e.LambdaFunctionTimedOutEventDetails != nil:
		return e.LambdaFunctionTimedOutEventDetails
	case e.ActivityFailedEventDetails != nil:
		return e.ActivityFailedEventDetails
	case e.ActivityTimedOutEventDetails != nil:
		return e.ActivityTimedOutEventDetails
	}
	return nil
}

// matchRetrier finds the retrier that retries errName after retries
// attempts, with its backoff in seconds.
func matchRetrier(retry []any, errName string, retries int) (int, int, bool) {
	for i, r := range retry {
		rm, _ := r.(map[string]any)
		names, _ := rm["ErrorEquals"].([]any)
		if !errorMatches(names, errName) {
			continue
		}
		maxAttempts, interval, rate := 3.0, 1.0, 2.0
		if n, ok := rm["MaxAttempts"].(json.Number); ok {
			maxAttempts, _ = n.Float64()
		}
		if n, ok := rm["IntervalSeconds"].(json.Number); ok {
			interval, _ = n.Float64()
		}
		if n, ok := rm["BackoffRate"].(json.Number); ok {
			rate, _ = n.Float64()
		}
		if float64(retries) >= maxAttempts {
			return 0, 0, false // this retrier is spent; the error goes on to Catch
		}
		backoff := interval * math.Pow(rate, float64(retries))
		if n, ok := rm["MaxDelaySeconds"].(json.Number); ok {
			if m, _ := n.Float64(); backoff > m {
				backoff = m
			}
		}
		return i, int(backoff), true
	}
	return 0, 0, false
}

// errorMatches applies the States Language's ErrorEquals rules.
func errorMatches(names []any, errName string) bool {
	for _, n := range names {
		switch n {
		case errName:
			return errName != "States.Runtime"
		case "States.ALL":
			return errName != "States.Runtime" && errName != "States.DataLimitExceeded"
		case "States.TaskFailed":
			if errName != "States.Timeout" && errName != "States.HeartbeatTimeout" && errName != "States.Runtime" {
				return true
			}
		}
	}
	return false
}
