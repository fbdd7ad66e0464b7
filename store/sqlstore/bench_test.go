package sqlstore_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/memstore"
	"github.com/hsc-dev/hsc/store/sqlstore"
)

// BenchmarkAppendEvent: one Update appending one event, the server's unit
// of work per state transition; -cpu and RunParallel give concurrent
// executions.
func BenchmarkAppendEvent(b *testing.B) {
	for _, kind := range []string{"memstore", "sqlstore"} {
		b.Run(kind, func(b *testing.B) {
			var s store.Store = memstore.New(memstore.Options{})
			if kind == "sqlstore" {
				s = open(b, b.TempDir(), sqlstore.Options{})
			}
			var g atomic.Int64
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				arn := fmt.Sprintf("e%d", g.Add(1))
				if err := s.Update(ctx, func(tx store.Tx) error {
					return tx.CreateExecution(&store.Execution{ARN: arn, Status: store.StatusRunning, Definition: "def"})
				}); err != nil {
					b.Error(err)
					return
				}
				id := int64(0)
				for pb.Next() {
					id++
					if err := s.Update(ctx, func(tx store.Tx) error {
						return tx.AppendEvents(arn, []store.Event{{ID: id, JSON: []byte(`{"type":"PassStateEntered","details":{"name":"S1","input":"{}"}}`)}})
					}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// lifecycleEvents are history events shaped like those of a 10-state Pass
// machine's execution (22 events, inputs growing state by state).
func lifecycleEvents() []store.Event {
	var evs []store.Event
	add := func(doc string) { evs = append(evs, store.Event{ID: int64(len(evs) + 1), JSON: []byte(doc)}) }
	add(`{"timestamp":1.764466e+09,"type":"ExecutionStarted","id":1,"previousEventId":0,"executionStartedEventDetails":{"input":"{\"n\":1}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/bench"},"hscKey":"x"}`)
	input := `{\"n\":1}`
	for i := range 10 {
		add(fmt.Sprintf(`{"timestamp":1.764466e+09,"type":"PassStateEntered","id":%d,"previousEventId":%d,"stateEnteredEventDetails":{"name":"S%d","input":"%s","inputDetails":{"truncated":false}},"hscKey":"S%d#0"}`, len(evs)+1, len(evs), i, input, i))
		input = input[:len(input)-1] + fmt.Sprintf(`,\"s%d\":%d}`, i, i)
		add(fmt.Sprintf(`{"timestamp":1.764466e+09,"type":"PassStateExited","id":%d,"previousEventId":%d,"stateExitedEventDetails":{"name":"S%d","output":"%s","outputDetails":{"truncated":false}},"hscKey":"S%d#1"}`, len(evs)+1, len(evs), i, input, i))
	}
	add(fmt.Sprintf(`{"timestamp":1.764466e+09,"type":"ExecutionSucceeded","id":%d,"previousEventId":%d,"executionSucceededEventDetails":{"output":"%s","outputDetails":{"truncated":false}},"hscKey":"end"}`, len(evs)+1, len(evs), input))
	return evs
}

// BenchmarkExecutionLifecycle: the store's work for one execution of a
// 10-state Pass machine as hsc serve does it: a transaction that looks
// the machine up and creates the execution (StartExecution), one that
// appends its 22 events and writes its end, and a DescribeExecution's
// read. One goroutine: the figure is the store's CPU cost per execution.
func BenchmarkExecutionLifecycle(b *testing.B) {
	for _, kind := range []string{"memstore", "sqlstore"} {
		b.Run(kind, func(b *testing.B) {
			var s store.Store = memstore.New(memstore.Options{MaxFinished: -1})
			if kind == "sqlstore" {
				s = open(b, b.TempDir(), sqlstore.Options{})
			}
			def := `{"StartAt":"S0","States":{` + strings.Repeat(`"S0":{"Type":"Pass","Result":0,"ResultPath":"$.s0","Next":"S1"},`, 9) + `"S9":{"Type":"Pass","End":true}}}`
			sm := &store.StateMachine{ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:bench", Name: "bench", Type: "STANDARD", Definition: def, RoleARN: "arn:aws:iam::123456789012:role/bench"}
			if err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateStateMachine(sm) }); err != nil {
				b.Fatal(err)
			}
			evs := lifecycleEvents()
			out := `{"n":1,"s0":0,"s1":1,"s2":2,"s3":3,"s4":4,"s5":5,"s6":6,"s7":7,"s8":8,"s9":9}`
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				arn := fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:bench:%08x-6f2c-4a52-9f0e-8d1b3c5a7e90", i*2654435761)
				var e *store.Execution
				err := s.Update(ctx, func(tx store.Tx) error {
					m, err := tx.GetStateMachine(sm.ARN)
					if err != nil {
						return err
					}
					if _, err := tx.GetExecution(arn); !errors.Is(err, store.ErrNotFound) {
						return fmt.Errorf("get: %v", err)
					}
					e = &store.Execution{ARN: arn, Name: arn[len(arn)-36:], StateMachineARN: m.ARN, Status: store.StatusRunning,
						Input: `{"n":1}`, Start: time.Now(), Definition: m.Definition, RoleARN: m.RoleARN, RevisionID: m.RevisionID, MachineName: m.Name}
					return tx.CreateExecution(e)
				})
				if err != nil {
					b.Fatal(err)
				}
				err = s.Update(ctx, func(tx store.Tx) error {
					if err := tx.AppendEvents(arn, evs); err != nil {
						return err
					}
					f := *e
					f.Status, f.Output, f.Stop = store.StatusSucceeded, out, time.Now()
					return tx.PutExecution(&f)
				})
				if err != nil {
					b.Fatal(err)
				}
				err = s.View(ctx, func(tx store.Tx) error {
					got, err := tx.GetExecution(arn)
					if err == nil && got.Status != store.StatusSucceeded {
						err = fmt.Errorf("status %s", got.Status)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
