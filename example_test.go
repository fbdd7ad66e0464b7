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

func ExampleWithBranchVisitors() {
	// heaviside's second visitor form sees the whole main branch and walks
	// nested branches itself. This one gives every Task without a timeout
	// a 300-second one and a comment: a Task visitor, which only sees the
	// task's ARN, cannot.
	var defaults func(states []*ast.State)
	defaults = func(states []*ast.State) {
		for _, s := range states {
			if s.Kind == ast.TaskKind && s.Timeout == nil {
				s.Timeout = &ast.Modifier{Kind: ast.ModTimeout, Pos: s.Pos, Int: ast.Number{IsInt: true, Text: "300"}}
				note := "timeout set by policy"
				s.Comment = &note
			}
			for _, b := range s.Branches {
				defaults(b.States)
			}
			defaults(s.IterStates)
		}
	}
	src := []byte("parallel:\n    Lambda('a')\nparallel:\n    Lambda('b')\n        timeout: 5\n")
	res, err := hsc.Compile(src, hsc.WithCompact(), hsc.WithBranchVisitors(ast.BranchVisitorFunc(defaults)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(res.Definition))
	// Output:
	// {"States":{"Line1":{"Type":"Parallel","Branches":[{"States":{"Line2":{"Type":"Task","Comment":"timeout set by policy","TimeoutSeconds":300,"Resource":"arn:aws:lambda:::function:a","End":true}},"StartAt":"Line2"},{"States":{"Line4":{"Type":"Task","TimeoutSeconds":5,"Resource":"arn:aws:lambda:::function:b","End":true}},"StartAt":"Line4"}],"End":true}},"StartAt":"Line1"}
}

func ExampleWithSortKeys() {
	res, _ := hsc.Compile([]byte("Pass()\n    \"\"\"Start\"\"\"\n    parameters:\n        b: 1\n        a: {\"z\": 0, \"y\": 1}\n"), hsc.WithSortKeys())
	fmt.Println(string(res.Definition))
	// Output:
	// {"StartAt": "Start", "States": {"Start": {"End": true, "Parameters": {"a": {"y": 1, "z": 0}, "b": 1}, "Type": "Pass"}}}
}

func ExampleCheck() {
	src := []byte("Fail('Oops', 'broken')\nPass()\n    \"\"\"Dead\"\"\"\n")
	for _, p := range hsc.Check("flow.hsd", src) {
		fmt.Println(p.Pos, p.Severity, p.Code, p.Pointer)
	}
	// Output:
	// 2:1 warning UNREACHABLE_STATE /States/Dead
}

func ExampleResult_SourceMap() {
	res, _ := hsc.Compile([]byte("Pass()\n    \"\"\"Start\"\"\"\n    result: '$.r'\nSuccess()\n    \"\"\"Done\"\"\"\n"))
	sm := res.SourceMap()
	for _, ptr := range []string{"/States/Start", "/States/Start/ResultPath", "/States/Done/Type"} {
		pos, ok := sm.Pos(ptr)
		fmt.Println(ptr, pos, ok)
	}
	// Output:
	// /States/Start 1:1 true
	// /States/Start/ResultPath 3:5 true
	// /States/Done/Type 4:1 true
}

func ExampleWithCompat() {
	// result: null is a DSL extension (ResultPath null): heaviside 2.2.5
	// rejects it, and so does hsc with the extensions off.
	src := []byte("Pass()\n    result: null\n")
	res, err := hsc.Compile(src)
	fmt.Println(string(res.Definition), err)
	_, err = hsc.Compile(src, hsc.WithCompat(hsc.CompatHeaviside), hsc.WithFilename("flow.hsd"))
	fmt.Println(err)
	// Output:
	// {"States": {"Line1": {"Type": "Pass", "ResultPath": null, "End": true}}, "StartAt": "Line1"} <nil>
	// flow.hsd:2:13: Invalid syntax
}
