// Package interpreter executes Amazon States Language state machines
// in-process: it compiles a definition into an executable form and runs
// executions of it, with the data flow (InputPath, Parameters, ResultSelector,
// ResultPath, OutputPath, or JSONata's Arguments and Output), variables,
// paths, intrinsic functions, the context object, Retry/Catch and the
// execution history that AWS Step Functions documents.
//
// # Shape
//
// The asl package reads a definition (asl.Parse) into its typed model;
// the interpreter never parses definition text itself. CompileASL turns
// each state of the model into one node of its kind (passNode, taskNode,
// choiceNode, waitNode, failNode, succeedNode, parallelNode, mapNode),
// converting payload templates into the runtime value model once, and
// gives each node its query language's input and output processing as a
// strategy (jsonPathIO or jsonataIO). A definition the interpreter cannot
// run is a *DefinitionError naming the field by JSON pointer and
// line:column; one that is valid but uses a feature not run locally
// (JSONata user-defined functions) has Unsupported
// set and wraps an *UnsupportedError. The files follow the concerns:
// compile.go, node.go, states.go (Pass, Succeed, Fail, Wait, Choice),
// taskstate.go, parallel.go, map.go, distmap.go (a distributed Map: its
// map run of child executions, ResultWriter), itemreader.go (ItemReader
// formats; itemreader_parquet.go and its guard for Parquet), maprun.go
// (MapRun, what callers see of a map run), retry.go,
// io_jsonpath.go, io_jsonata.go, scope.go (context object and variables),
// execution.go (Run, events, limits), resume.go (resume and redrive)
// and options.go.
//
// # History
//
// The events are those AWS records, with its ids and previousEventIds:
// each event follows the event that led to it (the first state follows
// event 0, not ExecutionStarted; a Parallel branch or Map iteration
// counts from ParallelStateStarted or the iteration before it; the state
// goes on from the last branch event or the last MapIterationSucceeded),
// with inputDetails/outputDetails, a StateExited's assignedVariables, an
// EvaluationFailed event for a JSONata failure and one
// ParallelStateFailed or MapStateFailed once Retry has given up.
// TestAWSRecordedHistories compares them with the 40 histories recorded
// on AWS in ../shared/aws/history after localstack's normalization. A
// distributed Map records MapStateStarted, MapRunStarted and
// MapRunSucceeded or MapRunFailed, as AWS does; its children are
// executions of their own, whose events go to MapRun.SetChildHook.
//
// # Limits
//
// As on AWS, an execution fails with States.Runtime when its history
// reaches 25,000 events (WithMaxEvents changes or lifts the limit; events
// are counted whether or not they are recorded), and every state's
// output, Parameters or Arguments result and assigned variables are held
// to 256 KiB (States.DataLimitExceeded). Intrinsic functions and JSONata
// expressions check the size of a string or array before building it and
// fail the same way. WithEventHook streams events without keeping them;
// only WithHistory keeps them.
//
// # Time
//
// Wait states, retry intervals and the execution timeout (the machine's
// TimeoutSeconds, or WithTimeout) run on the execution's Clock: under a
// VirtualClock a 10 s Wait under a 5 s timeout times the execution out at
// virtual second 5, as real time would. Virtual time does not move while
// a task's resolver (a command, say) runs: its real duration is not
// added, so outputs and histories stay reproducible. The time a task
// really takes is bounded in real time instead: the task's TimeoutSeconds
// and HeartbeatSeconds, and the execution timeout, also run as real-time
// timers while it runs (a clock with timers, a TimerClock, runs the task
// timers instead). An execution therefore times out when its waits pass
// the timeout on the clock or its real running time does.
//
// # Resume and redrive
//
// With WithResumable each event gets a Key naming its place in the
// execution (its scope: the top level, a Parallel branch or a Map
// iteration, and its position there), independent of how branches and
// iterations interleave. WithResume runs an execution again over its
// recorded history as an oracle: recorded events are not emitted again,
// recorded task outcomes are returned without calling the resolver,
// sleeps whose end is recorded are skipped and a sleep cut short ends at
// its original deadline; each scope goes live where its record ends. An
// ExecutionRedriven event in the history makes the run a redrive: what
// did not finish runs again from the failed state, finished branches and
// iterations do not. resume.go holds the details and what replay does not
// reproduce (clock and random values computed during replay).
//
// # Boundaries
//
// The package owns the JSON value model it runs on (built with asl's JSON
// Scanner, so values are read by the same rules as definitions), the
// evaluators of asl's path and intrinsic-function trees, the clock
// abstraction and the TaskResolver interface through which Task states
// reach the outside world. It must not know about the Heaviside DSL, the
// command line, or AWS clients: callers supply definitions as JSON or as
// an asl model, and tasks as resolvers. Validating definitions as AWS does
// is the asl package's job; the interpreter only rejects what it cannot
// run. A definition asl.Validate accepts always compiles, except one using
// a feature the interpreter does not run locally (an *UnsupportedError
// inside the *DefinitionError).
package interpreter
