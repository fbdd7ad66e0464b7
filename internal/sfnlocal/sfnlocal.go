// Package sfnlocal gives tests the address of a local Step Functions API:
// hsc's own server (package server, what `hsc serve` runs), started
// in-process once per test binary, on a free loopback port. Tests assert
// AWS's behaviour against it. It knows the server's Config and the test
// environment, nothing of the packages under test.
//
// HSC_SFN_ENDPOINT=http://HOST:PORT makes Endpoint return that endpoint
// instead (a `hsc serve` process started by hand, for example); the tests
// expect Step Functions' behaviour from it.
//
// Every test of a binary shares the one server, so name things with Name.
// It runs with the server's defaults, which are AWS's: real time, and
// GetActivityTask held up to 60 s when no task comes (workers under test
// must cancel their polls to stop promptly).
package sfnlocal

import (
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/server"
)

// EnvVar names the variable that points the tests at another server.
const EnvVar = "HSC_SFN_ENDPOINT"

// shared is the test binary's one server: tests of a package share it as
// they shared one external server before, and it lives until the binary
// exits (its executions and long polls end with the process).
var shared struct {
	once sync.Once
	url  string
	err  error
}

// Endpoint returns the URL of the local Step Functions API, starting the
// in-process server on first use.
func Endpoint(t testing.TB) string {
	t.Helper()
	if ep := os.Getenv(EnvVar); ep != "" {
		return ep
	}
	shared.once.Do(func() {
		s, err := server.New(server.Config{Addr: "127.0.0.1:0", Region: Region, AccountID: AccountID})
		if err == nil {
			err = s.Start()
		}
		if err != nil {
			shared.err = err
			return
		}
		shared.url = s.URL()
	})
	if shared.err != nil {
		t.Fatalf("starting the local Step Functions server: %v", shared.err)
	}
	return shared.url
}

// Values tests use with the local server. The server accepts any
// credentials; ARNs use the aws partition and this account.
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
