package interpreter_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/hsc-dev/hsc/interpreter"
)

// readerDef is a distributed Map reading Bucket b, Key key with this
// ReaderConfig, its children passing each item on.
func readerDef(config, key string) string {
	return `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":` + config +
		`,"Parameters":{"Bucket":"b","Key":"` + key + `"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
}

// runReader runs readerDef and gives its output, or "ERROR: CAUSE".
func runReader(t *testing.T, s3 *s3Fake, config, key string) string {
	t.Helper()
	res, err := runDist(t, readerDef(config, key), `{}`, interpreter.WithTaskResolver(s3))
	if err != nil && res == nil {
		t.Fatalf("%s: %v", config, err)
	}
	if res.Status != interpreter.StatusSucceeded {
		return res.Error + ": " + res.Cause
	}
	return string(res.Output)
}

func gzipped(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.String()
}

func zstded(t *testing.T, s string) string {
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zw.Close()
	return string(zw.EncodeAll([]byte(s), nil))
}

// TestInventoryItemsAsDocumented reads the S3 inventory of the AWS
// documentation's example (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html,
// "Amazon S3 inventory"): its manifest.json (fileSchema "Bucket, Key,
// Size, LastModifiedDate", destinationBucket an S3 bucket ARN, a gzip
// CSV data file) and its CSV rows, every field quoted. The page's "Input
// to a child workflow execution" for the titles.csv row is
// {"LastModifiedDate", "Bucket", "Size", "Key"} in that order, all
// strings; each row, folders included, is one item.
func TestInventoryItemsAsDocumented(t *testing.T) {
	rows := `"amzn-s3-demo-source-bucket","csvDataset/","0","2022-11-16T00:27:19.000Z"
"amzn-s3-demo-source-bucket","csvDataset/titles.csv","3399671","2022-11-16T00:29:32.000Z"
"amzn-s3-demo-source-bucket","imageDataset/","0","2022-11-15T20:00:44.000Z"
"amzn-s3-demo-source-bucket","imageDataset/n02085620_10074.jpg","27034","2022-11-15T20:02:16.000Z"
`
	dataKey := "amzn-s3-demo-bucket/destination-prefix/data/20e55de8-9c21-45d4-99b9-46c732000228.csv.gz"
	s3 := &s3Fake{objects: map[string]string{
		"b/inventory/manifest.json": `{
 "sourceBucket" : "amzn-s3-demo-source-bucket",
 "destinationBucket" : "arn:aws:s3:::amzn-s3-demo-inventory",
 "version" : "2016-11-30",
 "creationTimestamp" : "1668560400000",
 "fileFormat" : "CSV",
 "fileSchema" : "Bucket, Key, Size, LastModifiedDate",
 "files" : [ {
  "key" : "` + dataKey + `",
  "size" : 7300,
  "MD5checksum" : "a7ff4a1d4164c3cd55851055ec8f6b20"
 } ]
}`,
		"amzn-s3-demo-inventory/" + dataKey: gzipped(rows),
	}}
	item := func(key, size, date string) string {
		return `{"LastModifiedDate":"` + date + `","Bucket":"amzn-s3-demo-source-bucket","Size":"` + size + `","Key":"` + key + `"}`
	}
	want := "[" + strings.Join([]string{
		item("csvDataset/", "0", "2022-11-16T00:27:19.000Z"),
		item("csvDataset/titles.csv", "3399671", "2022-11-16T00:29:32.000Z"), // the page's child input
		item("imageDataset/", "0", "2022-11-15T20:00:44.000Z"),
		item("imageDataset/n02085620_10074.jpg", "27034", "2022-11-15T20:02:16.000Z"),
	}, ",") + "]"
	for _, config := range []string{`{"InputType":"MANIFEST"}`, `{"ManifestType":"S3_INVENTORY"}`} {
		if got := runReader(t, s3, config, "inventory/manifest.json"); got != want {
			t.Errorf("%s:\n got %s\nwant %s", config, got, want)
		}
	}
}

// TestCompressedInputObjects: an object an ItemReader reads may be
// compressed with GZIP or ZSTD ("Input files support the following
// external compression types: GZIP, ZSTD", with the example names
// myObject.jsonl.gz and myObject.csv.zstd: AWS docs,
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html,
// ReaderConfig.InputType). Read through s3:getObject, as the objects of
// a LOAD_AND_FLATTEN listing, and as an inventory's data files.
func TestCompressedInputObjects(t *testing.T) {
	s3 := &s3Fake{objects: map[string]string{
		"b/myObject.jsonl.gz":  gzipped("{\"id\":1}\n{\"id\":2}\n"),
		"b/myObject.csv.zstd":  zstded(t, "name,qty\npen,2\n"),
		"b/array.json.gz":      gzipped(`[1,2,3]`),
		"b/flat/1.jsonl.zstd":  zstded(t, "{\"id\":3}\n"),
		"b/flat/2.jsonl.gz":    gzipped("{\"id\":4}\n"),
		"b/inv/manifest.json":  `{"destinationBucket":"arn:aws:s3:::d","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[{"key":"data/1.csv.zstd"}]}`,
		"d/data/1.csv.zstd":    zstded(t, "src,k1\n"),
		"b/bad.csv.gz":         "\x1f\x8b\x08\x00 cut short",
		"b/plain-named.csv.gz": "a\n1\n",
	}}
	for _, tc := range []struct{ config, key, want string }{
		{`{"InputType":"JSONL"}`, "myObject.jsonl.gz", `[{"id":1},{"id":2}]`},
		{`{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"}`, "myObject.csv.zstd", `[{"qty":"2","name":"pen"}]`},
		{`{"InputType":"JSON"}`, "array.json.gz", `[1,2,3]`},
		{`{"InputType":"MANIFEST"}`, "inv/manifest.json", `[{"Bucket":"src","Key":"k1"}]`},
		{`{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"}`, "plain-named.csv.gz", `[{"a":"1"}]`},
	} {
		if got := runReader(t, s3, tc.config, tc.key); got != tc.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tc.config, tc.key, got, tc.want)
		}
	}
	got := runReader(t, s3, `{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"}`, "bad.csv.gz")
	if !strings.HasPrefix(got, "States.ItemReaderFailed: ") || !strings.Contains(got, "s3://b/bad.csv.gz") {
		t.Errorf("a corrupt gzip object: %s", got)
	}
	flat := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","ReaderConfig":{"InputType":"JSONL","Transformation":"LOAD_AND_FLATTEN"},"Parameters":{"Bucket":"b","Prefix":"flat/"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	res, err := runDist(t, flat, `{}`, interpreter.WithTaskResolver(s3))
	if err != nil || string(res.Output) != `[{"id":3},{"id":4}]` {
		t.Errorf("LOAD_AND_FLATTEN of compressed objects: %v %s %s: %s", err, res.Output, res.Error, res.Cause)
	}
}

// TestUnstartedItemsStayPending: when a map run fails before some items
// are processed, those items stay pending in its item counts ("if a Map
// Run fails with 10 unprocessed items, these 10 items remain in the
// Pending status": AWS docs,
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html,
// "Item processing status"). One child at a time; the first item fails
// the run, so the other three never start.
func TestUnstartedItemsStayPending(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":1,"Next":"F"}],"Default":"P"},
			"F":{"Type":"Fail","Error":"Bad"},"P":{"Type":"Pass","End":true}}},"End":true}}}`
	var run *interpreter.MapRun
	res, _ := runDist(t, def, `[1,0,0,0]`, interpreter.WithMapRunHook(func(r *interpreter.MapRun) { run = r }))
	if res == nil || res.Error != "States.ExceedToleratedFailureThreshold" || run == nil {
		t.Fatalf("result %+v", res)
	}
	info := run.Info()
	if info.Status != "FAILED" {
		t.Errorf("status %s", info.Status)
	}
	want := interpreter.MapRunCounts{Pending: 3, Failed: 1, Total: 4}
	if info.ItemCounts != want {
		t.Errorf("itemCounts %+v, want %+v", info.ItemCounts, want)
	}
	if want := (interpreter.MapRunCounts{Failed: 1, Total: 1}); info.ExecutionCounts != want {
		t.Errorf("executionCounts %+v, want %+v", info.ExecutionCounts, want)
	}
}

// TestFailedRunWritesResults: a map run that fails on its tolerance still
// exports its results: SUCCEEDED_0.json, FAILED_0.json and PENDING_0.json
// ("all child workflow executions that weren't started because the Map
// Run failed"), listed by manifest.json (AWS docs,
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html,
// "Exporting to Amazon S3"). The state fails with
// States.ExceedToleratedFailureThreshold all the same.
func TestFailedRunWritesResults(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":1,"Next":"F"}],"Default":"P"},
			"F":{"Type":"Fail","Error":"Bad","Cause":"one"},"P":{"Type":"Pass","End":true}}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"jobs"}},"End":true}}}`
	s3 := &s3Fake{}
	var run *interpreter.MapRun
	res, _ := runDist(t, def, `[0,1,7,8]`, interpreter.WithTaskResolver(s3), interpreter.WithMapRunHook(func(r *interpreter.MapRun) { run = r }))
	if res == nil || res.Error != "States.ExceedToleratedFailureThreshold" || run == nil {
		t.Fatalf("result %+v", res)
	}
	info := run.Info()
	id := info.ARN[strings.LastIndexByte(info.ARN, ':')+1:]
	var manifest struct {
		DestinationBucket, MapRunArn string
		ResultFiles                  map[string][]struct {
			Key  string
			Size int
		}
	}
	if err := json.Unmarshal([]byte(s3.written["out/jobs/"+id+"/manifest.json"]), &manifest); err != nil {
		t.Fatalf("manifest: %v (written: %v)", err, s3.written)
	}
	if manifest.DestinationBucket != "out" || manifest.MapRunArn != info.ARN {
		t.Errorf("manifest %+v", manifest)
	}
	for status, want := range map[string]string{
		"SUCCEEDED": `"Input":"0"`,
		"FAILED":    `"Error":"Bad","Cause":"one"`,
		"PENDING":   `[{"Input":"7","InputDetails":{"Included":true},"Status":"PENDING"},{"Input":"8","InputDetails":{"Included":true},"Status":"PENDING"}]`,
	} {
		files := manifest.ResultFiles[status]
		if len(files) != 1 || files[0].Key != "jobs/"+id+"/"+status+"_0.json" {
			t.Fatalf("%s files %+v", status, files)
		}
		body := s3.written["out/"+files[0].Key]
		if len(body) != files[0].Size || !strings.Contains(body, want) {
			t.Errorf("%s_0.json (size %d in the manifest): %s, want it to hold %s", status, files[0].Size, body, want)
		}
	}
	if info.ItemCounts.ResultsWritten != 2 || info.ItemCounts.Pending != 2 {
		t.Errorf("itemCounts %+v, want 2 results written and 2 pending", info.ItemCounts)
	}
}

// TestResultEntryAsDocumented: an entry of SUCCEEDED_0.json has the
// members, in the order, of the Transformation NONE example of AWS's
// ResultWriter page
// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html):
// ExecutionArn (execution:MACHINE/LABEL:NAME), Input, InputDetails, Name
// (the ARN's last part), Output, OutputDetails, RedriveCount,
// RedriveStatus, RedriveStatusReason, StartDate, StateMachineArn
// (stateMachine:MACHINE/LABEL), Status, StopDate, dates as
// 2025-02-04T01:49:50.099Z.
func TestResultEntryAsDocumented(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","Label":"getOrders",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"jobs"}},"End":true}}}`
	s3 := &s3Fake{}
	var run *interpreter.MapRun
	res, err := runDist(t, def, `[{"order_id":"100000"}]`, interpreter.WithTaskResolver(s3), interpreter.WithMapRunHook(func(r *interpreter.MapRun) { run = r }))
	if err != nil || run == nil {
		t.Fatalf("%v %+v", err, res)
	}
	info := run.Info()
	id := info.ARN[strings.LastIndexByte(info.ARN, ':')+1:]
	body := s3.written["out/jobs/"+id+"/SUCCEEDED_0.json"]
	c := run.Children()[0]
	start, stop := c.StartDate.UTC().Format("2006-01-02T15:04:05.000Z"), c.StopDate.UTC().Format("2006-01-02T15:04:05.000Z")
	arn := "arn:aws:states:us-east-1:123456789012:execution:sm/getOrders:" + c.Name
	want := `[{"ExecutionArn":"` + arn + `","Input":"{\"order_id\":\"100000\"}","InputDetails":{"Included":true},"Name":"` + c.Name +
		`","Output":"{\"order_id\":\"100000\"}","OutputDetails":{"Included":true},"RedriveCount":0,"RedriveStatus":"NOT_REDRIVABLE",` +
		`"RedriveStatusReason":"Execution is SUCCEEDED and cannot be redriven","StartDate":"` + start +
		`","StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:sm/getOrders","Status":"SUCCEEDED","StopDate":"` + stop + `"}]`
	if body != want || c.ExecutionARN != arn {
		t.Errorf("SUCCEEDED_0.json\n got %s\nwant %s", body, want)
	}
}

// TestReaderConfigAsDocumented: the ReaderConfig combinations AWS's
// ItemReader page rules out fail the run with States.ItemReaderFailed,
// as hsc's other refused ReaderConfigs do: "If set to S3_INVENTORY, you
// must not also specify InputType" and "When set to LOAD_AND_FLATTEN,
// you must also set InputType"
// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html,
// ReaderConfig). How AWS refuses them (at creation or at run time) is
// not documented.
func TestReaderConfigAsDocumented(t *testing.T) {
	s3 := &s3Fake{objects: map[string]string{
		"b/inv/manifest.json": `{"destinationBucket":"arn:aws:s3:::d","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[{"key":"data/1.csv"}]}`,
		"d/data/1.csv":        "src,k1\n",
		"b/flat/1.json":       `[1]`,
	}}
	for _, tc := range []struct{ config, want string }{
		{`{"ManifestType":"S3_INVENTORY"}`, `[{"Bucket":"src","Key":"k1"}]`},
		{`{"ManifestType":"S3_INVENTORY","InputType":"CSV"}`, "States.ItemReaderFailed: InputType CSV must not be given with ManifestType S3_INVENTORY: an S3 inventory's data files are CSV"},
		{`{"ManifestType":"S3_INVENTORY","InputType":"MANIFEST"}`, "States.ItemReaderFailed: InputType MANIFEST must not be given with ManifestType S3_INVENTORY: an S3 inventory's data files are CSV"},
	} {
		if got := runReader(t, s3, tc.config, "inv/manifest.json"); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.config, got, tc.want)
		}
	}
	for _, tc := range []struct{ config, want string }{
		{`{"InputType":"JSON","Transformation":"LOAD_AND_FLATTEN"}`, `[1]`},
		{`{"Transformation":"LOAD_AND_FLATTEN"}`, "States.ItemReaderFailed: Transformation LOAD_AND_FLATTEN needs an InputType (CSV, JSON, JSONL or PARQUET) to read the listed objects with"},
	} {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","ReaderConfig":` + tc.config + `,"Parameters":{"Bucket":"b","Prefix":"flat/"}},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
		res, _ := runDist(t, def, `{}`, interpreter.WithTaskResolver(s3))
		got := string(res.Output)
		if res.Status != interpreter.StatusSucceeded {
			got = res.Error + ": " + res.Cause
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.config, got, tc.want)
		}
	}
}
