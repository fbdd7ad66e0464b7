package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/server"
)

const passChain = `{"StartAt":"P1","States":{
	"P1":{"Type":"Pass","Result":{"n":1},"ResultPath":"$.p1","Next":"P2"},
	"P2":{"Type":"Pass","Result":{"n":2},"ResultPath":"$.p2","Next":"P3"},
	"P3":{"Type":"Pass","Result":{"n":3},"ResultPath":"$.p3","End":true}}}`

const role = "arn:aws:iam::123456789012:role/r"

// Records survive a graceful restart on the same --data; the start-up log
// names the data directory and the shutdown closes the store.
func TestServeRestartKeepsRecords(t *testing.T) {
	data := t.TempDir()
	p := startServe(t, "--data", data, "--wait-scale", "0")
	c := serveClient(p.url)
	ctx := t.Context()
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), Definition: aws.String(passChain), RoleArn: aws.String(role),
		Publish: true, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("act")})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("e1"), Input: aws.String(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	first := serveWaitDone(t, c, ex.ExecutionArn)
	firstHist, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, p.stderr)
	}
	for _, want := range []string{"data directory", data, "store closed"} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, p.stderr)
		}
	}

	p = startServe(t, "--data", data, "--wait-scale", "0")
	c = serveClient(p.url)
	if _, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil {
		t.Errorf("state machine after restart: %v", err)
	}
	if _, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineVersionArn}); err != nil {
		t.Errorf("version after restart: %v", err)
	}
	if _, err := c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: act.ActivityArn}); err != nil {
		t.Errorf("activity after restart: %v", err)
	}
	tags, err := c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: sm.StateMachineArn})
	if err != nil || len(tags.Tags) != 1 {
		t.Errorf("tags after restart: %v, %v", tags, err)
	}
	d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != first.Status || aws.ToString(d.Output) != aws.ToString(first.Output) {
		t.Errorf("execution after restart: %s %s, before %s %s", d.Status, aws.ToString(d.Output), first.Status, aws.ToString(first.Output))
	}
	hist, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || len(hist.Events) != len(firstHist.Events) {
		t.Errorf("history after restart: %d events (%v), before %d", len(hist.Events), err, len(firstHist.Events))
	}
}

// SIGTERM answers a pending GetActivityTask long poll with no task and
// ends the process within the grace period.
func TestServeShutdownAnswersLongPolls(t *testing.T) {
	p := startServe(t)
	c := serveClient(p.url)
	ctx := t.Context()
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("act")})
	if err != nil {
		t.Fatal(err)
	}
	polled := make(chan error, 1)
	var token *string
	go func() {
		out, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn})
		if out != nil {
			token = out.TaskToken
		}
		polled <- err
	}()
	time.Sleep(300 * time.Millisecond) // the poll is waiting
	began := time.Now()
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, p.stderr)
	}
	if took := time.Since(began); took > 2*shutdownGrace {
		t.Errorf("exit took %v, beyond twice the grace period %v", took, shutdownGrace)
	}
	select {
	case err := <-polled:
		if err != nil || aws.ToString(token) != "" {
			t.Errorf("long poll at shutdown: token %q, %v; want an answer with no task", aws.ToString(token), err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the long poll was not answered at shutdown")
	}
}

// Crash safety of acknowledgements: a real hsc serve under load
// (CreateStateMachine and StartExecution from several clients) is
// SIGKILLed at random moments and restarted on the same --data; every
// request that was answered with 200 is there afterwards, and every
// stored history has consecutive event ids (issue 12: no lost
// acknowledgements, never corruption).
func TestServeCrashKeepsAcknowledged(t *testing.T) {
	const rounds, clients = 4, 4
	data := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	var (
		mu       sync.Mutex
		machines []string
		execs    []string
	)
	for round := range rounds {
		p := startServe(t, "--data", data, "--wait-scale", "0")
		c := serveClient(p.url)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for g := range clients {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					sm, err := c.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
						Name: aws.String(fmt.Sprintf("m-%d-%d-%d", round, g, i)), Definition: aws.String(passChain), RoleArn: aws.String(role)})
					if err != nil {
						return // killed
					}
					mu.Lock()
					machines = append(machines, aws.ToString(sm.StateMachineArn))
					mu.Unlock()
					for j := range 3 {
						ex, err := c.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn,
							Name: aws.String(fmt.Sprintf("e%d", j)), Input: aws.String(fmt.Sprintf(`{"j":%d}`, j))})
						if err != nil {
							return
						}
						mu.Lock()
						execs = append(execs, aws.ToString(ex.ExecutionArn))
						mu.Unlock()
					}
				}
			})
		}
		time.Sleep(time.Duration(200+rng.IntN(600)) * time.Millisecond)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-p.done
		close(stop)
		wg.Wait()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(machines) == 0 || len(execs) == 0 {
		t.Fatalf("no request was acknowledged before the kills")
	}
	p := startServe(t, "--data", data, "--wait-scale", "0")
	c := serveClient(p.url)
	ctx := t.Context()
	lost := 0
	for _, arn := range machines {
		if _, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)}); err != nil {
			t.Errorf("acknowledged state machine %s: %v", arn, err)
			lost++
		}
	}
	finished := 0
	for _, arn := range execs {
		d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Errorf("acknowledged execution %s: %v", arn, err)
			lost++
			continue
		}
		if d.Status != types.ExecutionStatusRunning {
			finished++
		}
		var ids []int64
		var next *string
		for {
			h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), NextToken: next, MaxResults: 100})
			if err != nil {
				t.Fatalf("history of %s: %v", arn, err)
			}
			for _, ev := range h.Events {
				ids = append(ids, ev.Id)
			}
			if next = h.NextToken; next == nil {
				break
			}
		}
		for i, id := range ids {
			if id != int64(i+1) {
				t.Fatalf("history of %s has ids %v", arn, ids)
			}
		}
	}
	t.Logf("%d rounds: %d acknowledged state machines and %d executions (%d finished), %d lost", rounds, len(machines), len(execs), finished, lost)
}

// A full disk under the data directory: writes are answered with
// ServiceUnavailable (HTTP 503, the AWS error shape, which the SDKs
// retry), reads go on, nothing panics, and after the disk has room again
// everything acknowledged is there. A read-only data directory is refused
// at start-up with a clear error.
func TestServeStoreFaults(t *testing.T) {
	data := mountTmpfs(t, "2m")
	p := startServe(t, "--data", data)
	c := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.url), RetryMaxAttempts: 1,
		Credentials: serveClient(p.url).Options().Credentials})
	ctx := t.Context()
	// Definitions of about 64 KiB fill 2 MiB quickly.
	big := `{"Comment":"` + strings.Repeat("x", 64<<10) + `","StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	var acked []string
	var failure error
	for i := 0; failure == nil && i < 1000; i++ {
		sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(fmt.Sprintf("m%d", i)), Definition: aws.String(big), RoleArn: aws.String(role)})
		if err != nil {
			failure = err
			break
		}
		acked = append(acked, aws.ToString(sm.StateMachineArn))
	}
	var ae smithy.APIError
	if !errors.As(failure, &ae) || ae.ErrorCode() != "ServiceUnavailable" {
		t.Fatalf("CreateStateMachine on a full disk: %v, want ServiceUnavailable", failure)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(failure, &re) || re.HTTPStatusCode() != 503 {
		t.Errorf("HTTP status of %v, want 503", failure)
	}
	t.Logf("%d state machines acknowledged, then: %v", len(acked), failure)
	if _, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(acked[0])}); err != nil {
		t.Errorf("a read on the full disk: %v", err)
	}
	p.stop(t, syscall.SIGTERM)
	for _, bad := range []string{"panic", "goroutine "} {
		if strings.Contains(p.stderr.String(), bad) {
			t.Errorf("stderr holds %q:\n%s", bad, p.stderr)
		}
	}
	if !strings.Contains(p.stderr.String(), "store unavailable") {
		t.Errorf("stderr does not log the store failure:\n%s", p.stderr)
	}

	// Read-only: a clear error at start-up.
	remountTmpfs(t, data, "ro")
	cmd := hscProcess(ctx, "serve", "--addr", "127.0.0.1:0", "--data", data)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "read-only file system") || strings.Contains(string(out), "goroutine ") {
		t.Errorf("hsc serve on a read-only data directory: %v\n%s", err, out)
	}

	remountTmpfs(t, data, "rw,size=16m")
	p = startServe(t, "--data", data)
	c = serveClient(p.url)
	for _, arn := range acked {
		if _, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)}); err != nil {
			t.Errorf("acknowledged %s after the fault: %v", arn, err)
		}
	}
	if _, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("after"), Definition: aws.String(passChain), RoleArn: aws.String(role)}); err != nil {
		t.Errorf("writing after the fault: %v", err)
	}
}

func remountTmpfs(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v: %s", opts, dir, err, out)
	}
}

// --retention deletes finished executions older than the age, with their
// histories, while the server runs; a running one stays.
func TestServeRetention(t *testing.T) {
	p := startServe(t, "--data", t.TempDir(), "--retention", "2s")
	c := serveClient(p.url)
	ctx := t.Context()
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), Definition: aws.String(passChain), RoleArn: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	done, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	serveWaitDone(t, c, done.ExecutionArn)
	waits, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("w"), RoleArn: aws.String(role),
		Definition: aws.String(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	running, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: waits.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: done.ExecutionArn})
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ExecutionDoesNotExist" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("finished execution still there 30 s after it ended (--retention 2s): %v; stderr:\n%s", err, p.stderr)
		}
	}
	if _, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: done.ExecutionArn}); err == nil {
		t.Error("the history of a deleted execution is still there")
	}
	if d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: running.ExecutionArn}); err != nil || d.Status != types.ExecutionStatusRunning {
		t.Errorf("running execution after retention: %v, %v", d, err)
	}
	if !strings.Contains(p.stderr.String(), "retention: deleted finished executions") {
		t.Errorf("stderr does not log the deletion:\n%s", p.stderr)
	}
}

// roActivity answers activity tasks from the test: each task's input is
// its output. An answer the server could not take (503, or the server
// gone) is kept and sent again, to the next server too: the task token
// survives a restart.
type roActivity struct {
	arn     string
	mu      sync.Mutex
	pending map[string]string // token → output
	polls   []error           // errors of GetActivityTask (but its time-outs)
	sends   []error           // errors of SendTaskSuccess
	// answered is when each execution's answer was acknowledged.
	answered map[string]time.Time
	// strict counts TaskTimedOut as an error; otherwise the answer is
	// dropped, as a worker does (a task that timed out is dispatched
	// again with a new token).
	strict bool
}

// run polls and answers until stop is closed.
func (a *roActivity) run(c *sfn.Client, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		a.mu.Lock()
		pending := maps.Clone(a.pending)
		a.mu.Unlock()
		for token, output := range pending {
			_, err := c.SendTaskSuccess(context.Background(), &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(output)})
			a.mu.Lock()
			var ae smithy.APIError
			switch {
			case err == nil:
				delete(a.pending, token)
				if arn, ok := server.TokenExecution(token); ok {
					a.answered[arn] = time.Now()
				}
			case errors.As(err, &ae) && ae.ErrorCode() == "TaskTimedOut" && !a.strict:
				delete(a.pending, token) // timed out and dispatched again
			default:
				a.sends = append(a.sends, err)
			}
			a.mu.Unlock()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		task, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(a.arn)})
		cancel()
		a.mu.Lock()
		switch {
		case errors.Is(err, context.DeadlineExceeded):
		case err != nil:
			a.polls = append(a.polls, err)
		case aws.ToString(task.TaskToken) != "":
			a.pending[aws.ToString(task.TaskToken)] = aws.ToString(task.Input)
		}
		a.mu.Unlock()
		if err != nil {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// serviceUnavailable reports whether err is the SDK's view of a 503
// ServiceUnavailable answer.
func serviceUnavailable(err error) bool {
	var ae smithy.APIError
	var re interface{ HTTPStatusCode() int }
	return errors.As(err, &ae) && ae.ErrorCode() == "ServiceUnavailable" && errors.As(err, &re) && re.HTTPStatusCode() == 503
}

// The file system under a running `hsc serve --data` turns read-only
// under load, as a disk does on an I/O error (an ext4 image with
// errors=remount-ro; a tmpfs cannot be remounted read-only while SQLite
// holds its files open). Every request that needs a write is answered
// with ServiceUnavailable (HTTP 503, which the SDKs retry): StartExecution,
// CreateStateMachine, an activity worker's GetActivityTask that would
// take a task and its SendTaskSuccess. Reads go on, the process stays up
// without a stack trace, and SIGTERM ends it with status 0 within a few
// seconds. After e2fsck and a restart on the same --data every
// StartExecution answered with 200 before the fault is there, every
// execution ends as it would have without the fault, and the worker's
// answers refused during it land. --sync full: a file system that fails
// drops what was not yet on disk, as a power loss does, which
// synchronous=NORMAL does not survive (TestReadOnlyWhileOpen); a start
// acknowledged while the fault is being made may be lost with it
// (testenv.Ext4.Fail), and is only counted.
func TestServeReadOnlyWhileRunning(t *testing.T) {
	fs := testenv.MountExt4(t, 64<<20)
	data := filepath.Join(fs.Dir, "data")
	p := startServe(t, "--data", data, "--sync", "full", "--wait-scale", "0.1")
	noRetry := func(url string) *sfn.Client {
		return sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
			Credentials: serveClient(url).Options().Credentials})
	}
	c := noRetry(p.url)
	ctx := t.Context()
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("work")})
	if err != nil {
		t.Fatal(err)
	}
	machines := map[string]string{
		"chain": passChain,
		// Wait 20 s, scaled to 2 s: running across the fault.
		"wait": `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","ResultPath":"$.a","Next":"W"},
			"W":{"Type":"Wait","Seconds":20,"Next":"B"},"B":{"Type":"Pass","Result":"b","ResultPath":"$.b","End":true}}}`,
		// A task whose start a failed commit stored after all (the
		// commit's outcome is unknown: its 503 went out, its data
		// reached the disk) is held by no worker: it times out, as on
		// AWS when a poll's answer is lost, and is dispatched again
		// (100 s, scaled to 10 s).
		"activity": `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"` + aws.ToString(act.ActivityArn) + `","TimeoutSeconds":100,
			"Retry":[{"ErrorEquals":["States.Timeout"],"IntervalSeconds":1,"MaxAttempts":3}],"End":true}}}`,
	}
	kinds := []string{"chain", "wait", "activity"}
	arns := map[string]string{}
	for _, kind := range kinds {
		sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(kind), Definition: aws.String(machines[kind]), RoleArn: aws.String(role)})
		if err != nil {
			t.Fatal(err)
		}
		arns[kind] = aws.ToString(sm.StateMachineArn)
	}
	worker := &roActivity{arn: aws.ToString(act.ActivityArn), pending: map[string]string{}, answered: map[string]time.Time{}, strict: true}
	stopWorker := make(chan struct{})
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); worker.run(c, stopWorker) }()

	// Four clients start executions until told to stop.
	type ack struct {
		arn, kind, input string
		at               time.Time
	}
	var (
		mu       sync.Mutex
		acked    []ack
		failures []error
		faulted  bool
		afterAck int // 200s after the fault
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				kind := kinds[(g+i)%len(kinds)]
				input := fmt.Sprintf(`{"g":%d,"i":%d}`, g, i)
				out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arns[kind]),
					Name: aws.String(fmt.Sprintf("e-%d-%d", g, i)), Input: aws.String(input)})
				mu.Lock()
				if err == nil {
					acked = append(acked, ack{aws.ToString(out.ExecutionArn), kind, input, time.Now()})
					if faulted {
						afterAck++
					}
				} else {
					if !faulted {
						t.Errorf("StartExecution before the fault: %v", err)
					}
					failures = append(failures, err)
				}
				mu.Unlock()
				if err != nil {
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 60 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d executions started in 30 s; stderr:\n%s", n, p.stderr)
		}
	}
	mu.Lock()
	faulted = true
	mu.Unlock()
	faultAt := time.Now()
	fs.Fail()
	time.Sleep(1500 * time.Millisecond) // load on the read-only store
	close(stop)
	wg.Wait()
	mu.Lock()
	if len(failures) == 0 {
		t.Errorf("no StartExecution failed on the read-only file system (%d acknowledged after the fault)", afterAck)
	}
	for _, err := range failures {
		if !serviceUnavailable(err) {
			t.Errorf("StartExecution on the read-only file system: %v, want ServiceUnavailable (503)", err)
		}
	}
	t.Logf("%d starts acknowledged (%d after the fault), %d refused, e.g. %v", len(acked), afterAck, len(failures), failures[0])
	mu.Unlock()
	// Writes of every kind are refused with 503, and reads answer.
	if _, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("during"), Definition: aws.String(passChain), RoleArn: aws.String(role)}); !serviceUnavailable(err) {
		t.Errorf("CreateStateMachine on the read-only file system: %v, want ServiceUnavailable (503)", err)
	}
	if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arns["chain"])}); !serviceUnavailable(err) {
		t.Errorf("StartExecution on the read-only file system: %v, want ServiceUnavailable (503)", err)
	}
	// Reads answer. (A failure of the client's connection, seen once
	// under load, is retried: what is tested is the server's answer.)
	read := func(op string, call func() error) {
		var err error
		var ae smithy.APIError
		for range 3 {
			if err = call(); err == nil || errors.As(err, &ae) {
				break
			}
		}
		if err != nil {
			t.Errorf("%s on the read-only file system: %v", op, err)
		}
	}
	read("DescribeExecution", func() error {
		_, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(acked[0].arn)})
		return err
	})
	read("ListExecutions", func() error {
		_, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(arns["wait"])})
		return err
	})
	select {
	case err := <-p.done:
		t.Fatalf("hsc serve exited on the read-only file system: %v; stderr:\n%s", err, p.stderr)
	default:
	}
	close(stopWorker)
	<-workerDone
	worker.mu.Lock()
	for _, err := range append(worker.polls, worker.sends...) {
		if !serviceUnavailable(err) {
			t.Errorf("activity worker on the read-only file system: %v, want ServiceUnavailable (503)", err)
		}
	}
	t.Logf("the worker's polls refused %d times, its answers %d times (%d answers waiting)", len(worker.polls), len(worker.sends), len(worker.pending))
	worker.polls, worker.sends = nil, nil
	worker.strict = false
	worker.mu.Unlock()
	began := time.Now()
	code := p.stop(t, syscall.SIGTERM)
	took := time.Since(began)
	stderr := p.stderr.String()
	t.Logf("SIGTERM: exit %d after %v", code, took.Round(time.Millisecond))
	if code != 0 {
		t.Errorf("exit status %d after SIGTERM on the read-only file system, want 0", code)
	}
	if took > 2*shutdownGrace {
		t.Errorf("exit took %v after SIGTERM, beyond twice the grace period %v", took, shutdownGrace)
	}
	for _, bad := range []string{"panic", "goroutine ", "fatal error"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr holds %q:\n%s", bad, stderr)
		}
	}
	if !strings.Contains(stderr, "store unavailable") {
		t.Errorf("stderr does not log the store failure:\n%s", stderr)
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", stderr)
	}

	fs.Repair()
	p = startServe(t, "--data", data, "--sync", "full", "--wait-scale", "0.1")
	c = noRetry(p.url)
	stopWorker = make(chan struct{})
	workerDone = make(chan struct{})
	go func() { defer close(workerDone); worker.run(c, stopWorker) }()
	defer func() { close(stopWorker); <-workerDone }()
	mu.Lock()
	defer mu.Unlock()
	want := map[string]string{ // kind → output but for the input
		"chain": `,"p1":{"n":1},"p2":{"n":2},"p3":{"n":3}}`,
		"wait":  `,"a":"a","b":"b"}`,
	}
	lost := 0
	for _, a := range acked {
		if _, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(a.arn)}); err != nil {
			var ae smithy.APIError
			if a.at.After(faultAt) && errors.As(err, &ae) && ae.ErrorCode() == "ExecutionDoesNotExist" {
				lost++ // see testenv.Ext4.Fail
				continue
			}
			t.Errorf("%s, acknowledged before the fault: %v", a.arn, err)
			continue
		}
		d := waitEnded(t, c, a.arn)
		if d == nil {
			worker.mu.Lock()
			t.Logf("%s: its answer was acknowledged %v after the fault began", a.arn, worker.answered[a.arn].Sub(faultAt))
			worker.mu.Unlock()
			continue
		}
		out := aws.ToString(d.Output)
		wantOut := a.input
		if w, ok := want[a.kind]; ok {
			wantOut = strings.TrimSuffix(a.input, "}") + w
		}
		if d.Status != types.ExecutionStatusSucceeded || out != wantOut {
			t.Errorf("%s (%s): %s %s, want SUCCEEDED %s", a.arn, a.kind, d.Status, out, wantOut)
		}
		h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(a.arn), MaxResults: 1000})
		if err != nil {
			t.Fatal(err)
		}
		worker.mu.Lock()
		answered, ok := worker.answered[a.arn]
		worker.mu.Unlock()
		for i, ev := range h.Events {
			if ev.Id != int64(i+1) {
				t.Errorf("history of %s: event %d has id %d", a.arn, i+1, ev.Id)
				break
			}
			if ev.Type == types.HistoryEventTypeActivityTimedOut && ok && answered.Before(faultAt) {
				t.Errorf("%s: its activity timed out though its answer was acknowledged before the fault", a.arn)
			}
		}
	}
	t.Logf("after e2fsck and a restart: %d acknowledged executions there and ended as they should, %d acknowledged as the fault was made missing",
		len(acked)-lost, lost)
	worker.mu.Lock()
	defer worker.mu.Unlock()
	for _, err := range append(worker.polls, worker.sends...) {
		t.Errorf("activity worker after the restart: %v", err)
	}
	for token := range worker.pending {
		arn, _ := server.TokenExecution(token)
		var events []string
		if h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: &arn, MaxResults: 1000}); err == nil {
			for _, ev := range h.Events {
				events = append(events, fmt.Sprintf("%d<-%d %s", ev.Id, ev.PreviousEventId, ev.Type))
			}
		}
		t.Errorf("an answer still waiting at the end, of %s; its history: %s", arn, strings.Join(events, ", "))
	}
}

// waitEnded polls DescribeExecution until the execution ends and returns
// its description; after 30 s it fails the test, showing the history, and
// returns nil.
func waitEnded(t *testing.T, c *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		d, err := c.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: &arn})
		if err != nil {
			t.Errorf("%s: %v", arn, err)
			return nil
		}
		if d.Status != types.ExecutionStatusRunning {
			return d
		}
		if time.Now().After(deadline) {
			var events []string
			if h, err := c.GetExecutionHistory(t.Context(), &sfn.GetExecutionHistoryInput{ExecutionArn: &arn, MaxResults: 1000}); err == nil {
				for _, ev := range h.Events {
					events = append(events, fmt.Sprintf("%d<-%d %s", ev.Id, ev.PreviousEventId, ev.Type))
				}
			}
			t.Errorf("%s still RUNNING after 30 s; its history: %s", arn, strings.Join(events, ", "))
			return nil
		}
	}
}
