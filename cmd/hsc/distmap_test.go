package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
