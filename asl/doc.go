// Package asl owns the Amazon States Language as data: an order-preserving
// JSON tree with source positions (Value), a typed model of a state machine
// definition (StateMachine, State, ChoiceRule, Retrier, Catcher) that reads
// and writes JSON without losing unknown fields or key order, and Validate,
// which applies the checks AWS Step Functions makes when a state machine is
// created and reports each problem with a JSON pointer, a position and a
// severity.
//
// It knows nothing about the Heaviside DSL, the compiler or the AWS SDK:
// callers that want to map problems back to their own sources use
// Problem.State and Problem.Pointer.
package asl
