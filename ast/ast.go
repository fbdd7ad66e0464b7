// Package ast defines the syntax tree of a Heaviside DSL program: states,
// modifiers, comparisons and JSON values, each with its source position. It
// owns the data and the Visitor hook; it must not know how the tree is
// parsed, checked or written out.
package ast

import "github.com/hsc-dev/hsc/diag"

// Machine is a whole program: a state machine.
type Machine struct {
	Comment    *Str // top-level docstring, raw
	Version    *Str
	Timeout    *Int
	States     []*State // the top-level branch; after linking, in output order
	FirstToken diag.Pos // position of the first token (for "no states" errors)
}

// Str is a string value with the position of its token.
type Str struct {
	Pos   diag.Pos
	Value string
}

// Int is an integer value (positive or non-negative, as the grammar needs)
// with the position of its token.
type Int struct {
	Pos   diag.Pos
	Value Number
}

// Kind is a state type, spelled as in the States Language.
type Kind uint8

const (
	Pass Kind = iota
	Succeed
	Fail
	Wait
	TaskKind
	Choice
	Parallel
	Map
)

var kindNames = [...]string{"Pass", "Succeed", "Fail", "Wait", "Task", "Choice", "Parallel", "Map"}

func (k Kind) String() string { return kindNames[k] }

// ModKind names a state modifier.
type ModKind uint8

const (
	ModNext ModKind = iota
	ModTimeout
	ModHeartbeat
	ModInput
	ModResult
	ModOutput
	ModData
	ModParameters
	ModRetry
	ModCatch
	ModIterator
	ModMaxConcurrency
	ModItemsPath
	NumModKinds
)

var modNames = [...]string{"Next", "Timeout", "Heartbeat", "Input", "Result", "Output", "Data", "Parameters", "Retry", "Catch", "Iterator", "MaxConcurrency", "ItemsPath"}

func (m ModKind) String() string { return modNames[m] }

// Modifier is one modifier as written: exactly one of the value fields is set,
// according to Kind.
type Modifier struct {
	Kind   ModKind
	Pos    diag.Pos // the modifier's keyword
	Str    string   // Next, Input, Result, Output, ItemsPath
	Int    Number   // Timeout, Heartbeat, MaxConcurrency
	Data   JSON     // Data
	Params *Params
	Retry  *Retry
	Catch  *Catch
	Iter   []*State // Iterator (before linking)
}

// Params is a parameters: block. Keys may repeat as written; Keys[i] carries
// the ".$" suffix when the source had it.
type Params struct {
	Pos  diag.Pos
	Keys []Str
	Vals []JSON
}

// Retry is a retry modifier.
type Retry struct {
	Pos      diag.Pos
	Errors   []string // empty means States.ALL
	Interval Number
	Max      Number
	Backoff  Number
	BackPos  diag.Pos
}

// Catch is a catch modifier with its handler states.
type Catch struct {
	Pos        diag.Pos
	Errors     []string // empty means States.ALL
	ResultPath *string
	States     []*State
	Next       string // set by linking
}

// Task is the task part of a Task state.
type Task struct {
	Pos      diag.Pos // the state's first token
	Name     string   // the state's name
	Service  string   // "Lambda", "Activity", "Arn" or an AWS service such as "DynamoDB"
	Function string   // function or activity name, ARN, or service API name (with ".sync")
	// Resource is the state's ARN; a visitor may change it.
	Resource string
}

// WaitArg is the argument of a Wait state.
type WaitArg struct {
	Key   string // seconds, seconds_path, timestamp, timestamp_path
	Pos   diag.Pos
	Value Value
}

// Cond is a comparison expression in a Choice state.
type Cond struct {
	Pos  diag.Pos
	Op   string // "==" "!=" "<" ">" "<=" ">=" for a comparison; "not", "and", "or"
	Var  string // comparisons: the variable path
	Val  Value  // comparisons: the value
	Subs []*Cond
}

// ChoiceBranch is one branch of a Choice state: a condition (nil for the
// default) and either its states or, after linking, the target name.
type ChoiceBranch struct {
	Cond   *Cond
	States []*State
	Target string
	Linked bool
}

// Branch is one branch of a Parallel state.
type Branch struct {
	Pos    diag.Pos
	States []*State
}

// State is one state. Which fields are meaningful depends on Kind.
type State struct {
	Kind    Kind
	Pos     diag.Pos // first token of the state
	Name    string
	Comment *string
	// IsWhile marks a Choice built from a while loop; IsGoto a Pass built
	// from goto.
	IsWhile bool
	IsGoto  bool

	// Mods are the modifiers as written, in source order; the checker sorts
	// them into the fields below.
	Mods []*Modifier

	// Modifiers, after checking: single ones are nil when absent.
	Timeout, Heartbeat, MaxConcurrency *Modifier
	Input, Result, Output, ItemsPath   *Modifier
	Data, Parameters, Iterator         *Modifier
	GotoNext                           *Modifier
	Retry, Catch                       []*Modifier

	// Linking.
	Next    string
	HasNext bool
	End     bool

	// Kind-specific parts.
	Error, Cause string          // Fail
	Wait         *WaitArg        // Wait
	Task         *Task           // Task
	Call         *TaskCall       // Task, as written
	Choices      []*ChoiceBranch // Choice; the default branch has Cond == nil
	Branches     []*Branch       // Parallel
	IterStates   []*State        // Map: the linked iterator
}

// Walk calls v.VisitTask for every Task state of the branch, descending into
// Parallel branches and Map iterators, in order.
func Walk(states []*State, v Visitor) {
	for _, s := range states {
		if s.Task != nil {
			v.VisitTask(s.Task)
		}
		switch s.Kind {
		case Parallel:
			for _, b := range s.Branches {
				Walk(b.States, v)
			}
		case Map:
			Walk(s.IterStates, v)
		}
	}
}

// TaskCall is a task state's call as written: Service[.Function]([Arg]).
type TaskCall struct {
	Service  Str
	Function *Str
	Arg      *Str
}
