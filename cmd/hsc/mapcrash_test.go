package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/internal/testenv"
)

// The distributed Map of TestServeCrashMapRun: each item is a STANDARD
// child execution that waits (1 s with --wait-scale 0.1), then runs the
// task Count, a command that takes 0.4 s and appends its input to a file
// (one line per run of an item's task) and returns it; a ResultWriter
// exports the results through another command.
const crashMapMachine = `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":3,
  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"W","States":{
    "W":{"Type":"Wait","Seconds":10,"Next":"Count"},
    "Count":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:count","End":true}}},
  "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"runs"}},
  "End":true}}}`

const crashMapItems = 30

// mapCrashServer is an `hsc serve --data` whose Count task and
// ResultWriter append to files in dir.
func mapCrashServer(t *testing.T, dir string) *crashServer {
	counts, written := filepath.Join(dir, "counts"), filepath.Join(dir, "written")
	return &crashServer{t: t, addr: freePort(t), data: filepath.Join(dir, "data"), args: []string{"--wait-scale", "0.1",
		"--task", `Count=in=$(cat); sleep 0.4; printf '%s\n' "$in" >> ` + counts + `; printf '%s' "$in"`,
		"--task", "M/ResultWriter=cat >> " + written + "; echo '{}'"}}
}

// mapRunOf returns the single map run of an execution.
func mapRunOf(t *testing.T, c *sfn.Client, exec string) (string, bool) {
	t.Helper()
	l, err := c.ListMapRuns(t.Context(), &sfn.ListMapRunsInput{ExecutionArn: &exec})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.MapRuns) > 1 {
		t.Fatalf("%d map runs of %s, want 1", len(l.MapRuns), exec)
	}
	if len(l.MapRuns) == 0 {
		return "", false
	}
	return *l.MapRuns[0].MapRunArn, true
}

// succeededChildren lists the names of a map run's SUCCEEDED children.
func succeededChildren(t *testing.T, c *sfn.Client, run string) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	var next *string
	for {
		l, err := c.ListExecutions(t.Context(), &sfn.ListExecutionsInput{MapRunArn: &run, StatusFilter: types.ExecutionStatusSucceeded, NextToken: next, MaxResults: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range l.Executions {
			names[*e.Name] = true
		}
		if next = l.NextToken; next == nil {
			return names
		}
	}
}

// startMapCrash creates the machine and starts it on 1..crashMapItems.
func startMapCrash(t *testing.T, c *sfn.Client) string {
	t.Helper()
	sm, err := c.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{Name: aws.String("dmap"), Definition: aws.String(crashMapMachine),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	if err != nil {
		t.Fatal(err)
	}
	items := make([]string, crashMapItems)
	for i := range items {
		items[i] = fmt.Sprintf(`{"n":%d}`, i+1)
	}
	out, err := c.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("x"),
		Input: aws.String(`{"items":[` + strings.Join(items, ",") + `]}`)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.ExecutionArn
}

// Issue 12: a distributed Map run cut short by SIGKILL goes on after the
// restart as the same map run (and after a graceful stop, SIGTERM). On AWS a Standard workflow's map run and
// its STANDARD child executions are durable (AWS docs, "Distributed Map
// state": child workflow executions are Standard executions; "Standard
// vs Express": Standard workflows run exactly once), so here: the parent
// lists one map run, whose ARN did not change, and one MapRunStarted;
// every child that had succeeded before a kill ran its task exactly once;
// only children in flight at a kill may run it again; the run's counts
// are those of a crash-free run; the ResultWriter wrote its manifest once;
// and the parent's output equals that of a crash-free run on a second
// server (but for the map run's ARN and id).
func TestServeCrashMapRun(t *testing.T) {
	if !servesData(t) {
		testenv.Skip(t, "hsc serve has no --data flag")
	}
	dir, refDir := t.TempDir(), t.TempDir()
	crash, ref := mapCrashServer(t, dir), mapCrashServer(t, refDir)
	crash.start()
	ref.start()
	c, rc := serveClient("http://"+crash.addr), serveClient("http://"+ref.addr)
	exec, refExec := startMapCrash(t, c), startMapCrash(t, rc)

	var runARN string
	finishedBefore := map[string]bool{} // children that succeeded before a kill
	for k, atLeast := range []int{5, 14} {
		var run string
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("kill %d: the map run did not get %d children done in a minute", k+1, atLeast)
			}
			r, ok := mapRunOf(t, c, exec)
			if !ok {
				continue
			}
			run = r
			d, err := c.DescribeMapRun(t.Context(), &sfn.DescribeMapRunInput{MapRunArn: &run})
			if err != nil {
				t.Fatal(err)
			}
			if d.ExecutionCounts.Succeeded >= int64(atLeast) {
				break
			}
		}
		if runARN != "" && run != runARN {
			t.Fatalf("the map run is %s after a restart, was %s", run, runARN)
		}
		runARN = run
		done := succeededChildren(t, c, run)
		// Their ends reach the store; the children started next are in
		// their task by then (1 s of Wait, then 0.4 s of task).
		time.Sleep(1200 * time.Millisecond)
		how := "SIGKILL"
		if k == 0 {
			crash.kill()
		} else {
			// A graceful stop cuts the run short as well: the children
			// it stops are not recorded as ABORTED.
			how = "SIGTERM"
			if code := crash.p.stop(t, syscall.SIGTERM); code != 0 {
				t.Fatalf("exit status %d after SIGTERM", code)
			}
		}
		for n := range done {
			finishedBefore[n] = true
		}
		t.Logf("%s %d: %d children had succeeded", how, k+1, len(done))
		crash.start()
	}
	got, want := readFinal(t, c, exec), readFinal(t, rc, refExec)
	run, _ := mapRunOf(t, c, exec)
	refRun, _ := mapRunOf(t, rc, refExec)
	if run != runARN {
		t.Errorf("map run %s at the end, %s before the kills", run, runARN)
	}
	norm := func(s, run string) string {
		return strings.ReplaceAll(strings.ReplaceAll(s, run, "RUN"), run[strings.LastIndexByte(run, ':')+1:], "ID")
	}
	if got.status != "SUCCEEDED" || norm(got.output, run) != norm(want.output, refRun) {
		t.Errorf("parent: %s %s, want %s %s", got.status, got.output, want.status, want.output)
	}
	if n := strings.Count(strings.Join(got.events, "\n"), `"Type":"MapRunStarted"`); n != 1 {
		t.Errorf("%d MapRunStarted events in the parent's history, want 1", n)
	}
	for k, id := range got.ids {
		if id != int64(k+1) {
			t.Errorf("parent's event ids %v have a gap", got.ids)
			break
		}
	}
	if len(got.events) != len(want.events) {
		t.Errorf("parent: %d events, crash-free run %d", len(got.events), len(want.events))
	}

	// The run's counts are a crash-free run's.
	d, err := c.DescribeMapRun(t.Context(), &sfn.DescribeMapRunInput{MapRunArn: &run})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := rc.DescribeMapRun(t.Context(), &sfn.DescribeMapRunInput{MapRunArn: &refRun})
	if err != nil {
		t.Fatal(err)
	}
	items, execs := itemCounts(d.ItemCounts), executionCounts(d.ExecutionCounts)
	if d.Status != types.MapRunStatusSucceeded || items != itemCounts(rd.ItemCounts) || execs != executionCounts(rd.ExecutionCounts) ||
		d.ItemCounts.Succeeded != crashMapItems || d.ExecutionCounts.Total != crashMapItems {
		t.Errorf("map run: %s items %v executions %v; crash-free: items %v executions %v",
			d.Status, items, execs, itemCounts(rd.ItemCounts), executionCounts(rd.ExecutionCounts))
	}

	// One child per item, each SUCCEEDED with a history without gaps or
	// repeated events.
	kids := succeededChildren(t, c, run)
	if len(kids) != crashMapItems {
		t.Errorf("%d SUCCEEDED children, want %d", len(kids), crashMapItems)
	}
	child := map[int]string{} // item → child name
	for name := range kids {
		arn := strings.Replace(strings.Replace(run, ":mapRun:", ":execution:", 1), run[strings.LastIndexByte(run, ':'):], ":"+name, 1)
		f := readFinal(t, c, arn)
		var out struct{ N int }
		if f.status != "SUCCEEDED" || json.Unmarshal([]byte(f.output), &out) != nil || out.N < 1 || out.N > crashMapItems {
			t.Errorf("child %s: %s %s", name, f.status, f.output)
			continue
		}
		if other, ok := child[out.N]; ok {
			t.Errorf("item %d ran as two children, %s and %s", out.N, other, name)
		}
		child[out.N] = name
		seen := map[string]bool{}
		for _, e := range f.events {
			if seen[e] {
				t.Errorf("child %s: event repeated: %s", name, e)
			}
			seen[e] = true
		}
		for k, id := range f.ids {
			if id != int64(k+1) {
				t.Errorf("child %s: event ids %v have a gap", name, f.ids)
				break
			}
		}
	}

	// Each item's task ran once, or again only when it was in flight at
	// a kill.
	data, err := os.ReadFile(filepath.Join(dir, "counts"))
	if err != nil {
		t.Fatal(err)
	}
	runs := map[int]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var in struct{ N int }
		if err := json.Unmarshal([]byte(line), &in); err != nil {
			t.Fatalf("task input %q: %v", line, err)
		}
		runs[in.N]++
	}
	again := 0
	for n := 1; n <= crashMapItems; n++ {
		switch {
		case runs[n] == 0:
			t.Errorf("item %d: its task never ran", n)
		case runs[n] > 1 && finishedBefore[child[n]]:
			t.Errorf("item %d: its task ran %d times, but its child %s had succeeded before a kill", n, runs[n], child[n])
		case runs[n] > 1:
			again += runs[n] - 1
		}
	}
	if again > 2*3 { // at most MaxConcurrency children in flight per kill
		t.Errorf("%d task runs again, more than the children in flight at 2 stops", again)
	}

	// The ResultWriter wrote its manifest once, listing every child.
	manifests, succeeded := resultWrites(t, filepath.Join(dir, "written"))
	if manifests != 1 || succeeded != crashMapItems {
		t.Errorf("ResultWriter: %d manifests and %d SUCCEEDED entries written, want 1 and %d", manifests, succeeded, crashMapItems)
	}
	t.Logf("%d items, SIGKILL and SIGTERM: %d children had succeeded before a kill; %d task runs again (in flight)", crashMapItems, len(finishedBefore), again)
}

// itemCounts and executionCounts are a map run's counts without their
// pointer fields.
func itemCounts(c *types.MapRunItemCounts) [8]int64 {
	return [8]int64{c.Pending, c.Running, c.Succeeded, c.Failed, c.TimedOut, c.Aborted, c.Total, c.ResultsWritten}
}

func executionCounts(c *types.MapRunExecutionCounts) [8]int64 {
	return [8]int64{c.Pending, c.Running, c.Succeeded, c.Failed, c.TimedOut, c.Aborted, c.Total, c.ResultsWritten}
}

// resultWrites reads the PutObject calls a ResultWriter command appended
// to path: the manifests written and the entries of SUCCEEDED files.
func resultWrites(t *testing.T, path string) (manifests, succeeded int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var put struct{ Key, Body string }
		if err := dec.Decode(&put); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(put.Key, "/manifest.json"):
			manifests++
		case strings.Contains(put.Key, "/SUCCEEDED_"):
			var entries []json.RawMessage
			if err := json.Unmarshal([]byte(put.Body), &entries); err != nil {
				t.Fatalf("%s: %v", put.Key, err)
			}
			succeeded += len(entries)
		}
	}
	return manifests, succeeded
}

// Issue 12: a resumed activity task keeps its heartbeat deadline. A worker
// takes a task with HeartbeatSeconds 3 and sends one heartbeat; the server
// is SIGKILLed and restarted about 2 s later, and no heartbeat follows.
// On AWS a failure of the service does not extend HeartbeatSeconds, so the
// task times out with States.HeartbeatTimeout about 3 s after the last
// heartbeat, not 3 s after the restart (which would be about 5 s after
// it). SendTaskHeartbeat writes no history event: the server keeps the
// deadline in its store.
func TestServeCrashKeepsHeartbeatDeadline(t *testing.T) {
	if !servesData(t) {
		testenv.Skip(t, "hsc serve has no --data flag")
	}
	ctx := t.Context()
	s := &crashServer{t: t, addr: freePort(t), data: t.TempDir(), args: []string{}}
	s.start()
	c := serveClient("http://" + s.addr)
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("beat")})
	if err != nil {
		t.Fatal(err)
	}
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("beat"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"` + *act.ActivityArn + `","HeartbeatSeconds":3,"TimeoutSeconds":60,"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	task, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn, WorkerName: aws.String("w")})
	if err != nil || task.TaskToken == nil {
		t.Fatalf("GetActivityTask: %v %v", task, err)
	}
	time.Sleep(500 * time.Millisecond)
	if _, err := c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: task.TaskToken}); err != nil {
		t.Fatal(err)
	}
	beat := time.Now()
	time.Sleep(300 * time.Millisecond)
	s.kill()
	time.Sleep(time.Until(beat.Add(1700 * time.Millisecond)))
	s.start()
	restarted := time.Now()
	if restarted.Sub(beat) > 2800*time.Millisecond {
		t.Skipf("hsc serve took until %v after the heartbeat to restart: too late to tell the deadlines apart", restarted.Sub(beat))
	}
	f := readFinal(t, c, *ex.ExecutionArn)
	if f.status != "FAILED" || !strings.Contains(f.output, "States.HeartbeatTimeout") {
		t.Fatalf("%s %s, want FAILED with States.HeartbeatTimeout", f.status, f.output)
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var timedOut time.Time
	for _, e := range h.Events {
		if e.Type == types.HistoryEventTypeActivityTimedOut {
			timedOut = *e.Timestamp
			if d := e.ActivityTimedOutEventDetails; d == nil || aws.ToString(d.Error) != "States.HeartbeatTimeout" {
				t.Errorf("ActivityTimedOut %+v, want States.HeartbeatTimeout", d)
			}
		}
	}
	if timedOut.IsZero() {
		t.Fatal("no ActivityTimedOut event")
	}
	gap := timedOut.Sub(beat)
	t.Logf("timed out %v after the heartbeat, %v after the restart", gap, timedOut.Sub(restarted))
	// History timestamps have millisecond precision; the process start
	// and the machine's load leave some slack.
	if gap < 2500*time.Millisecond || gap > 3700*time.Millisecond {
		t.Errorf("the task timed out %v after its last heartbeat, want about 3 s (%v after the restart)", gap, timedOut.Sub(restarted))
	}
}
