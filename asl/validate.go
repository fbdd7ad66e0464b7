package asl

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hsc-dev/hsc/diag"
)

// MaxStateNameLength is the longest state name AWS accepts, in characters.
const MaxStateNameLength = 80

// Code classifies a Problem.
type Code string

// The problem codes.
const (
	CodeMissingField      Code = "MISSING_FIELD"       // a required field is absent
	CodeUnknownField      Code = "UNKNOWN_FIELD"       // a field not allowed here
	CodeDuplicateField    Code = "DUPLICATE_FIELD"     // the same key twice in one object
	CodeInvalidType       Code = "INVALID_TYPE"        // a field of the wrong JSON type
	CodeInvalidValue      Code = "INVALID_VALUE"       // out of range, unknown enum, bad timestamp
	CodeInvalidPath       Code = "INVALID_PATH"        // a malformed Path or Reference Path
	CodeMissingTarget     Code = "MISSING_TARGET"      // StartAt/Next/Default names no state in scope
	CodeNextAndEnd        Code = "NEXT_END"            // not exactly one of Next and End
	CodeDuplicateState    Code = "DUPLICATE_STATE"     // a state name used twice in the machine
	CodeStateName         Code = "STATE_NAME"          // empty or longer than 80 characters
	CodeErrorAll          Code = "ERROR_ALL"           // warning: States.ALL not alone or not last
	CodeHeartbeat         Code = "HEARTBEAT_TIMEOUT"   // HeartbeatSeconds >= TimeoutSeconds
	CodeChoiceRule        Code = "CHOICE_RULE"         // malformed Choice rule
	CodeUnreachable       Code = "UNREACHABLE_STATE"   // warning: no path from StartAt
	CodeNoTerminal        Code = "NO_TERMINAL_STATE"   // warning: no state ends the machine
	CodeNoTerminalReached Code = "NO_TERMINAL_REACHED" // warning: no terminal state reachable from StartAt
	CodeDefinitionSize    Code = "DEFINITION_SIZE"     // the definition is larger than AWS accepts
	CodeInvalidExpression Code = "INVALID_EXPRESSION"  // a JSONata expression that does not parse
	CodeIntrinsicArgument Code = "INTRINSIC_ARGUMENT"  // warning: an intrinsic function argument of the wrong type
)

// MaxDefinitionSize is the largest definition AWS Step Functions accepts,
// in bytes of its JSON text (the "Maximum state machine definition size"
// quota, 1 MiB).
const MaxDefinitionSize = 1 << 20

// Problem is one finding of Validate.
type Problem struct {
	// Pointer is the RFC 6901 JSON pointer of the offending value (or of
	// the object missing a field).
	Pointer string
	// Pos is where that value starts in the validated text; zero when the
	// definition did not come from text.
	Pos      diag.Pos
	Severity diag.Severity
	Code     Code
	// State is the name of the innermost state the problem is in (for
	// problems of a Parallel branch or Map iterator as a whole, the
	// Parallel or Map state); "" for the top-level machine itself.
	State string
	Msg   string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s (at %s)", p.Pos, p.Severity, p.Msg, displayPointer(p.Pointer))
}

// HasErrors reports whether any problem is an error (not a warning).
func HasErrors(ps []Problem) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == diag.SevError })
}

// Validate parses a definition and checks it against the States Language
// rules AWS Step Functions applies when creating a state machine. It
// returns a *SyntaxError when data is not JSON; otherwise the problems in
// document order (nil when there are none).
//
// Problems that heaviside 2.2.5 puts in definitions it accepts are
// warnings, so that a compiler reproducing its output can still succeed:
// unreachable states, machines without a reachable terminal state, and
// States.ALL that is not alone or not in the last retrier or catcher.
// AWS rejects all of these. Everything else is an error.
//
// A definition larger than MaxDefinitionSize is an error (CodeDefinitionSize,
// at the top level), reported first.
func Validate(data []byte) ([]Problem, error) {
	v, err := ParseValue(data)
	if err != nil {
		return nil, err
	}
	return append(ValidateSize(len(data)), ValidateValue(v)...), nil
}

// ValidateSize returns the problem of a definition whose JSON text is size
// bytes long when that is more than AWS accepts (MaxDefinitionSize), or
// nil. Validate applies it; callers that validate a model with
// ValidateValue call it with the length of the text they write.
func ValidateSize(size int) []Problem {
	if size <= MaxDefinitionSize {
		return nil
	}
	return []Problem{{Severity: diag.SevError, Code: CodeDefinitionSize, Pos: diag.Pos{Line: 1, Col: 1},
		Msg: fmt.Sprintf("the definition is %d bytes, more than the %d bytes (1 MiB) AWS Step Functions accepts", size, MaxDefinitionSize)}}
}

// ParseTimestamp reads a timestamp as the States Language writes them (the
// Wait state's Timestamp, the Timestamp* comparators): RFC 3339 with an
// uppercase T between date and time and an uppercase Z for UTC, such as
// 2016-03-14T01:59:00Z; fractional seconds are allowed.
func ParseTimestamp(s string) (time.Time, error) {
	if strings.ContainsAny(s, "tz") {
		return time.Time{}, fmt.Errorf("timestamp %q: T and Z must be uppercase", s)
	}
	return time.Parse(time.RFC3339Nano, s)
}

// ValidateValue checks a parsed definition; see Validate.
func ValidateValue(root *Value) []Problem {
	hint := 0 // the top-level states: most machines have few nested ones
	if st := root.Get("States"); st != nil {
		hint = len(st.Members)
	}
	vd := &validator{names: make(map[string]struct{}, hint), locs: make([]loc, 0, 64)}
	vd.machine(root, nil, scopeTop, "")
	slices.SortStableFunc(vd.probs, func(a, b Problem) int { return cmp.Compare(a.Pos.Offset, b.Pos.Offset) })
	return vd.probs
}

// Validate checks the model; problems carry pointers but no positions.
func (m *StateMachine) Validate() []Problem { return ValidateValue(m.ToValue()) }

// loc is the JSON pointer of a value being checked, kept as a chain of
// references tokens up to the root (nil) and written out only for a
// problem: most values have none, and building every pointer as text cost
// the validator most of its allocations.
type loc struct {
	up  *loc
	key string // a member's key
	idx int    // an element's index, or -1 for a member
}

// at returns the pointer of member key of the value at l. Like elem, it
// takes the loc from the validator's stack: valid until the function that
// asked for it returns (each one that asks releases its locs on return).
func (vd *validator) at(l *loc, key string) *loc { return vd.push(loc{up: l, key: key, idx: -1}) }

// elem returns the pointer of element i of the array at l; see at.
func (vd *validator) elem(l *loc, i int) *loc { return vd.push(loc{up: l, idx: i}) }

// push puts x on the stack of locs. When the stack grows, the locs
// already handed out stay where they were, in the old array: a loc never
// changes once pushed, so they remain right.
func (vd *validator) push(x loc) *loc {
	vd.locs = append(vd.locs, x)
	return &vd.locs[len(vd.locs)-1]
}

// mark and release bracket a function's use of the stack of locs.
func (vd *validator) mark() int { return len(vd.locs) }

func (vd *validator) release(mark int) { vd.locs = vd.locs[:mark] }

// String returns the RFC 6901 pointer ("" for the root).
func (l *loc) String() string { return string(l.appendTo(nil)) }

// appendTo appends the pointer of l. It copies the keys' bytes rather
// than keeping the strings: nothing of a loc outlives the call, so a loc
// only reported on can live on the Go stack (see here).
func (l *loc) appendTo(b []byte) []byte {
	if l == nil {
		return b
	}
	b = append(l.up.appendTo(b), '/')
	if l.idx >= 0 {
		return strconv.AppendInt(b, int64(l.idx), 10)
	}
	for i := 0; i < len(l.key); i++ {
		switch c := l.key[i]; c {
		case '~':
			b = append(b, "~0"...)
		case '/':
			b = append(b, "~1"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// here returns the pointer of member key of the value at l as a value,
// for the caller to keep on the Go stack: for a loc that is only
// reported on (passed to functions that do not recurse into the value),
// which needs neither a place on the stack of locs nor, while the
// garbage collector marks, a write barrier.
func here(l *loc, key string) loc { return loc{up: l, key: key, idx: -1} }

type scope int

const (
	scopeTop scope = iota
	scopeBranch
	scopeIterator
	scopeItemProcessor
)

type validator struct {
	probs      []Problem
	locs       []loc               // the stack of pointers being checked
	names      map[string]struct{} // every state name seen so far, machine-wide
	topJSONata bool                // the machine's QueryLanguage is JSONata
}

// jsonPathOnly reports whether a state field exists only in JSONPath mode.
func jsonPathOnly(k string) bool {
	switch k {
	case "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Result",
		"ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
		"ErrorPath", "CausePath", "MaxConcurrencyPath", "ToleratedFailurePercentagePath",
		"ToleratedFailureCountPath":
		return true
	}
	return false
}

// jsonataOnly reports whether a state field exists only in JSONata mode.
func jsonataOnly(k string) bool { return k == "Arguments" || k == "Output" || k == "Items" }

// isExpression reports whether v is a JSONata expression string {% ... %},
// which JSONata states may give instead of a literal value.
func isExpression(v *Value) bool {
	if v.Kind != KindString {
		return false
	}
	_, ok := JSONataExpression(v.Str)
	return ok
}

// expressions checks the syntax of every JSONata expression in v (a field
// of a JSONata state, without nested states).
func (vd *validator) expressions(v *Value, ptr *loc, state string) {
	defer vd.release(vd.mark())
	switch v.Kind {
	case KindString:
		if src, ok := JSONataExpression(v.Str); ok {
			if err := CheckJSONata(src); err != nil {
				vd.errorf(CodeInvalidExpression, ptr, v, state, "invalid JSONata expression %q: %v", src, err)
			}
		}
	case KindArray:
		for i, e := range v.Elems {
			vd.expressions(e, vd.elem(ptr, i), state)
		}
	case KindObject:
		for _, m := range v.Members {
			vd.expressions(m.Value, vd.at(ptr, m.Key), state)
		}
	}
}

func (vd *validator) add(sev diag.Severity, code Code, ptr *loc, pos diag.Pos, state, format string, args ...any) {
	vd.probs = append(vd.probs, Problem{Pointer: ptr.String(), Pos: pos, Severity: sev, Code: code, State: state, Msg: fmt.Sprintf(format, args...)})
}

func (vd *validator) errorf(code Code, ptr *loc, v *Value, state, format string, args ...any) {
	var pos diag.Pos
	if v != nil {
		pos = v.Pos
	}
	vd.add(diag.SevError, code, ptr, pos, state, format, args...)
}

// fields checks an object's keys against allowed and reports duplicates.
// It returns false when v is not an object.
func (vd *validator) fields(v *Value, ptr *loc, state, what string, allowed func(string) bool) bool {
	defer vd.release(vd.mark())
	if v.Kind != KindObject {
		vd.errorf(CodeInvalidType, ptr, v, state, "%s must be an object, not %s", what, v.Kind)
		return false
	}
	// Most objects are small: for them a linear scan for duplicates beats a
	// map. Pointers are built only for a problem.
	var seen map[string]bool
	if len(v.Members) > 16 {
		seen = make(map[string]bool, len(v.Members))
	}
	for i, m := range v.Members {
		dup := false
		if seen != nil {
			dup = seen[m.Key]
			seen[m.Key] = true
		} else {
			for _, prev := range v.Members[:i] {
				dup = dup || prev.Key == m.Key
			}
		}
		if dup {
			vd.add(diag.SevError, CodeDuplicateField, vd.at(ptr, m.Key), m.KeyPos, state, "field %q appears twice in %s", m.Key, what)
		}
		if !allowed(m.Key) {
			vd.add(diag.SevError, CodeUnknownField, vd.at(ptr, m.Key), m.KeyPos, state, "field %q is not allowed in %s", m.Key, what)
		}
	}
	return true
}

// stateFieldBit returns the bit of a state field name (Type, Comment,
// QueryLanguage and every field of stateFields), or 0 for other names:
// a switch, which Go compiles to a search on length and text; the
// validator tests a state's fields against a mask of them
// (TestStateFieldBits keeps it in step with buildStateFields).
func stateFieldBit(k string) uint64 {
	switch k {
	case "Type":
		return bitType
	case "Comment":
		return bitComment
	case "QueryLanguage":
		return bitQueryLanguage
	case "InputPath":
		return bitInputPath
	case "OutputPath":
		return bitOutputPath
	case "Output":
		return bitOutput
	case "Assign":
		return bitAssign
	case "Next":
		return bitNext
	case "End":
		return bitEnd
	case "ResultPath":
		return bitResultPath
	case "ResultSelector":
		return bitResultSelector
	case "Parameters":
		return bitParameters
	case "Arguments":
		return bitArguments
	case "Retry":
		return bitRetry
	case "Catch":
		return bitCatch
	case "Resource":
		return bitResource
	case "TimeoutSeconds":
		return bitTimeoutSeconds
	case "TimeoutSecondsPath":
		return bitTimeoutSecondsPath
	case "HeartbeatSeconds":
		return bitHeartbeatSeconds
	case "HeartbeatSecondsPath":
		return bitHeartbeatSecondsPath
	case "Credentials":
		return bitCredentials
	case "Result":
		return bitResult
	case "Choices":
		return bitChoices
	case "Default":
		return bitDefault
	case "Seconds":
		return bitSeconds
	case "Timestamp":
		return bitTimestamp
	case "SecondsPath":
		return bitSecondsPath
	case "TimestampPath":
		return bitTimestampPath
	case "Error":
		return bitError
	case "ErrorPath":
		return bitErrorPath
	case "Cause":
		return bitCause
	case "CausePath":
		return bitCausePath
	case "Branches":
		return bitBranches
	case "Iterator":
		return bitIterator
	case "ItemProcessor":
		return bitItemProcessor
	case "ItemsPath":
		return bitItemsPath
	case "Items":
		return bitItems
	case "ItemSelector":
		return bitItemSelector
	case "ItemReader":
		return bitItemReader
	case "ItemBatcher":
		return bitItemBatcher
	case "ResultWriter":
		return bitResultWriter
	case "MaxConcurrency":
		return bitMaxConcurrency
	case "MaxConcurrencyPath":
		return bitMaxConcurrencyPath
	case "ToleratedFailurePercentage":
		return bitToleratedFailurePercentage
	case "ToleratedFailurePercentagePath":
		return bitToleratedFailurePercentagePath
	case "ToleratedFailureCount":
		return bitToleratedFailureCount
	case "ToleratedFailureCountPath":
		return bitToleratedFailureCountPath
	case "Label":
		return bitLabel
	}
	return 0
}

// The bits of the state fields (stateFieldBit).
const (
	bitType uint64 = 1 << iota
	bitComment
	bitQueryLanguage
	bitInputPath
	bitOutputPath
	bitOutput
	bitAssign
	bitNext
	bitEnd
	bitResultPath
	bitResultSelector
	bitParameters
	bitArguments
	bitRetry
	bitCatch
	bitResource
	bitTimeoutSeconds
	bitTimeoutSecondsPath
	bitHeartbeatSeconds
	bitHeartbeatSecondsPath
	bitCredentials
	bitResult
	bitChoices
	bitDefault
	bitSeconds
	bitTimestamp
	bitSecondsPath
	bitTimestampPath
	bitError
	bitErrorPath
	bitCause
	bitCausePath
	bitBranches
	bitIterator
	bitItemProcessor
	bitItemsPath
	bitItems
	bitItemSelector
	bitItemReader
	bitItemBatcher
	bitResultWriter
	bitMaxConcurrency
	bitMaxConcurrencyPath
	bitToleratedFailurePercentage
	bitToleratedFailurePercentagePath
	bitToleratedFailureCount
	bitToleratedFailureCountPath
	bitLabel
)

// stateFields is fields for a state of type st, on field bits: it
// returns the bits of the fields the state has, and sets memberBits[i]
// (when memberBits is not nil) to the bit of member i.
func (vd *validator) stateFields(v *Value, ptr *loc, state string, st *stateType, memberBits []uint64) (present uint64) {
	for i, m := range v.Members {
		bit := stateFieldBit(m.Key)
		if memberBits != nil {
			memberBits[i] = bit
		}
		dup := present&bit != 0
		if bit == 0 {
			for _, prev := range v.Members[:i] {
				dup = dup || prev.Key == m.Key
			}
		}
		present |= bit
		if dup {
			vd.add(diag.SevError, CodeDuplicateField, vd.at(ptr, m.Key), m.KeyPos, state, "field %q appears twice in %s", m.Key, st.what)
		}
		if st.mask&bit == 0 {
			vd.add(diag.SevError, CodeUnknownField, vd.at(ptr, m.Key), m.KeyPos, state, "field %q is not allowed in %s", m.Key, st.what)
		}
	}
	return present
}

// retrierField, catcherField and jsonataCatcherField tell the fields of
// a retrier, a catcher and a JSONata state's catcher: switches, as they
// are asked for every member of every retrier and catcher.
func retrierField(k string) bool {
	switch k {
	case "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment":
		return true
	}
	return false
}

func catcherField(k string) bool {
	switch k {
	case "ErrorEquals", "Next", "ResultPath", "Comment", "Assign":
		return true
	}
	return false
}

func jsonataCatcherField(k string) bool {
	switch k {
	case "ErrorEquals", "Next", "Comment", "Assign", "Output":
		return true
	}
	return false
}

func oneOf(keys ...string) func(string) bool {
	return func(k string) bool { return slices.Contains(keys, k) }
}

func (vd *validator) str(v *Value, ptr *loc, state, field string) (string, bool) {
	if v.Kind != KindString {
		vd.errorf(CodeInvalidType, ptr, v, state, "%s must be a string, not %s", field, v.Kind)
		return "", false
	}
	return v.Str, true
}

// integer checks an integer field is at least lo.
func (vd *validator) integer(v *Value, ptr *loc, state, field string, lo int64) (int64, bool) {
	n, ok := v.Int64()
	if !ok {
		if v.Kind == KindNumber {
			vd.errorf(CodeInvalidValue, ptr, v, state, "%s must be an integer, not %s", field, v.Str)
		} else {
			vd.errorf(CodeInvalidType, ptr, v, state, "%s must be an integer, not %s", field, v.Kind)
		}
		return 0, false
	}
	if n < lo {
		vd.errorf(CodeInvalidValue, ptr, v, state, "%s must be at least %d, not %d", field, lo, n)
		return n, false
	}
	return n, true
}

func (vd *validator) path(v *Value, ptr *loc, state, field string, pk PathKind, nullable bool) {
	if v.Kind == KindNull && nullable {
		return
	}
	s, ok := vd.str(v, ptr, state, field)
	if !ok {
		return
	}
	if err := checkPath(s, pk); err != nil {
		vd.errorf(CodeInvalidPath, ptr, v, state, "%s: %v", field, err)
	}
}

func (vd *validator) machine(v *Value, ptr *loc, sc scope, owner string) {
	defer vd.release(vd.mark())
	what := "the state machine"
	allowed := oneOf("StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage")
	switch sc {
	case scopeBranch:
		what = "a Parallel branch"
		allowed = oneOf("StartAt", "States", "Comment", "QueryLanguage")
	case scopeIterator:
		what = "a Map Iterator"
		// ProcessorConfig too: AWS runs a legacy Iterator with
		// "Mode": "DISTRIBUTED" (recorded on AWS: localstack's
		// test_map_state_legacy_config_distributed).
		allowed = oneOf("StartAt", "States", "Comment", "QueryLanguage", "ProcessorConfig")
	case scopeItemProcessor:
		what = "a Map ItemProcessor"
		allowed = oneOf("StartAt", "States", "Comment", "QueryLanguage", "ProcessorConfig")
	}
	if !vd.fields(v, ptr, owner, what, allowed) {
		return
	}
	if ql := v.Get("QueryLanguage"); sc == scopeTop && ql != nil && ql.Kind == KindString && ql.Str == "JSONata" {
		vd.topJSONata = true
	}
	for _, m := range v.Members {
		p := vd.at(ptr, m.Key)
		switch m.Key {
		case "Comment", "Version":
			vd.str(m.Value, p, owner, m.Key)
		case "TimeoutSeconds":
			vd.integer(m.Value, p, owner, m.Key, 1)
		case "QueryLanguage":
			vd.queryLanguage(m.Value, p, owner)
		case "ProcessorConfig":
			if m.Value.Kind != KindObject {
				vd.errorf(CodeInvalidType, p, m.Value, owner, "ProcessorConfig must be an object, not %s", m.Value.Kind)
			}
		}
	}
	states := v.Get("States")
	if states == nil {
		vd.errorf(CodeMissingField, ptr, v, owner, "%s has no States", what)
	} else if states.Kind != KindObject {
		vd.errorf(CodeInvalidType, vd.at(ptr, "States"), states, owner, "States must be an object, not %s", states.Kind)
		states = nil
	} else if len(states.Members) == 0 {
		vd.errorf(CodeMissingField, vd.at(ptr, "States"), states, owner, "States must hold at least one state")
	}
	var scopeNames *stateIndex
	if states != nil {
		scopeNames = &stateIndex{states: states.Members}
	}
	startAt := v.Get("StartAt")
	start := ""
	switch {
	case startAt == nil:
		vd.errorf(CodeMissingField, ptr, v, owner, "%s has no StartAt", what)
	case startAt.Kind != KindString:
		vd.errorf(CodeInvalidType, vd.at(ptr, "StartAt"), startAt, owner, "StartAt must be a string, not %s", startAt.Kind)
	default:
		start = startAt.Str
		if states != nil && !scopeNames.has(start, 0) {
			vd.errorf(CodeMissingTarget, vd.at(ptr, "StartAt"), startAt, owner, "StartAt names state %q, which does not exist%s", start, where(sc))
		}
	}
	if states == nil {
		return
	}
	sp := vd.at(ptr, "States")
	mark := vd.mark()
	dups := false
	tr := newTransitions(scopeNames, len(states.Members))
	var bitsBuf [16]uint64 // the member bits of each state (see state)
	for i, m := range states.Members {
		vd.release(mark)
		p := vd.at(sp, m.Key)
		name := m.Key
		switch {
		case name == "":
			vd.add(diag.SevError, CodeStateName, p, m.KeyPos, name, "state name is empty")
		case len(name) > MaxStateNameLength && utf8.RuneCountInString(name) > MaxStateNameLength: // no more runes than bytes
			vd.add(diag.SevError, CodeStateName, p, m.KeyPos, name, "state name %q exceeds %d characters", name, MaxStateNameLength)
		}
		seen := len(vd.names)
		vd.names[name] = struct{}{} // one map operation; the size tells whether it was new
		if len(vd.names) == seen {
			vd.add(diag.SevError, CodeDuplicateState, p, m.KeyPos, name, "duplicate state name %q (state names must be unique in the whole state machine)", name)
			dups = true // maybe in this scope
		}
		mb := vd.state(m.Value, p, name, &targets{names: scopeNames, near: i + 1, sc: sc, state: name}, bitsBuf[:])
		tr.add(m.Value, i, mb) // while the state is in the cache
	}
	scopeNames.dups = dups
	if dups {
		// A name given twice means its last state: find the targets
		// again, now that the index knows.
		tr = newTransitions(scopeNames, len(states.Members))
		for i, m := range states.Members {
			tr.add(m.Value, i, nil)
		}
	}
	if first, ok := scopeNames.find(start, 0); start != "" && ok {
		vd.flow(states, sp, scopeNames, first, sc, owner, tr)
	}
}

func where(sc scope) string {
	switch sc {
	case scopeBranch:
		return " in this branch"
	case scopeIterator, scopeItemProcessor:
		return " in this iterator"
	}
	return ""
}

func (vd *validator) queryLanguage(v *Value, ptr *loc, state string) {
	if s, ok := vd.str(v, ptr, state, "QueryLanguage"); ok && s != "JSONPath" && s != "JSONata" {
		vd.errorf(CodeInvalidValue, ptr, v, state, "QueryLanguage must be \"JSONPath\" or \"JSONata\", not %q", s)
	}
}

// stateType is what the validator knows of a state type: the fields it
// allows besides Type, Comment and QueryLanguage, and how messages name
// such a state.
type stateType struct {
	fields []string
	mask   uint64 // the bits (stateFieldBit) of fields, Type, Comment and QueryLanguage
	what   string // "a Task state"
}

// stateTypes returns what the validator knows of type typ (nil for an
// unknown type): a scan of the eight names, cheaper than a map lookup
// for every state.
func stateTypes(typ string) *stateType {
	for i, t := range stateTypeNames {
		if t == typ {
			return stateTypeTable[i]
		}
	}
	return nil
}

// stateTypeNames are the state types, in the order of stateTypeTable.
var stateTypeNames = [...]string{TypeTask, TypePass, TypeChoice, TypeWait, TypeSucceed, TypeFail, TypeParallel, TypeMap}

// stateTypeTable is the read-only table behind stateTypes, built once.
var stateTypeTable = func() (tab [len(stateTypeNames)]*stateType) {
	for i, t := range stateTypeNames {
		st := &stateType{fields: buildStateFields(t), what: "a " + t + " state"}
		st.mask = stateFieldBit("Type") | stateFieldBit("Comment") | stateFieldBit("QueryLanguage")
		for _, f := range st.fields {
			st.mask |= stateFieldBit(f)
		}
		tab[i] = st
	}
	return tab
}()

func buildStateFields(typ string) []string {
	io := []string{"InputPath", "OutputPath", "Output", "Assign"}
	flow := []string{"Next", "End"}
	result := []string{"ResultPath", "ResultSelector", "Parameters", "Arguments", "Retry", "Catch"}
	switch typ {
	case TypeTask:
		return slices.Concat(io, flow, result, []string{"Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"})
	case TypePass:
		return slices.Concat(io, flow, []string{"ResultPath", "Parameters", "Result"})
	case TypeChoice:
		return slices.Concat(io, []string{"Choices", "Default"})
	case TypeWait:
		return slices.Concat(io, flow, []string{"Seconds", "Timestamp", "SecondsPath", "TimestampPath"})
	case TypeSucceed:
		return []string{"InputPath", "OutputPath", "Output"}
	case TypeFail:
		return []string{"Error", "ErrorPath", "Cause", "CausePath"}
	case TypeParallel:
		return slices.Concat(io, flow, result, []string{"Branches"})
	case TypeMap:
		return slices.Concat(io, flow, result, []string{"Iterator", "ItemProcessor", "ItemsPath", "Items", "ItemSelector",
			"ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath",
			"ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount",
			"ToleratedFailureCountPath", "Label"})
	}
	return nil
}

func (vd *validator) state(v *Value, ptr *loc, name string, target *targets, buf []uint64) (memberBits []uint64) {
	defer vd.release(vd.mark())
	if v.Kind != KindObject {
		vd.errorf(CodeInvalidType, ptr, v, name, "state %q must be an object, not %s", name, v.Kind)
		return nil
	}
	typeV := v.Get("Type")
	if typeV == nil {
		vd.errorf(CodeMissingField, ptr, v, name, "state %q has no Type", name)
		return nil
	}
	lt := here(ptr, "Type")
	typ, ok := vd.str(typeV, &lt, name, "Type")
	if !ok {
		return nil
	}
	st := stateTypes(typ)
	if st == nil {
		vd.errorf(CodeInvalidValue, vd.at(ptr, "Type"), typeV, name, "unknown state type %q", typ)
		return nil
	}
	what := st.what
	// present has the bit of every known field the state has, memberBits
	// (when the state has few enough members) the bit of each member.
	if len(v.Members) <= len(buf) {
		memberBits = buf[:len(v.Members)]
	}
	present := vd.stateFields(v, ptr, name, st, memberBits)
	// allowed has the bits of the fields of the type besides Type, Comment
	// and QueryLanguage.
	allowed := st.mask &^ (bitType | bitComment | bitQueryLanguage)
	jsonata := vd.topJSONata
	if ql, ok := v.Member("QueryLanguage"); ok && ql.Value.Kind == KindString {
		switch ql.Value.Str {
		case "JSONata":
			jsonata = true
		case "JSONPath":
			if vd.topJSONata {
				vd.errorf(CodeInvalidValue, vd.at(ptr, "QueryLanguage"), ql.Value, name, "a state may not use JSONPath when the state machine's QueryLanguage is JSONata")
			}
		}
	}

	if jsonata {
		for _, m := range v.Members {
			switch m.Key {
			case "Branches", "Iterator", "ItemProcessor": // states of their own
			default:
				vd.expressions(m.Value, vd.at(ptr, m.Key), name)
			}
		}
	}

	// Fields common to several types.
	for i, m := range v.Members {
		// p serves the checks that only report; what checks deeper
		// gets its own copy on the stack of locs (vd.push(lp)), so that
		// p itself can stay on the Go stack.
		lp := loc{up: ptr, key: m.Key, idx: -1}
		p := &lp
		val := m.Value
		var bit uint64
		if memberBits != nil {
			bit = memberBits[i]
		} else {
			bit = stateFieldBit(m.Key)
		}
		known := allowed&bit != 0
		if known {
			if jsonata && jsonPathOnly(m.Key) {
				vd.add(diag.SevError, CodeUnknownField, p, m.KeyPos, name, "field %q is not allowed in a JSONata state", m.Key)
				continue
			}
			if !jsonata && jsonataOnly(m.Key) {
				vd.add(diag.SevError, CodeUnknownField, p, m.KeyPos, name, "field %q needs \"QueryLanguage\": \"JSONata\"", m.Key)
				continue
			}
			if jsonata && isExpression(val) {
				switch m.Key {
				case "TimeoutSeconds", "HeartbeatSeconds", "Seconds", "Timestamp", "MaxConcurrency",
					"ToleratedFailurePercentage", "ToleratedFailureCount", "Error", "Cause", "Items":
					continue // computed at run time
				}
			}
		}
		if !known {
			if m.Key == "Comment" {
				vd.str(val, p, name, m.Key)
			} else if m.Key == "QueryLanguage" {
				vd.queryLanguage(val, p, name)
			}
			continue
		}
		switch bit { // m.Key's bit: known fields only get here
		case bitNext:
			vd.target(target, val, p, "Next")
		case bitDefault:
			vd.target(target, val, p, "Default")
		case bitEnd:
			if val.Kind != KindBool {
				vd.errorf(CodeInvalidType, p, val, name, "End must be true or false, not %s", val.Kind)
			}
		case bitInputPath, bitOutputPath, bitResultPath, bitItemsPath, bitSecondsPath, bitTimestampPath, bitTimeoutSecondsPath, bitHeartbeatSecondsPath, bitMaxConcurrencyPath, bitToleratedFailurePercentagePath, bitToleratedFailureCountPath:
			k, _ := FieldPathKind(m.Key)
			vd.path(val, p, name, m.Key, k, k != PathReference)
		case bitParameters, bitResultSelector, bitItemSelector:
			if m.Key == "Parameters" && typ == TypePass && val.Kind == KindArray {
				// AWS accepts a Pass state whose Parameters is an array
				// (a deployed AWS sample has one); its ".$" fields are
				// templates as usual.
				vd.template(val, vd.push(lp), name)
				continue
			}
			if val.Kind != KindObject {
				vd.errorf(CodeInvalidType, p, val, name, "%s must be an object, not %s", m.Key, val.Kind)
				continue
			}
			vd.template(val, vd.push(lp), name)
		case bitAssign:
			vd.assign(val, vd.push(lp), name, jsonata)
		case bitItemBatcher:
			vd.itemBatcher(val, vd.push(lp), name, jsonata)
		case bitItemReader:
			vd.itemReader(val, vd.push(lp), name, jsonata)
		case bitResultWriter:
			vd.resultWriter(val, vd.push(lp), name, jsonata)
		case bitCredentials:
			vd.credentials(val, vd.push(lp), name, jsonata)
		case bitResource:
			if s, ok := vd.str(val, p, name, m.Key); ok && s == "" {
				vd.errorf(CodeInvalidValue, p, val, name, "Resource must name an ARN, not be empty")
			}
		case bitError, bitCause, bitLabel:
			vd.str(val, p, name, m.Key)
		case bitErrorPath, bitCausePath:
			// AWS's Fail state: "using a reference path or an intrinsic
			// function".
			if s, ok := vd.str(val, p, name, m.Key); ok {
				if _, f, err := ParsePathOrIntrinsic(s, PathReference); err != nil {
					vd.errorf(CodeInvalidPath, p, val, name, "%s: %v", m.Key, err)
				} else if f != nil {
					vd.intrinsicArgs(f, val, p, name, m.Key)
				}
			}
		case bitTimeoutSeconds, bitHeartbeatSeconds:
			vd.integer(val, p, name, m.Key, 1)
		case bitSeconds, bitMaxConcurrency, bitToleratedFailureCount:
			vd.integer(val, p, name, m.Key, 0)
		case bitToleratedFailurePercentage:
			if f, ok := val.Float64(); !ok {
				vd.errorf(CodeInvalidType, p, val, name, "%s must be a number, not %s", m.Key, val.Kind)
			} else if f < 0 || f > 100 {
				vd.errorf(CodeInvalidValue, p, val, name, "%s must be between 0 and 100", m.Key)
			}
		case bitTimestamp:
			if s, ok := vd.str(val, p, name, m.Key); ok {
				if _, err := ParseTimestamp(s); err != nil {
					vd.errorf(CodeInvalidValue, p, val, name, "Timestamp %q is not an RFC 3339 timestamp such as 2016-03-14T01:59:00Z", s)
				}
			}
		case bitRetry, bitCatch:
			vd.retryCatch(val, vd.push(lp), name, m.Key, jsonata, target)
		case bitChoices:
			if val.Kind != KindArray {
				vd.errorf(CodeInvalidType, p, val, name, "Choices must be an array, not %s", val.Kind)
			} else if len(val.Elems) == 0 {
				vd.errorf(CodeMissingField, p, val, name, "Choices must hold at least one rule")
			}
			var cp *loc
			if len(val.Elems) > 0 {
				cp = vd.push(lp)
			}
			for i, r := range val.Elems {
				if jsonata {
					vd.jsonataRule(r, vd.elem(cp, i), name, target)
				} else {
					vd.rule(r, vd.elem(cp, i), name, true, target)
				}
			}
		case bitBranches:
			if val.Kind != KindArray {
				vd.errorf(CodeInvalidType, p, val, name, "Branches must be an array, not %s", val.Kind)
			} else if len(val.Elems) == 0 {
				vd.errorf(CodeMissingField, p, val, name, "Branches must hold at least one branch")
			}
			var bp *loc
			if len(val.Elems) > 0 {
				bp = vd.push(lp)
			}
			for i, b := range val.Elems {
				vd.machine(b, vd.elem(bp, i), scopeBranch, name)
			}
		case bitIterator:
			vd.machine(val, vd.push(lp), scopeIterator, name)
		case bitItemProcessor:
			vd.machine(val, vd.push(lp), scopeItemProcessor, name)
		}
	}

	// Per-type rules that involve several fields.
	has := func(bit uint64) bool { return present&bit != 0 }
	needs := func(bit uint64, field string) {
		if !has(bit) {
			vd.errorf(CodeMissingField, ptr, v, name, "%s needs %s", what, field)
		}
	}
	exclusive := func(abit, bbit uint64, a, b string) {
		if has(abit) && has(bbit) {
			vd.errorf(CodeInvalidValue, vd.at(ptr, b), v.Get(b), name, "%s may not have both %s and %s", what, a, b)
		}
	}
	if st.mask&bitEnd != 0 {
		end := v.Get("End")
		isEnd := end != nil && end.Kind == KindBool && end.Bool
		switch {
		case has(bitNext) && isEnd:
			vd.errorf(CodeNextAndEnd, vd.at(ptr, "End"), end, name, "%s may not have both Next and End", what)
		case !has(bitNext) && !isEnd:
			vd.errorf(CodeNextAndEnd, ptr, v, name, "%s needs either Next or \"End\": true", what)
		}
	}
	switch typ {
	case TypeTask:
		needs(bitResource, "Resource")
		exclusive(bitTimeoutSeconds, bitTimeoutSecondsPath, "TimeoutSeconds", "TimeoutSecondsPath")
		exclusive(bitHeartbeatSeconds, bitHeartbeatSecondsPath, "HeartbeatSeconds", "HeartbeatSecondsPath")
		if hb, ok := v.Get("HeartbeatSeconds").Int64(); ok {
			to, tok := v.Get("TimeoutSeconds").Int64()
			if !tok && !has(bitTimeoutSeconds) && !has(bitTimeoutSecondsPath) {
				to, tok = 99999999, true // AWS's default task timeout
			}
			if tok && hb >= to {
				vd.errorf(CodeHeartbeat, vd.at(ptr, "HeartbeatSeconds"), v.Get("HeartbeatSeconds"), name,
					"HeartbeatSeconds (%d) must be smaller than TimeoutSeconds (%d)", hb, to)
			}
		}
	case TypeChoice:
		needs(bitChoices, "Choices")
	case TypeWait:
		if n := bits.OnesCount64(present & (bitSeconds | bitTimestamp | bitSecondsPath | bitTimestampPath)); n != 1 {
			vd.errorf(CodeInvalidValue, ptr, v, name, "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath (has %d)", n)
		}
	case TypeFail:
		exclusive(bitError, bitErrorPath, "Error", "ErrorPath")
		exclusive(bitCause, bitCausePath, "Cause", "CausePath")
	case TypeParallel:
		needs(bitBranches, "Branches")
	case TypeMap:
		switch {
		case has(bitIterator) && has(bitItemProcessor):
			vd.errorf(CodeInvalidValue, vd.at(ptr, "ItemProcessor"), v.Get("ItemProcessor"), name, "a Map state may not have both Iterator and ItemProcessor")
		case !has(bitIterator) && !has(bitItemProcessor):
			vd.errorf(CodeMissingField, ptr, v, name, "a Map state needs ItemProcessor (or the older Iterator)")
		}
		exclusive(bitMaxConcurrency, bitMaxConcurrencyPath, "MaxConcurrency", "MaxConcurrencyPath")
		exclusive(bitToleratedFailurePercentage, bitToleratedFailurePercentagePath, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath")
		exclusive(bitToleratedFailureCount, bitToleratedFailureCountPath, "ToleratedFailureCount", "ToleratedFailureCountPath")
		exclusive(bitParameters, bitItemSelector, "Parameters", "ItemSelector")
	}
	return memberBits
}

// itemBatcher checks a Map state's ItemBatcher. In a JSONata state the
// limits may be JSONata expressions and BatchInput any value (recorded on
// AWS: localstack's test_map_item_batching_base_json_max_per_batch_jsonata),
// and the Path forms do not exist.
func (vd *validator) itemBatcher(v *Value, ptr *loc, state string, jsonata bool) {
	defer vd.release(vd.mark())
	allowed := oneOf("MaxItemsPerBatch", "MaxItemsPerBatchPath",
		"MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", "BatchInput")
	if jsonata {
		allowed = oneOf("MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput")
	}
	if !vd.fields(v, ptr, state, "an ItemBatcher", allowed) {
		return
	}
	for _, m := range v.Members {
		p := vd.at(ptr, m.Key)
		switch {
		case jsonata && m.Key == "BatchInput":
			continue
		case jsonata && m.Value.Kind == KindString && (m.Key == "MaxItemsPerBatch" || m.Key == "MaxInputBytesPerBatch"):
			if src, ok := JSONataExpression(m.Value.Str); !ok {
				vd.errorf(CodeInvalidValue, p, m.Value, state, "%s must be a positive integer or a JSONata expression {%% ... %%}", m.Key)
			} else if err := CheckJSONata(src); err != nil {
				vd.errorf(CodeInvalidValue, p, m.Value, state, "%s: %v", m.Key, err)
			}
			continue
		}
		switch m.Key {
		case "MaxItemsPerBatch", "MaxInputBytesPerBatch":
			vd.integer(m.Value, p, state, m.Key, 1)
		case "MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath":
			k, _ := FieldPathKind(m.Key)
			vd.path(m.Value, p, state, m.Key, k, false)
		case "BatchInput":
			if m.Value.Kind != KindObject {
				vd.errorf(CodeInvalidType, p, m.Value, state, "BatchInput must be an object, not %s", m.Value.Kind)
				continue
			}
			vd.template(m.Value, p, state)
		}
	}
	for _, f := range []string{"MaxItemsPerBatch", "MaxInputBytesPerBatch"} {
		if v.Has(f) && v.Has(f+"Path") {
			vd.errorf(CodeInvalidValue, vd.at(ptr, f+"Path"), v.Get(f+"Path"), state, "an ItemBatcher may not have both %s and %sPath", f, f)
		}
	}
}

// enumField checks that a string field of v, when present, is one of
// values.
func (vd *validator) enumField(v *Value, ptr *loc, state, what, field string, values ...string) (string, bool) {
	f := v.Get(field)
	if f == nil {
		return "", false
	}
	p := vd.at(ptr, field)
	s, ok := vd.str(f, p, state, what+"."+field)
	if !ok {
		return "", false
	}
	if !slices.Contains(values, s) {
		vd.errorf(CodeInvalidValue, p, f, state, "%s.%s must be one of %s, not %q", what, field, strings.Join(values, ", "), s)
		return s, false
	}
	return s, true
}

// itemReader checks a Map state's ItemReader (AWS docs:
// input-output-itemreader.html): a Resource, Parameters (or Arguments)
// and a ReaderConfig whose known fields have their documented values.
// Fields it does not know are left alone: AWS adds reader options.
func (vd *validator) itemReader(v *Value, ptr *loc, state string, jsonata bool) {
	defer vd.release(vd.mark())
	if v.Kind != KindObject {
		vd.errorf(CodeInvalidType, ptr, v, state, "ItemReader must be an object, not %s", v.Kind)
		return
	}
	if r := v.Get("Resource"); r == nil {
		vd.errorf(CodeMissingField, ptr, v, state, "an ItemReader needs a Resource")
	} else if s, ok := vd.str(r, vd.at(ptr, "Resource"), state, "ItemReader.Resource"); ok && s == "" {
		vd.errorf(CodeInvalidValue, vd.at(ptr, "Resource"), r, state, "ItemReader.Resource must name an ARN, not be empty")
	}
	if p := v.Get("Parameters"); p != nil && !jsonata {
		if p.Kind != KindObject {
			vd.errorf(CodeInvalidType, vd.at(ptr, "Parameters"), p, state, "ItemReader.Parameters must be an object, not %s", p.Kind)
		} else {
			vd.template(p, vd.at(ptr, "Parameters"), state)
		}
	}
	rc := v.Get("ReaderConfig")
	if rc == nil {
		return
	}
	rp := vd.at(ptr, "ReaderConfig")
	if rc.Kind != KindObject {
		vd.errorf(CodeInvalidType, rp, rc, state, "ItemReader.ReaderConfig must be an object, not %s", rc.Kind)
		return
	}
	vd.enumField(rc, rp, state, "ReaderConfig", "InputType", "CSV", "JSON", "JSONL", "PARQUET", "MANIFEST")
	vd.enumField(rc, rp, state, "ReaderConfig", "CSVDelimiter", "COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB")
	loc, _ := vd.enumField(rc, rp, state, "ReaderConfig", "CSVHeaderLocation", "FIRST_ROW", "GIVEN")
	if h := rc.Get("CSVHeaders"); h != nil {
		if h.Kind != KindArray {
			vd.errorf(CodeInvalidType, vd.at(rp, "CSVHeaders"), h, state, "ReaderConfig.CSVHeaders must be an array of strings, not %s", h.Kind)
		} else {
			for _, e := range h.Elems {
				if e.Kind != KindString {
					vd.errorf(CodeInvalidType, vd.at(rp, "CSVHeaders"), e, state, "ReaderConfig.CSVHeaders must be an array of strings, not hold %s", e.Kind)
					break
				}
			}
		}
	} else if loc == "GIVEN" {
		vd.errorf(CodeMissingField, rp, rc, state, "ReaderConfig.CSVHeaders must be given when CSVHeaderLocation is GIVEN")
	}
	if m := rc.Get("MaxItems"); m != nil {
		p := vd.at(rp, "MaxItems")
		if src, ok := JSONataExpression(m.Str); jsonata && m.Kind == KindString && ok {
			if err := CheckJSONata(src); err != nil {
				vd.errorf(CodeInvalidValue, p, m, state, "ReaderConfig.MaxItems: %v", err)
			}
		} else if n, ok := vd.integer(m, p, state, "ReaderConfig.MaxItems", 0); ok && n > 100_000_000 {
			vd.errorf(CodeInvalidValue, p, m, state, "ReaderConfig.MaxItems must be at most 100000000, not %d", n)
		}
	}
	if mp := rc.Get("MaxItemsPath"); mp != nil {
		p := vd.at(rp, "MaxItemsPath")
		if jsonata {
			vd.errorf(CodeUnknownField, p, mp, state, "field \"MaxItemsPath\" is not allowed in a JSONata state")
		} else {
			vd.path(mp, p, state, "ReaderConfig.MaxItemsPath", PathReference, false)
		}
		if rc.Has("MaxItems") {
			vd.errorf(CodeInvalidValue, p, mp, state, "a ReaderConfig may not have both MaxItems and MaxItemsPath")
		}
	}
}

// resultWriter checks a Map state's ResultWriter (AWS docs:
// input-output-resultwriter.html): a Resource with its Parameters (or
// Arguments), a WriterConfig, or both; never empty.
// credentials checks a Task's Credentials: an object with exactly one
// field, RoleArn (a string) or, in JSONPath, RoleArn.$ (a path or
// intrinsic function), as the Task state's page of the Step Functions
// Developer Guide describes it.
func (vd *validator) credentials(v *Value, ptr *loc, state string, jsonata bool) {
	defer vd.release(vd.mark())
	if v.Kind != KindObject {
		vd.errorf(CodeInvalidType, ptr, v, state, "Credentials must be an object, not %s", v.Kind)
		return
	}
	allowed := "RoleArn or RoleArn.$"
	if jsonata {
		allowed = "RoleArn"
	}
	if len(v.Members) != 1 || v.Members[0].Key != "RoleArn" && (jsonata || v.Members[0].Key != "RoleArn.$") {
		vd.errorf(CodeInvalidValue, ptr, v, state, "Credentials must hold exactly one field, %s", allowed)
		return
	}
	if m := v.Members[0]; m.Key == "RoleArn" {
		vd.str(m.Value, vd.at(ptr, m.Key), state, "Credentials.RoleArn")
	} else {
		vd.template(v, ptr, state)
	}
}

func (vd *validator) resultWriter(v *Value, ptr *loc, state string, jsonata bool) {
	defer vd.release(vd.mark())
	if v.Kind != KindObject {
		vd.errorf(CodeInvalidType, ptr, v, state, "ResultWriter must be an object, not %s", v.Kind)
		return
	}
	if !v.Has("Resource") && !v.Has("WriterConfig") {
		vd.errorf(CodeMissingField, ptr, v, state, "a ResultWriter needs a Resource with its Parameters, a WriterConfig, or both")
	}
	if r := v.Get("Resource"); r != nil {
		if s, ok := vd.str(r, vd.at(ptr, "Resource"), state, "ResultWriter.Resource"); ok && s == "" {
			vd.errorf(CodeInvalidValue, vd.at(ptr, "Resource"), r, state, "ResultWriter.Resource must name an ARN, not be empty")
		}
	}
	if p := v.Get("Parameters"); p != nil && !jsonata {
		if p.Kind != KindObject {
			vd.errorf(CodeInvalidType, vd.at(ptr, "Parameters"), p, state, "ResultWriter.Parameters must be an object, not %s", p.Kind)
		} else {
			vd.template(p, vd.at(ptr, "Parameters"), state)
		}
	}
	if wc := v.Get("WriterConfig"); wc != nil {
		wp := vd.at(ptr, "WriterConfig")
		if wc.Kind != KindObject {
			vd.errorf(CodeInvalidType, wp, wc, state, "ResultWriter.WriterConfig must be an object, not %s", wc.Kind)
			return
		}
		vd.enumField(wc, wp, state, "WriterConfig", "Transformation", "NONE", "COMPACT", "FLATTEN")
		vd.enumField(wc, wp, state, "WriterConfig", "OutputType", "JSON", "JSONL")
	}
}

// assign checks an Assign field: an object whose keys name workflow
// variables (with ".$" in JSONPath states for values computed from paths
// and intrinsic functions).
func (vd *validator) assign(v *Value, ptr *loc, state string, jsonata bool) {
	defer vd.release(vd.mark())
	if v.Kind != KindObject {
		vd.errorf(CodeInvalidType, ptr, v, state, "Assign must be an object, not %s", v.Kind)
		return
	}
	for _, m := range v.Members {
		name := m.Key
		if !jsonata {
			name = strings.TrimSuffix(name, ".$")
		}
		if !IsVariableName(name) || name == "states" {
			vd.add(diag.SevError, CodeInvalidValue, vd.at(ptr, m.Key), m.KeyPos, state,
				"Assign: %q is not a valid variable name (a letter or '_' followed by letters, digits and '_'; not \"states\")", name)
		}
	}
	if !jsonata {
		vd.template(v, ptr, state)
	}
}

// intrinsicArgs warns of the arguments of the intrinsic function call f
// (the value v of field, at p) whose type is known and wrong: the call
// fails whenever it runs. A warning, not an error: the definition itself
// is one AWS's rules (name, arity, syntax) accept.
func (vd *validator) intrinsicArgs(f *Intrinsic, v *Value, p *loc, state, field string) {
	for _, msg := range f.ArgProblems() {
		vd.add(diag.SevWarning, CodeIntrinsicArgument, p, v.Pos, state, "%s: %s (the call fails when it runs)", field, msg)
	}
}

// template checks a payload template: fields whose name ends in ".$" must
// hold a path or an intrinsic function call.
func (vd *validator) template(v *Value, ptr *loc, state string) {
	defer vd.release(vd.mark())
	switch v.Kind {
	case KindObject:
		for _, m := range v.Members {
			if strings.HasSuffix(m.Key, ".$") {
				lp := here(ptr, m.Key)
				p := &lp
				if s, ok := vd.str(m.Value, p, state, fmt.Sprintf("field %q", m.Key)); ok {
					if _, f, err := ParsePathOrIntrinsic(s, PathAny); err != nil {
						vd.errorf(CodeInvalidPath, p, m.Value, state, "field %q: %v", m.Key, err)
					} else if f != nil {
						vd.intrinsicArgs(f, m.Value, p, state, fmt.Sprintf("field %q", m.Key))
					}
				}
				continue
			}
			vd.template(m.Value, vd.at(ptr, m.Key), state)
		}
	case KindArray:
		for i, e := range v.Elems {
			vd.template(e, vd.elem(ptr, i), state)
		}
	}
}

// stateIndex finds the states of a scope by name. Most transitions lead
// to one of the next few states, so it looks there first, and builds a
// map of the names only when that fails.
type stateIndex struct {
	states []Member
	byName map[string]int // name -> index of the last state of that name
	// dups is set when a name may occur twice in the scope: then find
	// always asks the map, which knows which one is the last.
	dups bool
}

// find returns the index of the state named name (the last one, when
// dups is set), trying the states from near on first.
func (x *stateIndex) find(name string, near int) (int, bool) {
	if !x.dups {
		for j := near; j < len(x.states) && j < near+3; j++ {
			if x.states[j].Key == name {
				return j, true
			}
		}
	}
	if x.byName == nil {
		x.byName = make(map[string]int, len(x.states))
		for i, m := range x.states {
			x.byName[m.Key] = i
		}
	}
	j, ok := x.byName[name]
	return j, ok
}

// has reports whether the scope has a state named name.
func (x *stateIndex) has(name string, near int) bool {
	_, ok := x.find(name, near)
	return ok
}

// targets is what a state's transitions are checked against: the state
// names of its scope.
type targets struct {
	names *stateIndex // the scope's states
	near  int         // where the state's likely targets start (the next state)
	sc    scope
	state string // the state whose transitions these are
}

// target checks that tv, at p, names a state of the scope.
func (vd *validator) target(t *targets, tv *Value, p *loc, field string) {
	if s, ok := vd.str(tv, p, t.state, field); ok {
		if t.names.has(s, t.near) {
			return
		}
		vd.errorf(CodeMissingTarget, p, tv, t.state, "%s names state %q, which does not exist%s", field, s, where(t.sc))
	}
}

func (vd *validator) retryCatch(v *Value, ptr *loc, state, field string, jsonata bool, target *targets) {
	defer vd.release(vd.mark())
	if v.Kind != KindArray {
		vd.errorf(CodeInvalidType, ptr, v, state, "%s must be an array, not %s", field, v.Kind)
		return
	}
	for i, e := range v.Elems {
		p := vd.elem(ptr, i)
		what := "a retrier"
		allowed := retrierField
		if field == "Catch" {
			what = "a catcher"
			allowed = catcherField
			if jsonata {
				allowed = jsonataCatcherField
			}
		}
		if !vd.fields(e, p, state, what, allowed) {
			continue
		}
		errs := e.Get("ErrorEquals")
		switch {
		case errs == nil:
			vd.errorf(CodeMissingField, p, e, state, "%s needs ErrorEquals", what)
		case errs.Kind != KindArray:
			vd.errorf(CodeInvalidType, vd.at(p, "ErrorEquals"), errs, state, "ErrorEquals must be an array of error names, not %s", errs.Kind)
		case len(errs.Elems) == 0:
			vd.errorf(CodeMissingField, vd.at(p, "ErrorEquals"), errs, state, "ErrorEquals must name at least one error")
		default:
			le := here(p, "ErrorEquals")
			for j, en := range errs.Elems {
				lep := loc{up: &le, idx: j}
				ep := &lep
				s, ok := vd.str(en, ep, state, "an ErrorEquals entry")
				if !ok || s != ErrorAll {
					continue
				}
				// Warnings, not errors: heaviside emits these and hsc
				// must reproduce its output.
				if len(errs.Elems) > 1 {
					vd.add(diag.SevWarning, CodeErrorAll, ep, en.Pos, state, "%s must appear alone in ErrorEquals (AWS rejects this definition)", ErrorAll)
				}
				if i != len(v.Elems)-1 {
					vd.add(diag.SevWarning, CodeErrorAll, ep, en.Pos, state, "a %s with %s must be the last one in %s (AWS rejects this definition)", strings.TrimPrefix(what, "a "), ErrorAll, field)
				}
			}
		}
		for _, m := range e.Members {
			lmp := loc{up: p, key: m.Key, idx: -1} // see state
			mp := &lmp
			switch m.Key {
			case "IntervalSeconds", "MaxDelaySeconds":
				vd.integer(m.Value, mp, state, m.Key, 1)
			case "MaxAttempts":
				vd.integer(m.Value, mp, state, m.Key, 0)
			case "BackoffRate":
				if f, ok := m.Value.Float64(); !ok {
					vd.errorf(CodeInvalidType, mp, m.Value, state, "BackoffRate must be a number, not %s", m.Value.Kind)
				} else if f < 1 {
					vd.errorf(CodeInvalidValue, mp, m.Value, state, "BackoffRate must be at least 1.0, not %s", m.Value.Str)
				}
			case "JitterStrategy":
				if s, ok := vd.str(m.Value, mp, state, m.Key); ok && s != "FULL" && s != "NONE" {
					vd.errorf(CodeInvalidValue, mp, m.Value, state, "JitterStrategy must be \"FULL\" or \"NONE\", not %q", s)
				}
			case "Comment":
				vd.str(m.Value, mp, state, m.Key)
			case "Assign":
				vd.assign(m.Value, vd.push(lmp), state, jsonata)
			case "Next":
				vd.target(target, m.Value, mp, "Next")
			case "ResultPath":
				k, _ := FieldPathKind(m.Key)
				vd.path(m.Value, mp, state, m.Key, k, true)
			}
		}
		if field == "Catch" && e.Get("Next") == nil {
			vd.errorf(CodeMissingField, p, e, state, "a catcher needs Next")
		}
	}
}

// rule checks one Choice rule; top is true for the elements of Choices.
func (vd *validator) rule(v *Value, ptr *loc, state string, top bool, target *targets) {
	defer vd.release(vd.mark())
	allowed := func(k string) bool {
		switch k {
		case "And", "Or", "Not", "Variable", "Comment":
			return true
		case "Next", "Assign":
			return top
		}
		_, ok := LookupComparator(k)
		return ok
	}
	what := "a Choice rule"
	if !top {
		what = "a nested Choice rule"
	}
	if !vd.fields(v, ptr, state, what, allowed) {
		return
	}
	if m, ok := v.Member("Comment"); ok {
		lc := here(ptr, "Comment")
		vd.str(m.Value, &lc, state, "Comment")
	}
	if top {
		if m, ok := v.Member("Assign"); ok {
			vd.assign(m.Value, vd.at(ptr, "Assign"), state, false)
		}
		if nv := v.Get("Next"); nv == nil {
			vd.errorf(CodeChoiceRule, ptr, v, state, "a top-level Choice rule needs Next")
		} else {
			ln := here(ptr, "Next")
			vd.target(target, nv, &ln, "Next")
		}
	} else if m, ok := v.Member("Next"); ok {
		vd.add(diag.SevError, CodeChoiceRule, vd.at(ptr, "Next"), m.KeyPos, state, "Next is allowed only on top-level Choice rules, not inside And, Or or Not")
	}
	isOp := func(k string) bool {
		switch k {
		case "And", "Or", "Not":
			return true
		case "Variable", "Next", "Comment", "Assign": // the usual others, without a lookup
			return false
		}
		_, ok := LookupComparator(k)
		return ok
	}
	nops, op := 0, ""
	for _, m := range v.Members {
		if isOp(m.Key) {
			if nops == 0 {
				op = m.Key
			}
			nops++
		}
	}
	switch nops {
	case 0:
		vd.errorf(CodeChoiceRule, ptr, v, state, "%s needs a comparison operator (such as StringEquals) or And, Or, Not", what)
		return
	case 1:
	default:
		var ops []string
		for _, m := range v.Members {
			if isOp(m.Key) {
				ops = append(ops, m.Key)
			}
		}
		vd.errorf(CodeChoiceRule, ptr, v, state, "%s must have exactly one comparison operator, found %s", what, strings.Join(ops, ", "))
		return
	}
	lop := here(ptr, op)
	p := &lop // on the stack of locs where the rule recurses
	val := v.Get(op)
	switch op {
	case "And", "Or":
		if m, ok := v.Member("Variable"); ok {
			vd.add(diag.SevError, CodeChoiceRule, vd.at(ptr, "Variable"), m.KeyPos, state, "%s with %s may not have Variable", what, op)
		}
		if val.Kind != KindArray {
			vd.errorf(CodeInvalidType, p, val, state, "%s must be an array of rules, not %s", op, val.Kind)
			return
		}
		if len(val.Elems) == 0 {
			vd.errorf(CodeChoiceRule, p, val, state, "%s must hold at least one rule", op)
		}
		rp := vd.push(lop)
		for i, e := range val.Elems {
			vd.rule(e, vd.elem(rp, i), state, false, target)
		}
	case "Not":
		if m, ok := v.Member("Variable"); ok {
			vd.add(diag.SevError, CodeChoiceRule, vd.at(ptr, "Variable"), m.KeyPos, state, "%s with Not may not have Variable", what)
		}
		vd.rule(val, vd.push(lop), state, false, target)
	default:
		variable := v.Get("Variable")
		if variable == nil {
			vd.errorf(CodeChoiceRule, ptr, v, state, "%s with %s needs Variable", what, op)
		} else {
			lv := here(ptr, "Variable")
			vd.path(variable, &lv, state, "Variable", PathAny, false)
		}
		cmp, _ := LookupComparator(op)
		want := cmp.Operand
		switch {
		case strings.HasSuffix(op, "Path"):
			vd.path(val, p, state, op, PathAny, false)
		case val.Kind != want:
			vd.errorf(CodeInvalidType, p, val, state, "%s must be a %s, not %s", op, want, val.Kind)
		case strings.HasPrefix(op, "Timestamp"):
			// A warning, not an error: AWS rejects it, but heaviside
			// emits such rules and hsc must reproduce its output.
			if _, err := ParseTimestamp(val.Str); err != nil {
				vd.add(diag.SevWarning, CodeInvalidValue, p, val.Pos, state, "%s %q is not an RFC 3339 timestamp such as 2016-03-14T01:59:00Z, so the rule never matches (AWS rejects this definition)", op, val.Str)
			}
		}
	}
}

// jsonataRule checks a Choice rule of a JSONata state: a Condition and a
// Next.
func (vd *validator) jsonataRule(v *Value, ptr *loc, state string, target *targets) {
	defer vd.release(vd.mark())
	if !vd.fields(v, ptr, state, "a JSONata Choice rule", oneOf("Condition", "Next", "Comment", "Assign", "Output")) {
		return
	}
	if m, ok := v.Member("Assign"); ok {
		vd.assign(m.Value, vd.at(ptr, "Assign"), state, true)
	}
	if nv := v.Get("Next"); nv == nil {
		vd.errorf(CodeChoiceRule, ptr, v, state, "a Choice rule needs Next")
	} else {
		ln := here(ptr, "Next")
		vd.target(target, nv, &ln, "Next")
	}
	switch c := v.Get("Condition"); {
	case c == nil:
		vd.errorf(CodeChoiceRule, ptr, v, state, "a JSONata Choice rule needs Condition")
	case c.Kind != KindBool && !isExpression(c):
		vd.errorf(CodeInvalidType, vd.at(ptr, "Condition"), c, state, "Condition must be a {%% expression %%} or a boolean")
	}
}

// flow checks the transitions of one machine scope: states that no
// transition leads to, and the lack of a terminal state reachable from
// StartAt. Both are warnings: AWS rejects them, but heaviside generates
// them and hsc must reproduce its output.
//
// A state counts as unreachable when neither StartAt nor any Next, Default
// or Catch Next of the scope names it (the rule AWS and asl-validator
// apply); a group of dead states that lead to each other is not reported
// here, but it cannot hide the missing terminal state.
// transitions is what flow needs of each state of a scope: the states its
// transitions lead to and whether it is terminal. machine gathers it
// while it checks each state, rather than flow going over every state
// again after all of them. The targets are indexes, not names: storing
// them needs no write barrier while the garbage collector marks.
type transitions struct {
	index    *stateIndex
	adj      []int // state i leads to the states adj[off[i]:off[i+1]] (names of no state left out)
	off      []int
	terminal []bool
}

func newTransitions(index *stateIndex, n int) *transitions {
	return &transitions{index: index, adj: make([]int, 0, n+n/2), off: make([]int, 1, n+1), terminal: make([]bool, 0, n)}
}

// add records state i of the scope, s; memberBits, when not nil, has the
// stateFieldBit of each of its members (as state found them).
func (t *transitions) add(s *Value, i int, memberBits []uint64) {
	terminal := false
	if s.Kind == KindObject {
		// One pass for the fields that matter (the last of each, as Get
		// would find): the transitions, and Type and End for whether the
		// state is terminal.
		var next, def, choices, catch, typ, end *Value
		if len(memberBits) == len(s.Members) && memberBits != nil {
			for k, bit := range memberBits {
				switch bit {
				case bitNext:
					next = s.Members[k].Value
				case bitDefault:
					def = s.Members[k].Value
				case bitChoices:
					choices = s.Members[k].Value
				case bitCatch:
					catch = s.Members[k].Value
				case bitType:
					typ = s.Members[k].Value
				case bitEnd:
					end = s.Members[k].Value
				}
			}
		} else {
			for k := range s.Members {
				switch s.Members[k].Key {
				case "Next":
					next = s.Members[k].Value
				case "Default":
					def = s.Members[k].Value
				case "Choices":
					choices = s.Members[k].Value
				case "Catch":
					catch = s.Members[k].Value
				case "Type":
					typ = s.Members[k].Value
				case "End":
					end = s.Members[k].Value
				}
			}
		}
		t.edge(next, i)
		t.edge(def, i)
		if choices != nil && choices.Kind == KindArray {
			for _, r := range choices.Elems {
				t.edge(r.Get("Next"), i)
			}
		}
		if catch != nil && catch.Kind == KindArray {
			for _, c := range catch.Elems {
				t.edge(c.Get("Next"), i)
			}
		}
		terminal = typ != nil && typ.Kind == KindString && (typ.Str == TypeSucceed || typ.Str == TypeFail) ||
			end != nil && end.Kind == KindBool && end.Bool
	}
	t.terminal = append(t.terminal, terminal)
	t.off = append(t.off, len(t.adj))
}

// edge records a transition of state i to the state v names, if there is
// one (a name of no state is machine's and target's to report).
func (t *transitions) edge(v *Value, i int) {
	if v != nil && v.Kind == KindString {
		if j, ok := t.index.find(v.Str, i+1); ok {
			t.adj = append(t.adj, j)
		}
	}
}

func (vd *validator) flow(states *Value, ptr *loc, index *stateIndex, first int, sc scope, owner string, tr *transitions) {
	defer vd.release(vd.mark())
	// Work on state indexes (machine found each transition's state while
	// gathering tr; a name given twice counts as its last state, as a
	// lookup by name would find it).
	n := len(states.Members)
	targeted := make([]bool, n)
	reached := make([]bool, n)
	isTerminal := tr.terminal
	adj, off := tr.adj, tr.off // successors of state i: adj[off[i]:off[i+1]]
	for _, j := range adj {
		targeted[j] = true
	}
	targeted[first], reached[first] = true, true
	queue := make([]int, 1, n)
	queue[0] = first
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, j := range adj[off[i]:off[i+1]] {
			if !reached[j] {
				reached[j] = true
				queue = append(queue, j)
			}
		}
	}
	anyTerminal, reachedTerminal := false, false
	for i, m := range states.Members {
		j := i // what a lookup of its name finds
		if index.dups {
			j, _ = index.find(m.Key, i)
		}
		if !targeted[j] {
			vd.add(diag.SevWarning, CodeUnreachable, vd.at(ptr, m.Key), m.KeyPos, m.Key,
				"state %q is not reachable: no StartAt, Next, Default or Catch%s leads to it", m.Key, where(sc))
		}
		if isTerminal[i] {
			anyTerminal = true
			if reached[j] {
				reachedTerminal = true
			}
		}
	}
	machine := "the state machine"
	switch sc {
	case scopeBranch:
		machine = fmt.Sprintf("a branch of state %q", owner)
	case scopeIterator, scopeItemProcessor:
		machine = fmt.Sprintf("the iterator of state %q", owner)
	}
	switch {
	case !anyTerminal:
		vd.add(diag.SevWarning, CodeNoTerminal, ptr, states.Pos, owner,
			"%s has no terminal state (no End, Succeed or Fail), so it can never finish", machine)
	case !reachedTerminal:
		vd.add(diag.SevWarning, CodeNoTerminalReached, ptr, states.Pos, owner,
			"no terminal state of %s is reachable from StartAt, so it can never finish", machine)
	}
}
