package runtime_test

// These tests run the real SDK client against hsc's local Step Functions
// API (package server, in-process; see internal/sfnlocal) and assert the
// behaviour the Step Functions API documents.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/hsc-dev/hsc/internal/sfnlocal"
	"github.com/hsc-dev/hsc/runtime"
)

func newClient(t *testing.T) *runtime.Client {
	t.Helper()
	ep := sfnlocal.Endpoint(t)
	c, err := runtime.New(t.Context(), runtime.Config{
		Region:      sfnlocal.Region,
		AccessKey:   sfnlocal.AccessKey,
		SecretKey:   sfnlocal.SecretKey,
		AccountID:   sfnlocal.AccountID,
		EndpointURL: ep,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// passMachine is a one-state machine whose output is result.
func passMachine(result string) []byte {
	return fmt.Appendf(nil, `{"StartAt":"Only","States":{"Only":{"Type":"Pass","Result":%s,"End":true}}}`, result)
}

// activityMachine runs one activity task, so its executions stay RUNNING
// until a worker answers.
func activityMachine(activityARN string) []byte {
	return fmt.Appendf(nil, `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":%q,"End":true}}}`, activityARN)
}

// newMachine creates a machine and deletes it when the test ends.
func newMachine(t *testing.T, c *runtime.Client, prefix string, def []byte) *runtime.StateMachine {
	t.Helper()
	m, err := c.StateMachine(t.Context(), sfnlocal.Name(t, prefix))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Create(t.Context(), def, sfnlocal.RoleARN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Delete(context.Background(), false) })
	return m
}

func newActivity(t *testing.T, c *runtime.Client, prefix string) string {
	t.Helper()
	out, err := c.API().CreateActivity(t.Context(), &sfn.CreateActivityInput{Name: aws.String(sfnlocal.Name(t, prefix))})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.ActivityArn)
	t.Cleanup(func() {
		_, _ = c.API().DeleteActivity(context.Background(), &sfn.DeleteActivityInput{ActivityArn: aws.String(arn)})
	})
	return arn
}

func wantJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("output %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

var fastWait = runtime.WaitOptions{Period: 20 * time.Millisecond}

func TestLifecycle(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	name := sfnlocal.Name(t, "lifecycle")

	m, err := c.StateMachine(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if m.Exists() {
		t.Fatalf("machine %s exists before create", name)
	}
	if _, err := m.Start(ctx, nil, ""); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("Start before create: got %v, want ErrNotFound", err)
	}
	if err := m.Update(ctx, passMachine(`1`), ""); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("Update before create: got %v, want ErrNotFound", err)
	}

	if err := m.Create(ctx, passMachine(`{"version":1}`), sfnlocal.RoleARN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Delete(context.Background(), false) })

	// A fresh lookup finds it by name; creating it again is refused.
	again, err := c.StateMachine(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if again.ARN != m.ARN || !again.Exists() {
		t.Fatalf("lookup: ARN %q, want %q", again.ARN, m.ARN)
	}
	if err := again.Create(ctx, passMachine(`1`), sfnlocal.RoleARN); !errors.Is(err, runtime.ErrExists) {
		t.Errorf("second Create: got %v, want ErrExists", err)
	}
	// The service refuses it too when the lookup is stale.
	stale := *again
	stale.ARN = ""
	if err := stale.Create(ctx, passMachine(`1`), sfnlocal.RoleARN); !errors.Is(err, runtime.ErrExists) {
		t.Errorf("Create with a stale lookup: got %v, want ErrExists", err)
	}

	run := func(input string) json.RawMessage {
		t.Helper()
		// Default names are unique per millisecond, and the local server
		// runs a Pass machine in less: a second start in the same
		// millisecond would reuse the name (ExecutionAlreadyExists).
		time.Sleep(2 * time.Millisecond)
		arn, err := m.Start(ctx, []byte(input), "")
		if err != nil {
			t.Fatal(err)
		}
		out, err := m.Wait(ctx, arn, fastWait)
		if err != nil {
			t.Fatal(err)
		}
		st, err := m.Status(ctx, arn)
		if err != nil {
			t.Fatal(err)
		}
		if st != types.ExecutionStatusSucceeded {
			t.Errorf("status %s, want SUCCEEDED", st)
		}
		return out
	}
	wantJSON(t, run(`{"in":true}`), `{"version":1}`)

	// Update changes what the next execution does.
	if err := m.Update(ctx, passMachine(`{"version":2}`), ""); err != nil {
		t.Fatal(err)
	}
	wantJSON(t, run(`{}`), `{"version":2}`)
	// A role-only update keeps the definition.
	if err := m.Update(ctx, nil, "arn:aws:iam::123456789012:role/other"); err != nil {
		t.Fatal(err)
	}
	wantJSON(t, run(``), `{"version":2}`)
	if err := m.Update(ctx, nil, ""); err == nil {
		t.Error("Update with nothing to change: no error")
	}

	if err := m.Delete(ctx, true); err != nil {
		t.Fatal(err)
	}
	gone, err := c.StateMachine(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if gone.Exists() {
		t.Errorf("machine still listed after delete: %s", gone.ARN)
	}
	if err := gone.Delete(ctx, false); err != nil {
		t.Errorf("Delete(missing, false): %v", err)
	}
	if err := gone.Delete(ctx, true); !errors.Is(err, runtime.ErrNotFound) || !strings.Contains(err.Error(), name) {
		t.Errorf("Delete(missing, true): got %v, want ErrNotFound naming %s", err, name)
	}
}

func TestStartNames(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	m := newMachine(t, c, "names", passMachine(`{"ok":true}`))

	arn, err := m.Start(ctx, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	// Default name: <machine>-<UTC time>.
	if !strings.Contains(arn, ":"+m.Name+"-") {
		t.Errorf("execution %s is not named after machine %s", arn, m.Name)
	}
	given, err := m.Start(ctx, nil, "my-run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(given, ":my-run") {
		t.Errorf("execution %s does not have the given name", given)
	}
	if _, err := m.Wait(ctx, given, fastWait); err != nil {
		t.Fatal(err)
	}
	// A finished execution's name cannot be reused.
	_, err = m.Start(ctx, nil, "my-run")
	var dup *types.ExecutionAlreadyExists
	if !errors.As(err, &dup) {
		t.Errorf("reusing a name: got %v, want ExecutionAlreadyExists", err)
	}
	if _, err := m.Start(ctx, []byte("{not json"), ""); err == nil {
		t.Error("invalid input JSON: no error")
	}
	// Default names are the time to the millisecond: starts within one
	// millisecond still each get an execution of their own.
	seen := map[string]bool{}
	for range 20 {
		arn, err := m.Start(ctx, []byte(`{"different":"input"}`), "")
		if err != nil {
			t.Fatalf("back-to-back start with a default name: %v", err)
		}
		if seen[arn] {
			t.Fatalf("execution %s started twice", arn)
		}
		seen[arn] = true
	}
}

func TestInvalidDefinition(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	m, err := c.StateMachine(ctx, sfnlocal.Name(t, "invalid"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, def, wantMsg string
	}{
		{"not JSON", `{"StartAt":`, "Invalid State Machine Definition"},
		{"no States", `{"StartAt":"A"}`, "SCHEMA_VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := m.Create(ctx, []byte(tt.def), sfnlocal.RoleARN)
			var inv *types.InvalidDefinition
			if !errors.As(err, &inv) {
				t.Fatalf("got %v, want InvalidDefinition", err)
			}
			var ae *runtime.APIError
			if !errors.As(err, &ae) || ae.Code != "InvalidDefinition" {
				t.Fatalf("got %#v, want an APIError with code InvalidDefinition", err)
			}
			// The service's whole message is kept.
			if ae.Message != aws.ToString(inv.Message) || !strings.Contains(err.Error(), aws.ToString(inv.Message)) {
				t.Errorf("message %q not kept in full in %q", aws.ToString(inv.Message), err)
			}
			if !strings.Contains(ae.Message, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", ae.Message, tt.wantMsg)
			}
			if m.Exists() {
				t.Error("machine marked as existing after a failed create")
			}
		})
	}
}

func TestFailedExecution(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	act := newActivity(t, c, "fails")
	m := newMachine(t, c, "fails", activityMachine(act))

	arn, err := m.Start(ctx, []byte(`{"n":1}`), "")
	if err != nil {
		t.Fatal(err)
	}
	// A worker fails the task.
	task, err := c.API().GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(act), WorkerName: aws.String("w")})
	if err != nil {
		t.Fatal(err)
	}
	if task.TaskToken == nil {
		t.Fatal("no task for the worker")
	}
	if _, err := c.API().SendTaskFailure(ctx, &sfn.SendTaskFailureInput{
		TaskToken: task.TaskToken, Error: aws.String("Broken"), Cause: aws.String("the widget broke"),
	}); err != nil {
		t.Fatal(err)
	}
	_, err = m.Wait(ctx, arn, fastWait)
	var ee *runtime.ExecutionError
	if !errors.As(err, &ee) {
		t.Fatalf("Wait: got %v, want an ExecutionError", err)
	}
	// Step Functions ends the execution FAILED with the task's error and
	// cause (API reference, SendTaskFailure and ExecutionFailedEventDetails).
	want := runtime.ExecutionError{ExecutionARN: arn, Status: "FAILED", ErrorName: "Broken", Cause: "the widget broke"}
	if diff := cmp.Diff(want, *ee); diff != "" {
		t.Errorf("execution error (-want +got):\n%s", diff)
	}
	if st, err := c.Status(ctx, arn); err != nil || st != types.ExecutionStatusFailed {
		t.Errorf("Status: %s, %v; want FAILED", st, err)
	}
}

func TestStopAndRunning(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	act := newActivity(t, c, "stop")
	m := newMachine(t, c, "stop", activityMachine(act))

	var arns []string
	for range 3 {
		arn, err := m.Start(ctx, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, arn)
		time.Sleep(2 * time.Millisecond) // default names are unique per millisecond
	}
	running, err := m.RunningARNs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(running)
	slices.Sort(arns)
	if diff := cmp.Diff(arns, running); diff != "" {
		t.Errorf("running executions (-want +got):\n%s", diff)
	}

	if err := m.Stop(ctx, arns[0], "Stopped", "by the test"); err != nil {
		t.Fatal(err)
	}
	_, err = m.Wait(ctx, arns[0], fastWait)
	var ee *runtime.ExecutionError
	if !errors.As(err, &ee) || ee.Status != "ABORTED" {
		t.Fatalf("Wait after Stop: got %v, want an ABORTED ExecutionError", err)
	}
	// Step Functions records the stop's error and cause (API reference,
	// StopExecution: DescribeExecution's error and cause, and the
	// ExecutionAborted event).
	if ee.ErrorName != "Stopped" || ee.Cause != "by the test" {
		t.Errorf("Wait after Stop: error %q, cause %q; want the stop's", ee.ErrorName, ee.Cause)
	}
	if st, err := m.Status(ctx, arns[0]); err != nil || st != types.ExecutionStatusAborted {
		t.Errorf("Status after Stop: %s, %v; want ABORTED", st, err)
	}
	d, err := c.API().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arns[0])})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Error) != "Stopped" || aws.ToString(d.Cause) != "by the test" {
		t.Errorf("DescribeExecution after Stop: error %q, cause %q; want the stop's", aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	running, err = m.RunningARNs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(running, arns[0]) || len(running) != 2 {
		t.Errorf("running after stopping one: %v", running)
	}
	aborted, err := m.Executions(ctx, types.ExecutionStatusAborted)
	if err != nil {
		t.Fatal(err)
	}
	if len(aborted) != 1 || aws.ToString(aborted[0].ExecutionArn) != arns[0] {
		t.Errorf("aborted executions: %+v", aborted)
	}
	for _, a := range arns[1:] {
		if err := m.Stop(ctx, a, "", ""); err != nil {
			t.Error(err)
		}
	}
}

func TestWaitHonoursContext(t *testing.T) {
	c := newClient(t)
	act := newActivity(t, c, "cancel")
	m := newMachine(t, c, "cancel", activityMachine(act))
	arn, err := m.Start(t.Context(), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.StopExecution(context.Background(), arn, "", "") })

	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Wait(ctx, arn, runtime.WaitOptions{Period: time.Hour})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait: got %v, want DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 30*time.Second {
		t.Errorf("Wait returned %v after the deadline, not promptly", waited)
	}
}

func TestWaitProgress(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	def := `{"StartAt":"First","States":{
		"First":{"Type":"Pass","Next":"Second"},
		"Second":{"Type":"Wait","Seconds":1,"Next":"Third"},
		"Third":{"Type":"Pass","Result":{"done":true},"End":true}}}`
	m := newMachine(t, c, "progress", []byte(def))
	arn, err := m.Start(ctx, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var states []string
	var last time.Duration
	out, err := c.Wait(ctx, arn, runtime.WaitOptions{Period: 100 * time.Millisecond, Progress: func(p runtime.Progress) {
		mu.Lock()
		defer mu.Unlock()
		states = append(states, p.State)
		if p.Elapsed < last {
			t.Errorf("elapsed time went back: %v after %v", p.Elapsed, last)
		}
		last = p.Elapsed
	}})
	if err != nil {
		t.Fatal(err)
	}
	wantJSON(t, out, `{"done":true}`)
	if diff := cmp.Diff([]string{"First", "Second", "Third"}, states); diff != "" {
		t.Errorf("states entered (-want +got):\n%s", diff)
	}
	if last < time.Second {
		t.Errorf("Third entered %v after the start, want at least the 1s Wait", last)
	}
}

// countingAPI counts list calls made through the real client.
type countingAPI struct {
	runtime.SFNAPI
	listMachines, listExecutions atomic.Int32
}

func (c *countingAPI) ListStateMachines(ctx context.Context, in *sfn.ListStateMachinesInput, o ...func(*sfn.Options)) (*sfn.ListStateMachinesOutput, error) {
	c.listMachines.Add(1)
	return c.SFNAPI.ListStateMachines(ctx, in, o...)
}

func (c *countingAPI) ListExecutions(ctx context.Context, in *sfn.ListExecutionsInput, o ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error) {
	c.listExecutions.Add(1)
	return c.SFNAPI.ListExecutions(ctx, in, o...)
}

func TestListAllPages(t *testing.T) {
	ctx := t.Context()
	base := newClient(t)
	api := &countingAPI{SFNAPI: base.API()}
	c := runtime.NewClient(api, runtime.ClientOptions{Region: sfnlocal.Region, AccountID: sfnlocal.AccountID})

	for _, pageSize := range []int32{1000, 30} {
		t.Run(fmt.Sprint("page size ", pageSize), func(t *testing.T) {
			runtime.SetPageSize(c, pageSize)
			const n = 105 // more than the service's default page of 100
			prefix := sfnlocal.Name(t, "many")
			want := map[string]bool{}
			for i := range n {
				m, err := c.StateMachine(ctx, fmt.Sprintf("%s-%03d", prefix, i))
				if err != nil {
					t.Fatal(err)
				}
				m.ARN = "" // skip the lookup's result: names are fresh
				if err := m.Create(ctx, passMachine(`{"i":1}`), sfnlocal.RoleARN); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = m.Delete(context.Background(), false) })
				want[m.Name] = true
			}
			api.listMachines.Store(0)
			all, err := c.StateMachines(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, sm := range all {
				delete(want, aws.ToString(sm.Name))
			}
			if len(want) != 0 {
				t.Errorf("%d of %d machines missing from the list", len(want), n)
			}
			if calls, min := api.listMachines.Load(), int32(len(all)+int(pageSize)-1)/pageSize; calls < min {
				t.Errorf("%d list calls for %d machines at %d a page", calls, len(all), pageSize)
			}

			// Executions of one machine.
			m, err := c.StateMachine(ctx, fmt.Sprintf("%s-%03d", prefix, 0))
			if err != nil {
				t.Fatal(err)
			}
			started := map[string]bool{}
			for i := range n {
				arn, err := m.Start(ctx, nil, fmt.Sprintf("run-%03d", i))
				if err != nil {
					t.Fatal(err)
				}
				started[arn] = true
			}
			api.listExecutions.Store(0)
			list, err := m.Executions(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, e := range list {
				got[aws.ToString(e.ExecutionArn)] = true
			}
			if diff := cmp.Diff(started, got); diff != "" {
				t.Errorf("executions (-want +got):\n%s", diff)
			}
			if calls, min := api.listExecutions.Load(), int32(n+int(pageSize)-1)/pageSize; calls < min {
				t.Errorf("%d list calls for %d executions at %d a page", calls, n, pageSize)
			}
		})
	}
}

func TestUnreachableEndpoint(t *testing.T) {
	c, err := runtime.New(t.Context(), runtime.Config{
		Region: sfnlocal.Region, AccessKey: "a", SecretKey: "s", AccountID: sfnlocal.AccountID,
		EndpointURL: "http://127.0.0.1:1",
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.StateMachine(t.Context(), "x")
	var ee *runtime.EndpointError
	if !errors.As(err, &ee) {
		t.Fatalf("got %v, want an EndpointError", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error %q does not name the endpoint", err)
	}
}

func TestNoCredentials(t *testing.T) {
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(v, "")
	}
	dir := t.TempDir()
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/none")
	t.Setenv("AWS_CONFIG_FILE", dir+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	c, err := runtime.New(t.Context(), runtime.Config{Region: sfnlocal.Region, EndpointURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.StateMachines(t.Context())
	if !errors.Is(err, runtime.ErrNoCredentials) {
		t.Fatalf("got %v, want ErrNoCredentials", err)
	}
	var ce *runtime.CredentialsError
	if !errors.As(err, &ce) {
		t.Errorf("got %T, want *CredentialsError", err)
	}
}

// Wait returns the execution's output as the service sent it.
func TestWaitOutput(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	const input = `{"in":1}`
	tests := []struct {
		name, result string
		want         string // what Step Functions returns (a Pass state's Result, falsy or not)
	}{
		{name: "object", result: `{"a":[1,"x",null,{"b":true}]}`, want: `{"a":[1,"x",null,{"b":true}]}`},
		{name: "string", result: `"text é"`, want: `"text é"`},
		{name: "number", result: `42.5`, want: `42.5`},
		{name: "zero", result: `0`, want: `0`},
		{name: "false", result: `false`, want: `false`},
		{name: "empty string", result: `""`, want: `""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMachine(t, c, "output", passMachine(tt.result))
			arn, err := m.Start(ctx, []byte(input), "")
			if err != nil {
				t.Fatal(err)
			}
			out, err := m.Wait(ctx, arn, fastWait)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON(t, out, tt.want)
		})
	}
}

// GetActivityTask holds the request until a task comes (up to 60 s; API
// reference, GetActivityTask: "the service holds the HTTP connection open
// and responds as soon as a task becomes available"): a poll sent before
// the execution starts receives that execution's task, not an empty answer.
func TestGetActivityTaskLongPolls(t *testing.T) {
	ctx := t.Context()
	c := newClient(t)
	act := newActivity(t, c, "longpoll")
	m := newMachine(t, c, "longpoll", activityMachine(act))
	type result struct {
		out *sfn.GetActivityTaskOutput
		err error
	}
	polled := make(chan result, 1)
	go func() {
		out, err := c.API().GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(act)})
		polled <- result{out, err}
	}()
	// Give the poll time to reach the server before there is a task; an
	// answer in this time is the empty answer AWS does not give.
	select {
	case r := <-polled:
		t.Fatalf("GetActivityTask answered before any task existed: %+v %v", r.out, r.err)
	case <-time.After(300 * time.Millisecond):
	}
	arn, err := m.Start(ctx, []byte(`{"job":7}`), "")
	if err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-polled:
	case <-time.After(30 * time.Second):
		t.Fatal("the held poll did not receive the task")
	}
	if r.err != nil || aws.ToString(r.out.TaskToken) == "" || aws.ToString(r.out.Input) != `{"job":7}` {
		t.Fatalf("held poll: %+v %v; want the execution's task", r.out, r.err)
	}
	if _, err := c.API().SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: r.out.TaskToken, Output: aws.String(`{"done":true}`)}); err != nil {
		t.Fatal(err)
	}
	out, err := m.Wait(ctx, arn, fastWait)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON(t, out, `{"done":true}`)
}
