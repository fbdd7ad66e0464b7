//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/hsc-dev/hsc/internal/sfnlocal"
	"github.com/hsc-dev/hsc/runtime"
)

// hscBinary builds the hsc command into a folder the test removes.
func hscBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds hsc (-short)")
	}
	bin := filepath.Join(t.TempDir(), "hsc")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// pidsIn waits for want process IDs in file.
func pidsIn(t *testing.T, file string, want int) []int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(file)
		if f := strings.Fields(string(b)); len(f) >= want {
			var pids []int
			for _, s := range f {
				p, err := strconv.Atoi(s)
				if err != nil {
					t.Fatalf("pid file %q", b)
				}
				pids = append(pids, p)
			}
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("the task command did not write its pids (%q)", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// running reports whether pid runs; a zombie does not (this machine's
// init may never reap).
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		if goruntime.GOOS == "linux" {
			return false
		}
		return syscall.Kill(pid, 0) == nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || (s[i+2] != 'Z' && s[i+2] != 'X')
}

func assertGone(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for _, p := range pids {
		for running(p) {
			if time.Now().After(deadline) {
				syscall.Kill(p, syscall.SIGKILL)
				t.Errorf("process %d of the task command still runs", p)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// Issue 10.1: a Task's TimeoutSeconds, the machine's TimeoutSeconds and
// Ctrl-C stop a task command with children (`sleep 25; echo 1` ended after
// 25 s: only sh was killed, and sleep kept the pipe open). Real hsc
// processes, real signals: the command writes its own and its child's pid,
// and both must be gone when hsc exits.
func TestRunStopsTaskProcesses(t *testing.T) {
	bin := hscBinary(t)
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:f"
	taskTimeout := fmt.Sprintf(`{"StartAt":"f","States":{"f":{"Type":"Task","Resource":%q,"TimeoutSeconds":2,"End":true}}}`, fn)
	machineTimeout := fmt.Sprintf(`{"TimeoutSeconds":2,"StartAt":"f","States":{"f":{"Type":"Task","Resource":%q,"End":true}}}`, fn)
	noTimeout := fmt.Sprintf(`{"StartAt":"f","States":{"f":{"Type":"Task","Resource":%q,"End":true}}}`, fn)
	// `sleep 25; echo 1`, with the pids written down.
	const script = `sleep 25 & echo $$ $! > %q; wait $!; echo 1`
	const stubborn = `trap '' TERM; sleep 25 & echo $$ $! > %q; wait $!; wait $!; echo 1`
	tests := []struct {
		name      string
		def       string
		script    string
		interrupt bool          // send SIGINT to hsc's process group, as a terminal's Ctrl-C does
		within    time.Duration // hsc must end this soon after the timeout or the signal
		wantErr   string
	}{
		{name: "task TimeoutSeconds", def: taskTimeout, script: script, within: 3 * time.Second, wantErr: "States.Timeout"},
		{name: "machine TimeoutSeconds", def: machineTimeout, script: script, within: 3 * time.Second, wantErr: "TIMED_OUT"},
		{name: "Ctrl-C", def: noTimeout, script: script, interrupt: true, within: 3 * time.Second},
		// SIGTERM ignored: SIGKILL after the grace period (5 s).
		{name: "Ctrl-C, command ignores SIGTERM", def: noTimeout, script: stubborn, interrupt: true, within: 5*time.Second + 3*time.Second},
		{name: "task TimeoutSeconds, command ignores SIGTERM", def: taskTimeout, script: stubborn, within: 5*time.Second + 3*time.Second, wantErr: "States.Timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			def := filepath.Join(dir, "m.json")
			if err := os.WriteFile(def, []byte(tc.def), 0o644); err != nil {
				t.Fatal(err)
			}
			pidFile := filepath.Join(dir, "pids")
			cmd := exec.Command(bin, "run", def, "--task", "f="+fmt.Sprintf(tc.script, pidFile))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // hsc leads a group, like a terminal's foreground job
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			pids := pidsIn(t, pidFile, 2)
			from := start.Add(2 * time.Second) // the timeouts
			if tc.interrupt {
				from = time.Now()
				syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
			}
			var err error
			select {
			case err = <-exited:
			case <-time.After(time.Until(from) + tc.within + 20*time.Second):
				cmd.Process.Kill()
				t.Fatalf("hsc run did not end; stderr:\n%s", stderr.String())
			}
			if took := time.Since(from); took > tc.within {
				t.Errorf("hsc run ended %v after the timeout or signal, want within %v", took.Round(time.Millisecond), tc.within)
			}
			if err == nil {
				t.Errorf("hsc run succeeded; stderr:\n%s", stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantErr, stderr.String())
			}
			assertGone(t, pids)
			if strings.Contains(stderr.String(), "panic") {
				t.Errorf("stderr:\n%s", stderr.String())
			}
		})
	}
}

// Issue 10.2: at shutdown hsc worker fails every unfinished task with
// hsc.WorkerShutdown, kills every command's process group after the grace
// period, and its exit status says so. Ctrl-C in a terminal goes to the
// whole foreground process group; the commands run in their own groups,
// so it reaches hsc only and --grace means what it says. Before, a
// command ignoring SIGTERM was orphaned, its execution stayed RUNNING and
// hsc exited 0; and Ctrl-C killed every command at once, whatever --grace.
func TestWorkerShutdownProcesses(t *testing.T) {
	c := localRuntime(t)
	bin := hscBinary(t)
	const grace = 2 * time.Second
	tests := []struct {
		name     string
		script   string // %q: the pid file
		wantCode int
		status   string // the execution's end
		errName  string // its ActivityFailed error
	}{
		{name: "finishes within the grace period", script: `sleep 1.5 & echo $$ $! > %q; wait $!; echo '{"done":true}'`,
			wantCode: 0, status: "SUCCEEDED"},
		{name: "stops on SIGTERM after the grace period", script: `sleep 60 & echo $$ $! > %q; wait $!`,
			wantCode: exitInterrupted, status: "FAILED", errName: "hsc.WorkerShutdown"},
		{name: "ignores SIGTERM", script: `trap '' TERM; sleep 60 & echo $$ $! > %q; wait $!; wait $!`,
			wantCode: exitInterrupted, status: "FAILED", errName: "hsc.WorkerShutdown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name, m := activityMachine(t, c, "shutdownproc")
			pidFile := filepath.Join(t.TempDir(), "pids")
			cmd := exec.Command(bin, "--region", sfnlocal.Region, "--account-id", sfnlocal.AccountID,
				"--access-key", sfnlocal.AccessKey, "--secret-key", sfnlocal.SecretKey, "--endpoint-url", sfnlocal.Endpoint(t),
				"worker", "--activity", name, "--grace", grace.String(), "--kill-after", "1s",
				"--", "sh", "-c", fmt.Sprintf(tc.script, pidFile))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal's foreground job
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			t.Cleanup(func() { cmd.Process.Kill() })
			execARN, err := m.Start(t.Context(), []byte(`{}`), "shutdown")
			if err != nil {
				t.Fatal(err)
			}
			pids := pidsIn(t, pidFile, 2)
			signalled := time.Now()
			syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) // Ctrl-C
			time.Sleep(grace / 2)
			for _, p := range pids {
				if !running(p) {
					t.Errorf("process %d of the command ended within the grace period: Ctrl-C reached it", p)
				}
			}
			var werr error
			select {
			case werr = <-exited:
			case <-time.After(grace + 15*time.Second):
				t.Fatalf("hsc worker did not stop; stderr:\n%s", stderr.String())
			}
			if took := time.Since(signalled); took > grace+time.Second+3*time.Second {
				t.Errorf("hsc worker stopped %v after Ctrl-C; want within --grace + --kill-after", took.Round(time.Millisecond))
			}
			code := 0
			if ee, ok := werr.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if werr != nil {
				t.Fatal(werr)
			}
			if code != tc.wantCode {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tc.wantCode, stderr.String())
			}
			assertGone(t, pids)
			d := waitDone(t, c, execARN)
			if string(d.Status) != tc.status {
				t.Errorf("execution %s, want %s", d.Status, tc.status)
			}
			if tc.errName != "" {
				events, err := c.History(t.Context(), execARN)
				if err != nil {
					t.Fatal(err)
				}
				var errName string
				for _, ev := range events {
					if f := ev.ActivityFailedEventDetails; f != nil {
						errName = aws.ToString(f.Error)
					}
				}
				if errName != tc.errName {
					t.Errorf("ActivityFailed error %q, want %q", errName, tc.errName)
				}
			}
		})
	}
}

// localRuntime returns a client of the local Step Functions server.
func localRuntime(t *testing.T) *runtime.Client {
	t.Helper()
	c, err := runtime.New(t.Context(), runtime.Config{
		Region: sfnlocal.Region, AccessKey: sfnlocal.AccessKey, SecretKey: sfnlocal.SecretKey,
		AccountID: sfnlocal.AccountID, EndpointURL: sfnlocal.Endpoint(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// activityMachine creates an activity and a state machine whose one Task
// runs it; both are named from prefix.
func activityMachine(t *testing.T, c *runtime.Client, prefix string) (activity string, m *runtime.StateMachine) {
	t.Helper()
	activity = sfnlocal.Name(t, prefix)
	out, err := c.API().CreateActivity(t.Context(), &sfn.CreateActivityInput{Name: aws.String(activity)})
	if err != nil {
		t.Fatal(err)
	}
	m = c.NewStateMachine(sfnlocal.Name(t, prefix), "")
	def := fmt.Sprintf(`{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":%q,"End":true}}}`, aws.ToString(out.ActivityArn))
	if err := m.Create(t.Context(), []byte(def), sfnlocal.RoleARN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Delete(context.Background(), false) })
	return activity, m
}

// If hsc itself dies without stopping its task command (SIGKILL, a crash),
// the command gets SIGKILL from the kernel (Linux only; what the command
// started is not reached, as the README says).
func TestRunKilledHSCKillsCommand(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("parent-death signal is Linux only")
	}
	bin := hscBinary(t)
	dir := t.TempDir()
	def := filepath.Join(dir, "m.json")
	if err := os.WriteFile(def, []byte(`{"StartAt":"f","States":{"f":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "pids")
	cmd := exec.Command(bin, "run", def, "--task", fmt.Sprintf(`f=echo $$ 0 > %q; exec sleep 30`, pidFile))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pids := pidsIn(t, pidFile, 2)
	cmd.Process.Kill()
	cmd.Wait()
	assertGone(t, pids[:1])
}

// Issue 10.8, the reproducers run by a real hsc: 300 MB of task output or
// standard error took 1 GB and 1.9 GB (and made a 300 MB cause); now the
// process's peak resident size stays under a bound far below that.
func TestRunTaskOutputMemory(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("Maxrss is in kilobytes on Linux")
	}
	bin := hscBinary(t)
	dir := t.TempDir()
	def := filepath.Join(dir, "m.json")
	if err := os.WriteFile(def, []byte(`{"StartAt":"f","States":{"f":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	const boundKB = 100 * 1024
	tests := []struct{ name, task, wantErr string }{
		{"300 MB of output", `f=head -c 300000000 /dev/zero`, "States.DataLimitExceeded"},
		{"300 MB of stderr", `f=head -c 300000000 /dev/zero >&2; exit 1`, "States.TaskFailed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, "run", def, "--task", tc.task)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			peakKB, _ := peakRSS(t, cmd)
			if !strings.Contains(stderr.String(), tc.wantErr) || stderr.Len() > 40*1024 {
				t.Errorf("stderr (%d bytes) lacks %s: %.300q", stderr.Len(), tc.wantErr, stderr.String())
			}
			if peakKB > boundKB {
				t.Errorf("hsc run peaked at %d MB, more than %d MB", peakKB/1024, boundKB/1024)
			} else {
				t.Logf("peak resident size %d MB", peakKB/1024)
			}
		})
	}
}
