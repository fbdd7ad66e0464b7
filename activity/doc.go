// Package activity runs Step Functions activity workers: a [Worker] polls
// one activity for tasks and hands each to a [Handler] (at most N at once),
// reporting the handler's output or error back to the service, with
// heartbeats through a [Heartbeater]; a [Manager] supervises several
// workers, restarts any whose loop dies and stops them all on SIGINT or
// SIGTERM.
//
// It is heaviside's activities module (ActivityMixin, TaskMixin, Activity,
// TaskProcess, ActivityProcess, ActivityManager) rebuilt with goroutines,
// contexts and a small client interface ([API], satisfied by *sfn.Client).
//
// # Heartbeats and heaviside's generators
//
// A heaviside task function that is a generator sends a heartbeat each time
// it yields, and its return value is the output. In Go the handler gets a
// [Heartbeater] instead: call hb.Beat(ctx) where the Python code would
// yield, and return the output. Or set [Options].Heartbeat to have the
// worker beat on a timer while the handler runs. When the service answers a
// heartbeat with TaskTimedOut, the handler's context is cancelled with
// [ErrTaskTimedOut] as its cause, and whatever it returns afterwards is
// dropped (the service no longer accepts it), as heaviside eats the timeout.
//
// # Shutdown
//
// When a Worker's context is cancelled it stops polling and gives the
// tasks in flight [Options].GracePeriod to finish; then it cancels their
// contexts (cause [ErrShutdown]) and fails each with [ErrorNameShutdown].
// A handler that still has not returned [Options].StopTimeout later has
// its task failed by the worker itself, so no execution is left waiting
// for a task nobody runs. Run then returns a [*ShutdownError] (and
// Manager.Run all of them, joined), which hsc worker turns into its exit
// status. A handler finds its task token with [TaskFromContext].
//
// The package owns polling, concurrency, task results and supervision. It
// must not know about state machine definitions, the command line or how
// the client was configured; fan-out lives in package fanout.
package activity
