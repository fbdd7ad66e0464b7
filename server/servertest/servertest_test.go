package servertest_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/server/servertest"
)

func TestStartAndSyncExecution(t *testing.T) {
	s := servertest.Start(t, server.Config{})
	c := sfn.New(sfn.Options{BaseEndpoint: aws.String(s.URL()), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}, servertest.NoHostPrefix)
	ctx := context.Background()
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("x"), Type: "EXPRESS",
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"ok","End":true}}}`),
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/r")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != "SUCCEEDED" || aws.ToString(out.Output) != `"ok"` {
		t.Errorf("%s %s", out.Status, aws.ToString(out.Output))
	}
}
