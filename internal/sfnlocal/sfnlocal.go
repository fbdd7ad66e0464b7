// Package sfnlocal gives tests the address of the local Step Functions API
// server that .ci/run starts (the npm package stepfunctions-local). It only
// knows the environment contract; it must not know about hsc's packages.
//
// Contract: .ci/run (or a developer) starts the server and exports
// HSC_SFN_ENDPOINT=http://127.0.0.1:PORT. When CI=true the tests that need it
// fail instead of skipping if the variable is missing.
package sfnlocal

import (
	"os"
	"testing"
)

// EnvVar names the variable holding the server's endpoint URL.
const EnvVar = "HSC_SFN_ENDPOINT"

// Endpoint returns the local server's URL, or skips the test (fails it in CI)
// when no server was started.
func Endpoint(t testing.TB) string {
	t.Helper()
	if ep := os.Getenv(EnvVar); ep != "" {
		return ep
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: .ci/run must start the local Step Functions server", EnvVar)
	}
	t.Skipf("%s not set; start a local server with .ci/sfnlocal.sh to run this test", EnvVar)
	return ""
}
