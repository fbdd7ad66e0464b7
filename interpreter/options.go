package interpreter

import "time"

// Option configures one execution.
type Option func(*config)

type config struct {
	clock    Clock
	tasks    TaskResolver
	execName string
	smName   string
	region   string
	account  string
	roleArn  string
	record   bool // build event details (history or hook)
	keep     bool // keep the events in Result.History
	hook     func(Event)
	seed     uint64
	seeded   bool
	mapLimit int
	// resultFileBytes bounds a ResultWriter file (0: 5 GB, AWS's); tests
	// set it lower.
	resultFileBytes int64
	mapRunHook      func(*MapRun)
	maxEvents       int64                   // 0: no limit
	timeout         time.Duration           // 0: none beyond the machine's TimeoutSeconds
	newToken        func() string           // task tokens of .waitForTaskToken; nil: <execution>-<n>
	ctxJSON         []byte                  // merged into the context object; nil: none
	keyedToken      func(key string) string // WithKeyedTaskTokens
	keyed           bool                    // WithResumable
	resume          []Event                 // WithResume
	// beatDeadline and mapRunRecord: WithHeartbeatDeadlines and
	// WithMapRunRecords (resume.go).
	beatDeadline func(id, token string) (time.Time, bool)
	mapRunRecord func(runARN string) (*MapRunRecord, error)
}

func defaultConfig() config {
	return config{clock: RealClock{}, smName: "StateMachine", region: "us-east-1", account: "123456789012",
		mapLimit: defaultMapConcurrency, maxEvents: DefaultMaxEvents}
}

// DefaultMaxEvents is the number of history events at which AWS fails a
// Standard execution (States.Runtime).
const DefaultMaxEvents = 25000

// MaxPayloadBytes is the Step Functions quota on execution input and output,
// on every state's input and output, on Parameters and Arguments results and
// on the variables one state assigns (256 KiB). Larger payloads raise
// States.DataLimitExceeded.
const MaxPayloadBytes = 256 * 1024

// WithClock sets the clock (default: RealClock).
func WithClock(c Clock) Option { return func(o *config) { o.clock = c } }

// WithTaskResolver sets what runs Task states. Without one, any Task state
// fails the execution with States.Runtime.
func WithTaskResolver(r TaskResolver) Option { return func(o *config) { o.tasks = r } }

// WithExecutionName sets the execution name (default: a random UUID).
func WithExecutionName(name string) Option { return func(o *config) { o.execName = name } }

// WithStateMachineName sets the state machine name used in ARNs and the
// context object (default "StateMachine").
func WithStateMachineName(name string) Option { return func(o *config) { o.smName = name } }

// WithRegion and WithAccountID set the region and account in ARNs
// (defaults us-east-1 and 123456789012, as Step Functions Local uses).
func WithRegion(region string) Option { return func(o *config) { o.region = region } }

// WithAccountID sets the account id used in ARNs.
func WithAccountID(id string) Option { return func(o *config) { o.account = id } }

// WithRoleArn sets the execution's role: $$.Execution.RoleArn and the
// roleArn of ExecutionStarted. Every execution on AWS has one; the default
// is arn:aws:iam::ACCOUNT:role/StepFunctions-MACHINE-role, named as the
// console names the roles it creates.
func WithRoleArn(arn string) Option { return func(o *config) { o.roleArn = arn } }

// WithHistory records the execution history into Result.History. The
// history holds at most the event limit (WithMaxEvents) plus the final
// event.
func WithHistory() Option { return func(o *config) { o.record, o.keep = true, true } }

// WithEventHook calls f with each history event as it is recorded, in
// order; calls are never concurrent. The events are not kept unless
// WithHistory is given too, so a hook can stream a history of any length.
func WithEventHook(f func(Event)) Option {
	return func(o *config) { o.record, o.hook = true, f }
}

// WithSeed makes random choices (jitter, States.MathRandom without a seed,
// States.UUID, names) reproducible.
func WithSeed(seed uint64) Option { return func(o *config) { o.seed, o.seeded = seed, true } }

// WithMaxEvents sets the number of history events after which the
// execution fails with States.Runtime, as AWS fails a Standard execution
// at 25,000 events (the default). Events are counted whether or not the
// history is recorded; 0 means no limit.
func WithMaxEvents(n int) Option {
	return func(o *config) { o.maxEvents = int64(max(n, 0)) }
}

// WithTimeout ends the execution as TIMED_OUT (States.Timeout) once d has
// passed on the execution's clock, as the machine's TimeoutSeconds does;
// when both are set the shorter wins. 0 means no timeout.
func WithTimeout(d time.Duration) Option { return func(o *config) { o.timeout = max(d, 0) } }

// WithTaskTokens makes f the source of the task tokens of
// .waitForTaskToken tasks ($$.Task.Token), called once per attempt. By
// default a token is "<execution name>-<n>", unique within one run only;
// a server that routes tokens from many runs gives unique ones.
func WithTaskTokens(f func() string) Option { return func(o *config) { o.newToken = f } }

// WithContextObject merges obj, a JSON object, into the context object
// ("$$") every state reads: its members replace the run's, and objects
// are merged member by member (so {"Execution":{"Name":"x"}} changes only
// the execution's name). It is TestState's context. Run fails if obj is
// not a JSON object.
func WithContextObject(obj []byte) Option { return func(o *config) { o.ctxJSON = obj } }
