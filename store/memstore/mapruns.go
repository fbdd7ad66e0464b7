package memstore

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/store"
)

type mapRunEntry struct {
	seq      int64
	r        store.MapRun
	children map[int64]*mapChildEntry // by Seq
}

type mapChildEntry struct {
	c      store.MapRunChild
	events []store.Event
}

func cloneMapRun(r *store.MapRun) *store.MapRun {
	c := *r
	c.Info = slices.Clone(r.Info)
	return &c
}

func (t *tx) PutMapRun(r *store.MapRun) error {
	if err := t.check(); err != nil {
		return err
	}
	s := t.s
	if en, ok := s.mapRuns[r.ARN]; ok {
		old := en.r
		en.r = *cloneMapRun(r)
		t.undo = append(t.undo, func() { en.r = old })
		return nil
	}
	s.mapRunSeq++
	en := &mapRunEntry{seq: s.mapRunSeq, r: *cloneMapRun(r), children: map[int64]*mapChildEntry{}}
	put(t, s.mapRuns, r.ARN, en)
	return nil
}

func (t *tx) GetMapRun(arn string) (*store.MapRun, error) {
	en, ok := t.s.mapRuns[arn]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneMapRun(&en.r), nil
}

func cursor(after string) (int64, error) {
	if after == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(after), 10, 64)
	if err != nil {
		return 0, errors.New("memstore: bad cursor")
	}
	return n, nil
}

func (t *tx) ListMapRuns(executionARN string, p store.Page) ([]*store.MapRun, string, error) {
	after, err := cursor(p.After)
	if err != nil {
		return nil, "", err
	}
	var ens []*mapRunEntry
	for _, en := range t.s.mapRuns {
		if en.r.ExecutionARN == executionARN && en.seq > after {
			ens = append(ens, en)
		}
	}
	slices.SortFunc(ens, func(a, b *mapRunEntry) int { return int(a.seq - b.seq) })
	limit := max(p.Limit, 1)
	next := ""
	if len(ens) > limit {
		ens = ens[:limit]
		next = strconv.FormatInt(ens[limit-1].seq, 10)
	}
	out := make([]*store.MapRun, len(ens))
	for i, en := range ens {
		out[i] = cloneMapRun(&en.r)
	}
	return out, next, nil
}

func cloneChild(c *mapChildEntry) *store.MapRunChild {
	o := c.c
	o.Doc = slices.Clone(c.c.Doc)
	o.EventCount = int64(len(c.events))
	return &o
}

func (t *tx) PutMapRunChild(c *store.MapRunChild) error {
	if err := t.check(); err != nil {
		return err
	}
	s := t.s
	run, ok := s.mapRuns[c.MapRunARN]
	if !ok {
		return store.ErrNotFound
	}
	n := *c
	n.Doc, n.EventCount = slices.Clone(c.Doc), 0
	if old, ok := s.mapChildren[c.ARN]; ok {
		oldRun, oldC := s.mapRuns[old.c.MapRunARN], old.c
		if oldRun != nil {
			delete(oldRun.children, old.c.Seq)
		}
		old.c = n
		run.children[n.Seq] = old
		t.undo = append(t.undo, func() {
			delete(run.children, n.Seq)
			old.c = oldC
			if oldRun != nil {
				oldRun.children[oldC.Seq] = old
			}
		})
		return nil
	}
	en := &mapChildEntry{c: n}
	prev, had := run.children[n.Seq]
	run.children[n.Seq] = en
	put(t, s.mapChildren, c.ARN, en)
	t.undo = append(t.undo, func() {
		if had {
			run.children[n.Seq] = prev
		} else {
			delete(run.children, n.Seq)
		}
	})
	return nil
}

func (t *tx) GetMapRunChild(arn string) (*store.MapRunChild, error) {
	en, ok := t.s.mapChildren[arn]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneChild(en), nil
}

func (t *tx) ListMapRunChildren(f store.MapRunChildFilter, p store.Page) ([]*store.MapRunChild, string, error) {
	below := int64(1) << 62
	if p.After != "" {
		n, err := cursor(p.After)
		if err != nil {
			return nil, "", err
		}
		below = n
	}
	run, ok := t.s.mapRuns[f.MapRunARN]
	if !ok {
		return nil, "", nil
	}
	var ens []*mapChildEntry
	for seq, c := range run.children {
		if seq < below && (f.Status == "" || c.c.Status == f.Status) {
			ens = append(ens, c)
		}
	}
	slices.SortFunc(ens, func(a, b *mapChildEntry) int { return int(b.c.Seq - a.c.Seq) })
	limit := max(p.Limit, 1)
	next := ""
	if len(ens) > limit {
		ens = ens[:limit]
		next = strconv.FormatInt(ens[limit-1].c.Seq, 10)
	}
	out := make([]*store.MapRunChild, len(ens))
	for i, en := range ens {
		out[i] = cloneChild(en)
	}
	return out, next, nil
}

func (t *tx) AppendMapRunChildEvents(arn string, events []store.Event) error {
	if err := t.check(); err != nil {
		return err
	}
	en, ok := t.s.mapChildren[arn]
	if !ok {
		return store.ErrNotFound
	}
	n := len(en.events)
	if err := continues(n, events); err != nil {
		return err
	}
	for _, ev := range events {
		en.events = append(en.events, store.Event{ID: ev.ID, JSON: slices.Clone(ev.JSON)})
	}
	t.undo = append(t.undo, func() { en.events = en.events[:n] })
	return nil
}

func (t *tx) MapRunChildEvents(arn string, reverse bool, p store.Page) ([]store.Event, string, error) {
	en, ok := t.s.mapChildren[arn]
	if !ok {
		return nil, "", store.ErrNotFound
	}
	return pageEvents(en.events, reverse, p)
}

// deleteMapRuns removes the map runs of the top-level execution root,
// undoably when t is not nil.
func (s *Store) deleteMapRuns(t *tx, root string) {
	for arn, en := range s.mapRuns {
		if en.r.RootARN != root {
			continue
		}
		delete(s.mapRuns, arn)
		for _, c := range en.children {
			delete(s.mapChildren, c.c.ARN)
		}
		if t != nil {
			t.undo = append(t.undo, func() {
				s.mapRuns[arn] = en
				for _, c := range en.children {
					s.mapChildren[c.c.ARN] = c
				}
			})
		}
	}
}
