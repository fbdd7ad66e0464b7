// Command fanout is the README's worked example of package fanout: it
// runs a small state machine once per input, at most two at a time, and
// prints the outputs in input order. Run it against the local Step
// Functions server:
//
//	hsc serve &
//	export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_ENDPOINT_URL=http://127.0.0.1:8083
//	go run ./examples/fanout
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/hsc-dev/hsc/activity"
	"github.com/hsc-dev/hsc/fanout"
	"github.com/hsc-dev/hsc/runtime"
)

func main() {
	ctx := context.Background()
	c, err := runtime.New(ctx, runtime.Config{}) // region, credentials, endpoint: the SDK's environment
	if err != nil {
		log.Fatal(err)
	}

	// The sub state machine: waits a second, then outputs its input.
	name := "tile-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	sub := c.NewStateMachine(name, "")
	def := `{"StartAt":"Work","States":{"Work":{"Type":"Wait","Seconds":1,"End":true}}}`
	if err := sub.Create(ctx, []byte(def), "arn:aws:iam::123456789012:role/StatesRole"); err != nil {
		log.Fatal(err)
	}
	defer sub.Delete(ctx, false)

	tiles := []map[string]int{{"x": 0}, {"x": 1}, {"x": 2}, {"x": 3}, {"x": 4}}
	cfg := fanout.DefaultConfig()
	cfg.MaxConcurrent = 2                         // at most two executions at once
	cfg.RampupDelay = 0                           // no pause between launches
	cfg.PollDelay = 200 * time.Millisecond        // a status round five times a second
	cfg.StatusDelay = 0                           // no limit on status calls
	cfg.Common = map[string]any{"bucket": "maps"} // merged into every input
	results, err := fanout.Fanout(ctx, c.API(), name, tiles, cfg)
	var failed *activity.ActivityError
	switch {
	case errors.As(err, &failed): // a sub-execution failed: the others were stopped
		log.Fatalf("a tile failed: %s: %s", failed.ErrorName, failed.Cause)
	case err != nil:
		log.Fatal(err)
	}
	for i, r := range results { // in input order
		fmt.Println(i, string(r))
	}
}
