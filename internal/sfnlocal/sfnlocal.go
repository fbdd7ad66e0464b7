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
	"strconv"
	"testing"
	"time"
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

// Values tests use with the local server. The server accepts any
// credentials; ARNs must use the aws partition and a numeric account.
const (
	Region    = "us-east-1"
	AccountID = "123456789012"
	AccessKey = "hsc-test-access-key"
	SecretKey = "hsc-test-secret-key"
	// RoleARN is a role ARN the server accepts (it never assumes it).
	RoleARN = "arn:aws:iam::" + AccountID + ":role/hsc-test"
)

// Name returns a state machine or activity name unique to this test run,
// starting with prefix, so tests and packages can share one server. It
// fits the service's 80-character limit.
func Name(t testing.TB, prefix string) string {
	t.Helper()
	suffix := "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.Itoa(os.Getpid())
	if max := 80 - len(suffix); len(prefix) > max {
		prefix = prefix[:max]
	}
	return prefix + suffix
}
