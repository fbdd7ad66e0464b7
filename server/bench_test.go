package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/server"
)

// benchClients is the number of client goroutines of the load generator
// (issue 11: 16 goroutines).
const benchClients = 16

// passChain is a machine of n Pass states.
func passChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		if i == n-1 {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Result":%d,"ResultPath":"$.s%d","End":true}`, i, i, i)
		} else {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Result":%d,"ResultPath":"$.s%d","Next":"S%d"}`, i, i, i, i+1)
		}
	}
	b.WriteString("}}")
	return b.String()
}

// loadGenerator runs b.N executions of machine through 16 goroutines,
// each starting an execution and polling DescribeExecution until it ends,
// and reports executions/s and the p99 DescribeExecution latency.
func loadGenerator(b *testing.B, c *sfn.Client, machine string) {
	ctx := context.Background()
	var next atomic.Int64
	lat := make([][]time.Duration, benchClients)
	var wg sync.WaitGroup
	b.ResetTimer()
	began := time.Now()
	for g := range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &machine, Input: aws.String(`{"n":1}`)})
				if err != nil {
					b.Error(err)
					return
				}
				for {
					t0 := time.Now()
					d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
					lat[g] = append(lat[g], time.Since(t0))
					if err != nil {
						b.Error(err)
						return
					}
					if d.Status != "RUNNING" {
						if d.Status != "SUCCEEDED" {
							b.Errorf("execution %s", d.Status)
						}
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-describe-ms")
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "executions/s")
	b.ReportMetric(float64(len(all))/float64(b.N), "describes/execution")
}

// BenchmarkStartToSucceeded: start-to-SUCCEEDED throughput of a 10-state
// Pass machine (issue 11, Done when). Run with
//
//	go test ./server -run '^$' -bench StartToSucceeded -benchtime 5000x
func BenchmarkStartToSucceeded(b *testing.B) {
	_, c := start(b, server.Config{MaxFinished: 1 << 20})
	machine := createMachine(b, c, "bench", passChain(10))
	loadGenerator(b, c, machine)
}

// BenchmarkStartToSucceededWithPollers is BenchmarkStartToSucceeded with
// 100 workers long-polling an empty activity meanwhile (issue 11: they may
// slow executions by less than 10%).
func BenchmarkStartToSucceededWithPollers(b *testing.B) {
	s, c := start(b, server.Config{MaxFinished: 1 << 20, PollTimeout: time.Second})
	machine := createMachine(b, c, "bench", passChain(10))
	act, err := c.CreateActivity(context.Background(), &sfn.CreateActivityInput{Name: aws.String("idle")})
	if err != nil {
		b.Fatal(err)
	}
	// The pollers are other processes in real use: they get their own
	// client, so that their connections do not crowd the generator's.
	pollers := client(s.URL())
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				pollers.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn})
			}
		}()
	}
	loadGenerator(b, c, machine)
	cancel()
	wg.Wait()
}

// BenchmarkCannedCeiling runs the same load generator against a server
// that answers with canned JSON: the ceiling of the client and the HTTP
// stack on this machine.
func BenchmarkCannedCeiling(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		switch r.Header.Get("X-Amz-Target") {
		case "AWSStepFunctions.StartExecution":
			fmt.Fprint(w, `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:bench:x","startDate":1.7e9}`)
		default:
			fmt.Fprint(w, `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:bench:x","stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:bench","status":"SUCCEEDED","startDate":1.7e9,"stopDate":1.7e9,"input":"{}","output":"{}"}`)
		}
	}))
	defer srv.Close()
	loadGenerator(b, client(srv.URL), "arn:aws:states:us-east-1:123456789012:stateMachine:bench")
}

// BenchmarkActivityRoundTrip: 16 workers take activity tasks with
// GetActivityTask and answer with SendTaskSuccess, while executions of a
// one-activity machine are started; reports tasks/s.
func BenchmarkActivityRoundTrip(b *testing.B) {
	_, c := start(b, server.Config{MaxFinished: 1 << 20, PollTimeout: time.Second})
	ctx := context.Background()
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("work")})
	if err != nil {
		b.Fatal(err)
	}
	machine := createMachine(b, c, "act", activityDef)
	var done atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	b.ResetTimer()
	began := time.Now()
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				task, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn})
				if err != nil {
					b.Error(err)
					return
				}
				if task.TaskToken == nil {
					continue
				}
				if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{}`)}); err != nil {
					b.Error(err)
					return
				}
				done.Add(1)
			}
		}()
	}
	var started atomic.Int64
	var sg sync.WaitGroup
	for range benchClients {
		sg.Add(1)
		go func() {
			defer sg.Done()
			for started.Add(1) <= int64(b.N) {
				if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &machine}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	sg.Wait()
	for done.Load() < int64(b.N) && !b.Failed() {
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(began)
	close(stop)
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tasks/s")
}

// BenchmarkHandlerDescribeExecution measures the server's own cost of one
// DescribeExecution (no network, no SDK).
func BenchmarkHandlerDescribeExecution(b *testing.B) {
	s, c := start(b, server.Config{})
	machine := createMachine(b, c, "bench", passChain(10))
	ex, err := c.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: &machine})
	if err != nil {
		b.Fatal(err)
	}
	waitDone(b, c, *ex.ExecutionArn)
	body := `{"executionArn":"` + *ex.ExecutionArn + `"}`
	serveN(b, s, "DescribeExecution", body)
}

// BenchmarkHandlerStartExecution measures the server's own cost of one
// StartExecution and the run of a 10-state Pass machine it starts.
func BenchmarkHandlerStartExecution(b *testing.B) {
	s, c := start(b, server.Config{MaxFinished: 1 << 20})
	machine := createMachine(b, c, "bench", passChain(10))
	body := `{"stateMachineArn":"` + machine + `","input":"{\"n\":1}"}`
	serveN(b, s, "StartExecution", body)
	b.StopTimer()
	for { // let the runs finish inside the measurement's cleanup
		l, err := c.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: &machine, StatusFilter: "RUNNING", MaxResults: 1})
		if err != nil || len(l.Executions) == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkExternalStartToSucceeded runs the same load generator against
// another Step Functions endpoint (HSC_BENCH_ENDPOINT, e.g. the one
// .ci/sfnlocal.sh starts), for figures side by side.
func BenchmarkExternalStartToSucceeded(b *testing.B) {
	url := os.Getenv("HSC_BENCH_ENDPOINT")
	if url == "" {
		b.Skip("HSC_BENCH_ENDPOINT is not set")
	}
	c := client(url)
	name := fmt.Sprintf("bench%d", time.Now().UnixNano())
	machine := createMachine(b, c, name, passChain(10))
	loadGenerator(b, c, machine)
}

// serveN reports allocations and sends the same request b.N times straight
// to the handler (no network), failing on any answer but 200.
func serveN(b *testing.B, s *server.Server, op, body string) {
	b.Helper()
	target := "AWSStepFunctions." + op
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Body.String())
		}
	}
}
