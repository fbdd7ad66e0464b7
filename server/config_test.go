package server_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
)

const waitDef = `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":%d,"End":true}}}`

// waitSpan runs a one-Wait machine and returns the time between the Wait
// state's entered and exited events, and how long the run took.
func waitSpan(t *testing.T, cfg server.Config, seconds int) (history, real time.Duration) {
	t.Helper()
	_, c := start(t, cfg)
	arn := createMachine(t, c, "wait", fmt.Sprintf(waitDef, seconds))
	began := time.Now()
	ex, err := c.StartExecution(ctxT(t), &sfn.StartExecutionInput{StateMachineArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *ex.ExecutionArn); d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s", d.Status)
	}
	real = time.Since(began)
	h, err := c.GetExecutionHistory(ctxT(t), &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var entered, exited time.Time
	for _, e := range h.Events {
		switch e.Type {
		case types.HistoryEventTypeWaitStateEntered:
			entered = *e.Timestamp
		case types.HistoryEventTypeWaitStateExited:
			exited = *e.Timestamp
		}
	}
	return exited.Sub(entered), real
}

// Virtual time: a one-hour Wait ends at once, and the history shows the
// hour passing.
func TestVirtualTime(t *testing.T) {
	span, real := waitSpan(t, server.Config{VirtualTime: true}, 3600)
	if span != time.Hour {
		t.Errorf("Wait took %v in the history, want 1h", span)
	}
	if real > 5*time.Second {
		t.Errorf("a virtual-time Wait took %v of real time", real)
	}
}

// WaitScale 0.01: a 2 s Wait takes about 20 ms, and the history shows 2 s.
func TestWaitScale(t *testing.T) {
	span, real := waitSpan(t, server.Config{WaitScale: 0.01}, 2)
	if span < 1900*time.Millisecond || span > 3*time.Second {
		t.Errorf("Wait took %v in the history, want about 2s", span)
	}
	if real > 1500*time.Millisecond {
		t.Errorf("a scaled 2 s Wait took %v of real time", real)
	}
}

// A test case of a Step Functions Local mock configuration is chosen by
// starting an execution on "<stateMachineArn>#<TestCase>".
func TestMockTestCase(t *testing.T) {
	mock, err := interpreter.ParseMockConfig([]byte(`{
		"StateMachines":{"mocked":{"TestCases":{"Happy":{"Call":"Ok"},"Sad":{"Call":"Err"}}}},
		"MockedResponses":{"Ok":{"0":{"Return":{"v":42}}},"Err":{"0":{"Throw":{"Error":"Lambda.Boom","Cause":"mocked"}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, c := start(t, server.Config{Mock: mock})
	ctx := ctxT(t)
	arn := createMachine(t, c, "mocked", `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}}`)
	happy, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#Happy")})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *happy.ExecutionArn); d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"v":42}` {
		t.Errorf("Happy: %s %s", d.Status, aws.ToString(d.Output))
	}
	sad, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#Sad")})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *sad.ExecutionArn); d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Lambda.Boom" || aws.ToString(d.Cause) != "mocked" {
		t.Errorf("Sad: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#Missing")})
	wantCode(t, err, "ValidationException")

	// A mocked activity state is answered by the mock, not by a worker.
	mock2, err := interpreter.ParseMockConfig([]byte(`{"StateMachines":{"mockedActivity":{"TestCases":{"T":{"Work":"Done"}}}},
		"MockedResponses":{"Done":{"0":{"Return":"from mock"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, c2 := start(t, server.Config{Mock: mock2})
	arn2 := createMachine(t, c2, "mockedActivity", activityDef)
	ex, err := c2.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn2 + "#T")})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c2, *ex.ExecutionArn); d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `"from mock"` {
		t.Errorf("mocked activity: %s %s", d.Status, aws.ToString(d.Output))
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Finished executions beyond MaxFinished are dropped oldest first, and the
// server logs it.
func TestFinishedExecutionsBounded(t *testing.T) {
	var log syncBuffer
	_, c := start(t, server.Config{MaxFinished: 2, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	ctx := ctxT(t)
	arn := createMachine(t, c, "many", passDef)
	var arns []string
	for i := range 4 {
		ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprint(i))})
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, c, *ex.ExecutionArn)
		arns = append(arns, *ex.ExecutionArn)
	}
	for i, a := range arns {
		_, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &a})
		if i < 2 {
			wantCode(t, err, "ExecutionDoesNotExist")
		} else if err != nil {
			t.Errorf("execution %d: %v", i, err)
		}
	}
	l, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &arn})
	if err != nil || len(l.Executions) != 2 {
		t.Errorf("listed %d (%v), want 2", len(l.Executions), err)
	}
	if !strings.Contains(log.String(), "dropped finished executions") {
		t.Errorf("no log of the drop: %q", log.String())
	}
}

// A Wait longer than the machine's TimeoutSeconds times the execution out
// under every clock setting (issue 11: the same rules as hsc run).
func TestTimeoutOnEveryClock(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  server.Config
		def  string
	}{
		{"virtual", server.Config{VirtualTime: true}, `{"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`},
		{"scaled", server.Config{WaitScale: 0.01}, `{"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`},
		{"real", server.Config{}, `{"TimeoutSeconds":1,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":2,"End":true}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := start(t, tc.cfg)
			arn := createMachine(t, c, "timeout", tc.def)
			ex, err := c.StartExecution(ctxT(t), &sfn.StartExecutionInput{StateMachineArn: &arn})
			if err != nil {
				t.Fatal(err)
			}
			if d := waitDone(t, c, *ex.ExecutionArn); d.Status != types.ExecutionStatusTimedOut || aws.ToString(d.Error) != "States.Timeout" {
				t.Errorf("%s %s", d.Status, aws.ToString(d.Error))
			}
		})
	}
}

// Under a scaled clock, a task's TimeoutSeconds is scaled too: 100 s at
// 0.01 is one real second.
func TestScaledTaskTimeout(t *testing.T) {
	_, c := start(t, server.Config{WaitScale: 0.01, PollTimeout: 5 * time.Second})
	createActivity(t, c, "work")
	arn := createMachine(t, c, "slow", strings.Replace(activityDef, `"End":true`, `"TimeoutSeconds":100,"End":true`, 1))
	began := time.Now()
	ex := startExec(t, c, arn)
	d := waitDone(t, c, *ex.ExecutionArn)
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "States.Timeout" {
		t.Errorf("%s %s", d.Status, aws.ToString(d.Error))
	}
	if real := time.Since(began); real > 10*time.Second {
		t.Errorf("a 100 s task timeout at scale 0.01 took %v", real)
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []server.Config{
		{WaitScale: -1},
		{AccountID: "12345"},
		{AccountID: "12345678901x"},
		{Region: "US East"},
		{Region: "-x"},
	} {
		if _, err := server.New(cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	_, c := start(t, server.Config{Region: "eu-west-3", AccountID: "000000000042"})
	arn := createMachine(t, c, "here", passDef)
	if want := "arn:aws:states:eu-west-3:000000000042:stateMachine:here"; arn != want {
		t.Errorf("arn %s, want %s", arn, want)
	}
	ex, err := c.StartExecution(ctxT(t), &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("x")})
	if err != nil || *ex.ExecutionArn != "arn:aws:states:eu-west-3:000000000042:execution:here:x" {
		t.Errorf("execution %v %v", ex, err)
	}
}

func TestRunUntilCancelled(t *testing.T) {
	s, err := server.New(server.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for s.URL() == "" && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if _, err := client(s.URL()).ListActivities(ctxT(t), &sfn.ListActivitiesInput{}); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if _, err := client(s.URL()).ListActivities(ctxT(t), &sfn.ListActivitiesInput{}); err == nil {
		t.Errorf("the server still answers after Run returned")
	}
}
