// Package ast defines the syntax tree of a Heaviside DSL program: states,
// modifiers, comparisons and JSON values, each with its source position. It
// owns the data and the Visitor hook; it must not know how the tree is
// parsed, checked or written out.
//
// The tree also holds the DSL extensions of docs/dsl-extensions.md (syntax
// heaviside 2.2.5 rejects). Each field or constant that only an extension
// sets says so in its comment, with the syntax that produces it, so that a
// printer (hsc fmt, hsc decompile) can write it back. A tree built from a
// program heaviside accepts never sets them.
package ast

import "github.com/hsc-dev/hsc/diag"

// Machine is a whole program: a state machine.
type Machine struct {
	Comment *Str // top-level docstring, raw
	Version *Str
	Timeout *Int
	// QueryLanguage is `query_language: 'JSONata'` (or 'JSONPath') after
	// timeout: (extension): the top-level QueryLanguage. nil when absent.
	QueryLanguage *Str
	States        []*State // the top-level branch; after linking, in output order
	FirstToken    diag.Pos // position of the first token (for "no states" errors)
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
	// ModNext is the target of a goto (a Pass state with IsGoto) or, as an
	// extension, the `next: 'State'` modifier of any state that has a
	// Next (IsGoto not set): Str holds the target.
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

	// The modifiers below are extensions (docs/dsl-extensions.md); the
	// comment gives the syntax and the Modifier field that holds the value.

	ModResultSelector // result_selector: block of key[.$]: json lines (Params)
	ModAssign         // assign: block (Params): the state's Assign
	ModCredentials    // credentials: block (Params): a Task's Credentials
	ModArguments      // arguments: STRING (Str) or block (Params, Block set): JSONata Arguments
	ModQueryLanguage  // query_language: STRING (Str): the state's QueryLanguage
	ModItemSelector   // item_selector: block (Params)
	ModItemBatcher    // item_batcher: block (Params)
	ModItemReader     // item_reader: block (Params)
	ModResultWriter   // result_writer: block (Params)
	// tolerated_failure_percentage: / tolerated_failure_count: NUMBER
	// (Int) or STRING (Str, Path set): ToleratedFailure{Percentage,Count}[Path].
	ModToleratedFailurePercentage
	ModToleratedFailureCount
	ModLabel         // label: STRING (Str): a Map's Label
	ModMode          // mode: STRING (Str): ItemProcessor.ProcessorConfig.Mode
	ModExecutionType // execution_type: STRING (Str): ProcessorConfig.ExecutionType
	ModItemProcessor // item_processor: block of states (Iter): ItemProcessor instead of Iterator
	ModItems         // items: STRING (Str) or JSON array (Data, Block set): a JSONata Map's Items
	ModEnd           // end: true: End instead of a Next to the state written after
	// comment: STRING (Str): the state's Comment, exactly as written (for a
	// Comment a docstring cannot carry, such as one with white space at a
	// line's ends).
	ModComment
	NumModKinds
)

var modNames = [...]string{"Next", "Timeout", "Heartbeat", "Input", "Result", "Output", "Data", "Parameters", "Retry", "Catch", "Iterator", "MaxConcurrency", "ItemsPath",
	"ResultSelector", "Assign", "Credentials", "Arguments", "QueryLanguage", "ItemSelector", "ItemBatcher", "ItemReader", "ResultWriter",
	"ToleratedFailurePercentage", "ToleratedFailureCount", "Label", "Mode", "ExecutionType", "ItemProcessor", "Items", "End", "Comment"}

func (m ModKind) String() string { return modNames[m] }

// Modifier is one modifier as written: exactly one of the value fields is set,
// according to Kind.
type Modifier struct {
	Kind ModKind
	// Null (extension) is `input: null`, `result: null` or `output: null`:
	// the field is written as JSON null; Str is empty.
	Null bool
	// Path (extension) is a STRING where heaviside wants a number
	// (`timeout: '$.t'`, `heartbeat:`, `max_concurrency:`,
	// `tolerated_failure_*:`): Str holds it and the ...Path field is
	// written (in a JSONata state, the plain field with the string).
	Path bool
	// Block (extension) is `output:` or `arguments:` written as an
	// indented block of key: json lines (a JSONata object, in Params), or
	// `items:` written as a JSON array (in Data); without it they hold a
	// string in Str.
	Block bool
	// Inline (extension) is a key: json block written as a JSON object on
	// the modifier's line, `parameters: {'a-b': 1}` or `parameters: {}`
	// (Params holds it). Without it, a key that is not a name is written
	// quoted in the block (`'a-b': 1`, also an extension). An inline
	// parameters: that is a JSON array (`parameters: [...]`) is in Data,
	// with Params nil.
	Inline bool

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

	// Extensions: keyword arguments after (or instead of) the three
	// numbers: `interval=N max_attempts=N backoff=N max_delay=N
	// jitter='FULL' comment='text'`. NoInterval, NoMax and NoBackoff are set when the
	// retrier was written with keywords only and leaves the field out
	// (AWS's default applies). MaxDelay (MaxDelaySeconds) and Jitter
	// (JitterStrategy) are nil when absent.
	NoInterval, NoMax, NoBackoff bool
	MaxDelay                     *Number
	Jitter                       *Str
	// Comment (extension) is `comment='text'`: the retrier's Comment.
	Comment *Str
}

// Catch is a catch modifier with its handler states.
type Catch struct {
	Pos        diag.Pos
	Errors     []string // empty means States.ALL
	ResultPath *string
	States     []*State
	Next       string // set by linking
	// ResultNull (extension) is `catch ERRORS: null`: ResultPath null.
	ResultNull bool
	// Assign (extension) is an assign: block written first in the
	// handler block (Params): the catcher's Assign.
	Assign *Modifier
	// Comment (extension) is `comment: 'text'` written first in the
	// handler block (with assign:, in either order): the catcher's
	// Comment.
	Comment *Str
	// Goto (extension) is `catch ERRORS[: RESULTPATH] goto 'State'`: the
	// catcher's Next is that state of the same branch, and States is empty.
	// comment: and assign: may follow in an indented block of their own.
	Goto *Str
}

// Task is the task part of a Task state.
type Task struct {
	Pos      diag.Pos // the state's first token
	Name     string   // the state's name
	Service  string   // "Lambda", "Activity", "Arn" or an AWS service such as "DynamoDB"
	Function string   // function or activity name, ARN, or service API name (with ".sync")
	// Resource is the state's ARN; a visitor may change it.
	Resource string
	// Resolved (extension) marks a Service.Action() call resolved against
	// the integration tables: Function is then the whole resource ARN
	// (such as arn:aws:states:::aws-sdk:s3:getObject).
	Resolved bool
}

// WaitArg is the argument of a Wait state.
type WaitArg struct {
	Key   string // seconds, seconds_path, timestamp, timestamp_path
	Pos   diag.Pos
	Value Value
}

// Cond is a comparison expression in a Choice state.
type Cond struct {
	Pos diag.Pos
	// Op is "==" "!=" "<" ">" "<=" ">=" for a comparison; "not", "and",
	// "or". Extensions add:
	//   - "matches": `VAR matches 'pattern'` (StringMatches; Val a string);
	//   - a type test, written as a call `is_present(VAR[, false])`:
	//     "is_present", "is_null", "is_numeric", "is_string",
	//     "is_boolean", "is_timestamp" (Val is the boolean operand,
	//     true unless written);
	//   - "jsonata": a condition that is one string, `if '{% ... %}':`
	//     (Var holds it; a JSONata Condition).
	//   - "and"/"or" with one Sub: only `all(rule)` / `any(rule)` write it
	//     (`all(a, b)`, `any(a, b)` are the same as `a and b`, `a or b`).
	Op   string
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
	// None (extension) is `else: None` or `default: None`: the Choice
	// has no Default (States.NoChoiceMatched when no rule matches).
	None bool
	// Assign (extension) is an assign: block written first in the
	// branch's block, after an if's docstring (Params): the rule's
	// Assign. Only on a branch with a condition.
	Assign *Modifier
	// Comment (extension) is `comment: 'text'` written first in the
	// branch's block (after an if's docstring, with assign: in either
	// order): the rule's Comment.
	Comment *Str
	// Output (extension) is an output: line (string, block or inline
	// object) written first in the branch's block with comment: and
	// assign:: a JSONata rule's Output.
	Output *Modifier
	// Goto (extension) is a branch written `if COND: goto 'State'` (or
	// `elif`, `else:`, `case V:`, `default:`) on the condition's line: the
	// rule's Next (or the Default) is that state itself; States is empty,
	// and Target and Linked are set by the parser. When the if's first
	// branch has this form, the Choice state's docstring may follow as an
	// indented line of its own:
	//
	//	if '$.done' == true: goto 'Finish'
	//	    """Check"""
	//	else: None
	Goto *Str
}

// Branch is one branch of a Parallel state.
type Branch struct {
	Pos    diag.Pos
	States []*State
	// Comment (extension) is `comment: 'text'` written first in the
	// branch's block (after the first branch's docstring): the branch's
	// Comment.
	Comment *Str
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
	// JSONata is set by sema when the state's query language is JSONata
	// (its own query_language:, else the machine's): output: then writes
	// Output, a path modifier such as `timeout: '{% ... %}'` the plain
	// field.
	JSONata bool

	// Mods are the modifiers as written, in source order; the checker sorts
	// them into the fields below.
	Mods []*Modifier

	// Modifiers, after checking: single ones are nil when absent.
	Timeout, Heartbeat, MaxConcurrency *Modifier
	Input, Result, Output, ItemsPath   *Modifier
	Data, Parameters, Iterator         *Modifier
	GotoNext                           *Modifier // a goto's target, or a next: modifier (extension)
	Retry, Catch                       []*Modifier

	// Linking.
	Next    string
	HasNext bool
	End     bool

	// Ext holds the extension modifiers after checking; nil when the
	// state uses none (see StateExt).
	Ext *StateExt

	// Kind-specific parts.
	Error, Cause string          // Fail
	Wait         *WaitArg        // Wait
	Task         *Task           // Task
	Call         *TaskCall       // Task, as written
	Choices      []*ChoiceBranch // Choice; the default branch has Cond == nil
	Branches     []*Branch       // Parallel
	IterStates   []*State        // Map: the linked iterator
}

// StateExt is what the DSL extensions add to a state, after checking
// (each nil when absent; see the ModKind constants for their syntax). It is
// apart from State so that the states of a program without extensions
// cost no more memory.
type StateExt struct {
	ResultSelector, Assign, Credentials, Arguments, QueryLanguage *Modifier
	ItemSelector, ItemBatcher, ItemReader, ResultWriter           *Modifier
	ToleratedFailurePercentage, ToleratedFailureCount, Label      *Modifier
	Mode, ExecutionType, Items                                    *Modifier
	EndMod                                                        *Modifier // end: true
	// FailArgs are a Fail state's arguments in an extension form (see
	// FailArgs).
	FailArgs *FailArgs
	// ItemProcessor is set (and State.Iterator holds the states) when a
	// Map was written with item_processor: instead of iterator:.
	ItemProcessor bool
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
	// Suffix (extension) is the third name part of
	// `Service.Action.sync()`: "sync", "sync2" or "waitForTaskToken".
	Suffix *Str
}

// FailArgs are a Fail state's arguments written in an extension form
// (extension): `Fail()`, `Fail('E')`, or with keyword arguments
// `Fail(error_path='$.e', cause_path='$.c')`, `Fail('E', cause_path=...)`.
// Each field is nil when not written, and the field is then left out of
// the definition. State.FailArgs is nil for heaviside's Fail('E', 'C'),
// which sets State.Error and State.Cause.
type FailArgs struct {
	Error, Cause, ErrorPath, CausePath *Str
}
