package taskcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

// Resolver runs Task states of the interpreter as shell commands
// (`hsc run --task NAME=COMMAND`). A task is looked up by its state name,
// then by its Lambda function name (from a function ARN or the
// FunctionName of the lambda:invoke integration), then by its activity
// name, then by its full Resource; a task with no command is left to the
// next resolver (an *interpreter.UnresolvedTaskError). The S3 calls of a
// distributed Map state (TaskRequest.Part set) are first looked up as
// "STATE/ItemReader" or "STATE/ResultWriter".
//
// For the lambda:invoke integration the command receives the Payload and
// its output is wrapped as the integration does: {"ExecutedVersion",
// "Payload", "StatusCode"}.
type Resolver struct {
	commands map[string]string
	// Env is added to each command's environment (see Command.Env).
	Env []string
	// Grace is Command.Grace for every command.
	Grace time.Duration
	// Stderr, if set, is called with what a command wrote on standard
	// error when that did not become the task failure's cause: after a
	// success, a named error or output hsc refused. It may be called from
	// several goroutines at once (Parallel and Map states).
	Stderr func(req *interpreter.TaskRequest, stderr string)
}

var _ interpreter.TaskResolver = (*Resolver)(nil)

// NewResolver maps names (state, function, activity or resource) to shell
// commands, each run with sh -c.
func NewResolver(commands map[string]string) *Resolver {
	return &Resolver{commands: commands}
}

// Lookup returns the shell command for req.
func (r *Resolver) Lookup(req *interpreter.TaskRequest) (string, bool) {
	part := ""
	if req.Part != "" {
		part = req.StateName + "/" + req.Part
	}
	for _, k := range []string{part, req.StateName, req.FunctionName(), req.ActivityName(), req.Resource} {
		if k == "" {
			continue
		}
		if cmd, ok := r.commands[k]; ok {
			return cmd, true
		}
	}
	return "", false
}

// ResolveTask runs the command mapped to req. A task failure is an
// *interpreter.ExecutionError; a command stopped by ctx returns ctx's
// cause. For a .waitForTaskToken task (req.TaskToken set), a command that
// prints nothing returns no output (nil): the caller waits for the token's
// callback; one that prints null returns the result null.
func (r *Resolver) ResolveTask(ctx context.Context, req *interpreter.TaskRequest) ([]byte, error) {
	script, ok := r.Lookup(req)
	if !ok {
		return nil, &interpreter.UnresolvedTaskError{State: req.StateName, Resource: req.Resource}
	}
	invoke := isLambdaInvoke(req.Resource)
	input := req.Input
	if invoke {
		input = payloadOf(input)
	}
	c := Shell(script)
	c.Env, c.Grace = r.Env, r.Grace
	// An ItemReader command prints the object itself (or a GetObject
	// response); a listing is JSON and checked by the interpreter.
	c.RawOutput = req.Part == interpreter.PartItemReader
	task := Task{StateName: req.StateName, Resource: req.Resource, Activity: req.ActivityName(),
		Attempt: req.Attempt, TaskToken: req.TaskToken, RoleArn: req.RoleArn}
	res, err := c.Run(ctx, task, input)
	var te *Error
	var se *StoppedError
	switch {
	case errors.As(err, &se):
		return nil, err
	case errors.As(err, &te):
		if r.Stderr != nil && res.Stderr != "" && !res.stderrIsCause {
			r.Stderr(req, res.Stderr)
		}
		return nil, &interpreter.ExecutionError{Name: te.Name, Cause: te.Cause}
	case err != nil:
		return nil, err
	}
	if r.Stderr != nil && res.Stderr != "" {
		r.Stderr(req, res.Stderr)
	}
	if res.Empty && req.TaskToken != "" {
		// A .waitForTaskToken command that printed nothing handed its
		// token on: no result, the task waits for the callback (AWS
		// ends such a task only through SendTask…). "null" is a result.
		return nil, nil
	}
	if !invoke {
		return res.Output, nil
	}
	var b bytes.Buffer
	b.WriteString(`{"ExecutedVersion":"$LATEST","Payload":`)
	b.Write(res.Output)
	b.WriteString(`,"StatusCode":200}`)
	return b.Bytes(), nil
}

// payloadOf returns the Payload of a lambda:invoke input object ("null"
// when it has none), or the input itself when it is not an object.
func payloadOf(input []byte) []byte {
	var o map[string]json.RawMessage
	if json.Unmarshal(input, &o) != nil || o == nil {
		return input
	}
	if p, ok := o["Payload"]; ok {
		return p
	}
	return []byte("null")
}

// isLambdaInvoke reports whether resource is the lambda:invoke integration
// (arn:PARTITION:states:::lambda:invoke, with or without a suffix).
func isLambdaInvoke(resource string) bool {
	a := strings.SplitN(resource, ":", 6)
	return len(a) == 6 && a[0] == "arn" && a[2] == "states" && strings.HasPrefix(a[5], "lambda:invoke")
}
