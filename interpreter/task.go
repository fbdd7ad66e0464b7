package interpreter

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// TaskRequest is what a Task state asks its resolver to do.
type TaskRequest struct {
	// ExecutionARN is the execution the task belongs to: a map run's
	// child execution for a Task inside a distributed Map.
	ExecutionARN string
	StateName    string // the Task state's name
	Resource     string // the Resource field as written
	// Part is "" for a Task state. For the S3 calls of a distributed Map
	// state it is PartItemReader (s3:getObject, s3:listObjectsV2) or
	// PartResultWriter (s3:putObject); StateName is then the Map state's
	// name, Resource the reader's or writer's Resource, and Input the
	// call's parameters ({"Bucket", "Key"} or {"Bucket", "Prefix",
	// "ContinuationToken"}; {"Bucket", "Key", "Body"} for a write).
	Part string
	// Input is the effective input of the task (after InputPath and
	// Parameters), as JSON.
	Input []byte
	// Attempt counts from 0; retries increase it.
	Attempt int
	// TaskToken is set for ".waitForTaskToken" resources; the resolver's
	// answer stands for SendTaskSuccess (or, with an *ExecutionError,
	// SendTaskFailure) on that token.
	TaskToken string
	// Timeout and Heartbeat are the state's TimeoutSeconds and
	// HeartbeatSeconds (0: none). The context passed with the request is
	// already cancelled at the timeout.
	Timeout, Heartbeat time.Duration
	// Heartbeat signals liveness for HeartbeatSeconds; it is never nil.
	SendHeartbeat func()
	// ID names the task within its execution, the same when the execution
	// is resumed (WithResumable): it is the Key its outcome event will
	// have. It is "" without WithResumable. In a child execution of a
	// distributed Map whose events are recorded (a STANDARD child with a
	// ChildHook), it is the child's ARN (ExecutionARN), a space and that
	// key, unique within the parent's execution; in other children "".
	ID string
	// Resumed is set when the task's ...Started event is in the history
	// the execution was resumed from: the task was handed out before.
	Resumed bool
	// RoleArn is the role the task runs with: the state's
	// Credentials.RoleArn (fixed, from a path or intrinsic function with
	// RoleArn.$, or a JSONata expression), evaluated for this attempt; ""
	// without Credentials. On AWS the execution role assumes it before
	// calling the Resource.
	RoleArn string
}

// FunctionName returns the Lambda function name the request targets: the
// name in a Lambda function ARN resource, or the FunctionName parameter of
// the lambda:invoke integration. It is "" for other resources.
func (r *TaskRequest) FunctionName() string {
	return lambdaFunctionName(r.Resource, r.Input)
}

// ActivityName returns the activity name of an activity ARN resource, or "".
func (r *TaskRequest) ActivityName() string {
	if a := arnParts(r.Resource); a != nil && a[2] == "states" && strings.HasPrefix(a[5], "activity:") {
		return strings.TrimPrefix(a[5], "activity:")
	}
	return ""
}

// TaskResolver runs the work of Task states. It returns the task's result
// as JSON, or an error: return an *ExecutionError to raise a named error;
// any other error becomes States.TaskFailed with the error text as cause.
type TaskResolver interface {
	ResolveTask(ctx context.Context, req *TaskRequest) ([]byte, error)
}

// TaskFunc adapts a function to TaskResolver.
type TaskFunc func(ctx context.Context, req *TaskRequest) ([]byte, error)

// ResolveTask calls f.
func (f TaskFunc) ResolveTask(ctx context.Context, req *TaskRequest) ([]byte, error) {
	return f(ctx, req)
}

// UnresolvedTaskError reports a Task state no resolver handles. It fails the
// execution with States.Runtime, which no Catch can intercept.
type UnresolvedTaskError struct {
	State, Resource string
}

func (e *UnresolvedTaskError) Error() string {
	return fmt.Sprintf("no task mapping for state %q (resource %s)", e.State, e.Resource)
}

// arnParts splits arn:partition:service:region:account:resource into six
// parts, or returns nil.
func arnParts(s string) []string {
	p := strings.SplitN(s, ":", 6)
	if len(p) != 6 || p[0] != "arn" {
		return nil
	}
	return p
}

// resourceKind classifies a Task resource for the history: "lambda" for a
// Lambda function ARN, "activity" for an activity ARN, otherwise a service
// integration, with its resourceType and resource as the history shows
// them (arn:aws:states:::lambda:invoke → "lambda", "invoke").
func resourceKind(res string) (kind, resourceType, resource string) {
	a := arnParts(res)
	switch {
	case a == nil:
		return "task", "", res
	case a[2] == "lambda":
		return "lambda", "lambda", res
	case a[2] == "states" && strings.HasPrefix(a[5], "activity:"):
		return "activity", "activity", res
	case a[2] == "states" && a[3] == "" && a[4] == "":
		svc, op, ok := strings.Cut(a[5], ":")
		if ok {
			return "task", svc, op
		}
	}
	return "task", a[2], a[5]
}

func lambdaFunctionName(resource string, input []byte) string {
	a := arnParts(resource)
	if a == nil {
		return ""
	}
	if a[2] == "lambda" && strings.HasPrefix(a[5], "function:") {
		name := strings.TrimPrefix(a[5], "function:")
		name, _, _ = strings.Cut(name, ":") // drop a version or alias
		return name
	}
	if a[2] == "states" && strings.HasPrefix(a[5], "lambda:invoke") {
		v, err := parseJSON(input)
		if err != nil {
			return ""
		}
		if o, ok := v.(*Object); ok {
			if fn, ok := o.Get("FunctionName"); ok {
				if s, ok := fn.(string); ok {
					if fa := arnParts(s); fa != nil {
						return lambdaFunctionName(s, nil)
					}
					name, _, _ := strings.Cut(s, ":")
					return name
				}
			}
		}
	}
	return ""
}
