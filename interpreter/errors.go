package interpreter

import "fmt"

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

// DefinitionError reports a definition the interpreter cannot run.
type DefinitionError struct {
	State string // the state at fault, or "" for the top level
	Msg   string
}

func (e *DefinitionError) Error() string {
	if e.State == "" {
		return "invalid definition: " + e.Msg
	}
	return fmt.Sprintf("invalid definition: state %q: %s", e.State, e.Msg)
}
