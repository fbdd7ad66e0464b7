package runtime_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/runtime"
)

// A throttled call is retried (the SDK's adaptive retry mode) instead of
// failing. The local server never throttles, so a loopback HTTP server
// plays Step Functions for this one behaviour.
func TestThrottlingIsRetried(t *testing.T) {
	tests := []struct {
		name      string
		throttled int32 // responses refused before answering
		wantCalls int32
		wantErr   string
	}{
		{name: "no throttling", throttled: 0, wantCalls: 1},
		{name: "two throttled calls", throttled: 2, wantCalls: 3},
		{name: "always throttled", throttled: 100, wantCalls: 3, wantErr: "ThrottlingException: Rate exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Adaptive mode also slows the client's own sending rate after
			// throttling, which takes seconds: run the cases side by side.
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				n := calls.Add(1)
				w.Header().Set("Content-Type", "application/x-amz-json-1.0")
				if n <= tt.throttled {
					w.WriteHeader(http.StatusBadRequest)
					_, _ = io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
					return
				}
				_, _ = io.WriteString(w, `{"stateMachines":[{"name":"m","stateMachineArn":"arn:aws:states:us-east-1:1:stateMachine:m","type":"STANDARD","creationDate":1}]}`)
			}))
			defer srv.Close()
			c, err := runtime.New(t.Context(), runtime.Config{
				Region: "us-east-1", AccessKey: "a", SecretKey: "s", AccountID: "1", EndpointURL: srv.URL,
				RetryMaxBackoff: 5 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			list, err := c.StateMachines(t.Context())
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("%d calls, want %d", got, tt.wantCalls)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(list) != 1 {
				t.Errorf("got %v, %v; want one machine", list, err)
			}
		})
	}
}
