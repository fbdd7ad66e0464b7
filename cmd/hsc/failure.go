package main

import (
	"fmt"
	"io"
	"strings"
)

// executionFailure is an execution that did not succeed, as run, start and
// wait report it.
type executionFailure struct {
	Status string // FAILED, TIMED_OUT or ABORTED
	Error  string
	Cause  string
	ARN    string // the execution's ARN; empty for hsc run
}

// reportFailure prints f on w in the one format run, start and wait share,
// and returns the error that gives the exit status for its status:
//
//	hsc: execution FAILED
//	  error: States.TaskFailed
//	  cause: the cause, as recorded
//	  execution: arn:aws:states:...
func reportFailure(w io.Writer, f executionFailure) error {
	status := strings.ToUpper(f.Status)
	fmt.Fprintf(w, "hsc: execution %s\n", status)
	if f.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", f.Error)
	}
	if f.Cause != "" {
		fmt.Fprintf(w, "  cause: %s\n", f.Cause)
	}
	if f.ARN != "" {
		fmt.Fprintf(w, "  execution: %s\n", f.ARN)
	}
	return exitError{statusExitCode(status)}
}

// statusExitCode is the exit status for an execution that ended with
// status (see exitCodesHelp).
func statusExitCode(status string) int {
	switch strings.ToUpper(status) {
	case "SUCCEEDED":
		return exitOK
	case "TIMED_OUT":
		return exitTimedOut
	case "ABORTED":
		return exitAborted
	}
	return exitFailure
}
