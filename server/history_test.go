package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
)

// GetExecutionHistory gives the interpreter's history as it is, in the
// wire form: the same events, ids and previous ids, and details
// (inputDetails/outputDetails included), only with epoch timestamps. Checked on
// the definitions recorded on AWS in ../shared/aws/history (those whose
// output depends on time, randomness or the context object aside).
func TestHistoryIsTheInterpreters(t *testing.T) {
	dir := testenv.Shared(t, "aws", "history")
	files, err := filepath.Glob(filepath.Join(dir, "*.history.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no histories in %s (%v)", dir, err)
	}
	s, c := start(t, server.Config{VirtualTime: true})
	compared := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".history.json")
		def, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		input, err := os.ReadFile(filepath.Join(dir, name+".input.json"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(def), "$$") || strings.Contains(string(def), "UUID") || strings.Contains(string(def), "Random") ||
			strings.Contains(string(def), "Timestamp") || strings.Contains(string(def), "$now") {
			continue
		}
		m, err := interpreter.Compile(def)
		if err != nil {
			continue // not run locally yet; the interpreter's tests say so
		}
		out, err := c.CreateStateMachine(ctxT(t), &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(string(def)), RoleArn: aws.String(roleARN)})
		if err != nil {
			t.Errorf("%s: create: %v", name, err)
			continue
		}
		ex, err := c.StartExecution(ctxT(t), &sfn.StartExecutionInput{StateMachineArn: out.StateMachineArn, Name: aws.String("x"), Input: aws.String(string(input))})
		if err != nil {
			t.Errorf("%s: start: %v", name, err)
			continue
		}
		waitDone(t, c, *ex.ExecutionArn)
		got := wireHistory(t, s.URL(), *ex.ExecutionArn)

		res, _ := m.Run(context.Background(), input, interpreter.WithHistory(), interpreter.WithExecutionName("x"),
			interpreter.WithStateMachineName(name), interpreter.WithRoleArn(roleARN), interpreter.WithClock(interpreter.NewVirtualClock(time.Now())))
		if res == nil {
			t.Errorf("%s: the interpreter did not run it", name)
			continue
		}
		var want []map[string]any
		for _, e := range res.History {
			data, _ := json.Marshal(e)
			var m map[string]any
			json.Unmarshal(data, &m)
			delete(m, "timestamp")
			want = append(want, m)
		}
		if strings.Contains(string(def), `"Parallel"`) || strings.Contains(string(def), `"Map"`) {
			// Branches and iterations interleave differently from run to
			// run: compare the events without their order and ids.
			got, want = unordered(got), unordered(want)
		}
		compared++
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s: server history differs from the interpreter's\n got  %s\n want %s", name, g, w)
		}
	}
	t.Logf("%d histories compared", compared)
	if compared < 10 {
		t.Errorf("only %d histories compared", compared)
	}
}

// wireHistory fetches a history as JSON, checks that every payload has
// its truncated flag, and takes away the timestamp.
func wireHistory(t *testing.T, url, arn string) []map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(`{"executionArn":"`+arn+`","maxResults":1000}`))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.GetExecutionHistory")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	for _, e := range body.Events {
		if _, ok := e["timestamp"].(float64); !ok {
			t.Errorf("timestamp %v is not epoch seconds", e["timestamp"])
		}
		delete(e, "timestamp")
		for k, v := range e {
			if d, ok := v.(map[string]any); ok && strings.HasSuffix(k, "EventDetails") {
				for _, f := range []string{"input", "output"} {
					if _, has := d[f]; has {
						if det, _ := d[f+"Details"].(map[string]any); det == nil || det["truncated"] != false {
							t.Errorf("%s.%sDetails = %v", k, f, d[f+"Details"])
						}
					}
				}
			}
		}
	}
	return body.Events
}

func unordered(evs []map[string]any) []map[string]any {
	out := make([]map[string]any, len(evs))
	for i, e := range evs {
		c := map[string]any{}
		for k, v := range e {
			if k != "id" && k != "previousEventId" {
				c[k] = v
			}
		}
		out[i] = c
	}
	key := func(e map[string]any) string { b, _ := json.Marshal(e); return string(b) }
	slices.SortFunc(out, func(a, b map[string]any) int { return strings.Compare(key(a), key(b)) })
	return out
}

// The history of a running execution is readable while it runs: the
// server appends events in batches, and a task (or a read) makes it
// append what it holds. Here 100 Pass states (more than a batch) run
// before a Lambda task that waits; the history read then ends with the
// task's LambdaFunctionStarted, and ids run 1, 2, 3, ... with each
// previousEventId an earlier event, before and after the task ends.
func TestHistoryWhileRunning(t *testing.T) {
	release := make(chan struct{})
	tasks := interpreter.TaskFunc(func(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		select {
		case <-release:
			return []byte(`{"done":true}`), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	_, c := start(t, server.Config{Tasks: tasks})
	var b strings.Builder
	b.WriteString(`{"StartAt":"P0","States":{`)
	for i := range 100 {
		fmt.Fprintf(&b, `"P%d":{"Type":"Pass","Next":"P%d"},`, i, i+1)
	}
	b.WriteString(`"P100":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}}`)
	arn := createMachine(t, c, "running", b.String())
	ex := startExec(t, c, arn)
	history := func() []types.HistoryEvent {
		var all []types.HistoryEvent
		p := sfn.NewGetExecutionHistoryPaginator(c, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
		for p.HasMorePages() {
			page, err := p.NextPage(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page.Events...)
		}
		for i, e := range all {
			if e.Id != int64(i+1) || e.PreviousEventId < 0 || e.PreviousEventId >= e.Id {
				t.Fatalf("event %d: id %d, previous %d", i, e.Id, e.PreviousEventId)
			}
		}
		return all
	}
	deadline := time.Now().Add(20 * time.Second)
	var evs []types.HistoryEvent
	for {
		evs = history()
		if len(evs) > 0 && evs[len(evs)-1].Type == types.HistoryEventTypeLambdaFunctionStarted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the history of the waiting execution ends with %v after %d events", evs[len(evs)-1].Type, len(evs))
		}
		time.Sleep(5 * time.Millisecond)
	}
	// ExecutionStarted, 100 Pass states entered and exited, then
	// TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted.
	if len(evs) != 1+200+3 {
		t.Errorf("%d events while the task runs, want %d", len(evs), 1+200+3)
	}
	if d := describe(t, c, *ex.ExecutionArn); d.Status != types.ExecutionStatusRunning {
		t.Fatalf("status %s while the task runs", d.Status)
	}
	close(release)
	if d := waitDone(t, c, *ex.ExecutionArn); d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s", d.Status)
	}
	evs = history()
	if last := evs[len(evs)-1].Type; last != types.HistoryEventTypeExecutionSucceeded || len(evs) != 204+3 {
		t.Errorf("final history: %d events ending with %s", len(evs), last)
	}
}

func describe(t *testing.T, c *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	d, err := c.DescribeExecution(ctxT(t), &sfn.DescribeExecutionInput{ExecutionArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
