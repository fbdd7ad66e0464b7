package main

// The lifecycle commands run against hsc's local Step Functions API
// (in-process, see internal/sfnlocal), through the real SDK client, and
// expect what Step Functions does.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/internal/sfnlocal"
	"github.com/hsc-dev/hsc/runtime"
)

// local runs hsc with the global flags for the local server.
func local(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ep := sfnlocal.Endpoint(t)
	global := []string{
		"--region", sfnlocal.Region, "--account-id", sfnlocal.AccountID,
		"--access-key", sfnlocal.AccessKey, "--secret-key", sfnlocal.SecretKey,
		"--endpoint-url", ep,
	}
	return runHSC(t, stdin, append(global, args...)...)
}

// mustLocal runs hsc and fails the test unless it exits 0.
func mustLocal(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, out, errs := local(t, stdin, args...)
	if code != 0 {
		t.Fatalf("hsc %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// versionHSD is Heaviside source whose output records version v.
func versionHSD(v int) string {
	return fmt.Sprintf("\"\"\"Versioned\"\"\"\nPass()\n    \"\"\"Stamp\"\"\"\n    data:\n        {\"version\": %d, \"text\": \"caf\u00e9\"}\n    result: '$.stamp'\n", v)
}

func TestLifecycleCommands(t *testing.T) {
	dir := t.TempDir()
	name := sfnlocal.Name(t, "cli")
	v1 := writeFile(t, dir, "flow.hsd", versionHSD(1))
	v2 := writeFile(t, dir, "flow2.hsd", versionHSD(2))
	v3 := writeFile(t, dir, "flow3.asl.json", `{"StartAt":"J","States":{"J":{"Type":"Pass","Result":{"version":3},"End":true}}}`)

	// A bare role name becomes a role ARN in the given account.
	out := mustLocal(t, "", "create", "--name", name, v1, "StatesRole")
	if want := ":stateMachine:" + name; !strings.HasPrefix(out, "arn:") || !strings.Contains(out, want) {
		t.Errorf("create printed %q, want the machine ARN", out)
	}
	t.Cleanup(func() { local(t, "", "delete", name) })

	// start waits and prints the output indented by 3, as heaviside does.
	out = mustLocal(t, "", "start", "--period", "20ms", name, "--json", `{"in": [1, 2]}`)
	want := `{
   "in": [
      1,
      2
   ],
   "stamp": {
      "version": 1,
      "text": "caf\u00e9"
   }
}
`
	if out != want {
		t.Errorf("start printed\n%s\nwant\n%s", out, want)
	}

	// --no-wait prints the ARN; status and wait work on it.
	arn := strings.TrimSpace(mustLocal(t, "", "start", "--no-wait", "--name", "second", name))
	if !strings.HasSuffix(arn, ":"+name+":second") {
		t.Errorf("start --no-wait printed %q, want the ARN of execution \"second\"", arn)
	}
	waited := mustLocal(t, "", "wait", "--period", "20ms", arn)
	if !strings.Contains(waited, `"version": 1`) {
		t.Errorf("wait printed %q", waited)
	}
	if st := mustLocal(t, "", "status", arn); st != "SUCCEEDED\n" {
		t.Errorf("status printed %q, want SUCCEEDED", st)
	}

	// update changes what the next execution does, from source or JSON.
	mustLocal(t, "", "update", name, "--file", v2)
	if out := mustLocal(t, "", "start", "--period", "20ms", name); !strings.Contains(out, `"version": 2`) {
		t.Errorf("after update to v2, start printed %q", out)
	}
	mustLocal(t, "", "update", name, "--file", v3, "--role", "arn:aws:iam::123456789012:role/Other")
	if out := mustLocal(t, "", "start", "--period", "20ms", name); out != "{\n   \"version\": 3\n}\n" {
		t.Errorf("after update to v3, start printed %q", out)
	}

	// executions lists them all, filtered by status.
	lines := strings.Split(strings.TrimSpace(mustLocal(t, "", "executions", name)), "\n")
	if len(lines) != 4 {
		t.Errorf("executions: %d lines, want 4:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 3 || !strings.HasPrefix(f[0], "arn:") || f[1] != "SUCCEEDED" {
			t.Errorf("executions line %q: want ARN, SUCCEEDED, start time", l)
			continue
		}
		if _, err := time.Parse(time.RFC3339, f[2]); err != nil {
			t.Errorf("start time %q: %v", f[2], err)
		}
	}
	if out := mustLocal(t, "", "executions", name, "--status", "running"); out != "" {
		t.Errorf("no execution is running, but executions --status running printed %q", out)
	}

	mustLocal(t, "", "delete", name)
	for _, args := range [][]string{{"delete", name}, {"start", name}, {"executions", name}, {"update", name, "--role", "R"}} {
		code, _, errs := local(t, "", args...)
		if code != 1 || !strings.Contains(errs, "not found") || !strings.Contains(errs, name) {
			t.Errorf("%s after delete: exit %d, stderr %q; want 1 and not found naming the machine", args[0], code, errs)
		}
	}
}

func TestCreateDefaultName(t *testing.T) {
	dir := t.TempDir()
	base := sfnlocal.Name(t, "file")
	path := writeFile(t, dir, base+".asl.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	out := mustLocal(t, "", "create", path, sfnlocal.RoleARN)
	t.Cleanup(func() { local(t, "", "delete", base) })
	if !strings.HasSuffix(strings.TrimSpace(out), ":stateMachine:"+base) {
		t.Errorf("create printed %q, want a machine named %s", out, base)
	}
	code, _, errs := local(t, "", "create", path, sfnlocal.RoleARN)
	if code != 1 || !strings.Contains(errs, "already exists") || !strings.Contains(errs, base) {
		t.Errorf("second create: exit %d, stderr %q", code, errs)
	}
}

func TestStartFailing(t *testing.T) {
	dir := t.TempDir()
	name := sfnlocal.Name(t, "failing")
	// A Fail state ends the execution FAILED with its Error and Cause
	// (States Language specification, "Fail State").
	def := writeFile(t, dir, "fail.json", `{"StartAt":"Boom","States":{"Boom":{"Type":"Fail","Error":"Widget.Broken","Cause":"the widget broke"}}}`)
	mustLocal(t, "", "create", "--name", name, def, sfnlocal.RoleARN)
	t.Cleanup(func() { local(t, "", "delete", name) })

	code, out, errs := local(t, "", "start", "--period", "20ms", name)
	if code != 1 || out != "" {
		t.Fatalf("start of a failing machine: exit %d, stdout %q; want 1 and nothing", code, out)
	}
	for _, want := range []string{"hsc: execution FAILED\n  error: Widget.Broken\n  cause: the widget broke\n"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if strings.Contains(errs, "goroutine") {
		t.Errorf("stack trace on stderr:\n%s", errs)
	}
}

func TestActivityFailureStopAndWait(t *testing.T) {
	ctx := t.Context()
	c, err := runtime.New(ctx, runtime.Config{
		Region: sfnlocal.Region, AccessKey: sfnlocal.AccessKey, SecretKey: sfnlocal.SecretKey,
		AccountID: sfnlocal.AccountID, EndpointURL: sfnlocal.Endpoint(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	act, err := c.API().CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String(sfnlocal.Name(t, "cliwork"))})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	name := sfnlocal.Name(t, "activity")
	def := writeFile(t, dir, "act.json", fmt.Sprintf(`{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":%q,"End":true}}}`, aws.ToString(act.ActivityArn)))
	mustLocal(t, "", "create", "--name", name, def, sfnlocal.RoleARN)
	t.Cleanup(func() { local(t, "", "delete", name) })

	first := strings.TrimSpace(mustLocal(t, "", "start", "-n", name, "--name", "first"))
	second := strings.TrimSpace(mustLocal(t, "", "start", "-n", name, "--name", "second"))
	running := mustLocal(t, "", "executions", name, "--status", "RUNNING")
	if !strings.Contains(running, first) || !strings.Contains(running, second) {
		t.Errorf("running executions lack %s or %s:\n%s", first, second, running)
	}

	// A worker fails the first execution's task: wait prints error and cause.
	task, err := c.API().GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn})
	if err != nil || task.TaskToken == nil {
		t.Fatalf("GetActivityTask: %v", err)
	}
	if _, err := c.API().SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: task.TaskToken, Error: aws.String("Broken"), Cause: aws.String("widget")}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := local(t, "", "wait", "--period", "20ms", first)
	// Step Functions records the activity's error and cause.
	if code != 1 || out != "" || !strings.Contains(errs, "hsc: execution FAILED\n  error: Broken\n  cause: widget\n") || !strings.Contains(errs, "  execution: "+first+"\n") {
		t.Errorf("wait for a failed execution: exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}

	// stop aborts the second one.
	mustLocal(t, "", "stop", second, "--error", "Cancelled", "--cause", "by test")
	if st := mustLocal(t, "", "status", second); st != "ABORTED\n" {
		t.Errorf("status after stop: %q", st)
	}
	code, _, errs = local(t, "", "wait", second)
	if code != exitAborted || !strings.Contains(errs, "hsc: execution ABORTED\n") {
		t.Errorf("wait for an aborted execution: exit %d, stderr:\n%s", code, errs)
	}
	if out := mustLocal(t, "", "executions", name, "--status", "RUNNING"); out != "" {
		t.Errorf("still running: %q", out)
	}
}

func TestStartInput(t *testing.T) {
	dir := t.TempDir()
	name := sfnlocal.Name(t, "input")
	// Echoes its input.
	def := writeFile(t, dir, "echo.json", `{"StartAt":"Echo","States":{"Echo":{"Type":"Pass","End":true}}}`)
	mustLocal(t, "", "create", "--name", name, def, sfnlocal.RoleARN)
	t.Cleanup(func() { local(t, "", "delete", name) })
	in := writeFile(t, dir, "in.json", `{"from": "file"}`)

	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"default", "", nil, "{}\n"},
		{"json", "", []string{"--json", `{"from":"flag"}`}, "{\n   \"from\": \"flag\"\n}\n"},
		{"file", "", []string{"--input", in}, "{\n   \"from\": \"file\"\n}\n"},
		{"stdin", `{"from": "stdin"}`, []string{"-i", "-"}, "{\n   \"from\": \"stdin\"\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"start", "--period", "20ms", name}, tt.args...)
			code, got, errs := local(t, tt.stdin, args...)
			if code != 0 || got != tt.want {
				t.Errorf("exit %d, got %q, want %q", code, got, tt.want)
			}
			if errs != "" {
				t.Errorf("stderr is not a terminal, yet got %q", errs)
			}
		})
	}
}

func TestLifecycleErrors(t *testing.T) {
	dir := t.TempDir()
	badJSON := writeFile(t, dir, "bad.json", `{"StartAt":"Missing","States":{}}`)
	badHSD := writeFile(t, dir, "bad.hsd", "Pass(\n")
	good := writeFile(t, dir, "good.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantErr  []string
	}{
		{"invalid definition, message in full", []string{"create", "--name", sfnlocal.Name(t, "bad"), badJSON, "R"}, "", 1,
			[]string{"InvalidDefinition: Invalid State Machine Definition: '", "SCHEMA_VALIDATION_FAILED: States must hold at least one state at /States'"}},
		{"compile error", []string{"create", "--name", sfnlocal.Name(t, "bad"), badHSD, "R"}, "", 1, []string{"bad.hsd:"}},
		{"missing file", []string{"create", "--name", sfnlocal.Name(t, "bad"), filepath.Join(dir, "none.hsd"), "R"}, "", 2, []string{"none.hsd"}},
		{"create needs a role", []string{"create", good}, "", 2, []string{"accepts 2 arg(s)"}},
		{"update needs a change", []string{"update", "x"}, "", 2, []string{"--file, --role"}},
		{"start input twice", []string{"start", "x", "--json", "{}", "--input", good}, "", 2, []string{"not both"}},
		{"start input not JSON", []string{"start", "x", "--json", "{"}, "", 2, []string{"not valid JSON"}},
		{"stdin not JSON", []string{"start", "x", "-i", "-"}, "nope", 2, []string{"not valid JSON"}},
		{"bad status", []string{"executions", "x", "--status", "DONE"}, "", 2, []string{"RUNNING"}},
		{"unknown execution", []string{"status", "arn:aws:states:local:123456789012:execution:none:none"}, "", 1, []string{"ExecutionDoesNotExist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := local(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stdout %q, stderr %q)", code, tt.wantCode, out, errs)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "panic") {
				t.Errorf("stack trace:\n%s", errs)
			}
		})
	}
}

func TestUnreachableEndpointCLI(t *testing.T) {
	code, _, errs := runHSC(t, "", "-r", "us-east-1", "--access-key", "a", "--secret-key", "s",
		"--endpoint-url", "http://127.0.0.1:1", "status", "arn:aws:states:us-east-1:1:execution:a:b")
	if code != 1 || !strings.Contains(errs, "cannot reach Step Functions at http://127.0.0.1:1") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestNoCredentialsCLI(t *testing.T) {
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_CREDENTIALS",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(v, "")
	}
	dir := t.TempDir()
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code, _, errs := runHSC(t, "", "-r", "us-east-1", "--endpoint-url", "http://127.0.0.1:1", "delete", "x")
	if code != 1 || !strings.Contains(errs, "no AWS credentials found") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestCredentialsFileFlag(t *testing.T) {
	ep := sfnlocal.Endpoint(t)
	dir := t.TempDir()
	creds := writeFile(t, dir, "creds.json", fmt.Sprintf(`{"aws_access_key":"a","aws_secret_key":"s","aws_region":%q,"aws_account_id":%q}`, sfnlocal.Region, sfnlocal.AccountID))
	name := sfnlocal.Name(t, "creds")
	def := writeFile(t, dir, "p.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"ok":true},"End":true}}}`)
	// The role name needs the account id from the file.
	code, out, errs := runHSC(t, "", "-c", creds, "--endpoint-url", ep, "create", "--name", name, def, "Role")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	t.Cleanup(func() { local(t, "", "delete", name) })
	if !strings.Contains(out, name) {
		t.Errorf("create printed %q", out)
	}
	code, out, _ = runHSC(t, "", "--credentials", creds, "--endpoint-url", ep, "start", "--period", "20ms", name)
	if code != 0 || out != "{\n   \"ok\": true\n}\n" {
		t.Errorf("start: exit %d, stdout %q", code, out)
	}
}

func TestPythonIndent(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{}`, `{}`},
		{`[]`, `[]`},
		{`null`, `null`},
		{`{"b":1,"a":[true,false,null]}`, "{\n   \"b\": 1,\n   \"a\": [\n      true,\n      false,\n      null\n   ]\n}"},
		{`{"e":{},"l":[]}`, "{\n   \"e\": {},\n   \"l\": []\n}"},
		{`"é\u0001\"\\/😀"`, `"\u00e9\u0001\"\\/\ud83d\ude00"`},
		{`[1.0, 1.5, 1e5, 1E16, 0.0001, 0.00001, -0, -0.0, 12345678901234567890, 2.5e-7]`,
			"[\n   1.0,\n   1.5,\n   100000.0,\n   1e+16,\n   0.0001,\n   1e-05,\n   0,\n   -0.0,\n   12345678901234567890,\n   2.5e-07\n]"},
	}
	for _, tt := range tests {
		got, err := pythonIndent([]byte(tt.in), 3)
		if err != nil || got != tt.want {
			t.Errorf("pythonIndent(%s) = %q, %v\nwant %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`{`, `{} {}`, ``} {
		if _, err := pythonIndent([]byte(bad), 3); err == nil {
			t.Errorf("pythonIndent(%q): no error", bad)
		}
	}
}

func TestProgressOutput(t *testing.T) {
	var b strings.Builder
	show := progressPrinter(&b)
	show(runtime.Progress{State: "First", Elapsed: 0})
	show(runtime.Progress{State: "Second", Elapsed: 1500 * time.Millisecond})
	want := "[    0.0s] entered First\n[    1.5s] entered Second\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	// Tests' stderr is a buffer, not a terminal: start shows no progress.
	if isTerminal(&b) {
		t.Error("a strings.Builder is taken for a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is taken for a terminal")
	}
}

func TestCreatePrintsWarnings(t *testing.T) {
	dir := t.TempDir()
	name := sfnlocal.Name(t, "dead")
	src := writeFile(t, dir, "dead.hsd", "Pass()\n    \"\"\"Start\"\"\"\nFail('E', 'cause')\n\nPass()\n    \"\"\"Dead\"\"\"\n")
	code, out, errs := local(t, "", "create", "--name", name, src, sfnlocal.RoleARN)
	t.Cleanup(func() { local(t, "", "delete", name) })
	if !strings.Contains(errs, "dead.hsd:5:1") || !strings.Contains(errs, `warning: state "Dead" is not reachable`) {
		t.Errorf("stderr lacks the compile warning:\n%s", errs)
	}
	// Step Functions rejects a machine with an unreachable state at create
	// time ('MISSING_TRANSITION_TARGET: State "Dead" is not reachable.'):
	// the service's message follows.
	if code != 1 || out != "" || !strings.Contains(errs, "InvalidDefinition") || !strings.Contains(errs, `MISSING_TRANSITION_TARGET: State "Dead" is not reachable.`) {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	if strings.Index(errs, "warning") > strings.Index(errs, "InvalidDefinition") {
		t.Errorf("the warning should come before the service's error:\n%s", errs)
	}
}

func TestHeavisideFlagSpellings(t *testing.T) {
	ep := sfnlocal.Endpoint(t)
	dir := t.TempDir()
	name := sfnlocal.Name(t, "spell")
	def := writeFile(t, dir, "p.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	// --account_id and --secret_key/--access_key as heaviside spells them;
	// the account goes into the role ARN, which the server checks.
	code, out, errs := runHSC(t, "", "--region", sfnlocal.Region, "--account_id", "999999999999",
		"--access_key", "a", "--secret_key", "s", "--endpoint-url", ep, "create", "-n", name, def, "Role")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	t.Cleanup(func() { local(t, "", "delete", name) })
	// The role ARN is built with the account from --account_id (the
	// machine itself belongs to the caller's account, the server's).
	d, err := serveClient(ep).DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(strings.TrimSpace(out))})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:iam::999999999999:role/Role"; aws.ToString(d.RoleArn) != want {
		t.Errorf("role ARN %s, want %s (the account from --account_id)", aws.ToString(d.RoleArn), want)
	}
	// Environment defaults, as heaviside: AWS_REGION, AWS_ACCOUNT_ID,
	// AWS_ACCESS_KEY, AWS_SECRET_KEY.
	t.Setenv("AWS_REGION", sfnlocal.Region)
	t.Setenv("AWS_ACCOUNT_ID", sfnlocal.AccountID)
	t.Setenv("AWS_ACCESS_KEY", "a")
	t.Setenv("AWS_SECRET_KEY", "s")
	if code, out, errs := runHSC(t, "", "--endpoint-url", ep, "start", "--period", "20ms", name, "-j", `{"x":1}`); code != 0 || out != "{\n   \"x\": 1\n}\n" {
		t.Errorf("start with environment defaults: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
