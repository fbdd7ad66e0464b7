package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// History is an execution history: the events GetExecutionHistory returns
// (and hsc run --history writes), in order.
type History struct {
	Events []Event
}

// Event is the part of a history event the graph uses.
type Event struct {
	ID              int64  `json:"id"`
	PreviousEventID int64  `json:"previousEventId"`
	Type            string `json:"type"`

	StateEntered *struct {
		Name string `json:"name"`
	} `json:"stateEnteredEventDetails,omitempty"`
	StateExited *struct {
		Name string `json:"name"`
	} `json:"stateExitedEventDetails,omitempty"`
	ExecutionFailed *struct {
		Error string `json:"error"`
		Cause string `json:"cause"`
	} `json:"executionFailedEventDetails,omitempty"`
}

// ParseHistory reads a history as GetExecutionHistory's output
// ({"events": [...]}, as hsc run --history and the AWS CLI write it) or
// as a bare array of events.
func ParseHistory(data []byte) (*History, error) {
	data = bytes.TrimSpace(data)
	var h History
	if len(data) > 0 && data[0] == '[' {
		if err := json.Unmarshal(data, &h.Events); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		return &h, nil
	}
	var doc struct {
		Events *[]Event `json:"events"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if doc.Events == nil {
		return nil, fmt.Errorf("history: no \"events\" member: not GetExecutionHistory output")
	}
	h.Events = *doc.Events
	return &h, nil
}

// stateFamily is the state type an event type belongs to, for the events
// that report a state's failure ("TaskFailed" belongs to a Task state);
// "" for others.
func failureFamily(typ string) string {
	if !strings.HasSuffix(typ, "Failed") && !strings.HasSuffix(typ, "TimedOut") {
		return ""
	}
	switch {
	case strings.HasPrefix(typ, "Execution"):
		return ""
	case strings.HasPrefix(typ, "Task"), strings.HasPrefix(typ, "Lambda"), strings.HasPrefix(typ, "Activity"):
		return "Task"
	case strings.HasPrefix(typ, "MapState"), strings.HasPrefix(typ, "MapRun"), strings.HasPrefix(typ, "MapIteration"):
		return "Map"
	case strings.HasPrefix(typ, "ParallelState"):
		return "Parallel"
	}
	return ""
}

// maxWalk bounds how far back an event's predecessors are followed.
const maxWalk = 1 << 12

// apply sets the nodes' outcomes, visit counts and the failing state's
// error and cause.
//
// A state entered and exited succeeded; one that recorded a failure event
// (TaskFailed, ParallelStateFailed, ...) as its last event before exiting
// was caught (AWS records a caught state's exit, with the error as its
// output: see ../shared/aws/history/parallel_catch.history.json); one
// entered and never exited failed when the execution has ended (a Fail
// state, or a state whose branch failed), and is running otherwise. A failure event belongs to the nearest state of its
// family entered before it along previousEventId (or the event before it
// when previousEventId is 0, as some recorders write).
func (h *History) apply(g *Graph) {
	g.History = true
	index := make(map[int64]int, len(h.Events))
	for i, e := range h.Events {
		index[e.ID] = i
	}
	prev := func(i int) int {
		e := h.Events[i]
		if e.PreviousEventID > 0 {
			if j, ok := index[e.PreviousEventID]; ok && j != i {
				return j
			}
			return -1
		}
		return i - 1
	}
	// owner is the name of the state a failure event belongs to.
	owner := func(i int, family string) string {
		for j, n := prev(i), 0; j >= 0 && n < maxWalk; j, n = prev(j), n+1 {
			e := h.Events[j]
			if e.StateEntered != nil && (family == "" || e.Type == family+"StateEntered") {
				return e.StateEntered.Name
			}
		}
		return ""
	}
	type state struct {
		visits        int
		open          bool // entered and not exited since
		failedLast    bool // the last event since entering is a failure
		caught, exits int
	}
	states := make(map[string]*state)
	get := func(name string) *state {
		s := states[name]
		if s == nil {
			s = &state{}
			states[name] = s
		}
		return s
	}
	failedState, execFailed, ended := "", false, false
	for i, e := range h.Events {
		switch {
		case e.StateEntered != nil:
			s := get(e.StateEntered.Name)
			s.visits++
			s.open, s.failedLast = true, false
		case e.StateExited != nil:
			s := get(e.StateExited.Name)
			if s.failedLast {
				s.caught++
			}
			s.open, s.failedLast = false, false
			s.exits++
		case e.Type == "ExecutionSucceeded":
			ended = true
		case e.Type == "ExecutionFailed" || e.Type == "ExecutionTimedOut" || e.Type == "ExecutionAborted":
			execFailed, ended = true, true
			if e.ExecutionFailed != nil {
				g.ExecutionError, g.ExecutionCause = e.ExecutionFailed.Error, e.ExecutionFailed.Cause
			}
			failedState = owner(i, "")
		default:
			if fam := failureFamily(e.Type); fam != "" {
				if name := owner(i, fam); name != "" {
					get(name).failedLast = true
				}
			} else if name := owner(i, ""); name != "" && strings.HasPrefix(e.Type, "Task") {
				// A retry or the task's progress after a failure.
				get(name).failedLast = false
			}
		}
	}
	for _, n := range g.Nodes {
		if !n.IsState() {
			continue
		}
		s := states[n.Name]
		if s == nil {
			n.Outcome = NotReached
			continue
		}
		n.Visits = s.visits
		switch {
		case s.open && (ended || s.failedLast):
			n.Outcome = Failed
		case s.open:
			n.Outcome = Running
		case s.caught > 0:
			n.Outcome = Caught
		default:
			n.Outcome = Succeeded
		}
		if n.Name == failedState && execFailed {
			n.Outcome = Failed
			n.Error, n.Cause = g.ExecutionError, g.ExecutionCause
		}
	}
}
