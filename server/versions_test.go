package server_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/server"
)

const succeedDef = `{"StartAt":"S","States":{"S":{"Type":"Pass","Result":"v2","End":true}}}`

func TestVersionsAndAliases(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	arn := createMachine(t, c, "ver", `{"StartAt":"S","States":{"S":{"Type":"Pass","Result":"v1","End":true}}}`)
	v1, err := c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: &arn, Description: aws.String("first")})
	if err != nil || *v1.StateMachineVersionArn != arn+":1" {
		t.Fatalf("publish: %+v %v", v1, err)
	}
	// Publishing the same revision again returns the same version.
	again, err := c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: &arn})
	if err != nil || *again.StateMachineVersionArn != *v1.StateMachineVersionArn {
		t.Errorf("republish: %+v %v", again, err)
	}
	up, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(succeedDef)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: &arn, RevisionId: aws.String("stale")})
	wantCode(t, err, "ConflictException")
	v2, err := c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: &arn, RevisionId: up.RevisionId})
	if err != nil || *v2.StateMachineVersionArn != arn+":2" {
		t.Fatalf("publish 2: %+v %v", v2, err)
	}
	vs, err := c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: &arn, MaxResults: 1})
	if err != nil || len(vs.StateMachineVersions) != 1 || *vs.StateMachineVersions[0].StateMachineVersionArn != arn+":2" || vs.NextToken == nil {
		t.Fatalf("versions page 1: %+v %v", vs, err)
	}
	vs2, err := c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: &arn, MaxResults: 1, NextToken: vs.NextToken})
	if err != nil || len(vs2.StateMachineVersions) != 1 || *vs2.StateMachineVersions[0].StateMachineVersionArn != arn+":1" || vs2.NextToken != nil {
		t.Fatalf("versions page 2: %+v %v", vs2, err)
	}

	// An alias routes by weight; a version-only alias always runs that version.
	_, err = c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("prod"), RoutingConfiguration: []types.RoutingConfigurationListItem{
		{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 50}, {StateMachineVersionArn: v2.StateMachineVersionArn, Weight: 40}}})
	wantCode(t, err, "ValidationException")
	_, err = c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("prod"), RoutingConfiguration: []types.RoutingConfigurationListItem{
		{StateMachineVersionArn: aws.String(arn + ":9"), Weight: 100}}})
	wantCode(t, err, "ResourceNotFound")
	al, err := c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("prod"), Description: aws.String("d"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 100}}})
	if err != nil || *al.StateMachineAliasArn != arn+":prod" {
		t.Fatalf("alias: %+v %v", al, err)
	}
	run := func(target string) (*sfn.DescribeExecutionOutput, string) {
		t.Helper()
		ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &target})
		if err != nil {
			t.Fatal(err)
		}
		d := waitDone(t, c, *ex.ExecutionArn)
		return d, aws.ToString(d.Output)
	}
	if d, out := run(*al.StateMachineAliasArn); out != `"v1"` || aws.ToString(d.StateMachineAliasArn) != *al.StateMachineAliasArn || aws.ToString(d.StateMachineVersionArn) != arn+":1" {
		t.Errorf("through the alias: output %s alias %v version %v", out, aws.ToString(d.StateMachineAliasArn), aws.ToString(d.StateMachineVersionArn))
	}
	if _, out := run(arn + ":1"); out != `"v1"` {
		t.Errorf("version 1 output %s", out)
	}
	if _, out := run(arn); out != `"v2"` {
		t.Errorf("unqualified output %s", out)
	}
	byAlias, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: al.StateMachineAliasArn})
	if err != nil || len(byAlias.Executions) != 1 {
		t.Errorf("executions by alias: %+v %v", byAlias, err)
	}
	byVersion, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: v1.StateMachineVersionArn})
	if err != nil || len(byVersion.Executions) != 2 {
		t.Errorf("executions by version 1: %d %v", len(byVersion.Executions), err)
	}

	if _, err := c.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: al.StateMachineAliasArn,
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: v2.StateMachineVersionArn, Weight: 100}}}); err != nil {
		t.Fatal(err)
	}
	da, err := c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: al.StateMachineAliasArn})
	if err != nil || *da.Name != "prod" || aws.ToString(da.Description) != "d" || len(da.RoutingConfiguration) != 1 || *da.RoutingConfiguration[0].StateMachineVersionArn != arn+":2" {
		t.Errorf("describe alias: %+v %v", da, err)
	}
	la, err := c.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: &arn})
	if err != nil || len(la.StateMachineAliases) != 1 {
		t.Errorf("aliases: %+v %v", la, err)
	}
	// A version an alias routes to cannot be deleted.
	_, err = c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: v2.StateMachineVersionArn})
	if ae := wantCode(t, err, "ConflictException"); !strings.Contains(ae.ErrorMessage(), *al.StateMachineAliasArn) {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	if _, err := c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: v1.StateMachineVersionArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: v1.StateMachineVersionArn})
	wantCode(t, err, "StateMachineDoesNotExist")
	if _, err := c.DeleteStateMachineAlias(ctx, &sfn.DeleteStateMachineAliasInput{StateMachineAliasArn: al.StateMachineAliasArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: al.StateMachineAliasArn})
	wantCode(t, err, "ResourceNotFound")
	_, err = c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: &arn})
	wantCode(t, err, "InvalidArn")
}
