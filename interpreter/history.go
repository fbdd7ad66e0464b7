package interpreter

import "time"

// Event is one entry of an execution's history, with the type names and
// fields of Step Functions' GetExecutionHistory (JSON names as on the wire).
// Only the details field matching Type is set.
type Event struct {
	ID              int64     `json:"id"`
	PreviousEventID int64     `json:"previousEventId"`
	Timestamp       time.Time `json:"timestamp"`
	Type            string    `json:"type"`
	// Key names the event by its place in the execution (its scope and
	// position there) with WithResumable; it is not part of the wire
	// form. See WithResume.
	Key string `json:"-"`

	ExecutionStartedEventDetails   *ExecutionStartedDetails `json:"executionStartedEventDetails,omitempty"`
	ExecutionSucceededEventDetails *OutputDetails           `json:"executionSucceededEventDetails,omitempty"`
	ExecutionFailedEventDetails    *FailureDetails          `json:"executionFailedEventDetails,omitempty"`
	ExecutionTimedOutEventDetails  *FailureDetails          `json:"executionTimedOutEventDetails,omitempty"`
	ExecutionAbortedEventDetails   *FailureDetails          `json:"executionAbortedEventDetails,omitempty"`
	StateEnteredEventDetails       *StateEnteredDetails     `json:"stateEnteredEventDetails,omitempty"`
	StateExitedEventDetails        *StateExitedDetails      `json:"stateExitedEventDetails,omitempty"`
	EvaluationFailedEventDetails   *EvaluationFailedDetails `json:"evaluationFailedEventDetails,omitempty"`

	TaskScheduledEventDetails *TaskScheduledDetails `json:"taskScheduledEventDetails,omitempty"`
	TaskStartedEventDetails   *TaskDetails          `json:"taskStartedEventDetails,omitempty"`
	TaskSucceededEventDetails *TaskDetails          `json:"taskSucceededEventDetails,omitempty"`
	TaskFailedEventDetails    *TaskDetails          `json:"taskFailedEventDetails,omitempty"`
	TaskTimedOutEventDetails  *TaskDetails          `json:"taskTimedOutEventDetails,omitempty"`

	LambdaFunctionScheduledEventDetails *LambdaScheduledDetails `json:"lambdaFunctionScheduledEventDetails,omitempty"`
	LambdaFunctionSucceededEventDetails *OutputDetails          `json:"lambdaFunctionSucceededEventDetails,omitempty"`
	LambdaFunctionFailedEventDetails    *FailureDetails         `json:"lambdaFunctionFailedEventDetails,omitempty"`
	LambdaFunctionTimedOutEventDetails  *FailureDetails         `json:"lambdaFunctionTimedOutEventDetails,omitempty"`

	ActivityScheduledEventDetails *ActivityScheduledDetails `json:"activityScheduledEventDetails,omitempty"`
	ActivityStartedEventDetails   *ActivityStartedDetails   `json:"activityStartedEventDetails,omitempty"`
	ActivitySucceededEventDetails *OutputDetails            `json:"activitySucceededEventDetails,omitempty"`
	ActivityFailedEventDetails    *FailureDetails           `json:"activityFailedEventDetails,omitempty"`
	ActivityTimedOutEventDetails  *FailureDetails           `json:"activityTimedOutEventDetails,omitempty"`

	MapStateStartedEventDetails       *MapStateStartedDetails `json:"mapStateStartedEventDetails,omitempty"`
	MapIterationStartedEventDetails   *MapIterationDetails    `json:"mapIterationStartedEventDetails,omitempty"`
	MapIterationSucceededEventDetails *MapIterationDetails    `json:"mapIterationSucceededEventDetails,omitempty"`
	MapIterationFailedEventDetails    *MapIterationDetails    `json:"mapIterationFailedEventDetails,omitempty"`
	MapIterationAbortedEventDetails   *MapIterationDetails    `json:"mapIterationAbortedEventDetails,omitempty"`

	MapRunStartedEventDetails *MapRunStartedDetails `json:"mapRunStartedEventDetails,omitempty"`
	MapRunFailedEventDetails  *FailureDetails       `json:"mapRunFailedEventDetails,omitempty"`
}

// clearDetails unsets the details fields that are set. Writing only
// those spares the rest the write barriers a whole assignment takes
// while the garbage collector runs (emitFrom reuses one Event).
func (e *Event) clearDetails() {
	if e.ExecutionStartedEventDetails != nil {
		e.ExecutionStartedEventDetails = nil
	}
	if e.ExecutionSucceededEventDetails != nil {
		e.ExecutionSucceededEventDetails = nil
	}
	if e.ExecutionFailedEventDetails != nil {
		e.ExecutionFailedEventDetails = nil
	}
	if e.ExecutionTimedOutEventDetails != nil {
		e.ExecutionTimedOutEventDetails = nil
	}
	if e.ExecutionAbortedEventDetails != nil {
		e.ExecutionAbortedEventDetails = nil
	}
	if e.StateEnteredEventDetails != nil {
		e.StateEnteredEventDetails = nil
	}
	if e.StateExitedEventDetails != nil {
		e.StateExitedEventDetails = nil
	}
	if e.EvaluationFailedEventDetails != nil {
		e.EvaluationFailedEventDetails = nil
	}
	if e.TaskScheduledEventDetails != nil {
		e.TaskScheduledEventDetails = nil
	}
	if e.TaskStartedEventDetails != nil {
		e.TaskStartedEventDetails = nil
	}
	if e.TaskSucceededEventDetails != nil {
		e.TaskSucceededEventDetails = nil
	}
	if e.TaskFailedEventDetails != nil {
		e.TaskFailedEventDetails = nil
	}
	if e.TaskTimedOutEventDetails != nil {
		e.TaskTimedOutEventDetails = nil
	}
	if e.LambdaFunctionScheduledEventDetails != nil {
		e.LambdaFunctionScheduledEventDetails = nil
	}
	if e.LambdaFunctionSucceededEventDetails != nil {
		e.LambdaFunctionSucceededEventDetails = nil
	}
	if e.LambdaFunctionFailedEventDetails != nil {
		e.LambdaFunctionFailedEventDetails = nil
	}
	if e.LambdaFunctionTimedOutEventDetails != nil {
		e.LambdaFunctionTimedOutEventDetails = nil
	}
	if e.ActivityScheduledEventDetails != nil {
		e.ActivityScheduledEventDetails = nil
	}
	if e.ActivityStartedEventDetails != nil {
		e.ActivityStartedEventDetails = nil
	}
	if e.ActivitySucceededEventDetails != nil {
		e.ActivitySucceededEventDetails = nil
	}
	if e.ActivityFailedEventDetails != nil {
		e.ActivityFailedEventDetails = nil
	}
	if e.ActivityTimedOutEventDetails != nil {
		e.ActivityTimedOutEventDetails = nil
	}
	if e.MapStateStartedEventDetails != nil {
		e.MapStateStartedEventDetails = nil
	}
	if e.MapIterationStartedEventDetails != nil {
		e.MapIterationStartedEventDetails = nil
	}
	if e.MapIterationSucceededEventDetails != nil {
		e.MapIterationSucceededEventDetails = nil
	}
	if e.MapIterationFailedEventDetails != nil {
		e.MapIterationFailedEventDetails = nil
	}
	if e.MapIterationAbortedEventDetails != nil {
		e.MapIterationAbortedEventDetails = nil
	}
	if e.MapRunStartedEventDetails != nil {
		e.MapRunStartedEventDetails = nil
	}
	if e.MapRunFailedEventDetails != nil {
		e.MapRunFailedEventDetails = nil
	}
}

// ExecutionStartedDetails are the details of ExecutionStarted.
type ExecutionStartedDetails struct {
	Input        string      `json:"input"`
	InputDetails DataDetails `json:"inputDetails"`
	RoleArn      string      `json:"roleArn,omitempty"`
}

// DataDetails say whether an event's input, output or assigned variables
// were cut short (never, here: payloads are at most 256 KiB).
type DataDetails struct {
	Truncated bool `json:"truncated"`
}

// OutputDetails carry an output JSON text.
type OutputDetails struct {
	Output        string      `json:"output"`
	OutputDetails DataDetails `json:"outputDetails"`
}

// FailureDetails carry an error name and cause.
type FailureDetails struct {
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// StateEnteredDetails are the details of the …StateEntered events.
type StateEnteredDetails struct {
	Name         string      `json:"name"`
	Input        string      `json:"input"`
	InputDetails DataDetails `json:"inputDetails"`
}

// StateExitedDetails are the details of the …StateExited events.
type StateExitedDetails struct {
	Name          string      `json:"name"`
	Output        string      `json:"output"`
	OutputDetails DataDetails `json:"outputDetails"`
	// AssignedVariables holds the variables the state assigned, each as
	// its JSON text (absent when it assigned none).
	AssignedVariables        map[string]string `json:"assignedVariables,omitempty"`
	AssignedVariablesDetails *DataDetails      `json:"assignedVariablesDetails,omitempty"`
}

// EvaluationFailedDetails are the details of EvaluationFailed: a JSONata
// expression of State's field Location failed.
type EvaluationFailedDetails struct {
	Error    string `json:"error,omitempty"`
	Cause    string `json:"cause,omitempty"`
	Location string `json:"location,omitempty"`
	State    string `json:"state"`
}

// TaskScheduledDetails are the details of TaskScheduled.
type TaskScheduledDetails struct {
	ResourceType       string `json:"resourceType"`
	Resource           string `json:"resource"`
	Region             string `json:"region"`
	Parameters         string `json:"parameters"`
	TimeoutInSeconds   int64  `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds int64  `json:"heartbeatInSeconds,omitempty"`
}

// TaskDetails are the details of TaskStarted/Succeeded/Failed/TimedOut.
type TaskDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
	Output       string `json:"output,omitempty"`
	// OutputDetails is set with Output (TaskSucceeded).
	OutputDetails *DataDetails `json:"outputDetails,omitempty"`
	Error         string       `json:"error,omitempty"`
	Cause         string       `json:"cause,omitempty"`
}

// LambdaScheduledDetails are the details of LambdaFunctionScheduled.
type LambdaScheduledDetails struct {
	Resource         string      `json:"resource"`
	Input            string      `json:"input"`
	InputDetails     DataDetails `json:"inputDetails"`
	TimeoutInSeconds int64       `json:"timeoutInSeconds,omitempty"`
}

// ActivityScheduledDetails are the details of ActivityScheduled.
type ActivityScheduledDetails struct {
	Resource           string      `json:"resource"`
	Input              string      `json:"input"`
	InputDetails       DataDetails `json:"inputDetails"`
	TimeoutInSeconds   int64       `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds int64       `json:"heartbeatInSeconds,omitempty"`
}

// ActivityStartedDetails are the details of ActivityStarted.
type ActivityStartedDetails struct {
	WorkerName string `json:"workerName,omitempty"`
}

// MapStateStartedDetails are the details of MapStateStarted.
type MapStateStartedDetails struct {
	Length int `json:"length"`
}

// MapRunStartedDetails are the details of MapRunStarted: the map run a
// distributed Map state started.
type MapRunStartedDetails struct {
	MapRunArn string `json:"mapRunArn"`
}

// MapIterationDetails are the details of the MapIteration… events.
type MapIterationDetails struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}
