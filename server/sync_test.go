package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/server/servertest"
)

// noHostPrefix is the Go SDK's switch for the "sync-" host prefix of
// StartSyncExecution and TestState.
var noHostPrefix = servertest.NoHostPrefix

func createExpress(t *testing.T, c *sfn.Client, name, def string) string {
	t.Helper()
	out, err := c.CreateStateMachine(ctxT(t), &sfn.CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: aws.String(roleARN), Type: types.StateMachineTypeExpress})
	if err != nil {
		t.Fatal(err)
	}
	return *out.StateMachineArn
}

func TestExpressExecutions(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	ok := createExpress(t, c, "fast", passDef)
	out, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: &ok, Name: aws.String("one"), Input: aws.String(`{"a":2}`)}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != types.SyncExecutionStatusSucceeded || aws.ToString(out.Output) != `{"a":2,"r":{"x":1}}` || aws.ToString(out.Name) != "one" ||
		*out.StateMachineArn != ok || out.StopDate == nil || out.BillingDetails == nil {
		t.Errorf("sync: %+v", out)
	}
	fails := createExpress(t, c, "failing", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}}`)
	f, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: &fails}, noHostPrefix)
	if err != nil || f.Status != types.SyncExecutionStatusFailed || aws.ToString(f.Error) != "E" || aws.ToString(f.Cause) != "C" || f.Output != nil {
		t.Errorf("sync failing: %+v %v", f, err)
	}
	std := createMachine(t, c, "standard", passDef)
	_, err = c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: &std}, noHostPrefix)
	wantCode(t, err, "StateMachineTypeNotSupported")

	// Asynchronous Express executions: names may repeat, and their ARNs are
	// refused by the operations that read Standard executions (AWS).
	a, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &ok, Name: aws.String("same")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &ok, Name: aws.String("same")})
	if err != nil || *a.ExecutionArn == *b.ExecutionArn {
		t.Errorf("second express start with the same name: %+v %v", b, err)
	}
	_, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: a.ExecutionArn})
	wantCode(t, err, "InvalidArn")
	_, err = c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &ok})
	wantCode(t, err, "StateMachineTypeNotSupported")
}
