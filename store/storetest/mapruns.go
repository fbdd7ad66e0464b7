package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hsc-dev/hsc/store"
)

// putMapRuns stores, under the top-level execution root, runs run1 (2
// children, the first with a 3-event history) and run2, and a nested run
// whose parent is run1's first child.
func putMapRuns(t *testing.T, s store.Store, root string) {
	t.Helper()
	must(t, s.Update(ctx, func(tx store.Tx) error {
		for _, r := range []*store.MapRun{
			{ARN: root + "/run1", ExecutionARN: root, RootARN: root, Status: store.StatusRunning, Start: at(1), Info: []byte(`{"a":1}`)},
			{ARN: root + "/run2", ExecutionARN: root, RootARN: root, Status: store.StatusSucceeded, Start: at(2), Stop: at(3), Info: []byte(`{"a":2}`)},
			{ARN: root + "/nested", ExecutionARN: root + "/run1:c1", RootARN: root, Status: store.StatusRunning, Start: at(2)},
		} {
			if err := tx.PutMapRun(r); err != nil {
				return err
			}
		}
		for i, st := range []string{store.StatusSucceeded, store.StatusFailed} {
			c := &store.MapRunChild{ARN: fmt.Sprintf("%s/run1:c%d", root, i+1), MapRunARN: root + "/run1", Seq: int64(i + 1), Status: st,
				Start: at(1), Stop: at(2), Doc: []byte(`{"input":"{}"}`)}
			if err := tx.PutMapRunChild(c); err != nil {
				return err
			}
		}
		return tx.AppendMapRunChildEvents(root+"/run1:c1", []store.Event{{ID: 1, JSON: []byte(`{"id":1}`)}, {ID: 2, JSON: []byte(`{"id":2}`)}, {ID: 3, JSON: []byte(`{"id":3}`)}})
	}))
}

func testMapRuns(t *testing.T, s store.Store) {
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateExecution(&store.Execution{ARN: "ex", StateMachineARN: "m", Status: store.StatusRunning})
	}))
	putMapRuns(t, s, "ex")
	// An update replaces the record and keeps its place in the listing.
	upd := &store.MapRun{ARN: "ex/run1", ExecutionARN: "ex", RootARN: "ex", Status: store.StatusFailed, Start: at(1), Stop: at(5), Info: []byte(`{"a":3}`)}
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.PutMapRun(upd) }))
	must(t, s.View(ctx, func(tx store.Tx) error {
		got, err := tx.GetMapRun("ex/run1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(upd, got); diff != "" {
			t.Errorf("GetMapRun (-put +got):\n%s", diff)
		}
		if _, err := tx.GetMapRun("nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetMapRun of a missing run: %v", err)
		}
		c, err := tx.GetMapRunChild("ex/run1:c1")
		if err != nil {
			return err
		}
		want := &store.MapRunChild{ARN: "ex/run1:c1", MapRunARN: "ex/run1", Seq: 1, Status: store.StatusSucceeded, Start: at(1), Stop: at(2),
			Doc: []byte(`{"input":"{}"}`), EventCount: 3}
		if diff := cmp.Diff(want, c); diff != "" {
			t.Errorf("GetMapRunChild (-want +got):\n%s", diff)
		}
		if err := tx.PutMapRunChild(&store.MapRunChild{ARN: "x", MapRunARN: "nope", Seq: 1}); err == nil {
			t.Error("PutMapRunChild in a read-only transaction or of a missing run succeeded")
		}
		return nil
	}))
	must(t, s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutMapRunChild(&store.MapRunChild{ARN: "x", MapRunARN: "nope", Seq: 1}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PutMapRunChild of a missing run: %v, want ErrNotFound", err)
		}
		if err := tx.AppendMapRunChildEvents("ex/run1:c1", []store.Event{{ID: 5, JSON: []byte("{}")}}); err == nil {
			t.Error("AppendMapRunChildEvents with a gap succeeded")
		}
		return nil
	}))
	// Listings: runs of a parent in put order, one page at a time.
	var runs []string
	pageAll(t, s, 1, func(tx store.Tx, p store.Page) (string, error) {
		l, next, err := tx.ListMapRuns("ex", p)
		for _, r := range l {
			runs = append(runs, r.ARN)
		}
		return next, err
	})
	if want := []string{"ex/run1", "ex/run2"}; !slices.Equal(runs, want) {
		t.Errorf("ListMapRuns = %v, want %v", runs, want)
	}
	for _, tc := range []struct {
		status string
		want   []string
	}{{"", []string{"ex/run1:c2", "ex/run1:c1"}}, {store.StatusFailed, []string{"ex/run1:c2"}}, {store.StatusAborted, nil}} {
		var kids []string
		pageAll(t, s, 1, func(tx store.Tx, p store.Page) (string, error) {
			l, next, err := tx.ListMapRunChildren(store.MapRunChildFilter{MapRunARN: "ex/run1", Status: tc.status}, p)
			for _, c := range l {
				kids = append(kids, c.ARN)
			}
			return next, err
		})
		if !slices.Equal(kids, tc.want) {
			t.Errorf("ListMapRunChildren(status %q) = %v, want %v (highest Seq first)", tc.status, kids, tc.want)
		}
	}
	// The child's history pages both ways as an execution's does.
	for _, reverse := range []bool{false, true} {
		var ids []int64
		pageAll(t, s, 2, func(tx store.Tx, p store.Page) (string, error) {
			evs, next, err := tx.MapRunChildEvents("ex/run1:c1", reverse, p)
			for _, ev := range evs {
				ids = append(ids, ev.ID)
			}
			return next, err
		})
		want := []int64{1, 2, 3}
		if reverse {
			want = []int64{3, 2, 1}
		}
		if !slices.Equal(ids, want) {
			t.Errorf("MapRunChildEvents(reverse %v) = %v, want %v", reverse, ids, want)
		}
	}
	// A failed transaction keeps none of its map run writes.
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutMapRun(&store.MapRun{ARN: "ex/run3", ExecutionARN: "ex", RootARN: "ex"}); err != nil {
			return err
		}
		if err := tx.PutMapRunChild(&store.MapRunChild{ARN: "ex/run3:c1", MapRunARN: "ex/run3", Seq: 1}); err != nil {
			return err
		}
		if err := tx.AppendMapRunChildEvents("ex/run1:c2", []store.Event{{ID: 1, JSON: []byte("{}")}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	must(t, s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetMapRun("ex/run3"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("map run after rollback: %v", err)
		}
		if _, err := tx.GetMapRunChild("ex/run3:c1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("map run child after rollback: %v", err)
		}
		c, err := tx.GetMapRunChild("ex/run1:c2")
		if err != nil {
			return err
		}
		if c.EventCount != 0 {
			t.Errorf("child events after rollback: %d", c.EventCount)
		}
		return nil
	}))
}

// Deleting an execution deletes its map runs (nested ones too) with their
// children and histories, and no other execution's.
func testMapRunsDeletedWithExecution(t *testing.T, s store.Store) {
	must(t, s.Update(ctx, func(tx store.Tx) error {
		for _, e := range []*store.Execution{
			{ARN: "a", StateMachineARN: "m", Status: store.StatusSucceeded, Start: at(0), Stop: at(10)},
			{ARN: "b", StateMachineARN: "m", Status: store.StatusSucceeded, Start: at(0), Stop: at(20)},
			{ARN: "c", StateMachineARN: "m", Status: store.StatusSucceeded, Start: at(0), Stop: at(30)},
		} {
			if err := tx.CreateExecution(e); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, root := range []string{"a", "b", "c"} {
		putMapRuns(t, s, root)
	}
	gone := func(root string, want bool) {
		t.Helper()
		must(t, s.View(ctx, func(tx store.Tx) error {
			for _, arn := range []string{root + "/run1", root + "/run2", root + "/nested"} {
				if _, err := tx.GetMapRun(arn); errors.Is(err, store.ErrNotFound) != want {
					t.Errorf("GetMapRun(%s) = %v, want gone %v", arn, err, want)
				}
			}
			_, err := tx.GetMapRunChild(root + "/run1:c1")
			if errors.Is(err, store.ErrNotFound) != want {
				t.Errorf("GetMapRunChild(%s/run1:c1) = %v, want gone %v", root, err, want)
			}
			_, _, err = tx.MapRunChildEvents(root+"/run1:c1", false, store.Page{Limit: 10})
			if errors.Is(err, store.ErrNotFound) != want {
				t.Errorf("MapRunChildEvents(%s/run1:c1) = %v, want gone %v", root, err, want)
			}
			l, _, err := tx.ListMapRuns(root, store.Page{Limit: 10})
			if err != nil {
				return err
			}
			if (len(l) == 0) != want {
				t.Errorf("ListMapRuns(%s) = %d runs, want gone %v", root, len(l), want)
			}
			return nil
		}))
	}
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.DeleteExecution("a") }))
	gone("a", true)
	gone("b", false)
	must(t, s.Update(ctx, func(tx store.Tx) error {
		n, err := tx.PurgeFinished(at(25), 10)
		if n != 1 {
			t.Errorf("PurgeFinished = %d, want 1", n)
		}
		return err
	}))
	gone("b", true)
	gone("c", false)
	// A rolled back delete keeps them.
	boom := errors.New("boom")
	if err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteExecution("c"); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	gone("c", false)
}

// testMapRunChildAsItRuns writes a child as the server does while its map
// run runs (to resume it after a restart): its RUNNING record, events in
// several transactions, then its ended record, which must keep the
// history and its count; appending goes on from there, and the status
// filter sees the new status.
func testMapRunChildAsItRuns(t *testing.T, s store.Store) {
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return errors.Join(tx.CreateExecution(&store.Execution{ARN: "ex", StateMachineARN: "m", Status: store.StatusRunning}),
			tx.PutMapRun(&store.MapRun{ARN: "ex/run", ExecutionARN: "ex", RootARN: "ex", Status: store.StatusRunning, Start: at(1)}))
	}))
	child := func(status string) *store.MapRunChild {
		return &store.MapRunChild{ARN: "ex/run:c", MapRunARN: "ex/run", Seq: 3, Status: status, Start: at(1), Doc: []byte(`{"s":"` + status + `"}`)}
	}
	ev := func(id int64) store.Event { return store.Event{ID: id, JSON: []byte(fmt.Sprintf(`{"id":%d}`, id))} }
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return errors.Join(tx.PutMapRunChild(child(store.StatusRunning)), tx.AppendMapRunChildEvents("ex/run:c", []store.Event{ev(1), ev(2)}))
	}))
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.AppendMapRunChildEvents("ex/run:c", []store.Event{ev(3)}) }))
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return errors.Join(tx.AppendMapRunChildEvents("ex/run:c", []store.Event{ev(4)}), tx.PutMapRunChild(child(store.StatusSucceeded)))
	}))
	must(t, s.View(ctx, func(tx store.Tx) error {
		c, err := tx.GetMapRunChild("ex/run:c")
		if err != nil {
			return err
		}
		if c.Status != store.StatusSucceeded || c.EventCount != 4 || string(c.Doc) != `{"s":"SUCCEEDED"}` {
			t.Errorf("child after its end was put: %+v, want SUCCEEDED with its 4 events", c)
		}
		evs, _, err := tx.MapRunChildEvents("ex/run:c", false, store.Page{Limit: 10})
		if err != nil {
			return err
		}
		var ids []int64
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
		if !slices.Equal(ids, []int64{1, 2, 3, 4}) {
			t.Errorf("history after the end was put: %v, want 1-4", ids)
		}
		for st, want := range map[string]int{store.StatusRunning: 0, store.StatusSucceeded: 1} {
			l, _, err := tx.ListMapRunChildren(store.MapRunChildFilter{MapRunARN: "ex/run", Status: st}, store.Page{Limit: 10})
			if err != nil || len(l) != want {
				t.Errorf("%s children: %d %v, want %d", st, len(l), err, want)
			}
		}
		return nil
	}))
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.AppendMapRunChildEvents("ex/run:c", []store.Event{ev(5)}) }))
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.AppendMapRunChildEvents("ex/run:c", []store.Event{ev(7)}) }); err == nil {
		t.Error("an event leaving a gap in a child's history was stored")
	}
}
