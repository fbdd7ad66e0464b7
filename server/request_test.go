package server

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// flatBodies are request bodies the scan takes and bodies it must leave
// to encoding/json (nested, numbers, \u escapes, non-ASCII, bad JSON,
// keys the inputs match only case-insensitively or not at all).
var flatBodies = []string{
	`{}`, ` { } `, "\t{\n}\r\n", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:m","input":"{\"n\":1}"}`,
	`{"name":"a\/b\\c\"d\be\ff\ng\rh\ti"}`, `{"name":null}`, `{"name":"a","name":null}`, `{"name":null,"name":"b"}`,
	`{"traceHeader":null}`, `{"traceHeader":"x","traceHeader":null}`, `{"NAME":"x"}`, `{"foo":"x"}`, `{"name":true}`,
	`{"reverseOrder":"x"}`, `{"reverseOrder":true,"includeExecutionData":false}`, `{"includeExecutionData":null}`,
	`{"executionArn":"e","maxResults":5}`, `{"maxResults":null}`, `{}]`, `{} x`, `{"a":"b",}`, `{"a":1}`, `{"a":{}}`, `{"a":[]}`,
	`{"name":"ü"}`, `{"name":"\u0041"}`, "{\"name\":\"a\x01\"}", `{"a" "b"}`, `[]`, `"x"`, `nul`, `{"a":tru}`, `{"a":truex}`,
	`{"a":"b"`, `{"a":"b`, `{"a":"\`, `{"a":"\x"}`, `{,}`, `{"a":"b"}{}`, ` {"executionArn" : "e" , "includedData" : "METADATA_ONLY" } `,
	`{"output":"{}","taskToken":"t"}`, `{"taskToken":"t","error":"E","cause":null}`, `{"activityArn":"a","workerName":"w"}`,
	`{"name":"n","definition":"{}","roleArn":"r","type":"EXPRESS","publish":true,"versionDescription":"d"}`,
	`{"resourceArn":"r","tagKeys":"k"}`, `{"definition":"{}","inspectionLevel":"DEBUG","revealSecrets":true,"variables":"{}"}`,
	`{"mapRunArn":"m","toleratedFailurePercentage":null}`, `{"stateMachineArn":"s","includedData":"ALL_DATA"}`, `{"input":"` + string(bytes.Repeat([]byte(`\"`), 100)) + `"}`,
}

// TestFlatRequestIsEncodingJSON: a body the scan takes yields the document
// encoding/json decodes (for the validator), and every input is filled as
// json.Unmarshal fills it, or refused when json.Unmarshal refuses it.
func TestFlatRequestIsEncodingJSON(t *testing.T) {
	for _, body := range flatBodies {
		checkFlatRequest(t, []byte(body))
	}
}

func FuzzFlatRequest(f *testing.F) {
	for _, body := range flatBodies {
		f.Add([]byte(body))
	}
	f.Fuzz(checkFlatRequest)
}

func checkFlatRequest(t *testing.T, body []byte) {
	members, flat := scanFlat(body, nil)
	if flat {
		var doc any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil || dec.More() {
			t.Fatalf("%q: the scan took a body encoding/json refuses (%v)", body, err)
		}
		got := map[string]any{}
		for i := range members {
			got[members[i].key] = members[i].value()
		}
		if !reflect.DeepEqual(got, doc) {
			t.Fatalf("%q: scanned %#v, encoding/json %#v", body, got, doc)
		}
	}
	req := &request{body: body, members: members, flat: flat}
	// Every operation's input type (ops.go), so that a field the flat
	// decoder takes differently from encoding/json fails here.
	checkInput[createActivityInput](t, req)
	checkInput[activityInput](t, req)
	checkInput[sendTaskInput](t, req)
	checkInput[startExecutionInput](t, req)
	checkInput[executionInput](t, req)
	checkInput[listExecutionsInput](t, req)
	checkInput[createStateMachineInput](t, req)
	checkInput[describeStateMachineInput](t, req)
	checkInput[updateStateMachineInput](t, req)
	checkInput[arnInput](t, req)
	checkInput[listInput](t, req)
	checkInput[validateDefinitionInput](t, req)
	checkInput[mapRunInput](t, req)
	checkInput[redriveExecutionInput](t, req)
	checkInput[startSyncInput](t, req)
	checkInput[tagResourceInput](t, req)
	checkInput[untagResourceInput](t, req)
	checkInput[resourceInput](t, req)
	checkInput[testStateInput](t, req)
	checkInput[publishInput](t, req)
	checkInput[machineListInput](t, req)
	checkInput[versionInput](t, req)
	checkInput[aliasInput](t, req)
}

func checkInput[In any](t *testing.T, req *request) {
	t.Helper()
	want, got := new(In), new(In)
	werr := json.Unmarshal(req.body, want)
	gerr := decodeInput(req, newFlatDecoder(reflect.TypeFor[In]()), got)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("%q into %T: error %v, encoding/json %v", req.body, got, gerr, werr)
	}
	if werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q into %T: %+v, encoding/json %+v", req.body, got, *got, *want)
	}
}
