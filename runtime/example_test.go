package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/hsc-dev/hsc/runtime"
)

func ExampleDefaultExecutionName() {
	at := time.Date(2026, 11, 28, 12, 30, 0, 250_000_000, time.UTC)
	fmt.Println(runtime.DefaultExecutionName("hello", at))
	// Output: hello-20261128T123000.250Z
}

func ExamplePartition() {
	fmt.Println(runtime.Partition("us-east-1"), runtime.Partition("cn-north-1"))
	// Output: aws aws-cn
}

// The whole life of a state machine. Against a local server, set
// EndpointURL (or AWS_ENDPOINT_URL_SFN) to e.g. http://127.0.0.1:4584.
func ExampleStateMachine() {
	ctx := context.Background()
	c, err := runtime.New(ctx, runtime.Config{Region: "us-east-1"})
	if err != nil {
		log.Fatal(err)
	}
	m, err := c.StateMachine(ctx, "hello")
	if err != nil {
		log.Fatal(err)
	}
	def, err := m.DefinitionFromFile(ctx, "hello.hsd") // or a .json definition
	if err != nil {
		log.Fatal(err)
	}
	if err := m.Create(ctx, def, "StatesExecutionRole"); err != nil {
		log.Fatal(err)
	}
	arn, err := m.Start(ctx, []byte(`{"who":"world"}`), "")
	if err != nil {
		log.Fatal(err)
	}
	out, err := m.Wait(ctx, arn, runtime.WaitOptions{Period: 2 * time.Second})
	var failed *runtime.ExecutionError
	switch {
	case errors.As(err, &failed):
		fmt.Println("failed:", failed.ErrorName, failed.Cause)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(string(out))
	}
	if err := m.Delete(ctx, true); err != nil {
		log.Fatal(err)
	}
}
