package asl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/diag"
)

// The state types.
const (
	TypeTask     = "Task"
	TypePass     = "Pass"
	TypeChoice   = "Choice"
	TypeWait     = "Wait"
	TypeSucceed  = "Succeed"
	TypeFail     = "Fail"
	TypeParallel = "Parallel"
	TypeMap      = "Map"
)

// ErrorAll is the error name that matches every error in Retry and Catch.
const ErrorAll = "States.ALL"

// Number is a JSON number kept as its literal text ("" when absent), so
// that 1.0 is written back as 1.0. In JSONata states a numeric field may
// hold an expression string instead; the Number then holds that string
// as a quoted JSON literal (see Expression).
type Number string

// NumberExpr returns a Number holding the JSONata expression expr (such
// as "{% $n %}").
func NumberExpr(expr string) Number { return Number(AppendString(nil, expr)) }

// Expression returns the JSONata expression a Number holds, if it holds
// one rather than a number.
func (n Number) Expression() (string, bool) {
	if !strings.HasPrefix(string(n), `"`) {
		return "", false
	}
	v, err := ParseValue([]byte(n))
	if err != nil || v.Kind != KindString {
		return "", false
	}
	return v.Str, true
}

// Int64 returns n as an integer; ok is false if n is absent or not an
// integer.
func (n Number) Int64() (int64, bool) { return NewNumber(string(n)).Int64() }

// Float64 returns n as a float; ok is false if n is absent or malformed.
func (n Number) Float64() (float64, bool) { return NewNumber(string(n)).Float64() }

// NullableString is a field that may be absent, JSON null, or a string, as
// InputPath, OutputPath and ResultPath may ("null" there means "discard").
type NullableString struct {
	Set   bool // the field is present
	Null  bool // the field is JSON null
	Value string
}

// Str returns a present, non-null NullableString holding s.
func Str(s string) NullableString { return NullableString{Set: true, Value: s} }

// StateMachine is a definition: the top-level machine, a Parallel branch,
// a Map Iterator or a Map ItemProcessor. Fields that only make sense at
// the top (Version, TimeoutSeconds) or in an ItemProcessor
// (ProcessorConfig) are empty elsewhere.
type StateMachine struct {
	Comment         string
	StartAt         string
	States          []*State
	Version         string
	TimeoutSeconds  Number
	QueryLanguage   string
	ProcessorConfig *Value

	// Source is the JSON value this was decoded from, for positions in
	// messages; nil when the model was built in code.
	Source *Value

	// Extra holds members this model does not know, in document order.
	Extra []Member
	keys  []string // member order as parsed
}

// State returns the state named name in this machine (not in nested
// branches), or nil.
func (m *StateMachine) State(name string) *State {
	for _, s := range m.States {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// State is one state. It carries the union of the fields of every state
// type; Validate tells which are allowed for Type.
type State struct {
	Name          string
	Type          string
	Comment       string
	QueryLanguage string

	// Transitions.
	Next string
	End  bool

	// Input and output processing.
	InputPath      NullableString
	OutputPath     NullableString
	ResultPath     NullableString
	Parameters     *Value
	ResultSelector *Value
	Result         *Value // Pass
	Arguments      *Value // JSONata
	Output         *Value // JSONata
	Assign         *Value

	// Task.
	Resource             string
	TimeoutSeconds       Number
	TimeoutSecondsPath   string
	HeartbeatSeconds     Number
	HeartbeatSecondsPath string
	Credentials          *Value

	// Task, Parallel, Map.
	Retry []*Retrier
	Catch []*Catcher

	// Choice.
	Choices []*ChoiceRule
	Default string

	// Wait.
	Seconds       Number
	SecondsPath   string
	Timestamp     string
	TimestampPath string

	// Fail.
	Error     string
	ErrorPath string
	Cause     string
	CausePath string

	// Parallel.
	Branches []*StateMachine

	// Map.
	Iterator                       *StateMachine
	ItemProcessor                  *StateMachine
	ItemsPath                      string
	Items                          *Value
	ItemSelector                   *Value
	ItemReader                     *Value
	ItemBatcher                    *Value
	ResultWriter                   *Value
	MaxConcurrency                 Number
	MaxConcurrencyPath             string
	ToleratedFailurePercentage     Number
	ToleratedFailurePercentagePath string
	ToleratedFailureCount          Number
	ToleratedFailureCountPath      string
	Label                          string

	// Source is the JSON value this was decoded from, for positions in
	// messages; nil when the model was built in code.
	Source *Value

	Extra []Member
	keys  []string
}

// Terminal reports whether the state ends its machine: a Succeed or Fail
// state, or one with End set.
func (s *State) Terminal() bool {
	return s.Type == TypeSucceed || s.Type == TypeFail || s.End
}

// Retrier is one element of a Retry array.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds Number
	MaxAttempts     Number
	BackoffRate     Number
	MaxDelaySeconds Number
	JitterStrategy  string
	Comment         string

	// Source is the JSON value this was decoded from, for positions in
	// messages; nil when the model was built in code.
	Source *Value

	Extra []Member
	keys  []string
}

// Catcher is one element of a Catch array.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  NullableString
	Comment     string
	Assign      *Value
	Output      *Value

	// Source is the JSON value this was decoded from, for positions in
	// messages; nil when the model was built in code.
	Source *Value

	Extra []Member
	keys  []string
}

// ChoiceRule is one rule of a Choice state: a boolean combination (And,
// Or, Not), a comparison of Variable with Operator (such as
// "StringEquals" or "IsPresent") and its Operand, or a JSONata Condition.
// Only top-level rules have Next.
type ChoiceRule struct {
	And       []*ChoiceRule
	Or        []*ChoiceRule
	Not       *ChoiceRule
	Variable  string
	Operator  string
	Operand   *Value
	Condition *Value
	Next      string
	Comment   string
	Assign    *Value
	Output    *Value

	// Source is the JSON value this was decoded from, for positions in
	// messages; nil when the model was built in code.
	Source *Value

	Extra []Member
	keys  []string
}

// Comparator describes one Choice rule comparison operator of the States
// Language.
type Comparator struct {
	Name string // the field name, such as "NumericLessThan" or "NumericLessThanPath"
	// Base is the operator without its "Path" suffix; Index numbers the
	// base operators in table order (StringEquals is 0), so that an
	// evaluator can keep its own operator codes in step with the table.
	Base  string
	Index int
	// Path is set for the "*Path" variants, whose operand is a path to
	// the value compared with.
	Path bool
	// Operand is the JSON kind of the operand as written (KindString for
	// the Path variants and the Timestamp comparators).
	Operand Kind
}

// comparatorBase is one base operator of the comparator table.
type comparatorBase struct {
	name    string
	operand Kind
	path    bool // has a Path variant
}

// comparatorBases is the one table of Choice comparators (AWS Step
// Functions developer guide, "Choice workflow state"): the interpreter
// evaluates exactly these and the validator accepts exactly these. It is
// returned by value, so looking an operator up allocates nothing.
func comparatorBases() [23]comparatorBase {
	return [23]comparatorBase{
		{"StringEquals", KindString, true},
		{"StringLessThan", KindString, true},
		{"StringGreaterThan", KindString, true},
		{"StringLessThanEquals", KindString, true},
		{"StringGreaterThanEquals", KindString, true},
		{"StringMatches", KindString, false},
		{"NumericEquals", KindNumber, true},
		{"NumericLessThan", KindNumber, true},
		{"NumericGreaterThan", KindNumber, true},
		{"NumericLessThanEquals", KindNumber, true},
		{"NumericGreaterThanEquals", KindNumber, true},
		{"BooleanEquals", KindBool, true},
		{"TimestampEquals", KindString, true},
		{"TimestampLessThan", KindString, true},
		{"TimestampGreaterThan", KindString, true},
		{"TimestampLessThanEquals", KindString, true},
		{"TimestampGreaterThanEquals", KindString, true},
		{"IsNull", KindBool, false},
		{"IsPresent", KindBool, false},
		{"IsNumeric", KindBool, false},
		{"IsString", KindBool, false},
		{"IsBoolean", KindBool, false},
		{"IsTimestamp", KindBool, false},
	}
}

// ComparatorTable returns every Choice rule comparison operator.
func ComparatorTable() []Comparator {
	var t []Comparator
	for i, b := range comparatorBases() {
		t = append(t, Comparator{Name: b.name, Base: b.name, Index: i, Operand: b.operand})
		if b.path {
			t = append(t, Comparator{Name: b.name + "Path", Base: b.name, Index: i, Path: true, Operand: KindString})
		}
	}
	return t
}

// comparatorIndex returns the entry of comparatorBases for the base
// operator named name and its index, or -1: a switch, which Go compiles
// to a search on length and text, and copies no table (the validator
// looks up every key of every Choice rule; TestComparatorIndex keeps it in
// step with the table).
func comparatorIndex(name string) (comparatorBase, int) {
	switch name {
	case "StringEquals":
		return comparatorBase{"StringEquals", KindString, true}, 0
	case "StringLessThan":
		return comparatorBase{"StringLessThan", KindString, true}, 1
	case "StringGreaterThan":
		return comparatorBase{"StringGreaterThan", KindString, true}, 2
	case "StringLessThanEquals":
		return comparatorBase{"StringLessThanEquals", KindString, true}, 3
	case "StringGreaterThanEquals":
		return comparatorBase{"StringGreaterThanEquals", KindString, true}, 4
	case "StringMatches":
		return comparatorBase{"StringMatches", KindString, false}, 5
	case "NumericEquals":
		return comparatorBase{"NumericEquals", KindNumber, true}, 6
	case "NumericLessThan":
		return comparatorBase{"NumericLessThan", KindNumber, true}, 7
	case "NumericGreaterThan":
		return comparatorBase{"NumericGreaterThan", KindNumber, true}, 8
	case "NumericLessThanEquals":
		return comparatorBase{"NumericLessThanEquals", KindNumber, true}, 9
	case "NumericGreaterThanEquals":
		return comparatorBase{"NumericGreaterThanEquals", KindNumber, true}, 10
	case "BooleanEquals":
		return comparatorBase{"BooleanEquals", KindBool, true}, 11
	case "TimestampEquals":
		return comparatorBase{"TimestampEquals", KindString, true}, 12
	case "TimestampLessThan":
		return comparatorBase{"TimestampLessThan", KindString, true}, 13
	case "TimestampGreaterThan":
		return comparatorBase{"TimestampGreaterThan", KindString, true}, 14
	case "TimestampLessThanEquals":
		return comparatorBase{"TimestampLessThanEquals", KindString, true}, 15
	case "TimestampGreaterThanEquals":
		return comparatorBase{"TimestampGreaterThanEquals", KindString, true}, 16
	case "IsNull":
		return comparatorBase{"IsNull", KindBool, false}, 17
	case "IsPresent":
		return comparatorBase{"IsPresent", KindBool, false}, 18
	case "IsNumeric":
		return comparatorBase{"IsNumeric", KindBool, false}, 19
	case "IsString":
		return comparatorBase{"IsString", KindBool, false}, 20
	case "IsBoolean":
		return comparatorBase{"IsBoolean", KindBool, false}, 21
	case "IsTimestamp":
		return comparatorBase{"IsTimestamp", KindBool, false}, 22
	}
	return comparatorBase{}, -1
}

// LookupComparator returns the comparison operator named name.
func LookupComparator(name string) (Comparator, bool) {
	if b, i := comparatorIndex(name); i >= 0 {
		return Comparator{Name: name, Base: name, Index: i, Operand: b.operand}, true
	}
	if base, isPath := strings.CutSuffix(name, "Path"); isPath {
		if b, i := comparatorIndex(base); i >= 0 && b.path {
			return Comparator{Name: name, Base: base, Index: i, Path: true, Operand: KindString}, true
		}
	}
	return Comparator{}, false
}

// Comparators lists every Choice rule comparison operator of the States
// Language, with the JSON kind of its operand. The *Path variants take a
// path string.
func Comparators() map[string]Kind {
	t := ComparatorTable()
	m := make(map[string]Kind, len(t))
	for _, c := range t {
		m[c.Name] = c.Operand
	}
	return m
}

// FieldError is a definition whose JSON is well formed but does not fit
// the model (a field of the wrong type, for instance).
type FieldError struct {
	Pointer string
	Pos     diag.Pos
	Msg     string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%d:%d: %s: %s", e.Pos.Line, e.Pos.Col, displayPointer(e.Pointer), e.Msg)
}

func displayPointer(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// Parse reads a definition into the typed model. Errors are *SyntaxError
// for malformed JSON and *FieldError for fields of the wrong JSON type; it
// does not check the States Language rules (see Validate).
func Parse(data []byte) (*StateMachine, error) {
	v, err := ParseValue(data)
	if err != nil {
		return nil, err
	}
	return FromValue(v)
}

// FromValue builds the typed model from a parsed Value tree.
func FromValue(v *Value) (*StateMachine, error) {
	d := &decoder{}
	m := d.machine(v, "")
	if d.err != nil {
		return nil, d.err
	}
	return m, nil
}

// decoder converts Values to the model, keeping the first error.
type decoder struct{ err error }

func (d *decoder) fail(v *Value, ptr, format string, args ...any) {
	if d.err == nil {
		var pos diag.Pos
		if v != nil {
			pos = v.Pos
		}
		d.err = &FieldError{Pointer: ptr, Pos: pos, Msg: fmt.Sprintf(format, args...)}
	}
}

func (d *decoder) object(v *Value, ptr string) bool {
	if v.Kind != KindObject {
		d.fail(v, ptr, "expected an object, found %s", v.Kind)
		return false
	}
	return true
}

func (d *decoder) str(v *Value, ptr string) string {
	if v.Kind != KindString {
		d.fail(v, ptr, "expected a string, found %s", v.Kind)
		return ""
	}
	return v.Str
}

func (d *decoder) num(v *Value, ptr string) Number {
	if isExpression(v) {
		return NumberExpr(v.Str)
	}
	if v.Kind != KindNumber {
		d.fail(v, ptr, "expected a number, found %s", v.Kind)
		return ""
	}
	return Number(v.Str)
}

func (d *decoder) boolean(v *Value, ptr string) bool {
	if v.Kind != KindBool {
		d.fail(v, ptr, "expected true or false, found %s", v.Kind)
		return false
	}
	return v.Bool
}

func (d *decoder) nullable(v *Value, ptr string) NullableString {
	if v.Kind == KindNull {
		return NullableString{Set: true, Null: true}
	}
	return NullableString{Set: true, Value: d.str(v, ptr)}
}

func (d *decoder) strings(v *Value, ptr string) []string {
	if v.Kind != KindArray {
		d.fail(v, ptr, "expected an array of strings, found %s", v.Kind)
		return nil
	}
	out := make([]string, 0, len(v.Elems))
	for i, e := range v.Elems {
		out = append(out, d.str(e, ptr+"/"+strconv.Itoa(i)))
	}
	return out
}

func (d *decoder) array(v *Value, ptr string) []*Value {
	if v.Kind != KindArray {
		d.fail(v, ptr, "expected an array, found %s", v.Kind)
		return nil
	}
	return v.Elems
}

func (d *decoder) machine(v *Value, ptr string) *StateMachine {
	m := &StateMachine{Source: v}
	if !d.object(v, ptr) {
		return m
	}
	for _, mem := range v.Members {
		p := ptr + "/" + PointerToken(mem.Key)
		m.keys = append(m.keys, mem.Key)
		val := mem.Value
		switch mem.Key {
		case "Comment":
			m.Comment = d.str(val, p)
		case "StartAt":
			m.StartAt = d.str(val, p)
		case "Version":
			m.Version = d.str(val, p)
		case "TimeoutSeconds":
			m.TimeoutSeconds = d.num(val, p)
		case "QueryLanguage":
			m.QueryLanguage = d.str(val, p)
		case "ProcessorConfig":
			m.ProcessorConfig = val
		case "States":
			if !d.object(val, p) {
				continue
			}
			for _, sm := range val.Members {
				s := d.state(sm.Value, p+"/"+PointerToken(sm.Key))
				s.Name = sm.Key
				m.States = append(m.States, s)
			}
		default:
			m.Extra = append(m.Extra, mem)
		}
	}
	return m
}

func (d *decoder) state(v *Value, ptr string) *State {
	s := &State{Source: v}
	if !d.object(v, ptr) {
		return s
	}
	for _, mem := range v.Members {
		p := ptr + "/" + PointerToken(mem.Key)
		s.keys = append(s.keys, mem.Key)
		val := mem.Value
		switch mem.Key {
		case "Type":
			s.Type = d.str(val, p)
		case "Comment":
			s.Comment = d.str(val, p)
		case "QueryLanguage":
			s.QueryLanguage = d.str(val, p)
		case "Next":
			s.Next = d.str(val, p)
		case "End":
			s.End = d.boolean(val, p)
		case "InputPath":
			s.InputPath = d.nullable(val, p)
		case "OutputPath":
			s.OutputPath = d.nullable(val, p)
		case "ResultPath":
			s.ResultPath = d.nullable(val, p)
		case "Parameters":
			s.Parameters = val
		case "ResultSelector":
			s.ResultSelector = val
		case "Result":
			s.Result = val
		case "Arguments":
			s.Arguments = val
		case "Output":
			s.Output = val
		case "Assign":
			s.Assign = val
		case "Resource":
			s.Resource = d.str(val, p)
		case "TimeoutSeconds":
			s.TimeoutSeconds = d.num(val, p)
		case "TimeoutSecondsPath":
			s.TimeoutSecondsPath = d.str(val, p)
		case "HeartbeatSeconds":
			s.HeartbeatSeconds = d.num(val, p)
		case "HeartbeatSecondsPath":
			s.HeartbeatSecondsPath = d.str(val, p)
		case "Credentials":
			s.Credentials = val
		case "Retry":
			for i, e := range d.array(val, p) {
				s.Retry = append(s.Retry, d.retrier(e, p+"/"+strconv.Itoa(i)))
			}
		case "Catch":
			for i, e := range d.array(val, p) {
				s.Catch = append(s.Catch, d.catcher(e, p+"/"+strconv.Itoa(i)))
			}
		case "Choices":
			for i, e := range d.array(val, p) {
				s.Choices = append(s.Choices, d.rule(e, p+"/"+strconv.Itoa(i)))
			}
		case "Default":
			s.Default = d.str(val, p)
		case "Seconds":
			s.Seconds = d.num(val, p)
		case "SecondsPath":
			s.SecondsPath = d.str(val, p)
		case "Timestamp":
			s.Timestamp = d.str(val, p)
		case "TimestampPath":
			s.TimestampPath = d.str(val, p)
		case "Error":
			s.Error = d.str(val, p)
		case "ErrorPath":
			s.ErrorPath = d.str(val, p)
		case "Cause":
			s.Cause = d.str(val, p)
		case "CausePath":
			s.CausePath = d.str(val, p)
		case "Branches":
			for i, e := range d.array(val, p) {
				s.Branches = append(s.Branches, d.machine(e, p+"/"+strconv.Itoa(i)))
			}
		case "Iterator":
			s.Iterator = d.machine(val, p)
		case "ItemProcessor":
			s.ItemProcessor = d.machine(val, p)
		case "ItemsPath":
			s.ItemsPath = d.str(val, p)
		case "Items":
			s.Items = val
		case "ItemSelector":
			s.ItemSelector = val
		case "ItemReader":
			s.ItemReader = val
		case "ItemBatcher":
			s.ItemBatcher = val
		case "ResultWriter":
			s.ResultWriter = val
		case "MaxConcurrency":
			s.MaxConcurrency = d.num(val, p)
		case "MaxConcurrencyPath":
			s.MaxConcurrencyPath = d.str(val, p)
		case "ToleratedFailurePercentage":
			s.ToleratedFailurePercentage = d.num(val, p)
		case "ToleratedFailurePercentagePath":
			s.ToleratedFailurePercentagePath = d.str(val, p)
		case "ToleratedFailureCount":
			s.ToleratedFailureCount = d.num(val, p)
		case "ToleratedFailureCountPath":
			s.ToleratedFailureCountPath = d.str(val, p)
		case "Label":
			s.Label = d.str(val, p)
		default:
			s.Extra = append(s.Extra, mem)
		}
	}
	return s
}

func (d *decoder) retrier(v *Value, ptr string) *Retrier {
	r := &Retrier{Source: v}
	if !d.object(v, ptr) {
		return r
	}
	for _, mem := range v.Members {
		p := ptr + "/" + PointerToken(mem.Key)
		r.keys = append(r.keys, mem.Key)
		switch val := mem.Value; mem.Key {
		case "ErrorEquals":
			r.ErrorEquals = d.strings(val, p)
		case "IntervalSeconds":
			r.IntervalSeconds = d.num(val, p)
		case "MaxAttempts":
			r.MaxAttempts = d.num(val, p)
		case "BackoffRate":
			r.BackoffRate = d.num(val, p)
		case "MaxDelaySeconds":
			r.MaxDelaySeconds = d.num(val, p)
		case "JitterStrategy":
			r.JitterStrategy = d.str(val, p)
		case "Comment":
			r.Comment = d.str(val, p)
		default:
			r.Extra = append(r.Extra, mem)
		}
	}
	return r
}

func (d *decoder) catcher(v *Value, ptr string) *Catcher {
	c := &Catcher{Source: v}
	if !d.object(v, ptr) {
		return c
	}
	for _, mem := range v.Members {
		p := ptr + "/" + PointerToken(mem.Key)
		c.keys = append(c.keys, mem.Key)
		switch val := mem.Value; mem.Key {
		case "ErrorEquals":
			c.ErrorEquals = d.strings(val, p)
		case "Next":
			c.Next = d.str(val, p)
		case "ResultPath":
			c.ResultPath = d.nullable(val, p)
		case "Comment":
			c.Comment = d.str(val, p)
		case "Assign":
			c.Assign = val
		case "Output":
			c.Output = val
		default:
			c.Extra = append(c.Extra, mem)
		}
	}
	return c
}

func (d *decoder) rule(v *Value, ptr string) *ChoiceRule {
	r := &ChoiceRule{Source: v}
	if !d.object(v, ptr) {
		return r
	}
	for _, mem := range v.Members {
		p := ptr + "/" + PointerToken(mem.Key)
		r.keys = append(r.keys, mem.Key)
		switch val := mem.Value; mem.Key {
		case "And", "Or":
			var rules []*ChoiceRule
			for i, e := range d.array(val, p) {
				rules = append(rules, d.rule(e, p+"/"+strconv.Itoa(i)))
			}
			if mem.Key == "And" {
				r.And = rules
			} else {
				r.Or = rules
			}
		case "Not":
			r.Not = d.rule(val, p)
		case "Variable":
			r.Variable = d.str(val, p)
		case "Condition":
			r.Condition = val
		case "Next":
			r.Next = d.str(val, p)
		case "Comment":
			r.Comment = d.str(val, p)
		case "Assign":
			r.Assign = val
		case "Output":
			r.Output = val
		default:
			if _, ok := LookupComparator(mem.Key); ok && r.Operator == "" {
				r.Operator, r.Operand = mem.Key, val
				continue
			}
			r.Extra = append(r.Extra, mem)
		}
	}
	return r
}
