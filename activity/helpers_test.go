package activity_test

import (
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

	"github.com/hsc-dev/hsc/activity"
	"github.com/hsc-dev/hsc/internal/sfnlocal"
	"github.com/hsc-dev/hsc/runtime"
)

// localClient returns a client for the local server (internal/sfnlocal).
func localClient(t testing.TB) *runtime.Client {
	t.Helper()
	c, err := runtime.New(context.Background(), runtime.Config{
		Region: sfnlocal.Region, AccessKey: sfnlocal.AccessKey, SecretKey: sfnlocal.SecretKey,
		AccountID: sfnlocal.AccountID, EndpointURL: sfnlocal.Endpoint(t),
		RetryMaxBackoff: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newActivity creates an activity with a unique name and returns its ARN.
func newActivity(t testing.TB, c *runtime.Client, prefix string) (name, arn string) {
	t.Helper()
	name = sfnlocal.Name(t, prefix)
	out, err := c.API().CreateActivity(context.Background(), &sfn.CreateActivityInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return name, aws.ToString(out.ActivityArn)
}

// newMachine creates a state machine from a JSON definition and deletes it
// when the test ends.
func newMachine(t testing.TB, c *runtime.Client, prefix, definition string) *runtime.StateMachine {
	t.Helper()
	m := c.NewStateMachine(sfnlocal.Name(t, prefix), "")
	if err := m.Create(context.Background(), []byte(definition), sfnlocal.RoleARN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Delete(context.Background(), false) })
	return m
}

// taskMachine is a one-state machine whose Task runs activity arn.
func taskMachine(t testing.TB, c *runtime.Client, arn string, heartbeatSeconds int) *runtime.StateMachine {
	t.Helper()
	hb := ""
	if heartbeatSeconds > 0 {
		hb = fmt.Sprintf(`,"HeartbeatSeconds":%d`, heartbeatSeconds)
	}
	return newMachine(t, c, "act", fmt.Sprintf(
		`{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":%q%s,"End":true}}}`, arn, hb))
}

// finish waits for an execution to stop and returns its description.
func finish(t testing.TB, c *runtime.Client, arn string, limit time.Duration) *sfn.DescribeExecutionOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		d, err := c.DescribeExecution(ctx, arn)
		if err != nil {
			t.Fatalf("execution %s did not finish within %v: %v", arn, limit, err)
		}
		if d.Status != types.ExecutionStatusRunning {
			return d
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// activityEvent returns the last activity result event of an execution:
// its type and, for a failure or timeout, the error and cause recorded.
func activityEvent(t testing.TB, c *runtime.Client, arn string) (kind types.HistoryEventType, errName, cause string) {
	t.Helper()
	events, err := c.History(context.Background(), arn)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		switch {
		case ev.ActivityFailedEventDetails != nil:
			kind, errName, cause = ev.Type, aws.ToString(ev.ActivityFailedEventDetails.Error), aws.ToString(ev.ActivityFailedEventDetails.Cause)
		case ev.ActivityTimedOutEventDetails != nil:
			kind, errName, cause = ev.Type, aws.ToString(ev.ActivityTimedOutEventDetails.Error), aws.ToString(ev.ActivityTimedOutEventDetails.Cause)
		case ev.Type == types.HistoryEventTypeActivitySucceeded, ev.Type == types.HistoryEventTypeActivityTimedOut:
			kind = ev.Type
		}
	}
	return kind, errName, cause
}

// logRecorder is a slog handler that keeps every record's message and
// attributes, so tests can see what a worker or manager logged.
type logRecorder struct {
	mu      sync.Mutex
	records []string
	attrs   []slog.Attr
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range l.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	l.mu.Lock()
	l.records = append(l.records, b.String())
	l.mu.Unlock()
	return nil
}

func (l *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logView{l, as}
}

func (l *logRecorder) WithGroup(string) slog.Handler { return l }

// count returns how many records contain substr.
func (l *logRecorder) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if strings.Contains(r, substr) {
			n++
		}
	}
	return n
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.records, "\n")
}

// logView is a logRecorder with attributes added by With.
type logView struct {
	l     *logRecorder
	attrs []slog.Attr
}

func (v *logView) Enabled(ctx context.Context, lv slog.Level) bool { return true }
func (v *logView) Handle(ctx context.Context, r slog.Record) error {
	r2 := r.Clone()
	r2.AddAttrs(v.attrs...)
	return v.l.Handle(ctx, r2)
}
func (v *logView) WithAttrs(as []slog.Attr) slog.Handler {
	return &logView{v.l, append(append([]slog.Attr{}, v.attrs...), as...)}
}
func (v *logView) WithGroup(string) slog.Handler { return v }

// waitFor polls cond until it holds or limit passes.
func waitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newLogger(l *logRecorder) *slog.Logger { return slog.New(l) }

// localClientOrNil is a client value for tests that never call it.
func localClientOrNil() activity.API {
	return sfn.New(sfn.Options{Region: "us-east-1"})
}
