package server

import (
	"context"
	"encoding/json"
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
// (STANDARD children) GetExecutionHistory of a child. They are not in the
// store: a child is part of its parent's run, which resuming re-runs (the
// store's RUNNING executions are top-level ones). The registry keeps the
// newest maxMapRuns runs while they hold at most maxMapRunChildren
// children (finished runs are dropped oldest first), and at most
// maxChildEvents events of children's histories, dropping the oldest
// children's histories first.

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
}

func newMapRuns() *mapRuns {
	return &mapRuns{byARN: map[string]*interpreter.MapRun{}, byExec: map[string][]*interpreter.MapRun{},
		childRun: map[string]string{}, hist: map[string][]json.RawMessage{}}
}

// mapRunHook is the interpreter's map run hook: each run is registered,
// and its STANDARD children's histories are kept (EXPRESS children keep
// none, as on AWS).
func (s *Server) mapRunHook() func(*interpreter.MapRun) {
	return func(r *interpreter.MapRun) {
		s.mapRuns.add(r)
		info := r.Info()
		r.SetChildHook(func(c interpreter.ChildExecution) func(interpreter.Event) {
			m := s.mapRuns
			m.mu.Lock()
			m.childRun[c.ExecutionARN] = info.ARN
			if info.ExecutionType != "STANDARD" {
				m.mu.Unlock()
				return nil
			}
			m.hist[c.ExecutionARN] = nil
			m.histOrder = append(m.histOrder, c.ExecutionARN)
			m.mu.Unlock()
			return func(ev interpreter.Event) {
				data, err := json.Marshal(wireEvent{Event: &ev, ID: ev.ID, PreviousEventID: ev.PreviousEventID, Timestamp: ep(ev.Timestamp)})
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
func (s *Server) childHistory(in *executionInput, filter string, page store.Page, withData bool) (any, bool) {
	evs, ok := s.mapRuns.history(in.ExecutionArn)
	if !ok {
		return nil, false
	}
	out := struct {
		Events    []json.RawMessage `json:"events"`
		NextToken *string           `json:"nextToken,omitempty"`
	}{Events: []json.RawMessage{}}
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
	return &out, true
}

// add registers a run, dropping the oldest finished ones past the bound.
func (m *mapRuns) add(r *interpreter.MapRun) {
	info := r.Info()
	m.mu.Lock()
	defer m.mu.Unlock()
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
		oi := old.Info()
		children -= oi.ExecutionCounts.Total
		delete(m.byARN, oi.ARN)
		for _, c := range old.Children() {
			delete(m.childRun, c.ExecutionARN)
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

func (s *Server) mapRun(arn string) (*interpreter.MapRun, error) {
	if err := checkMapRunARN(arn); err != nil {
		return nil, err
	}
	r := s.mapRuns.get(arn)
	if r == nil {
		return nil, errResourceNotFound(arn)
	}
	return r, nil
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
func (s *Server) describeMapRun(_ context.Context, in *mapRunInput) (any, error) {
	r, err := s.mapRun(in.MapRunArn)
	if err != nil {
		return nil, err
	}
	i := r.Info()
	return &describeMapRunOutput{MapRunArn: i.ARN, ExecutionArn: i.ExecutionARN, Status: i.Status,
		StartDate: ep(i.StartDate), StopDate: ep(i.StopDate), MaxConcurrency: i.MaxConcurrency,
		ToleratedFailurePercentage: i.ToleratedFailurePercentage, ToleratedFailureCount: i.ToleratedFailureCount,
		ItemCounts: countsOf(i.ItemCounts), ExecutionCounts: countsOf(i.ExecutionCounts)}, nil
}

func (s *Server) updateMapRun(_ context.Context, in *mapRunInput) (any, error) {
	if in.MaxConcurrency == nil && in.ToleratedFailureCount == nil && in.ToleratedFailurePercentage == nil {
		return nil, errValidation("At least one of the parameters maxConcurrency, toleratedFailurePercentage, toleratedFailureCount must be specified")
	}
	r, err := s.mapRun(in.MapRunArn)
	if err != nil {
		return nil, err
	}
	r.Update(in.MaxConcurrency, in.ToleratedFailureCount, in.ToleratedFailurePercentage)
	return &struct{}{}, nil
}

type mapRunListItem struct {
	ExecutionArn    string `json:"executionArn"`
	MapRunArn       string `json:"mapRunArn"`
	StateMachineArn string `json:"stateMachineArn"`
	StartDate       *epoch `json:"startDate"`
	StopDate        *epoch `json:"stopDate,omitempty"`
}

func (s *Server) listMapRuns(ctx context.Context, in *mapRunInput) (any, error) {
	if _, err := s.getExecution(ctx, in.ExecutionArn); err != nil {
		// A child execution's own map runs (a distributed Map inside
		// a distributed Map).
		if _, _, ok := s.mapRuns.child(in.ExecutionArn); !ok {
			return nil, err
		}
	}
	page, perr := pageFor("ListMapRuns", in.ExecutionArn, in.MaxResults, in.NextToken)
	if perr != nil {
		return nil, perr
	}
	runs := s.mapRuns.ofExecution(in.ExecutionArn)
	out := struct {
		MapRuns   []mapRunListItem `json:"mapRuns"`
		NextToken *string          `json:"nextToken,omitempty"`
	}{MapRuns: []mapRunListItem{}}
	start := cursorIndex(page.After)
	for i := start; i < len(runs); i++ {
		if len(out.MapRuns) == page.Limit {
			out.NextToken = tokenFor("ListMapRuns", in.ExecutionArn, strconv.Itoa(i))
			break
		}
		info := runs[i].Info()
		out.MapRuns = append(out.MapRuns, mapRunListItem{ExecutionArn: info.ExecutionARN, MapRunArn: info.ARN,
			StateMachineArn: info.StateMachineARN, StartDate: ep(info.StartDate), StopDate: ep(info.StopDate)})
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
	r, err := s.mapRun(in.MapRunArn)
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
	info := r.Info()
	kids := r.Children()
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
	r, c, ok := s.mapRuns.child(arn)
	if !ok {
		return nil, false
	}
	info := r.Info()
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
	r, c, ok := s.mapRuns.child(arn)
	if !ok || !strings.Contains(arn, ":execution:") {
		return nil, false
	}
	if c.Status == "" && r.StopChild(c.Name) {
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
