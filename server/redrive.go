package server

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hsc-dev/hsc/store"
)

// RedriveExecution, as AWS documents it
// (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html):
// a Standard execution that FAILED, TIMED_OUT or was ABORTED less than 14
// days ago, whose history leaves room for more events, continues from
// the state that failed, with the same input, definition and ARN. An
// ExecutionRedriven event is appended and the execution runs again over
// its history (resume.go): the interpreter drops from its record what
// the redrive runs again (in each scope, the events after its last
// ...StateExited), so only the failed state, and inside a Parallel or Map
// only the branches and iterations that did not finish, run again.

// redrivablePeriod is how long after its stop an execution can be
// redriven (AWS: 14 days); maxOpenTime is the longest an execution may
// stay open (AWS: one year); redriveEventLimit the history size beyond
// which it cannot (AWS: fewer than 24,999 events, to leave room for
// ExecutionRedriven and one more).
const (
	redrivablePeriod  = 14 * 24 * time.Hour
	maxOpenTime       = 365 * 24 * time.Hour
	redriveEventLimit = 24999
)

type redriveExecutionInput struct {
	ExecutionArn string  `json:"executionArn"`
	ClientToken  *string `json:"clientToken"`
}

// notRedrivable returns AWS's reason why e cannot be redriven now, or "".
func notRedrivable(e *store.Execution, now time.Time) string {
	switch {
	case e.Status == store.StatusRunning || e.Status == store.StatusSucceeded:
		return "Execution is " + e.Status + " and cannot be redriven"
	case e.EventCount >= redriveEventLimit:
		return "Execution history event limit exceeded"
	case now.Sub(e.Start) >= maxOpenTime:
		return "Execution has exceeded the max execution time"
	case !e.Stop.IsZero() && now.Sub(e.Stop) >= redrivablePeriod:
		return "Execution redrivable period exceeded"
	}
	return ""
}

// redrivenDetails are the details of ExecutionRedriven.
type redrivenDetails struct {
	RedriveCount int `json:"redriveCount"`
}

type redrivenEvent struct {
	Type                          string          `json:"type"`
	ExecutionRedrivenEventDetails redrivenDetails `json:"executionRedrivenEventDetails"`
	ID                            int64           `json:"id"`
	PreviousEventID               int64           `json:"previousEventId"`
	Timestamp                     *epoch          `json:"timestamp"`
}

func (s *Server) redriveExecution(ctx context.Context, in *redriveExecutionInput) (any, error) {
	if err := standardExecution(in.ExecutionArn); err != nil {
		return nil, err
	}
	now := s.now()
	var e *store.Execution
	var redriveDate time.Time
	again := false
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		e, err = tx.GetExecution(in.ExecutionArn)
		if errors.Is(err, store.ErrNotFound) {
			return errExecutionNotFound(in.ExecutionArn)
		} else if err != nil {
			return err
		}
		cp, err := readCheckpoint(tx, e.ARN)
		if err != nil {
			return err
		}
		// The same client token while the redrive runs: the same answer.
		if in.ClientToken != nil && e.Status == store.StatusRunning && e.RedriveCount > 0 && cp.RedriveToken == *in.ClientToken {
			redriveDate, again = e.RedriveDate, true
			return nil
		}
		reason := notRedrivable(e, now)
		if reason == "" {
			if _, err := tx.GetStateMachine(e.StateMachineARN); errors.Is(err, store.ErrNotFound) {
				reason = "State machine is in DELETING status"
			} else if err != nil {
				return err
			}
		}
		if reason == "" {
			// Executions recorded without event keys cannot be replayed.
			first, _, err := tx.Events(e.ARN, false, store.Page{Limit: 1})
			if err != nil {
				return err
			}
			if len(first) == 0 || !hasKey(first[0].JSON) {
				reason = "Execution was started before the launch of RedriveExecution"
			}
		}
		if reason != "" {
			return apiErr("ExecutionNotRedrivable", "%s", reason)
		}
		e.RedriveCount++
		e.RedriveDate = now
		e.Status, e.Output, e.Error, e.Cause, e.Stop = store.StatusRunning, "", "", "", time.Time{}
		id := e.EventCount + 1
		data, err := json.Marshal(redrivenEvent{Type: "ExecutionRedriven", ExecutionRedrivenEventDetails: redrivenDetails{e.RedriveCount},
			ID: id, PreviousEventID: id - 1, Timestamp: ep(now)})
		if err != nil {
			return err
		}
		if err := tx.AppendEvents(e.ARN, []store.Event{{ID: id, JSON: data}}); err != nil {
			return err
		}
		e.EventCount = id
		if err := tx.PutExecution(e); err != nil {
			return err
		}
		redriveDate = now
		if in.ClientToken != nil {
			cp.RedriveToken = *in.ClientToken
			return writeCheckpoint(tx, e.ARN, cp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !again {
		// The ended record is not the execution's any more; the old
		// run's end may still put it back until the new run starts.
		s.runs.forgetEnded(e.ARN)
		err := s.resume(ctx, e)
		s.runs.forgetEnded(e.ARN)
		if err != nil {
			return nil, err
		}
	}
	return &struct {
		RedriveDate *epoch `json:"redriveDate"`
	}{ep(redriveDate)}, nil
}

// hasKey reports whether a stored event carries its interpreter key.
func hasKey(data []byte) bool {
	return len(stripKey(data)) != len(data)
}

// readCheckpoint reads the server's checkpoint of an execution.
func readCheckpoint(tx store.Tx, arn string) (checkpoint, error) {
	var cp checkpoint
	data, err := tx.Checkpoint(arn)
	if err != nil || data == nil {
		return cp, err
	}
	return cp, json.Unmarshal(data, &cp)
}

func writeCheckpoint(tx store.Tx, arn string, cp checkpoint) error {
	data, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	return tx.PutCheckpoint(arn, data)
}

// redriveStatus is DescribeExecution's redriveStatus and reason.
func redriveStatus(e *store.Execution, now time.Time) (string, string) {
	if r := notRedrivable(e, now); r != "" {
		return "NOT_REDRIVABLE", r
	}
	return "REDRIVABLE", ""
}
