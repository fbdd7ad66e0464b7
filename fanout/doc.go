// Package fanout runs one execution of a sub state machine per input, at
// most a set number at a time, and gathers their outputs: heaviside's
// fanout and fanout_nonblocking, for dynamic parallelism that never
// orphans work.
//
// [Fanout] blocks until every execution finished. [State] is the same
// work one round at a time, with its whole state in one JSON value, for a
// Lambda function (or any short-lived process) that a state machine calls
// in a loop: unmarshal, [State.Step], marshal, repeat until Finished.
// Execution names are the fan-out id and the input's index, so a round
// that crashed after starting executions but before its state was saved
// is simply run again: starting a name that exists adopts that execution,
// so nothing is lost and nothing runs twice.
//
// Differences from heaviside: results come back in input order (heaviside
// returns them in completion order); the status rate limit is a token
// bucket (golang.org/x/time/rate) rather than a sleep after each call; a
// start that was throttled or transiently failed is retried in the next
// round, as is ExecutionAlreadyExists, which heaviside handles by retrying
// with a new random name.
//
// On the first failed (or aborted, or timed out) sub-execution, every
// running one is stopped and an *activity.ActivityError with that
// execution's error and cause is returned. The blocking form also stops
// everything it started when its context is cancelled.
//
// A fan-out run from an activity handler can take long: when the state has
// HeartbeatSeconds, set the worker's activity.Options.Heartbeat.
//
// The package owns launching, polling, stopping and the resumable state.
// It must not know about the command line or how the client was
// configured; activity workers live in package activity.
package fanout
