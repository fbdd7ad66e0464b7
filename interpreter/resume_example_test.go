package interpreter_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

// An execution recorded with WithResumable stops after its task's result
// is recorded (the process died, say); WithResume runs it on from that
// history: the task is not run again, and only the missing events are
// emitted.
func ExampleWithResume() {
	m, err := interpreter.Compile([]byte(`{"StartAt": "Charge", "States": {
	  "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge", "Next": "Done"},
	  "Done": {"Type": "Pass", "Result": "charged", "End": true}}}`))
	if err != nil {
		panic(err)
	}
	charges := 0
	charge := interpreter.TaskFunc(func(context.Context, *interpreter.TaskRequest) ([]byte, error) {
		charges++
		return []byte(`{"ok": true}`), nil
	})
	var history []interpreter.Event
	record := interpreter.WithEventHook(func(e interpreter.Event) { history = append(history, e) })
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := interpreter.WithClock(interpreter.NewVirtualClock(start))
	if _, err := m.Run(context.Background(), nil, interpreter.WithResumable(), interpreter.WithTaskResolver(charge), record, clock); err != nil {
		panic(err)
	}
	// Keep the history up to the task's result, as a crash would.
	for i, e := range history {
		if e.Type == "LambdaFunctionSucceeded" {
			history = history[:i+1]
			break
		}
	}
	var more []string
	res, err := m.Run(context.Background(), nil, interpreter.WithResume(history), interpreter.WithTaskResolver(charge), clock,
		interpreter.WithEventHook(func(e interpreter.Event) { more = append(more, fmt.Sprint(e.ID, " ", e.Type)) }))
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, string(res.Output), "charges:", charges)
	for _, e := range more {
		fmt.Println(e)
	}
	// Output:
	// SUCCEEDED "charged" charges: 1
	// 6 TaskStateExited
	// 7 PassStateEntered
	// 8 PassStateExited
	// 9 ExecutionSucceeded
}
