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
		{name: "compile error", args: []string{"compile", bad}, wantCode: 1, wantErr: bad + ":2:5: error: Pass state cannot contain a Retry modifier\n        retry [] 1 1 1.0\n        ^"},
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

// TestCompileErrorLongLine is issue 10 item 11: a compile error on a line
// of 10 MB of NUL bytes printed the whole line. The printer cuts it around
// the column and escapes the control characters.
func TestCompileErrorLongLine(t *testing.T) {
	src := "Pass()\n" + strings.Repeat("\x00", 10<<20) + "\n"
	file := filepath.Join(t.TempDir(), "nul.hsd")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runHSC(t, "", "compile", file)
	if code != 1 || !strings.Contains(errOut, file+":2:1: error:") {
		t.Fatalf("exit %d, stderr %.300q", code, errOut)
	}
	if len(errOut) > 1000 || strings.ContainsRune(errOut, 0) {
		t.Errorf("stderr is %d bytes (NUL bytes: %v)", len(errOut), strings.ContainsRune(errOut, 0))
	}
}

// TestStdinDefinitions is issue 10 item 17: "-" reads a definition from
// standard input for compile, check and run; it is JSON when it starts
// with '{', Heaviside DSL otherwise.
func TestStdinDefinitions(t *testing.T) {
	const def = `{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": 1}, "End": true}}}`
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "check JSON", stdin: "\n " + def, args: []string{"check", "-"}},
		{name: "check DSL", stdin: "Fail('E', 'c')\nPass()\n", args: []string{"check", "-"},
			wantOut: `<stdin>:2:1: warning: state "Line2" is not reachable`},
		{name: "check bad JSON", stdin: `{"StartAt": }`, args: []string{"check", "-"}, wantCode: 1,
			wantOut: "<stdin>:1:13: error: invalid JSON"},
		{name: "check json format", stdin: `{"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}`, args: []string{"check", "--format", "json", "-"}, wantCode: 1,
			wantOut: `"file": "<stdin>",
    "line": 1,
    "column": 13,
    "pointer": "/StartAt",
    "severity": "error",
    "code": "MISSING_TARGET",`},
		{name: "compile JSON refused", stdin: def, args: []string{"compile", "-"}, wantCode: 2, wantErr: "<stdin> is States Language JSON"},
		{name: "run JSON", stdin: def, args: []string{"run", "-"}, wantOut: `{"ok":1}`},
		{name: "run DSL", stdin: "Pass()\n    data:\n        {\"n\": 2}\n", args: []string{"run", "-"}, wantOut: `{"n":2}`},
		{name: "run - with --input -", stdin: def, args: []string{"run", "-", "--input", "-"}, wantCode: 2, wantErr: "both be standard input"},
		{name: "create - needs --name", stdin: def, args: []string{"create", "-", "Role"}, wantCode: 2, wantErr: "--name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runHSC(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stdout %q, stderr %q)", code, tt.wantCode, out, errOut)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.wantErr)
			}
		})
	}
}
