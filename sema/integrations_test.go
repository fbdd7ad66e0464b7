package sema

import (
	"strings"
	"testing"
)

// TestResolve follows the AWS Step Functions Developer Guide: optimized
// integrations are arn:aws:states:::SERVICE:action[.sync|.sync:2|
// .waitForTaskToken], any other SDK action arn:aws:states:::aws-sdk:
// service:action (request-response or .waitForTaskToken only).
func TestResolve(t *testing.T) {
	in, err := LoadIntegrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		svc, action, suffix string
		want                string // resource, or "error: part: substring"
	}{
		{"StepFunctions", "StartExecution", "sync", "arn:aws:states:::states:startExecution.sync"},
		{"StepFunctions", "StartExecution", "sync2", "arn:aws:states:::states:startExecution.sync:2"},
		{"SFN", "startExecution", "waitForTaskToken", "arn:aws:states:::states:startExecution.waitForTaskToken"},
		{"SFN", "ListExecutions", "", "arn:aws:states:::aws-sdk:sfn:listExecutions"},
		{"Lambda", "Invoke", "", "arn:aws:states:::lambda:invoke"},
		{"Lambda", "ListFunctions", "", "arn:aws:states:::aws-sdk:lambda:listFunctions"},
		{"SQS", "SendMessage", "waitForTaskToken", "arn:aws:states:::sqs:sendMessage.waitForTaskToken"},
		{"S3", "GetObject", "", "arn:aws:states:::aws-sdk:s3:getObject"},
		{"s3", "ListObjectsV2", "", "arn:aws:states:::aws-sdk:s3:listObjectsV2"},
		{"DynamoDB", "Query", "", "arn:aws:states:::aws-sdk:dynamodb:query"},
		{"DynamoDB", "UpdateItem", "", "arn:aws:states:::dynamodb:updateItem"},
		{"DynamoDB", "PutItem", "waitForTaskToken", "arn:aws:states:::aws-sdk:dynamodb:putItem.waitForTaskToken"},
		{"EventBridge", "PutEvents", "", "arn:aws:states:::events:putEvents"},
		{"EMR", "AddStep", "sync", "arn:aws:states:::elasticmapreduce:addStep.sync"},
		{"EMRServerless", "StartJobRun", "sync", "arn:aws:states:::emr-serverless:startJobRun.sync"},
		{"Athena", "GetQueryResults", "", "arn:aws:states:::athena:getQueryResults"},
		{"HTTP", "Invoke", "", "arn:aws:states:::http:invoke"},
		{"RDS", "DescribeDBInstances", "", "arn:aws:states:::aws-sdk:rds:describeDBInstances"},
		{"Config", "ListAggregateDiscoveredResources", "", "arn:aws:states:::aws-sdk:config:listAggregateDiscoveredResources"},
		{"SecretsManager", "GetSecretValue", "", "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue"},
		{"bedrock_agent", "StartIngestionJob", "", "arn:aws:states:::aws-sdk:bedrockagent:startIngestionJob"},

		{"S4", "GetObject", "", "error: service: did you mean 's3'?"},
		{"StepFunction", "StartExecution", "", "error: service: did you mean 'StepFunctions'?"},
		{"Nope", "Nothing", "", "error: service: Invalid Task service: 'Nope' is neither"},
		{"S3", "GetObjekt", "", "error: action: did you mean 'GetObject'?"},
		{"HTTP", "Get", "", "error: action: Invalid Task function: HTTP has no action 'Get'"},
		{"Lambda", "Invoke", "sync", "error: suffix: does not support .sync"},
		{"S3", "GetObject", "sync", "error: suffix: supports request-response and .waitForTaskToken"},
		{"S3", "GetObject", "later", "error: suffix: unknown integration pattern"},
		{"Glue", "StartJobRun", "sync2", "error: suffix: does not support .sync:2"},
	} {
		got, rerr := in.Resolve(c.svc, c.action, c.suffix)
		name := c.svc + "." + c.action + "." + c.suffix
		if strings.HasPrefix(c.want, "error: ") {
			part, msg, _ := strings.Cut(strings.TrimPrefix(c.want, "error: "), ": ")
			if rerr == nil {
				t.Errorf("%s = %s, want an error", name, got)
			} else if rerr.Part != part || !strings.Contains(rerr.Msg, msg) {
				t.Errorf("%s: error %s %q, want %s containing %q", name, rerr.Part, rerr.Msg, part, msg)
			}
			continue
		}
		if rerr != nil || got != c.want {
			t.Errorf("%s = %q, %v; want %q", name, got, rerr, c.want)
		}
	}
}

// TestOptimizedTableConsistent: every optimized service's SDK name is in
// the SDK table, and the tables load.
func TestOptimizedTableConsistent(t *testing.T) {
	in, err := LoadIntegrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(in.sdk) < 300 {
		t.Errorf("only %d AWS SDK services", len(in.sdk))
	}
	for name, o := range in.opt {
		if o.sdk != "" && in.sdk[o.sdk] == nil {
			t.Errorf("%s: SDK service %q is not in awssdk.txt.gz", name, o.sdk)
		}
		if len(o.actions) == 0 {
			t.Errorf("%s: no actions", name)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"s3", "s4", 1}, {"getobjekt", "getobject", 1}} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
