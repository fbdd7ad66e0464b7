// Package storetest is the conformance suite of store.Store: every
// implementation (the in-memory one now, a durable one later) runs it from
// its own tests with Run. It knows the store interface and nothing of any
// implementation.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/store"
)

var ctx = context.Background()

// Run runs the suite; open returns a new, empty store for each test.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range []struct {
		name string
		f    func(*testing.T, store.Store)
	}{
		{"RollbackUndoesEveryWrite", testRollbackUndoesEveryWrite},
		{"RecordsAreCopies", testRecordsAreCopies},
		{"CreateTwiceAndMissing", testCreateTwiceAndMissing},
		{"PagingVisitsEachOnce", testPagingVisitsEachOnce},
		{"EventsPagingBothWays", testEventsPagingBothWays},
		{"VersionsAliasesTags", testVersionsAliasesTags},
		{"ExecutionFilters", testExecutionFilters},
		{"CancelledContext", testCancelledContext},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.f(t, s)
		})
	}
}

func testRollbackUndoesEveryWrite(t *testing.T, s store.Store) {
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

func testRecordsAreCopies(t *testing.T, s store.Store) {
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

func testCreateTwiceAndMissing(t *testing.T, s store.Store) {
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

func testPagingVisitsEachOnce(t *testing.T, s store.Store) {
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
		pageAll(t, s, limit, func(tx store.Tx, p store.Page) (string, error) {
			l, next, err := tx.ListStateMachines(p)
			for _, sm := range l {
				sms = append(sms, sm.ARN)
			}
			return next, err
		})
		pageAll(t, s, limit, func(tx store.Tx, p store.Page) (string, error) {
			l, next, err := tx.ListExecutions(store.ExecutionFilter{StateMachineARN: "sm00"}, p)
			for _, e := range l {
				exs = append(exs, e.ARN)
			}
			return next, err
		})
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

func testEventsPagingBothWays(t *testing.T, s store.Store) {
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
			pageAll(t, s, limit, func(tx store.Tx, p store.Page) (string, error) {
				l, next, err := tx.Events("ex", reverse, p)
				for _, e := range l {
					ids = append(ids, e.ID)
				}
				return next, err
			})
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

// pageAll reads a listing page by page, limit items at a time, until
// list returns no next-page token.
func pageAll(t *testing.T, s store.Store, limit int, list func(tx store.Tx, p store.Page) (next string, err error)) {
	t.Helper()
	after := ""
	for {
		var next string
		must(t, s.View(ctx, func(tx store.Tx) (err error) {
			next, err = list(tx, store.Page{Limit: limit, After: after})
			return err
		}))
		if next == "" {
			return
		}
		after = next
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testVersionsAliasesTags(t *testing.T, s store.Store) {
	const sm = "arn:aws:states:us-east-1:1:stateMachine:m"
	must(t, s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateStateMachine(&store.StateMachine{ARN: sm, Name: "m"}); err != nil {
			return err
		}
		for n := 1; n <= 12; n++ {
			if err := tx.CreateVersion(&store.Version{ARN: fmt.Sprintf("%s:%d", sm, n), StateMachineARN: sm, Number: n}); err != nil {
				return err
			}
		}
		if err := tx.CreateVersion(&store.Version{ARN: "other:1", StateMachineARN: "other", Number: 1}); err != nil {
			return err
		}
		if err := tx.CreateAlias(&store.Alias{ARN: sm + ":prod", StateMachineARN: sm, Name: "prod", Routing: []store.Route{{VersionARN: sm + ":1", Weight: 100}}}); err != nil {
			return err
		}
		return tx.SetTags(sm, []store.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}})
	}))
	// Versions newest first, paged; only the machine's own.
	var nums []int
	pageAll(t, s, 5, func(tx store.Tx, p store.Page) (string, error) {
		vs, next, err := tx.ListVersions(sm, p)
		for _, v := range vs {
			nums = append(nums, v.Number)
		}
		return next, err
	})
	if want := []int{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}; !slices.Equal(nums, want) {
		t.Errorf("versions %v, want %v", nums, want)
	}
	must(t, s.Update(ctx, func(tx store.Tx) error {
		a, err := tx.GetAlias(sm + ":prod")
		if err != nil {
			return err
		}
		a.Routing[0].Weight = 50
		a.Routing = append(a.Routing, store.Route{VersionARN: sm + ":2", Weight: 50})
		return tx.PutAlias(a)
	}))
	must(t, s.View(ctx, func(tx store.Tx) error {
		as, _, err := tx.ListAliases(sm, store.Page{Limit: 10})
		if err != nil {
			return err
		}
		if len(as) != 1 || len(as[0].Routing) != 2 || as[0].Routing[0].Weight != 50 {
			t.Errorf("aliases %+v", as)
		}
		tags, err := tx.Tags(sm)
		if len(tags) != 2 {
			t.Errorf("tags %v", tags)
		}
		return err
	}))
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.SetTags(sm, nil) }))
	must(t, s.View(ctx, func(tx store.Tx) error {
		tags, err := tx.Tags(sm)
		if len(tags) != 0 {
			t.Errorf("tags after clearing %v", tags)
		}
		return err
	}))
}

func testExecutionFilters(t *testing.T, s store.Store) {
	must(t, s.Update(ctx, func(tx store.Tx) error {
		for i, e := range []store.Execution{
			{ARN: "e0", StateMachineARN: "m", Status: store.StatusSucceeded},
			{ARN: "e1", StateMachineARN: "m", Status: store.StatusFailed, VersionARN: "m:1"},
			{ARN: "e2", StateMachineARN: "m", Status: store.StatusRunning, VersionARN: "m:1", AliasARN: "m:prod"},
			{ARN: "e3", StateMachineARN: "n", Status: store.StatusRunning},
		} {
			e.Start = time.Unix(int64(i), 0)
			if err := tx.CreateExecution(&e); err != nil {
				return err
			}
		}
		return nil
	}))
	list := func(f store.ExecutionFilter) []string {
		var arns []string
		must(t, s.View(ctx, func(tx store.Tx) error {
			l, _, err := tx.ListExecutions(f, store.Page{Limit: 100})
			for _, e := range l {
				arns = append(arns, e.ARN)
			}
			return err
		}))
		return arns
	}
	for _, tc := range []struct {
		f    store.ExecutionFilter
		want []string
	}{
		{store.ExecutionFilter{}, []string{"e3", "e2", "e1", "e0"}},
		{store.ExecutionFilter{StateMachineARN: "m"}, []string{"e2", "e1", "e0"}},
		{store.ExecutionFilter{StateMachineARN: "m", Status: store.StatusRunning}, []string{"e2"}},
		{store.ExecutionFilter{StateMachineARN: "m", VersionARN: "m:1"}, []string{"e2", "e1"}},
		{store.ExecutionFilter{StateMachineARN: "m", AliasARN: "m:prod"}, []string{"e2"}},
		{store.ExecutionFilter{StateMachineARN: "zzz"}, nil},
	} {
		if got := list(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.f, got, tc.want)
		}
	}
	err := s.Update(ctx, func(tx store.Tx) error { return tx.PutExecution(&store.Execution{ARN: "nope"}) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutExecution of a missing execution: %v", err)
	}
	err = s.Update(ctx, func(tx store.Tx) error { return tx.AppendEvents("nope", []store.Event{{ID: 1}}) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AppendEvents of a missing execution: %v", err)
	}
}

func testCancelledContext(t *testing.T, s store.Store) {
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	if err := s.Update(cctx, func(store.Tx) error { ran = true; return nil }); err == nil || ran {
		t.Errorf("Update with a cancelled context: err %v, ran %v", err, ran)
	}
	if err := s.View(cctx, func(store.Tx) error { ran = true; return nil }); err == nil || ran {
		t.Errorf("View with a cancelled context: err %v, ran %v", err, ran)
	}
}
