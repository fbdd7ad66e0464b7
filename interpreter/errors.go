package interpreter

import (
	"fmt"
	"strings"

	"github.com/hsc-dev/hsc/diag"
)

// Predefined error names of the States Language.
const (
	ErrALL                    = "States.ALL"
	ErrRuntime                = "States.Runtime"
	ErrTimeout                = "States.Timeout"
	ErrTaskFailed             = "States.TaskFailed"
	ErrHeartbeatTimeout       = "States.HeartbeatTimeout"
	ErrParameterPathFailure   = "States.ParameterPathFailure"
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
	ErrNoChoiceMatched        = "States.NoChoiceMatched"
	ErrIntrinsicFailure       = "States.IntrinsicFailure"
	ErrBranchFailed           = "States.BranchFailed"
	ErrPermissions            = "States.Permissions"
	ErrDataLimitExceeded      = "States.DataLimitExceeded"
)

// ExecutionError is a States Language error: a name (such as
// "States.TaskFailed" or a name chosen by a Fail state or a task) and a
// human-readable cause. A TaskResolver may return one to raise a named error;
// Run returns one when an execution fails.
type ExecutionError struct {
	Name  string // the "Error" field
	Cause string // the "Cause" field

	// fromTask marks errors raised by a Task state (for States.TaskFailed);
	// fromBranch marks errors leaving a Parallel or Map state (for
	// States.BranchFailed).
	fromTask   bool
	fromBranch bool
	// reported is set once the error's EvaluationFailed event is recorded.
	reported bool
}

func (e *ExecutionError) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

func newError(name, format string, args ...any) *ExecutionError {
	return &ExecutionError{Name: name, Cause: fmt.Sprintf(format, args...)}
}

// matches reports whether an ErrorEquals list entry catches e.
func (e *ExecutionError) matches(name string) bool {
	switch e.Name {
	case ErrRuntime:
		// Not retriable and not catchable, even by name.
		return false
	case ErrDataLimitExceeded:
		// Only caught by name, never by States.ALL.
		return name == ErrDataLimitExceeded
	}
	switch name {
	case e.Name, ErrALL:
		return true
	case ErrTaskFailed:
		return e.fromTask && e.Name != ErrTimeout && e.Name != ErrHeartbeatTimeout
	case ErrBranchFailed:
		return e.fromBranch
	}
	return false
}

// DefinitionError reports a definition the interpreter cannot run: where
// (a JSON pointer into the definition and, when the definition was read
// from text, its line and column) and why.
type DefinitionError struct {
	State   string   // the state at fault, or "" for the top level
	Pointer string   // JSON pointer of the field at fault ("" for the whole definition)
	Pos     diag.Pos // line and column in the definition text; zero when unknown
	Msg     string
	// Unsupported marks a definition that is valid States Language but
	// uses a feature the local interpreter does not run (such as JSONata
	// user-defined functions or a distributed Map's ItemReader); Err is
	// then an *UnsupportedError.
	Unsupported bool
	// Err is the error behind this one: the asl error of a definition that
	// is not well-formed JSON or does not fit the States Language model,
	// or an *UnsupportedError.
	Err error
}

func (e *DefinitionError) Error() string {
	var b strings.Builder
	if !e.Unsupported {
		b.WriteString("invalid definition: ")
	}
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Pos.Line, e.Pos.Col)
	}
	if e.Pointer != "" {
		b.WriteString(e.Pointer)
		b.WriteString(": ")
	} else if e.State != "" {
		fmt.Fprintf(&b, "state %q: ", e.State)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the error behind e, if any.
func (e *DefinitionError) Unwrap() error { return e.Err }
