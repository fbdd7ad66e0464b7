package golden

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/interpreter"
)

// TestCompatErrors holds each extension to the compat rule
// (docs/dsl-extensions.md): each testdata/compat/*.hsd uses one extension;
// with --compat heaviside it fails with heaviside's error (*.err,
// "line:col: message", as heaviside 2.2.5 reports it), and without it the
// program compiles.
func TestCompatErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/compat/*.hsd")
	if err != nil || len(files) == 0 {
		t.Fatalf("no compat inputs: %v", err)
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".hsd")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(in, ".hsd") + ".err")
			if err != nil {
				t.Fatal(err)
			}
			_, err = hsc.CompileFile(in, hsc.WithCompat(hsc.CompatHeaviside))
			var ce *hsc.Error
			if !errors.As(err, &ce) {
				t.Fatalf("with --compat heaviside: want error %q, got %v", want, err)
			}
			if got := ce.Pos.String() + ": " + ce.Msg; got != strings.TrimSpace(string(want)) {
				t.Errorf("with --compat heaviside:\ngot  %q\nwant %q", got, strings.TrimSpace(string(want)))
			}
			if _, err := hsc.CompileFile(in, hsc.WithStrict()); err != nil {
				t.Errorf("with the extensions: %v", err)
			}
		})
	}
}

// runCase is one execution of a testdata/ext/*.run.json file (an object,
// or an array of them): the execution input, each
// Task state's result by state name (or its failure), and the expected
// output or failure.
type runCase struct {
	Input json.RawMessage            `json:"input"`
	Tasks map[string]json.RawMessage `json:"tasks"`
	// Resources, when set, are the Resource each Task state must call.
	Resources map[string]string `json:"resources"`
	// Sequence, when set for a state, are its results call by call (the
	// last one repeats).
	Sequence map[string][]json.RawMessage `json:"sequence"`
	// Timeouts, when set, are the timeout and heartbeat each Task state
	// runs with, as Go durations ("0s": none).
	Timeouts map[string][2]string `json:"timeouts"`
	// Written, when set, are the files a distributed Map's ResultWriter
	// puts: each one's Key with the map run's id replaced by ID, and its
	// Body (for a JSON result file: its entries' Input, Output or Error,
	// and Status, in order).
	Written []writtenFile `json:"written"`
	// Roles, when set, are the role each Task state must run with (its
	// Credentials' RoleArn, "" for none).
	Roles map[string]string `json:"roles"`
	// TaskInputs, when set, are the input each Task state must get.
	TaskInputs map[string]json.RawMessage `json:"task_inputs"`
	Fail       map[string][2]string       `json:"fail"` // state → error, cause
	// FailTimes, when set for a state in Fail, fails only its first N
	// attempts; later attempts return the state's result from Tasks.
	FailTimes map[string]int `json:"fail_times"`
	// Sleeps, when set, are the waits the execution makes (retries, Wait
	// states), in order, as Go durations ("10s").
	Sleeps []string        `json:"sleeps"`
	Output json.RawMessage `json:"output"`
	Error  string          `json:"error"`
	// Status FAILED expects a failure even when Error is empty (a Fail
	// state without Error).
	Status interpreter.Status `json:"status"`
	Cause  string             `json:"cause"`
}

// TestExtensionsRun compiles each testdata/ext/*.hsd that has a .run.json
// and executes it with the interpreter (what hsc run does), checking the
// output: the extension's fields do what the States Language says.
func TestExtensionsRun(t *testing.T) {
	files, err := filepath.Glob("testdata/ext/*.run.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no run cases: %v", err)
	}
	for _, rf := range files {
		name := strings.TrimSuffix(filepath.Base(rf), ".run.json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(rf)
			if err != nil {
				t.Fatal(err)
			}
			var cases []runCase
			if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
				err = json.Unmarshal(raw, &cases)
			} else {
				cases = []runCase{{}}
				err = json.Unmarshal(raw, &cases[0])
			}
			if err != nil {
				t.Fatalf("%s: %v", rf, err)
			}
			res, err := hsc.CompileFile(filepath.Join("testdata", "ext", name+".hsd"), hsc.WithRegion(goldenRegion), hsc.WithAccountID(goldenAccount), hsc.WithStrict())
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			m, err := interpreter.Compile(res.Definition)
			if err != nil {
				t.Fatalf("interpreter: %v", err)
			}
			for i, rc := range cases {
				t.Logf("case %d: input %s", i, rc.Input)
				runOne(t, m, rc)
			}
		})
	}
}

// writtenFile is one putObject call of a ResultWriter (runCase.Written).
type writtenFile struct {
	Key     string            `json:"key"`
	Entries []json.RawMessage `json:"entries,omitempty"`
}

func runOne(t *testing.T, m *interpreter.Machine, rc runCase) {
	t.Helper()
	calls := map[string]int{}
	var mu sync.Mutex             // child executions of a distributed Map call concurrently
	var written []json.RawMessage // a ResultWriter's putObject inputs
	tasks := interpreter.TaskFunc(func(_ context.Context, req *interpreter.TaskRequest) ([]byte, error) {
		name := req.StateName
		if req.Part != "" {
			// a distributed Map's S3 call, named as in a mock file
			name += "/" + req.Part
		}
		if seq, ok := rc.Sequence[name]; ok && len(seq) > 0 {
			mu.Lock()
			n := min(calls[name], len(seq)-1)
			calls[name]++
			mu.Unlock()
			return seq[n], nil
		}
		if want, ok := rc.Resources[name]; ok && want != req.Resource {
			t.Errorf("state %s calls %s, want %s", name, req.Resource, want)
		}
		if want, ok := rc.Timeouts[name]; ok {
			if got := [2]string{req.Timeout.String(), req.Heartbeat.String()}; got != want {
				t.Errorf("state %s: timeout, heartbeat = %v, want %v", req.StateName, got, want)
			}
		}
		if want, ok := rc.Roles[name]; ok && want != req.RoleArn {
			t.Errorf("state %s runs with role %q, want %q", name, req.RoleArn, want)
		}
		if want, ok := rc.TaskInputs[name]; ok {
			jsonEqual(t, "input of "+name, req.Input, want)
		}
		if n, ok := rc.FailTimes[name]; ok && req.Attempt >= n {
			return rc.Tasks[name], nil
		}
		if f, ok := rc.Fail[name]; ok {
			return nil, &interpreter.ExecutionError{Name: f[0], Cause: f[1]}
		}
		if req.Part == interpreter.PartResultWriter {
			mu.Lock()
			written = append(written, req.Input)
			mu.Unlock()
		}
		out, ok := rc.Tasks[name]
		if !ok {
			t.Errorf("no result for task state %s", name)
			return nil, &interpreter.ExecutionError{Name: "test.NoResult", Cause: name}
		}
		return out, nil
	})
	input := []byte(rc.Input)
	clock := interpreter.NewVirtualClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	out, err := m.Run(context.Background(), input, interpreter.WithTaskResolver(tasks), interpreter.WithClock(clock), interpreter.WithSeed(1))
	if rc.Sleeps != nil {
		var got []string
		for _, d := range clock.Sleeps() {
			got = append(got, d.String())
		}
		if diff := cmp.Diff(rc.Sleeps, got); diff != "" {
			t.Errorf("sleeps differ (-want +got):\n%s", diff)
		}
	}
	if rc.Error != "" || rc.Status == interpreter.StatusFailed {
		if out == nil || out.Status != interpreter.StatusFailed || out.Error != rc.Error || (rc.Cause != "" && out.Cause != rc.Cause) {
			t.Fatalf("want failure %s (%s), got %+v, %v", rc.Error, rc.Cause, out, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	// A distributed Map's run id is random: ID stands for it.
	output := out.Output
	if m := mapRunID.FindSubmatch(output); m != nil {
		output = bytes.ReplaceAll(output, m[1], []byte("ID"))
		for i := range written {
			written[i] = bytes.ReplaceAll(written[i], m[1], []byte("ID"))
		}
	}
	jsonEqual(t, "output", output, rc.Output)
	if rc.Written != nil {
		checkWritten(t, written, rc.Written)
	}
}

var mapRunID = regexp.MustCompile(`:mapRun:[^"/]+/[^":]+:([0-9a-f-]{36})"`)

// checkWritten compares a ResultWriter's putObject calls with want: the
// keys in order, and for a file with entries, each entry's Output,
// Error and Status.
func checkWritten(t *testing.T, got []json.RawMessage, want []writtenFile) {
	t.Helper()
	var keys, wantKeys []string
	for _, w := range want {
		wantKeys = append(wantKeys, w.Key)
	}
	for _, g := range got {
		var put struct{ Key, Body string }
		if err := json.Unmarshal(g, &put); err != nil {
			t.Fatalf("putObject input: %v: %s", err, g)
		}
		keys = append(keys, put.Key)
		for _, w := range want {
			if w.Key != put.Key || w.Entries == nil {
				continue
			}
			var entries []map[string]any
			if err := json.Unmarshal([]byte(put.Body), &entries); err != nil {
				t.Fatalf("%s: %v", put.Key, err)
			}
			var short []map[string]any
			for _, e := range entries {
				s := map[string]any{}
				for _, k := range []string{"Output", "Error", "Status"} {
					if v, ok := e[k]; ok {
						s[k] = v
					}
				}
				short = append(short, s)
			}
			b, _ := json.Marshal(short)
			wb, _ := json.Marshal(w.Entries)
			jsonEqual(t, "entries of "+put.Key, b, wb)
		}
	}
	if diff := cmp.Diff(wantKeys, keys); diff != "" {
		t.Errorf("ResultWriter files differ (-want +got):\n%s", diff)
	}
}

func jsonEqual(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v: %s", what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s (expected): %v", what, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", what, diff)
	}
}
