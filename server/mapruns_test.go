package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
)

// A distributed Map reading a CSV object through the mock file, as the
// recording of test_list_map_runs_and_describe_map_run on AWS
// (localstack tests/aws/services/stepfunctions/v2/test_sfn_api_map_run.py)
// shows it: ListMapRuns names the run, DescribeMapRun gives its counts,
// ListExecutions by mapRunArn lists its children, DescribeExecution
// describes one, GetExecutionHistory shows MapRunStarted/Succeeded, and
// UpdateMapRun changes its settings.
func TestMapRuns(t *testing.T) {
	mock, err := interpreter.ParseMockConfig([]byte(`{
		"StateMachines": {"dmap": {"TestCases": {"csv": {"MapState/ItemReader": "CsvObject"}}}},
		"MockedResponses": {"CsvObject": {"0": {"Return": {"Body": "Col1,Col2,Col3\nValue1,Value2,Value3\nValue4,Value5,Value6"}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, c := start(t, server.Config{Mock: mock})
	ctx := ctxT(t)
	def := `{"StartAt":"MapState","States":{"MapState":{"Type":"Map","MaxConcurrency":1,
		"ItemReader":{"ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket.$":"$.Bucket","Key.$":"$.Key"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"PassItem","States":{"PassItem":{"Type":"Pass","End":true}}},"End":true}}}`
	arn := createMachine(t, c, "dmap", def)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#csv"), Input: aws.String(`{"Bucket":"b","Key":"file.csv"}`)})
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, c, *ex.ExecutionArn)
	if d.Status != "SUCCEEDED" || *d.Output != `[{"Col1":"Value1","Col2":"Value2","Col3":"Value3"},{"Col1":"Value4","Col2":"Value5","Col3":"Value6"}]` {
		t.Fatalf("execution %s: %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 1 {
		t.Fatalf("ListMapRuns: %+v %v", runs, err)
	}
	r := runs.MapRuns[0]
	if *r.ExecutionArn != *ex.ExecutionArn || !strings.HasPrefix(*r.MapRunArn, "arn:aws:states:us-east-1:123456789012:mapRun:dmap/") ||
		!strings.HasPrefix(*r.StateMachineArn, "arn:aws:states:us-east-1:123456789012:stateMachine:dmap/") || r.StopDate == nil {
		t.Errorf("map run %+v", r)
	}
	mr, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: r.MapRunArn})
	if err != nil {
		t.Fatal(err)
	}
	if mr.Status != "SUCCEEDED" || mr.MaxConcurrency != 1 || *mr.ExecutionArn != *ex.ExecutionArn || *mr.MapRunArn != *r.MapRunArn ||
		mr.StopDate == nil || mr.ToleratedFailureCount != 0 || mr.ToleratedFailurePercentage != 0 {
		t.Errorf("DescribeMapRun %+v", mr)
	}
	// The counts as recorded on AWS (localstack
	// tests/aws/services/stepfunctions/v2/test_sfn_api_map_run.snapshot.json,
	// "test_list_map_runs_and_describe_map_run", recorded 21-09-2023):
	// itemCounts and executionCounts alike, resultsWritten 2 although the
	// state has no ResultWriter.
	want := [8]int64{0, 0, 0, 2, 0, 2, 0, 2} // aborted failed pending resultsWritten running succeeded timedOut total
	if ic := mr.ItemCounts; [8]int64{ic.Aborted, ic.Failed, ic.Pending, ic.ResultsWritten, ic.Running, ic.Succeeded, ic.TimedOut, ic.Total} != want {
		t.Errorf("itemCounts %+v, want (aborted failed pending resultsWritten running succeeded timedOut total) %v", ic, want)
	}
	if ec := mr.ExecutionCounts; [8]int64{ec.Aborted, ec.Failed, ec.Pending, ec.ResultsWritten, ec.Running, ec.Succeeded, ec.TimedOut, ec.Total} != want {
		t.Errorf("executionCounts %+v, want (aborted failed pending resultsWritten running succeeded timedOut total) %v", ec, want)
	}
	// ListMapRuns names the child machine as PARENT/LABEL, the label
	// being the map run ARN's (recorded, as above).
	label := (*r.MapRunArn)[strings.Index(*r.MapRunArn, "dmap/")+len("dmap/") : strings.LastIndexByte(*r.MapRunArn, ':')]
	if *r.StateMachineArn != arn+"/"+label {
		t.Errorf("ListMapRuns stateMachineArn %s, want %s", *r.StateMachineArn, arn+"/"+label)
	}
	kids, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: r.MapRunArn, MaxResults: 1})
	if err != nil || len(kids.Executions) != 1 || kids.NextToken == nil {
		t.Fatalf("ListExecutions by map run: %+v %v", kids, err)
	}
	more, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: r.MapRunArn, NextToken: kids.NextToken})
	if err != nil || len(more.Executions) != 1 || *more.Executions[0].ExecutionArn == *kids.Executions[0].ExecutionArn {
		t.Fatalf("second page: %+v %v", more, err)
	}
	child, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: more.Executions[0].ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if child.Status != "SUCCEEDED" || *child.Input != `{"Col1":"Value1","Col2":"Value2","Col3":"Value3"}` || *child.Output != *child.Input ||
		aws.ToString(child.MapRunArn) != *r.MapRunArn || *child.StateMachineArn != *r.StateMachineArn {
		t.Errorf("child %+v", child)
	}
	// A STANDARD child is an execution with its own history.
	ch, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: child.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var childTypes []string
	for _, e := range ch.Events {
		childTypes = append(childTypes, string(e.Type))
	}
	if got := strings.Join(childTypes, " "); got != "ExecutionStarted PassStateEntered PassStateExited ExecutionSucceeded" {
		t.Errorf("child events %s", got)
	}
	sm, err := c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: child.ExecutionArn})
	if err != nil || aws.ToString(sm.MapRunArn) != *r.MapRunArn || *sm.StateMachineArn != *r.StateMachineArn || *sm.Definition != def || sm.Label == nil {
		t.Errorf("DescribeStateMachineForExecution of a child: %+v %v", sm, err)
	}
	rev, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: child.ExecutionArn, ReverseOrder: true, MaxResults: 1})
	if err != nil || len(rev.Events) != 1 || rev.Events[0].Type != "ExecutionSucceeded" || rev.NextToken == nil {
		t.Fatalf("reverse page: %+v %v", rev, err)
	}
	if next, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: child.ExecutionArn, ReverseOrder: true, NextToken: rev.NextToken}); err != nil || len(next.Events) != 3 || next.Events[2].Type != "ExecutionStarted" {
		t.Errorf("second page: %+v %v", next, err)
	}
	if all, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &arn}); err != nil || len(all.Executions) != 1 {
		t.Errorf("ListExecutions of the machine lists %+v (%v), want the parent alone", all, err)
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range h.Events {
		types = append(types, string(e.Type))
		if e.MapRunStartedEventDetails != nil && *e.MapRunStartedEventDetails.MapRunArn != *r.MapRunArn {
			t.Errorf("MapRunStarted names %s", *e.MapRunStartedEventDetails.MapRunArn)
		}
	}
	if got := strings.Join(types, " "); got != "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunSucceeded MapStateSucceeded MapStateExited ExecutionSucceeded" {
		t.Errorf("events %s", got)
	}
	if _, err := c.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: r.MapRunArn, MaxConcurrency: aws.Int32(5), ToleratedFailureCount: aws.Int64(3)}); err != nil {
		t.Fatal(err)
	}
	if mr, _ := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: r.MapRunArn}); mr.MaxConcurrency != 5 || mr.ToleratedFailureCount != 3 {
		t.Errorf("after UpdateMapRun: %+v", mr)
	}
	_, err = c.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: r.MapRunArn})
	wantCode(t, err, "ValidationException")
	missing := strings.Replace(*r.MapRunArn, "dmap/", "other/", 1)
	_, err = c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: &missing})
	wantCode(t, err, "ResourceNotFound")
	_, err = c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: &missing})
	wantCode(t, err, "ResourceNotFound")
	_, err = c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: ex.ExecutionArn})
	wantCode(t, err, "InvalidArn")
}

// A map run's ResultWriter writes through the mock file, and a failing
// child beyond the tolerance fails the run with MapRunFailed; the run is
// FAILED in DescribeMapRun.
func TestMapRunFails(t *testing.T) {
	mock, err := interpreter.ParseMockConfig([]byte(`{
		"StateMachines": {"w": {"TestCases": {"t": {"M/ResultWriter": "Written"}}}},
		"MockedResponses": {"Written": {"0-9": {"Return": {}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, c := start(t, server.Config{Mock: mock})
	ctx := ctxT(t)
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailurePercentage":50,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":0,"Next":"F"}],"Default":"P"},
			"F":{"Type":"Fail","Error":"Bad"},"P":{"Type":"Pass","End":true}}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"p"}},"End":true}}}`
	arn := createMachine(t, c, "w", def)
	for _, tc := range []struct {
		input, status string
	}{{`[0,0,1]`, "SUCCEEDED"}, {`[0,1,1]`, "FAILED"}} {
		ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#t"), Input: aws.String(tc.input)})
		if err != nil {
			t.Fatal(err)
		}
		d := waitDone(t, c, *ex.ExecutionArn)
		if string(d.Status) != tc.status {
			t.Errorf("%s: %s %s %s", tc.input, d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
			continue
		}
		runs, _ := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
		mr, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: runs.MapRuns[0].MapRunArn})
		if err != nil || string(mr.Status) != tc.status || mr.ToleratedFailurePercentage != 50 {
			t.Errorf("%s: map run %+v %v", tc.input, mr, err)
		}
		if tc.status == "SUCCEEDED" {
			var out struct {
				MapRunArn           string
				ResultWriterDetails struct{ Bucket, Key string }
			}
			json.Unmarshal([]byte(*d.Output), &out)
			if out.MapRunArn != *runs.MapRuns[0].MapRunArn || out.ResultWriterDetails.Bucket != "out" || !strings.HasSuffix(out.ResultWriterDetails.Key, "/manifest.json") {
				t.Errorf("output %s", *d.Output)
			}
			if mr.ItemCounts.ResultsWritten != 3 {
				t.Errorf("resultsWritten %d, want 3", mr.ItemCounts.ResultsWritten)
			}
		} else if aws.ToString(d.Error) != "States.ExceedToleratedFailureThreshold" {
			t.Errorf("error %s", aws.ToString(d.Error))
		}
	}
}

// The nine definitions of ../shared/aws/realworld that use a distributed
// Map's ItemReader run to SUCCEEDED in the server, answered by the mock
// files of interpreter/testdata/realworld-dmap; each map run is SUCCEEDED
// in DescribeMapRun with all its items.
func TestRealworldMapRuns(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "aws", "realworld")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		testenv.Skip(t, "no realworld definitions at "+dir)
	}
	mocks := filepath.Join("..", "interpreter", "testdata", "realworld-dmap")
	n := 0
	for _, f := range files {
		def, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(def), `"ItemReader"`) {
			continue
		}
		n++
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(id, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(mocks, id+".mock.json"))
			if err != nil {
				t.Fatal(err)
			}
			input, err := os.ReadFile(filepath.Join(mocks, id+".input.json"))
			if err != nil {
				t.Fatal(err)
			}
			mock, err := interpreter.ParseMockConfig(data)
			if err != nil {
				t.Fatal(err)
			}
			_, c := start(t, server.Config{Mock: mock, VirtualTime: true})
			ctx := ctxT(t)
			arn := createMachine(t, c, "realworld", string(def))
			ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#run"), Input: aws.String(string(input))})
			if err != nil {
				t.Fatal(err)
			}
			if d := waitDone(t, c, *ex.ExecutionArn); d.Status != "SUCCEEDED" {
				t.Fatalf("%s: %s: %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
			}
			runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
			if err != nil || len(runs.MapRuns) == 0 {
				t.Fatalf("ListMapRuns: %+v %v", runs, err)
			}
			for _, r := range runs.MapRuns {
				mr, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: r.MapRunArn})
				if err != nil || mr.Status != "SUCCEEDED" || mr.ItemCounts.Total == 0 || mr.ItemCounts.Succeeded != mr.ItemCounts.Total {
					t.Errorf("map run %s: %+v %v", *r.MapRunArn, mr, err)
				}
			}
		})
	}
	if n != 9 {
		t.Errorf("%d definitions use ItemReader, want 9", n)
	}
}

// A distributed Map inside a distributed Map: each child of the outer run
// has a map run of its own, listed by ListMapRuns on the child's ARN
// (recorded on AWS: localstack's test_map_state_nested_config_distributed
// runs such a machine).
func TestNestedMapRuns(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	def := `{"StartAt":"Outer","States":{"Outer":{"Type":"Map","ItemsPath":"$.jobs",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Inner","States":{"Inner":{"Type":"Map","ItemsPath":"$.items",
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}},"End":true}}}`
	arn := createMachine(t, c, "nested", def)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"jobs":[{"items":[1,2]},{"items":[3]}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *ex.ExecutionArn); d.Status != "SUCCEEDED" || *d.Output != `[[1,2],[3]]` {
		t.Fatalf("%s %s", d.Status, aws.ToString(d.Output))
	}
	runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 1 {
		t.Fatalf("%+v %v", runs, err)
	}
	kids, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: runs.MapRuns[0].MapRunArn})
	if err != nil || len(kids.Executions) != 2 {
		t.Fatalf("%+v %v", kids, err)
	}
	total := int64(0)
	for _, k := range kids.Executions {
		inner, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: k.ExecutionArn})
		if err != nil || len(inner.MapRuns) != 1 {
			t.Fatalf("child %s: %+v %v", *k.ExecutionArn, inner, err)
		}
		mr, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: inner.MapRuns[0].MapRunArn})
		if err != nil || *mr.ExecutionArn != *k.ExecutionArn {
			t.Fatalf("%+v %v", mr, err)
		}
		total += mr.ItemCounts.Succeeded
	}
	if total != 3 {
		t.Errorf("inner runs succeeded %d items, want 3", total)
	}
}

// StopExecution on a running child of a map run aborts it; the run counts
// it as a failure (no tolerance: the parent fails with
// States.ExceedToleratedFailureThreshold).
func TestStopMapRunChild(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	act := createActivity(t, c, "slow")
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
		"StartAt":"W","States":{"W":{"Type":"Task","Resource":"` + *act.ActivityArn + `","End":true}}},"End":true}}}`
	arn := createMachine(t, c, "stoppable", def)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`[1]`)})
	if err != nil {
		t.Fatal(err)
	}
	var child *string
	for deadline := time.Now().Add(10 * time.Second); child == nil && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
		if err != nil || len(runs.MapRuns) == 0 {
			continue
		}
		kids, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: runs.MapRuns[0].MapRunArn})
		if err == nil && len(kids.Executions) == 1 {
			child = kids.Executions[0].ExecutionArn
		}
	}
	if child == nil {
		t.Fatal("no child execution started")
	}
	if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: child}); err != nil {
		t.Fatal(err)
	}
	if d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: child}); err != nil || d.Status != "ABORTED" {
		t.Errorf("child: %+v %v", d, err)
	}
	if d := waitDone(t, c, *ex.ExecutionArn); d.Status != "FAILED" || aws.ToString(d.Error) != "States.ExceedToleratedFailureThreshold" {
		t.Errorf("parent: %s %s", d.Status, aws.ToString(d.Error))
	}
}

// Stopping the parent aborts its map run: DescribeMapRun says ABORTED
// with a stop date, the running child is ABORTED, and the parent's
// history has MapRunAborted (HistoryEventType of the AWS API model)
// before ExecutionAborted.
func TestStopMapRunParent(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	act := createActivity(t, c, "slow-parent")
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
		"StartAt":"W","States":{"W":{"Type":"Task","Resource":"` + *act.ActivityArn + `","End":true}}},"End":true}}}`
	arn := createMachine(t, c, "stopparent", def)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`[1]`)})
	if err != nil {
		t.Fatal(err)
	}
	var run, child *string
	for deadline := time.Now().Add(10 * time.Second); child == nil && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
		if err != nil || len(runs.MapRuns) == 0 {
			continue
		}
		run = runs.MapRuns[0].MapRunArn
		kids, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: run})
		if err == nil && len(kids.Executions) == 1 {
			child = kids.Executions[0].ExecutionArn
		}
	}
	if child == nil {
		t.Fatal("no child execution started")
	}
	if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: ex.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *ex.ExecutionArn); d.Status != "ABORTED" {
		t.Errorf("parent: %s", d.Status)
	}
	var mr *sfn.DescribeMapRunOutput
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if mr, err = c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: run}); err == nil && mr.Status != "RUNNING" {
			break
		}
	}
	if mr == nil || mr.Status != "ABORTED" || mr.StopDate == nil || mr.ExecutionCounts.Aborted != 1 {
		t.Errorf("map run %+v %v", mr, err)
	}
	if d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: child}); err != nil || d.Status != "ABORTED" {
		t.Errorf("child: %+v %v", d, err)
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range h.Events {
		types = append(types, string(e.Type))
	}
	joined := strings.Join(types, " ")
	if !strings.Contains(joined, "MapRunStarted MapRunAborted") || !strings.HasSuffix(joined, "ExecutionAborted") {
		t.Errorf("history %s", joined)
	}
}
