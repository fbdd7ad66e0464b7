// Command activity is the README's worked example of package activity: it
// serves the activity "greeter" with a Go handler, runs a state machine
// whose Task is that activity, and prints the execution's output. Run it
// against the local Step Functions server:
//
//	hsc serve &
//	export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_ENDPOINT_URL=http://127.0.0.1:8083
//	go run ./examples/activity
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/hsc-dev/hsc/activity"
	"github.com/hsc-dev/hsc/runtime"
)

func main() {
	ctx := context.Background()
	c, err := runtime.New(ctx, runtime.Config{}) // region, credentials, endpoint: the SDK's environment
	if err != nil {
		log.Fatal(err)
	}

	// The handler: JSON in, JSON out. An *activity.ActivityError would
	// fail the task with that error name, for Retry and Catch.
	greet := func(ctx context.Context, input json.RawMessage, hb activity.Heartbeater) (any, error) {
		var in struct{ Name string }
		if err := json.Unmarshal(input, &in); err != nil || in.Name == "" {
			return nil, &activity.ActivityError{ErrorName: "Greeter.NoName", Cause: "the input has no name"}
		}
		return map[string]string{"greeting": "Hello, " + in.Name + "!"}, nil
	}
	w, err := activity.NewWorker(c.API(), "greeter", greet, activity.Options{Concurrency: 2})
	if err != nil {
		log.Fatal(err)
	}
	workerCtx, stopWorker := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(workerCtx) }() // looks up (or creates) the activity, then polls
	defer func() {
		stopWorker() // the worker finishes the tasks in flight, then Run returns
		if err := <-done; err != nil {
			log.Fatal(err)
		}
	}()

	arn, err := activity.LookupOrCreate(ctx, c.API(), "greeter")
	if err != nil {
		log.Fatal(err)
	}
	definition := fmt.Sprintf(`{"StartAt":"Greet","States":{"Greet":{"Type":"Task","Resource":%q,"End":true}}}`, arn)
	m := c.NewStateMachine("greet-"+strconv.FormatInt(time.Now().UnixNano(), 36), "")
	if err := m.Create(ctx, []byte(definition), "arn:aws:iam::123456789012:role/StatesRole"); err != nil {
		log.Fatal(err)
	}
	defer m.Delete(ctx, false)

	exec, err := m.Start(ctx, []byte(`{"Name": "Ada"}`), "")
	if err != nil {
		log.Fatal(err)
	}
	out, err := m.Wait(ctx, exec, runtime.WaitOptions{Period: 100 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(out))
}
