package server_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/server"
)

// A test starts the service in-process and points an unmodified SDK client
// at its URL; any credentials work.
func Example() {
	srv, err := server.New(server.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	ctx := context.Background()
	c := sfn.New(sfn.Options{
		BaseEndpoint: aws.String(srv.URL()),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("any", "any", ""),
	})
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String("hello"),
		Definition: aws.String(`{"StartAt":"Hi","States":{"Hi":{"Type":"Pass","Result":"hello","End":true}}}`),
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/any"),
	})
	if err != nil {
		log.Fatal(err)
	}
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("first")})
	if err != nil {
		log.Fatal(err)
	}
	for {
		d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
		if err != nil {
			log.Fatal(err)
		}
		if d.Status != "RUNNING" {
			fmt.Println(*ex.ExecutionArn)
			fmt.Println(d.Status, *d.Output)
			break
		}
		time.Sleep(time.Millisecond)
	}
	// Output:
	// arn:aws:states:us-east-1:123456789012:execution:hello:first
	// SUCCEEDED "hello"
}
