package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// defaultPageSize is the service maximum for list and history calls, so
// long lists take few calls.
const defaultPageSize = 1000

// StateMachines returns every state machine in the account and region,
// reading all pages.
func (c *Client) StateMachines(ctx context.Context) ([]types.StateMachineListItem, error) {
	var all []types.StateMachineListItem
	p := sfn.NewListStateMachinesPaginator(c.api, &sfn.ListStateMachinesInput{MaxResults: c.pageSize})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, WrapError("list state machines", err)
		}
		all = append(all, page.StateMachines...)
	}
	return all, nil
}

// StateMachine looks a state machine up by name (through all pages of the
// list). A machine that does not exist is not an error: the result has an
// empty ARN and can be created.
func (c *Client) StateMachine(ctx context.Context, name string) (*StateMachine, error) {
	if name == "" {
		return nil, fmt.Errorf("state machine name is empty")
	}
	machines, err := c.StateMachines(ctx)
	if err != nil {
		return nil, err
	}
	m := &StateMachine{Name: name, c: c}
	for _, sm := range machines {
		if aws.ToString(sm.Name) == name {
			m.ARN = aws.ToString(sm.StateMachineArn)
			break
		}
	}
	return m, nil
}

// NewStateMachine returns a StateMachine for a known name and ARN (empty
// when it does not exist) without asking the service.
func (c *Client) NewStateMachine(name, arn string) *StateMachine {
	return &StateMachine{Name: name, ARN: arn, c: c}
}

// StopExecution stops a running execution, recording errName and cause
// (both optional).
func (c *Client) StopExecution(ctx context.Context, executionARN, errName, cause string) error {
	in := &sfn.StopExecutionInput{ExecutionArn: aws.String(executionARN)}
	if errName != "" {
		in.Error = aws.String(errName)
	}
	if cause != "" {
		in.Cause = aws.String(cause)
	}
	_, err := c.api.StopExecution(ctx, in)
	return WrapError("stop execution "+executionARN, err)
}

// DescribeExecution returns what the service knows about an execution.
func (c *Client) DescribeExecution(ctx context.Context, executionARN string) (*sfn.DescribeExecutionOutput, error) {
	out, err := c.api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN)})
	if err != nil {
		return nil, WrapError("describe execution "+executionARN, err)
	}
	return out, nil
}

// Status returns an execution's status: RUNNING, SUCCEEDED, FAILED,
// TIMED_OUT, ABORTED or PENDING_REDRIVE.
func (c *Client) Status(ctx context.Context, executionARN string) (types.ExecutionStatus, error) {
	d, err := c.DescribeExecution(ctx, executionARN)
	if err != nil {
		return "", err
	}
	return d.Status, nil
}

// History returns every event of an execution, oldest first, reading all
// pages.
func (c *Client) History(ctx context.Context, executionARN string) ([]types.HistoryEvent, error) {
	var all []types.HistoryEvent
	// Oldest first, the order callers read a history in.
	p := sfn.NewGetExecutionHistoryPaginator(c.api, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(executionARN),
		MaxResults:   c.pageSize,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, WrapError("get execution history "+executionARN, err)
		}
		all = append(all, page.Events...)
	}
	return all, nil
}

// Progress reports one state entered by an execution being waited for.
type Progress struct {
	State   string        // name of the state entered
	Elapsed time.Duration // since the execution started
}

// WaitOptions configure Wait.
type WaitOptions struct {
	// Period between status polls; zero means 1 second.
	Period time.Duration
	// Progress, if set, is called for each state the execution enters, in
	// order (this reads the execution history on every poll).
	Progress func(Progress)
}

// Wait polls an execution until it stops, honouring ctx. It returns the
// output JSON when the execution succeeded, and an *ExecutionError with the
// status, error and cause when it failed, was aborted or timed out.
func (c *Client) Wait(ctx context.Context, executionARN string, o WaitOptions) (json.RawMessage, error) {
	period := o.Period
	if period <= 0 {
		period = time.Second
	}
	seen := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for execution %s: %w", executionARN, context.Cause(ctx))
		case <-timer.C:
		}
		d, err := c.DescribeExecution(ctx, executionARN)
		if err != nil {
			return nil, err
		}
		if o.Progress != nil {
			if seen, err = c.reportProgress(ctx, executionARN, d, seen, o.Progress); err != nil {
				return nil, err
			}
		}
		switch d.Status {
		case types.ExecutionStatusRunning, types.ExecutionStatusPendingRedrive:
			c.log.DebugContext(ctx, "execution running", "arn", executionARN)
			timer.Reset(period)
			continue
		case types.ExecutionStatusSucceeded:
			if d.Output == nil {
				return json.RawMessage("null"), nil
			}
			return json.RawMessage(*d.Output), nil
		default:
			return nil, c.executionError(ctx, executionARN, d)
		}
	}
}

// reportProgress calls report for every state-entered event after the
// first seen events, and returns the new count of events seen.
func (c *Client) reportProgress(ctx context.Context, arn string, d *sfn.DescribeExecutionOutput, seen int, report func(Progress)) (int, error) {
	events, err := c.History(ctx, arn)
	if err != nil {
		return seen, err
	}
	start := aws.ToTime(d.StartDate)
	for _, ev := range events[min(seen, len(events)):] {
		if ev.StateEnteredEventDetails == nil {
			continue
		}
		p := Progress{State: aws.ToString(ev.StateEnteredEventDetails.Name)}
		if ev.Timestamp != nil && !start.IsZero() {
			p.Elapsed = ev.Timestamp.Sub(start)
		}
		report(p)
	}
	return max(seen, len(events)), nil
}

// executionError builds the error for a stopped, unsuccessful execution:
// the error and cause from DescribeExecution, or else from the last
// ExecutionFailed, ExecutionAborted or ExecutionTimedOut history event.
func (c *Client) executionError(ctx context.Context, arn string, d *sfn.DescribeExecutionOutput) error {
	e := &ExecutionError{
		ExecutionARN: arn,
		Status:       string(d.Status),
		ErrorName:    aws.ToString(d.Error),
		Cause:        aws.ToString(d.Cause),
	}
	if e.ErrorName != "" || e.Cause != "" {
		return e
	}
	events, err := c.History(ctx, arn)
	if err != nil {
		return fmt.Errorf("%w (reading its error: %w)", e, err)
	}
	for i := len(events) - 1; i >= 0; i-- {
		ev := events[i]
		var name, cause *string
		switch {
		case ev.ExecutionFailedEventDetails != nil:
			name, cause = ev.ExecutionFailedEventDetails.Error, ev.ExecutionFailedEventDetails.Cause
		case ev.ExecutionAbortedEventDetails != nil:
			name, cause = ev.ExecutionAbortedEventDetails.Error, ev.ExecutionAbortedEventDetails.Cause
		case ev.ExecutionTimedOutEventDetails != nil:
			name, cause = ev.ExecutionTimedOutEventDetails.Error, ev.ExecutionTimedOutEventDetails.Cause
		default:
			continue
		}
		e.ErrorName, e.Cause = aws.ToString(name), aws.ToString(cause)
		break
	}
	return e
}

// Executions lists the executions of the state machine with the given ARN,
// all pages; an empty status lists all of them.
func (c *Client) Executions(ctx context.Context, stateMachineARN string, status types.ExecutionStatus) ([]types.ExecutionListItem, error) {
	var all []types.ExecutionListItem
	p := sfn.NewListExecutionsPaginator(c.api, &sfn.ListExecutionsInput{
		StateMachineArn: aws.String(stateMachineARN),
		StatusFilter:    status,
		MaxResults:      c.pageSize,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, WrapError("list executions of "+stateMachineARN, err)
		}
		all = append(all, page.Executions...)
	}
	return all, nil
}
