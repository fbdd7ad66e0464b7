package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/parquet-go/parquet-go"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
)

// A distributed Map reading a Parquet object (ReaderConfig.InputType
// PARQUET, AWS docs "ItemReader") through the mock file, whose JSON
// carries the file as base64 in Body: each row is a child execution's
// input, and a file that is not Parquet fails the execution with
// States.ItemReaderFailed. How rows map to JSON is hsc's choice (no AWS
// recording exists; README "Distributed Map").
func TestMapRunParquet(t *testing.T) {
	type row struct {
		ID   int64     `parquet:"id"`
		Name *string   `parquet:"name,optional"`
		At   time.Time `parquet:"at,timestamp(millisecond)"`
		Tags []string  `parquet:"tags,list"`
	}
	pen := "pen"
	var file bytes.Buffer
	w := parquet.NewGenericWriter[row](&file, parquet.Compression(&parquet.Snappy))
	if _, err := w.Write([]row{{1, &pen, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), []string{"a"}}, {2, nil, time.Unix(0, 0), nil}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	mock, err := json.Marshal(map[string]any{
		"StateMachines": map[string]any{"pq": map[string]any{"TestCases": map[string]any{
			"ok":  map[string]string{"Rows/ItemReader": "ParquetObject"},
			"bad": map[string]string{"Rows/ItemReader": "CsvObject"}}}},
		"MockedResponses": map[string]any{
			"ParquetObject": map[string]any{"0": map[string]any{"Return": map[string]string{"Body": base64.StdEncoding.EncodeToString(file.Bytes())}}},
			"CsvObject":     map[string]any{"0": map[string]any{"Return": map[string]string{"Body": "id\n1\n"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := interpreter.ParseMockConfig(mock)
	if err != nil {
		t.Fatal(err)
	}
	_, c := start(t, server.Config{Mock: cfg})
	ctx := ctxT(t)
	def := `{"StartAt":"Rows","States":{"Rows":{"Type":"Map","MaxConcurrency":1,
		"ItemReader":{"ReaderConfig":{"InputType":"PARQUET"},"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b","Key":"rows.parquet"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	arn := createMachine(t, c, "pq", def)

	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#ok"), Input: aws.String(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, c, *ex.ExecutionArn)
	want := `[{"id":1,"name":"pen","at":"2024-01-02T03:04:05.000Z","tags":["a"]},{"id":2,"name":null,"at":"1970-01-01T00:00:00.000Z","tags":[]}]`
	if d.Status != "SUCCEEDED" || aws.ToString(d.Output) != want {
		t.Fatalf("execution %s: %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 1 {
		t.Fatalf("ListMapRuns: %+v %v", runs, err)
	}
	kids, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: runs.MapRuns[0].MapRunArn})
	if err != nil || len(kids.Executions) != 2 {
		t.Fatalf("children: %+v %v", kids, err)
	}
	inputs := map[string]bool{}
	for _, k := range kids.Executions {
		kd, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: k.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		inputs[aws.ToString(kd.Input)] = true
	}
	if !inputs[`{"id":1,"name":"pen","at":"2024-01-02T03:04:05.000Z","tags":["a"]}`] || !inputs[`{"id":2,"name":null,"at":"1970-01-01T00:00:00.000Z","tags":[]}`] {
		t.Errorf("children's inputs %v", inputs)
	}

	ex, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#bad"), Input: aws.String(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	d = waitDone(t, c, *ex.ExecutionArn)
	if d.Status != "FAILED" || aws.ToString(d.Error) != "States.ItemReaderFailed" ||
		aws.ToString(d.Cause) != "The Parquet object s3://b/rows.parquet cannot be read: the object is not a Parquet file (it does not start with PAR1)" {
		t.Errorf("a CSV read as PARQUET: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}
