package fanout_test

// An in-memory fake of the Step Functions calls a fan-out makes, so its
// logic is tested everywhere; the tests against the local server
// (fanout_test.go, throttle_test.go) stay as the integration tests.

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/hsc-dev/hsc/fanout"
)

const fakeMachineARN = "arn:aws:states:us-east-1:123456789012:stateMachine:sub"

// fakeExec is one execution of the fake service.
type fakeExec struct {
	name, input string
	polls       int // DescribeExecution calls so far
	status      types.ExecutionStatus
	output      string
	err, cause  string
	stopError   string // the error StopExecution recorded
}

// fakeSFN implements fanout.API in memory for one state machine, "sub".
// An execution stays RUNNING for runPolls DescribeExecution calls, then
// ends as outcome decides from its input: SUCCEEDED with output, or
// another status with an error and cause. hideError leaves a failure's
// error and cause out of DescribeExecution (found in the history then).
// inject may fail any call: it gets the operation and its count (from 1).
type fakeSFN struct {
	runPolls  int
	outcome   func(input string) (status types.ExecutionStatus, output, err, cause string)
	hideError bool
	inject    func(op string, n int) error

	mu       sync.Mutex
	calls    map[string]int
	machines []types.StateMachineListItem
	execs    map[string]*fakeExec // by ARN
	order    []string             // ARNs in start order
	peak     int                  // most RUNNING at once
}

var _ fanout.API = (*fakeSFN)(nil)

func newFake(runPolls int) *fakeSFN {
	f := &fakeSFN{
		runPolls: runPolls,
		calls:    map[string]int{},
		execs:    map[string]*fakeExec{},
		outcome: func(input string) (types.ExecutionStatus, string, string, string) {
			return types.ExecutionStatusSucceeded, input, "", ""
		},
	}
	for _, n := range []string{"other1", "other2", "sub"} { // "sub" on the second page
		f.machines = append(f.machines, types.StateMachineListItem{
			Name: aws.String(n), StateMachineArn: aws.String(strings.TrimSuffix(fakeMachineARN, "sub") + n)})
	}
	return f
}

func (f *fakeSFN) call(op string) error {
	f.mu.Lock()
	f.calls[op]++
	n := f.calls[op]
	f.mu.Unlock()
	if f.inject != nil {
		return f.inject(op, n)
	}
	return nil
}

func (f *fakeSFN) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *fakeSFN) running() int {
	n := 0
	for _, e := range f.execs {
		if e.status == types.ExecutionStatusRunning {
			n++
		}
	}
	return n
}

// byStatus returns the names of the executions with status st.
func (f *fakeSFN) byStatus(st types.ExecutionStatus) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for _, arn := range f.order {
		if e := f.execs[arn]; e.status == st {
			names = append(names, e.name)
		}
	}
	return names
}

func (f *fakeSFN) ListStateMachines(ctx context.Context, in *sfn.ListStateMachinesInput, _ ...func(*sfn.Options)) (*sfn.ListStateMachinesOutput, error) {
	if err := f.call("ListStateMachines"); err != nil {
		return nil, err
	}
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	end := min(start+2, len(f.machines))
	out := &sfn.ListStateMachinesOutput{StateMachines: f.machines[start:end]}
	if end < len(f.machines) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeSFN) StartExecution(ctx context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	if err := f.call("StartExecution"); err != nil {
		return nil, err
	}
	if aws.ToString(in.StateMachineArn) != fakeMachineARN {
		return nil, &types.StateMachineDoesNotExist{Message: aws.String("no machine " + aws.ToString(in.StateMachineArn))}
	}
	if !json.Valid([]byte(aws.ToString(in.Input))) {
		return nil, &types.InvalidExecutionInput{Message: aws.String("Invalid Execution Input")}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := strings.Replace(fakeMachineARN, ":stateMachine:", ":execution:", 1) + ":" + aws.ToString(in.Name)
	if _, ok := f.execs[arn]; ok {
		return nil, &types.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists: '" + arn + "'")}
	}
	f.execs[arn] = &fakeExec{name: aws.ToString(in.Name), input: aws.ToString(in.Input), status: types.ExecutionStatusRunning}
	f.order = append(f.order, arn)
	f.peak = max(f.peak, f.running())
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String(arn), StartDate: aws.Time(time.Now())}, nil
}

func (f *fakeSFN) DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	if err := f.call("DescribeExecution"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.execs[aws.ToString(in.ExecutionArn)]
	if !ok {
		return nil, &types.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist")}
	}
	if e.status == types.ExecutionStatusRunning {
		if e.polls++; e.polls > f.runPolls {
			e.status, e.output, e.err, e.cause = f.outcome(e.input)
		}
	}
	out := &sfn.DescribeExecutionOutput{ExecutionArn: in.ExecutionArn, Name: aws.String(e.name), Status: e.status,
		Input: aws.String(e.input), StateMachineArn: aws.String(fakeMachineARN)}
	if e.status == types.ExecutionStatusSucceeded {
		out.Output = aws.String(e.output)
	}
	if !f.hideError && e.err != "" {
		out.Error, out.Cause = aws.String(e.err), aws.String(e.cause)
	}
	return out, nil
}

func (f *fakeSFN) StopExecution(ctx context.Context, in *sfn.StopExecutionInput, _ ...func(*sfn.Options)) (*sfn.StopExecutionOutput, error) {
	if err := f.call("StopExecution"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.execs[aws.ToString(in.ExecutionArn)]
	if !ok {
		return nil, &types.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist")}
	}
	if e.status == types.ExecutionStatusRunning {
		e.status, e.stopError, e.err, e.cause = types.ExecutionStatusAborted, aws.ToString(in.Error), aws.ToString(in.Error), aws.ToString(in.Cause)
	}
	return &sfn.StopExecutionOutput{StopDate: aws.Time(time.Now())}, nil
}

// GetExecutionHistory holds the execution's final event only.
func (f *fakeSFN) GetExecutionHistory(ctx context.Context, in *sfn.GetExecutionHistoryInput, _ ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error) {
	if err := f.call("GetExecutionHistory"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.execs[aws.ToString(in.ExecutionArn)]
	if !ok {
		return nil, &types.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist")}
	}
	ev := types.HistoryEvent{Id: 1, Type: types.HistoryEventTypeExecutionStarted}
	out := &sfn.GetExecutionHistoryOutput{Events: []types.HistoryEvent{ev}}
	switch e.status {
	case types.ExecutionStatusFailed:
		out.Events = append(out.Events, types.HistoryEvent{Id: 2, Type: types.HistoryEventTypeExecutionFailed,
			ExecutionFailedEventDetails: &types.ExecutionFailedEventDetails{Error: aws.String(e.err), Cause: aws.String(e.cause)}})
	case types.ExecutionStatusTimedOut:
		out.Events = append(out.Events, types.HistoryEvent{Id: 2, Type: types.HistoryEventTypeExecutionTimedOut,
			ExecutionTimedOutEventDetails: &types.ExecutionTimedOutEventDetails{Error: aws.String(e.err), Cause: aws.String(e.cause)}})
	}
	return out, nil
}

// ListExecutions pages one at a time (the fan-out searches it when it
// cannot guess an execution's ARN).
func (f *fakeSFN) ListExecutions(ctx context.Context, in *sfn.ListExecutionsInput, _ ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error) {
	if err := f.call("ListExecutions"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	i, _ := strconv.Atoi(aws.ToString(in.NextToken))
	out := &sfn.ListExecutionsOutput{}
	if i < len(f.order) {
		e := f.execs[f.order[i]]
		out.Executions = []types.ExecutionListItem{{Name: aws.String(e.name), ExecutionArn: aws.String(f.order[i]), Status: e.status}}
		if i+1 < len(f.order) {
			out.NextToken = aws.String(strconv.Itoa(i + 1))
		}
	}
	return out, nil
}

func throttleErr() error {
	return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
}

// noDelays is DefaultConfig without the pauses.
func noDelays(id string, maxConcurrent int) fanout.Config {
	cfg := fanout.DefaultConfig()
	cfg.ID = id
	cfg.MaxConcurrent = maxConcurrent
	cfg.RampupDelay, cfg.PollDelay, cfg.StatusDelay = 0, 0, 0
	return cfg
}
