package server

import (
	"fmt"
	"net/http"
)

// APIError is an error answer of the service: its code (the model's
// exception shape name, or a protocol error), message and HTTP status.
// Handlers return one; anything else becomes an internal failure.
type APIError struct {
	Code    string
	Message string
	Status  int
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// typeName is the __type the service writes: its model namespace and the
// code. The SDKs keep only what follows '#'.
func (e *APIError) typeName() string {
	switch e.Code {
	case "ValidationException":
		return "com.amazon.coral.validate#ValidationException"
	case "UnknownOperationException", "SerializationException", "InternalFailure",
		"RequestEntityTooLargeException", "ThrottlingException", "ServiceUnavailable":
		return "com.amazon.coral.service#" + e.Code
	}
	return "com.amazonaws.swf.service.v2.model#" + e.Code
}

func apiErr(code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// Errors with the service's wording.
func errInvalidArn(arn string) *APIError { return apiErr("InvalidArn", "Invalid Arn: '%s'", arn) }

func errArnPrefix(arn string) *APIError {
	return apiErr("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: %s'", arn)
}

func errArnType(typ string) *APIError {
	return apiErr("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", typ)
}

func errInvalidName(name string) *APIError { return apiErr("InvalidName", "Invalid Name: '%s'", name) }

func errMachineNotFound(arn string) *APIError {
	return apiErr("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
}

func errExecutionNotFound(arn string) *APIError {
	return apiErr("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
}

func errActivityNotFound(arn string) *APIError {
	return apiErr("ActivityDoesNotExist", "Activity Does Not Exist: '%s'", arn)
}

func errResourceNotFound(arn string) *APIError {
	return apiErr("ResourceNotFound", "Resource not found: '%s'", arn)
}

func errInvalidToken(format string, args ...any) *APIError {
	return apiErr("InvalidToken", "Invalid Token: '%s'", fmt.Sprintf(format, args...))
}

func errValidation(format string, args ...any) *APIError {
	return apiErr("ValidationException", format, args...)
}
