package console

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// call runs op with in as its request and decodes the answer into out
// (when out is not nil).
func (c *Console) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	data, err := c.api.Invoke(ctx, op, body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s answer: %w", op, err)
	}
	return nil
}

// epoch is a timestamp of the JSON protocol: seconds since the epoch.
type epoch float64

func (e epoch) Time() time.Time { return epochTime(float64(e)) }

type machineItem struct {
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Type            string `json:"type"`
	CreationDate    epoch  `json:"creationDate"`
}

type machineDesc struct {
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	Definition      string `json:"definition"`
	RoleArn         string `json:"roleArn"`
	Type            string `json:"type"`
	CreationDate    epoch  `json:"creationDate"`
	Description     string `json:"description"`
	RevisionID      string `json:"revisionId"`
}

type executionItem struct {
	ExecutionArn    string `json:"executionArn"`
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	StartDate       epoch  `json:"startDate"`
	StopDate        epoch  `json:"stopDate"`
}

type executionDesc struct {
	ExecutionArn        string `json:"executionArn"`
	StateMachineArn     string `json:"stateMachineArn"`
	Name                string `json:"name"`
	Status              string `json:"status"`
	StartDate           epoch  `json:"startDate"`
	StopDate            epoch  `json:"stopDate"`
	Input               string `json:"input"`
	Output              string `json:"output"`
	Error               string `json:"error"`
	Cause               string `json:"cause"`
	RedriveCount        int    `json:"redriveCount"`
	RedriveStatus       string `json:"redriveStatus"`
	RedriveStatusReason string `json:"redriveStatusReason"`
}

type activityItem struct {
	ActivityArn  string `json:"activityArn"`
	Name         string `json:"name"`
	CreationDate epoch  `json:"creationDate"`
}

// listMachines reads every state machine (bounded by max).
func (c *Console) listMachines(ctx context.Context, max int) ([]machineItem, error) {
	var all []machineItem
	token := ""
	for {
		var out struct {
			StateMachines []machineItem `json:"stateMachines"`
			NextToken     string        `json:"nextToken"`
		}
		in := map[string]any{"maxResults": 1000}
		if token != "" {
			in["nextToken"] = token
		}
		if err := c.call(ctx, "ListStateMachines", in, &out); err != nil {
			return nil, err
		}
		all = append(all, out.StateMachines...)
		if out.NextToken == "" || len(all) >= max {
			return all, nil
		}
		token = out.NextToken
	}
}

// maxEvents bounds the events read for one execution page (AWS's
// history limit).
const maxEvents = 25000

// history reads an execution's events, all pages: the first maxRows
// with their input and output (the rows the table shows), the rest
// without, so that memory stays proportional to what is shown.
func (c *Console) history(ctx context.Context, arn string) ([]event, error) {
	var all []event
	token := ""
	for {
		var out struct {
			Events    []event `json:"events"`
			NextToken string  `json:"nextToken"`
		}
		in := map[string]any{"executionArn": arn, "maxResults": maxRows, "includeExecutionData": len(all) < maxRows}
		if token != "" {
			in["nextToken"] = token
		}
		if err := c.call(ctx, "GetExecutionHistory", in, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Events...)
		if out.NextToken == "" || len(all) >= maxEvents {
			return all, nil
		}
		token = out.NextToken
	}
}

// shortARN is the part of an ARN after its resource type: a machine's
// name, "machine:execution", a version's "name:3".
func shortARN(arn string) string {
	for _, kind := range []string{":stateMachine:", ":execution:", ":express:", ":activity:"} {
		if _, rest, ok := strings.Cut(arn, kind); ok {
			return rest
		}
	}
	return arn
}

func fmtTime(v any) string {
	var t time.Time
	switch x := v.(type) {
	case epoch:
		t = x.Time()
	case time.Time:
		t = x
	}
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000Z")
}
