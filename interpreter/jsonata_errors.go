package interpreter

import (
	"errors"
	"fmt"
	"strings"

	jsonata "github.com/xiatechs/jsonata-go"
)

// jsonataFailure is the States.QueryEvaluationError for an expression that
// failed, worded as Step Functions words it: "The JSONata expression '...'
// specified for the field 'Output/x' threw an error during evaluation.
// T1006: Attempted to invoke a non-function", after the prefix naming the
// state and the event it was entered at. Step Functions runs the
// JavaScript JSONata, whose error codes and messages the engine here
// (jsonata-go) does not have; the known ones are translated.
func jsonataFailure(sc *scope, src, path string, err error) *ExecutionError {
	var ee *ExecutionError
	if errors.As(err, &ee) && ee.Name != ErrIntrinsicFailure {
		return ee // a limit or a failure of our own, named already
	}
	return newError(ErrQueryEvaluation, "%sThe JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %s", sc.errorPrefix(), src, path, jsonataMessage(err))
}

// jsonataMessage gives err the code and wording of JavaScript JSONata
// where one is known.
func jsonataMessage(err error) string {
	var ev *jsonata.EvalError
	if errors.As(err, &ev) {
		if m, ok := jsonataJSMessages[ev.Type]; ok {
			return strings.NewReplacer("{{token}}", ev.Token, "{{value}}", ev.Value).Replace(m)
		}
	}
	var ev2 jsonata.EvalError
	if errors.As(err, &ev2) {
		if m, ok := jsonataJSMessages[ev2.Type]; ok {
			return strings.NewReplacer("{{token}}", ev2.Token, "{{value}}", ev2.Value).Replace(m)
		}
	}
	var ac *jsonata.ArgCountError
	if errors.As(err, &ac) {
		return fmt.Sprintf("T0410: Argument count of function $%s does not match its signature: %d given, %d expected", strings.TrimPrefix(ac.Func, "$"), ac.Received, ac.Expected)
	}
	var at *jsonata.ArgTypeError
	if errors.As(err, &at) {
		return fmt.Sprintf("T0410: Argument %d of function $%s does not match function signature", at.Which, strings.TrimPrefix(at.Func, "$"))
	}
	// The engine appends where a function failed and its arguments (which
	// may be the whole input); JSONata's messages do not.
	msg := err.Error()
	if i := strings.LastIndex(msg, ", position: "); i >= 0 && strings.Contains(msg[i:], ", arguments: ") {
		msg = msg[:i]
	}
	return msg
}

// jsonataJSMessages are JavaScript JSONata's codes and messages for the
// errors jsonata-go reports by type.
var jsonataJSMessages = map[jsonata.ErrType]string{
	jsonata.ErrNonIntegerLHS:      "T2003: The left side of the range operator (..) must evaluate to an integer",
	jsonata.ErrNonIntegerRHS:      "T2004: The right side of the range operator (..) must evaluate to an integer",
	jsonata.ErrNonNumberLHS:       "T2001: The left side of the {{value}} operator must evaluate to a number",
	jsonata.ErrNonNumberRHS:       "T2002: The right side of the {{value}} operator must evaluate to a number",
	jsonata.ErrNonComparableLHS:   "T2010: The expressions either side of operator {{value}} must evaluate to numeric or string values",
	jsonata.ErrNonComparableRHS:   "T2010: The expressions either side of operator {{value}} must evaluate to numeric or string values",
	jsonata.ErrTypeMismatch:       "T2009: The values either side of operator {{value}} must be of the same data type",
	jsonata.ErrNonCallable:        "T1006: Attempted to invoke a non-function",
	jsonata.ErrNonCallableApply:   "T2006: The right side of the function application operator ~> must be a function",
	jsonata.ErrNonCallablePartial: "T1008: Attempted to partially apply a non-function",
	jsonata.ErrNumberInf:          "D1001: Number out of range",
	jsonata.ErrNumberNaN:          "D1001: Number out of range",
	jsonata.ErrMaxRangeItems:      "D2014: The size of the sequence allocated by the range operator (..) must not exceed 1e7.",
	jsonata.ErrIllegalKey:         "T1003: Key in object structure must evaluate to a string",
	jsonata.ErrDuplicateKey:       "D1009: Multiple key definitions evaluate to same key: {{value}}",
	jsonata.ErrIllegalUpdate:      "T2011: The insert/update clause of the transform expression must evaluate to an object",
	jsonata.ErrIllegalDelete:      "T2012: The delete clause of the transform expression must evaluate to a string or array of strings",
	jsonata.ErrNonSortable:        "T2008: The expressions within an order-by clause must evaluate to numeric or string values",
	jsonata.ErrSortMismatch:       "T2007: Type mismatch when comparing values in order-by clause",
}
