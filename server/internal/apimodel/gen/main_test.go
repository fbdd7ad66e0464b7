package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

// The committed table is what the generator makes from the model of the
// botocore installed on this machine (or $SFN_MODEL).
func TestTableIsGenerated(t *testing.T) {
	in := os.Getenv("SFN_MODEL")
	if in == "" {
		found, err := findModel()
		if err != nil {
			testenv.Skip(t, "no Step Functions API model: "+err.Error())
		}
		in = found
	}
	out := filepath.Join(t.TempDir(), "model_gen.go")
	if err := run(in, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../model_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("model_gen.go is not what gen makes from %s: run go generate in server/internal/apimodel", in)
	}
}

func TestBadModels(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"not json":      `{`,
		"other service": `{"metadata":{"targetPrefix":"AmazonSQS"},"operations":{},"shapes":{}}`,
		"unknown type":  `{"metadata":{"targetPrefix":"AWSStepFunctions"},"operations":{},"shapes":{"X":{"type":"tensor"}}}`,
		"bad required":  `{"metadata":{"targetPrefix":"AWSStepFunctions"},"operations":{},"shapes":{"X":{"type":"structure","required":["a"],"members":{}}}}`,
	} {
		in := filepath.Join(dir, "m.json")
		if err := os.WriteFile(in, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := run(in, filepath.Join(dir, "out.go")); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
