package server

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
	"github.com/hsc-dev/hsc/store"
)

type startSyncOutput struct {
	ExecutionArn    string       `json:"executionArn"`
	StateMachineArn string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	StartDate       *epoch       `json:"startDate"`
	StopDate        *epoch       `json:"stopDate"`
	Status          string       `json:"status"`
	Input           *string      `json:"input,omitempty"`
	InputDetails    dataDetails  `json:"inputDetails"`
	Output          *string      `json:"output,omitempty"`
	OutputDetails   *dataDetails `json:"outputDetails,omitempty"`
	Error           *string      `json:"error,omitempty"`
	Cause           *string      `json:"cause,omitempty"`
	TraceHeader     *string      `json:"traceHeader,omitempty"`
	BillingDetails  struct {
		BilledMemoryUsedInMB         int64 `json:"billedMemoryUsedInMB"`
		BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
	} `json:"billingDetails"`
}

type startSyncInput struct {
	startExecutionInput
	IncludedData string `json:"includedData"`
}

// startSyncExecution runs an Express execution to its end within the
// request and answers with its outcome. Standard machines are refused, as
// on AWS.
func (s *Server) startSyncExecution(ctx context.Context, in *startSyncInput) (any, error) {
	smARN, testCase, _ := strings.Cut(in.StateMachineArn, "#")
	name, input, aerr := in.nameAndInput()
	if aerr != nil {
		return nil, aerr
	}
	var tg *target
	var mock interpreter.TaskResolver
	err := s.store.View(ctx, func(tx store.Tx) (err error) {
		tg, mock, err = s.resolveStart(tx, smARN, testCase)
		return err
	})
	if err != nil {
		return nil, err
	}
	if tg.typ != "EXPRESS" {
		return nil, apiErr("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
	}
	m, err := s.compiled(tg)
	if err != nil {
		return nil, err
	}
	arn := fmt.Sprintf("arn:aws:states:%s:%s:express:%s:%s:%s", s.cfg.Region, s.cfg.AccountID, tg.machineName, name, newUUID())
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !s.track() {
		return nil, &APIError{Code: "ServiceUnavailable", Message: "The server is shutting down.", Status: 503}
	}
	defer s.wg.Done()
	stopOnClose := context.AfterFunc(s.ctx, cancel)
	defer stopOnClose()
	began := time.Now()
	res, rerr := s.runExpress(runCtx, m, tg, arn, name, input, mock)
	if res == nil {
		return nil, fmt.Errorf("run %s: %w", arn, rerr)
	}
	out := &startSyncOutput{ExecutionArn: arn, StateMachineArn: tg.machineARN, Name: name, StartDate: ep(res.StartDate),
		StopDate: ep(res.StopDate), Status: string(res.Status), Input: &input, InputDetails: dataDetails{true},
		TraceHeader: optional(in.TraceHeader)}
	switch res.Status {
	case interpreter.StatusSucceeded:
		o := string(res.Output)
		out.Output, out.OutputDetails = &o, &dataDetails{true}
	case interpreter.StatusAborted:
		// The request ended (the client went away or the server is closing).
		out.Status, out.Error, out.Cause = "FAILED", optional("States.Runtime"), optional("the execution was cancelled")
	default:
		out.Error, out.Cause = optional(res.Error), optional(res.Cause)
	}
	if in.IncludedData == "METADATA_ONLY" {
		out.Input, out.Output = nil, nil
		out.InputDetails.Included = false
		if out.OutputDetails != nil {
			out.OutputDetails.Included = false
		}
	}
	ms := time.Since(began).Milliseconds()
	out.BillingDetails.BilledDurationInMilliseconds = max(100, (ms+99)/100*100)
	out.BillingDetails.BilledMemoryUsedInMB = 64
	return out, nil
}
