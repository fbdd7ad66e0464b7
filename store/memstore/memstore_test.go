package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/memstore"
	"github.com/hsc-dev/hsc/store/storetest"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return memstore.New(memstore.Options{}) })
}

func TestFinishedExecutionsBounded(t *testing.T) {
	var dropped []string
	s := memstore.New(memstore.Options{MaxFinished: 3, OnDrop: func(a []string) { dropped = append(dropped, a...) }})
	now := time.Now()
	for i := range 6 {
		arn := fmt.Sprintf("ex%d", i)
		must(t, s.Update(ctx, func(tx store.Tx) error {
			return tx.CreateExecution(&store.Execution{ARN: arn, Status: store.StatusRunning, Start: now})
		}))
		must(t, s.Update(ctx, func(tx store.Tx) error {
			e, err := tx.GetExecution(arn)
			if err != nil {
				return err
			}
			e.Status = store.StatusSucceeded
			return tx.PutExecution(e)
		}))
	}
	// A running one is never dropped.
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateExecution(&store.Execution{ARN: "running", Status: store.StatusRunning})
	}))
	if want := []string{"ex0", "ex1", "ex2"}; !slices.Equal(dropped, want) {
		t.Errorf("dropped %v, want %v", dropped, want)
	}
	must(t, s.View(ctx, func(tx store.Tx) error {
		l, _, err := tx.ListExecutions(store.ExecutionFilter{}, store.Page{Limit: 100})
		var arns []string
		for _, e := range l {
			arns = append(arns, e.ARN)
		}
		if want := []string{"running", "ex5", "ex4", "ex3"}; !slices.Equal(arns, want) {
			t.Errorf("kept %v, want %v", arns, want)
		}
		if _, err := tx.GetExecution("ex0"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("dropped execution still found: %v", err)
		}
		return err
	}))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A redriven execution (finished, then RUNNING again) is not dropped by the
// bound while it runs.
func TestRedrivenNotDropped(t *testing.T) {
	s := memstore.New(memstore.Options{MaxFinished: 1})
	set := func(arn, status string) {
		must(t, s.Update(ctx, func(tx store.Tx) error {
			e, err := tx.GetExecution(arn)
			if errors.Is(err, store.ErrNotFound) {
				return tx.CreateExecution(&store.Execution{ARN: arn, Status: status})
			}
			if err != nil {
				return err
			}
			e.Status = status
			return tx.PutExecution(e)
		}))
	}
	set("a", store.StatusRunning)
	set("a", store.StatusFailed)
	set("a", store.StatusRunning) // redriven
	set("b", store.StatusRunning)
	set("b", store.StatusSucceeded)
	set("c", store.StatusRunning)
	set("c", store.StatusSucceeded)
	must(t, s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetExecution("a"); err != nil {
			t.Errorf("redriven execution dropped: %v", err)
		}
		if _, err := tx.GetExecution("b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("b kept beyond the bound: %v", err)
		}
		return nil
	}))
}

// BenchmarkFinishAtBound: an execution created, given a history and
// finished, in a store that holds DefaultMaxFinished finished ones, so
// that every finish drops the oldest (the steady state of a long-running
// `hsc serve --memory`).
func BenchmarkFinishAtBound(b *testing.B) {
	s := memstore.New(memstore.Options{})
	now := time.Now()
	ev := []store.Event{{ID: 1, JSON: []byte(`{}`)}}
	run := func(i int) {
		arn := "ex" + strconv.Itoa(i)
		must(b, s.Update(ctx, func(tx store.Tx) error {
			if err := tx.CreateExecution(&store.Execution{ARN: arn, StateMachineARN: "sm", Status: store.StatusRunning, Start: now}); err != nil {
				return err
			}
			return tx.AppendEvents(arn, ev)
		}))
		must(b, s.Update(ctx, func(tx store.Tx) error {
			e, err := tx.GetExecution(arn)
			if err != nil {
				return err
			}
			e.Status = store.StatusSucceeded
			return tx.PutExecution(e)
		}))
	}
	for i := range memstore.DefaultMaxFinished {
		run(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		run(memstore.DefaultMaxFinished + i)
	}
}
