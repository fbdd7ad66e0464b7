package activity_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/hsc-dev/hsc/activity"
	"github.com/hsc-dev/hsc/runtime"
)

// A handler chooses the error name and cause a state machine sees by
// returning an *ActivityError, even wrapped.
func ExampleActivityError() {
	err := fmt.Errorf("resizing: %w", &activity.ActivityError{ErrorName: "Image.TooSmall", Cause: "12x12 is below 64x64"})
	var ae *activity.ActivityError
	if errors.As(err, &ae) {
		fmt.Println(ae.ErrorName)
		fmt.Println(ae.Cause)
	}
	// Output:
	// Image.TooSmall
	// 12x12 is below 64x64
}

// A worker for the activity "resize" (created if missing), four tasks at a
// time, with a heartbeat every 20 s while a task runs. Calling hb.Beat is
// the Go form of a heaviside generator's yield.
func ExampleWorker() {
	ctx := context.Background()
	c, err := runtime.New(ctx, runtime.Config{Region: "us-east-1"})
	if err != nil {
		log.Fatal(err)
	}
	resize := func(ctx context.Context, input json.RawMessage, hb activity.Heartbeater) (any, error) {
		var in struct{ Width, Height int }
		if err := json.Unmarshal(input, &in); err != nil {
			return nil, &activity.ActivityError{ErrorName: "Input.Invalid", Cause: err.Error()}
		}
		for step := 0; step < 3; step++ {
			// ... a slow step ...
			if err := hb.Beat(ctx); err != nil {
				return nil, err // timed out: ctx is cancelled too
			}
		}
		return map[string]int{"width": in.Width / 2, "height": in.Height / 2}, nil
	}
	w, err := activity.NewWorker(c.API(), "resize", resize, activity.Options{
		Concurrency: 4,
		Heartbeat:   20 * time.Second,
		Logger:      slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Run(ctx); err != nil { // until ctx is cancelled
		log.Fatal(err)
	}
}

// A manager serving two activities until SIGINT or SIGTERM.
func ExampleManager() {
	ctx := context.Background()
	c, err := runtime.New(ctx, runtime.Config{Region: "us-east-1"})
	if err != nil {
		log.Fatal(err)
	}
	echo := func(_ context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) { return in, nil }
	m := &activity.Manager{
		API: c.API(),
		Activities: []activity.Spec{
			{Activity: "echo", Handler: echo, Options: activity.Options{Concurrency: 8}},
			{Activity: "arn:aws:states:us-east-1:123456789012:activity:other", Handler: echo},
		},
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)),
	}
	if err := m.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

func ExampleActivityError_Error() {
	fmt.Println(&activity.ActivityError{ErrorName: "Widget.Broken", Cause: "widget 7"})
	fmt.Println(&activity.ActivityError{ErrorName: "Widget.Broken"})
	// Output:
	// Widget.Broken: widget 7
	// Widget.Broken
}
