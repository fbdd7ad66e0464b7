package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os/exec"
	"sort"
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
)

// The machines of the crash test (issue 12): a Pass chain, a Wait, a
// Parallel, a Map of 50 items, an activity answered by `hsc worker`, and a
// task command that fails its first attempt and is retried. Waits are
// scaled by --wait-scale 0.1.
var crashMachines = map[string]string{
	"chain": `{"StartAt":"P0","States":{
  "P0":{"Type":"Pass","Parameters":{"i.$":"$.i","step":0},"Next":"P1"},
  "P1":{"Type":"Pass","Parameters":{"i.$":"$.i","step":1},"Next":"P2"},
  "P2":{"Type":"Pass","Parameters":{"i.$":"$.i","step":2},"Next":"P3"},
  "P3":{"Type":"Pass","Parameters":{"i.$":"$.i","step":3},"Next":"P4"},
  "P4":{"Type":"Pass","Parameters":{"i.$":"$.i","step":4},"Next":"P5"},
  "P5":{"Type":"Pass","Parameters":{"i.$":"$.i","step":5},"Next":"P6"},
  "P6":{"Type":"Pass","Parameters":{"i.$":"$.i","step":6},"Next":"P7"},
  "P7":{"Type":"Pass","Parameters":{"i.$":"$.i","step":7},"Next":"P8"},
  "P8":{"Type":"Pass","Parameters":{"i.$":"$.i","step":8},"End":true}}}`,
	"wait": `{"StartAt":"A","States":{
  "A":{"Type":"Pass","Result":"a","ResultPath":"$.a","Next":"W"},
  "W":{"Type":"Wait","Seconds":60,"Next":"B"},
  "B":{"Type":"Pass","Result":"b","ResultPath":"$.b","End":true}}}`,
	"parallel": `{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
  {"StartAt":"W1","States":{"W1":{"Type":"Wait","Seconds":10,"Next":"X1"},"X1":{"Type":"Pass","Result":1,"End":true}}},
  {"StartAt":"W2","States":{"W2":{"Type":"Wait","Seconds":20,"Next":"X2"},"X2":{"Type":"Pass","Result":2,"End":true}}},
  {"StartAt":"X3","States":{"X3":{"Type":"Pass","InputPath":"$.i","End":true}}}]}}}`,
	"map": `{"StartAt":"Items","States":{
  "Items":{"Type":"Pass","Parameters":{"items.$":"States.ArrayRange(1, 50, 1)","i.$":"$.i"},"Next":"M"},
  "M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":10,"ItemSelector":{"n.$":"$$.Map.Item.Value","i.$":"$.i"},"End":true,
    "ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":2,"Next":"S"},
      "S":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.n, $.i)"},"End":true}}}}}}`,
	"activity": `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"ACTIVITY","TimeoutSeconds":100,
  "Retry":[{"ErrorEquals":["States.Timeout"],"IntervalSeconds":1,"MaxAttempts":5}],"End":true}}}`,
	"retry": `{"StartAt":"Flaky","States":{"Flaky":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:flaky",
  "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":10,"MaxAttempts":3}],"End":true}}}`,
}

// flakyCommand fails a task's first attempt with the error Flaky and
// echoes its input on the next.
const flakyCommand = `if [ "$HSC_ATTEMPT" = 0 ]; then echo '{"Error":"Flaky","Cause":"first attempt"}' >&2; exit 1; fi; cat`

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// crashServer runs `hsc serve` on a fixed address and data directory.
type crashServer struct {
	t          *testing.T
	addr, data string
	p          *serveProcess
	// args replace the default flags after --addr and --data.
	args []string
}

func (s *crashServer) start() {
	s.t.Helper()
	args := s.args
	if args == nil {
		args = []string{"--wait-scale", "0.1", "--task", "Flaky=" + flakyCommand}
	}
	cmd := hscProcess(context.Background(), append([]string{"serve", "--addr", s.addr, "--data", s.data}, args...)...)
	p := &serveProcess{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	s.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	// Ready when it answers.
	c := serveClient("http://" + s.addr)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := c.ListActivities(context.Background(), &sfn.ListActivitiesInput{}); err == nil {
			break
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("hsc serve did not answer within 30 s; stderr:\n%s", p.stderr)
		}
	}
	s.p = p
}

func (s *crashServer) kill() {
	s.t.Helper()
	_ = s.p.cmd.Process.Signal(syscall.SIGKILL)
	<-s.p.done
}

// servesData reports whether this hsc serve has the durable store.
func servesData(t *testing.T) bool {
	out, _ := hscProcess(t.Context(), "serve", "--help").CombinedOutput()
	return strings.Contains(string(out), "--data")
}

// crashRun creates the machines and the activity on a server and a worker
// for it, then starts n executions (names e0..), calling onStart after
// each acknowledged start; it returns the ARNs by name and the machine of
// each.
type crashRun struct {
	c        *sfn.Client
	machines map[string]string // kind → ARN
	worker   *exec.Cmd
}

func newCrashRun(t *testing.T, url string) *crashRun {
	t.Helper()
	ctx := t.Context()
	c := serveClient(url)
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("crashwork")})
	if err != nil {
		t.Fatal(err)
	}
	r := &crashRun{c: c, machines: map[string]string{}}
	for kind, def := range crashMachines {
		def = strings.ReplaceAll(def, "ACTIVITY", *act.ActivityArn)
		out, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(kind), Definition: aws.String(def),
			RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
		if err != nil {
			t.Fatalf("create %s: %v", kind, err)
		}
		r.machines[kind] = *out.StateMachineArn
	}
	r.worker = hscProcess(context.Background(), "--region", "us-east-1", "--account-id", "123456789012",
		"--access-key", "hsc-test", "--secret-key", "hsc-test", "--endpoint-url", url,
		"worker", "--activity", "crashwork", "--concurrency", "16", "--pollers", "4", "--", "sh", "-c", "sleep 1; cat")
	r.worker.Stderr = &lockedBuffer{}
	if err := r.worker.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = r.worker.Process.Signal(syscall.SIGTERM)
		_ = r.worker.Wait()
	})
	return r
}

// running counts the RUNNING executions.
func (r *crashRun) running(t *testing.T) int {
	n := 0
	for _, arn := range r.machines {
		l, err := r.c.ListExecutions(t.Context(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(arn), StatusFilter: types.ExecutionStatusRunning, MaxResults: 1000})
		if err == nil {
			n += len(l.Executions)
		}
	}
	return n
}

var crashKinds = []string{"chain", "wait", "parallel", "map", "activity", "retry"}

func crashName(i int) (string, string) {
	return crashKinds[i%len(crashKinds)], fmt.Sprintf("e%d", i)
}

// start starts execution i, retrying while the server is down; it
// reports whether a start was acknowledged.
func (r *crashRun) start(ctx context.Context, i int) (string, bool) {
	kind, name := crashName(i)
	input := fmt.Sprintf(`{"i":%d}`, i)
	for attempt := 0; attempt < 100; attempt++ {
		out, err := r.c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(r.machines[kind]), Name: &name, Input: &input})
		if err == nil {
			return *out.ExecutionArn, true
		}
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ExecutionAlreadyExists" {
			// An earlier attempt was stored, and has ended since.
			return strings.Replace(r.machines[kind], ":stateMachine:", ":execution:", 1) + ":" + name, true
		}
		if ctx.Err() != nil {
			return "", false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", false
}

// finalState is what a run must end with: status, output, and the
// history's events without ids, times and worker names, sorted.
type finalState struct {
	status, output string
	events         []string
	ids            []int64
}

func readFinal(t *testing.T, c *sfn.Client, arn string) finalState {
	t.Helper()
	ctx := t.Context()
	var d *sfn.DescribeExecutionOutput
	var err error
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		d, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arn})
		if err != nil {
			t.Fatalf("%s: %v", arn, err)
		}
		if d.Status != types.ExecutionStatusRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still RUNNING after 2 minutes", arn)
		}
	}
	f := finalState{status: string(d.Status), output: aws.ToString(d.Output) + aws.ToString(d.Error) + aws.ToString(d.Cause)}
	var next *string
	for {
		h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: &arn, NextToken: next, MaxResults: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range h.Events {
			f.ids = append(f.ids, e.Id)
			e.Id, e.PreviousEventId, e.Timestamp = 0, 0, nil
			if e.ActivityStartedEventDetails != nil {
				e.ActivityStartedEventDetails.WorkerName = nil
			}
			b, _ := json.Marshal(e)
			f.events = append(f.events, string(b))
		}
		if next = h.NextToken; next == nil {
			break
		}
	}
	sort.Strings(f.events)
	return f
}

// redispatched reports whether an event may appear more often after a
// crash: the events of an activity task dispatched again after its
// worker lost it (timed out and retried).
func redispatched(ev string) bool {
	for _, typ := range []string{`"Type":"ActivityScheduled"`, `"Type":"ActivityStarted"`, `"Type":"ActivityTimedOut"`} {
		if strings.Contains(ev, typ) {
			return true
		}
	}
	return false
}

// Issue 12's crash test: 300 executions of a mix of machines on a real
// `hsc serve --data DIR`, SIGKILLed 5 times at random moments and
// restarted on the same directory, all reach the status and output of a
// crash-free run, with no execution lost, no event lost or duplicated
// (other than a re-dispatched activity task's), ids without gaps, and
// every acknowledged start present.
func TestServeCrashResume(t *testing.T) {
	if !servesData(t) {
		testenv.Skip(t, "hsc serve has no --data flag (the durable store, store/sqlstore, is not merged)")
	}
	const n, kills = 300, 5
	ctx := t.Context()
	crash := &crashServer{t: t, addr: freePort(t), data: t.TempDir()}
	crash.start()
	ref := &crashServer{t: t, addr: freePort(t), data: t.TempDir()}
	ref.start()
	cr := newCrashRun(t, "http://"+crash.addr)
	rr := newCrashRun(t, "http://"+ref.addr)

	var mu sync.Mutex
	acked := map[int]string{}
	var wg sync.WaitGroup
	startAll := func(r *crashRun, record bool) {
		defer wg.Done()
		for i := range n {
			arn, ok := r.start(ctx, i)
			if !ok {
				t.Errorf("start %d never answered", i)
				return
			}
			if record {
				mu.Lock()
				acked[i] = arn
				mu.Unlock()
			}
			time.Sleep(50 * time.Millisecond) // spread the starts over the kills
		}
	}
	wg.Add(2)
	go startAll(cr, true)
	go startAll(rr, false)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for k := range kills {
		time.Sleep(time.Duration(1500+rng.IntN(2500)) * time.Millisecond)
		running := cr.running(t)
		crash.kill()
		mu.Lock()
		t.Logf("kill %d: %d starts acknowledged, %d executions running", k+1, len(acked), running)
		mu.Unlock()
		crash.start()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	lost, redispatches := 0, 0
	for i := range n {
		arn := acked[i]
		kind, name := crashName(i)
		got := readFinal(t, cr.c, arn)
		want := readFinal(t, rr.c, strings.Replace(rr.machines[kind], ":stateMachine:", ":execution:", 1)+":"+name)
		if got.status != want.status || got.output != want.output {
			t.Errorf("%s (%s): %s %s, want %s %s", name, kind, got.status, got.output, want.status, want.output)
			lost++
			continue
		}
		for k, id := range got.ids {
			if id != int64(k+1) {
				t.Errorf("%s: event ids %v have a gap", name, got.ids)
				break
			}
		}
		// Same events as the crash-free run but for re-dispatched tasks.
		w := map[string]int{}
		for _, e := range want.events {
			w[e]++
		}
		for _, e := range got.events {
			if w[e] > 0 {
				w[e]--
			} else if redispatched(e) {
				redispatches++
			} else {
				t.Errorf("%s (%s): event not in the crash-free run (duplicated?): %s", name, kind, e)
			}
		}
		for e, c := range w {
			if c > 0 {
				t.Errorf("%s (%s): event of the crash-free run missing: %s", name, kind, e)
			}
		}
	}
	t.Logf("%d executions, %d SIGKILLs: %d differ from the crash-free run; %d events of re-dispatched activity tasks", n, kills, lost, redispatches)
	crash.p.stop(t, syscall.SIGTERM)
}

// SIGTERM while executions run (issue 12, graceful shutdown): the process
// exits with status 0, leaving them RUNNING, and the next start on the
// same --data resumes them: they succeed, with no ExecutionAborted.
func TestServeGracefulRestartResumes(t *testing.T) {
	if !servesData(t) {
		testenv.Skip(t, "hsc serve has no --data flag (the durable store, store/sqlstore, is not merged)")
	}
	ctx := t.Context()
	s := &crashServer{t: t, addr: freePort(t), data: t.TempDir()}
	s.start()
	c := serveClient("http://" + s.addr)
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("w"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":30,"Next":"P"},"P":{"Type":"Pass","Result":"done","End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for range 5 {
		out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, *out.ExecutionArn)
	}
	if code := s.p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit status %d after SIGTERM; stderr:\n%s", code, s.p.stderr)
	}
	s.start()
	for _, arn := range arns {
		f := readFinal(t, c, arn)
		if f.status != "SUCCEEDED" || f.output != `"done"` || strings.Contains(strings.Join(f.events, ""), `"Type":"ExecutionAborted"`) {
			t.Errorf("%s: %s %s after a graceful restart", arn, f.status, f.output)
		}
	}
}
