package server_test

import (
	"context"
	"encoding/json"
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
