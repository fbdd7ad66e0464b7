package interpreter_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// run compiles def and runs it on input under a virtual clock.
func run(t *testing.T, def, input string, opts ...interpreter.Option) (*interpreter.Result, error) {
	t.Helper()
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	opts = append([]interpreter.Option{interpreter.WithClock(interpreter.NewVirtualClock(t0)), interpreter.WithExecutionName("exec1"), interpreter.WithStateMachineName("sm")}, opts...)
	return m.Run(context.Background(), []byte(input), opts...)
}

func sameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("output is not JSON: %s", got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s", want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("output %s\nwant   %s", got, want)
	}
}

// one wraps a single state (JSON object text) as a machine.
func one(state string) string {
	return `{"StartAt":"S","States":{"S":` + state + `}}`
}

// resultTask returns a resolver whose tasks all return result.
func resultTask(result string) interpreter.Option {
	return interpreter.WithTaskResolver(interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) {
		return []byte(result), nil
	}))
}

type runCase struct {
	name  string
	def   string
	input string
	opts  []interpreter.Option
	want  string // output JSON, or "!Error" for a failure with that error name
}

func runCases(t *testing.T, cases []runCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkCase(t, tc) })
	}
}

func checkCase(t *testing.T, tc runCase) {
	t.Helper()
	res, err := run(t, tc.def, tc.input, tc.opts...)
	if wantErr, ok := strings.CutPrefix(tc.want, "!"); ok {
		var ee *interpreter.ExecutionError
		if !errors.As(err, &ee) {
			t.Fatalf("err = %v, want execution error %s", err, wantErr)
		}
		if ee.Name != wantErr {
			t.Fatalf("error %q (cause %q), want %q", ee.Name, ee.Cause, wantErr)
		}
		if res.Status != interpreter.StatusFailed || res.Error != wantErr {
			t.Errorf("result status %s error %s", res.Status, res.Error)
		}
		return
	}
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Status != interpreter.StatusSucceeded {
		t.Fatalf("status %s", res.Status)
	}
	sameJSON(t, res.Output, tc.want)
}

func TestUUIDFormat(t *testing.T) {
	res, err := run(t, one(`{"Type":"Pass","Parameters":{"u.$":"States.UUID()"},"End":true}`), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ U string }
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.U) != 36 || out.U[14] != '4' || strings.Count(out.U, "-") != 4 {
		t.Errorf("UUID %q is not a version 4 UUID", out.U)
	}
}

func TestIntrinsicSyntaxErrors(t *testing.T) {
	for _, expr := range []string{"States.Nope(1)", "States.Format(", "States.ArrayLength()", "States.Array('a)", "States.MathAdd(1, 2, 3)", "States.Array(foo)"} {
		_, err := interpreter.Compile([]byte(one(`{"Type":"Pass","Parameters":{"x.$":"` + expr + `"},"End":true}`)))
		var de *interpreter.DefinitionError
		if !errors.As(err, &de) {
			t.Errorf("%s: err = %v, want a DefinitionError", expr, err)
		}
	}
}

// flaky returns a resolver that fails with errName the first n calls.
func flaky(n int, errName string, calls *int) interpreter.Option {
	return interpreter.WithTaskResolver(interpreter.TaskFunc(func(_ context.Context, r *interpreter.TaskRequest) ([]byte, error) {
		*calls++
		if *calls <= n {
			if errName == "" {
				return nil, fmt.Errorf("plain failure %d", *calls)
			}
			return nil, &interpreter.ExecutionError{Name: errName, Cause: fmt.Sprintf("attempt %d", r.Attempt)}
		}
		return []byte(fmt.Sprintf(`{"attempt":%d}`, r.Attempt)), nil
	}))
}

func TestRetryJitter(t *testing.T) {
	def := one(`{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["E"],"IntervalSeconds":10,"MaxAttempts":20,"BackoffRate":1,"JitterStrategy":"FULL"}],"End":true}`)
	clock := interpreter.NewVirtualClock(t0)
	calls := 0
	if _, err := run(t, def, `{}`, interpreter.WithClock(clock), flaky(20, "E", &calls), interpreter.WithSeed(7)); err != nil {
		t.Fatal(err)
	}
	sleeps := clock.Sleeps()
	if len(sleeps) != 20 {
		t.Fatalf("%d sleeps, want 20", len(sleeps))
	}
	distinct := map[time.Duration]bool{}
	for _, d := range sleeps {
		if d < 0 || d > 10*time.Second {
			t.Errorf("jittered delay %v outside [0, 10s]", d)
		}
		distinct[d] = true
	}
	if len(distinct) < 10 {
		t.Errorf("only %d distinct delays among 20: jitter is not random", len(distinct))
	}
}

// Map results keep the item order however the items are scheduled.
func TestMapOrderUnderConcurrency(t *testing.T) {
	iter := `{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{"StartAt":"I","States":{"I":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":2,"Next":"Bad"}],"Default":"Ok"},"Ok":{"Type":"Pass","Parameters":{"v.$":"$"},"End":true},"Bad":{"Type":"Fail","Error":"TooBig"}}},%s"End":true}}}`
	// Ordering holds with many concurrent items.
	items := make([]string, 500)
	for i := range items {
		items[i] = fmt.Sprint(i)
	}
	res, err := run(t, fmt.Sprintf(iter, `"MaxConcurrency":8,`), "["+strings.Join(items, ",")+"]")
	if err == nil || res.Error != "TooBig" {
		t.Fatalf("want TooBig, got %v", err)
	}
	m := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":8,"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($, 1)"},"OutputPath":"$.v","End":true}}},"End":true}}}`
	res, err = run(t, m, "["+strings.Join(items, ",")+"]")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	if err := json.Unmarshal(res.Output, &got); err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("item %d = %d, want %d", i, v, i+1)
		}
	}
}

func TestHistory(t *testing.T) {
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"T"},"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"Next":"M"},
	 "M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Succeed"}}},"End":true}}}`
	res, err := run(t, def, `{"items":[1]}`, interpreter.WithHistory(), resultTask(`{"items":[1]}`))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, e := range res.History {
		types = append(types, e.Type)
		if e.ID != int64(i+1) {
			t.Errorf("event %d has id %d", i, e.ID)
		}
	}
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
		"MapStateEntered", "MapStateStarted", "MapIterationStarted", "SucceedStateEntered", "SucceedStateExited", "MapIterationSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"}
	if !reflect.DeepEqual(types, want) {
		t.Errorf("events\n%v\nwant\n%v", types, want)
	}
	for _, e := range res.History {
		if e.Type == "TaskScheduled" {
			d := e.TaskScheduledEventDetails
			if d == nil || d.ResourceType != "lambda" || d.Resource != "invoke" || d.Parameters != `{"FunctionName":"f","Payload":{"items":[1]}}` {
				t.Errorf("TaskScheduled details %+v", d)
			}
		}
		if e.Type == "PassStateEntered" && (e.StateEnteredEventDetails == nil || e.StateEnteredEventDetails.Input != `{"items":[1]}`) {
			t.Errorf("PassStateEntered details %+v", e.StateEnteredEventDetails)
		}
	}
}

func TestDefinitionErrors(t *testing.T) {
	for _, def := range []string{
		`[]`, `{`, `{"StartAt":"X","States":{}}`, `{"StartAt":"X","States":{"A":{"Type":"Pass","End":true}}}`,
		one(`{"Type":"Nope","End":true}`), one(`{"Type":"Pass"}`), one(`{"Type":"Pass","Next":"Z"}`),
		one(`{"Type":"Pass","ResultPath":"$..a","End":true}`), one(`{"Type":"Pass","InputPath":"x","End":true}`),
		one(`{"Type":"Wait","End":true}`), one(`{"Type":"Choice","Choices":[]}`),
		one(`{"Type":"Choice","Choices":[{"Variable":"$.a","StringEquals":1,"Next":"S"}]}`),
		one(`{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":[],"MaxAttempts":1}],"End":true}`),
		one(`{"Type":"Parallel","Branches":[],"End":true}`), one(`{"Type":"Map","End":true}`),
	} {
		_, err := interpreter.Compile([]byte(def))
		var de *interpreter.DefinitionError
		var se *interpreter.SyntaxError
		if !errors.As(err, &de) && !errors.As(err, &se) {
			t.Errorf("Compile(%s): err = %v, want a definition error", def, err)
		}
	}
}

func TestExecutionTimeout(t *testing.T) {
	synctest.Test(t, testExecutionTimeout)
}

func testExecutionTimeout(t *testing.T) {
	def := `{"TimeoutSeconds":1,"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","End":true}}}`
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Run(context.Background(), nil, interpreter.WithTaskResolver(interpreter.TaskFunc(func(ctx context.Context, _ *interpreter.TaskRequest) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})))
	if err == nil || res.Status != interpreter.StatusTimedOut || res.Error != interpreter.ErrTimeout {
		t.Fatalf("status %v err %v, want TIMED_OUT", res.Status, err)
	}
}

func TestBadInput(t *testing.T) {
	m, err := interpreter.Compile([]byte(one(`{"Type":"Pass","End":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(context.Background(), []byte(`{"a":`)); err == nil {
		t.Fatal("want an error for invalid input JSON")
	}
}

func TestVariableDefinitionErrors(t *testing.T) {
	for _, bad := range []string{
		one(`{"Type":"Pass","Assign":{"1x":1},"End":true}`),
		one(`{"Type":"Pass","Assign":[],"End":true}`),
		one(`{"Type":"Pass","ResultPath":"$x","End":true}`),
	} {
		if _, err := interpreter.Compile([]byte(bad)); err == nil {
			t.Errorf("Compile(%s): want an error", bad)
		}
	}
}

func TestHeartbeat(t *testing.T) {
	synctest.Test(t, testHeartbeat)
}

func testHeartbeat(t *testing.T) {
	def := one(`{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":1,"TimeoutSeconds":5,"Parameters":{"token.$":"$$.Task.Token"},"End":true}`)
	beating := interpreter.TaskFunc(func(ctx context.Context, r *interpreter.TaskRequest) ([]byte, error) {
		for range 3 { // 1.5 s in all, longer than HeartbeatSeconds
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(500 * time.Millisecond):
				r.SendHeartbeat()
			}
		}
		return []byte(fmt.Sprintf(`{"token":%q}`, r.TaskToken)), nil
	})
	res, err := run(t, def, `{}`, interpreter.WithTaskResolver(beating))
	if err != nil {
		t.Fatalf("heartbeats did not keep the task alive: %v", err)
	}
	var out struct{ Token string }
	if err := json.Unmarshal(res.Output, &out); err != nil || !strings.HasPrefix(out.Token, "exec1-") {
		t.Errorf("output %s: the task token is not the one $$.Task.Token showed", res.Output)
	}
	// A Lambda task ignores HeartbeatSeconds.
	slow := interpreter.TaskFunc(func(ctx context.Context, r *interpreter.TaskRequest) ([]byte, error) {
		time.Sleep(1200 * time.Millisecond)
		return []byte(`1`), ctx.Err()
	})
	if _, err := run(t, one(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","HeartbeatSeconds":1,"End":true}`), `{}`, interpreter.WithTaskResolver(slow)); err != nil {
		t.Errorf("lambda task with HeartbeatSeconds: %v", err)
	}
}

// Parallel branches and Map items run concurrently: under real time (made
// virtual by synctest) three 10-second waits take 10 seconds, not 30.
func TestConcurrency(t *testing.T) {
	wait := `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`
	tests := []struct {
		name, def, input string
		want             time.Duration
	}{
		{"parallel", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[` + wait + `,` + wait + `,` + wait + `],"End":true}}}`, `{}`, 10 * time.Second},
		{"map unbounded", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":` + wait + `,"End":true}}}`, `[1,2,3]`, 10 * time.Second},
		{"map MaxConcurrency 1", `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"ItemProcessor":` + wait + `,"End":true}}}`, `[1,2,3]`, 30 * time.Second},
		{"map MaxConcurrency 2", `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,"ItemProcessor":` + wait + `,"End":true}}}`, `[1,2,3]`, 20 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m, err := interpreter.Compile([]byte(tc.def))
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				if _, err := m.Run(context.Background(), []byte(tc.input)); err != nil {
					t.Fatal(err)
				}
				if got := time.Since(start); got != tc.want {
					t.Errorf("took %v, want %v", got, tc.want)
				}
			})
		})
	}
}

func TestAbort(t *testing.T) {
	m, err := interpreter.Compile([]byte(one(`{"Type":"Wait","Seconds":3600,"End":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := m.Run(ctx, nil, interpreter.WithHistory())
	if err == nil || res.Status != interpreter.StatusAborted {
		t.Fatalf("status %v, err %v; want ABORTED", res.Status, err)
	}
	if last := res.History[len(res.History)-1]; last.Type != "ExecutionAborted" {
		t.Errorf("last event %s, want ExecutionAborted", last.Type)
	}
}

func TestDataLimit(t *testing.T) {
	big := `"` + strings.Repeat("x", interpreter.MaxPayloadBytes) + `"`
	runCases(t, []runCase{
		{"task output too large", one(`{"Type":"Task","Resource":"r","End":true}`), `{}`, []interpreter.Option{resultTask(big)}, "!States.DataLimitExceeded"},
		{"not caught by States.ALL", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}}`,
			`{}`, []interpreter.Option{resultTask(big)}, "!States.DataLimitExceeded"},
		{"caught by name", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["States.DataLimitExceeded"],"ResultPath":"$.e","Next":"H"}],"End":true},"H":{"Type":"Pass","OutputPath":"$.e.Error","End":true}}}`,
			`{}`, []interpreter.Option{resultTask(big)}, `"States.DataLimitExceeded"`},
		{"execution output too large", one(`{"Type":"Pass","Parameters":{"s.$":"States.Format('{}{}{}{}{}', $.s, $.s, $.s, $.s, $.s)"},"End":true}`),
			`{"s":"` + strings.Repeat("y", 60000) + `"}`, nil, "!States.DataLimitExceeded"},
	})
	m, err := interpreter.Compile([]byte(one(`{"Type":"Pass","End":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(context.Background(), []byte(big)); err == nil {
		t.Error("an execution input over the limit must be refused")
	}
}
