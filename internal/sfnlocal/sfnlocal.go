// Package sfnlocal gives tests the address of the local Step Functions API
// server that .ci/run starts (the npm package stepfunctions-local). It only
// knows the environment contract; it must not know about hsc's packages.
//
// Contract: .ci/run (or a developer) starts the server and exports
// HSC_SFN_ENDPOINT=http://127.0.0.1:PORT. Without it the tests that need it
// are skipped through package testenv (counted in its summary), and fail
// when CI=true.
//
// Start one by hand with `eval "$(bash .ci/sfnlocal.sh start)"` and stop it
// with `bash .ci/sfnlocal.sh stop`. Every package's tests share the one
// server, so name things with Name.
//
// Known departures of stepfunctions-local 1.3.1 from Step Functions, found
// by experiment; tests must assert the service's promise where they can and
// say where the server differs:
//   - A falsy Pass "Result" (0, false, "") is taken as absent.
//   - A Fail state ends the execution SUCCEEDED.
//   - ExecutionFailed holds the failure's message as "error" and the
//     JavaScript exception class ("Error") as "cause"; an activity's
//     SendTaskFailure error name is lost.
//   - StopExecution sets ABORTED but records no ExecutionAborted event nor
//     error/cause, and does not cancel the execution's pending activity
//     task (the server keeps polling it).
//   - Deleting an activity while an execution waits on it makes the
//     server's poll loop throw (the launcher in .ci/sfnlocal.sh logs it and
//     keeps the server up; that execution stays RUNNING).
//   - GetExecutionHistory with reverseOrder reverses the stored history in
//     place, corrupting later reads: read histories oldest first.
//   - Execution ARNs always use the region "local"; machine ARNs use the
//     server's region (us-east-1 from the script).
//   - Only Pass, Choice, Wait, Succeed, Parallel and Task states run; Task
//     resources other than activities, Lambda and ECS fail the execution.
//     No Map state.
//   - Pages work (maxResults, nextToken), up to 1000 a page.
package sfnlocal

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/internal/testenv"
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
	testenv.Skip(t, EnvVar+` is not set: start the local Step Functions server with eval "$(bash .ci/sfnlocal.sh start)"`)
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
