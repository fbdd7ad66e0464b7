package activity_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/activity"
)

// countingAPI counts the task outputs that reached the server.
type countingAPI struct {
	activity.API
	done atomic.Int64
	all  chan struct{}
	want int64
}

func (c *countingAPI) SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, opts ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	out, err := c.API.SendTaskSuccess(ctx, in, opts...)
	if err == nil && c.done.Add(1) == c.want {
		close(c.all)
	}
	return out, err
}

// BenchmarkWorkerThroughput measures tasks per second through one Worker
// with 16-way concurrency against the local server: b.N executions wait
// on the activity, then the worker drains them. Run with e.g.
//
//	go test ./activity -run '^$' -bench WorkerThroughput -benchtime 400x
func BenchmarkWorkerThroughput(b *testing.B) {
	for _, bc := range []struct {
		work    time.Duration
		pollers int
	}{{0, 1}, {0, 4}, {50 * time.Millisecond, 1}, {50 * time.Millisecond, 4}} {
		work := bc.work
		b.Run(fmt.Sprintf("handler=%v/pollers=%d", work, bc.pollers), func(b *testing.B) {
			c := localClient(b)
			_, arn := newActivity(b, c, "bench")
			m := taskMachine(b, c, arn, 0)
			ctx := b.Context()
			var last string
			for i := 0; i < b.N; i++ {
				var err error
				if last, err = m.Start(ctx, []byte(fmt.Sprintf(`{"i":%d}`, i)), fmt.Sprintf("b%d", i)); err != nil {
					b.Fatal(err)
				}
			}
			// The server runs executions in order: once the last one's
			// task is scheduled, every task is.
			waitFor(b, time.Minute, "every task to be scheduled", func() bool {
				events, err := c.History(ctx, last)
				if err != nil {
					b.Fatal(err)
				}
				for _, ev := range events {
					if ev.Type == types.HistoryEventTypeActivityScheduled {
						return true
					}
				}
				return false
			})
			api := &countingAPI{API: c.API(), all: make(chan struct{}), want: int64(b.N)}
			h := func(ctx context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) {
				time.Sleep(work)
				return in, nil
			}
			w, err := activity.NewWorker(api, arn, h, activity.Options{Concurrency: 16, Pollers: bc.pollers, IdleDelay: 10 * time.Millisecond})
			if err != nil {
				b.Fatal(err)
			}
			wctx, stop := context.WithCancel(ctx)
			defer stop()
			b.ResetTimer()
			start := time.Now()
			go w.Run(wctx)
			select {
			case <-api.all:
			case <-time.After(5 * time.Minute):
				b.Fatalf("only %d of %d tasks done", api.done.Load(), b.N)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tasks/s")
		})
	}
}
