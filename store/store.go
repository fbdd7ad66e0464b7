// Package store defines what the local Step Functions server keeps: state
// machines (with their versions and aliases), activities, tags, executions
// and their history events, and distributed Map states' map runs (with
// their child executions and the children's histories), behind one interface with transactions and
// paging. Package memstore implements it in memory; a durable
// implementation (SQLite) is meant to implement the same interface.
//
// The store knows records, keys and ordering. It must not know the Step
// Functions wire protocol, request validation, the States Language or how
// executions run: history events are opaque JSON documents to it, and
// definitions are text.
//
// # Durability and resuming
//
// A durable Store (store/sqlstore) keeps every committed transaction across
// a crash of the process; memstore keeps nothing across a restart but
// implements the same methods so the server has one code path. What the
// server must write so that a restart can resume what was running:
//
//   - An execution's progress: its history events (AppendEvents) in the
//     same transaction as whatever the runner derives from them
//     (PutExecution when the status changes, PutCheckpoint for opaque
//     resume data of its own, such as Map/Parallel progress or timer
//     deadlines). A restart reads the RUNNING executions with
//     ListExecutions(ExecutionFilter{Status: StatusRunning}, ...) page by
//     page, then each one's checkpoint, tasks and, if it needs them, its
//     events (paged; never the whole history at once).
//   - Task tokens (PutTask): one Task per activity task scheduled or
//     .waitForTaskToken callback issued, written in the transaction that
//     appends its ...Scheduled (or TaskSubmitted) event and updated when
//     it is handed out to a worker (HandedOut, WorkerName, deadlines); it is
//     deleted (DeleteTask) in the transaction that records its end. After a
//     restart a Task with HandedOut false is queued again (ListTasks with
//     QueuedOnly, oldest first) and a handed-out one or a callback keeps its
//     token, so the worker's or caller's SendTask* still lands (GetTask).
//   - Map runs (PutMapRun) when they start, when UpdateMapRun changes
//     them and when they end, with their children (PutMapRunChild, when
//     each starts and again when it ends) and STANDARD children's
//     histories (AppendMapRunChildEvents, as they run), so that
//     DescribeMapRun, ListMapRuns, ListExecutions by map run and a
//     child's DescribeExecution and GetExecutionHistory answer after a
//     restart, and the resumed parent goes on with the same run: children
//     that ended are not run again and running ones resume from their
//     histories. The server writes them only to a store with a Durable
//     method answering true (sqlstore): memstore implements the methods,
//     but the server's own bounded registry is what keeps map runs in
//     memory.
//   - The heartbeat deadline of a task a worker heartbeats (PutTask under
//     its token, HeartbeatDeadline set), so that a resumed task times out
//     when it would have: SendTaskHeartbeat writes no history event.
//   - Asynchronous Express executions are stored with Express set while
//     they run (AWS keeps no record of them, so the server deletes them with
//     DeleteExecution when they end) so a restart can run them again.
//
// A transaction is the unit of durability: nothing that depends on a
// write may be acknowledged before the Update that made it returns nil.
// Errors wrapping ErrUnavailable mean the store cannot write now (disk
// full, read-only, I/O error); the server answers them with
// ServiceUnavailable (HTTP 503), which clients retry.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors a Store returns; test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrUnavailable wraps failures of the storage itself (disk full,
	// read-only file system, I/O error, closed store): the request may
	// succeed later, and nothing of the failed transaction was kept.
	ErrUnavailable = errors.New("store unavailable")
)

// Store is a transactional record store. Update runs fn in a read-write
// transaction and View in a read-only one; a Tx must not be used after fn
// returns. When fn returns an error, nothing it wrote is kept. A
// transaction should cover one state transition of an execution (its
// events and status change together) or one API call.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
	// Close releases the store. Calls after Close fail.
	Close() error
}

// Tx is one transaction. Get… return ErrNotFound for a missing key and
// Create… ErrExists for a taken one. List… return at most page.Limit items
// whose key sorts after page.After, and the key to pass as After for the
// next page ("" when there is none).
type Tx interface {
	CreateStateMachine(sm *StateMachine) error
	GetStateMachine(arn string) (*StateMachine, error)
	PutStateMachine(sm *StateMachine) error // replaces an existing one
	DeleteStateMachine(arn string) error
	ListStateMachines(page Page) ([]*StateMachine, string, error)

	CreateVersion(v *Version) error
	GetVersion(arn string) (*Version, error)
	DeleteVersion(arn string) error
	// ListVersions lists a state machine's versions, newest first.
	ListVersions(stateMachineARN string, page Page) ([]*Version, string, error)

	CreateAlias(a *Alias) error
	GetAlias(arn string) (*Alias, error)
	PutAlias(a *Alias) error
	DeleteAlias(arn string) error
	ListAliases(stateMachineARN string, page Page) ([]*Alias, string, error)

	CreateActivity(a *Activity) error
	GetActivity(arn string) (*Activity, error)
	DeleteActivity(arn string) error
	ListActivities(page Page) ([]*Activity, string, error)

	// Tags of any resource, by ARN; SetTags with an empty list removes them.
	Tags(arn string) ([]Tag, error)
	SetTags(arn string, tags []Tag) error

	CreateExecution(e *Execution) error
	GetExecution(arn string) (*Execution, error)
	PutExecution(e *Execution) error
	// ListExecutions lists executions newest first.
	ListExecutions(f ExecutionFilter, page Page) ([]*Execution, string, error)

	// AppendEvents adds events to an execution's history; their IDs must
	// continue the history without gaps.
	AppendEvents(executionARN string, events []Event) error
	// Events returns up to page.Limit events with IDs after page.After
	// (or before it, newest first, when reverse), and the cursor for the
	// next page.
	Events(executionARN string, reverse bool, page Page) ([]Event, string, error)

	// DeleteExecution removes an execution with its history, checkpoint
	// and tasks.
	DeleteExecution(arn string) error
	// PurgeFinished deletes up to limit executions that ended (Stop)
	// before the cutoff, with their histories, oldest first, and reports
	// how many it deleted. Running executions are never deleted.
	PurgeFinished(before time.Time, limit int) (int, error)

	// PutCheckpoint replaces an execution's opaque resume data (nil
	// removes it); Checkpoint returns it (nil, nil when there is none;
	// ErrNotFound when the execution is missing).
	PutCheckpoint(executionARN string, data []byte) error
	Checkpoint(executionARN string) ([]byte, error)

	// PutTask creates or replaces the task with t.Token; its execution
	// must exist. GetTask returns ErrNotFound for an unknown token and
	// DeleteTask for a missing one.
	PutTask(t *Task) error
	GetTask(token string) (*Task, error)
	DeleteTask(token string) error
	// ListTasks lists tasks oldest first (in the order they were first
	// put).
	ListTasks(f TaskFilter, page Page) ([]*Task, string, error)

	// PutMapRun creates or replaces a map run. GetMapRun returns
	// ErrNotFound for an unknown ARN. ListMapRuns lists the runs whose
	// parent is executionARN in the order they were first put.
	PutMapRun(r *MapRun) error
	GetMapRun(arn string) (*MapRun, error)
	ListMapRuns(executionARN string, page Page) ([]*MapRun, string, error)
	// PutMapRunChild creates or replaces a child execution of a map run
	// (its run must exist; ErrNotFound otherwise). GetMapRunChild
	// returns ErrNotFound for an unknown ARN. ListMapRunChildren lists a
	// run's children, highest Seq first.
	PutMapRunChild(c *MapRunChild) error
	GetMapRunChild(arn string) (*MapRunChild, error)
	ListMapRunChildren(f MapRunChildFilter, page Page) ([]*MapRunChild, string, error)
	// AppendMapRunChildEvents adds events to a child's history (the
	// child must exist; IDs continue it without gaps) and
	// MapRunChildEvents pages it as Events does.
	AppendMapRunChildEvents(childARN string, events []Event) error
	MapRunChildEvents(childARN string, reverse bool, page Page) ([]Event, string, error)
}

// MapRun is a distributed Map state's map run. It belongs to the top-level
// execution RootARN: deleting that execution (DeleteExecution,
// PurgeFinished or memstore's bound) deletes the run with its children and
// their histories.
type MapRun struct {
	ARN string
	// ExecutionARN is the run's parent: RootARN, or a child execution of
	// another map run for a distributed Map inside one.
	ExecutionARN, RootARN string
	Status                string
	Start, Stop           time.Time
	// Info is the runner's opaque JSON document of the run.
	Info []byte
}

// MapRunChild is one child execution of a map run.
type MapRunChild struct {
	ARN, MapRunARN string
	// Seq orders the run's children (the runner's start order, from 1).
	Seq         int64
	Status      string
	Start, Stop time.Time
	// Doc is the runner's opaque JSON document of the child.
	Doc []byte
	// EventCount is the events in its history (set by the store).
	EventCount int64
}

// MapRunChildFilter selects children for ListMapRunChildren; Status ""
// selects all.
type MapRunChildFilter struct {
	MapRunARN string
	Status    string
}

// Task is a task token the server handed out or will hand out: an
// activity task (ActivityARN set) or a .waitForTaskToken callback.
type Task struct {
	Token        string
	ExecutionARN string
	// ActivityARN is the activity of an activity task ("" for a
	// callback); Resource is the Task state's resource.
	ActivityARN, Resource string
	// State is the Task state's name; ScheduledEventID the id of its
	// ActivityScheduled / TaskScheduled event.
	State            string
	ScheduledEventID int64
	// Input is what GetActivityTask answers with.
	Input string
	// HandedOut is set when a worker got the activity task (or, for a
	// callback, once the token was passed on).
	HandedOut  bool
	WorkerName string
	Created    time.Time
	// HeartbeatDeadline and TimeoutDeadline are when the task times out
	// without a heartbeat / at all (zero: never), on the execution's
	// clock as the runner defines it.
	HeartbeatDeadline, TimeoutDeadline time.Time
	// Data is opaque extra data of the runner.
	Data []byte
}

// TaskFilter selects tasks for ListTasks. Empty fields select all.
type TaskFilter struct {
	ExecutionARN string
	ActivityARN  string
	// QueuedOnly selects tasks not handed out yet.
	QueuedOnly bool
}

// Page selects one page of a listing.
type Page struct {
	Limit int    // at least 1
	After string // the cursor a previous page returned, or "" for the first
}

// StateMachine is a state machine's current revision.
type StateMachine struct {
	ARN, Name  string
	Type       string // STANDARD or EXPRESS
	Definition string
	RoleARN    string
	// Logging, Tracing and Encryption are the configurations as JSON
	// documents ("" when not given).
	Logging, Tracing, Encryption string
	RevisionID                   string
	Created, Updated             time.Time
	// NextVersion is the number the next published version gets.
	NextVersion int
	// Publish and VersionDescription of the create request, for its
	// idempotency check.
	CreatePublish     bool
	CreateDescription string
}

// Version is a published, immutable revision of a state machine.
type Version struct {
	ARN, StateMachineARN string
	Number               int
	Definition, RoleARN  string
	Type                 string
	Logging, Tracing     string
	Encryption           string
	RevisionID           string
	Description          string
	Created              time.Time
}

// Alias routes executions to one or two versions by weight.
type Alias struct {
	ARN, StateMachineARN, Name string
	Description                string
	Routing                    []Route
	Created, Updated           time.Time
}

// Route is one entry of an alias's routing configuration.
type Route struct {
	VersionARN string
	Weight     int
}

// Activity is an activity resource.
type Activity struct {
	ARN, Name  string
	Encryption string
	Created    time.Time
}

// Tag is a resource tag.
type Tag struct{ Key, Value string }

// Execution statuses.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// Execution is one execution of a Standard state machine (or, with Express
// set, an asynchronous Express execution kept until it ends).
type Execution struct {
	ARN, Name       string
	StateMachineARN string // the unqualified state machine ARN
	VersionARN      string // set when started on a version or alias
	AliasARN        string // set when started on an alias
	Status          string
	Input           string
	Output          string // when SUCCEEDED
	Error, Cause    string
	Start, Stop     time.Time
	TraceHeader     string
	EventCount      int64 // events in the history
	// The state machine revision the execution runs.
	Definition, RoleARN, RevisionID string
	MachineName                     string
	MachineUpdated                  time.Time
	// Express marks an asynchronous Express execution.
	Express bool
	// RedriveCount and RedriveDate record RedriveExecution calls.
	RedriveCount int
	RedriveDate  time.Time
}

// ExecutionFilter selects executions for ListExecutions. Empty fields
// select all.
type ExecutionFilter struct {
	StateMachineARN string
	VersionARN      string
	AliasARN        string
	Status          string
}

// Event is one history event as stored: its id and the event as a JSON
// document in the wire form of GetExecutionHistory.
type Event struct {
	ID   int64
	JSON []byte
}
