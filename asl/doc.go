// Package asl owns the Amazon States Language as data: an order-preserving
// JSON tree with source positions (Value), a typed model of a state machine
// definition (StateMachine, State, ChoiceRule, Retrier, Catcher) that reads
// and writes JSON without losing unknown fields or key order, and Validate,
// which applies the checks AWS Step Functions makes when a state machine is
// created and reports each problem with a JSON pointer, a position and a
// severity.
//
// It is the one reader of the States Language: the JSON reading rules
// (Scanner, which also builds the interpreter's runtime values), the one
// JSON string writer and indenter (AppendString, AppendIndent), the one
// grammar of paths, reference paths and result paths (ParsePath, read as
// Jayway JsonPath reads them) and of intrinsic function calls
// (ParseIntrinsic), the tables of intrinsic functions (IntrinsicFuncs),
// Choice comparators (ComparatorTable) and path-bearing fields
// (FieldPathKind), and the recognition and syntax check of JSONata
// expressions (JSONataExpression, CheckJSONata, with the interpreter's
// JSONata parser). The validator inspects these
// trees and the interpreter evaluates them, so the two cannot disagree
// about what a definition means.
//
// It knows nothing about the Heaviside DSL, the compiler or the AWS SDK:
// callers that want to map problems back to their own sources use
// Problem.State and Problem.Pointer.
package asl
