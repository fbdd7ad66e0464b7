package interpreter

import (
	"slices"
	"strconv"
	"unicode/utf8"
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
			b = append(appendMarshalString(b, k), ':')
			b = appendMarshalString(b, d.AssignedVariables[k])
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
	return appendMarshalString(jsonKey(b, k), v)
}

func jsonStringMemberOmitEmpty(b []byte, k, v string) []byte {
	if v == "" {
		return b
	}
	return appendMarshalString(jsonKey(b, k), v)
}

func jsonIntMemberOmitEmpty(b []byte, k string, v int64) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(jsonKey(b, k), v, 10)
}

// appendMarshalString appends s as a JSON string as encoding/json's
// Marshal writes it: HTML-escaped (<, > and & as \u003c, \u003e, \u0026),
// U+2028 and U+2029 escaped, invalid UTF-8 as \ufffd. (asl.AppendString,
// the runtime values' form, escapes neither HTML nor those two.)
func appendMarshalString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
