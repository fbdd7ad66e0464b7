// Package server is hsc's local AWS Step Functions service: the Step
// Functions API (AWS JSON 1.0, as the SDKs and the AWS CLI speak it) in
// front of hsc's own interpreter.
//
// It owns the wire protocol, request validation against the API model
// (internal/apimodel, generated from botocore's service-2.json), the
// operations' rules (names, ARNs, idempotency, paging, error codes),
// running executions on the interpreter, and activity task queues with
// their task tokens. It uses the interpreter only through its public API
// (Compile, Run and its options, TaskResolver, Event), package asl only to
// validate definitions, and keeps its records in a store.Store. It must
// not know how the interpreter runs states, how a store keeps records, or
// anything of the command line.
//
// # Starting it
//
// New(Config) → Start → URL → Close, in a test or behind a command;
// servertest.Start does it for a test. Mount serves another handler (hsc
// serve's web console) on the same port for requests that are not API
// requests, and Invoke runs an operation in-process exactly as a request
// would. Every
// operation is POST / with X-Amz-Target: AWSStepFunctions.<Operation>;
// errors are {"__type": "...#Code", "message": "..."} with HTTP 400 (413
// for a request body over Config.MaxBodyBytes, 500 only for a server
// fault, which is logged). SigV4 headers are accepted and not verified: any
// credentials work. The Host header is ignored.
//
// # Durability, restarts and redrive
//
// History events reach the store through one committer (commit.go): what
// all executions emitted since the last transaction, and the starts
// waiting meanwhile, commit together (group commit), each execution's
// events in order with its status change, so an execution's stored
// history is always a prefix of its run (over the in-memory store, an
// execution's events not waited for are stored in runs, and
// GetExecutionHistory stores what is held before it reads). A request
// that depends on a write is answered after its commit: StartExecution,
// GetActivityTask (the task's ActivityStarted), SendTaskSuccess/Failure
// (the task's outcome), StopExecution and RedriveExecution. Start resumes
// every execution the store holds as RUNNING before serving, by replaying
// its stored history through the interpreter (resume.go;
// interpreter.WithResume); RedriveExecution uses the same replay
// (redrive.go). A run whose events the store refuses stops and is resumed
// once the store takes writes. DescribeExecution of an execution running
// in this process (and, over a durable store, of one that ended lately)
// answers from its last committed record, kept in memory: never a status
// the store does not hold yet.
//
// # Client settings
//
// Point the client at URL(). The SDKs send StartSyncExecution and
// TestState to a "sync-" prefixed host, which does not resolve for a
// local address; each client has a switch that turns the prefix off:
//
//   - AWS CLI and botocore (boto3): --endpoint-url URL and the environment
//     AWS_DISABLE_HOST_PREFIX_INJECTION=true (or inject_host_prefix = false
//     in the profile).
//   - JavaScript SDK v3: new SFNClient({endpoint: URL, disableHostPrefix: true}).
//   - Go SDK v2: sfn.Options.BaseEndpoint = URL, and for those two
//     operations an Initialize middleware that calls
//     smithyhttp.DisableEndpointHostPrefix(ctx, true); servertest.NoHostPrefix
//     is that option.
//
// The AWS CLI 1.45 (botocore 1.43) and the JavaScript SDK v3 were checked
// by hand against this server: create, start, describe, history, an
// activity task through GetActivityTask and SendTaskSuccess, an Express
// StartSyncExecution, TestState, ValidateStateMachineDefinition and error
// codes.
//
// # Tasks
//
// Config.Tasks (hsc run's task commands, internal/taskcmd) and a mock test
// case answer Lambda functions, service integrations and any activity they
// map; an activity neither maps is queued for workers polling
// GetActivityTask. A .waitForTaskToken task's token is live from the
// moment the task starts; when its command or mock gives no result
// (nothing, or null: a command that prints nothing gives null), the task
// waits for SendTaskSuccess, SendTaskFailure or its timeout.
//
// # Differences from AWS
//
// What this server does differently, so that nothing differs silently
// (README.md, "Local Step Functions API: hsc serve", has the same table:
// change both together):
//
//	Area                 | AWS                                   | hsc serve
//	---------------------+---------------------------------------+------------------------------------------------
//	Authentication       | SigV4 verified, IAM enforced          | signatures and roles accepted, never checked
//	Limits               | throttling, account quotas            | none, except 50 tags, 1,000 versions, 100 aliases,
//	                     |                                       | 1,000 pollers per activity (Config.MaxPollers)
//	Retention            | 90 days                               | hsc serve --retention (default 90 days); the
//	                     |                                       | in-memory store keeps the newest Config.MaxFinished
//	                     |                                       | finished executions (default 10,000)
//	DeleteStateMachine   | DELETING until executions end         | deleted at once; running executions finish
//	Logging, tracing,    | acted on                              | stored and echoed, never acted on; no KMS errors
//	encryption           |                                       |
//	Express executions   | CloudWatch Logs                       | no history anywhere
//	StartSyncExecution   | measured billing                      | billing details nominal (64 MB, duration in 100 ms)
//	Task tokens          | opaque                                | "hsc1." + an id + the execution ARN + a
//	                     |                                       | signature, for activities and .waitForTaskToken,
//	                     |                                       | routable (TokenExecution); a Standard
//	                     |                                       | execution's ids derive from it and the task's
//	                     |                                       | place (the same after a restart; their key is
//	                     |                                       | fixed), an Express one's are random
//	Crash recovery       | Standard tasks run exactly once       | a task command or mock in flight at a crash
//	                     |                                       | runs again (at least once; see resume.go)
//	Time                 | real                                  | Config.WaitScale scales Waits, retry intervals,
//	                     |                                       | timeouts and heartbeats alike; with VirtualTime
//	                     |                                       | a task's TimeoutSeconds and HeartbeatSeconds
//	                     |                                       | count real time (virtual time stands still
//	                     |                                       | while a task runs)
//	RedriveExecution     | re-runs failed work                   | the same, by replaying the stored history (see
//	                     |                                       | redrive.go); the execution timeout counts from
//	                     |                                       | the redrive
//	Map runs             | distributed Map runs child executions | children run in-process; map runs, children and
//	                     |                                       | STANDARD children's histories are kept in memory
//	                     |                                       | (newest 10,000 runs with at most 1,000,000
//	                     |                                       | children; 1,000,000 child history events),
//	                     |                                       | and with --data in the store too (they answer
//	                     |                                       | after a restart, and a run cut short by a
//	                     |                                       | crash goes on as the same run when its parent
//	                     |                                       | resumes); EXPRESS children keep no history;
//	                     |                                       | S3 calls go to --task and the mock file
//	Parquet items        | a row's JSON form not documented      | hsc's mapping (README, "Parquet objects"):
//	                     |                                       | column names as keys, dates and timestamps as
//	                     |                                       | ISO 8601 strings, bytes as base64; a mock gives
//	                     |                                       | the file as base64 in Body
//	TestState            | inspection data from the service      | JSONPath stages worked out by running each
//	                     |                                       | (InputPath, Parameters, ResultSelector) and the
//	                     |                                       | task's input and result; no HTTP request and
//	                     |                                       | response (TRACE); context (only with mock, as
//	                     |                                       | AWS requires) is merged into the context object
//	Request body limit   | front end limit (not recorded)        | 413 RequestEntityTooLargeException
//	Validation messages  | values of sensitive members hidden    | same rule, from the model's sensitive flag
package server
