// Package runtime runs state machines on AWS Step Functions: it loads AWS
// configuration (the SDK's standard chain plus heaviside-style overrides),
// looks state machines up by name, creates, updates and deletes them, and
// starts, stops, inspects and waits for their executions.
//
// It owns the Step Functions client ([SFNAPI], shared with activity workers),
// retry policy, pagination and the errors a user can act on. It compiles
// Heaviside source only through the root hsc package, and must not know about
// the command line, flags or how results are printed.
package runtime
