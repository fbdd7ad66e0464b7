package asl_test

import (
	"errors"
	"fmt"

	"github.com/hsc-dev/hsc/asl"
)

func ExampleValidate() {
	def := []byte(`{
  "StartAt": "Start",
  "States": {
    "Start": {"Type": "Pass", "Next": "Missing"},
    "Orphan": {"Type": "Succeed"}
  }
}`)
	problems, err := asl.Validate(def)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range problems {
		fmt.Printf("%s: %s: %s [%s]\n", p.Pos, p.Severity, p.Msg, p.Pointer)
	}
	fmt.Println("errors:", asl.HasErrors(problems))
	// Output:
	// 3:13: warning: no terminal state of the state machine is reachable from StartAt, so it can never finish [/States]
	// 4:39: error: Next names state "Missing", which does not exist [/States/Start/Next]
	// 5:5: warning: state "Orphan" is not reachable: no StartAt, Next, Default or Catch leads to it [/States/Orphan]
	// errors: true
}

func ExampleValidate_syntaxError() {
	_, err := asl.Validate([]byte("{\n  \"StartAt\": \"A\",\n  \"States\": {\"A\": }\n}"))
	var se *asl.SyntaxError
	if errors.As(err, &se) {
		fmt.Printf("line %d, column %d: %s\n", se.Pos.Line, se.Pos.Col, se.Msg)
	}
	// Output:
	// line 3, column 19: unexpected character '}', expected a JSON value
}

func ExampleParse() {
	m, err := asl.Parse([]byte(`{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "X-Custom": [1.0], "End": true}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	hello := m.State("Hello")
	hello.End = false
	hello.Next = "Bye"
	m.States = append(m.States, &asl.State{Name: "Bye", Type: asl.TypeSucceed})
	fmt.Println(string(m.Encode(2)))
	for _, p := range m.Validate() {
		fmt.Println(p.Severity, p.Pointer, p.Msg)
	}
	// Output:
	// {
	//   "StartAt": "Hello",
	//   "States": {
	//     "Hello": {
	//       "Type": "Pass",
	//       "X-Custom": [
	//         1.0
	//       ],
	//       "End": false,
	//       "Next": "Bye"
	//     },
	//     "Bye": {
	//       "Type": "Succeed"
	//     }
	//   }
	// }
	// error /States/Hello/X-Custom field "X-Custom" is not allowed in a Pass state
}

func ExampleCheckReferencePath() {
	for _, p := range []string{"$.items[0]", "$.items[*]"} {
		fmt.Println(p, asl.CheckPath(p) == nil, asl.CheckReferencePath(p))
	}
	// Output:
	// $.items[0] true <nil>
	// $.items[*] true invalid reference path "$.items[*]" at offset 7: wildcards are not allowed
}

func ExampleValue_Lookup() {
	v, err := asl.ParseValue([]byte(`{"States": {"a/b": {"Type": "Succeed"}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	t := v.Lookup("/States/" + asl.PointerToken("a/b") + "/Type")
	fmt.Println(t.Str, t.Pos)
	// Output:
	// Succeed 1:29
}

func ExampleParsePath() {
	p, err := asl.ParsePath("$.Snapshots.[0].State", asl.PathReference)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Steps {
		fmt.Println(s.Kind == asl.StepField, s.Name, s.Index)
	}
	_, err = asl.ParsePath("$.items[?(@.n > 1)]", asl.PathReference)
	fmt.Println(err)
	// Output:
	// true Snapshots 0
	// false  0
	// true State 0
	// invalid reference path "$.items[?(@.n > 1)]" at offset 7: filters are not allowed
}

func ExampleParseIntrinsic() {
	f, err := asl.ParseIntrinsic("States.Format('Hello {}', $.name)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Func.Name, len(f.Args), f.Args[0].Literal, f.Args[1].Path)
	_, err = asl.ParseIntrinsic("States.MathAdd(1)")
	fmt.Println(err)
	// Output:
	// States.Format 2 Hello {} $.name
	// invalid intrinsic function "States.MathAdd(1)" at offset 0: States.MathAdd takes 2 arguments, got 1
}

func ExampleScanner() {
	s := asl.NewScanner([]byte(`{"a": [1, "x"]}`))
	var walk func(indent string) error
	walk = func(indent string) error {
		tok, err := s.Next()
		if err != nil {
			return err
		}
		switch tok {
		case asl.TokenObject:
			for {
				more, err := s.NextKey()
				if err != nil || !more {
					return err
				}
				fmt.Println(indent + "key " + s.Text())
				if err := walk(indent + "  "); err != nil {
					return err
				}
			}
		case asl.TokenArray:
			for {
				more, err := s.NextElem()
				if err != nil || !more {
					return err
				}
				if err := walk(indent + "  "); err != nil {
					return err
				}
			}
		default:
			fmt.Println(indent + s.Text())
		}
		return nil
	}
	if err := walk(""); err != nil {
		fmt.Println(err)
	}
	_, err := asl.ParseValue([]byte(`[1e400]`))
	fmt.Println(err)
	// Output:
	// key a
	//     1
	//     x
	// 1:2: number 1e400 is out of range
}

func ExampleLookupComparator() {
	c, ok := asl.LookupComparator("NumericLessThanPath")
	fmt.Println(ok, c.Base, c.Path)
	_, ok = asl.LookupComparator("StringMatchesPath")
	fmt.Println(ok)
	// Output:
	// true NumericLessThan true
	// false
}
