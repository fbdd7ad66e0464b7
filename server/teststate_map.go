package server

import (
	"context"
	"encoding/json"
	"math"
	"strings"

	"github.com/hsc-dev/hsc/interpreter"
)

// TestState of a Map or Parallel state (AWS API reference, TestState:
// these are tested with a mock, which stands for the whole state's
// result or error; the iterations and branches do not run). The state
// configuration adds, for a Map, mapItemReaderData (what a distributed
// Map's ItemReader reads, as found in its source), mapIterationFailureCount
// (iterations taken to have failed, judged against the tolerated failure
// threshold) and, for an error mocked on a Map or Parallel,
// errorCausedByState (the state inside that raised it). DEBUG and TRACE
// show the Map's item stages (afterItemsPath, afterItemsPointer,
// afterItemSelector, afterItemBatcher) and its maxConcurrency and
// tolerated failures.

// testStateConfig is TestStateConfiguration (AWS API model).
type testStateConfig struct {
	RetrierRetryCount        *int    `json:"retrierRetryCount"`
	ErrorCausedByState       *string `json:"errorCausedByState"`
	MapItemReaderData        *string `json:"mapItemReaderData"`
	MapIterationFailureCount *int    `json:"mapIterationFailureCount"`
}

// mockResource is the Task resource that stands for a mocked Map or
// Parallel state.
const mockResource = "arn:aws:lambda:us-east-1:123456789012:function:hsc-test-state-mock"

// mapTest is what testing a Map or Parallel state adds.
type mapTest struct {
	inspect *inspectionData // the Map's item stages, for DEBUG and TRACE
	// exceeded: mapIterationFailureCount is past the tolerated failure
	// threshold, so the state fails (States.ExceedToleratedFailureThreshold).
	exceeded bool
}

// checkStateConfig refuses configuration members that do not fit the state.
func checkStateConfig(typ string, state map[string]any, in *testStateInput) error {
	cfg := in.StateConfiguration
	if cfg == nil {
		return nil
	}
	if (cfg.MapItemReaderData != nil || cfg.MapIterationFailureCount != nil) && typ != "Map" {
		return errValidation("mapItemReaderData and mapIterationFailureCount apply to a Map state only")
	}
	if (cfg.MapItemReaderData != nil || cfg.MapIterationFailureCount != nil) && in.Mock == nil {
		return errValidation("mapItemReaderData and mapIterationFailureCount need a mock of the Map state's result")
	}
	if cfg.MapItemReaderData != nil && state["ItemReader"] == nil {
		return errValidation("mapItemReaderData applies to a Map state with an ItemReader")
	}
	if cfg.MapIterationFailureCount != nil && *cfg.MapIterationFailureCount < 0 {
		return errValidation("mapIterationFailureCount must be at least 0")
	}
	if cfg.ErrorCausedByState != nil {
		if typ != "Map" && typ != "Parallel" {
			return errValidation("errorCausedByState applies to a Map or Parallel state only")
		}
		if in.Mock == nil || in.Mock.ErrorOutput == nil {
			return errValidation("errorCausedByState needs a mocked error (mock.errorOutput)")
		}
		if !hasInnerState(state, *cfg.ErrorCausedByState) {
			return errValidation("errorCausedByState '%s' is not a state of the %s state's %s", *cfg.ErrorCausedByState, typ,
				map[string]string{"Map": "ItemProcessor", "Parallel": "branches"}[typ])
		}
	}
	return nil
}

// hasInnerState reports whether name is a state inside a Map's processor
// or a Parallel's branches, at any depth.
func hasInnerState(state map[string]any, name string) bool {
	var machines []any
	for _, k := range []string{"ItemProcessor", "Iterator"} {
		if m, ok := state[k]; ok {
			machines = append(machines, m)
		}
	}
	if b, ok := state["Branches"].([]any); ok {
		machines = append(machines, b...)
	}
	for _, m := range machines {
		mm, _ := m.(map[string]any)
		states, _ := mm["States"].(map[string]any)
		for k, v := range states {
			if k == name {
				return true
			}
			if vm, ok := v.(map[string]any); ok && hasInnerState(vm, name) {
				return true
			}
		}
	}
	return false
}

// mockedComposite turns a Map or Parallel state into a Task whose result
// the mock gives: the fields that shape its input and result (InputPath,
// ResultSelector, ResultPath, OutputPath, Assign, Output), its
// transitions and Catch are kept; what runs inside is not.
func mockedComposite(state map[string]any) map[string]any {
	t := map[string]any{"Type": "Task", "Resource": mockResource}
	for _, k := range []string{"Comment", "InputPath", "ResultSelector", "ResultPath", "OutputPath", "Assign", "Output",
		"Next", "End", "Catch", "QueryLanguage"} {
		if v, ok := state[k]; ok {
			t[k] = v
		}
	}
	return t
}

// testMap works out a Map state's item stages by running it on the
// interpreter with an identity processor (each iteration's output is its
// input), the ItemReader answered with mapItemReaderData, and judges
// mapIterationFailureCount against its tolerated failures.
func (s *Server) testMap(ctx context.Context, state map[string]any, queryLanguage, input string, in *testStateInput, runCtx []interpreter.Option) (*mapTest, error) {
	cfg := in.StateConfiguration
	if cfg == nil {
		cfg = &testStateConfig{}
	}
	jsonata := queryLanguage == "JSONata" || state["QueryLanguage"] == "JSONata"
	mt := &mapTest{inspect: &inspectionData{Input: &input, Variables: in.Variables}}
	d := mt.inspect
	reader, _ := state["ItemReader"].(map[string]any)
	// probe runs the Map with some fields left out and returns its
	// result: the iterations' inputs.
	probe := func(drop ...string) *string {
		p := map[string]any{}
		for k, v := range state {
			p[k] = v
		}
		for _, k := range append(drop, "ResultWriter", "ResultSelector", "ResultPath", "OutputPath", "Output", "Assign", "Catch", "Next",
			"ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath") {
			delete(p, k)
		}
		p["End"] = true
		mode := "INLINE"
		execType := ""
		for _, k := range []string{"ItemProcessor", "Iterator"} {
			if proc, ok := p[k].(map[string]any); ok {
				if pc, ok := proc["ProcessorConfig"].(map[string]any); ok {
					mode, _ = pc["Mode"].(string)
					execType, _ = pc["ExecutionType"].(string)
				}
				delete(p, k)
			}
		}
		pc := map[string]any{"Mode": mode}
		if mode == "DISTRIBUTED" {
			if execType == "" {
				execType = "STANDARD"
			}
			pc["ExecutionType"] = execType
		}
		p["ItemProcessor"] = map[string]any{"ProcessorConfig": pc, "StartAt": "Item", "States": map[string]any{"Item": map[string]any{"Type": "Pass", "End": true}}}
		if reader != nil && cfg.MapItemReaderData == nil {
			return nil // the items are in S3
		}
		machine := map[string]any{"StartAt": "Map", "States": map[string]any{"Map": p}}
		if queryLanguage != "" {
			machine["QueryLanguage"] = queryLanguage
		}
		text, _ := json.Marshal(machine)
		m, err := interpreter.Compile(text)
		if err != nil {
			return nil
		}
		data := []byte(deref(cfg.MapItemReaderData))
		res, _ := m.Run(ctx, []byte(input), append([]interpreter.Option{interpreter.WithClock(interpreter.NewVirtualClock(s.now())),
			interpreter.WithRegion(s.cfg.Region), interpreter.WithAccountID(s.cfg.AccountID),
			interpreter.WithTaskResolver(interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) {
				// The ItemReader's getObject or listObjectsV2.
				return data, nil
			}))}, runCtx...)...)
		if res == nil || res.Status != interpreter.StatusSucceeded {
			return nil
		}
		out := string(res.Output)
		return &out
	}
	if !jsonata {
		pick := map[string]any{}
		if v, ok := state["InputPath"]; ok {
			pick["InputPath"] = v
		}
		d.AfterInputPath = s.evalPass(ctx, pick, input, in.Variables, runCtx)
		if ip, ok := state["ItemsPath"]; ok && reader == nil {
			pick["OutputPath"] = ip
			d.AfterItemsPath = s.evalPass(ctx, pick, input, in.Variables, runCtx)
		} else if reader == nil {
			d.AfterItemsPath = d.AfterInputPath
		}
	}
	if rc, _ := reader["ReaderConfig"].(map[string]any); rc != nil && rc["ItemsPointer"] != nil {
		d.AfterItemsPointer = probe("ItemSelector", "Parameters", "ItemBatcher")
	}
	hasSelector := state["ItemSelector"] != nil || state["Parameters"] != nil
	if hasSelector {
		d.AfterItemSelector = probe("ItemBatcher")
	}
	var iterations *string
	if state["ItemBatcher"] != nil {
		d.AfterItemBatcher = probe()
		iterations = d.AfterItemBatcher
	} else if hasSelector {
		iterations = d.AfterItemSelector
	} else {
		iterations = probe("ItemSelector", "Parameters")
	}
	// number gives a field's number, or its Path form's value in the
	// effective input (JSONPath).
	number := func(k string) (float64, bool) {
		if n, ok := state[k].(json.Number); ok {
			f, err := n.Float64()
			return f, err == nil
		}
		path, ok := state[k+"Path"].(string)
		if !ok || jsonata {
			return 0, false
		}
		pick := map[string]any{"OutputPath": path}
		if v, ok := state["InputPath"]; ok {
			pick["InputPath"] = v
		}
		v := s.evalPass(ctx, pick, input, in.Variables, runCtx)
		if v == nil {
			return 0, false
		}
		var f float64
		return f, json.Unmarshal([]byte(*v), &f) == nil
	}
	intField := func(k string) *int32 {
		if f, ok := number(k); ok && f >= 0 && f <= math.MaxInt32 && f == math.Trunc(f) {
			v := int32(f)
			return &v
		}
		return nil
	}
	d.MaxConcurrency = intField("MaxConcurrency")
	d.ToleratedFailureCount = intField("ToleratedFailureCount")
	if f, ok := number("ToleratedFailurePercentage"); ok && f >= 0 && f <= 100 {
		d.ToleratedFailurePercentage = &f
	}
	if cfg.MapIterationFailureCount != nil {
		failed := *cfg.MapIterationFailureCount
		total := -1
		if iterations != nil {
			var list []json.RawMessage
			if json.Unmarshal([]byte(*iterations), &list) == nil {
				total = len(list)
			}
		}
		if total >= 0 && failed > total {
			return nil, errValidation("mapIterationFailureCount %d is more than the Map state's %d iterations", failed, total)
		}
		// As a map run judges its failures: more than the count, or a
		// larger share than the percentage; with neither, none.
		count, pct := d.ToleratedFailureCount, d.ToleratedFailurePercentage
		switch {
		case failed == 0:
		case count == nil && pct == nil:
			mt.exceeded = true
		case count != nil && failed > int(*count):
			mt.exceeded = true
		case pct != nil && total > 0 && float64(failed)*100 > *pct*float64(total):
			mt.exceeded = true
		}
	}
	return mt, nil
}

// exceedThresholdCause is AWS's cause of States.ExceedToleratedFailureThreshold
// (recorded on AWS: localstack's test_state_configuration.snapshot.json).
const exceedThresholdCause = "The specified tolerated failure threshold was exceeded"

// stateType returns a state's Type.
func stateType(state map[string]any) string {
	t, _ := state["Type"].(string)
	return strings.TrimSpace(t)
}
