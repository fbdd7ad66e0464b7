package server_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go"

	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/server/servertest"
)

const roleARN = "arn:aws:iam::123456789012:role/test"

// start runs a server on a free loopback port for the test.
func start(t testing.TB, cfg server.Config) (*server.Server, *sfn.Client) {
	t.Helper()
	s := servertest.Start(t, cfg)
	check := &modelChecker{next: http.DefaultTransport}
	t.Cleanup(func() {
		for _, p := range check.problems() {
			t.Errorf("answer not as the model says: %s", p)
		}
	})
	c := client(s.URL())
	return s, sfn.New(c.Options(), func(o *sfn.Options) { o.HTTPClient = &http.Client{Transport: check} })
}

// client is an unmodified Go SDK client for the endpoint, with dummy
// credentials (signatures are not checked) and no retries, so that each
// error reaches the test.
func client(url string) *sfn.Client {
	return sfn.New(sfn.Options{
		BaseEndpoint:     aws.String(url),
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
	})
}

// wantCode checks that err is an API error with the code.
func wantCode(t testing.TB, err error, code string) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	return ae
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func createMachine(t testing.TB, c *sfn.Client, name, def string) string {
	t.Helper()
	out, err := c.CreateStateMachine(ctxT(t), &sfn.CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: aws.String(roleARN)})
	if err != nil {
		t.Fatalf("CreateStateMachine %s: %v", name, err)
	}
	return *out.StateMachineArn
}

// createActivity creates the activity.
func createActivity(t testing.TB, c *sfn.Client, name string) *sfn.CreateActivityOutput {
	t.Helper()
	out, err := c.CreateActivity(ctxT(t), &sfn.CreateActivityInput{Name: &name})
	if err != nil {
		t.Fatalf("CreateActivity %s: %v", name, err)
	}
	return out
}

// startExec starts an execution of the state machine with no name or input.
func startExec(t testing.TB, c *sfn.Client, arn string) *sfn.StartExecutionOutput {
	t.Helper()
	out, err := c.StartExecution(ctxT(t), &sfn.StartExecutionInput{StateMachineArn: &arn})
	if err != nil {
		t.Fatalf("StartExecution %s: %v", arn, err)
	}
	return out
}

// pollTask takes a task of the activity, failing the test when none comes.
func pollTask(t testing.TB, c *sfn.Client, activity *string) *sfn.GetActivityTaskOutput {
	t.Helper()
	task, err := c.GetActivityTask(ctxT(t), &sfn.GetActivityTaskInput{ActivityArn: activity})
	if err != nil || task.TaskToken == nil {
		t.Fatalf("poll: %+v %v", task, err)
	}
	return task
}

// waitDone polls DescribeExecution until the execution is no longer RUNNING.
func waitDone(t testing.TB, c *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := c.DescribeExecution(ctxT(t), &sfn.DescribeExecutionInput{ExecutionArn: &arn})
		if err != nil {
			t.Fatalf("DescribeExecution: %v", err)
		}
		if out.Status != "RUNNING" {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still RUNNING", arn)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

const passDef = `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","Next":"B"},"B":{"Type":"Pass","End":true}}}`
