package hsc_test

import (
	"errors"
	"fmt"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/ast"
)

func ExampleCompile() {
	src := []byte(`Lambda('hello')
    """SayHello"""
    timeout: 10
`)
	res, err := hsc.Compile(src, hsc.WithRegion("us-east-1"), hsc.WithAccountID("123456789012"), hsc.WithIndent(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(res.Definition))
	// Output:
	// {
	//   "States": {
	//     "SayHello": {
	//       "Type": "Task",
	//       "TimeoutSeconds": 10,
	//       "Resource": "arn:aws:lambda:us-east-1:123456789012:function:hello",
	//       "End": true
	//     }
	//   },
	//   "StartAt": "SayHello"
	// }
}

func ExampleCompile_defaultFormat() {
	res, _ := hsc.Compile([]byte("Pass()\n"))
	fmt.Println(string(res.Definition))
	// Output:
	// {"States": {"Line1": {"Type": "Pass", "End": true}}, "StartAt": "Line1"}
}

func ExampleError() {
	_, err := hsc.Compile([]byte("Pass()\n    retry [] 1 1 1.0\n"), hsc.WithFilename("flow.hsd"))
	var ce *hsc.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Pos.Line, ce.Pos.Col, ce.Msg)
		fmt.Println(err)
		fmt.Println(ce.Snippet())
	}
	// Output:
	// 2 5 Pass state cannot contain a Retry modifier
	// flow.hsd:2:5: Pass state cannot contain a Retry modifier
	//         retry [] 1 1 1.0
	//         ^
}

func ExampleWithVisitors() {
	// Point every Lambda at an alias, as a heaviside StateVisitor might.
	alias := ast.VisitorFunc(func(t *ast.Task) {
		if t.Service == "Lambda" {
			t.Resource += ":live"
		}
	})
	res, _ := hsc.Compile([]byte("Lambda('f')\n"), hsc.WithCompact(), hsc.WithVisitors(alias))
	fmt.Println(string(res.Definition))
	// Output:
	// {"States":{"Line1":{"Type":"Task","Resource":"arn:aws:lambda:::function:f:live","End":true}},"StartAt":"Line1"}
}

func ExampleResult_StatePos() {
	res, _ := hsc.Compile([]byte("Pass()\n    \"\"\"First\"\"\"\nwhile '$.n' < 3:\n    \"\"\"Loop\"\"\"\n    Pass()\n"))
	for _, name := range []string{"First", "Loop", "LoopLoop", "Missing"} {
		pos, ok := res.StatePos(name)
		fmt.Println(name, pos, ok)
	}
	// Output:
	// First 1:1 true
	// Loop 3:1 true
	// LoopLoop 3:1 true
	// Missing - false
}
