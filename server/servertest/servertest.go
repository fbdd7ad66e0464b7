// Package servertest starts the local Step Functions service for tests of
// other packages: Start gives a running server on a free loopback port that
// closes itself when the test ends, and NoHostPrefix is the Go SDK option
// that StartSyncExecution and TestState need against a local endpoint.
//
// It knows the server's Config and the Go SDK's client options, nothing
// else.
package servertest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hsc-dev/hsc/server"
)

// Start runs a server for the test; cfg.Addr defaults to 127.0.0.1:0.
func Start(t testing.TB, cfg server.Config) *server.Server {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	s, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing the Step Functions server: %v", err)
		}
	})
	return s
}

// NoHostPrefix turns off the "sync-" host prefix the Go SDK puts before
// the endpoint of StartSyncExecution and TestState, which does not resolve
// for a local address. Pass it as a client or per-call option.
func NoHostPrefix(o *sfn.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("hscNoHostPrefix",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.Before)
	})
}
