package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/sqlstore"
)

// rssMB is the resident set size of this process in MB (Linux; 0
// elsewhere).
func rssMB() float64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return float64(pages*int64(os.Getpagesize())) / 1e6
}

// history10 is the history of one execution of a 10-state Pass machine
// as the server stores it (22 events, about 7 KB).
func history10(arn string, start time.Time) []store.Event {
	var evs []store.Event
	add := func(prev int64, typ, details string) {
		id := int64(len(evs) + 1)
		evs = append(evs, store.Event{ID: id, JSON: fmt.Appendf(nil, `{"id":%d,"previousEventId":%d,"timestamp":%.3f,"type":"%s",%s}`,
			id, prev, float64(start.UnixMilli())/1000, typ, details)})
	}
	add(0, "ExecutionStarted", fmt.Sprintf(`"executionStartedEventDetails":{"input":"{\"n\":1}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/test","stateMachineArn":"%s"}`, arn))
	for i := range 10 {
		add(int64(len(evs)), "PassStateEntered", fmt.Sprintf(`"stateEnteredEventDetails":{"input":"{\"n\":1,\"s%d\":%d}","inputDetails":{"truncated":false},"name":"S%d"}`, i, i, i))
		add(int64(len(evs)), "PassStateExited", fmt.Sprintf(`"stateExitedEventDetails":{"name":"S%d","output":"{\"n\":1,\"s%d\":%d}","outputDetails":{"truncated":false}}`, i, i, i))
	}
	add(int64(len(evs)), "ExecutionSucceeded", `"executionSucceededEventDetails":{"output":"{\"n\":1}","outputDetails":{"truncated":false}}`)
	return evs
}

// BenchmarkDurable100k stores 100,000 finished executions of a 10-state
// machine with their histories in the durable store, reporting the
// process's RSS at 25,000 and at 100,000 (issue 12: at most 150 MB and not
// growing with the count), then closes it and measures a restart: opening
// the store, starting the server and answering the first request
// (issue 12: at most 2 s). Run with
//
//	go test ./server -run '^$' -bench Durable100k -benchtime 1x
func BenchmarkDurable100k(b *testing.B) {
	const n, writers = 100000, 8
	dir := b.TempDir()
	st, err := sqlstore.Open(context.Background(), dir, sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	def := passChain(10)
	sm := "arn:aws:states:us-east-1:123456789012:stateMachine:bench"
	if err := st.Update(context.Background(), func(tx store.Tx) error {
		return tx.CreateStateMachine(&store.StateMachine{ARN: sm, Name: "bench", Type: "STANDARD", Definition: def, RoleARN: roleARN})
	}); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	rss := map[int64]float64{}
	var mu sync.Mutex
	began := time.Now()
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > n {
					return
				}
				arn := fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:bench:%08d", i)
				now := time.Now()
				err := st.Update(context.Background(), func(tx store.Tx) error {
					if err := tx.CreateExecution(&store.Execution{ARN: arn, Name: fmt.Sprintf("%08d", i), StateMachineARN: sm, Status: store.StatusSucceeded,
						Input: `{"n":1}`, Output: `{"n":1}`, Start: now, Stop: now, Definition: def, RoleARN: roleARN, MachineName: "bench"}); err != nil {
						return err
					}
					return tx.AppendEvents(arn, history10(arn, now))
				})
				if err != nil {
					b.Error(err)
					return
				}
				if i%25000 == 0 {
					runtime.GC()
					mu.Lock()
					rss[i] = rssMB()
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	// Reported at the end: ResetTimer drops metrics reported before it.
	metrics := map[string]float64{"stored-executions/s": float64(n) / time.Since(began).Seconds(),
		"rss-at-25k-MB": rss[25000], "rss-at-100k-MB": rss[n]}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, sqlstore.DBFile)); err == nil {
		metrics["db-MB"] = float64(fi.Size()) / 1e6
	}

	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		st, err := sqlstore.Open(context.Background(), dir, sqlstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s, err := server.New(server.Config{Addr: "127.0.0.1:0", Store: st})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Start(); err != nil {
			b.Fatal(err)
		}
		c := client(s.URL())
		d, err := c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:bench:%08d", n))})
		if err != nil || d.Status != "SUCCEEDED" {
			b.Fatalf("first request after the restart: %v", err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "restart-to-first-answer-s")
		b.StopTimer()
		s.Close()
		st.Close()
		b.StartTimer()
	}
	for k, v := range metrics {
		b.ReportMetric(v, k)
	}
}
