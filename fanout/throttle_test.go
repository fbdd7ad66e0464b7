package fanout_test

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
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/fanout"
	"github.com/hsc-dev/hsc/internal/sfnlocal"
)

// throttler sits between the client and the local server and answers
// chosen calls with ThrottlingException; every other call reaches the
// real server. (The local server never throttles.)
type throttler struct {
	mu       sync.Mutex
	calls    map[string]int                  // per API action
	throttle func(action string, n int) bool // n: 1-based call number
	refused  map[string]int
}

func newThrottledClient(t *testing.T, throttle func(action string, n int) bool) (*sfn.Client, *throttler) {
	t.Helper()
	target, err := url.Parse(sfnlocal.Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	th := &throttler{calls: map[string]int{}, refused: map[string]int{}, throttle: throttle}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSStepFunctions.")
		th.mu.Lock()
		th.calls[action]++
		refuse := th.throttle(action, th.calls[action])
		if refuse {
			th.refused[action]++
		}
		th.mu.Unlock()
		if refuse {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	// No SDK retries: the fan-out's own handling is under test.
	c := sfn.New(sfn.Options{
		Region:       sfnlocal.Region,
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(sfnlocal.AccessKey, sfnlocal.SecretKey, ""),
		Retryer:      aws.NopRetryer{},
	})
	return c, th
}

func (th *throttler) count(action string) (calls, refused int) {
	th.mu.Lock()
	defer th.mu.Unlock()
	return th.calls[action], th.refused[action]
}

// Throttled starts and status calls never stop running work: they are
// retried in later rounds, and every input runs exactly once.
func TestFanoutThrottledNeverStops(t *testing.T) {
	c := localClient(t)
	m := waitMachine(t, c, 1)
	api, th := newThrottledClient(t, func(action string, n int) bool {
		switch action {
		case "StartExecution":
			return n >= 3 && n <= 6 // a burst of refused launches
		case "DescribeExecution":
			return n%2 == 0 // every other status call
		}
		return false
	})
	inputs := []int{0, 1, 2, 3, 4, 5, 6, 7}
	cfg := fastConfig(4)
	cfg.ID = "throttled"
	results, err := fanout.Fanout(t.Context(), api, m.ARN, inputs, cfg)
	if err != nil {
		t.Fatalf("Fanout: %v", err)
	}
	for i, r := range results {
		if string(r) != fmt.Sprint(i) {
			t.Errorf("result %d = %s", i, r)
		}
	}
	if _, refused := th.count("StartExecution"); refused != 4 {
		t.Errorf("%d launches throttled, want 4", refused)
	}
	if _, refused := th.count("DescribeExecution"); refused == 0 {
		t.Error("no status call was throttled")
	}
	all, err := c.Executions(t.Context(), m.ARN, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(inputs) {
		t.Errorf("%d executions, want %d", len(all), len(inputs))
	}
	for _, e := range all {
		if e.Status != types.ExecutionStatusSucceeded {
			t.Errorf("%s: %s", aws.ToString(e.Name), e.Status)
		}
	}
}

// The resumable form behaves the same: a throttled round returns without
// error and with nothing lost.
func TestResumeThrottledRound(t *testing.T) {
	c := localClient(t)
	m := waitMachine(t, c, 0)
	throttleAll := true
	var mu sync.Mutex
	api, _ := newThrottledClient(t, func(action string, n int) bool {
		mu.Lock()
		defer mu.Unlock()
		return throttleAll && action == "StartExecution"
	})
	cfg := fastConfig(2)
	cfg.ID = "thr"
	s, err := fanout.NewState(m.ARN, []string{"a", "b", "c"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	state, _ := json.Marshal(s)
	state, err = fanout.Resume(t.Context(), api, state, nil)
	if err != nil {
		t.Fatalf("throttled round: %v", err)
	}
	var mid fanout.State
	_ = json.Unmarshal(state, &mid)
	if mid.Next != 0 || len(mid.Running) != 0 || mid.Finished {
		t.Errorf("after a throttled round: next %d, running %v, finished %v", mid.Next, mid.Running, mid.Finished)
	}
	mu.Lock()
	throttleAll = false
	mu.Unlock()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var final fanout.State
	for !final.Finished {
		if state, err = fanout.Resume(ctx, api, state, nil); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(state, &final)
		time.Sleep(100 * time.Millisecond)
	}
	if got := fmt.Sprintf("%s", final.Results); got != `["a" "b" "c"]` {
		t.Errorf("results %s", got)
	}
}
