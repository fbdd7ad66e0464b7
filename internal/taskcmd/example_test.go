//go:build unix

package taskcmd_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hsc-dev/hsc/internal/taskcmd"
)

func ExampleCommand_Run() {
	task := taskcmd.Task{StateName: "Greet", Resource: "arn:aws:lambda:us-east-1:123456789012:function:greet", Attempt: 0}
	res, err := taskcmd.Shell(`printf '{"hello": %s, "state": "%s"}' "$(cat)" "$HSC_STATE_NAME"`).
		Run(context.Background(), task, []byte(`"world"`))
	fmt.Println(string(res.Output), err)

	// A named error on standard error.
	_, err = taskcmd.Shell(`echo '{"Error": "Greeting.Refused", "Cause": "not today"}' >&2; exit 1`).
		Run(context.Background(), task, nil)
	var te *taskcmd.Error
	if errors.As(err, &te) {
		fmt.Println(te.Name, "/", te.Cause)
	}
	// Output:
	// {"hello": "world", "state": "Greet"} <nil>
	// Greeting.Refused / not today
}
