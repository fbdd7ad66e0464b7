package asl

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/diag"
)

// valid uses every state type and most fields; it must yield no problem.
const valid = `{
  "Comment": "all state types",
  "StartAt": "Task",
  "TimeoutSeconds": 300,
  "Version": "1.0",
  "States": {
    "Task": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
      "Parameters": {"a.$": "$.x", "f.$": "States.Format('{}', $.y)", "c": [null, 1], "ctx.$": "$$.Execution.Id"},
      "ResultSelector": {"r.$": "$.Payload"},
      "ResultPath": "$.result",
      "InputPath": "$",
      "OutputPath": null,
      "TimeoutSeconds": 60,
      "HeartbeatSeconds": 10,
      "Retry": [
        {"ErrorEquals": ["Custom.Error"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1.5},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}
      ],
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed", "ResultPath": "$.error"}],
      "Next": "Choose"
    },
    "Choose": {
      "Type": "Choice",
      "Choices": [
        {"Variable": "$.n", "NumericGreaterThan": 3, "Next": "Wait"},
        {"And": [{"Variable": "$.s", "StringEquals": "x"}, {"Not": {"Variable": "$.b", "BooleanEquals": true}}], "Next": "Pass"},
        {"Or": [{"Variable": "$.t", "TimestampLessThanPath": "$.u"}, {"Variable": "$.v", "IsPresent": false}], "Next": "Parallel"}
      ],
      "Default": "Map"
    },
    "Wait": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "Next": "Pass"},
    "Pass": {"Type": "Pass", "Result": {"k": 1}, "ResultPath": "$.p", "Next": "Parallel"},
    "Parallel": {
      "Type": "Parallel",
      "Branches": [
        {"StartAt": "B1", "States": {"B1": {"Type": "Wait", "SecondsPath": "$.secs", "End": true}}},
        {"StartAt": "B2", "States": {"B2": {"Type": "Succeed"}}}
      ],
      "Next": "Map"
    },
    "Map": {
      "Type": "Map",
      "ItemsPath": "$.items[0]['list']",
      "MaxConcurrency": 2,
      "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "M1",
        "States": {"M1": {"Type": "Pass", "End": true}}
      },
      "Next": "Old"
    },
    "Old": {
      "Type": "Map",
      "Iterator": {"StartAt": "I1", "States": {"I1": {"Type": "Wait", "Seconds": 0, "End": true}}},
      "Next": "Done"
    },
    "Done": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "Error": "E", "Cause": "c"}
  }
}`

// validJSONata is a JSONata machine using expressions where literals
// usually go.
const validJSONata = `{
  "QueryLanguage": "JSONata",
  "StartAt": "Call",
  "States": {
    "Call": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
      "Output": "{% $states.result.Payload %}",
      "Assign": {"n": "{% $states.result.n %}"},
      "TimeoutSeconds": "{% $t %}",
      "Catch": [{"ErrorEquals": ["States.ALL"], "Output": {"e": "{% $states.errorOutput %}"}, "Next": "Fail"}],
      "Next": "Choose"
    },
    "Choose": {
      "Type": "Choice",
      "Choices": [{"Condition": "{% $n > 3 %}", "Next": "Wait"}],
      "Default": "Map"
    },
    "Wait": {"Type": "Wait", "Seconds": "{% $n %}", "Next": "Map"},
    "Map": {
      "Type": "Map",
      "Items": "{% $states.input.items %}",
      "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input %}", "End": true}}},
      "End": true
    },
    "Fail": {"Type": "Fail", "Error": "{% $e %}"}
  }
}`

// validLegacyDistributed and validJSONataBatcher are distributed Maps recorded running on AWS
// (localstack's test_map_state_legacy_config_distributed and
// test_map_item_batching_base_json_max_per_batch_jsonata): a legacy
// Iterator with ProcessorConfig, and a JSONata ItemBatcher.
const validLegacyDistributed = `{"StartAt":"MapState","States":{"MapState":{"Type":"Map","Iterator":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"IteratorInner","States":{"IteratorInner":{"Type":"Pass","End":true}}},"End":true}}}`

const validJSONataBatcher = `{"StartAt":"BatchMapState","QueryLanguage":"JSONata","States":{"BatchMapState":{"Type":"Map","ItemReader":{"ReaderConfig":{"InputType":"JSON","MaxItems":2},"Resource":"arn:aws:states:::s3:getObject","Arguments":{"Bucket":"{% $states.input.Bucket %}","Key":"{% $states.input.Key %}"}},"ItemBatcher":{"MaxItemsPerBatch":"{% $states.input.MaxItemsPerBatch %}","MaxInputBytesPerBatch":"{% $states.input.MaxInputBytesPerBatch %}","BatchInput":{"BatchTimestamp":"{% $states.context.State.EnteredTime %}"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"ProcessBatch","States":{"ProcessBatch":{"Type":"Pass","End":true}}},"End":true}}}`

func TestValidateValid(t *testing.T) {
	for name, def := range map[string]string{"JSONPath": valid, "JSONata": validJSONata,
		"legacy distributed": validLegacyDistributed, "JSONata ItemBatcher": validJSONataBatcher} {
		ps, err := Validate([]byte(def))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			t.Errorf("%s: unexpected problem: %v", name, p)
		}
	}
}

// TestIntrinsicArgumentsAccepted: calls whose argument types fit, or are
// known only at run time (paths), draw no warning.
func TestIntrinsicArgumentsAccepted(t *testing.T) {
	for _, call := range []string{
		"States.MathAdd($.a, 1)",
		"States.MathAdd(1.5, -2)",
		"States.ArrayLength(States.StringSplit($.s, ','))",
		"States.Format('{} {} {}', null, true, 3)",
		"States.Hash($.data, 'SHA-256')",
		"States.JsonMerge($.a, States.StringToJson($.b), false)",
		"States.ArrayGetItem(States.Array(1, 'a'), 0)",
		"States.MathRandom(1, States.ArrayLength($.xs))",
		"States.UUID()",
	} {
		ps, err := Validate([]byte(machine(`"A": {"Type": "Pass", "Parameters": {"x.$": "` + call + `"}, "End": true}`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			t.Errorf("%s: unexpected problem: %v", call, p)
		}
	}
}

// TestIntrinsicTableTypes checks that every function of the table gives
// a type for each argument it can take.
func TestIntrinsicTableTypes(t *testing.T) {
	for _, f := range IntrinsicFuncs() {
		n := f.MaxArgs
		if n < 0 {
			n = f.MinArgs + 1 // the last type covers the rest
		}
		if len(f.Params) != n {
			t.Errorf("%s takes up to %d arguments but has %d types", f.Name, n, len(f.Params))
		}
	}
}

// machine wraps states (the body of a "States" object) in a definition
// starting at "A".
func machine(states string) string {
	return `{"StartAt": "A", "States": {` + states + `}}`
}

func TestValidateRules(t *testing.T) {
	tests := []struct {
		name    string
		def     string
		code    Code
		pointer string
		sev     diag.Severity
		msg     string // a fragment of the message
	}{
		{"not an object", `[]`, CodeInvalidType, "", diag.SevError, "must be an object"},
		{"no StartAt", `{"States": {"A": {"Type": "Succeed"}}}`, CodeMissingField, "", diag.SevError, "no StartAt"},
		{"no States", `{"StartAt": "A"}`, CodeMissingField, "", diag.SevError, "no States"},
		{"empty States", `{"StartAt": "A", "States": {}}`, CodeMissingField, "/States", diag.SevError, "at least one state"},
		{"StartAt missing state", `{"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}`, CodeMissingTarget, "/StartAt", diag.SevError, `"B"`},
		{"unknown top field", `{"StartAt": "A", "Foo": 1, "States": {"A": {"Type": "Succeed"}}}`, CodeUnknownField, "/Foo", diag.SevError, `"Foo"`},
		{"duplicate field", `{"StartAt": "A", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}`, CodeDuplicateField, "/StartAt", diag.SevError, "twice"},
		{"bad machine timeout", `{"StartAt": "A", "TimeoutSeconds": 0, "States": {"A": {"Type": "Succeed"}}}`, CodeInvalidValue, "/TimeoutSeconds", diag.SevError, "at least 1"},
		{"no Type", machine(`"A": {"End": true}`), CodeMissingField, "/States/A", diag.SevError, "no Type"},
		{"unknown Type", machine(`"A": {"Type": "Sleep", "End": true}`), CodeInvalidValue, "/States/A/Type", diag.SevError, "Sleep"},
		{"state not object", machine(`"A": 3`), CodeInvalidType, "/States/A", diag.SevError, "must be an object"},
		{"Next missing target", machine(`"A": {"Type": "Pass", "Next": "B"}`), CodeMissingTarget, "/States/A/Next", diag.SevError, `"B"`},
		{"Next and End", machine(`"A": {"Type": "Pass", "Next": "B", "End": true}, "B": {"Type": "Succeed"}`), CodeNextAndEnd, "/States/A/End", diag.SevError, "both"},
		{"neither Next nor End", machine(`"A": {"Type": "Pass"}`), CodeNextAndEnd, "/States/A", diag.SevError, "either Next"},
		{"End false", machine(`"A": {"Type": "Pass", "End": false}`), CodeNextAndEnd, "/States/A", diag.SevError, "either Next"},
		// Credentials (Step Functions Developer Guide, Task state): RoleArn, or RoleArn.$ in JSONPath.
		{"Credentials without RoleArn", machine(`"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Credentials": {"Role": "r"}, "End": true}`), CodeInvalidValue, "/States/A/Credentials", diag.SevError, "exactly one field"},
		{"Credentials RoleArn not a string", machine(`"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Credentials": {"RoleArn": 1}, "End": true}`), CodeInvalidType, "/States/A/Credentials/RoleArn", diag.SevError, "must be a string"},
		{"Credentials RoleArn.$ bad path", machine(`"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Credentials": {"RoleArn.$": "nope"}, "End": true}`), CodeInvalidPath, "/States/A/Credentials/RoleArn.$", diag.SevError, "RoleArn.$"},
		{"End not bool", machine(`"A": {"Type": "Pass", "End": "yes"}`), CodeInvalidType, "/States/A/End", diag.SevError, "true or false"},
		{"Next on Succeed", machine(`"A": {"Type": "Succeed", "Next": "A"}`), CodeUnknownField, "/States/A/Next", diag.SevError, "not allowed in a Succeed state"},
		{"End on Choice", machine(`"A": {"Type": "Choice", "End": true, "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeUnknownField, "/States/A/End", diag.SevError, "not allowed in a Choice state"},
		{"Resource on Pass", machine(`"A": {"Type": "Pass", "Resource": "x", "End": true}`), CodeUnknownField, "/States/A/Resource", diag.SevError, "not allowed"},
		{"InputPath on Fail", machine(`"A": {"Type": "Fail", "InputPath": "$"}`), CodeUnknownField, "/States/A/InputPath", diag.SevError, "not allowed in a Fail state"},
		{"Task without Resource", machine(`"A": {"Type": "Task", "End": true}`), CodeMissingField, "/States/A", diag.SevError, "Resource"},
		{"Resource not string", machine(`"A": {"Type": "Task", "Resource": 1, "End": true}`), CodeInvalidType, "/States/A/Resource", diag.SevError, "string"},
		{"heartbeat equals timeout", machine(`"A": {"Type": "Task", "Resource": "r", "TimeoutSeconds": 10, "HeartbeatSeconds": 10, "End": true}`), CodeHeartbeat, "/States/A/HeartbeatSeconds", diag.SevError, "smaller than TimeoutSeconds (10)"},
		{"heartbeat above default timeout", machine(`"A": {"Type": "Task", "Resource": "r", "HeartbeatSeconds": 100000000, "End": true}`), CodeHeartbeat, "/States/A/HeartbeatSeconds", diag.SevError, "99999999"},
		{"timeout not integer", machine(`"A": {"Type": "Task", "Resource": "r", "TimeoutSeconds": 1.5, "End": true}`), CodeInvalidValue, "/States/A/TimeoutSeconds", diag.SevError, "integer"},
		{"timeout and path", machine(`"A": {"Type": "Task", "Resource": "r", "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t", "End": true}`), CodeInvalidValue, "/States/A/TimeoutSecondsPath", diag.SevError, "both"},
		{"name too long", machine(`"A": {"Type": "Pass", "Next": "` + strings.Repeat("é", 81) + `"}, "` + strings.Repeat("é", 81) + `": {"Type": "Succeed"}`), CodeStateName, "/States/" + strings.Repeat("é", 81), diag.SevError, "exceeds 80"},
		{"empty name", machine(`"A": {"Type": "Pass", "Next": ""}, "": {"Type": "Succeed"}`), CodeStateName, "/States/", diag.SevError, "empty"},
		{"duplicate name across branches", machine(`"A": {"Type": "Parallel", "End": true, "Branches": [
			{"StartAt": "X", "States": {"X": {"Type": "Succeed"}}},
			{"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}]}`), CodeDuplicateState, "/States/A/Branches/1/States/X", diag.SevError, `"X"`},
		{"duplicate of outer name", machine(`"A": {"Type": "Map", "End": true, "Iterator": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}}`), CodeDuplicateState, "/States/A/Iterator/States/A", diag.SevError, `"A"`},
		{"Next into another branch", machine(`"A": {"Type": "Parallel", "End": true, "Branches": [
			{"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}}},
			{"StartAt": "Y", "States": {"Y": {"Type": "Succeed"}}}]}`), CodeMissingTarget, "/States/A/Branches/0/States/X/Next", diag.SevError, "in this branch"},
		{"Parallel without Branches", machine(`"A": {"Type": "Parallel", "End": true}`), CodeMissingField, "/States/A", diag.SevError, "Branches"},
		{"empty Branches", machine(`"A": {"Type": "Parallel", "End": true, "Branches": []}`), CodeMissingField, "/States/A/Branches", diag.SevError, "at least one branch"},
		{"branch without StartAt", machine(`"A": {"Type": "Parallel", "End": true, "Branches": [{"States": {"X": {"Type": "Succeed"}}}]}`), CodeMissingField, "/States/A/Branches/0", diag.SevError, "no StartAt"},
		{"Version in branch", machine(`"A": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "X", "Version": "1.0", "States": {"X": {"Type": "Succeed"}}}]}`), CodeUnknownField, "/States/A/Branches/0/Version", diag.SevError, "Parallel branch"},
		{"Map without iterator", machine(`"A": {"Type": "Map", "End": true}`), CodeMissingField, "/States/A", diag.SevError, "ItemProcessor"},
		{"Map with both iterators", machine(`"A": {"Type": "Map", "End": true,
			"Iterator": {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}},
			"ItemProcessor": {"StartAt": "Y", "States": {"Y": {"Type": "Succeed"}}}}`), CodeInvalidValue, "/States/A/ItemProcessor", diag.SevError, "both"},
		{"ItemReader without Resource", machine(`"A": {"Type": "Map", "End": true, "ItemReader": {"Parameters": {"Bucket": "b"}}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeMissingField, "/States/A/ItemReader", diag.SevError, "Resource"},
		{"ItemReader InputType", machine(`"A": {"Type": "Map", "End": true, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "XML"}}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeInvalidValue, "/States/A/ItemReader/ReaderConfig/InputType", diag.SevError, "one of CSV"},
		{"ItemReader GIVEN without headers", machine(`"A": {"Type": "Map", "End": true, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN"}}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeMissingField, "/States/A/ItemReader/ReaderConfig", diag.SevError, "CSVHeaders"},
		{"ItemReader MaxItems range", machine(`"A": {"Type": "Map", "End": true, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"MaxItems": 100000001}}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeInvalidValue, "/States/A/ItemReader/ReaderConfig/MaxItems", diag.SevError, "at most 100000000"},
		{"ItemReader bad Parameters path", machine(`"A": {"Type": "Map", "End": true, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Key.$": "no path"}}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeInvalidPath, "/States/A/ItemReader/Parameters/Key.$", diag.SevError, "Key.$"},
		{"empty ResultWriter", machine(`"A": {"Type": "Map", "End": true, "ResultWriter": {}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeMissingField, "/States/A/ResultWriter", diag.SevError, "WriterConfig"},
		{"ResultWriter Transformation", machine(`"A": {"Type": "Map", "End": true, "ResultWriter": {"WriterConfig": {"Transformation": "SQUASH"}}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeInvalidValue, "/States/A/ResultWriter/WriterConfig/Transformation", diag.SevError, "NONE, COMPACT, FLATTEN"},
		{"TimeoutSeconds in Iterator", machine(`"A": {"Type": "Map", "End": true, "Iterator": {"TimeoutSeconds": 3, "StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeUnknownField, "/States/A/Iterator/TimeoutSeconds", diag.SevError, "Iterator"},
		{"JSONata ItemBatcher not an expression", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Map", "End": true, "ItemBatcher": {"MaxItemsPerBatch": "ten"}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}}}`, CodeInvalidValue, "/States/A/ItemBatcher/MaxItemsPerBatch", diag.SevError, "JSONata expression"},
		{"JSONata ItemBatcher path", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Map", "End": true, "ItemBatcher": {"MaxItemsPerBatchPath": "$.n"}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}}}`, CodeUnknownField, "/States/A/ItemBatcher/MaxItemsPerBatchPath", diag.SevError, "ItemBatcher"},
		{"negative MaxConcurrency", machine(`"A": {"Type": "Map", "End": true, "MaxConcurrency": -1, "Iterator": {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeInvalidValue, "/States/A/MaxConcurrency", diag.SevError, "at least 0"},
		{"bad ItemsPath", machine(`"A": {"Type": "Map", "End": true, "ItemsPath": "$.a[1.5]", "Iterator": {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeInvalidPath, "/States/A/ItemsPath", diag.SevError, "reference path"},
		{"ToleratedFailurePercentage range", machine(`"A": {"Type": "Map", "End": true, "ToleratedFailurePercentage": 101, "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}`), CodeInvalidValue, "/States/A/ToleratedFailurePercentage", diag.SevError, "between 0 and 100"},
		{"Wait with nothing", machine(`"A": {"Type": "Wait", "End": true}`), CodeInvalidValue, "/States/A", diag.SevError, "exactly one of Seconds"},
		{"Wait with two", machine(`"A": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true}`), CodeInvalidValue, "/States/A", diag.SevError, "has 2"},
		{"Wait bad timestamp", machine(`"A": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00+1.5:00", "End": true}`), CodeInvalidValue, "/States/A/Timestamp", diag.SevError, "RFC 3339"},
		{"Wait negative seconds", machine(`"A": {"Type": "Wait", "Seconds": -1, "End": true}`), CodeInvalidValue, "/States/A/Seconds", diag.SevError, "at least 0"},
		{"Wait seconds string", machine(`"A": {"Type": "Wait", "Seconds": "5", "End": true}`), CodeInvalidType, "/States/A/Seconds", diag.SevError, "integer"},
		{"Fail Error and ErrorPath", machine(`"A": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}`), CodeInvalidValue, "/States/A/ErrorPath", diag.SevError, "both"},
		{"Fail bad CausePath", machine(`"A": {"Type": "Fail", "CausePath": "cause"}`), CodeInvalidPath, "/States/A/CausePath", diag.SevError, "start with '$'"},
		// AWS, Fail state: ErrorPath and CausePath take "a reference path
		// or an intrinsic function".
		{"Fail ErrorPath wildcard", machine(`"A": {"Type": "Fail", "ErrorPath": "$.errors[*]"}`), CodeInvalidPath, "/States/A/ErrorPath", diag.SevError, "wildcards are not allowed"},
		{"Fail CausePath filter", machine(`"A": {"Type": "Fail", "CausePath": "$.c[?(@.x)]"}`), CodeInvalidPath, "/States/A/CausePath", diag.SevError, "reference path"},
		{"bad InputPath", machine(`"A": {"Type": "Pass", "InputPath": "x", "End": true}`), CodeInvalidPath, "/States/A/InputPath", diag.SevError, "start with '$'"},
		{"OutputPath number", machine(`"A": {"Type": "Pass", "OutputPath": 3, "End": true}`), CodeInvalidType, "/States/A/OutputPath", diag.SevError, "string"},
		{"ResultPath wildcard", machine(`"A": {"Type": "Pass", "ResultPath": "$.a[*]", "End": true}`), CodeInvalidPath, "/States/A/ResultPath", diag.SevError, "wildcards are not allowed"},
		{"ResultPath deep scan", machine(`"A": {"Type": "Pass", "ResultPath": "$..a", "End": true}`), CodeInvalidPath, "/States/A/ResultPath", diag.SevError, "deep scan"},
		{"Parameters not object", machine(`"A": {"Type": "Task", "Resource": "r", "Parameters": [1], "End": true}`), CodeInvalidType, "/States/A/Parameters", diag.SevError, "object"},
		{"Parameters path value", machine(`"A": {"Type": "Pass", "Parameters": {"k": {"x.$": "nope"}}, "End": true}`), CodeInvalidPath, "/States/A/Parameters/k/x.$", diag.SevError, `"x.$"`},
		{"Parameters path not string", machine(`"A": {"Type": "Pass", "Parameters": {"x.$": 1}, "End": true}`), CodeInvalidType, "/States/A/Parameters/x.$", diag.SevError, "string"},
		// The argument types of the AWS developer guide's "Intrinsic
		// functions" page: a literal or a nested call of the wrong type
		// makes the call fail whenever it runs.
		{"intrinsic string for a number", machine(`"A": {"Type": "Pass", "Parameters": {"x.$": "States.MathAdd('a', 1)"}, "End": true}`), CodeIntrinsicArgument, "/States/A/Parameters/x.$", diag.SevWarning, "argument 1 of States.MathAdd must be a number, not a string"},
		{"intrinsic nested call result", machine(`"A": {"Type": "Pass", "Parameters": {"x.$": "States.ArrayLength(States.Format('{}', $.a))"}, "End": true}`), CodeIntrinsicArgument, "/States/A/Parameters/x.$", diag.SevWarning, "argument 1 of States.ArrayLength must be an array, not a string"},
		{"intrinsic inside a nested call", machine(`"A": {"Type": "Pass", "Parameters": {"x.$": "States.Format('{}', States.StringSplit($.s, 1))"}, "End": true}`), CodeIntrinsicArgument, "/States/A/Parameters/x.$", diag.SevWarning, "argument 2 of States.StringSplit must be a string, not a number"},
		{"intrinsic null for an object", machine(`"A": {"Type": "Pass", "Parameters": {"x.$": "States.JsonMerge($.a, null, false)"}, "End": true}`), CodeIntrinsicArgument, "/States/A/Parameters/x.$", diag.SevWarning, "argument 2 of States.JsonMerge must be an object, not null"},
		{"intrinsic variadic argument", machine(`"A": {"Type": "Pass", "Parameters": {"x.$": "States.Format(1)"}, "End": true}`), CodeIntrinsicArgument, "/States/A/Parameters/x.$", diag.SevWarning, "argument 1 of States.Format must be a string, not a number"},
		{"intrinsic in CausePath", machine(`"A": {"Type": "Fail", "CausePath": "States.Base64Decode(true)"}`), CodeIntrinsicArgument, "/States/A/CausePath", diag.SevWarning, "argument 1 of States.Base64Decode must be a string, not a boolean"},
		{"unknown intrinsic", machine(`"A": {"Type": "Pass", "Parameters": {"x.$": "States.Nope($.a)"}, "End": true}`), CodeInvalidPath, "/States/A/Parameters/x.$", diag.SevError, "unknown intrinsic"},
		{"Retry not array", machine(`"A": {"Type": "Task", "Resource": "r", "Retry": {}, "End": true}`), CodeInvalidType, "/States/A/Retry", diag.SevError, "array"},
		{"Retry without ErrorEquals", machine(`"A": {"Type": "Task", "Resource": "r", "Retry": [{"MaxAttempts": 1}], "End": true}`), CodeMissingField, "/States/A/Retry/0", diag.SevError, "ErrorEquals"},
		{"empty ErrorEquals", machine(`"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": []}], "End": true}`), CodeMissingField, "/States/A/Retry/0/ErrorEquals", diag.SevError, "at least one"},
		{"unknown retrier field", machine(`"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": ["E"], "Next": "A"}], "End": true}`), CodeUnknownField, "/States/A/Retry/0/Next", diag.SevError, "retrier"},
		{"BackoffRate below 1", machine(`"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": ["E"], "BackoffRate": 0.5}], "End": true}`), CodeInvalidValue, "/States/A/Retry/0/BackoffRate", diag.SevError, "at least 1.0"},
		{"IntervalSeconds zero", machine(`"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 0}], "End": true}`), CodeInvalidValue, "/States/A/Retry/0/IntervalSeconds", diag.SevError, "at least 1"},
		{"MaxAttempts negative", machine(`"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": -1}], "End": true}`), CodeInvalidValue, "/States/A/Retry/0/MaxAttempts", diag.SevError, "at least 0"},
		{"bad JitterStrategy", machine(`"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": ["E"], "JitterStrategy": "SOME"}], "End": true}`), CodeInvalidValue, "/States/A/Retry/0/JitterStrategy", diag.SevError, "FULL"},
		{"States.ALL not last in Retry", machine(`"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["E"]}], "End": true}`), CodeErrorAll, "/States/A/Retry/0/ErrorEquals/0", diag.SevWarning, "last one in Retry"},
		{"States.ALL not alone", machine(`"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": ["E", "States.ALL"]}], "End": true}`), CodeErrorAll, "/States/A/Retry/0/ErrorEquals/1", diag.SevWarning, "alone"},
		{"States.ALL not last in Catch", machine(`"A": {"Type": "Task", "Resource": "r", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}, {"ErrorEquals": ["E"], "Next": "B"}], "End": true}, "B": {"Type": "Succeed"}`), CodeErrorAll, "/States/A/Catch/0/ErrorEquals/0", diag.SevWarning, "last one in Catch"},
		{"Catch without Next", machine(`"A": {"Type": "Task", "Resource": "r", "Catch": [{"ErrorEquals": ["E"]}], "End": true}`), CodeMissingField, "/States/A/Catch/0", diag.SevError, "needs Next"},
		{"Catch Next missing", machine(`"A": {"Type": "Task", "Resource": "r", "Catch": [{"ErrorEquals": ["E"], "Next": "Z"}], "End": true}`), CodeMissingTarget, "/States/A/Catch/0/Next", diag.SevError, `"Z"`},
		{"JSONata syntax", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": {"x": "{% $states.input. %}"}, "End": true}}}`, CodeInvalidExpression, "/States/A/Output/x", diag.SevError, "invalid JSONata expression"},
		{"JSONata syntax in a rule", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Condition": "{% (( %}", "Next": "B"}]}, "B": {"Type": "Succeed"}}}`, CodeInvalidExpression, "/States/A/Choices/0/Condition", diag.SevError, "JSONata"},
		{"Catch ResultPath", machine(`"A": {"Type": "Task", "Resource": "r", "Catch": [{"ErrorEquals": ["E"], "Next": "A", "ResultPath": "$.e[?(@.x)]"}], "End": true}`), CodeInvalidPath, "/States/A/Catch/0/ResultPath", diag.SevError, "result path"},
		{"Choice without Choices", machine(`"A": {"Type": "Choice", "Default": "B"}, "B": {"Type": "Succeed"}`), CodeMissingField, "/States/A", diag.SevError, "Choices"},
		{"Choice empty Choices", machine(`"A": {"Type": "Choice", "Choices": [], "Default": "B"}, "B": {"Type": "Succeed"}`), CodeMissingField, "/States/A/Choices", diag.SevError, "at least one rule"},
		{"Default missing target", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "B"}], "Default": "C"}, "B": {"Type": "Succeed"}`), CodeMissingTarget, "/States/A/Default", diag.SevError, `"C"`},
		{"rule without Next", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true}], "Default": "B"}, "B": {"Type": "Succeed"}`), CodeChoiceRule, "/States/A/Choices/0", diag.SevError, "needs Next"},
		{"rule Next missing target", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "Q"}]}`), CodeMissingTarget, "/States/A/Choices/0/Next", diag.SevError, `"Q"`},
		{"nested rule with Next", machine(`"A": {"Type": "Choice", "Choices": [{"Not": {"Variable": "$.a", "IsNull": true, "Next": "B"}, "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeChoiceRule, "/States/A/Choices/0/Not/Next", diag.SevError, "top-level"},
		{"rule without comparator", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeChoiceRule, "/States/A/Choices/0", diag.SevError, "needs a comparison"},
		{"rule with two comparators", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringEquals": "x", "IsNull": true, "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeChoiceRule, "/States/A/Choices/0", diag.SevError, "exactly one"},
		{"rule And and comparator", machine(`"A": {"Type": "Choice", "Choices": [{"And": [{"Variable": "$.a", "IsNull": true}], "Variable": "$.b", "IsNull": true, "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeChoiceRule, "/States/A/Choices/0", diag.SevError, "exactly one"},
		{"rule without Variable", machine(`"A": {"Type": "Choice", "Choices": [{"StringEquals": "x", "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeChoiceRule, "/States/A/Choices/0", diag.SevError, "needs Variable"},
		{"rule bad Variable", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "a", "IsNull": true, "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeInvalidPath, "/States/A/Choices/0/Variable", diag.SevError, "start with '$'"},
		{"rule operand type", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": "3", "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeInvalidType, "/States/A/Choices/0/NumericEquals", diag.SevError, "number"},
		{"rule Path operand", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringEqualsPath": "b", "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeInvalidPath, "/States/A/Choices/0/StringEqualsPath", diag.SevError, "start with '$'"},
		{"rule empty And", machine(`"A": {"Type": "Choice", "Choices": [{"And": [], "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeChoiceRule, "/States/A/Choices/0/And", diag.SevError, "at least one"},
		{"rule Not with Variable", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "Not": {"Variable": "$.a", "IsNull": true}, "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeChoiceRule, "/States/A/Choices/0/Variable", diag.SevError, "may not have Variable"},
		{"rule unknown field", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "B", "Foo": 1}]}, "B": {"Type": "Succeed"}`), CodeUnknownField, "/States/A/Choices/0/Foo", diag.SevError, `"Foo"`},
		{"unreachable state", machine(`"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}`), CodeUnreachable, "/States/B", diag.SevWarning, `"B"`},
		{"unreachable in branch", machine(`"A": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Succeed"}, "Y": {"Type": "Succeed"}}}]}`), CodeUnreachable, "/States/A/Branches/0/States/Y", diag.SevWarning, "in this branch"},
		{"no terminal state", machine(`"A": {"Type": "Pass", "Next": "A"}`), CodeNoTerminal, "/States", diag.SevWarning, "no terminal state"},
		{"no terminal in iterator", machine(`"A": {"Type": "Map", "End": true, "Iterator": {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "X"}}}}`), CodeNoTerminal, "/States/A/Iterator/States", diag.SevWarning, `iterator of state "A"`},
		{"terminal not reachable", machine(`"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}, "C": {"Type": "Pass", "Next": "D"}, "D": {"Type": "Pass", "Next": "C"}, "E": {"Type": "Succeed"}`), CodeNoTerminalReached, "/States", diag.SevWarning, "reachable"},
		{"JSONPath field in JSONata state", machine(`"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Parameters": {}, "End": true}`), CodeUnknownField, "/States/A/Parameters", diag.SevError, "JSONata state"},
		{"JSONPath field in JSONata machine", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$", "End": true}}}`, CodeUnknownField, "/States/A/InputPath", diag.SevError, "JSONata state"},
		{"JSONata field in JSONPath state", machine(`"A": {"Type": "Pass", "Output": {}, "End": true}`), CodeUnknownField, "/States/A/Output", diag.SevError, "needs"},
		{"JSONPath state in JSONata machine", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Succeed", "QueryLanguage": "JSONPath"}}}`, CodeInvalidValue, "/States/A/QueryLanguage", diag.SevError, "may not use JSONPath"},
		{"JSONata rule without Condition", machine(`"A": {"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [{"Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeChoiceRule, "/States/A/Choices/0", diag.SevError, "needs Condition"},
		{"JSONata rule with Variable", machine(`"A": {"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [{"Condition": true, "Variable": "$.a", "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeUnknownField, "/States/A/Choices/0/Variable", diag.SevError, "JSONata Choice rule"},
		{"JSONata Condition not expression", machine(`"A": {"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [{"Condition": "$n > 1", "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeInvalidType, "/States/A/Choices/0/Condition", diag.SevError, "expression"},
		{"Condition in JSONPath rule", machine(`"A": {"Type": "Choice", "Choices": [{"Condition": true, "Next": "B"}]}, "B": {"Type": "Succeed"}`), CodeUnknownField, "/States/A/Choices/0/Condition", diag.SevError, "Condition"},
		{"JSONPath catcher ResultPath in JSONata", machine(`"A": {"Type": "Task", "QueryLanguage": "JSONata", "Resource": "r", "Catch": [{"ErrorEquals": ["E"], "ResultPath": "$.e", "Next": "A"}], "End": true}`), CodeUnknownField, "/States/A/Catch/0/ResultPath", diag.SevError, "catcher"},
		{"bad QueryLanguage", machine(`"A": {"Type": "Succeed", "QueryLanguage": "SQL"}`), CodeInvalidValue, "/States/A/QueryLanguage", diag.SevError, "JSONata"},
		{"Comment not string", machine(`"A": {"Type": "Succeed", "Comment": 1}`), CodeInvalidType, "/States/A/Comment", diag.SevError, "string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := Validate([]byte(tt.def))
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			var found *Problem
			for i, p := range ps {
				if p.Code == tt.code && p.Pointer == tt.pointer {
					found = &ps[i]
					break
				}
			}
			if found == nil {
				t.Fatalf("no %s problem at %q; got:\n%s", tt.code, tt.pointer, dump(ps))
			}
			if found.Severity != tt.sev {
				t.Errorf("severity %v, want %v", found.Severity, tt.sev)
			}
			if !strings.Contains(found.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", found.Msg, tt.msg)
			}
			if !found.Pos.IsValid() {
				t.Errorf("problem has no position: %v", found)
			}
			if tt.sev == diag.SevError && !HasErrors(ps) {
				t.Errorf("HasErrors = false with an error problem")
			}
		})
	}
}

func dump(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  %s %s %s\n", p.Code, displayPointer(p.Pointer), p.Msg)
	}
	return b.String()
}

// TestProblemPositions checks that positions point at the offending value
// in the text (line and character column).
func TestProblemPositions(t *testing.T) {
	def := "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"Nowhere\"},\n    \"Ünreachable\": {\"Type\": \"Succeed\"}\n  }\n}"
	ps, err := Validate([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	want := map[Code]diag.Pos{
		CodeMissingTarget: {Line: 4, Col: 35},
		CodeUnreachable:   {Line: 5, Col: 5},
	}
	for _, p := range ps {
		w, ok := want[p.Code]
		if !ok {
			continue
		}
		delete(want, p.Code)
		if p.Pos.Line != w.Line || p.Pos.Col != w.Col {
			t.Errorf("%s at %d:%d, want %d:%d", p.Code, p.Pos.Line, p.Pos.Col, w.Line, w.Col)
		}
		if got := def[p.Pos.Offset:]; !strings.HasPrefix(got, `"`) {
			t.Errorf("%s offset %d does not start a string: %.10q", p.Code, p.Pos.Offset, got)
		}
	}
	for c := range want {
		t.Errorf("no %s problem; got:\n%s", c, dump(ps))
	}
	// The typed model validates the same way, without positions.
	m, err := Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	mp := m.Validate()
	if len(mp) != len(ps) {
		t.Fatalf("model: %d problems, text: %d", len(mp), len(ps))
	}
	key := func(ps []Problem) []string {
		var out []string
		for _, p := range ps {
			out = append(out, string(p.Code)+" "+p.Pointer)
		}
		slices.Sort(out)
		return out
	}
	if a, b := key(mp), key(ps); !slices.Equal(a, b) {
		t.Errorf("model problems %q, text problems %q", a, b)
	}
}

func TestValidateSyntaxError(t *testing.T) {
	_, err := Validate([]byte("{\n  \"StartAt\": \"A\",\n  \"States\": {\n}"))
	var se *SyntaxError
	if err == nil || !errors.As(err, &se) {
		t.Fatalf("err = %v, want *SyntaxError", err)
	}
	if se.Pos.Line != 4 || se.Pos.Col != 2 {
		t.Errorf("position %d:%d, want 4:2", se.Pos.Line, se.Pos.Col)
	}
}

// TestValidateSize: AWS accepts definitions of up to 1 MiB (the "Maximum
// state machine definition size" quota of AWS Step Functions).
func TestValidateSize(t *testing.T) {
	def := func(n int) []byte {
		head := `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"`
		tail := `","End":true}}}`
		return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
	}
	for _, size := range []int{MaxDefinitionSize, MaxDefinitionSize + 1} {
		ps, err := Validate(def(size))
		if err != nil {
			t.Fatal(err)
		}
		got := hasProblem(ps, func(p Problem) bool { return p.Code == CodeDefinitionSize && p.Severity == diag.SevError })
		if want := size > MaxDefinitionSize; got != want {
			t.Errorf("%d bytes: size problem %v, want %v (%v)", size, got, want, ps)
		}
	}
}

// TestStateFieldBits keeps the switch stateFieldBit in step with the
// fields each state type allows: every field has its own bit, and a
// type's mask holds exactly its fields and Type, Comment, QueryLanguage.
func TestStateFieldBits(t *testing.T) {
	types := []string{TypeTask, TypePass, TypeChoice, TypeWait, TypeSucceed, TypeFail, TypeParallel, TypeMap}
	all := []string{"Type", "Comment", "QueryLanguage"}
	for _, typ := range types {
		all = append(all, buildStateFields(typ)...)
	}
	owner := map[uint64]string{}
	for _, f := range all {
		bit := stateFieldBit(f)
		if bit == 0 || bit&(bit-1) != 0 {
			t.Errorf("stateFieldBit(%q) = %#x, want one bit", f, bit)
		}
		if o, ok := owner[bit]; ok && o != f {
			t.Errorf("%q and %q share bit %#x", o, f, bit)
		}
		owner[bit] = f
	}
	for _, unknown := range []string{"", "type", "Nexts", "Bogus", "Iterator "} {
		if stateFieldBit(unknown) != 0 {
			t.Errorf("stateFieldBit(%q) != 0", unknown)
		}
	}
	for _, typ := range types {
		st := stateTypes(typ)
		for _, f := range all {
			want := f == "Type" || f == "Comment" || f == "QueryLanguage" || slices.Contains(buildStateFields(typ), f)
			if got := st.mask&stateFieldBit(f) != 0; got != want {
				t.Errorf("%s: field %q allowed = %v, want %v", typ, f, got, want)
			}
		}
	}
}

// TestLineTextFirstLine checks the shortcut Problem.Diag takes for line 1
// against diag.Source.LineText.
func TestLineTextFirstLine(t *testing.T) {
	for _, text := range []string{"", "a", "a\nb", "a\r\nb", "a\rb", "\n", "\r\n", "\r", "abc def\n\nx", "\ufeff{\"a\":1}\n"} {
		src := diag.NewSource("t", []byte(text))
		if got, want := lineText(src, 1), src.LineText(1); got != want {
			t.Errorf("lineText(%q, 1) = %q, LineText gives %q", text, got, want)
		}
		if got, want := lineText(src, 2), src.LineText(2); got != want {
			t.Errorf("lineText(%q, 2) = %q, LineText gives %q", text, got, want)
		}
	}
}
