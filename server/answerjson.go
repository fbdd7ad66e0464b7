package server

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/hsc-dev/hsc/asl"
)

// Answers that every execution's client asks for (StartExecution, and
// DescribeExecution polled until the execution ends) write their JSON
// themselves: the bytes json.Marshal writes for them (checked by
// TestAnswerJSONIsMarshal), without reflection.

// jsonAppender is an answer that appends its own JSON.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// encodeAnswer is an answer's JSON body.
func encodeAnswer(out any) ([]byte, error) {
	if a, ok := out.(jsonAppender); ok {
		return a.appendJSON(make([]byte, 0, 512)), nil
	}
	return json.Marshal(out)
}

func (o *startExecutionOutput) appendJSON(b []byte) []byte {
	b = appendStringMember(b, '{', "executionArn", o.ExecutionArn)
	b = appendEpochMember(b, "startDate", o.StartDate)
	return append(b, '}')
}

func (o *describeExecutionOutput) appendJSON(b []byte) []byte {
	b = appendStringMember(b, '{', "executionArn", o.ExecutionArn)
	b = appendStringMember(b, ',', "stateMachineArn", o.StateMachineArn)
	b = appendStringMember(b, ',', "name", o.Name)
	b = appendStringMember(b, ',', "status", o.Status)
	b = appendEpochMember(b, "startDate", o.StartDate)
	if o.StopDate != nil {
		b = appendEpochMember(b, "stopDate", o.StopDate)
	}
	if o.Input != nil {
		b = appendStringMember(b, ',', "input", *o.Input)
	}
	b = appendDetailsMember(b, "inputDetails", o.InputDetails)
	if o.Output != nil {
		b = appendStringMember(b, ',', "output", *o.Output)
	}
	if o.OutputDetails != nil {
		b = appendDetailsMember(b, "outputDetails", *o.OutputDetails)
	}
	if o.Error != nil {
		b = appendStringMember(b, ',', "error", *o.Error)
	}
	if o.Cause != nil {
		b = appendStringMember(b, ',', "cause", *o.Cause)
	}
	if o.TraceHeader != nil {
		b = appendStringMember(b, ',', "traceHeader", *o.TraceHeader)
	}
	if o.StateMachineVersionArn != "" {
		b = appendStringMember(b, ',', "stateMachineVersionArn", o.StateMachineVersionArn)
	}
	if o.StateMachineAliasArn != "" {
		b = appendStringMember(b, ',', "stateMachineAliasArn", o.StateMachineAliasArn)
	}
	b = append(b, `,"redriveCount":`...)
	b = strconv.AppendInt(b, int64(o.RedriveCount), 10)
	if o.RedriveDate != nil {
		b = appendEpochMember(b, "redriveDate", o.RedriveDate)
	}
	b = appendStringMember(b, ',', "redriveStatus", o.RedriveStatus)
	if o.RedriveStatusReason != "" {
		b = appendStringMember(b, ',', "redriveStatusReason", o.RedriveStatusReason)
	}
	if o.MapRunArn != "" {
		b = appendStringMember(b, ',', "mapRunArn", o.MapRunArn)
	}
	return append(b, '}')
}

// appendStringMember appends sep, the key (which needs no escaping) and
// s as encoding/json writes a string.
func appendStringMember(b []byte, sep byte, key, s string) []byte {
	b = append(b, sep, '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return asl.AppendMarshalString(b, s)
}

// appendEpochMember appends a timestamp member (null when t is nil).
func appendEpochMember(b []byte, key string, t *epoch) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	if t == nil {
		return append(b, "null"...)
	}
	return appendEpoch(b, time.Time(*t).UnixMilli())
}

func appendDetailsMember(b []byte, key string, d dataDetails) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, `":{"included":`...)
	b = strconv.AppendBool(b, d.Included)
	return append(b, '}')
}
