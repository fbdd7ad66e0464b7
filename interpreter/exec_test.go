package interpreter_test

// Tests of the execution core: the event limit, timeouts on the clock,
// the per-state payload limit, AWS's States.Runtime for missing ".$"
// paths, what Assign sees, event hooks, and positioned compile errors.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/interpreter"
)

var xt0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// xrun compiles def and runs it on input under a virtual clock.
func xrun(t *testing.T, def, input string, opts ...interpreter.Option) (*interpreter.Result, error) {
	t.Helper()
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	opts = append([]interpreter.Option{interpreter.WithClock(interpreter.NewVirtualClock(xt0)), interpreter.WithExecutionName("e")}, opts...)
	return m.Run(context.Background(), []byte(input), opts...)
}

// loop is a machine that never ends: a Pass state going to itself.
const loop = `{"StartAt":"L","States":{"L":{"Type":"Pass","Next":"L"}}}`

// AWS fails a Standard execution at 25,000 history events
// (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html,
// "Maximum execution history size": 25,000 events) with States.Runtime.
func TestEventLimit(t *testing.T) {
	const cause = "The execution reached the maximum number of history events (25000)."
	for _, tc := range []struct {
		name string
		opts []interpreter.Option
	}{
		{"without history", nil},
		{"with history", []interpreter.Option{interpreter.WithHistory()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := xrun(t, loop, `{}`, tc.opts...)
			if err == nil || res.Status != interpreter.StatusFailed || res.Error != interpreter.ErrRuntime || res.Cause != cause {
				t.Fatalf("status %s error %q cause %q (err %v), want FAILED States.Runtime %q", res.Status, res.Error, res.Cause, err, cause)
			}
			if tc.opts != nil {
				// The history holds the 25,000 events and the final one.
				h := res.History
				if len(h) != 25001 || h[len(h)-1].Type != "ExecutionFailed" || h[len(h)-2].ID != 25000 {
					t.Errorf("history of %d events, last %+v", len(h), h[len(h)-1])
				}
			}
		})
	}
	t.Run("custom limit", func(t *testing.T) {
		res, _ := xrun(t, loop, `{}`, interpreter.WithMaxEvents(10))
		if res.Cause != "The execution reached the maximum number of history events (10)." {
			t.Errorf("cause %q", res.Cause)
		}
	})
	t.Run("no limit", func(t *testing.T) {
		// 30,000 iterations of a Choice loop: 120,004 events.
		def := `{"StartAt":"C","States":{
		  "C":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericLessThan":30000,"Next":"I"}],"Default":"D"},
		  "I":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)"},"Next":"C"},
		  "D":{"Type":"Succeed"}}}`
		res, err := xrun(t, def, `{"i":0}`, interpreter.WithMaxEvents(0))
		if err != nil || string(res.Output) != `{"i":30000}` {
			t.Fatalf("output %s, err %v", res.Output, err)
		}
	})
}

// An event hook sees every event in order and nothing is kept without
// WithHistory.
func TestEventHookStreams(t *testing.T) {
	var ids []int64
	var types []string
	hook := interpreter.WithEventHook(func(e interpreter.Event) {
		ids = append(ids, e.ID)
		types = append(types, e.Type)
	})
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Wait","Seconds":1,"End":true}}}`
	res, err := xrun(t, def, `{}`, hook)
	if err != nil {
		t.Fatal(err)
	}
	if res.History != nil {
		t.Errorf("History kept %d events without WithHistory", len(res.History))
	}
	want := "ExecutionStarted PassStateEntered PassStateExited WaitStateEntered WaitStateExited ExecutionSucceeded"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	for i, id := range ids {
		if id != int64(i+1) {
			t.Fatalf("event ids %v, want 1..%d", ids, len(ids))
		}
	}
}

// Timeouts run on the execution's clock: under virtual time, a 10 s Wait
// under a 5 s machine timeout times the execution out, as in real time.
func TestTimeoutOnTheClock(t *testing.T) {
	wait := func(timeout string) string {
		return `{` + timeout + `"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"Next":"P"},"P":{"Type":"Pass","End":true}}}`
	}
	for _, tc := range []struct {
		name, def  string
		opts       []interpreter.Option
		wantStatus interpreter.Status
	}{
		{"TimeoutSeconds", wait(`"TimeoutSeconds":5,`), nil, interpreter.StatusTimedOut},
		{"WithTimeout", wait(""), []interpreter.Option{interpreter.WithTimeout(5 * time.Second)}, interpreter.StatusTimedOut},
		{"shorter of both", wait(`"TimeoutSeconds":50,`), []interpreter.Option{interpreter.WithTimeout(5 * time.Second)}, interpreter.StatusTimedOut},
		{"long enough", wait(`"TimeoutSeconds":11,`), nil, interpreter.StatusSucceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := interpreter.NewVirtualClock(xt0)
			m, err := interpreter.Compile([]byte(tc.def))
			if err != nil {
				t.Fatal(err)
			}
			res, _ := m.Run(context.Background(), nil, append(tc.opts, interpreter.WithClock(clock), interpreter.WithHistory())...)
			if res.Status != tc.wantStatus {
				t.Fatalf("status %s (%s: %s), want %s", res.Status, res.Error, res.Cause, tc.wantStatus)
			}
			if tc.wantStatus != interpreter.StatusTimedOut {
				return
			}
			if res.Error != interpreter.ErrTimeout || res.History[len(res.History)-1].Type != "ExecutionTimedOut" {
				t.Errorf("error %s, last event %s", res.Error, res.History[len(res.History)-1].Type)
			}
			// The clock stops at the deadline, not after the whole Wait.
			if got := res.StopDate.Sub(xt0); got != 5*time.Second {
				t.Errorf("stopped %v after the start, want 5s", got)
			}
		})
	}
	t.Run("retry interval", func(t *testing.T) {
		def := `{"TimeoutSeconds":5,"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r",
		  "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":3,"MaxAttempts":5}],"End":true}}}`
		fail := interpreter.WithTaskResolver(interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) {
			return nil, errors.New("no")
		}))
		res, _ := xrun(t, def, `{}`, fail)
		if res.Status != interpreter.StatusTimedOut {
			t.Errorf("status %s (%s), want TIMED_OUT: 3 s + 6 s of retry intervals pass 5 s", res.Status, res.Cause)
		}
	})
}

// Every state's output, Parameters result and assigned variables are held
// to the 256 KiB payload quota (States.DataLimitExceeded), which States.ALL
// does not catch
// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
func TestPayloadLimitPerState(t *testing.T) {
	big := strings.Repeat("x", interpreter.MaxPayloadBytes)
	input := `{"s":"` + big + `"}`
	for _, tc := range []struct {
		name, def, input string
		opts             []interpreter.Option
		want             string // error name, or "" for success
	}{
		{"Pass output", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"$.s","b.$":"$.s"},"ResultPath":"$.p","End":true}}}`,
			`{"s":"` + big[:100000] + `"}`, nil, interpreter.ErrDataLimitExceeded},
		{"Parameters", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"$.s","b.$":"$.s","c.$":"$.s"},"OutputPath":"$.a","End":true}}}`,
			`{"s":"` + big[:100000] + `"}`, nil, interpreter.ErrDataLimitExceeded},
		{"Assign", `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"a.$":"$.s","b.$":"$.s","c.$":"$.s"},"OutputPath":"$.n","End":true}}}`,
			`{"n":1,"s":"` + big[:100000] + `"}`, nil, interpreter.ErrDataLimitExceeded},
		{"within the limit", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"$.s","b.$":"$.s"},"OutputPath":"$.a","End":true}}}`,
			`{"s":"` + big[:100000] + `"}`, nil, ""},
		// A Map state's result is bounded by the sum of its iterations'
		// outputs: 3 x 100 KB is over the limit (at the Map state: the
		// next state would select 50 KB of it), 2 x 100 KB is not.
		{"Map result", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"a.$":"$","b.$":"$"},"End":true}}},"Next":"D"},
		  "D":{"Type":"Pass","OutputPath":"$[0].a","End":true}}}`,
			`["` + big[:50000] + `","` + big[:50000] + `","` + big[:50000] + `"]`, nil, interpreter.ErrDataLimitExceeded},
		{"Map result within the limit", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"a.$":"$","b.$":"$"},"End":true}}},"End":true}}}`,
			`["` + big[:50000] + `","` + big[:50000] + `"]`, nil, ""},
		{"not caught by States.ALL", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","ResultSelector":{"a.$":"$.s","b.$":"$.s"},
		  "Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Succeed"}}}`,
			`{}`, []interpreter.Option{echo(`{"s":"` + big[:200000] + `"}`)}, interpreter.ErrDataLimitExceeded},
		{"caught by name", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","ResultSelector":{"a.$":"$.s","b.$":"$.s"},
		  "Catch":[{"ErrorEquals":["States.DataLimitExceeded"],"ResultPath":null,"Next":"C"}],"End":true},"C":{"Type":"Succeed"}}}`,
			`{}`, []interpreter.Option{echo(`{"s":"` + big[:200000] + `"}`)}, ""},
	} {
		_ = input
		t.Run(tc.name, func(t *testing.T) {
			res, err := xrun(t, tc.def, tc.input, tc.opts...)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err %v", err)
				}
				return
			}
			if res == nil || res.Error != tc.want {
				t.Fatalf("err %v, want %s", err, tc.want)
			}
		})
	}
}

// echo is a task resolver returning out.
func echo(out string) interpreter.Option {
	return interpreter.WithTaskResolver(interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) {
		return []byte(out), nil
	}))
}

// A ".$" path that matches nothing fails with States.Runtime, which no
// Catch takes, with AWS's cause: recorded on AWS in
// ../shared/aws/history/invalid_jsonpath_errorpath.history.json (from
// localstack's snapshot tests), whose wording the Parameters case shares.
func TestMissingPathIsRuntime(t *testing.T) {
	for _, tc := range []struct {
		name, def, input string
		opts             []interpreter.Option
		cause            string
	}{
		{"Parameters", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Parameters":{"x.$":"$.k"},"End":true}}}`, `{}`, nil,
			"An error occurred while executing the state 'B' (entered at the event id #4). The JSONPath '$.k' specified for the field 'x.$' could not be found in the input '{}'"},
		{"ErrorPath (recorded)", `{"StartAt": "pass", "States": {"pass": {"Type": "Pass", "Next": "fail", "Parameters": {"Error": "error-value"}}, "fail": {"Type": "Fail", "ErrorPath": "$.ErrorX"}}}`, `{"int-literal": 0}`, nil,
			`An error occurred while executing the state 'fail' (entered at the event id #4). The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{"Error":"error-value"}'`},
		{"Task Parameters, States.ALL does not catch", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Parameters":{"y.$":"$.nope"},
		  "Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Succeed"}}}`, `{"a":1}`, []interpreter.Option{echo(`{}`)},
			`An error occurred while executing the state 'T' (entered at the event id #2). The JSONPath '$.nope' specified for the field 'y.$' could not be found in the input '{"a":1}'`},
		{"ItemSelector", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemSelector":{"v.$":"$.missing"},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, `[1]`, nil,
			`An error occurred while executing the state 'M' (entered at the event id #2). The JSONPath '$.missing' specified for the field 'v.$' could not be found in the input '[1]'`},
	} {
		for _, hist := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/history=%v", tc.name, hist), func(t *testing.T) {
				opts := tc.opts
				if hist {
					opts = append(opts, interpreter.WithHistory())
				}
				res, err := xrun(t, tc.def, tc.input, opts...)
				if err == nil || res.Status != interpreter.StatusFailed || res.Error != interpreter.ErrRuntime || res.Cause != tc.cause {
					t.Fatalf("status %s error %s cause %q, want FAILED States.Runtime %q", res.Status, res.Error, res.Cause, tc.cause)
				}
			})
		}
	}
}

// A JSONPath Assign sees the state's result as "$": a Pass state's Result
// or Parameters output, a Task's result after ResultSelector; a Choice or
// Wait state's (effective) input; a catcher's error output. Source: the
// AWS Step Functions developer guide, "Passing data between states with
// variables" (workflow-variables.html), on the Assign field in JSONPath
// states.
func TestAssignSeesTheResult(t *testing.T) {
	read := `"R":{"Type":"Pass","Parameters":{"v.$":"$v"},"End":true}`
	for _, tc := range []struct {
		name, states, input string
		opts                []interpreter.Option
		want                string
	}{
		{"Pass Result", `"A":{"Type":"Pass","Result":{"k":"result"},"Assign":{"v.$":"$.k"},"Next":"R"}`, `{"k":"input"}`, nil, `{"v":"result"}`},
		{"Pass Parameters", `"A":{"Type":"Pass","Parameters":{"k":"params"},"Assign":{"v.$":"$.k"},"Next":"R"}`, `{"k":"input"}`, nil, `{"v":"params"}`},
		{"Pass plain, after InputPath", `"A":{"Type":"Pass","InputPath":"$.in","Assign":{"v.$":"$.k"},"ResultPath":"$.x","Next":"R"}`, `{"k":"outer","in":{"k":"inner"}}`, nil, `{"v":"inner"}`},
		{"Task after ResultSelector", `"A":{"Type":"Task","Resource":"r","ResultSelector":{"k.$":"$.raw"},"Assign":{"v.$":"$.k"},"Next":"R"}`, `{"k":"input"}`, []interpreter.Option{echo(`{"raw":"selected","k":"task"}`)}, `{"v":"selected"}`},
		{"Choice input", `"A":{"Type":"Choice","InputPath":"$.in","Choices":[{"Variable":"$.k","IsPresent":true,"Assign":{"v.$":"$.k"},"Next":"R"}]}`, `{"in":{"k":"inner"}}`, nil, `{"v":"inner"}`},
		{"Wait input", `"A":{"Type":"Wait","Seconds":1,"Assign":{"v.$":"$.k"},"Next":"R"}`, `{"k":"input"}`, nil, `{"v":"input"}`},
		{"Catch error output", `"A":{"Type":"Fail","Error":"E","Cause":"c"},"X":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"v.$":"$.Error"},"Next":"R"}],"End":true}`, `{}`,
			[]interpreter.Option{interpreter.WithTaskResolver(interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) {
				return nil, &interpreter.ExecutionError{Name: "Boom", Cause: "c"}
			}))}, `{"v":"Boom"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := "A"
			if strings.Contains(tc.states, `"X":`) {
				start = "X"
			}
			def := `{"StartAt":"` + start + `","States":{` + tc.states + `,` + read + `}}`
			res, err := xrun(t, def, tc.input, tc.opts...)
			if err != nil {
				t.Fatalf("err %v", err)
			}
			if string(res.Output) != tc.want {
				t.Errorf("output %s, want %s", res.Output, tc.want)
			}
		})
	}
}

// Compile errors carry a JSON pointer and line:col, like hsc check's.
func TestCompileErrorPositions(t *testing.T) {
	for _, tc := range []struct {
		name, def, pointer string
		line, col          int
		unsupported        bool
	}{
		{"bad InputPath", "{\"StartAt\":\"A\",\"States\":{\n \"A\":{\"Type\":\"Pass\",\n  \"InputPath\":\"x\",\"End\":true}}}", "/States/A/InputPath", 3, 15, false},
		{"unknown Next", "{\"StartAt\":\"A\",\"States\":{\n \"A\":{\"Type\":\"Pass\",\"Next\":\"Z\"}}}", "/States/A/Next", 2, 28, false},
		{"nested in a branch", "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"End\":true,\"Branches\":[\n{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Wait\",\"End\":true}}}]}}}", "/States/P/Branches/0/States/B", 2, 30, false},
		{"retrier field", "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"r\",\"End\":true,\n\"Retry\":[{\"ErrorEquals\":[\"E\"],\"BackoffRate\":0.5}]}}}", "/States/T/Retry/0/BackoffRate", 2, 45, false},
		{"wrong JSON type", "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":\"yes\"}}}", "/States/A/End", 1, 51, false},
		// AWS, Fail state: ErrorPath takes a reference path or an intrinsic.
		{"ErrorPath not a reference path", "{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Fail\",\n\"ErrorPath\":\"$.e[*]\"}}}", "/States/F/ErrorPath", 2, 13, false},
		{"JSONata function", "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Output\":\"{% function($x){$x}(1) %}\",\"End\":true}}}", "/States/A/Output", 1, 80, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := interpreter.Compile([]byte(tc.def))
			var de *interpreter.DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("err %v, want a *DefinitionError", err)
			}
			if de.Pointer != tc.pointer || int(de.Pos.Line) != tc.line || int(de.Pos.Col) != tc.col || de.Unsupported != tc.unsupported {
				t.Errorf("pointer %q at %d:%d unsupported=%v, want %q at %d:%d unsupported=%v (%v)",
					de.Pointer, de.Pos.Line, de.Pos.Col, de.Unsupported, tc.pointer, tc.line, tc.col, tc.unsupported, err)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%d:%d: %s", tc.line, tc.col, tc.pointer)) {
				t.Errorf("message %q lacks the position and pointer", err)
			}
		})
	}
	// A malformed definition is an asl syntax error, wrapped.
	_, err := interpreter.Compile([]byte(`{"StartAt":`))
	var se *asl.SyntaxError
	if !errors.As(err, &se) {
		t.Errorf("err %v, want an *asl.SyntaxError inside", err)
	}
}

// CompileASL compiles a model built in code, with no text behind it.
func TestCompileASLModel(t *testing.T) {
	m := &asl.StateMachine{StartAt: "A", States: []*asl.State{
		{Name: "A", Type: asl.TypePass, Result: asl.NewObject(asl.Member{Key: "n", Value: asl.NewNumber("1.0")}), End: true},
	}}
	mc, err := interpreter.CompileASL(m)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mc.Run(context.Background(), nil)
	if err != nil || string(res.Output) != `{"n":1.0}` {
		t.Fatalf("output %s, err %v", res.Output, err)
	}
	m.States[0].Next, m.States[0].End = "Nowhere", false
	if _, err := interpreter.CompileASL(m); err == nil || !strings.Contains(err.Error(), "/States/A/Next") {
		t.Errorf("err %v, want one at /States/A/Next", err)
	}
}

// ToleratedFailureCountPath and ToleratedFailurePercentagePath read the
// tolerance from the input (AWS developer guide, "Map state": tolerated
// failure threshold).
func TestToleratedFailurePaths(t *testing.T) {
	def := func(field string) string {
		return `{"StartAt":"M","States":{"M":{"Type":"Map","` + field + `":"$.tol","ItemsPath":"$.items",
		  "ItemProcessor":{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":0,"Next":"F"}],"Default":"P"},
		  "F":{"Type":"Fail","Error":"Zero"},"P":{"Type":"Pass","End":true}}},"End":true}}}`
	}
	for _, tc := range []struct {
		name, field, input, wantErr string
	}{
		{"count tolerated", "ToleratedFailureCountPath", `{"tol":1,"items":[0,1,2]}`, ""},
		{"count exceeded", "ToleratedFailureCountPath", `{"tol":1,"items":[0,0,2]}`, "States.ExceedToleratedFailureThreshold"},
		{"percent tolerated", "ToleratedFailurePercentagePath", `{"tol":50,"items":[0,1]}`, ""},
		{"percent exceeded", "ToleratedFailurePercentagePath", `{"tol":40,"items":[0,1]}`, "States.ExceedToleratedFailureThreshold"},
		{"not a number", "ToleratedFailureCountPath", `{"tol":"x","items":[1]}`, interpreter.ErrRuntime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := xrun(t, def(tc.field), tc.input)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err %v", err)
				}
				return
			}
			if res == nil || res.Error != tc.wantErr {
				t.Fatalf("err %v, want %s", err, tc.wantErr)
			}
		})
	}
}

// An InputPath that selects nothing: AWS's cause, recorded in
// ../shared/aws/history/invalid_jsonpath_inputpath.history.json.
func TestInputPathMissingCause(t *testing.T) {
	res, _ := xrun(t, `{"StartAt": "pass", "States": {"pass": {"Type": "Pass", "InputPath": "$.NoSuchInputPath", "End": true}}}`, `{"int-literal": 0}`)
	const want = "An error occurred while executing the state 'pass' (entered at the event id #2). Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
	if res.Error != interpreter.ErrRuntime || res.Cause != want {
		t.Errorf("error %s cause %q, want States.Runtime %q", res.Error, res.Cause, want)
	}
}

// Runtime errors of JSONPath states carry AWS's causes, as recorded on AWS
// in ../shared/aws/history (localstack's snapshot tests; read in place).
func TestRecordedRuntimeCauses(t *testing.T) {
	dir := "../../shared/aws/history"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SKIP: %s not found (the shared test data)", dir)
	}
	for _, name := range []string{"invalid_jsonpath_errorpath", "invalid_jsonpath_inputpath", "wait_seconds_path_negative",
		"wait_timestamp_path_no_t", "map_max_concurrency_nonumber"} {
		t.Run(name, func(t *testing.T) {
			read := func(suffix string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, name+suffix))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			var events []struct {
				Type    string `json:"type"`
				Details *struct {
					Error string `json:"error"`
					Cause string `json:"cause"`
				} `json:"executionFailedEventDetails"`
			}
			if err := json.Unmarshal(read(".history.json"), &events); err != nil {
				t.Fatal(err)
			}
			last := events[len(events)-1]
			if last.Details == nil {
				t.Fatalf("the recorded execution did not fail (%s)", last.Type)
			}
			res, _ := xrun(t, string(read(".json")), string(read(".input.json")))
			// localstack writes the input in a cause as <json-input:1>.
			want := strings.ReplaceAll(last.Details.Cause, "'<json-input:1>'", "'{\"Error\":\"error-value\"}'")
			if res.Error != last.Details.Error || res.Cause != want {
				t.Errorf("error %s cause %q\nwant  %s cause %q", res.Error, res.Cause, last.Details.Error, want)
			}
		})
	}
}

// instantTimers is a virtual clock whose timers fire at once: a clock
// with timers (TimerClock) runs the task timeouts.
type instantTimers struct {
	*interpreter.VirtualClock
	fired chan time.Duration
}

func (c instantTimers) AfterFunc(d time.Duration, f func()) interpreter.Timer {
	c.fired <- d
	return time.AfterFunc(0, f)
}

func TestTaskTimeoutOnATimerClock(t *testing.T) {
	clock := instantTimers{interpreter.NewVirtualClock(xt0), make(chan time.Duration, 1)}
	block := interpreter.WithTaskResolver(interpreter.TaskFunc(func(ctx context.Context, _ *interpreter.TaskRequest) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}))
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","TimeoutSeconds":3600,"End":true}}}`
	res, _ := xrun(t, def, `{}`, block, interpreter.WithClock(clock))
	if res.Error != interpreter.ErrTimeout {
		t.Errorf("error %s (%s), want States.Timeout", res.Error, res.Cause)
	}
	if d := <-clock.fired; d != time.Hour {
		t.Errorf("timer of %v, want 1h", d)
	}
}

// heapAfterGC is the live heap after a collection.
func heapAfterGC() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// A hook streams events without keeping them (issue 10 item 6): over
// 200,000 events the live heap stays flat, where keeping them would
// hold tens of megabytes.
func TestEventHookMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIP: long execution")
	}
	const events = 200000
	var early, late uint64
	hook := interpreter.WithEventHook(func(e interpreter.Event) {
		switch e.ID {
		case 1000:
			early = heapAfterGC()
		case events:
			late = heapAfterGC()
		}
	})
	res, _ := xrun(t, loop, `{"payload":"`+strings.Repeat("p", 100)+`"}`, hook, interpreter.WithMaxEvents(events))
	if res.Error != interpreter.ErrRuntime {
		t.Fatalf("error %s, want the event limit", res.Error)
	}
	if late > early+8<<20 {
		t.Errorf("live heap grew from %d to %d bytes over %d events", early, late, events)
	}
}

// AWS reads a string holding a number in the Map *Path fields: recorded
// on AWS in localstack's test_assign_reference_variables snapshots
// (MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH and
// MAP_STATE_REFERENCE_IN_TOLERATED_FAILURE_PATH, both SUCCEEDED with
// output [1,2,3]).
func TestMapPathsReadNumericStrings(t *testing.T) {
	for _, field := range []string{"MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"} {
		def := `{"StartAt":"Start","States":{"Start":{"Type":"Pass","Assign":{"v":"1"},"Result":{"Values":[1,2,3]},"Next":"M"},
		  "M":{"Type":"Map","ItemsPath":"$.Values","` + field + `":"$v","ItemProcessor":{"StartAt":"H","States":{"H":{"Type":"Pass","End":true}}},"End":true}}}`
		res, err := xrun(t, def, `{}`)
		if err != nil || string(res.Output) != `[1,2,3]` {
			t.Errorf("%s: output %s, err %v", field, res.Output, err)
		}
	}
}
