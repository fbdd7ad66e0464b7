package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// Mount makes h answer every request that is not an API request, on the
// API's own port: hsc serve mounts its web console this way. An API
// request is a POST to / or any request with an X-Amz-Target header; the
// API answers those as before. Mount must be called before Start.
func (s *Server) Mount(h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages = h
}

// apiRequest reports whether r is meant for the API rather than for
// pages mounted with Mount.
func apiRequest(r *http.Request) bool {
	return r.Header.Get("X-Amz-Target") != "" || r.Method == http.MethodPost && r.URL.Path == "/"
}

// Invoke runs the API operation op (such as "StartExecution") on the
// request body, exactly as a POST / with X-Amz-Target:
// AWSStepFunctions.<op> would: the same validation, the same handler,
// the same store. It returns the answer's JSON, or an error that is an
// *APIError (errors.As) for every error the API would answer with a code.
// It is how in-process callers such as the web console use the service
// without a second implementation of its operations.
func (s *Server) Invoke(ctx context.Context, op string, body []byte) ([]byte, error) {
	o, ok := s.ops[op]
	if !ok {
		return nil, &APIError{Code: "UnknownOperationException", Message: "Unknown operation " + strings.TrimSpace(op) + ".", Status: http.StatusBadRequest}
	}
	out, err := s.call(ctx, o, body)
	if err != nil {
		var ae *APIError
		if !errors.As(err, &ae) {
			s.log.Error("internal failure", "op", op, "err", err)
		}
		return nil, err
	}
	return json.Marshal(out)
}

// TokenExecution is the package function TokenExecution as a method, for
// front ends (the console) that hold a *Server behind an interface.
func (s *Server) TokenExecution(token string) (executionARN string, ok bool) {
	return TokenExecution(token)
}

// Pollers reports how many GetActivityTask requests are waiting now on
// each activity (by ARN): what a console shows as workers polling.
func (s *Server) Pollers() map[string]int {
	q := s.tasks
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[string]int, len(q.queues))
	for arn, aq := range q.queues {
		if n := aq.pollers.Len(); n > 0 {
			out[arn] = n
		}
	}
	return out
}
