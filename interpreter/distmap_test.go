package interpreter_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

// s3Fake answers a distributed Map's S3 calls from memory: objects by
// bucket/key, listings in pages of two, and writes kept.
type s3Fake struct {
	mu      sync.Mutex
	objects map[string]string // "bucket/key" → body
	written map[string]string
	calls   []string
}

func (f *s3Fake) ResolveTask(_ context.Context, r *interpreter.TaskRequest) ([]byte, error) {
	var p struct {
		Bucket, Key, Prefix, Body, ContinuationToken string
	}
	if err := json.Unmarshal(r.Input, &p); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.StateName+"/"+r.Part+" "+r.Resource[strings.LastIndexByte(r.Resource, ':')+1:])
	switch {
	case strings.HasSuffix(r.Resource, "getObject"):
		body, ok := f.objects[p.Bucket+"/"+p.Key]
		if !ok {
			return nil, &interpreter.ExecutionError{Name: "S3.NoSuchKeyException", Cause: "no such key " + p.Key}
		}
		if strings.HasSuffix(p.Key, ".gz") || strings.HasSuffix(p.Key, ".zstd") {
			return []byte(body), nil // binary: the content as it is
		}
		return json.Marshal(map[string]string{"Body": body})
	case strings.HasSuffix(r.Resource, "putObject"):
		if f.written == nil {
			f.written = map[string]string{}
		}
		f.written[p.Bucket+"/"+p.Key] = p.Body
		return []byte(`{"ETag":"\"x\""}`), nil
	case strings.HasSuffix(r.Resource, "listObjectsV2"):
		var keys []string
		for k := range f.objects {
			if b, key, _ := strings.Cut(k, "/"); b == p.Bucket && strings.HasPrefix(key, p.Prefix) {
				keys = append(keys, key)
			}
		}
		sortStrings(keys)
		start := 0
		if p.ContinuationToken != "" {
			fmt.Sscan(p.ContinuationToken, &start)
		}
		end := min(start+2, len(keys))
		var contents []map[string]any
		for _, k := range keys[start:end] {
			contents = append(contents, map[string]any{"Key": k, "Size": len(f.objects[p.Bucket+"/"+k]), "ETag": `"e-` + k + `"`,
				"LastModified": "2024-05-06T07:08:09Z", "StorageClass": "STANDARD"})
		}
		resp := map[string]any{"Contents": contents, "IsTruncated": end < len(keys)}
		if end < len(keys) {
			resp["NextContinuationToken"] = fmt.Sprint(end)
		}
		return json.Marshal(resp)
	}
	return nil, fmt.Errorf("unexpected resource %s", r.Resource)
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func runDist(t *testing.T, def, input string, opts ...interpreter.Option) (*interpreter.Result, error) {
	t.Helper()
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]interpreter.Option{interpreter.WithClock(interpreter.NewVirtualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))),
		interpreter.WithSeed(1), interpreter.WithStateMachineName("sm"), interpreter.WithExecutionName("e1")}, opts...)
	return m.Run(context.Background(), []byte(input), opts...)
}

// TestDistributedMapHistory: the events of a distributed Map as recorded
// on AWS (localstack snapshot test_map_item_reader_base_csv_headers_first_line):
// MapStateStarted (length 0 with an ItemReader), MapRunStarted,
// MapRunSucceeded, MapStateSucceeded and MapStateExited both after
// MapRunSucceeded; no iteration events (the children are executions of
// their own).
func TestDistributedMapHistory(t *testing.T) {
	def := `{"StartAt":"MapState","States":{"MapState":{"Type":"Map","MaxConcurrency":1,
		"ItemReader":{"ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket.$":"$.Bucket","Key.$":"$.Key"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"PassItem","States":{"PassItem":{"Type":"Pass","End":true}}},"End":true}}}`
	s3 := &s3Fake{objects: map[string]string{"b/f.csv": "A,B\n1,2\n3,4\n"}}
	var runs []*interpreter.MapRun
	var mu sync.Mutex
	childEvents := map[string][]string{}
	res, err := runDist(t, def, `{"Bucket":"b","Key":"f.csv"}`, interpreter.WithHistory(), interpreter.WithTaskResolver(s3),
		interpreter.WithMapRunHook(func(r *interpreter.MapRun) {
			runs = append(runs, r)
			r.SetChildHook(func(c interpreter.ChildExecution) func(interpreter.Event) {
				return func(e interpreter.Event) {
					mu.Lock()
					childEvents[c.Name] = append(childEvents[c.Name], fmt.Sprintf("%d<%d %s", e.ID, e.PreviousEventID, e.Type))
					mu.Unlock()
				}
			})
		}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range res.History {
		got = append(got, fmt.Sprintf("%d<%d %s", e.ID, e.PreviousEventID, e.Type))
	}
	want := []string{"1<0 ExecutionStarted", "2<0 MapStateEntered", "3<2 MapStateStarted", "4<3 MapRunStarted",
		"5<4 MapRunSucceeded", "6<5 MapStateSucceeded", "7<5 MapStateExited", "8<7 ExecutionSucceeded"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("events\n got %v\nwant %v", got, want)
	}
	if d := res.History[2].MapStateStartedEventDetails; d == nil || d.Length != 0 {
		t.Errorf("MapStateStarted details %+v, want length 0", d)
	}
	if len(runs) != 1 {
		t.Fatalf("%d map runs reported, want 1", len(runs))
	}
	info := runs[0].Info()
	if arn := res.History[3].MapRunStartedEventDetails.MapRunArn; arn != info.ARN ||
		!strings.HasPrefix(arn, "arn:aws:states:us-east-1:123456789012:mapRun:sm/") {
		t.Errorf("map run ARN %q (hook: %q)", arn, info.ARN)
	}
	if info.Status != "SUCCEEDED" || info.ItemCounts.Succeeded != 2 || info.ExecutionCounts.Total != 2 || info.MaxConcurrency != 1 {
		t.Errorf("map run %+v", info)
	}
	kids := runs[0].Children()
	if len(kids) != 2 || kids[0].Status != interpreter.StatusSucceeded || kids[0].Input != `{"A":"1","B":"2"}` || kids[0].Output != kids[0].Input {
		t.Errorf("children %+v", kids)
	}
	if !strings.HasPrefix(kids[0].ExecutionARN, "arn:aws:states:us-east-1:123456789012:execution:sm/") {
		t.Errorf("child ARN %s", kids[0].ExecutionARN)
	}
	// Each child is an execution with a history of its own.
	for _, k := range kids {
		if got := strings.Join(childEvents[k.Name], ", "); got != "1<0 ExecutionStarted, 2<0 PassStateEntered, 3<2 PassStateExited, 4<3 ExecutionSucceeded" {
			t.Errorf("child %s events: %s", k.Name, got)
		}
	}
}

// TestResultWriter: the files AWS's ResultWriter writes (docs:
// input-output-resultwriter.html): PREFIX/RUN_ID/SUCCEEDED_0.json and
// FAILED_0.json with one entry per child, and manifest.json listing them;
// the state's output names the manifest (recorded on AWS,
// test_map_state_result_writer).
func TestResultWriter(t *testing.T) {
	def := `{"StartAt":"MapState","States":{"MapState":{"Type":"Map","Label":"TestMap","ToleratedFailureCount":1,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$","StringEquals":"bad","Next":"F"}],"Default":"P"},
			"F":{"Type":"Fail","Error":"Bad","Cause":"bad item"},"P":{"Type":"Pass","End":true}}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"result-bucket","Prefix":"mapJobs"}},"End":true}}}`
	s3 := &s3Fake{}
	res, err := runDist(t, def, `["Hello","bad","World"]`, interpreter.WithTaskResolver(s3))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		MapRunArn           string
		ResultWriterDetails struct{ Bucket, Key string }
	}
	if err := json.Unmarshal(res.Output, &out); err != nil {
		t.Fatal(err)
	}
	id := out.MapRunArn[strings.LastIndexByte(out.MapRunArn, ':')+1:]
	if !strings.Contains(out.MapRunArn, ":mapRun:sm/TestMap:") || out.ResultWriterDetails.Bucket != "result-bucket" ||
		out.ResultWriterDetails.Key != "mapJobs/"+id+"/manifest.json" {
		t.Fatalf("output %s", res.Output)
	}
	var manifest struct {
		DestinationBucket, MapRunArn string
		ResultFiles                  map[string][]struct {
			Key  string
			Size int
		}
	}
	if err := json.Unmarshal([]byte(s3.written["result-bucket/"+out.ResultWriterDetails.Key]), &manifest); err != nil {
		t.Fatalf("manifest: %v (written: %v)", err, s3.written)
	}
	if manifest.DestinationBucket != "result-bucket" || manifest.MapRunArn != out.MapRunArn || len(manifest.ResultFiles["PENDING"]) != 0 {
		t.Errorf("manifest %+v", manifest)
	}
	for status, want := range map[string]int{"SUCCEEDED": 2, "FAILED": 1} {
		files := manifest.ResultFiles[status]
		if len(files) != 1 || files[0].Key != "mapJobs/"+id+"/"+status+"_0.json" {
			t.Fatalf("%s files %+v", status, files)
		}
		body := s3.written["result-bucket/"+files[0].Key]
		if len(body) != files[0].Size {
			t.Errorf("%s: size %d in the manifest, %d written", status, files[0].Size, len(body))
		}
		var entries []map[string]any
		if err := json.Unmarshal([]byte(body), &entries); err != nil || len(entries) != want {
			t.Fatalf("%s: %d entries (%v), want %d: %s", status, len(entries), err, want, body)
		}
		e := entries[0]
		if e["Status"] != status || !strings.Contains(e["ExecutionArn"].(string), ":execution:sm/TestMap:") || e["StateMachineArn"] != "arn:aws:states:us-east-1:123456789012:stateMachine:sm/TestMap" {
			t.Errorf("%s entry %v", status, e)
		}
		if status == "SUCCEEDED" && (e["Input"] != `"Hello"` || e["Output"] != `"Hello"`) {
			t.Errorf("succeeded entry %v", e)
		}
		if status == "FAILED" && (e["Error"] != "Bad" || e["Cause"] != "bad item") {
			t.Errorf("failed entry %v", e)
		}
	}
}

// TestListObjectsItems: the listObjectsV2 reader pages with
// ContinuationToken and gives Etag, LastModified, Key, Size and
// StorageClass (recorded on AWS: test_map_item_reader_base_list_objects_v2;
// LastModified as seconds, AWS docs); MaxItems stops early.
func TestListObjectsItems(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b","Prefix":"in/"},"ReaderConfig":{"MaxItems":4}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	s3 := &s3Fake{objects: map[string]string{"b/in/1": "a", "b/in/2": "bb", "b/in/3": "ccc", "b/in/4": "d", "b/in/5": "e", "b/other": "x"}}
	res, err := runDist(t, def, `{}`, interpreter.WithTaskResolver(s3))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"Etag":"\"e-in/1\"","LastModified":1714979289,"Key":"in/1","Size":1,"StorageClass":"STANDARD"},` +
		`{"Etag":"\"e-in/2\"","LastModified":1714979289,"Key":"in/2","Size":2,"StorageClass":"STANDARD"},` +
		`{"Etag":"\"e-in/3\"","LastModified":1714979289,"Key":"in/3","Size":3,"StorageClass":"STANDARD"},` +
		`{"Etag":"\"e-in/4\"","LastModified":1714979289,"Key":"in/4","Size":1,"StorageClass":"STANDARD"}]`
	if string(res.Output) != want {
		t.Errorf("output\n got %s\nwant %s", res.Output, want)
	}
	if len(s3.calls) != 2 {
		t.Errorf("calls %v, want two pages", s3.calls)
	}
}

// TestToleratedFailures: a distributed Map fails with
// States.ExceedToleratedFailureThreshold (and MapRunFailed) once its
// failed children are more than it tolerates; within the tolerance the
// failed children's errors are in the output (AWS docs:
// state-map-distributed.html#maprun-fail-threshold).
func TestToleratedFailures(t *testing.T) {
	for _, tc := range []struct {
		tolerance string
		fails     bool
	}{{``, true}, {`"ToleratedFailureCount":1,`, false}, {`"ToleratedFailurePercentage":40,`, false}, {`"ToleratedFailurePercentage":30,`, true}} {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map",` + tc.tolerance + `"MaxConcurrency":1,
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"C","States":{
				"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":1,"Next":"F"}],"Default":"P"},
				"F":{"Type":"Fail","Error":"Bad","Cause":"one"},"P":{"Type":"Pass","End":true}}},"End":true}}}`
		res, err := runDist(t, def, `[0,1,2]`, interpreter.WithHistory())
		if tc.fails {
			if err == nil || res.Error != "States.ExceedToleratedFailureThreshold" {
				t.Errorf("%s: %v, want States.ExceedToleratedFailureThreshold", tc.tolerance, err)
				continue
			}
			var types []string
			for _, e := range res.History {
				types = append(types, e.Type)
			}
			if !strings.Contains(strings.Join(types, " "), "MapRunStarted MapRunFailed MapStateFailed ExecutionFailed") {
				t.Errorf("%s: events %v", tc.tolerance, types)
			}
			continue
		}
		if err != nil || string(res.Output) != `[0,{"Error":"Bad","Cause":"one"},2]` {
			t.Errorf("%s: %v %s", tc.tolerance, err, res.Output)
		}
	}
}

// TestUpdateMapRunConcurrency: MapRun.Update changes how many children
// run at once while the run goes on (UpdateMapRun's maxConcurrency).
func TestUpdateMapRunConcurrency(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}},"End":true}}}`
	var running, peak atomic.Int64
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	tasks := interpreter.TaskFunc(func(ctx context.Context, r *interpreter.TaskRequest) ([]byte, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		started <- struct{}{}
		<-release
		return r.Input, nil
	})
	runs := make(chan *interpreter.MapRun, 1)
	done := make(chan error, 1)
	go func() {
		m, _ := interpreter.Compile([]byte(def))
		_, err := m.Run(context.Background(), []byte(`[1,2,3,4]`), interpreter.WithTaskResolver(tasks),
			interpreter.WithMapRunHook(func(r *interpreter.MapRun) { runs <- r }))
		done <- err
	}()
	run := <-runs
	<-started
	four := 4
	run.Update(&four, nil, nil)
	for range 3 {
		<-started
	}
	if p := peak.Load(); p != 4 {
		t.Errorf("peak %d children at once after the update, want 4", p)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if info := run.Info(); info.MaxConcurrency != 4 || info.ExecutionCounts.Succeeded != 4 {
		t.Errorf("run %+v", info)
	}
}

// TestItemReaderAnswers: an object's content may come as a GetObject
// response ({"Body": ...}), a JSON string, or as it is (a task command
// that cats a file); an unmapped reader names the key to map.
func TestItemReaderAnswers(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},"Parameters":{"Bucket":"b","Key":"k"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	for _, answer := range []string{`{"Body":"{\"a\":1}\n\n[2]\n"}`, `"{\"a\":1}\n[2]"`, "{\"a\":1}\n[2]\n"} {
		tasks := interpreter.TaskFunc(func(_ context.Context, r *interpreter.TaskRequest) ([]byte, error) {
			if r.Part != interpreter.PartItemReader || r.StateName != "M" || string(r.Input) != `{"Bucket":"b","Key":"k"}` {
				t.Errorf("request %+v", r)
			}
			return []byte(answer), nil
		})
		res, err := runDist(t, def, `{}`, interpreter.WithTaskResolver(tasks))
		if err != nil || string(res.Output) != `[{"a":1},[2]]` {
			t.Errorf("answer %q: %v %s", answer, err, res.Output)
		}
	}
	res, _ := runDist(t, def, `{}`, interpreter.WithTaskResolver(interpreter.Resolvers{}))
	if res.Error != "States.Runtime" || !strings.Contains(res.Cause, `"M/ItemReader"`) {
		t.Errorf("unmapped: %s: %s", res.Error, res.Cause)
	}
}

// TestReaderFormats: CSVDelimiter and CSVHeaders (GIVEN), and an S3
// inventory manifest whose gzip CSV data files are read with its
// fileSchema (AWS docs: input-output-itemreader.html; the keys in the
// Java HashMap order of the CSV reader, which the page's own example
// shows: TestInventoryItemsAsDocumented).
func TestReaderFormats(t *testing.T) {
	var gz strings.Builder
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("inv,a.txt,10\ninv,b.txt,20\n"))
	zw.Close()
	s3 := &s3Fake{objects: map[string]string{
		"b/pipes.csv": "x|y\n1|2\n",
		"b/given.tsv": "1\t2\t3\n",
		"b/inventory/manifest.json": `{"sourceBucket":"src","destinationBucket":"arn:aws:s3:::inv-dest","fileFormat":"CSV",` +
			`"fileSchema":"Bucket, Key, Size","files":[{"key":"data/1.csv.gz","size":40}]}`,
		"inv-dest/data/1.csv.gz": gz.String(),
	}}
	for _, tc := range []struct{ config, key, want string }{
		{`{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW","CSVDelimiter":"PIPE"}`, "pipes.csv", `[{"x":"1","y":"2"}]`},
		{`{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["p","q"],"CSVDelimiter":"TAB"}`, "given.tsv", `[{"p":"1","q":"2"}]`},
		{`{"InputType":"MANIFEST"}`, "inventory/manifest.json", `[{"Bucket":"inv","Size":"10","Key":"a.txt"},{"Bucket":"inv","Size":"20","Key":"b.txt"}]`},
	} {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":` + tc.config + `,"Parameters":{"Bucket":"b","Key":"` + tc.key + `"}},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
		res, err := runDist(t, def, `{}`, interpreter.WithTaskResolver(s3))
		if err != nil || string(res.Output) != tc.want {
			t.Errorf("%s: %v\n got %s\nwant %s", tc.config, err, res.Output, tc.want)
		}
	}
}

// TestWriterConfig: a ResultWriter with only a WriterConfig shapes the
// result (Transformation NONE: the execution entries; FLATTEN: arrays
// flattened), and OutputType JSONL writes JSON Lines files (AWS docs:
// input-output-resultwriter.html).
func TestWriterConfig(t *testing.T) {
	proc := `"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"$"},"OutputPath":"$.v","End":true}}}`
	def := `{"StartAt":"M","States":{"M":{"Type":"Map",` + proc + `,"ResultWriter":{"WriterConfig":{"Transformation":"FLATTEN","OutputType":"JSON"}},"End":true}}}`
	res, err := runDist(t, def, `[[1,2],[3],4]`)
	if err != nil || string(res.Output) != `[1,2,3,4]` {
		t.Errorf("FLATTEN: %v %s", err, res.Output)
	}
	def = `{"StartAt":"M","States":{"M":{"Type":"Map",` + proc + `,"ResultWriter":{"WriterConfig":{"Transformation":"NONE"}},"End":true}}}`
	res, err = runDist(t, def, `["a"]`)
	var entries []map[string]any
	if err != nil || json.Unmarshal(res.Output, &entries) != nil || len(entries) != 1 || entries[0]["Output"] != `"a"` || entries[0]["Status"] != "SUCCEEDED" {
		t.Errorf("NONE: %v %s", err, res.Output)
	}
	s3 := &s3Fake{}
	def = `{"StartAt":"M","States":{"M":{"Type":"Map",` + proc + `,"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"o","Prefix":"p/"},"WriterConfig":{"Transformation":"COMPACT","OutputType":"JSONL"}},"End":true}}}`
	if _, err := runDist(t, def, `[{"a":1},{"a":2}]`, interpreter.WithTaskResolver(s3)); err != nil {
		t.Fatal(err)
	}
	found := false
	for k, body := range s3.written {
		if strings.HasSuffix(k, "/SUCCEEDED_0.jsonl") {
			found = true
			if !strings.HasPrefix(k, "o/p/") || body != "{\"a\":1}\n{\"a\":2}\n" {
				t.Errorf("%s: %q", k, body)
			}
		}
	}
	if !found {
		t.Errorf("no SUCCEEDED_0.jsonl written: %v", s3.written)
	}
}

// TestJSONataTolerance: a JSONata Map's ToleratedFailureCount and
// ToleratedFailurePercentage, as numbers or expressions.
func TestJSONataTolerance(t *testing.T) {
	for _, tc := range []struct {
		tolerance string
		fails     bool
	}{{`"ToleratedFailureCount":1,`, false}, {`"ToleratedFailureCount":"{% $states.input.n %}",`, false},
		{`"ToleratedFailurePercentage":"{% 10 %}",`, true}, {``, true}} {
		def := `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",` + tc.tolerance + `"Items":"{% $states.input.items %}",
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"C","States":{
				"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input = 1 %}","Next":"F"}],"Default":"P"},
				"F":{"Type":"Fail","Error":"Bad"},"P":{"Type":"Pass","End":true}}},"End":true}}}`
		res, err := runDist(t, def, `{"n":1,"items":[0,1,2]}`)
		if tc.fails != (err != nil) || (tc.fails && res.Error != "States.ExceedToleratedFailureThreshold") {
			t.Errorf("%s: %v %s", tc.tolerance, err, res.Output)
		}
	}
}

// TestLoadAndFlatten: ReaderConfig.Transformation LOAD_AND_FLATTEN reads
// each listed object and flattens their items (AWS Compute Blog on the
// Distributed Map S3 prefix). (PARQUET objects: TestParquetManifestAndListing.)
func TestLoadAndFlatten(t *testing.T) {
	s3 := &s3Fake{objects: map[string]string{"b/logs/1.jsonl": "{\"n\":1}\n{\"n\":2}\n", "b/logs/2.jsonl": "{\"n\":3}\n", "b/other": "x"}}
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b","Prefix":"logs/"},
		"ReaderConfig":{"InputType":"JSONL","Transformation":"LOAD_AND_FLATTEN"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	res, err := runDist(t, def, `{}`, interpreter.WithTaskResolver(s3))
	if err != nil || string(res.Output) != `[{"n":1},{"n":2},{"n":3}]` {
		t.Errorf("%v %s", err, res.Output)
	}
}

// TestJSONataBatchSelector: in a JSONata Map, ItemSelector applies to
// each item before ItemBatcher groups them (AWS docs:
// input-output-itembatcher.html).
func TestJSONataBatchSelector(t *testing.T) {
	def := `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% $states.input %}",
		"ItemSelector":{"v":"{% $states.context.Map.Item.Value * 10 %}"},"ItemBatcher":{"MaxItemsPerBatch":2},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	res, err := runDist(t, def, `[1,2,3]`)
	if err != nil || string(res.Output) != `[{"Items":[{"v":10},{"v":20}]},{"Items":[{"v":30}]}]` {
		t.Errorf("%v %s", err, res.Output)
	}
}

// BenchmarkDistributedMap10000: a distributed Map over a 10,000-row CSV
// object, each row a child execution, the results written with a
// ResultWriter (go test ./interpreter -run '^$' -bench DistributedMap
// -benchmem).
func BenchmarkDistributedMap10000(b *testing.B) {
	var csv strings.Builder
	csv.WriteString("id,name,qty\n")
	for i := range 10000 {
		fmt.Fprintf(&csv, "%d,item%d,%d\n", i, i, i%7)
	}
	body, _ := json.Marshal(map[string]string{"Body": csv.String()})
	m, err := interpreter.Compile([]byte(`{"StartAt":"Rows","States":{"Rows":{"Type":"Map","MaxConcurrency":100,
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},"Parameters":{"Bucket":"b","Key":"k"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"o","Prefix":"r"}},"End":true}}}`))
	if err != nil {
		b.Fatal(err)
	}
	tasks := interpreter.TaskFunc(func(_ context.Context, r *interpreter.TaskRequest) ([]byte, error) {
		if r.Part == interpreter.PartItemReader {
			return body, nil
		}
		return []byte(`{}`), nil
	})
	for b.Loop() {
		if _, err := m.Run(context.Background(), nil, interpreter.WithTaskResolver(tasks)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestResultWriterSplits: the results of one status go to as many files
// as the per-file limit needs (SUCCEEDED_0.json, SUCCEEDED_1.json, ...,
// each a JSON array or JSON Lines of whole entries, each listed in the
// manifest with its size), as AWS splits result files past 5 GB (AWS
// docs, "ResultWriter", exporting to Amazon S3); an entry larger than the
// limit gets a file of its own.
func TestResultWriterSplits(t *testing.T) {
	for _, tc := range []struct {
		outputType string
		limit      int64
		files      int
	}{{"JSON", 20, 4}, {"JSONL", 20, 3}, {"JSON", 1000, 1}, {"JSON", 3, 10}} {
		t.Run(fmt.Sprintf("%s-%d", tc.outputType, tc.limit), func(t *testing.T) {
			def := `{"StartAt":"M","States":{"M":{"Type":"Map",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"p"},
			"WriterConfig":{"Transformation":"COMPACT","OutputType":"` + tc.outputType + `"}},"End":true}}}`
			s3 := &s3Fake{}
			res, err := runDist(t, def, `[1000,1001,1002,1003,1004,1005,1006,1007,1008,1009]`, interpreter.WithTaskResolver(s3), interpreter.WithResultFileBytes(tc.limit))
			if err != nil {
				t.Fatal(err)
			}
			var out struct{ ResultWriterDetails struct{ Bucket, Key string } }
			json.Unmarshal(res.Output, &out)
			var manifest struct {
				ResultFiles map[string][]struct {
					Key  string
					Size int
				}
			}
			if err := json.Unmarshal([]byte(s3.written["out/"+out.ResultWriterDetails.Key]), &manifest); err != nil {
				t.Fatal(err)
			}
			files := manifest.ResultFiles["SUCCEEDED"]
			if len(files) != tc.files {
				t.Fatalf("%d files, want %d: %+v", len(files), tc.files, files)
			}
			var all []int
			for i, f := range files {
				ext := map[string]string{"JSON": ".json", "JSONL": ".jsonl"}[tc.outputType]
				if !strings.HasSuffix(f.Key, fmt.Sprintf("/SUCCEEDED_%d%s", i, ext)) {
					t.Errorf("file %d is %s", i, f.Key)
				}
				body := s3.written["out/"+f.Key]
				if len(body) != f.Size || (len(body) > int(tc.limit) && !strings.Contains(body[1:], "1")) {
					t.Errorf("%s: %d bytes (manifest: %d, limit %d)", f.Key, len(body), f.Size, tc.limit)
				}
				if tc.outputType == "JSONL" {
					for _, line := range strings.Fields(body) {
						var n int
						json.Unmarshal([]byte(line), &n)
						all = append(all, n)
					}
					continue
				}
				var part []int
				if err := json.Unmarshal([]byte(body), &part); err != nil {
					t.Fatalf("%s: %v: %s", f.Key, err, body)
				}
				if len(part) > 1 && len(body) > int(tc.limit) {
					t.Errorf("%s holds %d entries in %d bytes, over the limit %d", f.Key, len(part), len(body), tc.limit)
				}
				all = append(all, part...)
			}
			if fmt.Sprint(all) != "[1000 1001 1002 1003 1004 1005 1006 1007 1008 1009]" {
				t.Errorf("entries %v", all)
			}
		})
	}
}

// TestReaderItemsPointerAndAthena: ReaderConfig.ItemsPointer picks the
// array inside a JSON object read from S3 (a JSON pointer, RFC 6901), and
// ManifestType ATHENA_DATA reads an Athena UNLOAD manifest, a list of
// s3:// URIs whose data files (gzip or not) are CSV or JSON Lines; AWS
// docs, "ItemReader (Map)": ReaderConfig.
func TestReaderItemsPointerAndAthena(t *testing.T) {
	var gz strings.Builder
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("{\"id\":3}\n"))
	zw.Close()
	s3 := &s3Fake{objects: map[string]string{
		"b/nested.json":         `{"data":{"a/b":[{"id":1},{"id":2}],"n":5}}`,
		"b/athena-manifest.csv": "s3://res/q/part-1.gz\ns3://res/q/part-2\n",
		"b/athena-csv.csv":      "s3://res/q/c1.csv\n",
		"res/q/part-1.gz":       gz.String(),
		"res/q/part-2":          "{\"id\":4}\n{\"id\":5}\n",
		"res/q/c1.csv":          "x,y\n1,2\n",
		"b/bad-manifest":        "https://example/x\n",
	}}
	for _, tc := range []struct{ config, key, want string }{
		{`{"InputType":"JSON","ItemsPointer":"/data/a~1b"}`, "nested.json", `[{"id":1},{"id":2}]`},
		{`{"InputType":"JSON","ItemsPointer":"/data/a~1b/1"}`, "nested.json", `States.ItemReaderFailed: Attempting to map over non-iterable node.`},
		{`{"InputType":"JSON","ItemsPointer":"/data/missing"}`, "nested.json", `States.ItemReaderFailed: The ItemsPointer /data/missing does not point to a value of the JSON file`},
		{`{"InputType":"JSON","ItemsPointer":"data"}`, "nested.json", `States.ItemReaderFailed: ItemsPointer must be a JSON pointer: "" or a string starting with /`},
		{`{"ManifestType":"ATHENA_DATA","InputType":"JSONL"}`, "athena-manifest.csv", `[{"id":3},{"id":4},{"id":5}]`},
		{`{"ManifestType":"ATHENA_DATA","InputType":"JSONL","MaxItems":2}`, "athena-manifest.csv", `[{"id":3},{"id":4}]`},
		{`{"ManifestType":"ATHENA_DATA","InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"}`, "athena-csv.csv", `[{"x":"1","y":"2"}]`},
		{`{"ManifestType":"ATHENA_DATA","InputType":"JSONL"}`, "bad-manifest", `States.ItemReaderFailed: The Athena manifest lists "https://example/x", which is not an s3://BUCKET/KEY URI`},
		{`{"ManifestType":"ATHENA_DATA","InputType":"JSON"}`, "athena-csv.csv", `States.ItemReaderFailed: InputType JSON cannot be read with ManifestType ATHENA_DATA: the data files are CSV, JSONL or PARQUET`},
	} {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":` + tc.config + `,"Parameters":{"Bucket":"b","Key":"` + tc.key + `"}},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
		res, err := runDist(t, def, `{}`, interpreter.WithTaskResolver(s3))
		if err != nil && res == nil {
			t.Fatalf("%s: %v", tc.config, err)
		}
		got := string(res.Output)
		if res.Status != interpreter.StatusSucceeded {
			got = res.Error + ": " + res.Cause
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.config, got, tc.want)
		}
	}
}

// TestMapRunAborted: a map run whose parent stops (the execution's
// context ends, as StopExecution does) or fails through another Parallel
// branch is aborted: MapRunAborted (no details: the AWS API model's
// HistoryEvent has no mapRunAbortedEventDetails) in the parent's history,
// the run ABORTED and its running children ABORTED.
func TestMapRunAborted(t *testing.T) {
	dmap := `{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
		"StartAt":"Block","States":{"Block":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:block","End":true}}},"End":true}`
	for _, tc := range []struct {
		name, def string
		status    interpreter.Status
	}{
		{"stopped", `{"StartAt":"M","States":{"M":` + dmap + `}}`, interpreter.StatusAborted},
		{"sibling failed", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
			{"StartAt":"M","States":{"M":` + dmap + `}},
			{"StartAt":"Fail","States":{"Fail":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:fail","End":true}}}]}}}`, interpreter.StatusFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			started := make(chan struct{}, 2)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tasks := interpreter.TaskFunc(func(ctx context.Context, r *interpreter.TaskRequest) ([]byte, error) {
				if r.StateName == "Fail" {
					<-started
					<-started
					return nil, &interpreter.ExecutionError{Name: "Boom", Cause: "the other branch failed"}
				}
				started <- struct{}{}
				if tc.name == "stopped" && len(started) == 2 {
					cancel()
				}
				<-ctx.Done()
				return nil, ctx.Err()
			})
			var runs []*interpreter.MapRun
			var mu sync.Mutex
			var events []string
			m, err := interpreter.Compile([]byte(tc.def))
			if err != nil {
				t.Fatal(err)
			}
			res, _ := m.Run(ctx, []byte(`[1,2]`), interpreter.WithTaskResolver(tasks),
				interpreter.WithMapRunHook(func(r *interpreter.MapRun) { mu.Lock(); runs = append(runs, r); mu.Unlock() }),
				interpreter.WithEventHook(func(e interpreter.Event) {
					events = append(events, e.Type)
					if e.Type == "MapRunAborted" && (e.MapRunFailedEventDetails != nil || e.MapRunStartedEventDetails != nil) {
						t.Errorf("MapRunAborted with details: %+v", e)
					}
				}))
			if res.Status != tc.status {
				t.Fatalf("status %s (%s: %s)", res.Status, res.Error, res.Cause)
			}
			joined := strings.Join(events, " ")
			if !strings.Contains(joined, "MapRunStarted") || !strings.Contains(joined, "MapRunAborted") || strings.Contains(joined, "MapRunFailed") ||
				strings.Index(joined, "MapRunAborted") > strings.Index(joined, "Execution"+map[interpreter.Status]string{interpreter.StatusAborted: "Aborted", interpreter.StatusFailed: "Failed"}[tc.status]) {
				t.Errorf("events %s", joined)
			}
			if len(runs) != 1 {
				t.Fatalf("%d map runs", len(runs))
			}
			<-runs[0].Done()
			info := runs[0].Info()
			if info.Status != "ABORTED" || info.StopDate.IsZero() || info.ExecutionCounts.Aborted != 2 || info.ExecutionCounts.Running != 0 {
				t.Errorf("map run %+v", info)
			}
			for _, c := range runs[0].Children() {
				if c.Status != interpreter.StatusAborted {
					t.Errorf("child %s is %s", c.Name, c.Status)
				}
			}
		})
	}
}
