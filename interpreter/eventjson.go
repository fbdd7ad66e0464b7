package interpreter

import (
	"slices"
	"strconv"

	"github.com/hsc-dev/hsc/asl"
)

// AppendDetailsJSON appends the event's details members to b, the inside
// of a JSON object being written: for each details field that is set, in
// the order of Event's fields, a comma (unless b is empty or ends with
// '{'), its JSON
// key and its value. The bytes are those encoding/json's Marshal writes
// for the same fields (strings HTML-escaped, empty members omitted as
// their tags say, map keys sorted), without reflection: a server writing
// GetExecutionHistory encodes each event as it is recorded.
func (e *Event) AppendDetailsJSON(b []byte) []byte {
	if d := e.ExecutionStartedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "executionStartedEventDetails"))
	}
	if d := e.ExecutionSucceededEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "executionSucceededEventDetails"))
	}
	if d := e.ExecutionFailedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "executionFailedEventDetails"))
	}
	if d := e.ExecutionTimedOutEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "executionTimedOutEventDetails"))
	}
	if d := e.ExecutionAbortedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "executionAbortedEventDetails"))
	}
	if d := e.StateEnteredEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "stateEnteredEventDetails"))
	}
	if d := e.StateExitedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "stateExitedEventDetails"))
	}
	if d := e.EvaluationFailedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "evaluationFailedEventDetails"))
	}
	if d := e.TaskScheduledEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "taskScheduledEventDetails"))
	}
	if d := e.TaskStartedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "taskStartedEventDetails"))
	}
	if d := e.TaskSucceededEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "taskSucceededEventDetails"))
	}
	if d := e.TaskFailedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "taskFailedEventDetails"))
	}
	if d := e.TaskTimedOutEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "taskTimedOutEventDetails"))
	}
	if d := e.LambdaFunctionScheduledEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "lambdaFunctionScheduledEventDetails"))
	}
	if d := e.LambdaFunctionSucceededEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "lambdaFunctionSucceededEventDetails"))
	}
	if d := e.LambdaFunctionFailedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "lambdaFunctionFailedEventDetails"))
	}
	if d := e.LambdaFunctionTimedOutEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "lambdaFunctionTimedOutEventDetails"))
	}
	if d := e.ActivityScheduledEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "activityScheduledEventDetails"))
	}
	if d := e.ActivityStartedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "activityStartedEventDetails"))
	}
	if d := e.ActivitySucceededEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "activitySucceededEventDetails"))
	}
	if d := e.ActivityFailedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "activityFailedEventDetails"))
	}
	if d := e.ActivityTimedOutEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "activityTimedOutEventDetails"))
	}
	if d := e.MapStateStartedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "mapStateStartedEventDetails"))
	}
	if d := e.MapIterationStartedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "mapIterationStartedEventDetails"))
	}
	if d := e.MapIterationSucceededEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "mapIterationSucceededEventDetails"))
	}
	if d := e.MapIterationFailedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "mapIterationFailedEventDetails"))
	}
	if d := e.MapIterationAbortedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "mapIterationAbortedEventDetails"))
	}
	if d := e.MapRunStartedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "mapRunStartedEventDetails"))
	}
	if d := e.MapRunFailedEventDetails; d != nil {
		b = d.appendJSON(jsonKey(b, "mapRunFailedEventDetails"))
	}
	return b
}

func (d *ExecutionStartedDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMember(b, "input", d.Input)
	b = d.InputDetails.appendJSON(jsonKey(b, "inputDetails"))
	b = jsonStringMemberOmitEmpty(b, "roleArn", d.RoleArn)
	return append(b, '}')
}

func (d *DataDetails) appendJSON(b []byte) []byte {
	if d.Truncated {
		return append(b, `{"truncated":true}`...)
	}
	return append(b, `{"truncated":false}`...)
}

func (d *OutputDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMember(b, "output", d.Output)
	b = d.OutputDetails.appendJSON(jsonKey(b, "outputDetails"))
	return append(b, '}')
}

func (d *FailureDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMemberOmitEmpty(b, "error", d.Error)
	b = jsonStringMemberOmitEmpty(b, "cause", d.Cause)
	return append(b, '}')
}

func (d *StateEnteredDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMember(b, "name", d.Name)
	b = jsonStringMember(b, "input", d.Input)
	b = d.InputDetails.appendJSON(jsonKey(b, "inputDetails"))
	return append(b, '}')
}

func (d *StateExitedDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMember(b, "name", d.Name)
	b = jsonStringMember(b, "output", d.Output)
	b = d.OutputDetails.appendJSON(jsonKey(b, "outputDetails"))
	if len(d.AssignedVariables) > 0 {
		b = append(jsonKey(b, "assignedVariables"), '{')
		keys := make([]string, 0, len(d.AssignedVariables))
		for k := range d.AssignedVariables {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(asl.AppendMarshalString(b, k), ':')
			b = asl.AppendMarshalString(b, d.AssignedVariables[k])
		}
		b = append(b, '}')
	}
	if d.AssignedVariablesDetails != nil {
		b = d.AssignedVariablesDetails.appendJSON(jsonKey(b, "assignedVariablesDetails"))
	}
	return append(b, '}')
}

func (d *EvaluationFailedDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMemberOmitEmpty(b, "error", d.Error)
	b = jsonStringMemberOmitEmpty(b, "cause", d.Cause)
	b = jsonStringMemberOmitEmpty(b, "location", d.Location)
	b = jsonStringMember(b, "state", d.State)
	return append(b, '}')
}

func (d *TaskScheduledDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMember(b, "resourceType", d.ResourceType)
	b = jsonStringMember(b, "resource", d.Resource)
	b = jsonStringMember(b, "region", d.Region)
	b = jsonStringMember(b, "parameters", d.Parameters)
	b = jsonIntMemberOmitEmpty(b, "timeoutInSeconds", d.TimeoutInSeconds)
	b = jsonIntMemberOmitEmpty(b, "heartbeatInSeconds", d.HeartbeatInSeconds)
	return append(b, '}')
}

func (d *TaskDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMember(b, "resourceType", d.ResourceType)
	b = jsonStringMember(b, "resource", d.Resource)
	b = jsonStringMemberOmitEmpty(b, "output", d.Output)
	if d.OutputDetails != nil {
		b = d.OutputDetails.appendJSON(jsonKey(b, "outputDetails"))
	}
	b = jsonStringMemberOmitEmpty(b, "error", d.Error)
	b = jsonStringMemberOmitEmpty(b, "cause", d.Cause)
	return append(b, '}')
}

func (d *LambdaScheduledDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMember(b, "resource", d.Resource)
	b = jsonStringMember(b, "input", d.Input)
	b = d.InputDetails.appendJSON(jsonKey(b, "inputDetails"))
	b = jsonIntMemberOmitEmpty(b, "timeoutInSeconds", d.TimeoutInSeconds)
	return append(b, '}')
}

func (d *ActivityScheduledDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMember(b, "resource", d.Resource)
	b = jsonStringMember(b, "input", d.Input)
	b = d.InputDetails.appendJSON(jsonKey(b, "inputDetails"))
	b = jsonIntMemberOmitEmpty(b, "timeoutInSeconds", d.TimeoutInSeconds)
	b = jsonIntMemberOmitEmpty(b, "heartbeatInSeconds", d.HeartbeatInSeconds)
	return append(b, '}')
}

func (d *ActivityStartedDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMemberOmitEmpty(b, "workerName", d.WorkerName)
	return append(b, '}')
}

func (d *MapStateStartedDetails) appendJSON(b []byte) []byte {
	b = append(jsonKey(append(b, '{'), "length"), strconv.Itoa(d.Length)...)
	return append(b, '}')
}

func (d *MapRunStartedDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMember(b, "mapRunArn", d.MapRunArn)
	return append(b, '}')
}

func (d *MapIterationDetails) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonStringMember(b, "name", d.Name)
	b = strconv.AppendInt(jsonKey(b, "index"), int64(d.Index), 10)
	return append(b, '}')
}

// jsonKey appends a member's key (which needs no escaping) and colon,
// after a comma unless the member is the object's first.
func jsonKey(b []byte, k string) []byte {
	if len(b) > 0 && b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

func jsonStringMember(b []byte, k, v string) []byte {
	return asl.AppendMarshalString(jsonKey(b, k), v)
}

func jsonStringMemberOmitEmpty(b []byte, k, v string) []byte {
	if v == "" {
		return b
	}
	return asl.AppendMarshalString(jsonKey(b, k), v)
}

func jsonIntMemberOmitEmpty(b []byte, k string, v int64) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(jsonKey(b, k), v, 10)
}
