package server_test

import (
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/hsc-dev/hsc/server"
)

func TestTags(t *testing.T) {
	_, c := start(t, server.Config{})
	ctx := ctxT(t)
	sm := createMachine(t, c, "tagged", passDef)
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("a"), Tags: []types.Tag{{Key: aws.String("k0"), Value: aws.String("v0")}}})
	if err != nil {
		t.Fatal(err)
	}
	list := func(arn string) []string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		var kv []string
		for _, tg := range out.Tags {
			kv = append(kv, *tg.Key+"="+*tg.Value)
		}
		sort.Strings(kv)
		return kv
	}
	if got := list(*act.ActivityArn); len(got) != 1 || got[0] != "k0=v0" {
		t.Errorf("activity tags from create: %v", got)
	}
	if _, err := c.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: &sm, Tags: []types.Tag{
		{Key: aws.String("team"), Value: aws.String("x")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	// Tagging an existing key replaces its value.
	if _, err := c.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: &sm, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("y")}}}); err != nil {
		t.Fatal(err)
	}
	if got := list(sm); len(got) != 2 || got[0] != "env=dev" || got[1] != "team=y" {
		t.Errorf("tags %v", got)
	}
	if _, err := c.UntagResource(ctx, &sfn.UntagResourceInput{ResourceArn: &sm, TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := list(sm); len(got) != 1 || got[0] != "team=y" {
		t.Errorf("after untag %v", got)
	}
	// 50 tags per resource at most.
	_, err = c.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: &sm, Tags: manyTags(50)})
	wantCode(t, err, "TooManyTags")
	if got := list(sm); len(got) != 1 {
		t.Errorf("a refused TagResource changed the tags: %v", got)
	}
	_, err = c.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: &sm, Tags: []types.Tag{{Key: aws.String("bad!"), Value: aws.String("v")}}})
	wantCode(t, err, "ValidationException")
	missing := "arn:aws:states:us-east-1:123456789012:stateMachine:nope"
	_, err = c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: &missing})
	if ae := wantCode(t, err, "ResourceNotFound"); ae.ErrorMessage() != "Resource not found: '"+missing+"'" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = c.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String("nope"), Tags: manyTags(1)})
	wantCode(t, err, "InvalidArn")
	// Tags go with the resource.
	if _, err := c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: &sm}); err != nil {
		t.Fatal(err)
	}
	createMachine(t, c, "tagged", passDef)
	if got := list(sm); len(got) != 0 {
		t.Errorf("a new machine of the same name has the old tags %v", got)
	}
}
