package activity_test

// An in-memory fake of the Step Functions activity API, so the worker's
// and manager's logic is tested everywhere; the tests against the local
// server (worker_test.go, manager_test.go, throttle_test.go) stay as the
// integration tests.

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/hsc-dev/hsc/activity"
)

// result is what a worker reported for one task.
type result struct {
	Succeeded    bool
	Output       string
	Error, Cause string
}

// fakeSFN implements activity.API in memory. Tasks queued with add are
// handed out by GetActivityTask (an empty poll returns after pollWait, as
// the service does after 60 s); results and heartbeats are recorded by
// task token. inject, if set, may fail any call: it gets the operation
// name and how many times it was called (from 1).
type fakeSFN struct {
	pollWait time.Duration
	inject   func(op string, n int) error

	tasks chan [2]string // token, input

	mu         sync.Mutex
	activities []types.ActivityListItem
	calls      map[string]int
	results    map[string]result
	heartbeats map[string]int
	timedOut   map[string]bool // heartbeats and results for these fail with TaskTimedOut
	done       chan string     // a token, each time a result is recorded
}

func newFake() *fakeSFN {
	return &fakeSFN{
		pollWait:   20 * time.Millisecond,
		tasks:      make(chan [2]string, 1000),
		calls:      map[string]int{},
		results:    map[string]result{},
		heartbeats: map[string]int{},
		timedOut:   map[string]bool{},
		done:       make(chan string, 1000),
	}
}

var _ activity.API = (*fakeSFN)(nil)

// add queues a task and returns its token.
func (f *fakeSFN) add(input string) string {
	f.mu.Lock()
	f.calls["add"]++
	token := "token-" + strconv.Itoa(f.calls["add"])
	f.mu.Unlock()
	f.tasks <- [2]string{token, input}
	return token
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

// wait returns the results of n tasks, failing the test after limit.
func (f *fakeSFN) wait(t *testing.T, n int, limit time.Duration) map[string]result {
	t.Helper()
	deadline := time.After(limit)
	for range n {
		select {
		case <-f.done:
		case <-deadline:
			f.mu.Lock()
			defer f.mu.Unlock()
			t.Fatalf("only %d of %d results after %v: %v", len(f.results), n, limit, f.results)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]result, len(f.results))
	for k, v := range f.results {
		out[k] = v
	}
	return out
}

func (f *fakeSFN) record(token string, r result) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.timedOut[token] {
		return &types.TaskTimedOut{Message: aws.String("Task Timed Out: '" + token + "'")}
	}
	if _, dup := f.results[token]; dup {
		return &types.InvalidToken{Message: aws.String("result already recorded for " + token)}
	}
	f.results[token] = r
	f.done <- token
	return nil
}

func (f *fakeSFN) CreateActivity(ctx context.Context, in *sfn.CreateActivityInput, _ ...func(*sfn.Options)) (*sfn.CreateActivityOutput, error) {
	if err := f.call("CreateActivity"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := "arn:aws:states:us-east-1:123456789012:activity:" + aws.ToString(in.Name)
	for _, a := range f.activities {
		if aws.ToString(a.Name) == aws.ToString(in.Name) {
			return &sfn.CreateActivityOutput{ActivityArn: a.ActivityArn}, nil
		}
	}
	f.activities = append(f.activities, types.ActivityListItem{Name: in.Name, ActivityArn: aws.String(arn)})
	return &sfn.CreateActivityOutput{ActivityArn: aws.String(arn)}, nil
}

// ListActivities pages two at a time, to exercise pagination.
func (f *fakeSFN) ListActivities(ctx context.Context, in *sfn.ListActivitiesInput, _ ...func(*sfn.Options)) (*sfn.ListActivitiesOutput, error) {
	if err := f.call("ListActivities"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	end := min(start+2, len(f.activities))
	out := &sfn.ListActivitiesOutput{Activities: append([]types.ActivityListItem{}, f.activities[start:end]...)}
	if end < len(f.activities) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeSFN) GetActivityTask(ctx context.Context, in *sfn.GetActivityTaskInput, _ ...func(*sfn.Options)) (*sfn.GetActivityTaskOutput, error) {
	if err := f.call("GetActivityTask"); err != nil {
		return nil, err
	}
	t := time.NewTimer(f.pollWait)
	defer t.Stop()
	select {
	case task := <-f.tasks:
		return &sfn.GetActivityTaskOutput{TaskToken: aws.String(task[0]), Input: aws.String(task[1])}, nil
	case <-t.C:
		return &sfn.GetActivityTaskOutput{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (f *fakeSFN) SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	if err := f.call("SendTaskSuccess"); err != nil {
		return nil, err
	}
	return &sfn.SendTaskSuccessOutput{}, f.record(aws.ToString(in.TaskToken), result{Succeeded: true, Output: aws.ToString(in.Output)})
}

func (f *fakeSFN) SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	if err := f.call("SendTaskFailure"); err != nil {
		return nil, err
	}
	return &sfn.SendTaskFailureOutput{}, f.record(aws.ToString(in.TaskToken), result{Error: aws.ToString(in.Error), Cause: aws.ToString(in.Cause)})
}

func (f *fakeSFN) SendTaskHeartbeat(ctx context.Context, in *sfn.SendTaskHeartbeatInput, _ ...func(*sfn.Options)) (*sfn.SendTaskHeartbeatOutput, error) {
	if err := f.call("SendTaskHeartbeat"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	token := aws.ToString(in.TaskToken)
	f.heartbeats[token]++
	if f.timedOut[token] {
		return nil, &types.TaskTimedOut{Message: aws.String("Task Timed Out: '" + token + "'")}
	}
	return &sfn.SendTaskHeartbeatOutput{}, nil
}

// throttled is the error the service gives a caller over its rate.
func throttled() error {
	return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
}

// fastOptions keeps the worker's pauses short for tests.
func fastOptions(o activity.Options) activity.Options {
	o.IdleDelay = 5 * time.Millisecond
	o.RetryMin = time.Millisecond
	o.RetryMax = 10 * time.Millisecond
	if o.GracePeriod == 0 {
		o.GracePeriod = 5 * time.Second
	}
	return o
}

// runWorker runs w until the test ends (or stop is called) and returns
// stop, which cancels it and returns Run's error.
func runWorker(t *testing.T, w *activity.Worker) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(10 * time.Second):
				err = fmt.Errorf("worker did not stop within 10 s")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}
