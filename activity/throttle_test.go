package activity_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/activity"
	"github.com/hsc-dev/hsc/internal/sfnlocal"
)

// throttledClient talks to the local server through a proxy that answers
// the calls throttle picks with ThrottlingException (the local server
// never throttles). SDK retries are off: the worker's own handling is
// under test.
func throttledClient(t *testing.T, throttle func(action string, n int) bool) *sfn.Client {
	t.Helper()
	target, err := url.Parse(sfnlocal.Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	calls := map[string]int{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSStepFunctions.")
		mu.Lock()
		calls[action]++
		refuse := throttle(action, calls[action])
		mu.Unlock()
		if refuse {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return sfn.New(sfn.Options{
		Region:       sfnlocal.Region,
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(sfnlocal.AccessKey, sfnlocal.SecretKey, ""),
		Retryer:      aws.NopRetryer{},
	})
}

// Throttled polls and a throttled SendTaskSuccess are retried with
// backoff: the worker neither dies nor loses the task.
func TestWorkerRetriesThrottling(t *testing.T) {
	c := localClient(t)
	_, arn := newActivity(t, c, "throttled")
	m := taskMachine(t, c, arn, 0)
	api := throttledClient(t, func(action string, n int) bool {
		return action == "GetActivityTask" && n <= 3 || action == "SendTaskSuccess" && n <= 2
	})
	logs := &logRecorder{}
	h := func(_ context.Context, in json.RawMessage, _ activity.Heartbeater) (any, error) { return in, nil }
	w, err := activity.NewWorker(api, arn, h, activity.Options{
		IdleDelay: 20 * time.Millisecond, RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond, Logger: newLogger(logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	exec, err := m.Start(t.Context(), []byte(`{"k":"v"}`), "thr")
	if err != nil {
		t.Fatal(err)
	}
	d := finish(t, c, exec, 20*time.Second)
	if d.Status != "SUCCEEDED" || aws.ToString(d.Output) != `{"k":"v"}` {
		t.Errorf("execution %s, output %s", d.Status, aws.ToString(d.Output))
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if n := logs.count("polling for tasks failed; retrying"); n != 3 {
		t.Errorf("%d poll retries logged, want 3:\n%s", n, logs)
	}
	if n := logs.count("SendTaskSuccess failed; retrying"); n != 2 {
		t.Errorf("%d SendTaskSuccess retries logged, want 2:\n%s", n, logs)
	}
}
