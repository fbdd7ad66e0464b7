package server_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/server"
)

// TestHistoryOfWaitingExecution: an execution that waits (here in a Wait
// state of a day) shows every event it has emitted so far in
// GetExecutionHistory, numbered on from 1, although over the in-memory
// store its recorder holds events back to store them in runs; and once
// stopped, its history ends with ExecutionAborted.
func TestHistoryOfWaitingExecution(t *testing.T) {
	_, c := start(t, server.Config{})
	arn := createMachine(t, c, "waits", `{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"W"},"W":{"Type":"Wait","Seconds":86400,"End":true}}}`)
	ex := startExec(t, c, arn)
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered"}
	deadline := time.Now().Add(20 * time.Second)
	var got []string
	for {
		h, err := c.GetExecutionHistory(ctxT(t), &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for i, e := range h.Events {
			if e.Id != int64(i+1) {
				t.Fatalf("event %d has id %d", i+1, e.Id)
			}
			got = append(got, string(e.Type))
		}
		if len(got) == len(want) {
			break
		}
		if len(got) > len(want) || time.Now().After(deadline) {
			t.Fatalf("history %v, want %v", got, want)
		}
		time.Sleep(time.Millisecond)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("history %v, want %v", got, want)
		}
	}
	if _, err := c.StopExecution(ctxT(t), &sfn.StopExecutionInput{ExecutionArn: ex.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	waitDone(t, c, *ex.ExecutionArn)
	h, err := c.GetExecutionHistory(ctxT(t), &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.Events); n != len(want)+1 || h.Events[n-1].Type != "ExecutionAborted" || h.Events[n-1].Id != int64(n) {
		t.Fatalf("history after the stop: %d events, last %+v", n, h.Events[n-1])
	}
}
