package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/hsc-dev/hsc/activity"
	"github.com/hsc-dev/hsc/internal/taskcmd"
)

// exitInterrupted is hsc worker's exit status when it stopped with tasks
// still running after --grace: they were failed with hsc.WorkerShutdown
// and their commands' process groups killed.
const exitInterrupted = 3

func newWorkerCmd(g *globalFlags) *cobra.Command {
	var (
		activities  []string
		concurrency int
		pollers     int
		heartbeat   float64
		grace       time.Duration
		killAfter   time.Duration
		verbose     bool
	)
	cmd := &cobra.Command{
		Use:   "worker --activity NAME [--concurrency N] [--heartbeat S] -- COMMAND [ARGS...]",
		Short: "Serve Step Functions activity tasks by running a command for each",
		Long: `Poll the activity NAME (a name, looked up and created if missing, or an ARN)
for tasks and run COMMAND once per task, under the task command contract that
hsc run --task also uses (README: "Task commands"): the task's JSON input on
standard input; the result JSON on standard output (blank means null; more
than 256 KiB fails the task with States.DataLimitExceeded); a non-zero exit
fails the task with States.TaskFailed and standard error as the cause, or with
the error named by {"Error": ..., "Cause": ...} on standard error. The
environment has HSC_RESOURCE (the activity ARN), HSC_ACTIVITY (its name) and
HSC_TASK_TOKEN; HSC_STATE_NAME, HSC_ATTEMPT and HSC_CREDENTIALS_ROLE_ARN are
empty (the service does not tell a worker). Standard error of a task that succeeded is logged with -v.

Several --activity flags serve several activities from one process, each under
a supervisor that restarts its worker if it dies. --concurrency tasks run at
once per activity. With --heartbeat S, a heartbeat is sent every S seconds
while COMMAND runs (for states with HeartbeatSeconds).

Each COMMAND runs in its own process group, so a Ctrl-C in the terminal
reaches hsc only. Stopping a command means SIGTERM to its process group, then
SIGKILL after --kill-after if it has not exited; whatever a command leaves
running in its group when it exits is killed too. A command is stopped when
the service says its task timed out (the result is dropped), and at shutdown:
SIGINT or SIGTERM stops polling and waits up to --grace for the commands in
flight; those still running then are stopped and their tasks failed with
hsc.WorkerShutdown.

Exit status: 0 when stopped by SIGINT or SIGTERM after every task in flight
finished; 3 when tasks still running after --grace had to be failed with
hsc.WorkerShutdown; 2 for a usage error; 1 for any other error.`,
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
			if grace < 0 {
				return usageError{errors.New("worker: --grace must not be negative")}
			}
			if killAfter <= 0 {
				return usageError{errors.New("worker: --kill-after must be positive")}
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
			var handlers sync.WaitGroup
			for _, a := range activities {
				m.Activities = append(m.Activities, activity.Spec{
					Activity: a,
					Handler:  commandHandler(taskcmd.Command{Argv: args, Grace: killAfter}, log, &handlers),
					Options: activity.Options{
						Concurrency: concurrency,
						Pollers:     pollers,
						Heartbeat:   time.Duration(heartbeat * float64(time.Second)),
						GracePeriod: max(grace, time.Nanosecond), // 0: stop commands at once
						// Time for a command to stop on SIGTERM and be killed.
						StopTimeout: killAfter + 5*time.Second,
					},
				})
			}
			err = m.Run(cmd.Context())
			handlers.Wait() // every command's process group is gone
			var se *activity.ShutdownError
			if errors.As(err, &se) {
				fmt.Fprintf(cmd.ErrOrStderr(), "hsc: worker: %v\n", err)
				return exitError{exitInterrupted}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // flags after COMMAND belong to COMMAND
	f.StringArrayVar(&activities, "activity", nil, "activity name or ARN to serve (repeatable)")
	f.IntVar(&concurrency, "concurrency", 1, "tasks run at once, per activity")
	f.IntVar(&pollers, "pollers", 1, "GetActivityTask calls in flight at once, per activity (at most --concurrency)")
	f.Float64Var(&heartbeat, "heartbeat", 0, "send a heartbeat every S seconds while COMMAND runs (0: none)")
	f.DurationVar(&grace, "grace", 30*time.Second, "on SIGINT or SIGTERM, how long to wait for commands in flight (0: stop them at once)")
	f.DurationVar(&killAfter, "kill-after", taskcmd.DefaultGrace, "after SIGTERM, how long a command's process group has before SIGKILL")
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

// commandHandler runs c for each task under the task command contract
// (package taskcmd). handlers counts the commands running.
func commandHandler(c taskcmd.Command, log *slog.Logger, handlers *sync.WaitGroup) activity.Handler {
	return func(ctx context.Context, input json.RawMessage, _ activity.Heartbeater) (any, error) {
		handlers.Add(1)
		defer handlers.Done()
		info, _ := activity.TaskFromContext(ctx)
		task := taskcmd.Task{Resource: info.ActivityARN, Activity: activityNameOf(info.ActivityARN),
			Attempt: -1, TaskToken: info.Token}
		res, err := c.Run(ctx, task, input)
		var te *taskcmd.Error
		switch {
		case errors.As(err, &te):
			return nil, &activity.ActivityError{ErrorName: te.Name, Cause: te.Cause}
		case err != nil:
			return nil, err
		}
		if res.Stderr != "" {
			log.DebugContext(ctx, "task command standard error", "activity", task.Activity, "stderr", res.Stderr)
		}
		return json.RawMessage(res.Output), nil
	}
}
