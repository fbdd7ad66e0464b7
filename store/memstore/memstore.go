// Package memstore is the in-memory implementation of store.Store. It keeps
// everything in maps under one lock, copies records in and out so callers
// never share them, undoes a failed transaction's writes, and bounds memory
// by dropping the oldest finished executions beyond a configured count.
//
// It knows the store's records and nothing of the wire protocol or of how
// executions run.
package memstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hsc-dev/hsc/store"
)

// minHistoryCap is the room an execution's history is given at its
// first event.
const minHistoryCap = 16

// DefaultMaxFinished is how many finished executions are kept by default.
const DefaultMaxFinished = 10000

// Options configure a Store.
type Options struct {
	// MaxFinished bounds the finished executions kept (0: DefaultMaxFinished;
	// negative: no bound). Beyond it the oldest finished are dropped.
	MaxFinished int
	// OnDrop, when set, is called (outside the lock) with the ARNs of
	// executions dropped by the bound.
	OnDrop func(arns []string)
}

// Store is an in-memory store.Store.
type Store struct {
	opts Options

	mu      sync.RWMutex
	closed  bool
	sms     map[string]*store.StateMachine
	vers    map[string]*store.Version
	aliases map[string]*store.Alias
	acts    map[string]*store.Activity
	tags    map[string][]store.Tag
	execs   map[string]*execEntry
	// order holds executions by creation; byMachine the same per state
	// machine ARN. Dropped entries stay until compaction.
	order     []*execEntry
	byMachine map[string][]*execEntry
	seq       int64
	finished  []*execEntry // in the order they finished
	dead      int          // dropped entries still in order
	tasks     map[string]*taskEntry
	taskSeq   int64
	// mapRuns by ARN; mapChildren their children by ARN.
	mapRuns     map[string]*mapRunEntry
	mapChildren map[string]*mapChildEntry
	mapRunSeq   int64
	// wtx is the write transaction, reused by every Update (under mu).
	wtx tx
}

type execEntry struct {
	seq        int64
	e          store.Execution
	events     []store.Event
	checkpoint []byte
	dropped    bool
}

type taskEntry struct {
	seq int64
	t   store.Task
}

// New returns an empty store.
func New(opts Options) *Store {
	if opts.MaxFinished == 0 {
		opts.MaxFinished = DefaultMaxFinished
	}
	return &Store{
		opts: opts, sms: map[string]*store.StateMachine{}, vers: map[string]*store.Version{},
		aliases: map[string]*store.Alias{}, acts: map[string]*store.Activity{}, tags: map[string][]store.Tag{},
		execs: map[string]*execEntry{}, byMachine: map[string][]*execEntry{}, tasks: map[string]*taskEntry{},
		mapRuns: map[string]*mapRunEntry{}, mapChildren: map[string]*mapChildEntry{},
	}
}

var errClosed = fmt.Errorf("memstore: store is closed: %w", store.ErrUnavailable)

// Update runs fn in a read-write transaction.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errClosed
	}
	tx := &s.wtx
	tx.s, tx.write = s, true
	err := fn(tx)
	if err != nil {
		tx.rollback()
		tx.reset()
		s.mu.Unlock()
		return err
	}
	for _, en := range tx.deleted {
		en.events, en.checkpoint = nil, nil
	}
	dropped := s.enforceBound(tx.finished)
	if s.dead > 1024 && s.dead > len(s.order)/2 {
		s.compact()
	}
	tx.reset()
	s.mu.Unlock()
	if len(dropped) > 0 && s.opts.OnDrop != nil {
		s.opts.OnDrop(dropped)
	}
	return nil
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	return fn(&tx{s: s})
}

// Close drops everything.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// enforceBound records newly finished executions and drops the oldest
// finished beyond the bound. Called with the lock held.
func (s *Store) enforceBound(newlyFinished []*execEntry) []string {
	s.finished = append(s.finished, newlyFinished...)
	if s.opts.MaxFinished < 0 || len(s.finished) <= s.opts.MaxFinished {
		return nil
	}
	n := len(s.finished) - s.opts.MaxFinished
	var arns []string
	for _, en := range s.finished[:n] {
		if en.dropped || en.e.Status == store.StatusRunning { // redriven
			continue
		}
		s.drop(en)
		arns = append(arns, en.e.ARN)
	}
	// Dropped from the front: the slice's start moves on (append copies
	// what is left once the room behind it is used up), rather than
	// every drop moving the whole bound's worth of entries.
	clear(s.finished[:n])
	s.finished = s.finished[n:]
	return arns
}

// drop removes an execution with its history and tasks for good.
func (s *Store) drop(en *execEntry) {
	en.dropped = true
	en.events = nil
	en.checkpoint = nil
	delete(s.execs, en.e.ARN)
	for k, te := range s.tasks {
		if te.t.ExecutionARN == en.e.ARN {
			delete(s.tasks, k)
		}
	}
	s.deleteMapRuns(nil, en.e.ARN)
	s.dead++
}

func (s *Store) compact() {
	live := func(en *execEntry) bool { return en.dropped }
	s.order = slices.DeleteFunc(s.order, live)
	for k, l := range s.byMachine {
		l = slices.DeleteFunc(l, live)
		if len(l) == 0 {
			delete(s.byMachine, k)
		} else {
			s.byMachine[k] = l
		}
	}
	s.dead = 0
}

type tx struct {
	s     *Store
	write bool
	undo  []func()
	// appended marks the histories AppendEvents grew, and their lengths
	// before: undone apart from undo (no other write touches a history
	// before the commit), without a closure per append.
	appended []historyMark
	finished []*execEntry
	deleted  []*execEntry
}

type historyMark struct {
	en *execEntry
	n  int
}

// rollback undoes a failed transaction's writes.
func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	for i := len(t.appended) - 1; i >= 0; i-- {
		m := t.appended[i]
		m.en.events = m.en.events[:m.n]
	}
}

// reset empties a write transaction for the next Update, keeping its
// slices unless they grew large (a purge) and holding on to nothing they
// referred to.
func (t *tx) reset() {
	t.undo = resetSlice(t.undo)
	t.appended = resetSlice(t.appended)
	t.finished = resetSlice(t.finished)
	t.deleted = resetSlice(t.deleted)
}

func resetSlice[E any](s []E) []E {
	if cap(s) > 256 {
		return nil
	}
	clear(s)
	return s[:0]
}

var errReadOnly = errors.New("memstore: write in a read-only transaction")

func (t *tx) check() error {
	if !t.write {
		return errReadOnly
	}
	return nil
}

// put stores v under key in m, remembering how to undo it.
func put[V any](t *tx, m map[string]*V, key string, v *V) {
	old, had := m[key]
	m[key] = v
	t.undo = append(t.undo, func() {
		if had {
			m[key] = old
		} else {
			delete(m, key)
		}
	})
}

func del[V any](t *tx, m map[string]*V, key string) bool {
	old, had := m[key]
	if !had {
		return false
	}
	delete(m, key)
	t.undo = append(t.undo, func() { m[key] = old })
	return true
}

// page lists the values of m in key order after page.After.
func page[V any](m map[string]*V, p store.Page, keep func(*V) bool, clone func(*V) *V) ([]*V, string) {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if k > p.After && (keep == nil || keep(v)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	limit := max(p.Limit, 1)
	next := ""
	if len(keys) > limit {
		keys = keys[:limit]
		next = keys[limit-1]
	}
	out := make([]*V, len(keys))
	for i, k := range keys {
		out[i] = clone(m[k])
	}
	return out, next
}

func cloneSM(v *store.StateMachine) *store.StateMachine { c := *v; return &c }
func cloneVer(v *store.Version) *store.Version          { c := *v; return &c }
func cloneAct(v *store.Activity) *store.Activity        { c := *v; return &c }
func cloneAlias(v *store.Alias) *store.Alias {
	c := *v
	c.Routing = slices.Clone(v.Routing)
	return &c
}

func (t *tx) CreateStateMachine(sm *store.StateMachine) error {
	if err := t.check(); err != nil {
		return err
	}
	if _, ok := t.s.sms[sm.ARN]; ok {
		return store.ErrExists
	}
	put(t, t.s.sms, sm.ARN, cloneSM(sm))
	return nil
}

func (t *tx) GetStateMachine(arn string) (*store.StateMachine, error) {
	v, ok := t.s.sms[arn]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneSM(v), nil
}

func (t *tx) PutStateMachine(sm *store.StateMachine) error {
	if err := t.check(); err != nil {
		return err
	}
	if _, ok := t.s.sms[sm.ARN]; !ok {
		return store.ErrNotFound
	}
	put(t, t.s.sms, sm.ARN, cloneSM(sm))
	return nil
}

func (t *tx) DeleteStateMachine(arn string) error {
	if err := t.check(); err != nil {
		return err
	}
	if !del(t, t.s.sms, arn) {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) ListStateMachines(p store.Page) ([]*store.StateMachine, string, error) {
	l, next := page(t.s.sms, p, nil, cloneSM)
	return l, next, nil
}

func (t *tx) CreateVersion(v *store.Version) error {
	if err := t.check(); err != nil {
		return err
	}
	if _, ok := t.s.vers[v.ARN]; ok {
		return store.ErrExists
	}
	put(t, t.s.vers, v.ARN, cloneVer(v))
	return nil
}

func (t *tx) GetVersion(arn string) (*store.Version, error) {
	v, ok := t.s.vers[arn]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneVer(v), nil
}

func (t *tx) DeleteVersion(arn string) error {
	if err := t.check(); err != nil {
		return err
	}
	if !del(t, t.s.vers, arn) {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) ListVersions(smARN string, p store.Page) ([]*store.Version, string, error) {
	var all []*store.Version
	for _, v := range t.s.vers {
		if v.StateMachineARN == smARN {
			all = append(all, v)
		}
	}
	slices.SortFunc(all, func(a, b *store.Version) int { return b.Number - a.Number })
	start := 0
	if p.After != "" {
		n, err := strconv.Atoi(p.After)
		if err != nil {
			return nil, "", errors.New("memstore: bad cursor")
		}
		start = sort.Search(len(all), func(i int) bool { return all[i].Number < n })
	}
	all = all[start:]
	next := ""
	if limit := max(p.Limit, 1); len(all) > limit {
		all = all[:limit]
		next = strconv.Itoa(all[limit-1].Number)
	}
	out := make([]*store.Version, len(all))
	for i, v := range all {
		out[i] = cloneVer(v)
	}
	return out, next, nil
}

func (t *tx) CreateAlias(a *store.Alias) error {
	if err := t.check(); err != nil {
		return err
	}
	if _, ok := t.s.aliases[a.ARN]; ok {
		return store.ErrExists
	}
	put(t, t.s.aliases, a.ARN, cloneAlias(a))
	return nil
}

func (t *tx) GetAlias(arn string) (*store.Alias, error) {
	v, ok := t.s.aliases[arn]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneAlias(v), nil
}

func (t *tx) PutAlias(a *store.Alias) error {
	if err := t.check(); err != nil {
		return err
	}
	if _, ok := t.s.aliases[a.ARN]; !ok {
		return store.ErrNotFound
	}
	put(t, t.s.aliases, a.ARN, cloneAlias(a))
	return nil
}

func (t *tx) DeleteAlias(arn string) error {
	if err := t.check(); err != nil {
		return err
	}
	if !del(t, t.s.aliases, arn) {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) ListAliases(smARN string, p store.Page) ([]*store.Alias, string, error) {
	l, next := page(t.s.aliases, p, func(a *store.Alias) bool { return a.StateMachineARN == smARN }, cloneAlias)
	return l, next, nil
}

func (t *tx) CreateActivity(a *store.Activity) error {
	if err := t.check(); err != nil {
		return err
	}
	if _, ok := t.s.acts[a.ARN]; ok {
		return store.ErrExists
	}
	put(t, t.s.acts, a.ARN, cloneAct(a))
	return nil
}

func (t *tx) GetActivity(arn string) (*store.Activity, error) {
	v, ok := t.s.acts[arn]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneAct(v), nil
}

func (t *tx) DeleteActivity(arn string) error {
	if err := t.check(); err != nil {
		return err
	}
	if !del(t, t.s.acts, arn) {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) ListActivities(p store.Page) ([]*store.Activity, string, error) {
	l, next := page(t.s.acts, p, nil, cloneAct)
	return l, next, nil
}

func (t *tx) Tags(arn string) ([]store.Tag, error) {
	return slices.Clone(t.s.tags[arn]), nil
}

func (t *tx) SetTags(arn string, tags []store.Tag) error {
	if err := t.check(); err != nil {
		return err
	}
	old, had := t.s.tags[arn]
	if len(tags) == 0 {
		delete(t.s.tags, arn)
	} else {
		t.s.tags[arn] = slices.Clone(tags)
	}
	t.undo = append(t.undo, func() {
		if had {
			t.s.tags[arn] = old
		} else {
			delete(t.s.tags, arn)
		}
	})
	return nil
}

func (t *tx) CreateExecution(e *store.Execution) error {
	if err := t.check(); err != nil {
		return err
	}
	s := t.s
	if _, ok := s.execs[e.ARN]; ok {
		return store.ErrExists
	}
	s.seq++
	en := &execEntry{seq: s.seq, e: *e}
	s.execs[e.ARN] = en
	s.order = append(s.order, en)
	s.byMachine[e.StateMachineARN] = append(s.byMachine[e.StateMachineARN], en)
	t.undo = append(t.undo, func() {
		delete(s.execs, e.ARN)
		s.order = s.order[:len(s.order)-1]
		l := s.byMachine[e.StateMachineARN]
		s.byMachine[e.StateMachineARN] = l[:len(l)-1]
	})
	if e.Status != store.StatusRunning {
		t.finished = append(t.finished, en)
	}
	return nil
}

func (t *tx) GetExecution(arn string) (*store.Execution, error) {
	en, ok := t.s.execs[arn]
	if !ok {
		return nil, store.ErrNotFound
	}
	c := en.e
	c.EventCount = int64(len(en.events))
	return &c, nil
}

func (t *tx) PutExecution(e *store.Execution) error {
	if err := t.check(); err != nil {
		return err
	}
	en, ok := t.s.execs[e.ARN]
	if !ok {
		return store.ErrNotFound
	}
	old := en.e
	en.e = *e
	t.undo = append(t.undo, func() { en.e = old })
	if old.Status == store.StatusRunning && e.Status != store.StatusRunning {
		t.finished = append(t.finished, en)
	}
	return nil
}

func (t *tx) ListExecutions(f store.ExecutionFilter, p store.Page) ([]*store.Execution, string, error) {
	list := t.s.order
	if f.StateMachineARN != "" {
		list = t.s.byMachine[f.StateMachineARN]
	}
	i := len(list) - 1
	if p.After != "" {
		n, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil {
			return nil, "", errors.New("memstore: bad cursor")
		}
		// entries are in seq order; start below n
		i = sort.Search(len(list), func(k int) bool { return list[k].seq >= n }) - 1
	}
	limit := max(p.Limit, 1)
	var lastSeq int64
	var out []*store.Execution
	for ; i >= 0; i-- {
		en := list[i]
		if en.dropped || f.Status != "" && en.e.Status != f.Status ||
			f.VersionARN != "" && en.e.VersionARN != f.VersionARN || f.AliasARN != "" && en.e.AliasARN != f.AliasARN {
			continue
		}
		if len(out) == limit {
			// list[i] matches too: the next page starts at or below the
			// last entry returned.
			return out, strconv.FormatInt(lastSeq, 10), nil
		}
		c := en.e
		c.EventCount = int64(len(en.events))
		out = append(out, &c)
		lastSeq = en.seq
	}
	return out, "", nil
}

func (t *tx) AppendEvents(arn string, events []store.Event) error {
	if err := t.check(); err != nil {
		return err
	}
	en, ok := t.s.execs[arn]
	if !ok {
		return store.ErrNotFound
	}
	n := len(en.events)
	if err := continues(n, events); err != nil {
		return err
	}
	if en.events == nil {
		// Histories grow an event or a few at a time: room for a short
		// one at once rather than five doublings on the way to it.
		en.events = make([]store.Event, 0, max(minHistoryCap, len(events)))
	}
	en.events = append(en.events, events...)
	t.appended = append(t.appended, historyMark{en, n})
	return nil
}

func (t *tx) Events(arn string, reverse bool, p store.Page) ([]store.Event, string, error) {
	en, ok := t.s.execs[arn]
	if !ok {
		return nil, "", store.ErrNotFound
	}
	return pageEvents(en.events, reverse, p)
}

// pageEvents pages a history as Tx.Events does.
func pageEvents(evs []store.Event, reverse bool, p store.Page) ([]store.Event, string, error) {
	limit := max(p.Limit, 1)
	var after int64
	if p.After != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(p.After), 10, 64)
		if err != nil {
			return nil, "", errors.New("memstore: bad cursor")
		}
		after = n
	}
	var out []store.Event
	if !reverse {
		// IDs are 1..len: event id k is at index k-1.
		start := int(min(after, int64(len(evs))))
		end := min(start+limit, len(evs))
		out = slices.Clone(evs[start:end])
		if end < len(evs) {
			return out, strconv.Itoa(end), nil
		}
		return out, "", nil
	}
	hi := len(evs) // exclusive upper index
	if p.After != "" {
		hi = int(min(max(after-1, 0), int64(len(evs))))
	}
	lo := max(hi-limit, 0)
	for i := hi - 1; i >= lo; i-- {
		out = append(out, evs[i])
	}
	if lo > 0 {
		return out, strconv.Itoa(lo + 1), nil
	}
	return out, "", nil
}

// deleteExec removes an execution in a transaction, undoably.
func (t *tx) deleteExec(en *execEntry) {
	s := t.s
	delete(s.execs, en.e.ARN)
	en.dropped = true
	s.dead++
	var tasks []*taskEntry
	for k, te := range s.tasks {
		if te.t.ExecutionARN == en.e.ARN {
			tasks = append(tasks, te)
			delete(s.tasks, k)
		}
	}
	t.deleted = append(t.deleted, en)
	s.deleteMapRuns(t, en.e.ARN)
	t.undo = append(t.undo, func() {
		s.execs[en.e.ARN] = en
		en.dropped = false
		s.dead--
		for _, te := range tasks {
			s.tasks[te.t.Token] = te
		}
	})
}

func (t *tx) DeleteExecution(arn string) error {
	if err := t.check(); err != nil {
		return err
	}
	en, ok := t.s.execs[arn]
	if !ok {
		return store.ErrNotFound
	}
	t.deleteExec(en)
	return nil
}

func (t *tx) PurgeFinished(before time.Time, limit int) (int, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	var ends []*execEntry
	for _, en := range t.s.order {
		if !en.dropped && en.e.Status != store.StatusRunning && en.e.Stop.Before(before) {
			ends = append(ends, en)
		}
	}
	slices.SortStableFunc(ends, func(a, b *execEntry) int { return a.e.Stop.Compare(b.e.Stop) })
	if len(ends) > limit {
		ends = ends[:max(limit, 0)]
	}
	for _, en := range ends {
		t.deleteExec(en)
	}
	return len(ends), nil
}

func (t *tx) PutCheckpoint(arn string, data []byte) error {
	if err := t.check(); err != nil {
		return err
	}
	en, ok := t.s.execs[arn]
	if !ok {
		return store.ErrNotFound
	}
	old := en.checkpoint
	en.checkpoint = slices.Clone(data)
	t.undo = append(t.undo, func() { en.checkpoint = old })
	return nil
}

func (t *tx) Checkpoint(arn string) ([]byte, error) {
	en, ok := t.s.execs[arn]
	if !ok {
		return nil, store.ErrNotFound
	}
	return slices.Clone(en.checkpoint), nil
}

func cloneTask(v *store.Task) *store.Task {
	c := *v
	c.Data = slices.Clone(v.Data)
	return &c
}

func (t *tx) PutTask(task *store.Task) error {
	if err := t.check(); err != nil {
		return err
	}
	s := t.s
	if _, ok := s.execs[task.ExecutionARN]; !ok {
		return store.ErrNotFound
	}
	old, had := s.tasks[task.Token]
	te := &taskEntry{t: *cloneTask(task)}
	if had {
		te.seq = old.seq
	} else {
		s.taskSeq++
		te.seq = s.taskSeq
	}
	put(t, s.tasks, task.Token, te)
	return nil
}

func (t *tx) GetTask(token string) (*store.Task, error) {
	te, ok := t.s.tasks[token]
	if !ok {
		return nil, store.ErrNotFound
	}
	return cloneTask(&te.t), nil
}

func (t *tx) DeleteTask(token string) error {
	if err := t.check(); err != nil {
		return err
	}
	if !del(t, t.s.tasks, token) {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) ListTasks(f store.TaskFilter, p store.Page) ([]*store.Task, string, error) {
	var after int64
	if p.After != "" {
		n, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil {
			return nil, "", errors.New("memstore: bad cursor")
		}
		after = n
	}
	var all []*taskEntry
	for _, te := range t.s.tasks {
		if te.seq > after && (f.ExecutionARN == "" || te.t.ExecutionARN == f.ExecutionARN) &&
			(f.ActivityARN == "" || te.t.ActivityARN == f.ActivityARN) && (!f.QueuedOnly || !te.t.HandedOut) {
			all = append(all, te)
		}
	}
	slices.SortFunc(all, func(a, b *taskEntry) int { return int(a.seq - b.seq) })
	next := ""
	if limit := max(p.Limit, 1); len(all) > limit {
		all = all[:limit]
		next = strconv.FormatInt(all[limit-1].seq, 10)
	}
	out := make([]*store.Task, len(all))
	for i, te := range all {
		out[i] = cloneTask(&te.t)
	}
	return out, next, nil
}

// continues checks that events number on from a history of n events.
func continues(n int, events []store.Event) error {
	for i, ev := range events {
		if ev.ID != int64(n+i+1) {
			return errors.New("memstore: event " + strconv.FormatInt(ev.ID, 10) + " does not continue a history of " + strconv.Itoa(n+i))
		}
	}
	return nil
}
