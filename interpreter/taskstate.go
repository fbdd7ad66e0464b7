package interpreter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hsc-dev/hsc/asl"
)

// Task states: the node, its timeouts and heartbeats, the call of the
// TaskResolver and the task events of the history.

type taskNode struct {
	stateInfo
	io       queryIO
	pol      policy
	resource string
	// TimeoutSeconds and HeartbeatSeconds: fixed, from a path (JSONPath)
	// or from an expression (JSONata).
	timeout, heartbeat         float64
	timeoutPath, heartbeatPath *Path
	jTimeout, jHeartbeat       *jtemplate
	callback                   bool // a .waitForTaskToken resource
	// Credentials: a payload template (JSONPath) or a JSONata template
	// holding RoleArn; both nil without the field.
	cred  *template
	jCred *jtemplate
}

func (c *compiler) taskNode(at site, s *asl.State, info stateInfo, io queryIO, pol policy) (node, error) {
	if s.Resource == "" {
		return nil, at.err("Resource", "Resource must be a non-empty string")
	}
	n := &taskNode{stateInfo: info, io: io, pol: pol, resource: s.Resource,
		callback: strings.HasSuffix(s.Resource, ".waitForTaskToken")}
	var err error
	if n.timeout, n.jTimeout, err = numberOrExpr(at, "TimeoutSeconds", s.TimeoutSeconds, true); err != nil {
		return nil, err
	}
	if n.heartbeat, n.jHeartbeat, err = numberOrExpr(at, "HeartbeatSeconds", s.HeartbeatSeconds, true); err != nil {
		return nil, err
	}
	if !info.jsonata && (n.jTimeout != nil || n.jHeartbeat != nil) {
		field := "TimeoutSeconds"
		if n.jTimeout == nil {
			field = "HeartbeatSeconds"
		}
		return nil, at.err(field, "%s must be a positive number", field)
	}
	if s.Credentials != nil {
		if n.cred, n.jCred, err = compileCredentials(at, s.Credentials, info.jsonata); err != nil {
			return nil, err
		}
	}
	if has(s, "TimeoutSecondsPath") {
		if n.timeoutPath, err = parsePathAt(at, "TimeoutSecondsPath", s.TimeoutSecondsPath, asl.PathReference); err != nil {
			return nil, err
		}
	}
	if has(s, "HeartbeatSecondsPath") {
		if n.heartbeatPath, err = parsePathAt(at, "HeartbeatSecondsPath", s.HeartbeatSecondsPath, asl.PathReference); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (n *taskNode) run(ctx context.Context, x *execution, sc *scope, in any) (any, int, *ExecutionError) {
	return x.withRetry(ctx, sc, &n.stateInfo, &n.pol, n.io, in, func() (any, *ExecutionError) {
		return n.attempt(ctx, x, sc, in)
	})
}

// attempt runs the task once.
func (n *taskNode) attempt(ctx context.Context, x *execution, sc *scope, in any) (any, *ExecutionError) {
	eff, err := n.io.input(sc, in)
	if err != nil {
		return nil, err
	}
	if n.callback {
		sc.token = x.callbackToken(sc)
		sc.ctxObj = nil
	}
	params, _, err := n.io.payload(sc, in, eff)
	if err != nil {
		return nil, err
	}
	timeout, err := n.seconds(sc, in, params, n.timeout, n.timeoutPath, n.jTimeout, "TimeoutSeconds")
	if err != nil {
		return nil, err
	}
	heartbeat, err := n.seconds(sc, in, params, n.heartbeat, n.heartbeatPath, n.jHeartbeat, "HeartbeatSeconds")
	if err != nil {
		return nil, err
	}
	role, err := n.roleArn(sc, in, eff)
	if err != nil {
		return nil, err
	}
	res, err := x.invokeTask(ctx, n, params, timeout, heartbeat, role, sc)
	if err != nil {
		return nil, err
	}
	if res, err = n.io.selectResult(sc, res); err != nil {
		return nil, err
	}
	return n.io.finish(sc, frame{raw: in, res: res, resSize: -1, hasRes: true})
}

// compileCredentials compiles a Task's Credentials: an object with one
// field, RoleArn (JSONPath: or RoleArn.$, a path or intrinsic function;
// JSONata: a string that may be an expression), as the Task state's page
// of the Step Functions Developer Guide describes it.
func compileCredentials(at site, v *asl.Value, jsonata bool) (*template, *jtemplate, error) {
	if v.Kind != asl.KindObject {
		return nil, nil, at.err("Credentials", "Credentials must be an object with RoleArn")
	}
	allowed := "RoleArn or RoleArn.$"
	if jsonata {
		allowed = "RoleArn"
	}
	if len(v.Members) != 1 || v.Members[0].Key != "RoleArn" && (jsonata || v.Members[0].Key != "RoleArn.$") {
		return nil, nil, at.err("Credentials", "Credentials must hold exactly one field, %s", allowed)
	}
	if m := v.Members[0]; m.Key == "RoleArn" && m.Value.Kind != asl.KindString {
		return nil, nil, at.err("Credentials", "Credentials.RoleArn must be a string")
	}
	if jsonata {
		t, err := compileJTemplateAt(at, "Credentials", v)
		return nil, t, err
	}
	t, err := compileTemplateAt(at, "Credentials", v)
	return t, nil, err
}

// roleArn evaluates the Credentials (against the effective input, as
// Parameters are; JSONata: $states.input) to the role's ARN, "" without
// them.
func (n *taskNode) roleArn(sc *scope, raw, eff any) (string, *ExecutionError) {
	var v any
	switch {
	case n.cred != nil:
		c, err := n.cred.eval(sc, eff)
		if err != nil {
			return "", asExecError(err)
		}
		v = c
	case n.jCred != nil:
		c, err := n.jCred.evalTop(&jenv{sc: sc, input: raw}, "Credentials")
		if err != nil {
			return "", err
		}
		v = c
	default:
		return "", nil
	}
	var arn any
	if o, ok := v.(*Object); ok {
		arn, _ = o.Get("RoleArn")
	}
	s, ok := arn.(string)
	if !ok || !isRoleARN(s) {
		return "", sc.runtimeError("Credentials.RoleArn must be an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME), got %s", truncate(encodeJSON(arn)))
	}
	return s, nil
}

// isRoleARN reports whether s has the form of an IAM role's ARN.
func isRoleARN(s string) bool {
	a := strings.SplitN(s, ":", 6)
	return len(a) == 6 && a[0] == "arn" && a[1] != "" && a[2] == "iam" && a[3] == "" && a[4] != "" &&
		strings.HasPrefix(a[5], "role/") && len(a[5]) > len("role/")
}

// seconds resolves TimeoutSeconds(Path) or HeartbeatSeconds(Path).
func (n *taskNode) seconds(sc *scope, raw, params any, fixed float64, p *Path, t *jtemplate, what string) (time.Duration, *ExecutionError) {
	switch {
	case p != nil:
		v, ok := sc.evalPath(p, params)
		f, isNum := toFloat(v)
		if !ok || !isNum || f <= 0 || f != math.Trunc(f) {
			return 0, sc.runtimeError("%sPath '%s' must select a positive integer, got %s", what, p.src, describe(v, ok))
		}
		return seconds(f), nil
	case t != nil:
		v, err := t.evalTop(&jenv{sc: sc, input: raw}, what)
		if err != nil {
			return 0, err
		}
		f, ok := toFloat(v)
		if !ok || f <= 0 || f != math.Trunc(f) {
			return 0, newError(ErrQueryEvaluation, "%s must be a positive integer, got %s", what, truncate(encodeJSON(v)))
		}
		return seconds(f), nil
	}
	return seconds(fixed), nil
}

// afterFunc runs f after d on the clock's timers if it has them
// (TimerClock), in real time otherwise.
func (x *execution) afterFunc(d time.Duration, f func()) Timer {
	if tc, ok := x.cfg.clock.(TimerClock); ok {
		return tc.AfterFunc(d, f)
	}
	return time.AfterFunc(d, f)
}

func (x *execution) invokeTask(ctx context.Context, n *taskNode, params any, timeout, heartbeat time.Duration, role string, sc *scope) (any, *ExecutionError) {
	input := appendJSON(nil, params)
	if len(input) > MaxPayloadBytes {
		return nil, newError(ErrDataLimitExceeded, "the input of task '%s' is %d bytes, more than %d", n.name, len(input), MaxPayloadBytes)
	}
	kind, rtype, rname := resourceKind(n.resource)
	x.emitScheduled(sc, kind, rtype, rname, n.resource, input, timeout, heartbeat)
	if out, rerr, ok := x.replayTask(sc); ok {
		return x.taskOutcome(ctx, ctx, n, out, rerr, kind, rtype, rname, timeout, heartbeat, sc)
	}
	if x.cfg.tasks == nil {
		return nil, newError(ErrRuntime, "%v: no task resolver is configured", &UnresolvedTaskError{State: n.name, Resource: n.resource})
	}
	tctx := ctx
	var cancel context.CancelCauseFunc
	tctx, cancel = context.WithCancelCause(ctx)
	defer cancel(nil)
	if timeout > 0 {
		// A task resumed in flight keeps its original deadline.
		t := x.afterFunc(x.resumedLeft(sc, timeout), func() { cancel(errStateTimeout) })
		defer t.Stop()
	}
	beat := func() {}
	// Only activities and callback tasks send heartbeats; Step Functions
	// does not apply HeartbeatSeconds to other integrations.
	if heartbeat > 0 && (kind == "activity" || strings.HasSuffix(n.resource, ".waitForTaskToken")) {
		// A task resumed in flight keeps its heartbeat deadline.
		t := x.afterFunc(x.resumedBeat(sc, heartbeat), func() { cancel(errHeartbeatTimeout) })
		defer t.Stop()
		beat = func() { t.Reset(heartbeat) }
	}
	req := &TaskRequest{ExecutionARN: x.id, StateName: n.name, Resource: n.resource, Input: input, Attempt: sc.retryCount,
		TaskToken: sc.token, Timeout: timeout, Heartbeat: heartbeat, SendHeartbeat: beat, RoleArn: role}
	if req.ID = x.taskID(sc); req.ID != "" {
		req.Resumed = sc.replayed
	}
	out, rerr := x.cfg.tasks.ResolveTask(tctx, req)
	return x.taskOutcome(ctx, tctx, n, out, rerr, kind, rtype, rname, timeout, heartbeat, sc)
}

// taskOutcome records and returns the outcome of a task: the resolver's
// answer (or a recorded one) and the state of its context tctx.
func (x *execution) taskOutcome(ctx, tctx context.Context, n *taskNode, out []byte, rerr error, kind, rtype, rname string, timeout, heartbeat time.Duration, sc *scope) (any, *ExecutionError) {
	var ee *ExecutionError
	switch cause := context.Cause(tctx); {
	case ctx.Err() != nil:
		return nil, x.ctxError(ctx)
	case cause == errStateTimeout:
		ee = &ExecutionError{Name: ErrTimeout, Cause: fmt.Sprintf("the task did not finish within %v", timeout), fromTask: true}
	case cause == errHeartbeatTimeout:
		ee = &ExecutionError{Name: ErrHeartbeatTimeout, Cause: fmt.Sprintf("no heartbeat within %v", heartbeat), fromTask: true}
	case rerr != nil:
		var ue *UnresolvedTaskError
		var te *ExecutionError
		switch {
		case errors.As(rerr, &ue):
			return nil, newError(ErrRuntime, "%v", ue)
		case errors.As(rerr, &te):
			c := *te
			c.fromTask = true
			ee = &c
		default:
			ee = &ExecutionError{Name: ErrTaskFailed, Cause: rerr.Error(), fromTask: true}
		}
	}
	if ee != nil {
		x.emitTaskEnd(sc, kind, rtype, rname, n.resource, "", ee)
		return nil, ee
	}
	if len(out) > MaxPayloadBytes {
		ee := &ExecutionError{Name: ErrDataLimitExceeded, Cause: fmt.Sprintf("the output of task '%s' is %d bytes, more than %d", n.name, len(out), MaxPayloadBytes), fromTask: true}
		x.emitTaskEnd(sc, kind, rtype, rname, n.resource, "", ee)
		return nil, ee
	}
	var res any
	if len(bytes.TrimSpace(out)) == 0 {
		res = nil
	} else {
		v, perr := parseJSON(out)
		if perr != nil {
			ee := &ExecutionError{Name: ErrTaskFailed, Cause: fmt.Sprintf("the task's output is not JSON: %v", perr), fromTask: true}
			x.emitTaskEnd(sc, kind, rtype, rname, n.resource, "", ee)
			return nil, ee
		}
		res = v
	}
	if x.record {
		x.emitTaskEnd(sc, kind, rtype, rname, n.resource, encodeJSON(res), nil)
	} else {
		x.count(sc)
	}
	return res, nil
}

func (x *execution) emitScheduled(sc *scope, kind, rtype, rname, resource string, input []byte, timeout, heartbeat time.Duration) {
	if !x.record {
		x.count(sc) // Scheduled
		x.count(sc) // Started
		return
	}
	to, hb := int64(timeout/time.Second), int64(heartbeat/time.Second)
	switch kind {
	case "lambda":
		x.emit(sc, "LambdaFunctionScheduled", func(e *Event) {
			e.LambdaFunctionScheduledEventDetails = &LambdaScheduledDetails{Resource: resource, Input: string(input), TimeoutInSeconds: to}
		})
		x.emit(sc, "LambdaFunctionStarted", nil)
	case "activity":
		x.emit(sc, "ActivityScheduled", func(e *Event) {
			e.ActivityScheduledEventDetails = &ActivityScheduledDetails{Resource: resource, Input: string(input), TimeoutInSeconds: to, HeartbeatInSeconds: hb}
		})
		x.emit(sc, "ActivityStarted", func(e *Event) { e.ActivityStartedEventDetails = &ActivityStartedDetails{} })
	default:
		x.emit(sc, "TaskScheduled", func(e *Event) {
			e.TaskScheduledEventDetails = &TaskScheduledDetails{ResourceType: rtype, Resource: rname, Region: x.cfg.region,
				Parameters: string(input), TimeoutInSeconds: to, HeartbeatInSeconds: hb}
		})
		x.emit(sc, "TaskStarted", func(e *Event) { e.TaskStartedEventDetails = &TaskDetails{ResourceType: rtype, Resource: rname} })
	}
}

func (x *execution) emitTaskEnd(sc *scope, kind, rtype, rname, resource, output string, ee *ExecutionError) {
	if !x.record {
		x.count(sc)
		return
	}
	timedOut := ee != nil && (ee.Name == ErrTimeout || ee.Name == ErrHeartbeatTimeout)
	var fd *FailureDetails
	if ee != nil {
		fd = &FailureDetails{Error: ee.Name, Cause: ee.Cause}
	}
	switch kind {
	case "lambda":
		switch {
		case ee == nil:
			x.emit(sc, "LambdaFunctionSucceeded", func(e *Event) { e.LambdaFunctionSucceededEventDetails = &OutputDetails{Output: output} })
		case timedOut:
			x.emit(sc, "LambdaFunctionTimedOut", func(e *Event) { e.LambdaFunctionTimedOutEventDetails = fd })
		default:
			x.emit(sc, "LambdaFunctionFailed", func(e *Event) { e.LambdaFunctionFailedEventDetails = fd })
		}
	case "activity":
		switch {
		case ee == nil:
			x.emit(sc, "ActivitySucceeded", func(e *Event) { e.ActivitySucceededEventDetails = &OutputDetails{Output: output} })
		case timedOut:
			x.emit(sc, "ActivityTimedOut", func(e *Event) { e.ActivityTimedOutEventDetails = fd })
		default:
			x.emit(sc, "ActivityFailed", func(e *Event) { e.ActivityFailedEventDetails = fd })
		}
	default:
		switch {
		case ee == nil:
			x.emit(sc, "TaskSucceeded", func(e *Event) {
				e.TaskSucceededEventDetails = &TaskDetails{ResourceType: rtype, Resource: rname, Output: output, OutputDetails: &DataDetails{}}
			})
		case timedOut:
			x.emit(sc, "TaskTimedOut", func(e *Event) {
				e.TaskTimedOutEventDetails = &TaskDetails{ResourceType: rtype, Resource: rname, Error: ee.Name, Cause: ee.Cause}
			})
		default:
			x.emit(sc, "TaskFailed", func(e *Event) {
				e.TaskFailedEventDetails = &TaskDetails{ResourceType: rtype, Resource: rname, Error: ee.Name, Cause: ee.Cause}
			})
		}
	}
}
