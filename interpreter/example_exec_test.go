package interpreter_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/interpreter"
)

// A definition the interpreter cannot run is an error that names the
// field by JSON pointer and line:column.
func ExampleCompile_error() {
	_, err := interpreter.Compile([]byte(`{"StartAt":"A","States":{
  "A":{"Type":"Pass","Next":"B"}}}`))
	var de *interpreter.DefinitionError
	if errors.As(err, &de) {
		fmt.Println(de.Pointer, de.Pos.Line, de.Pos.Col)
	}
	fmt.Println(err)
	// Output:
	// /States/A/Next 2 29
	// invalid definition: 2:29: /States/A/Next: Next names "B", which is not a state in the same scope
}

// CompileASL runs a state machine held in asl's model, for instance one
// built in code.
func ExampleCompileASL_inCode() {
	def := &asl.StateMachine{StartAt: "Hello", States: []*asl.State{{
		Name: "Hello", Type: asl.TypePass, End: true,
		Result: asl.NewObject(asl.Member{Key: "greeting", Value: asl.NewString("hello")}),
	}}}
	m, err := interpreter.CompileASL(def)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, _ := m.Run(context.Background(), nil)
	fmt.Println(string(res.Output))
	// Output: {"greeting":"hello"}
}

// As AWS does, an execution fails once its history reaches 25,000 events;
// WithMaxEvents sets another limit (0: none).
func ExampleWithMaxEvents() {
	m, _ := interpreter.Compile([]byte(`{"StartAt":"Loop","States":{"Loop":{"Type":"Pass","Next":"Loop"}}}`))
	res, _ := m.Run(context.Background(), nil, interpreter.WithMaxEvents(100))
	fmt.Println(res.Status, res.Error, res.Cause)
	// Output: FAILED States.Runtime The execution reached the maximum number of history events (100).
}

// Timeouts run on the execution's clock: on a virtual clock, a 10 s Wait
// under a 5 s timeout times out at once, at virtual second 5.
func ExampleWithTimeout() {
	m, _ := interpreter.Compile([]byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`))
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	res, _ := m.Run(context.Background(), nil,
		interpreter.WithClock(interpreter.NewVirtualClock(start)), interpreter.WithTimeout(5*time.Second))
	fmt.Println(res.Status, res.StopDate.Sub(start))
	// Output: TIMED_OUT 5s
}
