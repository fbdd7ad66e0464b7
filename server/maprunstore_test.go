package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/sqlstore"
)

// openDurable starts a server on the durable store in dir; the returned
// func closes both, as stopping `hsc serve --data dir` does.
func openDurable(t *testing.T, dir string, cfg server.Config) (*sfn.Client, store.Store, func()) {
	t.Helper()
	s, st := startDurable(t, dir, cfg)
	closed := false
	stop := func() {
		if closed {
			return
		}
		closed = true
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(stop)
	return client(s.URL()), st, stop
}

// openToCrash starts a server on the durable store in dir; the returned
// func crashes it: the store is closed under the running server, whose
// writes then fail as after kill -9, and then the server.
func openToCrash(t *testing.T, dir string, cfg server.Config) (*sfn.Client, func()) {
	t.Helper()
	s, st := startDurable(t, dir, cfg)
	crashed := false
	crash := func() {
		if crashed {
			return
		}
		crashed = true
		if err := st.Close(); err != nil {
			t.Error(err)
		}
		s.Close() // its writes fail: the store is gone
	}
	t.Cleanup(crash)
	return client(s.URL()), crash
}

// startDurable starts a server on the durable store in dir.
func startDurable(t *testing.T, dir string, cfg server.Config) (*server.Server, store.Store) {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), dir, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr, cfg.Store = "127.0.0.1:0", st
	s, err := server.New(cfg)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		st.Close()
		t.Fatal(err)
	}
	return s, st
}

// mapRunAnswers collects, as JSON, every answer the API gives about the
// map runs of an execution: ListMapRuns, DescribeMapRun, ListExecutions by
// mapRunArn (page by page, and by status), and each child's
// DescribeExecution, DescribeStateMachineForExecution and (paged, both
// ways) GetExecutionHistory.
func mapRunAnswers(t *testing.T, c *sfn.Client, exec string) (map[string]string, []string) {
	t.Helper()
	ctx := ctxT(t)
	got := map[string]string{}
	keep := func(key string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got[key] = string(b)
	}
	runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: &exec, MaxResults: 1})
	keep("ListMapRuns", runs.MapRuns, err)
	if len(runs.MapRuns) != 1 {
		t.Fatalf("ListMapRuns: %d runs, want 1", len(runs.MapRuns))
	}
	run := runs.MapRuns[0].MapRunArn
	mr, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: run})
	keep("DescribeMapRun", mr, err)
	var kids []string
	var token *string
	for page := 0; ; page++ {
		l, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: run, MaxResults: 2, NextToken: token})
		keep("ListExecutions page "+string(rune('0'+page)), l.Executions, err)
		for _, e := range l.Executions {
			kids = append(kids, *e.ExecutionArn)
		}
		if token = l.NextToken; token == nil {
			break
		}
	}
	failed, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: run, StatusFilter: "FAILED"})
	keep("ListExecutions FAILED", failed.Executions, err)
	for _, k := range kids {
		d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &k})
		keep("DescribeExecution "+k, d, err)
		sm, err := c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: &k})
		keep("DescribeStateMachineForExecution "+k, sm, err)
		for _, reverse := range []bool{false, true} {
			var evs []string
			var token *string
			for {
				h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: &k, ReverseOrder: reverse, MaxResults: 2, NextToken: token})
				if err != nil {
					t.Fatalf("GetExecutionHistory %s: %v", k, err)
				}
				for _, e := range h.Events {
					b, _ := json.Marshal(e)
					evs = append(evs, string(b))
				}
				if token = h.NextToken; token == nil {
					break
				}
			}
			keep("GetExecutionHistory "+k+" reverse "+map[bool]string{false: "no", true: "yes"}[reverse], evs, nil)
		}
	}
	return got, kids
}

// Map runs survive a restart of a server on the durable store (issue
// 11/12: the store keeps everything the API can show): after closing the
// server and the store and opening them again, every answer about a
// finished distributed Map's run and its STANDARD children is as before.
// The answers' shapes follow AWS as TestMapRuns does (recorded on AWS:
// test_sfn_api_map_run.py::test_list_map_runs_and_describe_map_run).
func TestMapRunsAfterRestart(t *testing.T) {
	mock, err := interpreter.ParseMockConfig([]byte(`{
		"StateMachines": {"dmap": {"TestCases": {"csv": {"MapState/ItemReader": "CsvObject"}}}},
		"MockedResponses": {"CsvObject": {"0": {"Return": {"Body": "n\n1\n2\n3\nfail\n5"}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c, _, stop := openDurable(t, dir, server.Config{Mock: mock})
	ctx := ctxT(t)
	def := `{"StartAt":"MapState","States":{"MapState":{"Type":"Map","MaxConcurrency":1,"ToleratedFailureCount":1,
		"ItemReader":{"ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket.$":"$.Bucket","Key.$":"$.Key"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Check","States":{
			"Check":{"Type":"Choice","Choices":[{"Variable":"$.n","StringEquals":"fail","Next":"Fail"}],"Default":"PassItem"},
			"Fail":{"Type":"Fail","Error":"Bad","Cause":"bad item"},
			"PassItem":{"Type":"Pass","End":true}}},"End":true}}}`
	arn := createMachine(t, c, "dmap", def)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#csv"), Input: aws.String(`{"Bucket":"b","Key":"file.csv"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *ex.ExecutionArn); d.Status != "SUCCEEDED" {
		t.Fatalf("execution %s: %s", d.Status, aws.ToString(d.Cause))
	}
	before, kids := mapRunAnswers(t, c, *ex.ExecutionArn)
	if len(kids) != 5 {
		t.Fatalf("%d children, want 5", len(kids))
	}
	if before["ListExecutions FAILED"] == "[]" || before["ListExecutions FAILED"] == "null" {
		t.Fatalf("no FAILED child: %s", before["ListExecutions FAILED"])
	}
	stop()

	c, _, _ = openDurable(t, dir, server.Config{})
	after, _ := mapRunAnswers(t, c, *ex.ExecutionArn)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s after the restart:\n%s\nbefore:\n%s", k, after[k], v)
		}
	}
	// UpdateMapRun still finds the run and changes its record.
	runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	run := runs.MapRuns[0].MapRunArn
	if _, err := c.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: run, MaxConcurrency: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	if mr, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: run}); err != nil || mr.MaxConcurrency != 7 || mr.ToleratedFailureCount != 1 {
		t.Errorf("after UpdateMapRun: %+v %v", mr, err)
	}
	// A token of one listing is not one of another.
	l, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: run, MaxResults: 1})
	if err != nil || l.NextToken == nil {
		t.Fatalf("ListExecutions: %+v %v", l, err)
	}
	_, err = c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn, NextToken: l.NextToken})
	wantCode(t, err, "InvalidToken")
}

// A distributed Map inside a distributed Map's child: after a restart the
// inner runs answer as before through their parent child execution, and
// deleting the top-level execution from the store (as retention does)
// deletes the outer and the inner runs with their children.
func TestNestedMapRunsAfterRestart(t *testing.T) {
	dir := t.TempDir()
	c, _, stop := openDurable(t, dir, server.Config{})
	ctx := ctxT(t)
	def := `{"StartAt":"Outer","States":{"Outer":{"Type":"Map","ItemsPath":"$.jobs",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Inner","States":{"Inner":{"Type":"Map","ItemsPath":"$.items",
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}},"End":true}}}`
	arn := createMachine(t, c, "nested", def)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"jobs":[{"items":[1,2]},{"items":[3]}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, c, *ex.ExecutionArn); d.Status != "SUCCEEDED" {
		t.Fatalf("%s %s", d.Status, aws.ToString(d.Cause))
	}
	answers := func() (map[string]string, []string) {
		all, kids := mapRunAnswers(t, c, *ex.ExecutionArn)
		var runs []string
		for _, k := range kids {
			inner, _ := mapRunAnswers(t, c, k)
			for key, v := range inner {
				all[k+" "+key] = v
			}
			l, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: &k})
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, *l.MapRuns[0].MapRunArn)
		}
		outer, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		return all, append(runs, *outer.MapRuns[0].MapRunArn)
	}
	before, runs := answers()
	if len(runs) != 3 {
		t.Fatalf("runs %v, want 2 inner and the outer", runs)
	}
	stop()

	c, _, stop = openDurable(t, dir, server.Config{})
	after, _ := answers()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s after the restart:\n%s\nbefore:\n%s", k, after[k], v)
		}
	}
	stop()

	st, err := sqlstore.Open(ctx, dir, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.DeleteExecution(*ex.ExecutionArn) }); err != nil {
		t.Fatal(err)
	}
	if err := st.View(ctx, func(tx store.Tx) error {
		for _, r := range runs {
			if _, err := tx.GetMapRun(r); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("map run %s after its execution was deleted: %v", r, err)
			}
			if l, _, err := tx.ListMapRunChildren(store.MapRunChildFilter{MapRunARN: r}, store.Page{Limit: 10}); err != nil || len(l) != 0 {
				t.Errorf("children of %s after its execution was deleted: %d %v", r, len(l), err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A map run cut short by a crash (its end never written: here the store
// goes away before the server) goes on after the restart: the parent,
// resumed, replays its MapRunStarted and continues the same run (same
// ARN, same child, still RUNNING), rather than starting a new one; its
// history keeps one MapRunStarted. A STANDARD child resumes from its
// stored history; an EXPRESS child (which has none) starts again under
// its name, at least once as on AWS.
func TestMapRunCutShortByCrash(t *testing.T) {
	for _, typ := range []string{"STANDARD", "EXPRESS"} {
		t.Run(typ, func(t *testing.T) { testMapRunCutShortByCrash(t, typ) })
	}
}

func testMapRunCutShortByCrash(t *testing.T, typ string) {
	dir := t.TempDir()
	ctx := ctxT(t)
	c, crash := openToCrash(t, dir, server.Config{})
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"` + typ + `"},"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}},"End":true}}}`
	arn := createMachine(t, c, "slow", def)
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"items":[1]}`)})
	if err != nil {
		t.Fatal(err)
	}
	var run *string
	var child string
	for child == "" {
		l, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.MapRuns) > 0 {
			run = l.MapRuns[0].MapRunArn
			k, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: run})
			if err != nil {
				t.Fatal(err)
			}
			if len(k.Executions) == 1 {
				child = *k.Executions[0].ExecutionArn
			}
		}
		time.Sleep(20 * time.Millisecond) // the child's start reaches the store
	}
	crash()

	c, _, _ = openDurable(t, dir, server.Config{})
	// RUNNING at once; the counts are the stored record's until the
	// resumed parent's replay reaches the Map state and the run is live.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mr, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: run})
		if err != nil {
			t.Fatal(err)
		}
		if mr.Status != "RUNNING" || mr.StopDate != nil {
			t.Fatalf("after the restart: status %s stop %v, want RUNNING", mr.Status, mr.StopDate)
		}
		if mr.ExecutionCounts.Total == 1 && mr.ExecutionCounts.Running == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: executions %+v, want its one child running", *mr.ExecutionCounts)
		}
	}
	l, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || len(l.MapRuns) != 1 || *l.MapRuns[0].MapRunArn != *run || l.MapRuns[0].StopDate != nil {
		t.Errorf("ListMapRuns after the restart: %+v %v", l, err)
	}
	k, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: run})
	if err != nil || len(k.Executions) != 1 || *k.Executions[0].ExecutionArn != child || k.Executions[0].Status != "RUNNING" {
		t.Errorf("children after the restart: %+v %v, want %s RUNNING", k, err, child)
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range h.Events {
		if e.Type == "MapRunStarted" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d MapRunStarted events after the restart, want 1", n)
	}
}

// BenchmarkMapRunToStore runs a distributed Map of 1,000 STANDARD Pass
// children on the durable store until its end (record, children and
// histories) is in the store, reporting children written per second. Run
// with
//
//	go test ./server -run '^$' -bench MapRunToStore -benchtime 5x
func BenchmarkMapRunToStore(b *testing.B) {
	const items = 1000
	dir := b.TempDir()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dir, sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s, err := server.New(server.Config{Addr: "127.0.0.1:0", Store: st})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := client(s.URL())
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":100,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	arn := createMachine(b, c, "bench", def)
	list := make([]int, items)
	in, _ := json.Marshal(map[string]any{"items": list})
	b.ResetTimer()
	for range b.N {
		ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(string(in))})
		if err != nil {
			b.Fatal(err)
		}
		waitDone(b, c, *ex.ExecutionArn)
		for written := false; !written; {
			err := st.View(ctx, func(tx store.Tx) error {
				runs, _, err := tx.ListMapRuns(*ex.ExecutionArn, store.Page{Limit: 1})
				if err != nil || len(runs) == 0 || runs[0].Status == "RUNNING" {
					return err
				}
				kids, _, err := tx.ListMapRunChildren(store.MapRunChildFilter{MapRunARN: runs[0].ARN}, store.Page{Limit: items + 1})
				written = len(kids) == items && kids[items-1].EventCount > 0
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			if !written {
				time.Sleep(time.Millisecond)
			}
		}
	}
	b.ReportMetric(float64(b.N*items)/b.Elapsed().Seconds(), "children/s")
}
