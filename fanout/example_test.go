package fanout_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/hsc-dev/hsc/activity"
	"github.com/hsc-dev/hsc/fanout"
	"github.com/hsc-dev/hsc/runtime"
)

func ExampleExecutionName() {
	fmt.Println(fanout.ExecutionName("tiles-42", 7))
	// Output: tiles-42-7
}

// Run the state machine "process-tile" once per tile, 10 at a time.
func ExampleFanout() {
	ctx := context.Background()
	c, err := runtime.New(ctx, runtime.Config{Region: "us-east-1"})
	if err != nil {
		log.Fatal(err)
	}
	tiles := []map[string]int{{"x": 0, "y": 0}, {"x": 0, "y": 1}, {"x": 1, "y": 0}}
	cfg := fanout.DefaultConfig()
	cfg.MaxConcurrent = 10
	cfg.RampupDelay = 2 * time.Second
	cfg.Common = map[string]any{"bucket": "tiles"} // merged into each input
	results, err := fanout.Fanout(ctx, c.API(), "process-tile", tiles, cfg)
	var failed *activity.ActivityError
	switch {
	case errors.As(err, &failed):
		log.Fatalf("a tile failed (%s): %s", failed.ErrorName, failed.Cause)
	case err != nil:
		log.Fatal(err)
	}
	for i, r := range results { // in input order
		fmt.Println(i, string(r))
	}
}

// The resumable form as the body of a Lambda function that a state machine
// calls in a loop (with a Wait state between calls) until "finished".
func ExampleResume() {
	ctx := context.Background()
	c, err := runtime.New(ctx, runtime.Config{})
	if err != nil {
		log.Fatal(err)
	}
	// The first call builds the state from the loop's input ...
	cfg := fanout.DefaultConfig()
	cfg.ID = "job-1234" // stable per fan-out: resuming reuses its names
	s, err := fanout.NewState("process-tile", []int{1, 2, 3}, cfg)
	if err != nil {
		log.Fatal(err)
	}
	state, _ := json.Marshal(s)
	// ... and each call after that passes the previous state on.
	handler := func(ctx context.Context, state json.RawMessage) (json.RawMessage, error) {
		return fanout.Resume(ctx, c.API(), state, nil)
	}
	if state, err = handler(ctx, state); err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(state))
}
