package decompile_test

import (
	"fmt"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/decompile"
)

// A state named Line<N> stays unnamed when it lands on line N, as the
// compiler would name it from there.
func ExampleDecompile() {
	m, err := asl.Parse([]byte(`{"StartAt": "Hello", "States": {
  "Hello": {"Type": "Pass", "Result": {"greeting": "hi"}, "Next": "Line5"},
  "Line5": {"Type": "Wait", "Seconds": 5, "End": true}}}`))
	if err != nil {
		panic(err)
	}
	text, err := decompile.Decompile(m)
	if err != nil {
		panic(err)
	}
	fmt.Print(string(text))
	// Output:
	// Pass()
	//     """Hello"""
	//     data:
	//         {'greeting': 'hi'}
	// Wait(seconds=5)
}
