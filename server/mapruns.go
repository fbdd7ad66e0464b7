package server

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/store"
)

// Map runs: each distributed Map state the interpreter runs reports its
// map run (interpreter.WithMapRunHook); the server keeps them in memory,
// with their child executions, for DescribeMapRun, ListMapRuns,
// UpdateMapRun, ListExecutions by mapRunArn, and DescribeExecution and
// (STANDARD children) GetExecutionHistory of a child. The registry keeps
// the newest maxMapRuns runs while they hold at most maxMapRunChildren
// children (finished runs are dropped oldest first), and at most
// maxChildEvents events of children's histories, dropping the oldest
// children's histories first.
//
// With a durable store (--data DIR), a run whose top-level execution is in
// the store (a STANDARD or
// asynchronous EXPRESS execution; not a synchronous EXPRESS one or
// TestState) is also written to the store as it runs: its record when it
// starts, when UpdateMapRun changes it and when it ends, and each child
// and STANDARD child's history events as they happen (childLog,
// resume.go); such children's histories are served from the store, not
// kept in memory. The APIs read the store for a run no longer in memory
// (after a restart, or dropped by the bound), so they answer as before;
// deleting the top-level execution deletes its runs. Resuming the parent
// goes on with the same run (resume.go).

const (
	maxMapRuns        = 10000
	maxMapRunChildren = 1_000_000 // child records (with input and output) of the runs kept
	maxChildEvents    = 1_000_000
)

type mapRuns struct {
	mu       sync.Mutex
	byARN    map[string]*interpreter.MapRun
	byExec   map[string][]*interpreter.MapRun
	order    []string          // run ARNs, oldest first
	childRun map[string]string // child execution ARN → run ARN
	// hist holds STANDARD children's histories (wire JSON) by child ARN;
	// histOrder the child ARNs, oldest first; events their total.
	hist      map[string][]json.RawMessage
	histOrder []string
	events    int
	// roots holds the top-level execution of each run written to the
	// store, by run ARN.
	roots map[string]string
	// logs holds the store writers of the children of runs written to
	// the store, by child ARN.
	logs map[string]*childLog
	// created is when this registry (the server) was made: a stored run
	// that started before it and is still RUNNING in the store was cut
	// short by a crash.
	created time.Time
}

func newMapRuns() *mapRuns {
	return &mapRuns{byARN: map[string]*interpreter.MapRun{}, byExec: map[string][]*interpreter.MapRun{},
		childRun: map[string]string{}, hist: map[string][]json.RawMessage{}, roots: map[string]string{},
		logs: map[string]*childLog{}, created: time.Now()}
}

// mapRunHook is the interpreter's map run hook: each run is registered,
// and its STANDARD children's histories are kept (EXPRESS children keep
// none, as on AWS).
func (s *Server) mapRunHook() func(*interpreter.MapRun) {
	return func(r *interpreter.MapRun) {
		s.mapRuns.add(r)
		info := r.Info()
		root := s.mapRuns.rootOf(info.ExecutionARN)
		stored := s.storedExecution(root)
		if stored {
			s.mapRuns.setRoot(info.ARN, root)
			s.saveMapRun(s.ctx, info, root)
			if s.track() {
				go func() {
					defer s.wg.Done()
					s.awaitMapRun(r, root)
				}()
			}
			// The children are written as they run (childLog).
			r.SetChildEndHook(func(c interpreter.ChildExecution) {
				s.childLogOf(c.ExecutionARN).put(root, childRecord(info.ARN, c), nil, "")
			})
		}
		r.SetChildHook(func(c interpreter.ChildExecution) func(interpreter.Event) {
			m := s.mapRuns
			m.mu.Lock()
			m.childRun[c.ExecutionARN] = info.ARN
			if stored {
				l := &childLog{s: s, arn: c.ExecutionARN}
				m.logs[c.ExecutionARN] = l
				m.mu.Unlock()
				l.put(root, childRecord(info.ARN, c), nil, "")
				if info.ExecutionType != "STANDARD" {
					return nil
				}
				// Served from the store, where each event goes with its
				// key so that a restart can resume the child.
				return func(ev interpreter.Event) {
					data, err := s.events.encodeEvent(&ev, ev.ID, ev.PreviousEventID)
					if err != nil {
						s.log.Error("encode history event", "execution", c.ExecutionARN, "err", err)
						return
					}
					l.put(root, nil, &store.Event{ID: ev.ID, JSON: data}, ev.Key)
				}
			}
			if info.ExecutionType != "STANDARD" {
				m.mu.Unlock()
				return nil
			}
			m.hist[c.ExecutionARN] = nil
			m.histOrder = append(m.histOrder, c.ExecutionARN)
			m.mu.Unlock()
			return func(ev interpreter.Event) {
				ev.Key = "" // kept in memory only: never resumed
				data, err := s.events.encodeEvent(&ev, ev.ID, ev.PreviousEventID)
				if err != nil {
					s.log.Error("encode history event", "execution", c.ExecutionARN, "err", err)
					return
				}
				m.addEvent(c.ExecutionARN, data)
			}
		})
	}
}

// addEvent appends one event of a child's history, dropping the oldest
// children's histories past maxChildEvents.
func (m *mapRuns) addEvent(arn string, data json.RawMessage) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, ok := m.hist[arn]
	if !ok {
		return // dropped
	}
	m.hist[arn] = append(h, data)
	m.events++
	for m.events > maxChildEvents && len(m.histOrder) > 0 {
		old := m.histOrder[0]
		m.histOrder = m.histOrder[1:]
		m.events -= len(m.hist[old])
		delete(m.hist, old)
	}
}

// history returns a child's history, or false when none is kept.
func (m *mapRuns) history(arn string) ([]json.RawMessage, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, ok := m.hist[arn]
	return append([]json.RawMessage(nil), h...), ok
}

// childHistory answers GetExecutionHistory for a STANDARD child.
// It reports false when arn is not such a child.
func (s *Server) childHistory(in *executionInput, filter string, page store.Page, withData bool) (any, bool, error) {
	out := struct {
		Events    []json.RawMessage `json:"events"`
		NextToken *string           `json:"nextToken,omitempty"`
	}{Events: []json.RawMessage{}}
	evs, ok := s.mapRuns.history(in.ExecutionArn)
	if !ok {
		// A STANDARD child of a run known from the store.
		info, _, _, ok := s.storedChild(s.ctx, in.ExecutionArn)
		if !ok || info.ExecutionType != "STANDARD" {
			return nil, false, nil
		}
		after, isStore := strings.CutPrefix(page.After, storeCursor)
		if page.After != "" && !isStore {
			return nil, true, errInvalidToken("Invalid token")
		}
		var (
			stored []store.Event
			next   string
		)
		err := s.store.View(s.ctx, func(tx store.Tx) (err error) {
			stored, next, err = tx.MapRunChildEvents(in.ExecutionArn, in.ReverseOrder, store.Page{Limit: page.Limit, After: after})
			return err
		})
		if err != nil {
			return nil, true, err
		}
		for _, ev := range stored {
			out.Events = append(out.Events, wireDetails(stripKey(ev.JSON), withData))
		}
		if next != "" {
			out.NextToken = tokenFor("GetExecutionHistory", filter, storeCursor+next)
		}
		return &out, true, nil
	}
	if strings.HasPrefix(page.After, storeCursor) {
		return nil, true, errInvalidToken("Invalid token")
	}
	if in.ReverseOrder {
		slices.Reverse(evs)
	}
	for i := cursorIndex(page.After); i < len(evs); i++ {
		if len(out.Events) == page.Limit {
			out.NextToken = tokenFor("GetExecutionHistory", filter, strconv.Itoa(i))
			break
		}
		out.Events = append(out.Events, wireDetails(evs[i], withData))
	}
	return &out, true, nil
}

// add registers a run, dropping the oldest finished ones past the bound.
func (m *mapRuns) add(r *interpreter.MapRun) {
	info := r.Info()
	m.mu.Lock()
	defer m.mu.Unlock()
	if old := m.byARN[info.ARN]; old != nil {
		// The same run again: its execution was resumed.
		m.dropLocked(old, slices.Index(m.order, info.ARN))
	}
	m.byARN[info.ARN] = r
	m.byExec[info.ExecutionARN] = append(m.byExec[info.ExecutionARN], r)
	m.order = append(m.order, info.ARN)
	children := int64(0)
	for _, x := range m.byARN {
		children += x.Info().ExecutionCounts.Total
	}
	for i := 0; (len(m.byARN) > maxMapRuns || children > maxMapRunChildren) && i < len(m.order); {
		old := m.byARN[m.order[i]]
		select {
		case <-old.Done():
		default:
			i++
			continue
		}
		children -= old.Info().ExecutionCounts.Total
		delete(m.roots, old.Info().ARN)
		m.dropLocked(old, i)
	}
}

// dropLocked forgets the run old, at index i of order (-1: not there).
func (m *mapRuns) dropLocked(old *interpreter.MapRun, i int) {
	oi := old.Info()
	if m.byARN[oi.ARN] == old {
		delete(m.byARN, oi.ARN)
	}
	for _, c := range old.Children() {
		delete(m.childRun, c.ExecutionARN)
		delete(m.logs, c.ExecutionARN)
		if h, ok := m.hist[c.ExecutionARN]; ok {
			m.events -= len(h)
			delete(m.hist, c.ExecutionARN)
			m.histOrder = slices.DeleteFunc(m.histOrder, func(a string) bool { return a == c.ExecutionARN })
		}
	}
	list := m.byExec[oi.ExecutionARN]
	for j, x := range list {
		if x == old {
			list = append(list[:j:j], list[j+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(m.byExec, oi.ExecutionARN)
	} else {
		m.byExec[oi.ExecutionARN] = list
	}
	if i >= 0 {
		m.order = append(m.order[:i:i], m.order[i+1:]...)
	}
}

func (m *mapRuns) get(arn string) *interpreter.MapRun {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byARN[arn]
}

func (m *mapRuns) ofExecution(arn string) []*interpreter.MapRun {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*interpreter.MapRun(nil), m.byExec[arn]...)
}

// child finds a child execution by its ARN.
func (m *mapRuns) child(arn string) (*interpreter.MapRun, interpreter.ChildExecution, bool) {
	m.mu.Lock()
	r := m.byARN[m.childRun[arn]]
	m.mu.Unlock()
	if r == nil {
		return nil, interpreter.ChildExecution{}, false
	}
	i := strings.LastIndexByte(arn, ':')
	c, ok := r.Child(arn[i+1:])
	return r, c, ok && c.ExecutionARN == arn
}

type mapRunInput struct {
	MapRunArn                  string   `json:"mapRunArn"`
	ExecutionArn               string   `json:"executionArn"`
	MaxResults                 int      `json:"maxResults"`
	NextToken                  *string  `json:"nextToken"`
	MaxConcurrency             *int     `json:"maxConcurrency"`
	ToleratedFailureCount      *int64   `json:"toleratedFailureCount"`
	ToleratedFailurePercentage *float64 `json:"toleratedFailurePercentage"`
}

func checkMapRunARN(arn string) *APIError {
	a, err := parseARN(arn)
	if err != nil {
		return err
	}
	if a.kind != "mapRun" {
		return errArnType(a.kind)
	}
	if len(a.parts) != 2 {
		return errInvalidArn(arn)
	}
	return nil
}

type mapRunCounts struct {
	Pending        int64 `json:"pending"`
	Running        int64 `json:"running"`
	Succeeded      int64 `json:"succeeded"`
	Failed         int64 `json:"failed"`
	TimedOut       int64 `json:"timedOut"`
	Aborted        int64 `json:"aborted"`
	Total          int64 `json:"total"`
	ResultsWritten int64 `json:"resultsWritten"`
	// The redrive counts, always 0 here.
	FailuresNotRedrivable int64 `json:"failuresNotRedrivable"`
	PendingRedrive        int64 `json:"pendingRedrive"`
}

func countsOf(c interpreter.MapRunCounts) mapRunCounts {
	return mapRunCounts{Pending: c.Pending, Running: c.Running, Succeeded: c.Succeeded, Failed: c.Failed,
		TimedOut: c.TimedOut, Aborted: c.Aborted, Total: c.Total, ResultsWritten: c.ResultsWritten}
}

type describeMapRunOutput struct {
	MapRunArn                  string       `json:"mapRunArn"`
	ExecutionArn               string       `json:"executionArn"`
	Status                     string       `json:"status"`
	StartDate                  *epoch       `json:"startDate"`
	StopDate                   *epoch       `json:"stopDate,omitempty"`
	MaxConcurrency             int          `json:"maxConcurrency"`
	ToleratedFailurePercentage float64      `json:"toleratedFailurePercentage"`
	ToleratedFailureCount      int64        `json:"toleratedFailureCount"`
	ItemCounts                 mapRunCounts `json:"itemCounts"`
	ExecutionCounts            mapRunCounts `json:"executionCounts"`
	RedriveCount               int          `json:"redriveCount"`
}

// describeMapRun answers as AWS does (recorded on AWS:
// test_sfn_api_map_run.py::test_list_map_runs_and_describe_map_run).
func (s *Server) describeMapRun(ctx context.Context, in *mapRunInput) (any, error) {
	i, _, err := s.mapRunInfo(ctx, in.MapRunArn)
	if err != nil {
		return nil, err
	}
	return &describeMapRunOutput{MapRunArn: i.ARN, ExecutionArn: i.ExecutionARN, Status: i.Status,
		StartDate: ep(i.StartDate), StopDate: ep(i.StopDate), MaxConcurrency: i.MaxConcurrency,
		ToleratedFailurePercentage: i.ToleratedFailurePercentage, ToleratedFailureCount: i.ToleratedFailureCount,
		ItemCounts: countsOf(i.ItemCounts), ExecutionCounts: countsOf(i.ExecutionCounts)}, nil
}

// updateMapRun changes a run's settings; a run known only from the store
// (it ended before a restart) gets them in its record.
func (s *Server) updateMapRun(ctx context.Context, in *mapRunInput) (any, error) {
	if in.MaxConcurrency == nil && in.ToleratedFailureCount == nil && in.ToleratedFailurePercentage == nil {
		return nil, errValidation("At least one of the parameters maxConcurrency, toleratedFailurePercentage, toleratedFailureCount must be specified")
	}
	info, r, err := s.mapRunInfo(ctx, in.MapRunArn)
	if err != nil {
		return nil, err
	}
	if r != nil {
		r.Update(in.MaxConcurrency, in.ToleratedFailureCount, in.ToleratedFailurePercentage)
		if root, ok := s.mapRuns.rootOfRun(info.ARN); ok {
			s.saveMapRun(ctx, r.Info(), root)
		}
		return &struct{}{}, nil
	}
	if in.MaxConcurrency != nil {
		info.MaxConcurrency = *in.MaxConcurrency
	}
	if in.ToleratedFailureCount != nil {
		info.ToleratedFailureCount = *in.ToleratedFailureCount
	}
	if in.ToleratedFailurePercentage != nil {
		info.ToleratedFailurePercentage = *in.ToleratedFailurePercentage
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		old, err := tx.GetMapRun(info.ARN)
		if err != nil {
			return err
		}
		rec, err := mapRunRecord(info, old.RootARN)
		if err != nil {
			return err
		}
		return tx.PutMapRun(rec)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

type mapRunListItem struct {
	ExecutionArn    string `json:"executionArn"`
	MapRunArn       string `json:"mapRunArn"`
	StateMachineArn string `json:"stateMachineArn"`
	StartDate       *epoch `json:"startDate"`
	StopDate        *epoch `json:"stopDate,omitempty"`
}

// storeCursor marks a listing cursor of the store (the others are
// indexes into the runs in memory).
const storeCursor = "s"

func (s *Server) listMapRuns(ctx context.Context, in *mapRunInput) (any, error) {
	if _, err := s.getExecution(ctx, in.ExecutionArn); err != nil {
		// A child execution's own map runs (a distributed Map inside
		// a distributed Map).
		if _, ok := s.childRunInfo(ctx, in.ExecutionArn); !ok {
			return nil, err
		}
	}
	page, perr := pageFor("ListMapRuns", in.ExecutionArn, in.MaxResults, in.NextToken)
	if perr != nil {
		return nil, perr
	}
	out := struct {
		MapRuns   []mapRunListItem `json:"mapRuns"`
		NextToken *string          `json:"nextToken,omitempty"`
	}{MapRuns: []mapRunListItem{}}
	item := func(info interpreter.MapRunInfo) mapRunListItem {
		return mapRunListItem{ExecutionArn: info.ExecutionARN, MapRunArn: info.ARN,
			StateMachineArn: info.StateMachineARN, StartDate: ep(info.StartDate), StopDate: ep(info.StopDate)}
	}
	runs := s.mapRuns.ofExecution(in.ExecutionArn)
	if len(runs) > 0 {
		if _, stored := s.mapRuns.rootOfRun(runs[0].Info().ARN); !stored {
			// Runs of an execution the store does not keep.
			if strings.HasPrefix(page.After, storeCursor) {
				return nil, errInvalidToken("Invalid token")
			}
			for i := cursorIndex(page.After); i < len(runs); i++ {
				if len(out.MapRuns) == page.Limit {
					out.NextToken = tokenFor("ListMapRuns", in.ExecutionArn, strconv.Itoa(i))
					break
				}
				out.MapRuns = append(out.MapRuns, item(runs[i].Info()))
			}
			return &out, nil
		}
	}
	after, ok := strings.CutPrefix(page.After, storeCursor)
	if page.After != "" && !ok {
		return nil, errInvalidToken("Invalid token")
	}
	var (
		recs []*store.MapRun
		next string
	)
	err := s.store.View(ctx, func(tx store.Tx) (err error) {
		recs, next, err = tx.ListMapRuns(in.ExecutionArn, store.Page{Limit: page.Limit, After: after})
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		var info interpreter.MapRunInfo
		if r := s.mapRuns.get(rec.ARN); r != nil {
			info = r.Info()
		} else if info, err = s.storedRun(rec); err != nil {
			return nil, err
		}
		out.MapRuns = append(out.MapRuns, item(info))
	}
	if next != "" {
		out.NextToken = tokenFor("ListMapRuns", in.ExecutionArn, storeCursor+next)
	}
	return &out, nil
}

func cursorIndex(after string) int {
	n, err := strconv.Atoi(after)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// listMapRunExecutions is ListExecutions with a mapRunArn: the run's
// child executions, newest first as ListExecutions lists.
func (s *Server) listMapRunExecutions(in *listExecutionsInput) (any, error) {
	ctx := s.ctx
	info, r, err := s.mapRunInfo(ctx, in.MapRunArn)
	if err != nil {
		return nil, err
	}
	filter := in.MapRunArn + "\x01" + in.StatusFilter + "\x01" + in.RedriveFilter
	page, perr := pageFor("ListExecutions", filter, in.MaxResults, in.NextToken)
	if perr != nil {
		return nil, perr
	}
	out := struct {
		Executions []executionListItem `json:"executions"`
		NextToken  *string             `json:"nextToken,omitempty"`
	}{Executions: []executionListItem{}}
	if r == nil {
		// A run known from the store: its children as stored.
		after, ok := strings.CutPrefix(page.After, storeCursor)
		if page.After != "" && !ok {
			return nil, errInvalidToken("Invalid token")
		}
		if in.RedriveFilter == "REDRIVEN" {
			return &out, nil
		}
		var (
			recs []*store.MapRunChild
			next string
		)
		err := s.store.View(ctx, func(tx store.Tx) (err error) {
			recs, next, err = tx.ListMapRunChildren(store.MapRunChildFilter{MapRunARN: info.ARN, Status: in.StatusFilter}, store.Page{Limit: page.Limit, After: after})
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			var c interpreter.ChildExecution
			if err := json.Unmarshal(rec.Doc, &c); err != nil {
				return nil, err
			}
			out.Executions = append(out.Executions, executionListItem{ExecutionArn: c.ExecutionARN, StateMachineArn: info.StateMachineARN,
				Name: c.Name, Status: childStatus(c), StartDate: ep(c.StartDate), StopDate: ep(c.StopDate)})
		}
		if next != "" {
			out.NextToken = tokenFor("ListExecutions", filter, storeCursor+next)
		}
		return &out, nil
	}
	if strings.HasPrefix(page.After, storeCursor) {
		return nil, errInvalidToken("Invalid token")
	}
	// By item, as the store keeps them (children start concurrently).
	kids := r.Children()
	slices.SortStableFunc(kids, func(a, b interpreter.ChildExecution) int { return a.Index - b.Index })
	start := cursorIndex(page.After)
	for i := start; i < len(kids); i++ {
		c := kids[len(kids)-1-i]
		status := childStatus(c)
		if in.StatusFilter != "" && in.StatusFilter != status || in.RedriveFilter == "REDRIVEN" {
			continue
		}
		if len(out.Executions) == page.Limit {
			out.NextToken = tokenFor("ListExecutions", filter, strconv.Itoa(i))
			break
		}
		out.Executions = append(out.Executions, executionListItem{ExecutionArn: c.ExecutionARN, StateMachineArn: info.StateMachineARN,
			Name: c.Name, Status: status, StartDate: ep(c.StartDate), StopDate: ep(c.StopDate)})
	}
	return &out, nil
}

func childStatus(c interpreter.ChildExecution) string {
	if c.Status == "" {
		return "RUNNING"
	}
	return string(c.Status)
}

// describeChild answers DescribeExecution for a map run's child.
func (s *Server) describeChild(arn string) (*describeExecutionOutput, bool) {
	var info interpreter.MapRunInfo
	r, c, ok := s.mapRuns.child(arn)
	if ok {
		info = r.Info()
	} else if info, c, _, ok = s.storedChild(s.ctx, arn); !ok {
		return nil, false
	}
	out := &describeExecutionOutput{ExecutionArn: c.ExecutionARN, StateMachineArn: info.StateMachineARN, Name: c.Name,
		Status: childStatus(c), StartDate: ep(c.StartDate), StopDate: ep(c.StopDate), MapRunArn: info.ARN}
	in := c.Input
	out.Input, out.InputDetails = &in, dataDetails{Included: true}
	if c.Status == interpreter.StatusSucceeded {
		o := c.Output
		out.Output, out.OutputDetails = &o, &dataDetails{Included: true}
	}
	if c.Error != "" || c.Cause != "" {
		e, cause := c.Error, c.Cause
		out.Error, out.Cause = &e, &cause
	}
	return out, true
}

// stopChild answers StopExecution for a map run's child: a running one is
// stopped (ABORTED); the answer is its stop date.
func (s *Server) stopChild(arn string) (any, bool) {
	if !strings.Contains(arn, ":execution:") {
		return nil, false
	}
	r, c, ok := s.mapRuns.child(arn)
	if !ok {
		// A child of a run that ended before a restart.
		if _, c, _, ok = s.storedChild(s.ctx, arn); !ok {
			return nil, false
		}
	}
	if r != nil && c.Status == "" && r.StopChild(c.Name) {
		deadline := time.Now().Add(stopExecutionTimeout)
		for c.Status == "" && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
			c, _ = r.Child(c.Name)
		}
	}
	stop := c.StopDate
	if stop.IsZero() {
		stop = s.now()
	}
	return &struct {
		StopDate *epoch `json:"stopDate"`
	}{ep(stop)}, true
}

// rootOf returns the top-level execution of an execution that starts a
// map run: itself, or for a child of a stored run that run's root.
func (m *mapRuns) rootOf(execARN string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if root, ok := m.roots[m.childRun[execARN]]; ok {
		return root
	}
	return execARN
}

func (m *mapRuns) setRoot(runARN, root string) {
	m.mu.Lock()
	m.roots[runARN] = root
	m.mu.Unlock()
}

// rootOfRun returns the top-level execution of a run written to the
// store.
func (m *mapRuns) rootOfRun(runARN string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	root, ok := m.roots[runARN]
	return root, ok
}

// durableStore is what a store that keeps its records across a restart
// (store/sqlstore) has. Map runs are written only to such a store: an
// in-memory store would hold a second copy of every run's children beside
// the server's bounded registry, without the bound.
type durableStore interface{ Durable() bool }

// storedExecution reports whether an execution is in a durable store.
func (s *Server) storedExecution(arn string) bool {
	if !s.durable() {
		return false
	}
	err := s.store.View(s.ctx, func(tx store.Tx) error {
		_, err := tx.GetExecution(arn)
		return err
	})
	return err == nil
}

func mapRunRecord(info interpreter.MapRunInfo, root string) (*store.MapRun, error) {
	doc, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	return &store.MapRun{ARN: info.ARN, ExecutionARN: info.ExecutionARN, RootARN: root, Status: info.Status,
		Start: info.StartDate, Stop: info.StopDate, Info: doc}, nil
}

// saveMapRun writes a run's record; a failure is logged (the run goes on,
// and the API answers from memory while it is there).
func (s *Server) saveMapRun(ctx context.Context, info interpreter.MapRunInfo, root string) {
	rec, err := mapRunRecord(info, root)
	if err == nil {
		err = s.store.Update(ctx, func(tx store.Tx) error { return tx.PutMapRun(rec) })
	}
	if err != nil {
		s.log.Error("store map run", "mapRun", info.ARN, "err", err)
	}
}

// awaitMapRun writes a run's record when it ends. When the server closes
// first it waits a little for the run (its parent is being aborted), and
// when the run was cut short by the server's end it writes nothing: the
// resumed parent goes on with the run.
func (s *Server) awaitMapRun(r *interpreter.MapRun, root string) {
	select {
	case <-r.Done():
	case <-s.ctx.Done():
		select {
		case <-r.Done():
		case <-time.After(closeWait / 2):
		}
	}
	if s.closingRun(root) {
		return
	}
	if err := s.finishMapRun(r, root); err != nil {
		s.log.Error("store finished map run", "mapRun", r.Info().ARN, "err", err)
	}
}

// finishMapRun writes a run's final record, through the group commit
// after its children's records (childLog).
func (s *Server) finishMapRun(r *interpreter.MapRun, root string) error {
	rec, err := mapRunRecord(r.Info(), root)
	if err != nil {
		return err
	}
	return s.commits.do(func(tx store.Tx) error { return tx.PutMapRun(rec) })
}

// mapRunInfo returns a run's info from memory (live is then the run) or
// from the store.
func (s *Server) mapRunInfo(ctx context.Context, arn string) (info interpreter.MapRunInfo, live *interpreter.MapRun, err error) {
	if err := checkMapRunARN(arn); err != nil {
		return info, nil, err
	}
	if r := s.mapRuns.get(arn); r != nil {
		return r.Info(), r, nil
	}
	rec, err := s.storedMapRun(ctx, arn)
	if err != nil {
		return info, nil, err
	}
	info, err = s.storedRun(rec)
	return info, nil, err
}

// storedRun decodes a run's stored record. A run still RUNNING there that
// is not in memory was running when an earlier server process ended
// without recording its end (a crash): while its top-level execution runs
// (resumed, it goes on with the same run) it shows as RUNNING; otherwise
// as ABORTED, stopped when this server started.
func (s *Server) storedRun(rec *store.MapRun) (interpreter.MapRunInfo, error) {
	var info interpreter.MapRunInfo
	if err := json.Unmarshal(rec.Info, &info); err != nil {
		return info, err
	}
	if info.Status == "RUNNING" && info.StartDate.Before(s.mapRuns.created) && s.runs.get(rec.RootARN) == nil {
		info.Status, info.StopDate = "ABORTED", s.mapRuns.created
	}
	return info, nil
}

func (s *Server) storedMapRun(ctx context.Context, arn string) (*store.MapRun, error) {
	var rec *store.MapRun
	err := s.store.View(ctx, func(tx store.Tx) (err error) {
		rec, err = tx.GetMapRun(arn)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, errResourceNotFound(arn)
	}
	return rec, err
}

// storedChild reads a map run's child, and its run's info, from the
// store.
func (s *Server) storedChild(ctx context.Context, arn string) (interpreter.MapRunInfo, interpreter.ChildExecution, *store.MapRunChild, bool) {
	var (
		info interpreter.MapRunInfo
		c    interpreter.ChildExecution
		rec  *store.MapRunChild
		run  *store.MapRun
	)
	err := s.store.View(ctx, func(tx store.Tx) (err error) {
		if rec, err = tx.GetMapRunChild(arn); err != nil {
			return err
		}
		run, err = tx.GetMapRun(rec.MapRunARN)
		return err
	})
	if err != nil {
		return info, c, nil, false
	}
	if info, err = s.storedRun(run); err != nil || json.Unmarshal(rec.Doc, &c) != nil {
		return info, c, nil, false
	}
	return info, c, rec, true
}

// childRunInfo returns the info of a child execution's map run.
func (s *Server) childRunInfo(ctx context.Context, arn string) (interpreter.MapRunInfo, bool) {
	if r, _, ok := s.mapRuns.child(arn); ok {
		return r.Info(), true
	}
	info, _, _, ok := s.storedChild(ctx, arn)
	return info, ok
}

// topExecution returns the stored execution arn is, or for a map run's
// child (at any depth of distributed Maps inside distributed Maps) the
// top-level execution its runs belong to.
func (s *Server) topExecution(ctx context.Context, arn string) (*store.Execution, error) {
	for range 100 {
		e, err := s.getExecution(ctx, arn)
		if err == nil {
			return e, nil
		}
		info, ok := s.childRunInfo(ctx, arn)
		if !ok {
			return nil, err
		}
		arn = info.ExecutionARN
	}
	return nil, errExecutionNotFound(arn)
}
