package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/internal/sfnlocal"
	"github.com/hsc-dev/hsc/runtime"
)

// The task command: echoes its input and activity as JSON, fails with a
// message on stderr, or prints something that is not JSON.
const workerScript = `in=$(cat)
case "$in" in
*fail*) echo "first line" >&2; echo "it broke: $in" >&2; exit 3 ;;
*garbage*) echo "not json"; exit 0 ;;
esac
echo "note: working on $in" >&2
token=false; [ -n "$HSC_TASK_TOKEN" ] && token=true
printf '{"activity":"%s","resource":"%s","token":%s,"state":"%s","attempt":"%s","input":%s}\n' \
	"$HSC_ACTIVITY" "$HSC_RESOURCE" "$token" "${HSC_STATE_NAME-unset}" "${HSC_ATTEMPT-unset}" "$in"
`

// hsc worker serving two activities (one by name, one by ARN) in one
// process completes, fails and rejects tasks as the command says.
func TestWorkerCommand(t *testing.T) {
	ctx := t.Context()
	c, err := runtime.New(ctx, runtime.Config{
		Region: sfnlocal.Region, AccessKey: sfnlocal.AccessKey, SecretKey: sfnlocal.SecretKey,
		AccountID: sfnlocal.AccountID, EndpointURL: sfnlocal.Endpoint(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	var names, arns [2]string
	machines := [2]*runtime.StateMachine{}
	for i := range names {
		names[i] = sfnlocal.Name(t, fmt.Sprintf("cliact%d", i))
		out, err := c.API().CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String(names[i])})
		if err != nil {
			t.Fatal(err)
		}
		arns[i] = aws.ToString(out.ActivityArn)
		machines[i] = c.NewStateMachine(sfnlocal.Name(t, fmt.Sprintf("cliworker%d", i)), "")
		def := fmt.Sprintf(`{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":%q,"End":true}}}`, arns[i])
		if err := machines[i].Create(ctx, []byte(def), sfnlocal.RoleARN); err != nil {
			t.Fatal(err)
		}
		m := machines[i]
		t.Cleanup(func() { _ = m.Delete(context.Background(), false) })
	}

	stop, done, stdout, stderr := startWorkerCmd(t, "-v", "--activity", names[0], "--activity", arns[1],
		"--concurrency", "2", "--pollers", "2", "--heartbeat", "0.5", "--", "sh", "-c", workerScript)

	tests := []struct {
		machine        int
		input          string
		status         types.ExecutionStatus
		output         string
		errName, cause string
	}{
		// The task command contract's environment (package taskcmd): the
		// worker knows no state name nor attempt, but sets them (empty).
		{machine: 0, input: `{"n":1}`, status: "SUCCEEDED", output: fmt.Sprintf(`{"activity":%q,"resource":%q,"token":true,"state":"","attempt":"","input":{"n":1}}`, names[0], arns[0])},
		{machine: 1, input: `{"n":2}`, status: "SUCCEEDED", output: fmt.Sprintf(`{"activity":%q,"resource":%q,"token":true,"state":"","attempt":"","input":{"n":2}}`, names[1], arns[1])},
		{machine: 0, input: `{"fail":true}`, status: "FAILED", errName: "States.TaskFailed", cause: "first line\nit broke: {\"fail\":true}"},
		{machine: 1, input: `{"garbage":true}`, status: "FAILED", errName: "States.TaskFailed", cause: "the command's output is not JSON: not json"},
	}
	execs := make([]string, len(tests))
	for i, tc := range tests {
		if execs[i], err = machines[tc.machine].Start(ctx, []byte(tc.input), fmt.Sprintf("e%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i, tc := range tests {
		d := waitDone(t, c, execs[i])
		if d.Status != tc.status {
			t.Errorf("%s: status %s, want %s", tc.input, d.Status, tc.status)
			continue
		}
		if tc.status == types.ExecutionStatusSucceeded {
			if got := aws.ToString(d.Output); got != tc.output {
				t.Errorf("%s: output %s, want %s", tc.input, got, tc.output)
			}
			continue
		}
		events, err := c.History(ctx, execs[i])
		if err != nil {
			t.Fatal(err)
		}
		var errName, cause string
		for _, ev := range events {
			if f := ev.ActivityFailedEventDetails; f != nil {
				errName, cause = aws.ToString(f.Error), aws.ToString(f.Cause)
			}
		}
		if errName != tc.errName || cause != tc.cause {
			t.Errorf("%s: ActivityFailed %q / %q, want %q / %q", tc.input, errName, cause, tc.errName, tc.cause)
		}
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("hsc worker: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("hsc worker did not stop")
	}
	// A task's standard error after a success is logged with -v.
	if !strings.Contains(stderr.String(), `msg="task command standard error"`) || !strings.Contains(stderr.String(), `note: working on {\"n\":1}`) {
		t.Errorf("the command's standard error is not logged:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "polling for tasks") || stdout.Len() != 0 {
		t.Errorf("stdout %q; stderr:\n%s", stdout.String(), stderr.String())
	}
}

// startWorkerCmd runs hsc worker against the local server until stop is
// called; done delivers its result.
func startWorkerCmd(t *testing.T, args ...string) (stop func(), done <-chan error, stdout, stderr *bytes.Buffer) {
	t.Helper()
	ep := sfnlocal.Endpoint(t)
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	root := newRootCmd(strings.NewReader(""), stdout, stderr)
	root.SetArgs(append([]string{
		"--region", sfnlocal.Region, "--account-id", sfnlocal.AccountID,
		"--access-key", sfnlocal.AccessKey, "--secret-key", sfnlocal.SecretKey, "--endpoint-url", ep,
		"worker"}, args...))
	ctx, cancel := context.WithCancel(t.Context())
	ch := make(chan error, 1)
	go func() { ch <- root.ExecuteContext(ctx) }()
	return cancel, ch, stdout, stderr
}

// When the service times a task out (no heartbeat in time), the command
// gets SIGTERM and the execution fails with a timeout.
func TestWorkerCommandHeartbeatTimeout(t *testing.T) {
	c, err := runtime.New(t.Context(), runtime.Config{
		Region: sfnlocal.Region, AccessKey: sfnlocal.AccessKey, SecretKey: sfnlocal.SecretKey,
		AccountID: sfnlocal.AccountID, EndpointURL: sfnlocal.Endpoint(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	name := sfnlocal.Name(t, "clitimeout")
	out, err := c.API().CreateActivity(t.Context(), &sfn.CreateActivityInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	m := c.NewStateMachine(sfnlocal.Name(t, "clitimeout"), "")
	def := fmt.Sprintf(`{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":%q,"HeartbeatSeconds":1,"End":true}}}`, aws.ToString(out.ActivityArn))
	if err := m.Create(t.Context(), []byte(def), sfnlocal.RoleARN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Delete(context.Background(), false) })
	mark := filepath.Join(t.TempDir(), "mark")
	script := fmt.Sprintf(`sleep 30 & trap 'kill $!; echo terminated > %q; exit 143' TERM; wait $!`, mark)
	// Heartbeats every 2.5 s: too slow for HeartbeatSeconds 1.
	stop, done, _, stderr := startWorkerCmd(t, "--activity", name, "--heartbeat", "2.5", "--", "sh", "-c", script)
	exec, err := m.Start(t.Context(), nil, "slow")
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, c, exec)
	if d.Status != types.ExecutionStatusFailed {
		t.Errorf("status %s, want FAILED", d.Status)
	}
	events, err := c.History(t.Context(), exec)
	if err != nil {
		t.Fatal(err)
	}
	if last := events[len(events)-1]; !hasEvent(events, types.HistoryEventTypeActivityTimedOut) {
		t.Errorf("no ActivityTimedOut event; last event %s", last.Type)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		b, _ := os.ReadFile(mark)
		if strings.TrimSpace(string(b)) == "terminated" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the command was not sent SIGTERM after the task timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("hsc worker: %v", err)
	}
	if !strings.Contains(stderr.String(), "task timed out; result dropped") {
		t.Errorf("stderr does not report the timeout:\n%s", stderr)
	}
}

func hasEvent(events []types.HistoryEvent, typ types.HistoryEventType) bool {
	for _, ev := range events {
		if ev.Type == typ {
			return true
		}
	}
	return false
}

func waitDone(t *testing.T, c *runtime.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := c.DescribeExecution(t.Context(), arn)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusRunning {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still running", arn)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestWorkerCommandUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"worker", "--", "cat"}, "give at least one --activity"},
		{[]string{"worker", "--activity", "a"}, "requires at least 1 arg"},
		{[]string{"worker", "--activity", "a", "--concurrency", "0", "--", "cat"}, "--concurrency must be at least 1"},
		{[]string{"worker", "--activity", "a", "--heartbeat", "-1", "--", "cat"}, "--heartbeat must not be negative"},
		{[]string{"worker", "--activity", "a", "--pollers", "0", "--", "cat"}, "--pollers must be at least 1"},
		{[]string{"worker", "--activity", "a", "--grace", "-1s", "--", "cat"}, "--grace must not be negative"},
		{[]string{"worker", "--activity", "a", "--kill-after", "0", "--", "cat"}, "--kill-after must be positive"},
		{[]string{"worker", "--activity", "a", "--", "/no/such/command-xyz"}, `command "/no/such/command-xyz"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errs := runHSC(t, "", tc.args...)
			if code != exitUsage || out != "" || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errs, tc.want)
			}
		})
	}
}
