package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/hsc-dev/hsc/activity"
)

// Error name of a task whose command exited with a non-zero status or
// could not be run.
const errorNameCommandFailed = "hsc.CommandFailed"

// stderrTail is how much of a failed command's standard error becomes the
// task failure's cause (the service's limit on a cause).
const stderrTail = 32768

func newWorkerCmd(g *globalFlags) *cobra.Command {
	var (
		activities  []string
		concurrency int
		pollers     int
		heartbeat   float64
		grace       time.Duration
		verbose     bool
	)
	cmd := &cobra.Command{
		Use:   "worker --activity NAME [--concurrency N] [--heartbeat S] -- COMMAND [ARGS...]",
		Short: "Serve Step Functions activity tasks by running a command for each",
		Long: `Poll the activity NAME (a name, looked up and created if missing, or an ARN)
for tasks and run COMMAND once per task, with the task's JSON input on standard
input. What COMMAND prints on standard output (JSON; empty means null) is the
task's output. A non-zero exit fails the task with the error hsc.CommandFailed
and the end of COMMAND's standard error as the cause. The environment variable
HSC_ACTIVITY holds the activity name.

Several --activity flags serve several activities from one process, each under
a supervisor that restarts its worker if it dies. --concurrency tasks run at
once per activity. With --heartbeat S, a heartbeat is sent every S seconds
while COMMAND runs (for states with HeartbeatSeconds); if the service says the
task timed out, COMMAND gets SIGTERM (and SIGKILL 5 s later if it, or a child
still holding its output open, has not finished; pass the signal on to
children). SIGINT or SIGTERM stops polling and waits up to --grace for the
commands in flight; commands still running then are stopped the same way and
their tasks fail with hsc.WorkerShutdown.`,
		Example: `  hsc worker --activity resize --concurrency 4 -- ./resize.sh
  hsc worker --activity a --activity b --heartbeat 20 -- python3 task.py`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(activities) == 0 {
				return usageError{errors.New("worker: give at least one --activity")}
			}
			if concurrency < 1 {
				return usageError{fmt.Errorf("worker: --concurrency must be at least 1, not %d", concurrency)}
			}
			if pollers < 1 {
				return usageError{fmt.Errorf("worker: --pollers must be at least 1, not %d", pollers)}
			}
			if heartbeat < 0 {
				return usageError{fmt.Errorf("worker: --heartbeat must not be negative")}
			}
			if _, err := exec.LookPath(args[0]); err != nil {
				return usageError{fmt.Errorf("worker: command %q: %w", args[0], err)}
			}
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			c, err := newClient(cmd.Context(), g)
			if err != nil {
				return err
			}
			m := &activity.Manager{API: c.API(), Logger: log}
			for _, a := range activities {
				m.Activities = append(m.Activities, activity.Spec{
					Activity: a,
					Handler:  commandHandler(args, activityNameOf(a)),
					Options: activity.Options{
						Concurrency: concurrency,
						Pollers:     pollers,
						Heartbeat:   time.Duration(heartbeat * float64(time.Second)),
						GracePeriod: grace,
					},
				})
			}
			return m.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // flags after COMMAND belong to COMMAND
	f.StringArrayVar(&activities, "activity", nil, "activity name or ARN to serve (repeatable)")
	f.IntVar(&concurrency, "concurrency", 1, "tasks run at once, per activity")
	f.IntVar(&pollers, "pollers", 1, "GetActivityTask calls in flight at once, per activity (at most --concurrency)")
	f.Float64Var(&heartbeat, "heartbeat", 0, "send a heartbeat every S seconds while COMMAND runs (0: none)")
	f.DurationVar(&grace, "grace", 30*time.Second, "on SIGINT or SIGTERM, how long to wait for commands in flight")
	f.BoolVarP(&verbose, "verbose", "v", false, "log each task")
	return cmd
}

// activityNameOf is the name part of an activity ARN, or the name itself.
func activityNameOf(a string) string {
	if strings.HasPrefix(a, "arn:") {
		return a[strings.LastIndexByte(a, ':')+1:]
	}
	return a
}

// commandHandler runs argv for each task: input on stdin, output from
// stdout, failure cause from the end of stderr.
func commandHandler(argv []string, activityName string) activity.Handler {
	return func(ctx context.Context, input json.RawMessage, _ activity.Heartbeater) (any, error) {
		c := exec.CommandContext(ctx, argv[0], argv[1:]...)
		c.Stdin = bytes.NewReader(input)
		stdout := &limitedBuffer{max: activity.MaxOutputBytes}
		stderr := &tailBuffer{max: stderrTail}
		c.Stdout, c.Stderr = stdout, stderr
		c.Env = append(os.Environ(), "HSC_ACTIVITY="+activityName)
		// On cancellation (task timed out, worker shutting down) ask the
		// command to stop, and kill it if it has not within 5 s.
		c.Cancel = func() error { return c.Process.Signal(syscall.SIGTERM) }
		c.WaitDelay = 5 * time.Second
		err := c.Run()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("command stopped: %w", context.Cause(ctx))
		}
		if err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				return nil, &activity.ActivityError{ErrorName: errorNameCommandFailed, Cause: "cannot run the command: " + err.Error()}
			}
			cause := strings.TrimSpace(stderr.String())
			if cause == "" {
				cause = ee.String() // e.g. "exit status 3"
			}
			return nil, &activity.ActivityError{ErrorName: errorNameCommandFailed, Cause: cause}
		}
		if stdout.overflow {
			return nil, &activity.ActivityError{ErrorName: activity.ErrorNameOutputTooLarge,
				Cause: fmt.Sprintf("the command printed more than %d bytes (256 KiB), the most Step Functions accepts", activity.MaxOutputBytes)}
		}
		out := bytes.TrimSpace(stdout.Bytes())
		if len(out) == 0 {
			return json.RawMessage("null"), nil
		}
		if !json.Valid(out) {
			return nil, &activity.ActivityError{ErrorName: activity.ErrorNameInvalidOutput,
				Cause: "the command's output is not JSON: " + clip(string(out), 200)}
		}
		return json.RawMessage(out), nil
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// limitedBuffer keeps up to max bytes and notes whether more came.
type limitedBuffer struct {
	bytes.Buffer
	max      int
	overflow bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.overflow = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf []byte
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

// String returns the kept bytes, starting at a whole UTF-8 character.
func (b *tailBuffer) String() string {
	s := b.buf
	for len(s) > 0 && !utf8.RuneStart(s[0]) {
		s = s[1:]
	}
	return string(s)
}
