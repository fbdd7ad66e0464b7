package server_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/server"
)

// CreateStateMachine is idempotent when name, definition, type, logging,
// tracing, encryption, publish and versionDescription match; a different
// role or tags are ignored (AWS API reference, CreateStateMachine).
func TestCreateStateMachineIdempotency(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	in := func(mod func(*sfn.CreateStateMachineInput)) *sfn.CreateStateMachineInput {
		i := &sfn.CreateStateMachineInput{Name: aws.String("idem"), Definition: aws.String(passDef), RoleArn: aws.String(roleARN),
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}
		if mod != nil {
			mod(i)
		}
		return i
	}
	first, err := c.CreateStateMachine(ctx, in(nil))
	if err != nil {
		t.Fatal(err)
	}
	same := []func(*sfn.CreateStateMachineInput){
		nil,
		func(i *sfn.CreateStateMachineInput) { i.RoleArn = aws.String("arn:aws:iam::123456789012:role/other") },
		func(i *sfn.CreateStateMachineInput) { i.Tags = nil },
		func(i *sfn.CreateStateMachineInput) { i.Type = types.StateMachineTypeStandard },
	}
	for n, mod := range same {
		again, err := c.CreateStateMachine(ctx, in(mod))
		if err != nil {
			t.Fatalf("case %d: %v", n, err)
		}
		if *again.StateMachineArn != *first.StateMachineArn || !again.CreationDate.Equal(*first.CreationDate) {
			t.Errorf("case %d: %s %v, want the original %s %v", n, *again.StateMachineArn, again.CreationDate, *first.StateMachineArn, first.CreationDate)
		}
	}
	different := []func(*sfn.CreateStateMachineInput){
		func(i *sfn.CreateStateMachineInput) {
			i.Definition = aws.String(strings.Replace(passDef, `"x":1`, `"x":2`, 1))
		},
		func(i *sfn.CreateStateMachineInput) { i.Type = types.StateMachineTypeExpress },
		func(i *sfn.CreateStateMachineInput) { i.Publish = true },
		func(i *sfn.CreateStateMachineInput) {
			i.TracingConfiguration = &types.TracingConfiguration{Enabled: true}
		},
	}
	for n, mod := range different {
		_, err := c.CreateStateMachine(ctx, in(mod))
		ae := wantCode(t, err, "StateMachineAlreadyExists")
		if want := "State Machine Already Exists: '" + *first.StateMachineArn + "'"; ae.ErrorMessage() != want {
			t.Errorf("case %d: message %q, want %q", n, ae.ErrorMessage(), want)
		}
	}
	// The ignored role and tags were not applied.
	d, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: first.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	if *d.RoleArn != roleARN {
		t.Errorf("role %s changed by an idempotent create", *d.RoleArn)
	}
	tags, err := c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: first.StateMachineArn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Value != "a" {
		t.Errorf("tags %v %v, want team=a", tags, err)
	}
}

func TestCreateStateMachineErrors(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	tests := []struct {
		name string
		in   sfn.CreateStateMachineInput
		code string
		msg  string // a part of the message
	}{
		{"space in name", sfn.CreateStateMachineInput{Name: aws.String("a b")}, "InvalidName", "Invalid Name: 'a b'"},
		{"slash in name", sfn.CreateStateMachineInput{Name: aws.String("a/b")}, "InvalidName", "Invalid Name: 'a/b'"},
		{"control character", sfn.CreateStateMachineInput{Name: aws.String("a\u0085")}, "InvalidName", "Invalid Name"},
		{"bad role", sfn.CreateStateMachineInput{RoleArn: aws.String("role")}, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: role'"},
		{"not IAM", sfn.CreateStateMachineInput{RoleArn: aws.String("arn:aws:s3:::bucket")}, "InvalidArn", "Invalid Arn"},
		{"bad JSON", sfn.CreateStateMachineInput{Definition: aws.String(`{"StartAt":`)}, "InvalidDefinition",
			"Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: "},
		{"missing target", sfn.CreateStateMachineInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}`)},
			"InvalidDefinition", "MISSING_TRANSITION_TARGET: "},
		{"schema", sfn.CreateStateMachineInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Bogus":1}}}`)},
			"InvalidDefinition", "SCHEMA_VALIDATION_FAILED: "},
		{"express activity", sfn.CreateStateMachineInput{Type: types.StateMachineTypeExpress,
			Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:x","End":true}}}`)},
			"InvalidDefinition", "Express state machine does not support Activity ARN at /States/A/Resource"},
		{"express callback", sfn.CreateStateMachineInput{Type: types.StateMachineTypeExpress,
			Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}`)},
			"InvalidDefinition", "'.waitForTaskToken'"},
		{"express sync", sfn.CreateStateMachineInput{Type: types.StateMachineTypeExpress,
			Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","End":true}}}`)},
			"InvalidDefinition", "'.sync'"},
		{"description without publish", sfn.CreateStateMachineInput{VersionDescription: aws.String("v")}, "ValidationException", "publish"},
		{"logging without destination", sfn.CreateStateMachineInput{LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelAll}},
			"InvalidLoggingConfiguration", "Log Destination"},
		{"too many tags", sfn.CreateStateMachineInput{Tags: manyTags(51)}, "TooManyTags", "Too many tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.Name == nil {
				in.Name = aws.String("m")
			}
			if in.Definition == nil {
				in.Definition = aws.String(passDef)
			}
			if in.RoleArn == nil {
				in.RoleArn = aws.String(roleARN)
			}
			_, err := c.CreateStateMachine(ctx, &in)
			ae := wantCode(t, err, tt.code)
			if !strings.Contains(ae.ErrorMessage(), tt.msg) {
				t.Errorf("message %q does not contain %q", ae.ErrorMessage(), tt.msg)
			}
		})
	}
	l, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil || len(l.StateMachines) != 0 {
		t.Errorf("a failed create left %v (%v)", l, err)
	}
}

func manyTags(n int) []types.Tag {
	tags := make([]types.Tag, n)
	for i := range tags {
		tags[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
	}
	return tags
}

func TestDescribeUpdateDeleteStateMachine(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	arn := createMachine(t, c, "life", passDef)
	d, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Name != "life" || *d.Definition != passDef || d.Type != types.StateMachineTypeStandard || d.Status != types.StateMachineStatusActive ||
		*d.RoleArn != roleARN || d.RevisionId == nil || d.LoggingConfiguration.Level != types.LogLevelOff || d.CreationDate == nil {
		t.Errorf("describe: %+v", d)
	}
	if want := "arn:aws:states:us-east-1:123456789012:stateMachine:life"; arn != want {
		t.Errorf("arn %s, want %s", arn, want)
	}

	_, err = c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: &arn})
	wantCode(t, err, "MissingRequiredParameter")
	_, err = c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(`{"StartAt":"X","States":{}}`)})
	wantCode(t, err, "InvalidDefinition")
	def2 := `{"StartAt":"Only","States":{"Only":{"Type":"Succeed"}}}`
	u, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: &arn, Definition: &def2, Publish: true, VersionDescription: aws.String("two")})
	if err != nil {
		t.Fatal(err)
	}
	if *u.RevisionId == *d.RevisionId || aws.ToString(u.StateMachineVersionArn) != arn+":1" {
		t.Errorf("update: revision %s (was %s), version %v", *u.RevisionId, *d.RevisionId, aws.ToString(u.StateMachineVersionArn))
	}
	d2, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &arn})
	if err != nil || *d2.Definition != def2 || *d2.RevisionId != *u.RevisionId {
		t.Errorf("after update: %+v %v", d2, err)
	}
	v, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn + ":1")})
	if err != nil || *v.Definition != def2 || aws.ToString(v.Description) != "two" {
		t.Errorf("version 1: %+v %v", v, err)
	}

	for _, bad := range []struct{ arn, msg string }{
		{"abc", "Invalid Arn: 'Invalid ARN prefix: abc'"},
		{"arn:aws:states:us-east-1:123456789012:execution:life:x", "Invalid Arn: 'Resource type not valid in this context: execution'"},
		{"arn:aws:lambda:us-east-1:123456789012:function:f", "Invalid Arn: 'arn:aws:lambda:us-east-1:123456789012:function:f'"},
	} {
		_, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(bad.arn)})
		if ae := wantCode(t, err, "InvalidArn"); ae.ErrorMessage() != bad.msg {
			t.Errorf("%s: message %q, want %q", bad.arn, ae.ErrorMessage(), bad.msg)
		}
	}

	if _, err := c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: &arn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &arn})
	if ae := wantCode(t, err, "StateMachineDoesNotExist"); ae.ErrorMessage() != "State Machine Does Not Exist: '"+arn+"'" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn + ":1")})
	wantCode(t, err, "StateMachineDoesNotExist")
	// Deleting again succeeds, as on AWS.
	if _, err := c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: &arn}); err != nil {
		t.Errorf("second delete: %v", err)
	}
	_, err = c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: &arn, Definition: &def2})
	wantCode(t, err, "StateMachineDoesNotExist")
}

// Every List pages with maxResults (0 means the default of 100) and an
// opaque nextToken that is only valid for the listing that made it.
func TestListStateMachinesPaging(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	var want []string
	for i := range 7 {
		want = append(want, createMachine(t, c, fmt.Sprintf("m%d", i), passDef))
	}
	var got []string
	var token *string
	pages := 0
	for {
		out, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: 3, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, m := range out.StateMachines {
			got = append(got, *m.StateMachineArn)
			if m.Type != types.StateMachineTypeStandard || m.CreationDate == nil {
				t.Errorf("item %+v", m)
			}
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
		if pages == 1 {
			_, err := c.ListActivities(ctx, &sfn.ListActivitiesInput{NextToken: token})
			wantCode(t, err, "InvalidToken")
		}
	}
	if pages != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%d pages: %v, want %v", pages, got, want)
	}
	all, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil || len(all.StateMachines) != 7 || all.NextToken != nil {
		t.Errorf("default page: %v %v", all, err)
	}
	_, err = c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{NextToken: aws.String("not-a-token")})
	wantCode(t, err, "InvalidToken")
}

func TestValidateStateMachineDefinition(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	ok, err := c.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(passDef)})
	if err != nil || ok.Result != types.ValidateStateMachineDefinitionResultCodeOk || len(ok.Diagnostics) != 0 {
		t.Fatalf("valid definition: %+v %v", ok, err)
	}
	bad := `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"Nowhere"},{"Variable":"$.y","IsPresent":true,"Next":"Elsewhere"}],"Default":"C"},"C":{"Type":"Succeed"}}}`
	out, err := c.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: &bad})
	if err != nil {
		t.Fatal(err)
	}
	if out.Result != types.ValidateStateMachineDefinitionResultCodeFail || len(out.Diagnostics) != 2 {
		t.Fatalf("invalid definition: %+v", out)
	}
	for _, d := range out.Diagnostics {
		if d.Severity != types.ValidateStateMachineDefinitionSeverityError || *d.Code != "MISSING_TRANSITION_TARGET" || !strings.HasPrefix(aws.ToString(d.Location), "/States/") {
			t.Errorf("diagnostic %+v", d)
		}
	}
	one, err := c.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: &bad, MaxResults: 1})
	if err != nil || len(one.Diagnostics) != 1 || !aws.ToBool(one.Truncated) {
		t.Errorf("maxResults 1: %+v %v", one, err)
	}
	// An unreachable state and a machine without a terminal state are
	// errors, in the service's codes and words (answers recorded on AWS:
	// 'MISSING_TRANSITION_TARGET: State "X" is not reachable. at
	// /States/X'; 'MISSING_END_STATE: Workflow has no terminal state').
	for _, tc := range []struct{ def, code, msg, loc string }{
		{`{"StartAt":"A","States":{"A":{"Type":"Succeed"},"Lost":{"Type":"Succeed"}}}`, "MISSING_TRANSITION_TARGET", `State "Lost" is not reachable.`, "/States/Lost"},
		{`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}`, "MISSING_END_STATE", "Workflow has no terminal state", ""},
	} {
		out, err := c.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(tc.def)})
		if err != nil || out.Result != types.ValidateStateMachineDefinitionResultCodeFail || len(out.Diagnostics) != 1 {
			t.Errorf("%s: %+v %v; want FAIL with one diagnostic", tc.def, out, err)
			continue
		}
		d := out.Diagnostics[0]
		if d.Severity != types.ValidateStateMachineDefinitionSeverityError || aws.ToString(d.Code) != tc.code || aws.ToString(d.Message) != tc.msg || aws.ToString(d.Location) != tc.loc {
			t.Errorf("%s: diagnostic %s %q %q at %q; want ERROR %s %q at %q", tc.def, d.Severity, aws.ToString(d.Code), aws.ToString(d.Message), aws.ToString(d.Location), tc.code, tc.msg, tc.loc)
		}
		_, err = c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("unfinished"), Definition: aws.String(tc.def), RoleArn: aws.String(roleARN)})
		var inv *types.InvalidDefinition
		if !errors.As(err, &inv) || !strings.Contains(inv.ErrorMessage(), tc.code+": "+tc.msg) {
			t.Errorf("%s: create: %v; want InvalidDefinition with %s", tc.def, err, tc.code)
		}
	}
}

// StartExecution after an answered UpdateStateMachine runs the new
// revision, and after DeleteStateMachine it is refused, on both stores
// (the start path reads machines through a cache; AWS API reference,
// UpdateStateMachine and DeleteStateMachine).
func TestStartAfterUpdateAndDelete(t *testing.T) {
	for _, kind := range []string{"memstore", "sqlstore"} {
		t.Run(kind, func(t *testing.T) {
			cfg := server.Config{}
			if kind == "sqlstore" {
				cfg.Store = openStoreB(t)
			}
			_, c := start(t, cfg)
			ctx := ctxT(t)
			arn := createMachine(t, c, "cached", passDef)
			run := func() *sfn.DescribeExecutionOutput {
				t.Helper()
				ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn})
				if err != nil {
					t.Fatal(err)
				}
				return waitDone(t, c, *ex.ExecutionArn)
			}
			if d := run(); d.Status != types.ExecutionStatusSucceeded {
				t.Fatalf("first run: %s", d.Status)
			}
			def2 := `{"StartAt":"Stop","States":{"Stop":{"Type":"Fail","Error":"Two"}}}`
			if _, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: &arn, Definition: &def2}); err != nil {
				t.Fatal(err)
			}
			if d := run(); d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Two" {
				t.Fatalf("after the update: %s %s, want FAILED Two", d.Status, aws.ToString(d.Error))
			}
			if _, err := c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: &arn}); err != nil {
				t.Fatal(err)
			}
			_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn})
			wantCode(t, err, "StateMachineDoesNotExist")
		})
	}
}
