package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runHSC(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCompileCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.hsd")
	if err := os.WriteFile(good, []byte("Lambda('f')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.hsd")
	if err := os.WriteFile(bad, []byte("Pass()\n    retry [] 1 1 1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(dir, "out.sfn")
	const arn = `"Resource": "arn:aws:lambda:us-east-1:42:function:f"`

	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantOut    string // substring of stdout
		wantErr    string // substring of stderr
		wantInFile string // substring of outFile
	}{
		{name: "stdout", args: []string{"compile", "--region", "us-east-1", "--account-id", "42", good}, wantOut: arn},
		{name: "global flags first", args: []string{"-r", "us-east-1", "-a", "42", "compile", good, "-o", outFile}, wantInFile: arn},
		{name: "underscore spelling", args: []string{"--account_id", "42", "-r", "us-east-1", "compile", good}, wantOut: arn},
		{name: "stdin", stdin: "Pass()\n", args: []string{"compile", "-"}, wantOut: `"StartAt": "Line1"`},
		{name: "compact", stdin: "Pass()\n", args: []string{"compile", "--compact", "-"}, wantOut: `{"States":{"Line1":{"Type":"Pass","End":true}},"StartAt":"Line1"}`},
		{name: "indent", stdin: "Pass()\n", args: []string{"compile", "--indent", "1", "-"}, wantOut: "{\n \"States\": {\n  \"Line1\""},
		{name: "compile error", args: []string{"compile", bad}, wantCode: 1, wantErr: bad + ":2:5: Pass state cannot contain a Retry modifier\n        retry [] 1 1 1.0\n        ^"},
		{name: "missing file", args: []string{"compile", filepath.Join(dir, "nope.hsd")}, wantCode: 2, wantErr: "no such file"},
		{name: "no args", args: []string{"compile"}, wantCode: 2, wantErr: "accepts 1 arg"},
		{name: "bad flag", args: []string{"compile", "--bogus", good}, wantCode: 2, wantErr: "unknown flag"},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2, wantErr: "unknown command"},
		{name: "help", args: []string{"compile", "--help"}, wantOut: "Compile a Heaviside DSL file"},
		{name: "completion", args: []string{"completion", "bash"}, wantOut: "bash completion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_REGION", "")
			t.Setenv("AWS_ACCOUNT_ID", "")
			os.Remove(outFile)
			code, out, errOut := runHSC(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, errOut)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.wantErr)
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic:") {
				t.Errorf("stack trace on stderr:\n%s", errOut)
			}
			if tt.wantInFile != "" {
				b, err := os.ReadFile(outFile)
				if err != nil || !strings.Contains(string(b), tt.wantInFile) {
					t.Errorf("output file: %v %q", err, b)
				}
			}
		})
	}
}

func TestCompileCredentialsFile(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "creds.json")
	if err := os.WriteFile(creds, []byte(`{"aws_region": "ap-south-1", "aws_account_id": "99"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_REGION", "") // restores the environment after the test
	t.Setenv("AWS_ACCOUNT_ID", "")
	os.Unsetenv("AWS_REGION")
	os.Unsetenv("AWS_ACCOUNT_ID")
	code, out, errOut := runHSC(t, "Lambda('f')\n", "-c", creds, "compile", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "arn:aws:lambda:ap-south-1:99:function:f") {
		t.Errorf("credentials file not used: %s", out)
	}
	// A flag wins over the file.
	_, out, _ = runHSC(t, "Lambda('f')\n", "-c", creds, "-r", "us-west-2", "compile", "-")
	if !strings.Contains(out, "arn:aws:lambda:us-west-2:99:function:f") {
		t.Errorf("flag did not win over credentials file: %s", out)
	}
}

func TestCompileFileHasNoTrailingNewline(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o.sfn")
	if code, _, errOut := runHSC(t, "Pass()\n", "compile", "--compact", "-o", out, "-"); code != 0 {
		t.Fatal(errOut)
	}
	b, _ := os.ReadFile(out)
	if string(b) != `{"States":{"Line1":{"Type":"Pass","End":true}},"StartAt":"Line1"}` {
		t.Errorf("file content %q", b)
	}
}

func TestCompileEnvDefaults(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCOUNT_ID", "7")
	code, out, errOut := runHSC(t, "Activity('a')\n", "compile", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "arn:aws:states:eu-west-1:7:activity:a") {
		t.Errorf("environment defaults not used: %s", out)
	}
}
