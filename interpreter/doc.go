// Package interpreter executes Amazon States Language state machines
// in-process: it compiles a definition (JSON) into an executable form and runs
// executions of it, with the data flow (InputPath, Parameters, ResultSelector,
// ResultPath, OutputPath), paths, intrinsic functions, the context object,
// Retry/Catch and the execution history that AWS Step Functions documents.
//
// The package owns the JSON value model it runs on (built with asl's JSON
// Scanner, so values are read by the same rules as definitions), the
// evaluators of asl's path and intrinsic-function trees, the clock abstraction (real time by default, virtual time in
// tests) and the TaskResolver interface through which Task states reach the
// outside world. It must not know about the Heaviside DSL, the command line,
// or AWS clients: callers supply definitions as JSON (or as an asl model)
// and tasks as resolvers. Validating definitions as AWS does is the asl
// package's job; the interpreter only rejects what it cannot run. A
// definition asl.Validate accepts always compiles, except one using a
// feature the interpreter does not run locally (an *UnsupportedError).
package interpreter
