package interpreter_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/interpreter"
)

// TestIntrinsicArgumentTypes ties the argument types of asl's intrinsic
// table to what the interpreter does: for every typed argument of every
// function, a literal of another type draws asl's INTRINSIC_ARGUMENT
// warning, and the call fails with States.IntrinsicFailure when it runs
// (the other arguments are paths to values of the right type). Source of
// the types: the AWS developer guide's "Intrinsic functions" page.
func TestIntrinsicArgumentTypes(t *testing.T) {
	good := map[asl.JSONType]string{
		asl.JSONAny: "$.s", asl.JSONString: "$.s", asl.JSONNumber: "$.n",
		asl.JSONBoolean: "$.f", asl.JSONArray: "$.arr", asl.JSONObject: "$.obj",
	}
	bad := map[asl.JSONType]string{
		asl.JSONString: "1", asl.JSONNumber: "'a'", asl.JSONBoolean: "'a'", asl.JSONArray: "'a'", asl.JSONObject: "'a'",
	}
	const input = `{"s":"a,b","n":2,"f":false,"arr":[1,2,3],"obj":{"k":1}}`
	checked := 0
	for _, f := range asl.IntrinsicFuncs() {
		for i := range max(f.MaxArgs, f.MinArgs) {
			want := f.Param(i)
			if want == asl.JSONAny {
				continue
			}
			args := make([]string, max(f.MaxArgs, f.MinArgs))
			for j := range args {
				args[j] = good[f.Param(j)]
			}
			args[i] = bad[want]
			call := fmt.Sprintf("%s(%s)", f.Name, strings.Join(args, ", "))
			def := `{"StartAt":"S","States":{"S":{"Type":"Pass","Parameters":{"x.$":"` + call + `"},"End":true}}}`
			t.Run(call, func(t *testing.T) {
				ps, err := asl.Validate([]byte(def))
				if err != nil {
					t.Fatal(err)
				}
				if len(ps) != 1 || ps[0].Code != asl.CodeIntrinsicArgument {
					t.Errorf("asl problems %v, want one %s", ps, asl.CodeIntrinsicArgument)
				}
				_, err = run(t, def, input)
				var ee *interpreter.ExecutionError
				if !errors.As(err, &ee) || ee.Name != "States.IntrinsicFailure" {
					t.Errorf("run: %v, want States.IntrinsicFailure", err)
				}
			})
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d typed arguments checked", checked)
	}
}
