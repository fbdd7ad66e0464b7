package console

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// callback is a .waitForTaskToken task of a running execution that has
// not been answered yet.
type callback struct {
	Execution string
	State     string
	Resource  string
	Since     time.Time
	// Tokens are the strings of the task's parameters that are task
	// tokens of this execution (hsc serve's tokens are
	// "<execution name>-<n>"; a definition hands the token on with
	// "$$.Task.Token"); Parameters is the whole, pretty-printed.
	Tokens     []string
	Parameters string
}

// callbacks lists the callback tasks waiting in the newest running
// executions (at most scanExecutions of them).
func (c *Console) callbacks(ctx context.Context) ([]callback, error) {
	machines, err := c.listMachines(ctx, 1000)
	if err != nil {
		return nil, err
	}
	var running []executionItem
	for _, m := range machines {
		if m.Type == "EXPRESS" {
			continue
		}
		var ex struct {
			Executions []executionItem `json:"executions"`
		}
		if err := c.call(ctx, "ListExecutions", map[string]any{"stateMachineArn": m.StateMachineArn, "statusFilter": "RUNNING", "maxResults": 100}, &ex); err != nil {
			continue
		}
		running = append(running, ex.Executions...)
	}
	slices.SortFunc(running, func(a, b executionItem) int { return compareFloat(float64(b.StartDate), float64(a.StartDate)) })
	if len(running) > scanExecutions {
		running = running[:scanExecutions]
	}
	var out []callback
	for _, ex := range running {
		events, err := c.history(ctx, ex.ExecutionArn)
		if err != nil {
			continue
		}
		out = append(out, openCallbacks(ex, events, c.tokenOf(ex))...)
	}
	return out, nil
}

// openCallbacks finds the TaskScheduled events of .waitForTaskToken
// resources that no TaskSucceeded, TaskFailed or TaskTimedOut answered,
// following previousEventId from each event to the task it belongs to.
func openCallbacks(ex executionItem, events []event, isToken func(string) bool) []callback {
	taskOf := map[int64]int64{} // event id -> its TaskScheduled id
	stateOf := map[int64]string{}
	open := map[int64]*callback{}
	var order []int64
	for _, e := range events {
		if strings.HasSuffix(e.Type, "StateEntered") {
			stateOf[e.ID] = e.detail("name")
		}
		switch e.Type {
		case "TaskScheduled":
			taskOf[e.ID] = e.ID
			if !strings.HasSuffix(e.detail("resource"), ".waitForTaskToken") {
				continue
			}
			params := e.detail("parameters")
			cb := &callback{Execution: ex.ExecutionArn, State: stateOf[e.PreviousEventID], Resource: e.detail("resource"), Since: e.time(), Parameters: prettyJSON(params)}
			var v any
			if json.Unmarshal([]byte(params), &v) == nil {
				strs(v, func(s string) {
					if isToken(s) && !slices.Contains(cb.Tokens, s) {
						cb.Tokens = append(cb.Tokens, s)
					}
				})
			}
			open[e.ID] = cb
			order = append(order, e.ID)
			continue
		}
		if s, ok := taskOf[e.PreviousEventID]; ok && strings.HasPrefix(e.Type, "Task") && e.Type != "TaskStateExited" {
			taskOf[e.ID] = s
			switch e.Type {
			case "TaskSucceeded", "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed":
				delete(open, s)
			}
		}
	}
	var out []callback
	for _, id := range order {
		if cb, ok := open[id]; ok {
			out = append(out, *cb)
		}
	}
	return out
}

// strs calls f with every string in a JSON value.
func strs(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			strs(e, f)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			strs(x[k], f)
		}
	}
}

// TokenRouter is what an API may also tell: the execution a task token
// belongs to (server.Server.TokenExecution). Without it the console
// lists waiting callbacks without their tokens.
type TokenRouter interface {
	TokenExecution(token string) (executionARN string, ok bool)
}

// tokenOf reports whether a string is a task token of ex.
func (c *Console) tokenOf(ex executionItem) func(string) bool {
	tr, ok := c.api.(TokenRouter)
	return func(s string) bool {
		if !ok {
			return false
		}
		arn, ok := tr.TokenExecution(s)
		return ok && arn == ex.ExecutionArn
	}
}
