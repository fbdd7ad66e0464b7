// Package store defines what the local Step Functions server keeps: state
// machines (with their versions and aliases), activities, tags, executions
// and their history events, behind one interface with transactions and
// paging. Package memstore implements it in memory; a durable
// implementation (SQLite) is meant to implement the same interface.
//
// The store knows records, keys and ordering. It must not know the Step
// Functions wire protocol, request validation, the States Language or how
// executions run: history events are opaque JSON documents to it, and
// definitions are text.
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

// Execution is one execution of a Standard state machine.
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
