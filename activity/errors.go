package activity

import (
	"context"
	"errors"
	"fmt"
	"net"
	"unicode/utf16"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Error names the worker reports with SendTaskFailure when the handler did
// not return an *ActivityError. A state machine can catch them by name.
const (
	// ErrorNameHandler: the handler returned an error that is not an
	// *ActivityError; the cause is its message.
	ErrorNameHandler = "hsc.HandlerError"
	// ErrorNamePanic: the handler panicked; the cause is the panic value.
	ErrorNamePanic = "hsc.Panic"
	// ErrorNameOutputTooLarge: the output exceeds the service's 256 KiB
	// limit (or the service refused it as too large).
	ErrorNameOutputTooLarge = "hsc.OutputTooLarge"
	// ErrorNameInvalidOutput: the output is not JSON, or the service
	// refused it for another reason.
	ErrorNameInvalidOutput = "hsc.InvalidOutput"
	// ErrorNameShutdown: the worker stopped before the handler finished
	// (its grace period ran out).
	ErrorNameShutdown = "hsc.WorkerShutdown"
)

// Service limits.
const (
	// MaxOutputBytes is the largest task output Step Functions accepts.
	MaxOutputBytes = 256 * 1024
	maxErrorLen    = 256
	maxCauseLen    = 32768
)

var (
	// ErrTaskTimedOut is the cause of a handler's context cancellation
	// when the service reports that the task timed out.
	ErrTaskTimedOut = errors.New("activity task timed out")
	// ErrShutdown is the cause of a handler's context cancellation when
	// the worker's grace period ran out.
	ErrShutdown = errors.New("activity worker shut down")
)

// ActivityError is a task failure with an explicit error name and cause, as
// a state machine sees them (for Catch and Retry, and in the execution's
// history). A handler returns one to choose both; package fanout returns
// one when a sub-execution failed.
//
// The fields are ErrorName and Cause rather than heaviside's error and
// cause because a Go type cannot have both a field and a method named
// Error.
type ActivityError struct {
	ErrorName string
	Cause     string
}

// Error returns "ErrorName: Cause" (or whichever of the two is set).
func (e *ActivityError) Error() string {
	switch {
	case e.Cause == "":
		return e.ErrorName
	case e.ErrorName == "":
		return e.Cause
	}
	return e.ErrorName + ": " + e.Cause
}

// failureOf returns the error name and cause to report for a handler error.
func failureOf(err error) (name, cause string) {
	var ae *ActivityError
	if errors.As(err, &ae) {
		name, cause = ae.ErrorName, ae.Cause
	} else {
		name, cause = ErrorNameHandler, err.Error()
	}
	return truncate(name, maxErrorLen), truncate(cause, maxCauseLen)
}

// truncate cuts s to at most n characters as Step Functions counts them
// (UTF-16 code units), without splitting a character.
func truncate(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}

// apiCode returns the service's error code, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Transient reports whether a Step Functions call that failed with err is
// worth retrying later: throttling, service-side failures, network errors
// and client-side timeouts. Errors the caller must fix (unknown activity,
// bad ARN, access denied, invalid parameters) and the cancellation of the
// caller's own context are not transient.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	switch apiCode(err) {
	case "":
	case "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
		"ServiceUnavailable", "InternalFailure", "InternalServerError", "ServiceException":
		return true
	default:
		var re *smithyhttp.ResponseError
		return errors.As(err, &re) && re.HTTPStatusCode() >= 500
	}
	// A request that never reached the service is wrapped by the SDK in a
	// ResponseError with status 0, so the send error is looked for first.
	var se *smithyhttp.RequestSendError
	if errors.As(err, &se) {
		return true
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 {
		return re.HTTPStatusCode() >= 500 || re.HTTPStatusCode() == 429
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// isTimedOut reports whether the service said the task is gone: it timed
// out, or (after a timeout) it no longer exists.
func isTimedOut(err error) bool {
	switch apiCode(err) {
	case "TaskTimedOut", "TaskDoesNotExist":
		return true
	}
	return false
}

// panicError is a recovered handler panic.
type panicError struct{ value any }

func (p panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }
