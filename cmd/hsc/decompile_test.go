package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDecompileCommand: hsc decompile writes a program that compiles back
// to the definition (issue 14 part 2), to standard output or atomically to
// -o; a definition the DSL cannot express is exit status 1 with the state
// and field named; a missing file is a usage error (status 2).
func TestDecompileCommand(t *testing.T) {
	dir := t.TempDir()
	def := `{"StartAt": "Greet", "States": {
  "Greet": {"Type": "Pass", "Comment": "says hello", "Result": {"msg": "hi", "n": 1.5}, "ResultPath": "$.greeting", "Next": "Which"},
  "Which": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}], "Default": "Done"},
  "Big": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2}], "Next": "Done"},
  "Done": {"Type": "Succeed"}}}`
	in := filepath.Join(dir, "m.json")
	if err := os.WriteFile(in, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runHSC(t, "", "decompile", in)
	if code != 0 {
		t.Fatalf("decompile: status %d, %s", code, errOut)
	}
	for _, want := range []string{`"""Greet`, "if '$.n' > 1:", "retry ['States.ALL'] 1 2 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// -o writes the file; compiling it gives the definition back.
	hsd := filepath.Join(dir, "m.hsd")
	if code, _, errOut := runHSC(t, "", "decompile", in, "-o", hsd); code != 0 {
		t.Fatalf("decompile -o: status %d, %s", code, errOut)
	}
	if b, _ := os.ReadFile(hsd); string(b) != out {
		t.Errorf("-o wrote\n%s\nstandard output had\n%s", b, out)
	}
	code, compiled, errOut := runHSC(t, "", "compile", hsd)
	if code != 0 {
		t.Fatalf("compile: status %d, %s", code, errOut)
	}
	var a, b any
	if err := json.Unmarshal([]byte(def), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(compiled), &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("round trip differs:\n%s", compiled)
	}

	// What the DSL cannot express: status 1, state and field named, and
	// -o left alone.
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"StartAt": "P", "States": {"P": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Parameters": "x", "End": true}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runHSC(t, "", "decompile", bad, "-o", hsd)
	if code != 1 || !strings.Contains(errOut, `state "P": Parameters`) {
		t.Errorf("refusal: status %d, %q", code, errOut)
	}
	if b, _ := os.ReadFile(hsd); string(b) != out {
		t.Errorf("a refused decompile changed -o's file")
	}
	if code, _, _ := runHSC(t, "", "decompile", filepath.Join(dir, "missing.json")); code != 2 {
		t.Errorf("missing file: status %d, want 2", code)
	}
}
