package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// lockedBuffer collects a process's standard error while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveProcess is a running `hsc serve` process.
type serveProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	done   chan error
}

// startServe starts `hsc serve ARGS` on a free loopback port and reads the
// endpoint URL it prints. The process is killed when the test ends if it
// is still running.
func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	return startServeEnv(t, nil, args...)
}

// startServeEnv is startServe with more environment variables.
func startServeEnv(t *testing.T, env []string, args ...string) *serveProcess {
	t.Helper()
	if !slices.Contains(args, "--memory") && !slices.Contains(args, "--data") {
		// Not the user's default data directory: tests run in parallel.
		args = append([]string{"--data", t.TempDir()}, args...)
	}
	cmd := hscProcess(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(cmd.Env, env...)
	p := &serveProcess{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case line, ok := <-lines:
		if !ok || !strings.HasPrefix(line, "http://127.0.0.1:") {
			t.Fatalf("hsc serve printed %q, want its endpoint URL; stderr:\n%s", line, p.stderr)
		}
		p.url = line
	case <-time.After(30 * time.Second):
		t.Fatalf("hsc serve printed no URL within 30 s; stderr:\n%s", p.stderr)
	}
	return p
}

// stop sends sig and returns the exit status.
func (p *serveProcess) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(30 * time.Second):
		t.Fatalf("hsc serve did not exit within 30 s of %v; stderr:\n%s", sig, p.stderr)
		return -1
	}
}

func serveClient(url string) *sfn.Client {
	return sfn.New(sfn.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("hsc-test", "hsc-test", ""),
	})
}

// A real `hsc serve` process driven by the Go SDK: create a machine whose
// Task is answered by a --task command, start it, describe it until it
// ends, then SIGTERM ends the process with status 0 (issue 11).
func TestServeProcess(t *testing.T) {
	p := startServe(t, "--wait-scale", "0", "--region", "eu-west-1", "--account-id", "111122223333",
		"--task", `Greet=sed 's/"name"/"greeted"/'`)
	ctx := t.Context()
	c := serveClient(p.url)
	def := `{"StartAt":"Nap","States":{
		"Nap":{"Type":"Wait","Seconds":3600,"Next":"Greet"},
		"Greet":{"Type":"Task","Resource":"arn:aws:lambda:eu-west-1:111122223333:function:greet","End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("greeter"), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::111122223333:role/r"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:states:eu-west-1:111122223333:stateMachine:greeter"; aws.ToString(sm.StateMachineArn) != want {
		t.Errorf("state machine ARN %s, want %s (--region, --account-id)", aws.ToString(sm.StateMachineArn), want)
	}
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"name":"Ada"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var d *sfn.DescribeExecutionOutput
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		d, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusRunning || time.Now().After(deadline) {
			break
		}
	}
	// --wait-scale 0: the hour-long Wait takes no time.
	if d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s (error %q, cause %q), want SUCCEEDED; stderr:\n%s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause), p.stderr)
	}
	var out map[string]string
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil || out["greeted"] != "Ada" {
		t.Errorf("output %s (%v), want the --task command's result", aws.ToString(d.Output), err)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0; stderr:\n%s", code, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "shutting down") {
		t.Errorf("stderr does not log the shutdown:\n%s", p.stderr)
	}
}

// SIGINT while an execution runs (a real-time Wait) ends the process at
// once with status 0; the execution is aborted with the server.
func TestServeInterruptWhileRunning(t *testing.T) {
	p := startServe(t)
	ctx := t.Context()
	c := serveClient(p.url)
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String("sleeper"),
		Definition: aws.String(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`),
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/r"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn}); err != nil {
		t.Fatal(err)
	}
	// A worker's GetActivityTask is held (up to 60 s) when SIGINT comes.
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("idle")})
	if err != nil {
		t.Fatal(err)
	}
	polled := make(chan error, 1)
	go func() {
		_, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: act.ActivityArn})
		polled <- err
	}()
	time.Sleep(200 * time.Millisecond) // let the poll reach the server
	start := time.Now()
	if code := p.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("exit status %d after SIGINT, want 0; stderr:\n%s", code, p.stderr)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("hsc serve took %v to exit", d)
	}
	select {
	case <-polled: // answered or cut off: either way not left hanging
	case <-time.After(15 * time.Second):
		t.Error("the held GetActivityTask was not ended by the shutdown")
	}
}

// The mock file comes from --mock or SFN_MOCK_CONFIG; bad flags are usage
// errors (status 2) and a taken address is an error (status 1).
func TestServeFlags(t *testing.T) {
	dir := t.TempDir()
	badMock := writeFile(t, dir, "mock.json", `{"StateMachines":{"M":{"TestCases":{"T":{"S":"Nope"}}}}}`)
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		code int
		want string
	}{
		{"negative wait scale", []string{"--wait-scale", "-1"}, nil, 2, "--wait-scale"},
		{"bad task", []string{"--task", "nocommand"}, nil, 2, "NAME=COMMAND"},
		{"bad account", []string{"--account-id", "12"}, nil, 2, "12 digits"},
		{"missing mock", []string{"--mock", dir + "/none.json"}, nil, 2, "none.json"},
		{"bad mock", []string{"--mock", badMock}, nil, 2, "mock.json"},
		{"bad mock from env", nil, []string{envMockConfig + "=" + badMock}, 2, "mock.json"},
		{"argument", []string{"extra"}, nil, 2, "unknown command"},
		{"bad console", []string{"--console", "public"}, nil, 2, "--console must be loopback, any or off"},
		{"bad sync", []string{"--memory", "--sync", "sometimes"}, nil, 2, "--sync must be normal or full"},
		{"bad retention", []string{"--memory", "--retention", "90 days"}, nil, 2, "want an age such as 90d"},
		{"max-finished without memory", []string{"--data", dir + "/d", "--max-finished", "3"}, nil, 2, "use it with --memory"},
		{"memory and data", []string{"--memory", "--data", dir + "/d"}, nil, 2, "exclude each other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := hscProcess(t.Context(), append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
			cmd.Env = append(cmd.Env, tc.env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.want)
			}
		})
	}
	t.Run("data directory in use", func(t *testing.T) {
		data := t.TempDir()
		startServe(t, "--data", data)
		cmd := hscProcess(t.Context(), "serve", "--addr", "127.0.0.1:0", "--data", data)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "the data directory is in use by another hsc") ||
			!strings.Contains(stderr.String(), data) || strings.Contains(stderr.String(), "goroutine") {
			t.Errorf("err %v, stderr %q; want exit 1 saying the directory is in use", err, stderr.String())
		}
	})
	t.Run("address in use", func(t *testing.T) {
		p := startServe(t)
		addr := strings.TrimPrefix(p.url, "http://")
		cmd := hscProcess(t.Context(), "serve", "--addr", addr, "--memory")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "address already in use") {
			t.Errorf("err %v, stderr %q; want exit 1 naming the taken address", err, stderr.String())
		}
	})
}

// serveWaitDone polls DescribeExecution until the execution ends.
func serveWaitDone(t *testing.T, c *sfn.Client, arn *string) *sfn.DescribeExecutionOutput {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		d, err := c.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusRunning {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still RUNNING after 30 s", aws.ToString(arn))
		}
	}
}

// The mock file named by SFN_MOCK_CONFIG (as Step Functions Local reads
// it) answers a Task in the test case chosen by "<stateMachineArn>#<case>";
// --max-finished 2 keeps the two newest finished executions and logs the
// drop.
func TestServeMockAndRetention(t *testing.T) {
	dir := t.TempDir()
	mock := writeFile(t, dir, "mock.json", `{
		"StateMachines": {"greeter": {"TestCases": {"Happy": {"Greet": "Hello"}, "Sad": {"Greet": "Boom"}}}},
		"MockedResponses": {
			"Hello": {"0": {"Return": {"message": "Hello, Ada"}}},
			"Boom": {"0": {"Throw": {"Error": "Lambda.Unknown", "Cause": "it broke"}}}}}`)
	p := startServeEnv(t, []string{envMockConfig + "=" + mock}, "--memory", "--max-finished", "2")
	ctx := t.Context()
	c := serveClient(p.url)
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String("greeter"),
		Definition: aws.String(`{"StartAt":"Greet","States":{"Greet":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:greet","End":true}}}`),
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/r"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var arns []*string
	for _, tc := range []struct{ testCase, status, output, errName, cause string }{
		{"Happy", "SUCCEEDED", `{"message":"Hello, Ada"}`, "", ""},
		{"Sad", "FAILED", "", "Lambda.Unknown", "it broke"},
		{"Happy", "SUCCEEDED", `{"message":"Hello, Ada"}`, "", ""},
	} {
		ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(aws.ToString(sm.StateMachineArn) + "#" + tc.testCase)})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, ex.ExecutionArn)
		d := serveWaitDone(t, c, ex.ExecutionArn)
		if string(d.Status) != tc.status || aws.ToString(d.Output) != tc.output || aws.ToString(d.Error) != tc.errName || aws.ToString(d.Cause) != tc.cause {
			t.Errorf("test case %s: %s, output %q, error %q, cause %q; want %s %q %q %q", tc.testCase,
				d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause), tc.status, tc.output, tc.errName, tc.cause)
		}
	}
	// The oldest of three finished executions is gone; the newest two stay.
	_, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: arns[0]})
	var gone *types.ExecutionDoesNotExist
	if !errors.As(err, &gone) {
		t.Errorf("oldest execution: %v; want ExecutionDoesNotExist (--max-finished 2)", err)
	}
	for _, a := range arns[1:] {
		if _, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: a}); err != nil {
			t.Errorf("newer execution %s: %v", aws.ToString(a), err)
		}
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
	if !strings.Contains(p.stderr.String(), "dropped finished executions") {
		t.Errorf("stderr does not log the dropped execution:\n%s", p.stderr)
	}
}

// Listening beyond loopback is allowed when asked for, with a warning.
func TestServeWarnsBeyondLoopback(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want bool
	}{{"http://127.0.0.1:8083", true}, {"http://[::1]:8083", true}, {"http://0.0.0.0:8083", false}, {"http://[::]:1", false}, {"http://192.168.1.2:1", false}} {
		if got := loopback(tc.url); got != tc.want {
			t.Errorf("loopback(%s) = %v, want %v", tc.url, got, tc.want)
		}
	}
}

// TestServeConsole: hsc serve answers a browser at / with the web console
// on the API's port (the API still answers the SDK), and not with
// --console off.
func TestServeConsole(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		status int
		want   string
	}{
		{nil, 200, "<title>State machines · hsc console</title>"},
		{[]string{"--console", "off"}, 400, "Only POST requests are served."},
	} {
		p := startServe(t, tc.args...)
		resp, err := http.Get(p.url + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("hsc serve %v: GET / = %d %s; want %d with %q", tc.args, resp.StatusCode, body, tc.status, tc.want)
		}
		if _, err := serveClient(p.url).ListStateMachines(t.Context(), nil); err != nil {
			t.Errorf("hsc serve %v: the API does not answer: %v", tc.args, err)
		}
		if code := p.stop(t, syscall.SIGTERM); code != 0 {
			t.Errorf("exit %d after SIGTERM", code)
		}
	}
}

func TestParseDays(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90d", 90 * 24 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"36h", 36 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"0", 0, true},
		{"0d", 0, true},
		{"", 0, false},
		{"d", 0, false},
		{"-1d", 0, false},
		{"1d-1h", 0, false},
		{"90 days", 0, false},
		{"1.5d", 0, false},
		{"99999999d", 0, false},
	} {
		got, err := parseDays(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseDays(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
