package format_test

import (
	"fmt"

	"github.com/hsc-dev/hsc/format"
)

// Source lays a program out canonically. The Wait state has no docstring,
// so it is named Line12 after its line and stays there; the
// blank lines before it are laid out canonically.
func ExampleSource() {
	src := []byte(`"""Orders"""
Lambda("check")
  '''Check'''
  retry [ 'States.ALL' ]  1 3 2.0
Pass()
  """Shape"""
  parameters:
      id.$ : "$.id"



Wait(seconds = 5)
`)
	out, err := format.Source(src)
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// """Orders"""
	//
	// Lambda('check')
	//     """Check"""
	//     retry ['States.ALL'] 1 3 2.0
	//
	// Pass()
	//     """Shape"""
	//     parameters:
	//         id.$: '$.id'
	//
	// Wait(seconds=5)
}

// WithNameStates writes the Line<N> names out, so the layout is free.
func ExampleWithNameStates() {
	out, err := format.Source([]byte("Pass()\nWait(seconds=5)\n"), format.WithNameStates())
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// Pass()
	//     """Line1"""
	//
	// Wait(seconds=5)
	//     """Line2"""
}
