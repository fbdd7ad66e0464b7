package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/internal/testenv"
)

// hsc run runs the nine realworld definitions that read items with a
// distributed Map's ItemReader, their S3 calls and other tasks answered
// by the mock files of interpreter/testdata/realworld-dmap (issue 11);
// --history shows each map run.
func TestRunRealworldDistributedMaps(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "aws", "realworld")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		testenv.Skip(t, "no realworld definitions at "+dir)
	}
	mocks := filepath.Join("..", "..", "interpreter", "testdata", "realworld-dmap")
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), `"ItemReader"`) {
			continue
		}
		n++
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(id, func(t *testing.T) {
			hist := filepath.Join(t.TempDir(), "h.json")
			code, out, errOut := hscRun(t, "", "run", f, "--name", "realworld", "--mock", filepath.Join(mocks, id+".mock.json"),
				"--test-case", "run", "--input", filepath.Join(mocks, id+".input.json"), "--virtual-time", "--history", hist)
			if code != 0 {
				t.Fatalf("exit %d: %s%s", code, out, errOut)
			}
			b, err := os.ReadFile(hist)
			if err != nil {
				t.Fatal(err)
			}
			var h struct{ Events []struct{ Type string } }
			if err := json.Unmarshal(b, &h); err != nil {
				t.Fatal(err)
			}
			started, succeeded := 0, 0
			for _, e := range h.Events {
				switch e.Type {
				case "MapRunStarted":
					started++
				case "MapRunSucceeded":
					succeeded++
				}
			}
			if started == 0 || succeeded != started {
				t.Errorf("%d map runs started, %d succeeded", started, succeeded)
			}
		})
	}
	if n != 9 {
		t.Errorf("%d definitions use ItemReader, want 9", n)
	}
}

// --task answers a distributed Map's S3 calls as any task: a command
// mapped to STATE/ItemReader prints the object (as it is, or as a
// GetObject response), one mapped to STATE/ResultWriter gets each
// putObject's {"Bucket", "Key", "Body"} on standard input.
func TestRunDistributedMapTasks(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "dmap.json")
	os.WriteFile(def, []byte(`{"StartAt":"Rows","States":{"Rows":{"Type":"Map",
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},"Parameters":{"Bucket":"in","Key":"rows.csv"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"runs"}},"End":true}}}`), 0o644)
	csv := filepath.Join(dir, "rows.csv")
	os.WriteFile(csv, []byte("name,n\na,1\nb,2\n"), 0o644)
	written := filepath.Join(dir, "written")
	code, out, errOut := hscRun(t, "", "run", def,
		"--task", "Rows/ItemReader=cat "+csv,
		"--task", "Rows/ResultWriter=cat >> "+written+"; echo '{}'", "--trace")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "      map run arn:aws:states:us-east-1:123456789012:mapRun:dmap/") ||
		strings.Count(errOut, "] enter P (Pass) input: ") != 2 {
		t.Errorf("--trace does not show the map run and its two children:\n%s", errOut)
	}
	var res struct {
		MapRunArn           string
		ResultWriterDetails struct{ Bucket, Key string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.ResultWriterDetails.Bucket != "out" ||
		!strings.HasPrefix(res.ResultWriterDetails.Key, "runs/") || !strings.Contains(res.MapRunArn, ":mapRun:dmap/") {
		t.Fatalf("output %s (%v)", out, err)
	}
	b, _ := os.ReadFile(written)
	// Two putObject calls: SUCCEEDED_0.json, then manifest.json.
	dec := json.NewDecoder(strings.NewReader(string(b)))
	var keys []string
	for dec.More() {
		var put struct{ Bucket, Key, Body string }
		if err := dec.Decode(&put); err != nil {
			t.Fatalf("%v in %s", err, b)
		}
		keys = append(keys, put.Key)
		if strings.HasSuffix(put.Key, "SUCCEEDED_0.json") && !strings.Contains(put.Body, `\"name\":\"a\"`) {
			t.Errorf("results %s", put.Body)
		}
	}
	if len(keys) != 2 || !strings.HasSuffix(keys[0], "/SUCCEEDED_0.json") || keys[1] != res.ResultWriterDetails.Key {
		t.Errorf("written keys %v", keys)
	}
}

// --history holds the parent's events only; --child-histories DIR writes
// each STANDARD child's history to DIR/NAME.json, as AWS keeps a child's
// history as that of an execution of its own (GetExecutionHistory on the
// child's ARN; AWS docs, "Distributed Map state": child workflow
// executions), and none for EXPRESS children.
func TestRunChildHistories(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		execType string
		want     int
	}{{"STANDARD", 3}, {"EXPRESS", 0}} {
		t.Run(tc.execType, func(t *testing.T) {
			def := filepath.Join(dir, tc.execType+".json")
			os.WriteFile(def, []byte(`{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":1,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"`+tc.execType+`"},"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":2,"Next":"Bad"}],"Default":"Ok"},
			"Bad":{"Type":"Fail","Error":"Two","Cause":"item two"},"Ok":{"Type":"Pass","End":true}}},"End":true}}}`), 0o644)
			hist := filepath.Join(dir, tc.execType+".history.json")
			children := filepath.Join(dir, tc.execType+"-children")
			code, _, errOut := hscRun(t, "", "run", def, "--json", `[{"n":1},{"n":2},{"n":3}]`, "--history", hist, "--child-histories", children)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var parent struct{ Events []struct{ Type string } }
			b, _ := os.ReadFile(hist)
			if err := json.Unmarshal(b, &parent); err != nil {
				t.Fatal(err)
			}
			for _, e := range parent.Events {
				if strings.HasPrefix(e.Type, "Choice") || strings.HasPrefix(e.Type, "Fail") {
					t.Errorf("the parent's history holds a child's event %s", e.Type)
				}
			}
			files, err := os.ReadDir(children)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != tc.want {
				t.Fatalf("%d files in %s, want %d", len(files), children, tc.want)
			}
			ends := map[string]int{}
			inputs := map[string]bool{}
			for _, f := range files {
				if !strings.HasSuffix(f.Name(), ".json") || strings.HasPrefix(f.Name(), ".") {
					t.Errorf("file %s", f.Name())
				}
				var h struct {
					Events []struct {
						Type                         string
						ExecutionStartedEventDetails *struct{ Input string }
					}
				}
				b, _ := os.ReadFile(filepath.Join(children, f.Name()))
				if err := json.Unmarshal(b, &h); err != nil || len(h.Events) < 3 {
					t.Fatalf("%s: %v\n%s", f.Name(), err, b)
				}
				if d := h.Events[0].ExecutionStartedEventDetails; d == nil {
					t.Errorf("%s starts with %s", f.Name(), h.Events[0].Type)
				} else {
					inputs[d.Input] = true
				}
				ends[h.Events[len(h.Events)-1].Type]++
			}
			if tc.want > 0 && (ends["ExecutionSucceeded"] != 2 || ends["ExecutionFailed"] != 1 || !inputs[`{"n":2}`]) {
				t.Errorf("children end %v, inputs %v", ends, inputs)
			}
		})
	}
}

// Ctrl-C (a real process, a real SIGINT) while children run: each
// started STANDARD child's history is complete in --child-histories DIR,
// ending with ExecutionAborted, and no part file is left.
func TestRunChildHistoriesOnInterrupt(t *testing.T) {
	dir := t.TempDir()
	def := writeFile(t, dir, "wait.json", `{"StartAt":"M","States":{"M":{"Type":"Map",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"W","States":{
			"W":{"Type":"Wait","Seconds":60,"End":true}}},"End":true}}}`)
	children := filepath.Join(dir, "children")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd, stderr, seen := startUntil(t, ctx, "enter W (Wait)", "run", def, "--json", "[1,2]", "--trace", "--child-histories", children)
	// Both children enter W before the signal.
	buf := make([]byte, 4096)
	for strings.Count(seen.String(), "enter W (Wait)") < 2 {
		n, err := stderr.Read(buf)
		seen.Write(buf[:n])
		if err != nil {
			t.Fatalf("the second child never entered W: %v: %s", err, seen)
		}
	}
	cmd.Process.Signal(os.Interrupt)
	io.Copy(io.Discard, stderr)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitAborted {
		t.Fatalf("Ctrl-C: %v; want exit %d", err, exitAborted)
	}
	files, _ := os.ReadDir(children)
	if len(files) != 2 {
		t.Fatalf("%d files after Ctrl-C, want 2: %v", len(files), files)
	}
	for _, f := range files {
		_, types, _ := historyEvents(t, filepath.Join(children, f.Name()))
		if len(types) == 0 || types[0] != "ExecutionStarted" || types[len(types)-1] != "ExecutionAborted" {
			t.Errorf("%s: %v", f.Name(), types)
		}
	}
}
