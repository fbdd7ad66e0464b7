package interpreter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// CommandResolver runs Task states as shell commands. A task is looked up by
// its state name, then by its Lambda function name (from a function ARN or
// the FunctionName of the lambda:invoke integration), then by its activity
// name, then by its full Resource. The command (run with sh -c) gets the
// task's input on standard input and must print the result JSON on standard
// output. A non-zero exit raises States.TaskFailed with the standard error
// as the cause, unless standard error is a JSON object with an "Error"
// field (and optionally "Cause"), which raises that error instead.
//
// For the lambda:invoke integration the command receives the Payload and its
// output is wrapped as the integration does: {"ExecutedVersion", "Payload",
// "StatusCode"}.
type CommandResolver struct {
	commands map[string]string
	// Env is added to each command's environment, after the variables
	// HSC_STATE_NAME, HSC_RESOURCE, HSC_ATTEMPT and HSC_TASK_TOKEN.
	Env []string
}

// NewCommandResolver maps names (state, function, activity or resource) to
// shell commands.
func NewCommandResolver(commands map[string]string) *CommandResolver {
	return &CommandResolver{commands: commands}
}

// Lookup returns the command for req.
func (c *CommandResolver) Lookup(req *TaskRequest) (string, bool) {
	for _, k := range []string{req.StateName, req.FunctionName(), req.ActivityName(), req.Resource} {
		if k == "" {
			continue
		}
		if cmd, ok := c.commands[k]; ok {
			return cmd, true
		}
	}
	return "", false
}

// ResolveTask runs the command mapped to req.
func (c *CommandResolver) ResolveTask(ctx context.Context, req *TaskRequest) ([]byte, error) {
	command, ok := c.Lookup(req)
	if !ok {
		return nil, &UnresolvedTaskError{State: req.StateName, Resource: req.Resource}
	}
	input := req.Input
	invoke := isLambdaInvoke(req.Resource)
	if invoke {
		if v, err := parseJSON(req.Input); err == nil {
			if o, ok := v.(*Object); ok {
				p, _ := o.Get("Payload")
				input = appendJSON(nil, p)
			}
		}
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(),
		"HSC_STATE_NAME="+req.StateName,
		"HSC_RESOURCE="+req.Resource,
		fmt.Sprintf("HSC_ATTEMPT=%d", req.Attempt),
		"HSC_TASK_TOKEN="+req.TaskToken)
	cmd.Env = append(cmd.Env, c.Env...)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if v, perr := parseJSON([]byte(msg)); perr == nil {
			if o, ok := v.(*Object); ok {
				if name, ok := o.Get("Error"); ok {
					if s, ok := name.(string); ok && s != "" {
						cause, _ := o.Get("Cause")
						cs, isStr := cause.(string)
						if !isStr && cause != nil {
							cs = encodeJSON(cause)
						}
						return nil, &ExecutionError{Name: s, Cause: cs}
					}
				}
			}
		}
		var ee *exec.ExitError
		if msg == "" || !errors.As(err, &ee) {
			if msg != "" {
				msg += ": "
			}
			msg += fmt.Sprintf("command %q: %v", command, err)
		}
		return nil, errors.New(msg)
	}
	out := bytes.TrimSpace(stdout.Bytes())
	if invoke {
		var payload any
		if len(out) > 0 {
			v, err := parseJSON(out)
			if err != nil {
				return nil, fmt.Errorf("command %q printed invalid JSON: %w", command, err)
			}
			payload = v
		}
		o := newObject(3)
		o.add("ExecutedVersion", "$LATEST")
		o.add("Payload", payload)
		o.add("StatusCode", int64(200))
		return appendJSON(nil, o), nil
	}
	return out, nil
}

func isLambdaInvoke(resource string) bool {
	a := arnParts(resource)
	return a != nil && a[2] == "states" && strings.HasPrefix(a[5], "lambda:invoke")
}

// Resolvers tries each resolver in turn, moving to the next when one returns
// an *UnresolvedTaskError.
type Resolvers []TaskResolver

// ResolveTask implements TaskResolver.
func (rs Resolvers) ResolveTask(ctx context.Context, req *TaskRequest) ([]byte, error) {
	for _, r := range rs {
		out, err := r.ResolveTask(ctx, req)
		var ue *UnresolvedTaskError
		if errors.As(err, &ue) {
			continue
		}
		return out, err
	}
	return nil, &UnresolvedTaskError{State: req.StateName, Resource: req.Resource}
}
