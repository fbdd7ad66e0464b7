package activity_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/activity"
	"github.com/hsc-dev/hsc/internal/sfnlocal"
)

// A worker whose loop dies (its activity does not exist yet) is restarted
// with backoff and logged; once the activity exists, the restarted worker
// completes an execution. A second activity keeps working throughout.
func TestManagerRestartsCrashedWorker(t *testing.T) {
	c := localClient(t)
	_, healthyARN := newActivity(t, c, "healthy")
	// The ARN the server will give an activity that does not exist yet.
	lateName := sfnlocal.Name(t, "late")
	lateARN := healthyARN[:strings.LastIndexByte(healthyARN, ':')+1] + lateName

	echo := func(_ context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) { return in, nil }
	logs := &logRecorder{}
	m := &activity.Manager{
		API: c.API(),
		Activities: []activity.Spec{
			{Activity: lateARN, Handler: echo, Options: activity.Options{IdleDelay: 20 * time.Millisecond}},
			{Activity: healthyARN, Handler: echo, Options: activity.Options{IdleDelay: 20 * time.Millisecond, Concurrency: 2}},
		},
		Logger:     newLogger(logs),
		RestartMin: 100 * time.Millisecond,
		RestartMax: 400 * time.Millisecond,
		NoSignals:  true,
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	waitFor(t, 10*time.Second, "two restarts of the crashed worker", func() bool {
		return logs.count("activity worker died; restarting activity="+lateARN) >= 2
	})
	if !strings.Contains(logs.String(), "ActivityDoesNotExist") {
		t.Errorf("the restart log does not say why the worker died:\n%s", logs)
	}
	healthy := taskMachine(t, c, healthyARN, 0)
	exec, err := healthy.Start(t.Context(), []byte(`{"w":"healthy"}`), "h")
	if err != nil {
		t.Fatal(err)
	}
	if d := finish(t, c, exec, 20*time.Second); d.Status != "SUCCEEDED" {
		t.Errorf("healthy activity's execution %s", d.Status)
	}

	out, err := c.API().CreateActivity(t.Context(), &sfn.CreateActivityInput{Name: aws.String(lateName)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.ActivityArn); got != lateARN {
		t.Fatalf("activity created as %s, expected %s", got, lateARN)
	}
	late := taskMachine(t, c, lateARN, 0)
	exec, err = late.Start(t.Context(), []byte(`{"w":"late"}`), "l")
	if err != nil {
		t.Fatal(err)
	}
	d := finish(t, c, exec, 20*time.Second)
	if d.Status != "SUCCEEDED" || aws.ToString(d.Output) != `{"w":"late"}` {
		t.Errorf("restarted worker's execution: %s %s", d.Status, aws.ToString(d.Output))
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("manager did not stop")
	}
}

// SIGTERM stops the manager, which lets the task in flight finish first.
func TestManagerStopsOnSIGTERM(t *testing.T) {
	c := localClient(t)
	_, arn := newActivity(t, c, "sigterm")
	mach := taskMachine(t, c, arn, 0)
	started := make(chan struct{})
	slow := func(ctx context.Context, _ json.RawMessage, _ activity.Heartbeater) (any, error) {
		close(started)
		time.Sleep(time.Second)
		return "finished", nil
	}
	logs := &logRecorder{}
	m := &activity.Manager{
		API:        c.API(),
		Activities: []activity.Spec{{Activity: arn, Handler: slow, Options: activity.Options{IdleDelay: 20 * time.Millisecond, GracePeriod: 10 * time.Second}}},
		Logger:     newLogger(logs),
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(context.Background()) }()
	exec, err := mach.Start(t.Context(), nil, "sig")
	if err != nil {
		t.Fatal(err)
	}
	<-started // the manager's signal handler is installed before any worker runs
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("manager did not stop on SIGTERM")
	}
	if d := finish(t, c, exec, 10*time.Second); d.Status != "SUCCEEDED" {
		t.Errorf("task in flight at SIGTERM: execution %s, want SUCCEEDED", d.Status)
	}
	if logs.count("activity workers stopped") != 1 {
		t.Errorf("no stop logged:\n%s", logs)
	}
}

func TestManagerNoActivities(t *testing.T) {
	err := (&activity.Manager{API: localClientOrNil()}).Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "no activities") {
		t.Errorf("Run: %v", err)
	}
	err = (&activity.Manager{API: localClientOrNil(), Activities: []activity.Spec{{Activity: "x"}}, NoSignals: true}).Run(t.Context())
	if want := fmt.Sprintf("activity manager: activity worker %s: no handler", "x"); err == nil || err.Error() != want {
		t.Errorf("Run: %v, want %q", err, want)
	}
}
