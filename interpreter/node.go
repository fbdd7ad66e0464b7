package interpreter

import (
	"context"
	"strings"
	"time"
)

// Machine is a compiled state machine, ready to run any number of
// executions, concurrently if wished. Build one with Compile.
type Machine struct {
	root    *stateMachine
	timeout time.Duration // TimeoutSeconds of the machine; 0: none
}

// stateMachine is a set of states with a start: the top level, a Parallel
// branch, or a Map item processor.
type stateMachine struct {
	start  int
	states []node
	index  map[string]int
	// cpuOnly is set when no state can block (no Task, Wait, Parallel or
	// Map): running more of them at once than there are CPUs gains nothing.
	cpuOnly bool
}

type stateType uint8

const (
	typePass stateType = iota
	typeTask
	typeChoice
	typeWait
	typeSucceed
	typeFail
	typeParallel
	typeMap
)

func (t stateType) String() string {
	return [...]string{"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}[t]
}

// node is one compiled state. The compiler turns each state of the
// definition into the node type of its kind (passNode, taskNode, ...);
// running a state is a call of run.
type node interface {
	info() *stateInfo
	// run runs the state on its input and returns its output and the
	// index of the next state (-1: the end of its state machine).
	run(ctx context.Context, x *execution, sc *scope, in any) (out any, next int, err *ExecutionError)
}

// stateInfo is what every node has.
type stateInfo struct {
	name    string
	typ     stateType
	next    int // -1: End
	jsonata bool
	// readsContext is set when the state may read the context object
	// (whose State.EnteredTime needs the clock read on entry).
	readsContext bool
	// entered and exited are the history event types, such as
	// "PassStateEntered"; failed is "ParallelStateFailed" or
	// "MapStateFailed" for those states, which AWS records once their
	// Retry has given up.
	entered, exited, failed string
}

func (s *stateInfo) info() *stateInfo { return s }

// queryIO is a state's input and output processing in its query language:
// jsonPathIO (InputPath, Parameters, ResultSelector, ResultPath,
// OutputPath, Assign) or jsonataIO (Arguments, Output, Assign).
type queryIO interface {
	// input returns the effective input: the state input after InputPath.
	input(sc *scope, raw any) (any, *ExecutionError)
	// payload returns what the state works on: Parameters (or a Pass
	// state's Result) of the effective input, or Arguments; and a bound
	// on its JSON size (-1: unknown).
	payload(sc *scope, raw, eff any) (any, int, *ExecutionError)
	// selectResult applies ResultSelector to a Task, Parallel or Map
	// result.
	selectResult(sc *scope, res any) (any, *ExecutionError)
	// finish evaluates Assign, builds the state output (ResultPath and
	// OutputPath, or Output) and sets the variables.
	finish(sc *scope, f frame) (any, *ExecutionError)
	// caught builds the output of a caught error with the catcher's
	// ResultPath or Output and sets its variables.
	caught(sc *scope, raw any, c *catcher, errOut *Object) (any, *ExecutionError)
}

// frame is one run of a state as finish sees it.
type frame struct {
	raw any // the state input
	res any // the result: of the work, of Parameters/Result, or the effective input
	// resSize bounds the JSON size of res; -1: unknown.
	resSize int
	// hasRes is set for states whose result JSONata sees as
	// $states.result (Task, Parallel, Map).
	hasRes bool
	// rule is the matched rule of a Choice state; its Assign (and, in
	// JSONata, Output) replaces the state's.
	rule *choiceRule
}

// runMachine runs sm from its start state to an end. inSize bounds the
// JSON size of input (-1: unknown).
func (x *execution) runMachine(ctx context.Context, sm *stateMachine, input any, sc *scope, inSize int) (any, *ExecutionError) {
	cur := sm.start
	// The execution's own context is checked through its Err, an atomic
	// load; a branch's (Parallel, Map), which can end on its own, on its
	// channel.
	var done <-chan struct{}
	if ctx != x.ctx {
		done = ctx.Done()
	}
	sc.outSize = inSize
	// Each state's input is the output of the state before it: its
	// JSON text is the one the previous ...StateExited recorded.
	var inJSON string
	if r := sc.scratch; r != nil {
		inJSON = r.inJSON
		r.inJSON, r.outJSON = "", ""
	}
	for {
		if x.ctx.Err() != nil {
			return nil, x.ctxError(ctx)
		}
		if done != nil {
			select {
			case <-done:
				return nil, x.ctxError(ctx)
			default:
			}
		}
		if x.deadlinePassed() {
			return nil, x.ctxError(ctx)
		}
		n := sm.states[cur]
		st := n.info()
		sc.enter(st.name, st.typ, st.readsContext)
		sc.enteredPrev = sc.lastEvent
		var det *stateDetails
		if x.record {
			x.emit(sc, st.entered, func(e *Event) {
				if inJSON == "" {
					inJSON = sc.encode(input)
				}
				det = &stateDetails{entered: StateEnteredDetails{Name: st.name, Input: inJSON}}
				e.StateEnteredEventDetails = &det.entered
			})
		} else {
			// x.count(sc), which does not inline.
			if sc.lastEvent = x.nEvents.Add(1); sc.lastEvent > x.eventCap {
				x.eventLimit()
			}
		}
		sc.enteredEvent = sc.lastEvent
		sc.inSize = sc.outSize
		out, next, err := n.run(ctx, x, sc, input)
		if err != nil {
			x.evaluationFailed(sc, st, err)
			return nil, err
		}
		var outJSON string
		if x.record {
			x.emit(sc, st.exited, func(e *Event) {
				outJSON = sc.encode(out)
				if det == nil { // the entry was replayed
					det = new(stateDetails)
				}
				det.exited = StateExitedDetails{Name: st.name, Output: outJSON}
				e.StateExitedEventDetails = &det.exited
				if a := sc.assigned; a != nil {
					// Each variable as its JSON text, as AWS records them.
					vars := make(map[string]string, a.Len())
					for _, m := range a.m {
						vars[m.k] = encodeJSON(m.v)
					}
					e.StateExitedEventDetails.AssignedVariables = vars
					e.StateExitedEventDetails.AssignedVariablesDetails = &DataDetails{}
				}
			})
		} else {
			if sc.lastEvent = x.nEvents.Add(1); sc.lastEvent > x.eventCap {
				x.eventLimit()
			}
		}
		if next < 0 {
			if outJSON != "" { // encoded in the scope's room
				sc.scratch.outJSON = outJSON
			}
			return out, nil
		}
		input, cur, inJSON = out, next, outJSON
	}
}

// stateDetails are the details of a state's ...StateEntered and
// ...StateExited events, allocated together.
type stateDetails struct {
	entered StateEnteredDetails
	exited  StateExitedDetails
}

// evaluationFailed records AWS's EvaluationFailed event for a JSONata
// (States.QueryEvaluationError) failure of the current state itself, once.
// As recorded on AWS, it follows the event before the state's entry, or
// for a Wait state (whose Timestamp or Seconds is evaluated after the
// entry) the entry itself.
func (x *execution) evaluationFailed(sc *scope, st *stateInfo, err *ExecutionError) {
	if err.Name != ErrQueryEvaluation || err.fromBranch || err.fromTask || err.reported {
		return
	}
	err.reported = true
	prev := sc.enteredPrev
	if st.typ == typeWait {
		prev = sc.enteredEvent
	}
	x.emitFrom(sc, "EvaluationFailed", prev, true, func(e *Event) {
		e.EvaluationFailedEventDetails = &EvaluationFailedDetails{Error: err.Name, Cause: err.Cause,
			Location: evaluationLocation(err.Cause), State: st.name}
	})
}

// evaluationLocation is the field a QueryEvaluationError's cause names:
// "... specified for the field 'Output/x' ..." names Output, "The Timestamp
// field cannot be parsed ..." Timestamp.
func evaluationLocation(cause string) string {
	if _, rest, ok := strings.Cut(cause, "specified for the field '"); ok {
		if i := strings.IndexAny(rest, "/'"); i >= 0 {
			return rest[:i]
		}
	}
	if _, rest, ok := strings.Cut(cause, "). The "); ok {
		if f, _, ok := strings.Cut(rest, " field "); ok && !strings.Contains(f, " ") {
			return f
		}
	}
	return ""
}
