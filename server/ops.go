package server

import (
	"context"
	"net/http"

	"github.com/hsc-dev/hsc/server/internal/apimodel"
)

// operations binds every operation of the model to its handler; those not
// built yet answer that they are not implemented.
func (s *Server) operations() map[string]operation {
	h := map[string]func(context.Context, *request) (any, error){
		"CreateStateMachine":               handle(s.createStateMachine),
		"DescribeStateMachine":             handle(s.describeStateMachine),
		"UpdateStateMachine":               handle(s.updateStateMachine),
		"DeleteStateMachine":               handle(s.deleteStateMachine),
		"ListStateMachines":                handle(s.listStateMachines),
		"ValidateStateMachineDefinition":   handle(s.validateStateMachineDefinition),
		"CreateActivity":                   handle(s.createActivity),
		"DescribeActivity":                 handle(s.describeActivity),
		"DeleteActivity":                   handle(s.deleteActivity),
		"ListActivities":                   handle(s.listActivities),
		"GetActivityTask":                  handle(s.getActivityTask),
		"SendTaskSuccess":                  handle(s.sendTaskSuccess),
		"SendTaskFailure":                  handle(s.sendTaskFailure),
		"SendTaskHeartbeat":                handle(s.sendTaskHeartbeat),
		"TagResource":                      handle(s.tagResource),
		"UntagResource":                    handle(s.untagResource),
		"ListTagsForResource":              handle(s.listTagsForResource),
		"StartExecution":                   handle(s.startExecution),
		"DescribeExecution":                handle(s.describeExecution),
		"StopExecution":                    handle(s.stopExecution),
		"RedriveExecution":                 handle(s.redriveExecution),
		"ListExecutions":                   handle(s.listExecutions),
		"GetExecutionHistory":              handle(s.getExecutionHistory),
		"DescribeStateMachineForExecution": handle(s.describeStateMachineForExecution),
		"DescribeMapRun":                   handle(s.describeMapRun),
		"UpdateMapRun":                     handle(s.updateMapRun),
		"ListMapRuns":                      handle(s.listMapRuns),
		"TestState":                        handle(s.testState),
		"StartSyncExecution":               handle(s.startSyncExecution),
		"PublishStateMachineVersion":       handle(s.publishStateMachineVersion),
		"ListStateMachineVersions":         handle(s.listStateMachineVersions),
		"DeleteStateMachineVersion":        handle(s.deleteStateMachineVersion),
		"CreateStateMachineAlias":          handle(s.createStateMachineAlias),
		"DescribeStateMachineAlias":        handle(s.describeStateMachineAlias),
		"UpdateStateMachineAlias":          handle(s.updateStateMachineAlias),
		"DeleteStateMachineAlias":          handle(s.deleteStateMachineAlias),
		"ListStateMachineAliases":          handle(s.listStateMachineAliases),
	}
	ops := map[string]operation{}
	for _, name := range apimodel.Operations() {
		m, _ := apimodel.Lookup(name)
		f, ok := h[name]
		if !ok {
			f = notImplemented(name)
		}
		ops[name] = operation{model: m, handler: f}
	}
	return ops
}

func notImplemented(name string) func(context.Context, *request) (any, error) {
	return func(context.Context, *request) (any, error) {
		return nil, &APIError{Code: "UnknownOperationException", Message: "hsc serve does not implement " + name + " yet.", Status: http.StatusBadRequest}
	}
}
