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
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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
		{"RecordsRoundTrip", testRecordsRoundTrip},
		{"Tasks", testTasks},
		{"TaskHeartbeats", testTaskHeartbeats},
		{"Checkpoints", testCheckpoints},
		{"DeleteExecution", testDeleteExecution},
		{"PurgeFinished", testPurgeFinished},
		{"RunningAcrossMachines", testRunningAcrossMachines},
		{"ConcurrentUpdatesIsolated", testConcurrentUpdatesIsolated},
		{"ManyEventsAtOnce", testManyEventsAtOnce},
		{"ClosedIsUnavailable", testClosedIsUnavailable},
		{"MapRuns", testMapRuns},
		{"MapRunsDeletedWithExecution", testMapRunsDeletedWithExecution},
		{"MapRunChildAsItRuns", testMapRunChildAsItRuns},
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

// at is a time with the precision a store must keep (nanoseconds, UTC).
func at(sec int64) time.Time { return time.Unix(sec, 123456789).UTC() }

func testRecordsRoundTrip(t *testing.T, s store.Store) {
	sm := &store.StateMachine{ARN: "arn:sm", Name: "m", Type: "STANDARD", Definition: `{"StartAt":"A"}`, RoleARN: "arn:role",
		Logging: `{"level":"ALL"}`, Tracing: `{"enabled":true}`, Encryption: `{"type":"AWS_OWNED_KEY"}`, RevisionID: "r1",
		Created: at(1), Updated: at(2), NextVersion: 3, CreatePublish: true, CreateDescription: "d"}
	v := &store.Version{ARN: "arn:sm:1", StateMachineARN: "arn:sm", Number: 1, Definition: "def", RoleARN: "role", Type: "EXPRESS",
		Logging: "l", Tracing: "t", Encryption: "e", RevisionID: "r", Description: "desc", Created: at(3)}
	al := &store.Alias{ARN: "arn:sm:prod", StateMachineARN: "arn:sm", Name: "prod", Description: "x",
		Routing: []store.Route{{VersionARN: "arn:sm:1", Weight: 60}, {VersionARN: "arn:sm:2", Weight: 40}}, Created: at(4), Updated: at(5)}
	act := &store.Activity{ARN: "arn:act", Name: "act", Encryption: "enc", Created: at(6)}
	ex := &store.Execution{ARN: "arn:ex", Name: "ex", StateMachineARN: "arn:sm", VersionARN: "arn:sm:1", AliasARN: "arn:sm:prod",
		Status: store.StatusFailed, Input: `{"a":"é\u0000"}`, Output: "o", Error: "E", Cause: "C", Start: at(7), Stop: at(8),
		TraceHeader: "th", Definition: `{"StartAt":"A"}`, RoleARN: "role", RevisionID: "rev", MachineName: "m", MachineUpdated: at(9),
		Express: true, RedriveCount: 2, RedriveDate: at(10)}
	task := &store.Task{Token: "tok", ExecutionARN: "arn:ex", ActivityARN: "arn:act", Resource: "arn:act", State: "S",
		ScheduledEventID: 7, Input: "{}", HandedOut: true, WorkerName: "w", Created: at(11),
		HeartbeatDeadline: at(12), TimeoutDeadline: at(13), Data: []byte{0, 1, 2}}
	tags := []store.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return errors.Join(tx.CreateStateMachine(sm), tx.CreateVersion(v), tx.CreateAlias(al), tx.CreateActivity(act),
			tx.CreateExecution(ex), tx.AppendEvents(ex.ARN, []store.Event{{ID: 1, JSON: []byte(`{"id":1}`)}}), tx.PutTask(task), tx.SetTags(sm.ARN, tags))
	}))
	must(t, s.View(ctx, func(tx store.Tx) error {
		gsm, err1 := tx.GetStateMachine(sm.ARN)
		gv, err2 := tx.GetVersion(v.ARN)
		gal, err3 := tx.GetAlias(al.ARN)
		gact, err4 := tx.GetActivity(act.ARN)
		gex, err5 := tx.GetExecution(ex.ARN)
		gtask, err6 := tx.GetTask(task.Token)
		gtags, err7 := tx.Tags(sm.ARN)
		if err := errors.Join(err1, err2, err3, err4, err5, err6, err7); err != nil {
			return err
		}
		wantEx := *ex
		wantEx.EventCount = 1
		for _, d := range []string{cmp.Diff(sm, gsm), cmp.Diff(v, gv), cmp.Diff(al, gal), cmp.Diff(act, gact), cmp.Diff(&wantEx, gex),
			cmp.Diff(task, gtask), cmp.Diff(tags, gtags)} {
			if d != "" {
				t.Errorf("record changed by the store (-put +got):\n%s", d)
			}
		}
		return nil
	}))
}

func testTasks(t *testing.T, s store.Store) {
	err := s.Update(ctx, func(tx store.Tx) error { return tx.PutTask(&store.Task{Token: "t0", ExecutionARN: "missing"}) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutTask for a missing execution: %v, want ErrNotFound", err)
	}
	must(t, s.Update(ctx, func(tx store.Tx) error {
		for _, arn := range []string{"e1", "e2"} {
			if err := tx.CreateExecution(&store.Execution{ARN: arn, Status: store.StatusRunning}); err != nil {
				return err
			}
		}
		// Tokens in an order that is not their creation order.
		for i, tok := range []string{"z", "b", "y", "a", "x"} {
			ex, act := "e1", "act1"
			if i%2 == 1 {
				ex, act = "e2", "act2"
			}
			if err := tx.PutTask(&store.Task{Token: tok, ExecutionARN: ex, ActivityARN: act, ScheduledEventID: int64(i)}); err != nil {
				return err
			}
		}
		return nil
	}))
	// Handing one out replaces it and keeps its place.
	must(t, s.Update(ctx, func(tx store.Tx) error {
		tk, err := tx.GetTask("z")
		if err != nil {
			return err
		}
		tk.HandedOut, tk.WorkerName = true, "w1"
		return tx.PutTask(tk)
	}))
	boom := errors.New("boom")
	if err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteTask("b"); err != nil {
			return err
		}
		if err := tx.PutTask(&store.Task{Token: "new", ExecutionARN: "e1"}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	list := func(f store.TaskFilter, limit int) []string {
		var toks []string
		pageAll(t, s, limit, func(tx store.Tx, p store.Page) (string, error) {
			l, next, err := tx.ListTasks(f, p)
			for _, tk := range l {
				toks = append(toks, tk.Token)
			}
			return next, err
		})
		return toks
	}
	for _, tc := range []struct {
		f    store.TaskFilter
		want []string
	}{
		{store.TaskFilter{}, []string{"z", "b", "y", "a", "x"}},
		{store.TaskFilter{ExecutionARN: "e1"}, []string{"z", "y", "x"}},
		{store.TaskFilter{ActivityARN: "act2"}, []string{"b", "a"}},
		{store.TaskFilter{QueuedOnly: true}, []string{"b", "y", "a", "x"}},
		{store.TaskFilter{ExecutionARN: "e1", ActivityARN: "act1", QueuedOnly: true}, []string{"y", "x"}},
		{store.TaskFilter{ExecutionARN: "e3"}, nil},
	} {
		for _, limit := range []int{1, 2, 10} {
			if got := list(tc.f, limit); !slices.Equal(got, tc.want) {
				t.Errorf("ListTasks(%+v) limit %d = %v, want %v", tc.f, limit, got, tc.want)
			}
		}
	}
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.DeleteTask("y") }))
	must(t, s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetTask("y"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted task: %v", err)
		}
		if err := tx.DeleteTask("q"); err == nil {
			t.Errorf("DeleteTask in View succeeded")
		}
		got, err := tx.GetTask("z")
		if err != nil || !got.HandedOut || got.WorkerName != "w1" {
			t.Errorf("handed-out task %+v, %v", got, err)
		}
		return nil
	}))
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.DeleteTask("y") }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting a missing task: %v, want ErrNotFound", err)
	}
}

func testCheckpoints(t *testing.T, s store.Store) {
	must(t, s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateExecution(&store.Execution{ARN: "e", Status: store.StatusRunning}); err != nil {
			return err
		}
		cp, err := tx.Checkpoint("e")
		if cp != nil || err != nil {
			t.Errorf("checkpoint of a new execution: %q, %v", cp, err)
		}
		return tx.PutCheckpoint("e", []byte("one"))
	}))
	boom := errors.New("boom")
	s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutCheckpoint("e", []byte("two")); err != nil {
			return err
		}
		return boom
	})
	get := func() []byte {
		var cp []byte
		must(t, s.View(ctx, func(tx store.Tx) (err error) { cp, err = tx.Checkpoint("e"); return err }))
		return cp
	}
	if cp := get(); string(cp) != "one" {
		t.Errorf("checkpoint after a rolled-back replace: %q, want one", cp)
	}
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.PutCheckpoint("e", nil) }))
	if cp := get(); cp != nil {
		t.Errorf("checkpoint after removing it: %q", cp)
	}
	for _, err := range []error{
		s.Update(ctx, func(tx store.Tx) error { return tx.PutCheckpoint("missing", []byte("x")) }),
		s.View(ctx, func(tx store.Tx) error { _, err := tx.Checkpoint("missing"); return err }),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("checkpoint of a missing execution: %v, want ErrNotFound", err)
		}
	}
}

func testDeleteExecution(t *testing.T, s store.Store) {
	create := func(tx store.Tx) error {
		return errors.Join(tx.CreateExecution(&store.Execution{ARN: "e", StateMachineARN: "m", Status: store.StatusRunning}),
			tx.AppendEvents("e", []store.Event{{ID: 1, JSON: []byte("{}")}, {ID: 2, JSON: []byte("{}")}}),
			tx.PutCheckpoint("e", []byte("cp")),
			tx.PutTask(&store.Task{Token: "tok", ExecutionARN: "e"}))
	}
	must(t, s.Update(ctx, create))
	boom := errors.New("boom")
	s.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteExecution("e"); err != nil {
			return err
		}
		return boom
	})
	must(t, s.View(ctx, func(tx store.Tx) error {
		e, err := tx.GetExecution("e")
		if err != nil || e.EventCount != 2 {
			t.Errorf("execution after a rolled-back delete: %+v, %v", e, err)
		}
		if _, err := tx.GetTask("tok"); err != nil {
			t.Errorf("task after a rolled-back delete: %v", err)
		}
		return nil
	}))
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.DeleteExecution("e") }))
	must(t, s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetExecution("e"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted execution: %v", err)
		}
		if _, err := tx.GetTask("tok"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("task of a deleted execution: %v", err)
		}
		if _, _, err := tx.Events("e", false, store.Page{Limit: 10}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("events of a deleted execution: %v", err)
		}
		l, _, _ := tx.ListExecutions(store.ExecutionFilter{StateMachineARN: "m"}, store.Page{Limit: 10})
		if len(l) != 0 {
			t.Errorf("deleted execution still listed")
		}
		return nil
	}))
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.DeleteExecution("e") }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting a missing execution: %v", err)
	}
	// The name is free again, with an empty history.
	must(t, s.Update(ctx, create))
	must(t, s.View(ctx, func(tx store.Tx) error {
		evs, _, err := tx.Events("e", false, store.Page{Limit: 10})
		if len(evs) != 2 {
			t.Errorf("recreated execution has %d events", len(evs))
		}
		return err
	}))
}

func testPurgeFinished(t *testing.T, s store.Store) {
	must(t, s.Update(ctx, func(tx store.Tx) error {
		// Created in one order, finished in another.
		for i, stop := range []int64{50, 10, 30, 20, 0, 40} {
			e := &store.Execution{ARN: fmt.Sprintf("e%d", i), StateMachineARN: "m", Status: store.StatusSucceeded, Start: at(0), Stop: at(stop)}
			if stop == 0 {
				e.Status, e.Stop = store.StatusRunning, time.Time{}
			}
			if err := tx.CreateExecution(e); err != nil {
				return err
			}
			if err := tx.AppendEvents(e.ARN, []store.Event{{ID: 1, JSON: []byte("{}")}}); err != nil {
				return err
			}
		}
		return nil
	}))
	purge := func(before int64, limit int) int {
		var n int
		must(t, s.Update(ctx, func(tx store.Tx) (err error) { n, err = tx.PurgeFinished(at(before), limit); return err }))
		return n
	}
	if n := purge(35, 2); n != 2 {
		t.Errorf("purged %d, want 2 (the limit)", n)
	}
	if n := purge(35, 100); n != 1 {
		t.Errorf("purged %d, want 1 (e2, stopped at 30)", n)
	}
	if n := purge(35, 100); n != 0 {
		t.Errorf("purged %d, want 0", n)
	}
	var arns []string
	must(t, s.View(ctx, func(tx store.Tx) error {
		l, _, err := tx.ListExecutions(store.ExecutionFilter{}, store.Page{Limit: 100})
		for _, e := range l {
			arns = append(arns, e.ARN)
		}
		return err
	}))
	if want := []string{"e5", "e4", "e0"}; !slices.Equal(arns, want) {
		t.Errorf("kept %v, want %v (running e4 and those stopped at or after the cutoff)", arns, want)
	}
	if n := purge(1000, 100); n != 2 {
		t.Errorf("purged %d, want 2: a running execution is never purged", n)
	}
}

func testRunningAcrossMachines(t *testing.T, s store.Store) {
	const n = 30
	must(t, s.Update(ctx, func(tx store.Tx) error {
		for i := range n {
			st := store.StatusSucceeded
			if i%3 == 0 {
				st = store.StatusRunning
			}
			if err := tx.CreateExecution(&store.Execution{ARN: fmt.Sprintf("e%02d", i), StateMachineARN: fmt.Sprintf("m%d", i%4), Status: st}); err != nil {
				return err
			}
		}
		return nil
	}))
	var got []string
	pageAll(t, s, 4, func(tx store.Tx, p store.Page) (string, error) {
		l, next, err := tx.ListExecutions(store.ExecutionFilter{Status: store.StatusRunning}, p)
		for _, e := range l {
			got = append(got, e.ARN)
		}
		return next, err
	})
	var want []string
	for i := n - 1; i >= 0; i-- {
		if i%3 == 0 {
			want = append(want, fmt.Sprintf("e%02d", i))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("running executions %v, want %v", got, want)
	}
}

func testClosedIsUnavailable(t *testing.T, s store.Store) {
	must(t, s.Close())
	err := s.Update(ctx, func(tx store.Tx) error { return nil })
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Update after Close: %v, want ErrUnavailable", err)
	}
	err = s.View(ctx, func(tx store.Tx) error { return nil })
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("View after Close: %v, want ErrUnavailable", err)
	}
}

// Concurrent Updates (which a store may commit together) each keep or
// lose only their own writes.
func testConcurrentUpdatesIsolated(t *testing.T, s store.Store) {
	const n = 64
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			arn := fmt.Sprintf("e%02d", i)
			errs[i] = s.Update(ctx, func(tx store.Tx) error {
				if err := tx.CreateExecution(&store.Execution{ARN: arn, Status: store.StatusRunning}); err != nil {
					return err
				}
				if err := tx.AppendEvents(arn, []store.Event{{ID: 1, JSON: []byte("{}")}}); err != nil {
					return err
				}
				if i%3 == 0 {
					return boom
				}
				return nil
			})
		})
	}
	wg.Wait()
	must(t, s.View(ctx, func(tx store.Tx) error {
		for i := range n {
			arn := fmt.Sprintf("e%02d", i)
			e, err := tx.GetExecution(arn)
			if i%3 == 0 {
				if !errors.Is(errs[i], boom) || !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s: Update %v, then %v; want boom and not found", arn, errs[i], err)
				}
			} else if errs[i] != nil || err != nil || e.EventCount != 1 {
				t.Errorf("%s: Update %v, then %+v, %v", arn, errs[i], e, err)
			}
		}
		return nil
	}))
}

// A group of events appended in one call is stored in order, each with
// its own document; a group that does not continue the history is refused
// whole.
func testManyEventsAtOnce(t *testing.T, s store.Store) {
	group := func(from, n int) []store.Event {
		var evs []store.Event
		for i := from; i < from+n; i++ {
			evs = append(evs, store.Event{ID: int64(i), JSON: fmt.Appendf(nil, `{"id":%d}`, i)})
		}
		return evs
	}
	must(t, s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateExecution(&store.Execution{ARN: "e", Status: store.StatusRunning}); err != nil {
			return err
		}
		if err := tx.AppendEvents("e", group(1, 37)); err != nil {
			return err
		}
		return tx.AppendEvents("e", group(38, 5))
	}))
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.AppendEvents("e", group(44, 3)) }); err == nil {
		t.Error("a group starting past the end was accepted")
	}
	must(t, s.View(ctx, func(tx store.Tx) error {
		e, err := tx.GetExecution("e")
		if err != nil {
			return err
		}
		if e.EventCount != 42 {
			t.Errorf("event count %d, want 42", e.EventCount)
		}
		evs, _, err := tx.Events("e", false, store.Page{Limit: 100})
		if len(evs) != 42 {
			t.Fatalf("%d events, want 42", len(evs))
		}
		for i, ev := range evs {
			if ev.ID != int64(i+1) || string(ev.JSON) != fmt.Sprintf(`{"id":%d}`, i+1) {
				t.Errorf("event %d: %d %s", i, ev.ID, ev.JSON)
			}
		}
		return err
	}))
}

// testTaskHeartbeats updates a handed-out task as the server does on each
// SendTaskHeartbeat (its new HeartbeatDeadline under the same token): the
// last one put is what GetTask returns, it is not listed as queued, and
// it goes with its execution.
func testTaskHeartbeats(t *testing.T, s store.Store) {
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateExecution(&store.Execution{ARN: "e", StateMachineARN: "m", Status: store.StatusRunning})
	}))
	for i := int64(1); i <= 3; i++ {
		must(t, s.Update(ctx, func(tx store.Tx) error {
			return tx.PutTask(&store.Task{Token: "tok", ExecutionARN: "e", ActivityARN: "act", State: "Work", HandedOut: true,
				Created: at(1), HeartbeatDeadline: at(10 + i)})
		}))
	}
	must(t, s.View(ctx, func(tx store.Tx) error {
		tk, err := tx.GetTask("tok")
		if err != nil {
			return err
		}
		if !tk.HeartbeatDeadline.Equal(at(13)) || !tk.HandedOut || tk.State != "Work" {
			t.Errorf("task after three heartbeats: %+v, want the deadline of the last", tk)
		}
		if l, _, err := tx.ListTasks(store.TaskFilter{QueuedOnly: true}, store.Page{Limit: 10}); err != nil || len(l) != 0 {
			t.Errorf("queued tasks: %d %v, want none", len(l), err)
		}
		return nil
	}))
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.DeleteExecution("e") }))
	must(t, s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetTask("tok"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("task of a deleted execution: %v", err)
		}
		return nil
	}))
}
