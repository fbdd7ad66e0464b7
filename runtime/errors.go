package runtime

import (
	"errors"
	"fmt"
	"net/url"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Sentinel errors; test for them with errors.Is.
var (
	// ErrNotFound: no state machine has the given name.
	ErrNotFound = errors.New("state machine not found")
	// ErrExists: create was asked for a name that is taken.
	ErrExists = errors.New("state machine already exists")
	// ErrNoCredentials: the SDK found no credentials anywhere.
	ErrNoCredentials = errors.New("no AWS credentials found")
	// ErrNoRegion: no region was given or found.
	ErrNoRegion = errors.New("no AWS region found")
	// ErrNoAccountID: an ARN needs the account id, none was given, and STS
	// could not tell it.
	ErrNoAccountID = errors.New("no AWS account id")
)

// APIError is an error the Step Functions service (or STS) returned, such
// as InvalidDefinition or ExecutionAlreadyExists. Message is the service's
// message in full. The SDK's typed error (for example
// *types.InvalidDefinition) is reachable with errors.As.
type APIError struct {
	Op      string // what hsc was doing, e.g. `create state machine "hello"`
	Code    string // the service's error code
	Message string
	Err     error
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%s: %s", e.Op, e.Code)
	}
	return fmt.Sprintf("%s: %s: %s", e.Op, e.Code, e.Message)
}

func (e *APIError) Unwrap() error { return e.Err }

// EndpointError means the service could not be reached at all.
type EndpointError struct {
	Op       string
	Endpoint string // the URL that was tried
	Err      error
}

func (e *EndpointError) Error() string {
	return fmt.Sprintf("%s: cannot reach Step Functions at %s: %v", e.Op, e.Endpoint, e.Err)
}

func (e *EndpointError) Unwrap() error { return e.Err }

// CredentialsError means no usable credentials were found. It matches
// ErrNoCredentials with errors.Is.
type CredentialsError struct {
	Op  string
	Err error
}

func (e *CredentialsError) Error() string {
	op := e.Op
	if op == "" {
		op = "AWS credentials"
	}
	return fmt.Sprintf("%s: %v: give an access key and secret key, a credentials file or a profile, "+
		"or configure the standard AWS environment variables or files (%v)", op, ErrNoCredentials, e.Err)
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// Is reports whether target is ErrNoCredentials.
func (e *CredentialsError) Is(target error) bool { return target == ErrNoCredentials }

// ExecutionError is how an execution that did not succeed ends: its status
// (FAILED, ABORTED or TIMED_OUT) and the error and cause the service recorded.
type ExecutionError struct {
	ExecutionARN string
	Status       string
	ErrorName    string // the execution's error, e.g. States.TaskFailed
	Cause        string
}

func (e *ExecutionError) Error() string {
	msg := fmt.Sprintf("execution %s %s", e.ExecutionARN, e.Status)
	if e.ErrorName != "" {
		msg += ": " + e.ErrorName
	}
	if e.Cause != "" {
		msg += ": " + e.Cause
	}
	return msg
}

// WrapError turns an error from an SFNAPI or STSAPI call into this
// package's errors, naming op (what was being done): *CredentialsError when
// no credentials were found, *APIError for an error the service returned
// (the SDK's typed error stays reachable with errors.As), *EndpointError
// when the service could not be reached; anything else is wrapped with %w.
// Other packages that call the client directly (activity workers) use it to
// report errors the same way. A nil err gives nil.
func WrapError(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *CredentialsError
	if errors.As(err, &ce) {
		return &CredentialsError{Op: op, Err: ce.Err}
	}
	var se *v4.SigningError
	if errors.As(err, &se) {
		return &CredentialsError{Op: op, Err: se.Err}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return &APIError{Op: op, Code: ae.ErrorCode(), Message: ae.ErrorMessage(), Err: err}
	}
	var rse *smithyhttp.RequestSendError
	if errors.As(err, &rse) {
		ep := "its endpoint"
		cause := rse.Err
		var ue *url.Error
		if errors.As(rse.Err, &ue) {
			ep, cause = ue.URL, ue.Err
		}
		return &EndpointError{Op: op, Endpoint: ep, Err: cause}
	}
	return fmt.Errorf("%s: %w", op, err)
}
