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
)

var ctx = context.Background()

func TestRollbackUndoesEveryWrite(t *testing.T) {
	s := memstore.New(memstore.Options{})
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateStateMachine(&store.StateMachine{ARN: "sm1", Name: "a"}); err != nil {
			return err
		}
		if err := tx.CreateActivity(&store.Activity{ARN: "act1"}); err != nil {
			return err
		}
		if err := tx.SetTags("sm1", []store.Tag{{Key: "k", Value: "v"}}); err != nil {
			return err
		}
		if err := tx.CreateExecution(&store.Execution{ARN: "ex1", StateMachineARN: "sm1", Status: store.StatusRunning}); err != nil {
			return err
		}
		if err := tx.AppendEvents("ex1", []store.Event{{ID: 1, JSON: []byte(`{}`)}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	err = s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetStateMachine("sm1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("state machine after rollback: %v", err)
		}
		if _, err := tx.GetActivity("act1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("activity after rollback: %v", err)
		}
		if tags, _ := tx.Tags("sm1"); len(tags) != 0 {
			t.Errorf("tags after rollback: %v", tags)
		}
		if _, err := tx.GetExecution("ex1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("execution after rollback: %v", err)
		}
		l, _, _ := tx.ListExecutions(store.ExecutionFilter{}, store.Page{Limit: 10})
		if len(l) != 0 {
			t.Errorf("listed %d executions after rollback", len(l))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRecordsAreCopies(t *testing.T) {
	s := memstore.New(memstore.Options{})
	sm := &store.StateMachine{ARN: "sm1", Name: "a", Definition: "d1"}
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.CreateStateMachine(sm) }))
	sm.Definition = "changed by caller"
	must(t, s.View(ctx, func(tx store.Tx) error {
		got, err := tx.GetStateMachine("sm1")
		if err != nil {
			return err
		}
		if got.Definition != "d1" {
			t.Errorf("definition = %q, want d1", got.Definition)
		}
		got.Definition = "changed again"
		again, _ := tx.GetStateMachine("sm1")
		if again.Definition != "d1" {
			t.Errorf("definition = %q after changing a returned copy", again.Definition)
		}
		return nil
	}))
}

func TestCreateTwiceAndMissing(t *testing.T) {
	s := memstore.New(memstore.Options{})
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.CreateActivity(&store.Activity{ARN: "a"}) }))
	err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateActivity(&store.Activity{ARN: "a"}) })
	if !errors.Is(err, store.ErrExists) {
		t.Errorf("second create = %v, want ErrExists", err)
	}
	err = s.Update(ctx, func(tx store.Tx) error { return tx.DeleteStateMachine("nope") })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete missing = %v, want ErrNotFound", err)
	}
	err = s.View(ctx, func(tx store.Tx) error { return tx.CreateActivity(&store.Activity{ARN: "b"}) })
	if err == nil {
		t.Errorf("write in View succeeded")
	}
}

func TestPagingVisitsEachOnce(t *testing.T) {
	s := memstore.New(memstore.Options{})
	const n = 23
	must(t, s.Update(ctx, func(tx store.Tx) error {
		for i := range n {
			if err := tx.CreateStateMachine(&store.StateMachine{ARN: fmt.Sprintf("sm%02d", i)}); err != nil {
				return err
			}
			if err := tx.CreateExecution(&store.Execution{ARN: fmt.Sprintf("ex%02d", i), StateMachineARN: "sm00", Status: store.StatusRunning}); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, limit := range []int{1, 5, 23, 100} {
		var sms, exs []string
		after := ""
		for {
			var next string
			must(t, s.View(ctx, func(tx store.Tx) error {
				l, nx, err := tx.ListStateMachines(store.Page{Limit: limit, After: after})
				for _, sm := range l {
					sms = append(sms, sm.ARN)
				}
				next = nx
				return err
			}))
			if next == "" {
				break
			}
			after = next
		}
		after = ""
		for {
			var next string
			must(t, s.View(ctx, func(tx store.Tx) error {
				l, nx, err := tx.ListExecutions(store.ExecutionFilter{StateMachineARN: "sm00"}, store.Page{Limit: limit, After: after})
				for _, e := range l {
					exs = append(exs, e.ARN)
				}
				next = nx
				return err
			}))
			if next == "" {
				break
			}
			after = next
		}
		if len(sms) != n || !slices.IsSorted(sms) {
			t.Errorf("limit %d: state machines %v", limit, sms)
		}
		want := make([]string, n)
		for i := range n {
			want[i] = fmt.Sprintf("ex%02d", n-1-i)
		}
		if !slices.Equal(exs, want) {
			t.Errorf("limit %d: executions %v, want newest first %v", limit, exs, want)
		}
	}
}

func TestEventsPagingBothWays(t *testing.T) {
	s := memstore.New(memstore.Options{})
	const n = 10
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateExecution(&store.Execution{ARN: "ex", Status: store.StatusRunning}); err != nil {
			return err
		}
		return tx.AppendEvents("ex", []store.Event{{ID: 1}, {ID: 3}})
	})
	if err == nil {
		t.Fatal("a history with a gap was accepted")
	}
	// The gap rolled the whole transaction back; the execution can be created again.
	must(t, s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateExecution(&store.Execution{ARN: "ex", Status: store.StatusRunning}); err != nil {
			return err
		}
		for i := 1; i <= n; i++ {
			if err := tx.AppendEvents("ex", []store.Event{{ID: int64(i)}}); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, reverse := range []bool{false, true} {
		for _, limit := range []int{1, 3, 10, 11} {
			var ids []int64
			after := ""
			for {
				var next string
				must(t, s.View(ctx, func(tx store.Tx) error {
					l, nx, err := tx.Events("ex", reverse, store.Page{Limit: limit, After: after})
					for _, e := range l {
						ids = append(ids, e.ID)
					}
					next = nx
					return err
				}))
				if next == "" {
					break
				}
				after = next
			}
			want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
			if reverse {
				slices.Reverse(want)
			}
			if !slices.Equal(ids, want) {
				t.Errorf("reverse=%v limit=%d: ids %v", reverse, limit, ids)
			}
		}
	}
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
