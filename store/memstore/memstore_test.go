package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
