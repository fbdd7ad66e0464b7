package decompile_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/decompile"
	"github.com/hsc-dev/hsc/format"
)

// TestForms: decompile writes switch where every rule compares one
// variable for equality, Lambda()/Activity() for ARNs in the region and
// account it is given, heaviside's service integrations by name (with the
// sync parameter where the Resource needs it), the other integrations as
// Service.Action[.suffix](), Arn() otherwise, and the explicit transitions
// of the DSL extensions (next:, end:, goto on a branch's or catcher's line,
// else: None) where heaviside's linking cannot say it; each compiles back
// (with the same region and account) to the definition.
func TestForms(t *testing.T) {
	const region, account = "us-east-1", "123456789012"
	tests := []struct {
		name, def string
		want      []string
		not       []string
	}{
		{"switch", `{"StartAt": "Route", "States": {
  "Route": {"Type": "Choice", "Choices": [
    {"Variable": "$.kind", "StringEquals": "a", "Next": "A"},
    {"Variable": "$.kind", "NumericEquals": 2, "Next": "B"}], "Default": "C"},
  "A": {"Type": "Pass", "End": true},
  "B": {"Type": "Pass", "End": true},
  "C": {"Type": "Pass", "End": true}}}`,
			[]string{"switch '$.kind':\n    \"\"\"Route\"\"\"\n    case 'a':\n", "    case 2:\n", "    default:\n"}, []string{"if "}},
		{"if when the variables differ", `{"StartAt": "Route", "States": {
  "Route": {"Type": "Choice", "Choices": [
    {"Variable": "$.kind", "StringEquals": "a", "Next": "A"},
    {"Variable": "$.other", "NumericEquals": 2, "Next": "B"}], "Default": "C"},
  "A": {"Type": "Pass", "End": true},
  "B": {"Type": "Pass", "End": true},
  "C": {"Type": "Pass", "End": true}}}`,
			[]string{"if '$.kind' == 'a':", "elif '$.other' == 2:"}, []string{"switch"}},
		{"lambda and activity", `{"StartAt": "F", "States": {
  "F": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:resize", "Next": "G"},
  "G": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:approve", "Next": "H"},
  "H": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:other", "End": true}}}`,
			[]string{"Lambda('resize')", "Activity('approve')", "Arn('arn:aws:lambda:eu-west-1:123456789012:function:other')"}, nil},
		{"services", `{"StartAt": "Get", "States": {
  "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "Parameters": {"TableName": "t", "Key": {"id": {"S.$": "$.id"}}}, "Next": "Job"},
  "Job": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob", "Parameters": {"JobName": "j", "JobDefinition": "d", "JobQueue": "q"}, "Next": "Synced"},
  "Synced": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync", "Parameters": {"JobName": "j", "JobDefinition": "d", "JobQueue": "q"}, "Next": "Missing"},
  "Missing": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "Parameters": {"TableName": "t"}, "End": true}}}`,
			[]string{"DynamoDB.GetItem()\n    \"\"\"Get\"\"\"", "Batch.SubmitJob()\n    \"\"\"Job\"\"\"", "        sync: false\n", "Batch.SubmitJob()\n    \"\"\"Synced\"\"\"", "Arn('arn:aws:states:::dynamodb:getItem')\n    \"\"\"Missing\"\"\""}, nil},
		{"integrations by name", `{"StartAt": "Call", "States": {
  "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "Next": "Run"},
  "Run": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:m"}, "Next": "Get"},
  "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}, "End": true}}}`,
			[]string{"Lambda.Invoke()\n", "StepFunctions.StartExecution.sync2()\n", "S3.GetObject()\n"}, []string{"Arn("}},
		{"goto branches", `{"StartAt": "Wait for job", "States": {
  "Wait for job": {"Type": "Wait", "Seconds": 5, "Next": "Check"},
  "Check": {"Type": "Choice", "Choices": [
    {"Variable": "$.status", "StringEquals": "DONE", "Next": "Finish"},
    {"Variable": "$.n", "IsPresent": true, "Next": "Skipped"}], "Default": "Wait for job"},
  "Skipped": {"Type": "Pass", "Next": "Route"},
  "Route": {"Type": "Choice", "Choices": [{"Variable": "$.n", "IsPresent": true, "Next": "Finish"}]},
  "Finish": {"Type": "Succeed"}}}`,
			[]string{"if is_present('$.n'): goto 'Finish'\n        \"\"\"Route\"\"\"\n", "else: goto 'Wait for job'\n", "else: None\n"}, nil},
		{"next, end and catch goto", `{"StartAt": "Start", "States": {
  "Start": {"Type": "Pass", "Next": "Work"},
  "Work": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Start"}], "Next": "Which"},
  "Which": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Stop"}], "Default": "Again"},
  "Stop": {"Type": "Pass", "End": true},
  "Again": {"Type": "Pass", "Next": "Start"}}}`,
			[]string{"catch ['States.ALL']: goto 'Start'\n", "next: 'Start'\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := asl.Parse([]byte(tt.def))
			if err != nil {
				t.Fatal(err)
			}
			text, err := decompile.Decompile(m, decompile.WithRegion(region), decompile.WithAccountID(account))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(text), w) {
					t.Errorf("output lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(string(text), w) {
					t.Errorf("output has %q:\n%s", w, text)
				}
			}
			res, err := hsc.Compile(text, hsc.WithRegion(region), hsc.WithAccountID(account))
			if err != nil {
				t.Fatalf("%v\n%s", err, text)
			}
			if !sameJSON(t, []byte(tt.def), res.Definition) {
				t.Errorf("round trip differs\n%s\n%s", text, res.Definition)
			}
		})
	}
}

// TestDecompilePrintsCanonically: decompile prints through package
// format, so hsc fmt leaves the decompiled program of every parity and
// golden program unchanged.
func TestDecompilePrintsCanonically(t *testing.T) {
	var defs [][]byte
	for _, f := range programs(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := hsc.Compile(src, hsc.WithCompat(hsc.CompatHeaviside)); err == nil {
			defs = append(defs, res.Definition)
		}
	}
	n := 0
	for _, def := range defs {
		m, err := asl.Parse(def)
		if err != nil {
			t.Fatal(err)
		}
		text, err := decompile.Decompile(m)
		if err != nil {
			t.Fatal(err)
		}
		out, err := format.Source(text)
		if err != nil || !bytes.Equal(out, text) {
			t.Errorf("hsc fmt changes a decompiled program (%v):\n%s\n---\n%s", err, text, out)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no programs")
	}
}
