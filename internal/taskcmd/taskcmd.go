// Package taskcmd runs the command behind a Task: the one contract that
// `hsc run --task NAME=CMD` (a shell string, run with sh -c) and
// `hsc worker -- CMD ARGS` (an argument list) share.
//
// The contract, for both:
//
//   - The task's input JSON is on standard input.
//   - The environment is hsc's own plus HSC_STATE_NAME, HSC_RESOURCE,
//     HSC_ACTIVITY, HSC_ATTEMPT, HSC_TASK_TOKEN and HSC_CREDENTIALS_ROLE_ARN
//     (see [Task.Environ]);
//     a variable whose value hsc does not know is set and empty.
//   - Exit status 0: standard output is the result, JSON (blank means
//     null; for a .waitForTaskToken task, blank means no result: the task
//     waits for SendTaskSuccess or SendTaskFailure with its token, while
//     printing null gives the result null). More than [MaxOutputBytes] (256 KiB, the Step Functions
//     payload limit) fails the task with States.DataLimitExceeded; output
//     that is not JSON fails it with States.TaskFailed.
//   - Another exit status fails the task. If standard error (all of it, or
//     its last non-blank line) is a JSON object {"Error": "Name", "Cause":
//     ...} with a non-empty string Error, that is the error raised (a Cause
//     that is not a string is given as its JSON text); otherwise the error
//     is States.TaskFailed and the cause is standard error (or the exit
//     status when standard error is blank). Error names are cut to 256
//     characters and causes to 32,768, Step Functions' limits.
//   - Standard output and standard error are read as they come and never
//     held whole: output up to the limit plus one byte, standard error its
//     first 64 KiB and last 32 KiB.
//   - The command runs in its own process group. When the task is stopped
//     (its timeout, the execution's timeout, Ctrl-C, a worker shutting
//     down) the group gets SIGTERM, and SIGKILL after a grace period
//     ([DefaultGrace] unless set) if the command has not exited by then.
//     When the command exits, whatever it left running in its group gets
//     SIGKILL: nothing the task started outlives it.
//
// If hsc dies without stopping a command (SIGKILL, a crash), Linux sends
// the command SIGKILL (the parent-death signal); what it started is not
// reached. Being in a group of its own, a command cannot read the terminal.
//
// A process that leaves the group (setsid, setpgid, a daemon) is out of
// reach: hsc does not make itself a child subreaper
// (PR_SET_CHILD_SUBREAPER), because orphans adopted by a subreaper cannot
// be told apart per task when several run at once, and reaping them needs
// a wait(-1) loop that would steal the exit status of the children os/exec
// waits for. Run such daemons under a service manager instead.
//
// On Windows the command runs in a new process group and stopping it kills
// the process (Windows has no SIGTERM); its children are not reached.
//
// The package owns running one command and turning what it did into a
// result or a failure. It must not know about the command line, AWS
// clients or the activity worker; [Resolver] adapts it to the interpreter.
package taskcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Limits and error names of the contract.
const (
	// MaxOutputBytes is the most a command may print as its result:
	// 256 KiB, the Step Functions limit on a payload.
	MaxOutputBytes = 256 * 1024
	// MaxErrorChars and MaxCauseChars are the Step Functions limits on a
	// failure's error name and cause, in characters (UTF-16 code units).
	MaxErrorChars = 256
	MaxCauseChars = 32768
	// DefaultGrace is how long a stopped command has between SIGTERM and
	// SIGKILL when Command.Grace is zero.
	DefaultGrace = 5 * time.Second

	// ErrorTaskFailed is raised when a command fails without naming an
	// error, or prints a result that is not JSON.
	ErrorTaskFailed = "States.TaskFailed"
	// ErrorDataLimitExceeded is raised when a command prints more than
	// MaxOutputBytes.
	ErrorDataLimitExceeded = "States.DataLimitExceeded"
)

// How much of standard error is kept: the start and the end.
const (
	stderrHead = 64 * 1024
	stderrTail = 32 * 1024
)

// pipeWait bounds how long output is still read once the command and its
// group are gone: only a process that left the group can hold the pipes
// open that long.
const pipeWait = time.Second

// Task says which task a command runs for. It becomes the command's
// environment.
type Task struct {
	StateName string // the Task state's name (unknown to an activity worker)
	Resource  string // the state's Resource (a worker: the activity ARN)
	Activity  string // the activity name, for an activity resource
	// Attempt counts from 0 and grows with each retry; negative means
	// unknown (an activity worker is not told), and HSC_ATTEMPT is empty.
	Attempt   int
	TaskToken string // the task token, for callback and activity tasks
	// RoleArn is the role of the state's Credentials (unknown to an
	// activity worker).
	RoleArn string
}

// Environ returns the variables the command gets for t, in this order:
// HSC_STATE_NAME, HSC_RESOURCE, HSC_ACTIVITY, HSC_ATTEMPT, HSC_TASK_TOKEN,
// HSC_CREDENTIALS_ROLE_ARN.
// Every variable is always set, empty when unknown, so a command sees the
// same set under `hsc run` and `hsc worker`.
func (t Task) Environ() []string {
	attempt := ""
	if t.Attempt >= 0 {
		attempt = strconv.Itoa(t.Attempt)
	}
	return []string{
		"HSC_STATE_NAME=" + t.StateName,
		"HSC_RESOURCE=" + t.Resource,
		"HSC_ACTIVITY=" + t.Activity,
		"HSC_ATTEMPT=" + attempt,
		"HSC_TASK_TOKEN=" + t.TaskToken,
		"HSC_CREDENTIALS_ROLE_ARN=" + t.RoleArn,
	}
}

// Command is a program run once per task.
type Command struct {
	// Argv is the program and its arguments; the program is looked up
	// in PATH.
	Argv []string
	// Env is added to the environment after hsc's own and the task's
	// variables (so it can override them).
	Env []string
	// Grace is how long the command's process group has between SIGTERM
	// and SIGKILL when the task is stopped. Zero means DefaultGrace.
	Grace time.Duration
	// RawOutput takes standard output as it is, any bytes up to
	// MaxRawOutputBytes, instead of a JSON result: a distributed Map's
	// ItemReader command prints the S3 object's content.
	RawOutput bool
}

// MaxRawOutputBytes bounds the output of a RawOutput command (64 MiB).
const MaxRawOutputBytes = 64 << 20

// Shell returns the command that runs script with sh -c.
func Shell(script string) Command {
	return Command{Argv: []string{"sh", "-c", script}}
}

// Result is what a finished command did.
type Result struct {
	// Output is the result JSON (standard output without surrounding
	// white space), "null" when the command printed nothing. It is set
	// only when Run returns no error.
	Output []byte
	// Empty reports that the command printed nothing (or only white
	// space), which Output shows as null: a .waitForTaskToken task then
	// has no result yet and waits for its token.
	Empty bool
	// Stderr is what the command wrote on standard error: all of it, or
	// its first 64 KiB and last 32 KiB with a note of what was left out.
	Stderr string
	// ExitCode is the command's exit status, or -1 if a signal ended it
	// or it never started.
	ExitCode int
	// Stopped reports that the task was stopped (the context was done)
	// and the command's group was sent SIGTERM; Killed that it then also
	// needed SIGKILL.
	Stopped, Killed bool

	stderrIsCause bool // the failure's cause is standard error
}

// Error is a task failure: the error name and cause Step Functions
// records. Name and Cause are already cut to MaxErrorChars and
// MaxCauseChars.
type Error struct {
	Name  string
	Cause string
}

func (e *Error) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

// StoppedError reports a command stopped because its context was done.
// It wraps the context's cause (context.Cause).
type StoppedError struct {
	Cause  error
	Killed bool // SIGKILL was needed
}

func (e *StoppedError) Error() string {
	how := "stopped"
	if e.Killed {
		how = "killed (it did not stop on SIGTERM)"
	}
	return fmt.Sprintf("command %s: %v", how, e.Cause)
}

func (e *StoppedError) Unwrap() error { return e.Cause }

// Run runs the command for task with input on standard input and waits
// for it and its process group to end. It returns the result, and an
// error: an *Error when the task fails, a *StoppedError when ctx was done
// before the command ended. The Result is never nil.
func (c Command) Run(ctx context.Context, task Task, input []byte) (*Result, error) {
	res := &Result{ExitCode: -1}
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return res, &Error{Name: ErrorTaskFailed, Cause: "no command to run"}
	}
	if ctx.Err() != nil {
		res.Stopped = true
		return res, &StoppedError{Cause: context.Cause(ctx)}
	}
	grace := c.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}

	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	cmd.Env = append(append(os.Environ(), task.Environ()...), c.Env...)
	setGroup(cmd)

	// The pipes are ours (not os/exec's) so that the command's exit, the
	// clean-up of its group and the end of its output are separate steps.
	inR, inW, err := os.Pipe()
	if err != nil {
		return res, startError(c.Argv[0], err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW)
		return res, startError(c.Argv[0], err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW, outR, outW)
		return res, startError(c.Argv[0], err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	err = cmd.Start()
	closeAll(inR, outW, errW) // the child has its own copies
	if err != nil {
		closeAll(inW, outR, errR)
		return res, startError(c.Argv[0], err)
	}

	var out outputBuffer
	if c.RawOutput {
		out.started, out.limit = true, MaxRawOutputBytes
	}
	var serr stderrBuffer
	var readers sync.WaitGroup
	readers.Go(func() { drain(outR, out.write) })
	readers.Go(func() { drain(errR, serr.write) })
	go func() {
		inW.Write(input) // a command need not read it all: EPIPE is fine
		inW.Close()
	}()

	// Wait for the command to exit; on Linux without reaping it, so that
	// its process group cannot be recycled while hsc still signals it.
	exited := make(chan struct{})
	reaped := false
	var waitErr error
	go func() {
		defer close(exited)
		if waitExited(cmd.Process) != nil {
			reaped, waitErr = true, cmd.Wait()
		}
	}()

	select {
	case <-exited:
	case <-ctx.Done():
		res.Stopped = true
		terminateGroup(cmd.Process)
		t := time.NewTimer(grace)
		select {
		case <-exited:
			t.Stop()
		case <-t.C:
			res.Killed = true
			killGroup(cmd.Process)
			<-exited
		}
	}
	// The command has exited: whatever it left in its group goes too.
	killGroup(cmd.Process)
	if !reaped {
		waitErr = cmd.Wait()
	}
	inW.Close()
	waitPipes(&readers, outR, errR)

	if st := cmd.ProcessState; st != nil {
		res.ExitCode = st.ExitCode()
	}
	res.Stderr = serr.String()
	if res.Stopped {
		return res, &StoppedError{Cause: context.Cause(ctx), Killed: res.Killed}
	}
	if waitErr != nil {
		var ee *exec.ExitError
		if !errors.As(waitErr, &ee) {
			return res, &Error{Name: ErrorTaskFailed, Cause: Truncate(fmt.Sprintf("command %q: %v", c.Argv[0], waitErr), MaxCauseChars)}
		}
		f, named := failure(&serr, ee.ProcessState.String())
		res.stderrIsCause = !named && res.Stderr != ""
		return res, f
	}
	if out.overflow && c.RawOutput {
		return res, &Error{Name: ErrorDataLimitExceeded, Cause: fmt.Sprintf(
			"the command printed more than %d bytes (64 MiB), the most hsc reads as an S3 object", MaxRawOutputBytes)}
	}
	if out.overflow {
		return res, &Error{Name: ErrorDataLimitExceeded, Cause: fmt.Sprintf(
			"the command printed more than %d bytes (256 KiB), the most Step Functions accepts as a task result", MaxOutputBytes)}
	}
	if c.RawOutput {
		res.Output = out.buf
		return res, nil
	}
	o := bytes.TrimRight(out.buf, jsonSpace)
	switch {
	case len(o) == 0:
		o = []byte("null")
		res.Empty = true
	case !utf8.Valid(o):
		return res, &Error{Name: ErrorTaskFailed, Cause: "the command's output is not valid UTF-8"}
	case !json.Valid(o):
		return res, &Error{Name: ErrorTaskFailed, Cause: Truncate("the command's output is not JSON: "+string(o), 200)}
	}
	res.Output = o
	return res, nil
}

func startError(prog string, err error) *Error {
	return &Error{Name: ErrorTaskFailed, Cause: Truncate(fmt.Sprintf("cannot run command %q: %v", prog, err), MaxCauseChars)}
}

func closeAll(fs ...*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// drain reads r to its end into write, through a fixed buffer.
func drain(r *os.File, write func([]byte)) {
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		write(buf[:n])
		if err != nil {
			return
		}
	}
}

// waitPipes waits for the readers to reach the end of the pipes, for at
// most pipeWait (a process that left the group may hold them open), then
// closes them.
func waitPipes(readers *sync.WaitGroup, pipes ...*os.File) {
	done := make(chan struct{})
	go func() { readers.Wait(); close(done) }()
	t := time.NewTimer(pipeWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
	closeAll(pipes...)
	<-done
}

// failure is the error of a command that exited with a non-zero status;
// named reports an error the command named on standard error.
func failure(serr *stderrBuffer, status string) (e *Error, named bool) {
	if name, cause, ok := namedError(serr); ok {
		return &Error{Name: Truncate(name, MaxErrorChars), Cause: Truncate(cause, MaxCauseChars)}, true
	}
	text := strings.TrimSpace(serr.String())
	if text == "" {
		return &Error{Name: ErrorTaskFailed, Cause: status}, false
	}
	return &Error{Name: ErrorTaskFailed, Cause: TruncateMiddle(text, MaxCauseChars)}, false
}

// namedError reads {"Error": ..., "Cause": ...} from all of standard error
// or from its last non-blank line.
func namedError(serr *stderrBuffer) (name, cause string, ok bool) {
	text, complete := serr.complete()
	if complete {
		if name, cause, ok := parseNamedError(bytes.TrimSpace(text)); ok {
			return name, cause, true
		}
	} else {
		text = serr.tail()
	}
	return parseNamedError(lastLine(text))
}

func lastLine(b []byte) []byte {
	b = bytes.TrimRight(b, " \t\r\n")
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	return bytes.TrimSpace(b)
}

func parseNamedError(b []byte) (name, cause string, ok bool) {
	if len(b) == 0 || b[0] != '{' {
		return "", "", false
	}
	var v map[string]json.RawMessage // exact key names, unlike a struct
	if json.Unmarshal(b, &v) != nil {
		return "", "", false
	}
	if json.Unmarshal(v["Error"], &name) != nil || name == "" {
		return "", "", false
	}
	raw := bytes.TrimSpace(v["Cause"])
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case raw[0] == '"':
		json.Unmarshal(raw, &cause)
	default:
		var c bytes.Buffer
		if json.Compact(&c, raw) == nil {
			cause = c.String()
		}
	}
	return name, cause, true
}
