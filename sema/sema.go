// Package sema gives a parsed Heaviside program its meaning: it checks each
// state's modifiers and task call as heaviside does when it builds the
// state, links states together (Next/End, Choice defaults, loops, lifted
// catch and choice branches), checks names and goto targets, expands task
// ARNs, runs visitors and performs the checks heaviside makes while writing
// the definition (heartbeat, backoff, comparison types).
//
// sema owns the rules of the language, including the deliberate deviations
// D1–D9 from heaviside (docs/compat.md) and the DSL extensions
// (docs/dsl-extensions.md), with the tables that resolve Service.Action()
// (integrations.txt, awssdk.txt.gz from ./gen); Checker.Heaviside and
// Options.Heaviside turn the extensions off. It must not know about tokens or
// the JSON text that codegen writes, nor about what AWS would reject in
// the definition: that is package asl's, run on codegen's output by the
// root package.
package sema

import (
	_ "embed"
	"encoding/json"
	"iter"
	"math"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/diag"
)

// MaxNameLength is the longest state name the States Language allows (D1).
const MaxNameLength = 80

//go:embed services.json
var servicesJSON []byte

// Function is one AWS service integration heaviside knows.
type Function struct {
	Resource string   `json:"resource"`
	Sync     *bool    `json:"sync"`
	Required []string `json:"required"`
	Optional []string `json:"optional"`
}

// Services maps service → function → integration.
type Services map[string]map[string]Function

// LoadServices returns the embedded service table, parsed once. The table is
// read-only: callers must not modify it.
func LoadServices() Services { return services() }

var services = sync.OnceValue(func() Services {
	var s Services
	if err := json.Unmarshal(servicesJSON, &s); err != nil {
		panic("sema: embedded services.json: " + err.Error()) // build-time data, tested
	}
	return s
})

// Checker implements parser.Checker: the checks heaviside makes when it
// constructs each state.
type Checker struct {
	Src      *diag.Source
	Services Services
	// Heaviside turns the DSL extensions off: a state is checked exactly
	// as heaviside 2.2.5 checks it, with its error messages.
	Heaviside bool
}

// NewChecker returns a Checker for src.
func NewChecker(src *diag.Source) *Checker {
	return &Checker{Src: src, Services: LoadServices()}
}

func (c *Checker) errorf(p diag.Pos, format string, args ...any) error {
	return c.Src.Errorf(p, format, args...)
}

var valid = map[ast.Kind][]ast.ModKind{
	ast.Pass:     {ast.ModInput, ast.ModResult, ast.ModOutput, ast.ModData, ast.ModParameters},
	ast.Succeed:  {ast.ModInput, ast.ModOutput},
	ast.Fail:     {},
	ast.Wait:     {ast.ModInput, ast.ModOutput},
	ast.TaskKind: {ast.ModTimeout, ast.ModHeartbeat, ast.ModInput, ast.ModResult, ast.ModOutput, ast.ModParameters, ast.ModRetry, ast.ModCatch},
	ast.Choice:   {ast.ModInput, ast.ModOutput},
	ast.Parallel: {ast.ModInput, ast.ModResult, ast.ModOutput, ast.ModRetry, ast.ModCatch},
	ast.Map:      {ast.ModInput, ast.ModParameters, ast.ModResult, ast.ModOutput, ast.ModRetry, ast.ModCatch, ast.ModItemsPath, ast.ModIterator, ast.ModMaxConcurrency},
}

// extValid lists where the extension modifiers may appear (the parser
// only produces them with the extensions on), following the States
// Language's table of fields per state type.
var extValid = map[ast.Kind][]ast.ModKind{
	ast.Pass:     {ast.ModComment, ast.ModAssign, ast.ModQueryLanguage, ast.ModNext, ast.ModEnd},
	ast.Succeed:  {ast.ModComment, ast.ModQueryLanguage},
	ast.Fail:     {ast.ModComment, ast.ModQueryLanguage},
	ast.Wait:     {ast.ModComment, ast.ModAssign, ast.ModQueryLanguage, ast.ModNext, ast.ModEnd},
	ast.Choice:   {ast.ModComment, ast.ModAssign, ast.ModQueryLanguage},
	ast.TaskKind: {ast.ModComment, ast.ModResultSelector, ast.ModAssign, ast.ModQueryLanguage, ast.ModArguments, ast.ModCredentials, ast.ModNext, ast.ModEnd},
	ast.Parallel: {ast.ModComment, ast.ModParameters, ast.ModResultSelector, ast.ModAssign, ast.ModQueryLanguage, ast.ModArguments, ast.ModNext, ast.ModEnd},
	ast.Map: {ast.ModComment, ast.ModResultSelector, ast.ModAssign, ast.ModQueryLanguage, ast.ModArguments, ast.ModItems, ast.ModNext, ast.ModEnd, ast.ModItemSelector, ast.ModItemBatcher, ast.ModItemReader, ast.ModResultWriter,
		ast.ModToleratedFailurePercentage, ast.ModToleratedFailureCount, ast.ModLabel, ast.ModMode, ast.ModExecutionType,
		ast.ModItemProcessor},
}

func allowed(s *ast.State, k ast.ModKind) bool {
	if s.IsGoto {
		return k == ast.ModNext
	}
	for _, v := range valid[s.Kind] {
		if v == k {
			return true
		}
	}
	for _, v := range extValid[s.Kind] {
		if v == k {
			return true
		}
	}
	return false
}

// CheckState sorts a state's modifiers into place and checks them, then
// checks the task call, Map iterator and Wait argument.
func (c *Checker) CheckState(s *ast.State) error {
	// Count each kind and keep its first two occurrences: enough for the
	// checks, without allocating per modifier.
	var count [ast.NumModKinds]int
	var first, second [ast.NumModKinds]*ast.Modifier
	for _, m := range s.Mods {
		switch count[m.Kind] {
		case 0:
			first[m.Kind] = m
		case 1:
			second[m.Kind] = m
		}
		count[m.Kind]++
	}
	for k := ast.ModKind(0); k < ast.NumModKinds; k++ {
		if count[k] == 0 {
			continue
		}
		if !allowed(s, k) {
			return c.errorf(first[k].Pos, "%s state cannot contain a %s modifier", s.Kind, k)
		}
		if k != ast.ModRetry && k != ast.ModCatch && count[k] > 1 {
			return c.errorf(second[k].Pos, "%s state can only contain one %s modifier", s.Kind, k)
		}
		m := first[k]
		switch k {
		case ast.ModNext:
			s.GotoNext = m
		case ast.ModTimeout:
			s.Timeout = m
		case ast.ModHeartbeat:
			s.Heartbeat = m
		case ast.ModInput:
			s.Input = m
		case ast.ModResult:
			s.Result = m
		case ast.ModOutput:
			s.Output = m
		case ast.ModData:
			s.Data = m
		case ast.ModParameters:
			if m.Params == nil && s.Kind != ast.Pass {
				return c.errorf(m.Pos, "only a Pass state's parameters: can be a JSON array (a %s state's Parameters are an object)", s.Kind)
			}
			s.Parameters = m
		case ast.ModComment:
			if s.Comment != nil {
				return c.errorf(m.Pos, "%s state has a comment in its docstring already: write it there or with comment:, not both", s.Kind)
			}
			v := m.Str
			s.Comment = &v
		case ast.ModRetry:
			s.Retry = ofKind(s.Mods, k, count[k])
		case ast.ModCatch:
			s.Catch = ofKind(s.Mods, k, count[k])
		case ast.ModIterator:
			s.Iterator = m
		case ast.ModMaxConcurrency:
			s.MaxConcurrency = m
		case ast.ModItemsPath:
			s.ItemsPath = m
		default:
			c.setExt(s, m)
		}
	}
	if s.GotoNext != nil && ext(s).EndMod != nil {
		second := ext(s).EndMod
		if second.Pos.Offset < s.GotoNext.Pos.Offset {
			second = s.GotoNext
		}
		return c.errorf(second.Pos, "%s state cannot have both next: and end:", s.Kind)
	}
	switch s.Kind {
	case ast.TaskKind:
		return c.checkTask(s)
	case ast.Map:
		if s.Iterator == nil {
			return c.errorf(s.Pos, "Map state must have an iterator")
		}
		return c.checkMap(s)
	case ast.Wait:
		return c.checkWait(s)
	case ast.Fail:
		if fa := ext(s).FailArgs; fa != nil {
			if fa.Error != nil && fa.ErrorPath != nil {
				return c.errorf(fa.ErrorPath.Pos, "Fail state cannot have both an error and error_path")
			}
			if fa.Cause != nil && fa.CausePath != nil {
				return c.errorf(fa.CausePath.Pos, "Fail state cannot have both a cause and cause_path")
			}
		}
	}
	return nil
}

// setExt puts an extension modifier in its field of s.
func (c *Checker) setExt(s *ast.State, m *ast.Modifier) {
	if s.Ext == nil {
		s.Ext = &ast.StateExt{}
	}
	x := s.Ext
	switch m.Kind {
	case ast.ModResultSelector:
		x.ResultSelector = m
	case ast.ModAssign:
		x.Assign = m
	case ast.ModQueryLanguage:
		x.QueryLanguage = m
	case ast.ModCredentials:
		x.Credentials = m
	case ast.ModEnd:
		x.EndMod = m
	case ast.ModArguments:
		x.Arguments = m
	case ast.ModItems:
		x.Items = m
	case ast.ModItemSelector:
		x.ItemSelector = m
	case ast.ModItemBatcher:
		x.ItemBatcher = m
	case ast.ModItemReader:
		x.ItemReader = m
	case ast.ModResultWriter:
		x.ResultWriter = m
	case ast.ModToleratedFailurePercentage:
		x.ToleratedFailurePercentage = m
	case ast.ModToleratedFailureCount:
		x.ToleratedFailureCount = m
	case ast.ModLabel:
		x.Label = m
	case ast.ModMode:
		x.Mode = m
	case ast.ModExecutionType:
		x.ExecutionType = m
	case ast.ModItemProcessor:
		if s.Iterator == nil {
			s.Iterator, x.ItemProcessor = m, true
		}
	}
}

// checkMap checks the Map extensions: iterator: and item_processor: are
// one field in two spellings, and the processor's configuration belongs to
// item_processor:.
func (c *Checker) checkMap(s *ast.State) error {
	var iter, proc *ast.Modifier
	for _, m := range s.Mods {
		switch {
		case m.Kind == ast.ModIterator && iter == nil:
			iter = m
		case m.Kind == ast.ModItemProcessor && proc == nil:
			proc = m
		}
	}
	if iter != nil && proc != nil {
		second := proc
		if proc.Pos.Offset < iter.Pos.Offset {
			second = iter
		}
		return c.errorf(second.Pos, "Map state cannot have both iterator: and item_processor: (item_processor: is the newer name of the same field)")
	}
	x := ext(s)
	for _, m := range []*ast.Modifier{x.Mode, x.ExecutionType} {
		if m != nil && !x.ItemProcessor {
			return c.errorf(m.Pos, "%s belongs to the ItemProcessor's ProcessorConfig: write the states under item_processor: instead of iterator:", m.Kind)
		}
	}
	if m := x.Mode; m != nil && m.Str != "INLINE" && m.Str != "DISTRIBUTED" {
		return c.errorf(m.Pos, "mode must be 'INLINE' or 'DISTRIBUTED', not '%s'", m.Str)
	}
	if m := x.ExecutionType; m != nil {
		if m.Str != "STANDARD" && m.Str != "EXPRESS" {
			return c.errorf(m.Pos, "execution_type must be 'STANDARD' or 'EXPRESS', not '%s'", m.Str)
		}
		if x.Mode == nil || x.Mode.Str != "DISTRIBUTED" {
			return c.errorf(m.Pos, "execution_type is for a distributed Map: add mode: 'DISTRIBUTED'")
		}
	}
	return nil
}

// ofKind returns the n modifiers of kind k, in source order.
func ofKind(mods []*ast.Modifier, k ast.ModKind, n int) []*ast.Modifier {
	out := make([]*ast.Modifier, 0, n)
	for _, m := range mods {
		if m.Kind == k {
			out = append(out, m)
		}
	}
	return out
}

func isPlainTask(svc string) bool { return svc == "Lambda" || svc == "Activity" || svc == "Arn" }

func (c *Checker) checkTask(s *ast.State) error {
	call := s.Call
	svc := call.Service.Value
	if !c.Heaviside && call.Function != nil && svc != "Arn" && svc != "Activity" {
		_, known := c.Services[svc][call.Function.Value]
		if call.Suffix != nil || !known {
			return c.checkIntegration(s)
		}
	}
	if _, ok := c.Services[svc]; !ok && !isPlainTask(svc) {
		return c.errorf(call.Service.Pos, "Invalid Task service")
	}
	fn, arg := call.Function, call.Arg
	var integ Function
	if fn == nil {
		if !isPlainTask(svc) {
			return c.errorf(call.Service.Pos, "%s task requires a function to call", svc)
		}
		if arg == nil {
			return c.errorf(call.Service.Pos, "%s task requires a function name argument", svc)
		}
		fn, arg = arg, nil
	} else {
		if isPlainTask(svc) {
			return c.errorf(fn.Pos, "Unexpected function name")
		}
		f, ok := c.Services[svc][fn.Value]
		if !ok {
			return c.errorf(fn.Pos, "Invalid Task function")
		}
		integ = f
	}
	if arg != nil {
		return c.errorf(arg.Pos, "Unexpected argument")
	}
	if svc == "Arn" && !strings.HasPrefix(fn.Value, "arn:aws:") {
		return c.errorf(fn.Pos, "ARN must start with 'arn:aws:'")
	}
	// heaviside refuses Parameters on Lambda and Activity tasks; the
	// extensions write them as for any Task.
	if (svc == "Lambda" || svc == "Activity") && s.Parameters != nil && c.Heaviside {
		return c.errorf(s.Parameters.Params.Keys[0].Pos, "Unexpected keyword argument")
	}
	function := fn.Value
	if !isPlainTask(svc) {
		required := append([]string(nil), integ.Required...)
		sync := integ.Sync != nil && *integ.Sync
		if s.Parameters != nil {
			ps := s.Parameters.Params
			keep := &ast.Params{Pos: ps.Pos}
			for i, key := range ps.Keys {
				k := strings.TrimSuffix(key.Value, ".$")
				switch {
				case k == "sync":
					b, ok := ps.Vals[i].(bool)
					if !ok {
						return c.errorf(key.Pos, "Synchronous value must be a boolean")
					}
					if i < len(ps.Keys)-1 {
						// heaviside crashes here (it deletes the key while
						// iterating over the parameters): D5.
						return c.errorf(key.Pos, "sync must be the last parameter")
					}
					sync = b
					continue // the sync key is removed from the output
				case contains(required, k):
					required = remove(required, k)
				case !contains(integ.Optional, k):
					return c.errorf(key.Pos, "Invalid keyword argument")
				}
				keep.Keys = append(keep.Keys, key)
				keep.Vals = append(keep.Vals, ps.Vals[i])
			}
			s.Parameters.Params = keep
		}
		function = integ.Resource
		if sync {
			function += ".sync"
		}
		if len(required) > 0 {
			return c.errorf(fn.Pos, "Missing required keyword arguments: %s", strings.Join(required, ", "))
		}
	}
	s.Task = &ast.Task{Pos: s.Pos, Name: s.Name, Service: svc, Function: function}
	return nil
}

// checkIntegration resolves Service.Action[.suffix]() against the
// integration tables (extension): every call heaviside's own table does
// not answer.
func (c *Checker) checkIntegration(s *ast.State) error {
	call := s.Call
	suffix := ""
	if call.Suffix != nil {
		suffix = call.Suffix.Value
	}
	in, err := LoadIntegrations()
	if err != nil {
		return err
	}
	res, rerr := in.Resolve(call.Service.Value, call.Function.Value, suffix)
	if rerr != nil {
		pos := call.Service.Pos
		switch rerr.Part {
		case "action":
			pos = call.Function.Pos
		case "suffix":
			pos = call.Function.Pos
			if call.Suffix != nil {
				pos = call.Suffix.Pos
			}
		}
		return c.errorf(pos, "%s", rerr.Msg)
	}
	if call.Arg != nil {
		return c.errorf(call.Arg.Pos, "Unexpected argument")
	}
	if s.Parameters != nil && s.Parameters.Params != nil {
		for _, k := range s.Parameters.Params.Keys {
			if k.Value == "sync" {
				return c.errorf(k.Pos, "sync: is a parameter of heaviside's own service integrations only; where this integration has .sync, write %s.%s.sync()", call.Service.Value, call.Function.Value)
			}
		}
	}
	s.Task = &ast.Task{Pos: s.Pos, Name: s.Name, Service: call.Service.Value, Function: res, Resolved: true}
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func remove(xs []string, x string) []string {
	for i, v := range xs {
		if v == x {
			return append(xs[:i], xs[i+1:]...)
		}
	}
	return xs
}

// checkWait applies deviation D4: heaviside emits any Wait argument
// unchecked; hsc requires what the States Language requires.
func (c *Checker) checkWait(s *ast.State) error {
	w := s.Wait
	v := w.Value
	switch w.Key {
	case "seconds":
		if !c.Heaviside && v.Kind != ast.NumberVal && isJSONataExpr(v.Str) {
			return nil // JSONata (extension): checked with the query language
		}
		if v.Kind != ast.NumberVal {
			return c.errorf(v.Pos, "Wait seconds must be a positive integer, not a string")
		}
	case "timestamp":
		if !c.Heaviside && v.Kind != ast.NumberVal && isJSONataExpr(v.Str) {
			return nil
		}
		if v.Kind == ast.NumberVal || !IsRFC3339(v.Str) {
			return c.errorf(v.Pos, "Wait timestamp must be an RFC 3339 timestamp string such as '2016-03-14T01:59:00Z'")
		}
	case "seconds_path", "timestamp_path":
		if v.Kind == ast.NumberVal || !strings.HasPrefix(v.Str, "$") {
			return c.errorf(v.Pos, "Wait %s must be a reference path string starting with '$'", w.Key)
		}
	}
	return nil
}

// IsRFC3339 reports whether s is a timestamp the States Language accepts:
// RFC 3339 with an uppercase T and Z.
func IsRFC3339(s string) bool {
	if strings.ContainsAny(s, "tz ") {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// Options configure Analyze.
type Options struct {
	Region    string
	AccountID string
	// Visitors see every Task state; BranchVisitors then see the main
	// branch once each. After any visitor, names and transitions are
	// checked again.
	Visitors       []ast.Visitor
	BranchVisitors []ast.BranchVisitor
	// Heaviside turns the DSL extensions off: heaviside's checks apply
	// as heaviside makes them (a heartbeat without a timeout must be
	// below 60).
	Heaviside bool
}

// Analysis is what Analyze learns about a valid machine. What AWS would
// reject in the machine's definition is asl's to say, not sema's.
type Analysis struct {
	names map[string]nameInfo
}

// State returns the state with the given name, in any branch.
func (an *Analysis) State(name string) (*ast.State, bool) {
	info, ok := an.names[name]
	return info.state, ok
}

// States yields every state of the machine (all branches) with its name.
func (an *Analysis) States() iter.Seq2[string, *ast.State] {
	return func(yield func(string, *ast.State) bool) {
		for name, info := range an.names {
			if !yield(name, info.state) {
				return
			}
		}
	}
}

// Analyze links a parsed machine and runs every check after parsing, in
// heaviside's order. It returns the first error, as heaviside does.
func Analyze(src *diag.Source, m *ast.Machine, o Options) (*Analysis, error) {
	a := &analyzer{src: src, heaviside: o.Heaviside}
	if len(m.States) == 0 {
		return nil, a.errorf(m.FirstToken, "State machine has no states")
	}
	linked, err := a.link(m.States, nil, m.FirstToken)
	if err != nil {
		return nil, err
	}
	m.States = linked
	if err := a.checkNames(m.States); err != nil {
		return nil, err
	}
	resolveARNs(m.States, o.Region, o.AccountID)
	if err := a.checkGotos(m.States); err != nil {
		return nil, err
	}
	for _, v := range o.Visitors {
		ast.Walk(m.States, v)
	}
	for _, v := range o.BranchVisitors {
		v.VisitBranch(m.States)
	}
	if len(o.Visitors)+len(o.BranchVisitors) > 0 {
		// A visitor may have renamed, retargeted or replaced states:
		// check names and transitions again (heaviside does not).
		if err := a.checkNames(m.States); err != nil {
			return nil, err
		}
		if err := a.checkTransitions(m.States, "the state machine"); err != nil {
			return nil, err
		}
	}
	if err := a.checkQueryLanguage(m); err != nil {
		return nil, err
	}
	if err := a.checkDefinition(m.States); err != nil {
		return nil, err
	}
	if err := a.checkFinite(m.States); err != nil {
		return nil, err
	}
	return &Analysis{names: a.names}, nil
}

type analyzer struct {
	src       *diag.Source
	heaviside bool // the extensions are off
	// jsonata is set while checking the rules of a Choice state whose
	// query language is JSONata.
	jsonata bool
	// names maps every state name (unique machine-wide once checkNames
	// passes) to its state, its branch (numbered breadth first) and a
	// dense index.
	names map[string]nameInfo
}

type nameInfo struct {
	state  *ast.State
	branch int
	idx    int
}

func (a *analyzer) errorf(p diag.Pos, format string, args ...any) error {
	return a.src.Errorf(p, format, args...)
}

func isTerminal(s *ast.State) bool { return s.Kind == ast.Succeed || s.Kind == ast.Fail }

// link sets Next/End in a branch and lifts catch handlers and choice
// branches into it, following heaviside's ast.link. final is the state that
// follows the branch (nil: the branch ends the machine). owner is where an
// empty branch is reported.
func (a *analyzer) link(states []*ast.State, final *string, owner diag.Pos) ([]*ast.State, error) {
	if len(states) == 0 {
		return nil, a.errorf(owner, "Block must contain at least one state")
	}
	linked := make([]*ast.State, 0, len(states))
	for i, s := range states {
		linked = append(linked, s)
		next := final
		if i+1 < len(states) {
			next = &states[i+1].Name
		}
		switch {
		case s.GotoNext != nil:
			s.Next, s.HasNext = s.GotoNext.Str, true
		case ext(s).EndMod != nil:
			s.End = true
		case s.HasNext:
			// already linked (a synthetic loop state)
		case isTerminal(s):
		case s.Kind == ast.Choice:
			if !hasDefault(s) {
				target := next
				if target == nil {
					d := &ast.State{Kind: ast.Succeed, Pos: s.Pos, Name: s.Name + "Default"}
					linked = append(linked, d)
					target = &d.Name
				}
				s.Choices = append(s.Choices, &ast.ChoiceBranch{Target: *target, Linked: true})
			}
			if s.IsWhile {
				body := s.Choices[0]
				if len(body.States) == 0 {
					return nil, a.errorf(s.Pos, "Block must contain at least one state")
				}
				last := body.States[len(body.States)-1]
				// D7: no loop state after a goto, which never falls through.
				// Nor after a state with next: or end: (extensions).
				if !isTerminal(last) && !last.IsGoto && last.GotoNext == nil && ext(last).EndMod == nil {
					loop := &ast.State{Kind: ast.Pass, Pos: s.Pos, Name: s.Name + "Loop", Next: s.Name, HasNext: true}
					body.States = append(body.States, loop)
				}
			}
		default:
			if next == nil {
				s.End = true
			} else {
				s.Next, s.HasNext = *next, true
			}
		}
		for _, cm := range s.Catch {
			if g := cm.Catch.Goto; g != nil {
				cm.Catch.Next = g.Value
				continue
			}
			l, err := a.link(cm.Catch.States, next, cm.Pos)
			if err != nil {
				return nil, err
			}
			cm.Catch.Next = l[0].Name
			linked = append(linked, l...)
		}
		if s.Iterator != nil {
			// An empty iterator is reported by checkDefinition, where
			// heaviside trips over it (after the name and goto checks).
			l, err := a.linkBranch(s.Iterator.Iter)
			if err != nil {
				return nil, err
			}
			s.IterStates = l
		}
		switch s.Kind {
		case ast.Choice:
			for _, b := range s.Choices {
				if b.Linked {
					continue
				}
				l, err := a.link(b.States, next, s.Pos)
				if err != nil {
					return nil, err
				}
				b.Target, b.Linked = l[0].Name, true
				linked = append(linked, l...)
			}
		case ast.Parallel:
			for _, b := range s.Branches {
				l, err := a.linkBranch(b.States)
				if err != nil {
					return nil, err
				}
				b.States = l
			}
		}
	}
	return linked, nil
}

// linkBranch links a Parallel branch or Map iterator, which may be empty
// here: heaviside only fails on an empty one when it writes the JSON.
func (a *analyzer) linkBranch(states []*ast.State) ([]*ast.State, error) {
	if len(states) == 0 {
		return nil, nil
	}
	return a.link(states, nil, diag.Pos{})
}

func hasDefault(s *ast.State) bool {
	for _, b := range s.Choices {
		if b.Cond == nil {
			return true
		}
	}
	return false
}

// checkNames checks name length (D1) and uniqueness across the whole machine
// (D6), visiting branches breadth first as heaviside does.
func (a *analyzer) checkNames(top []*ast.State) error {
	type branch struct {
		states []*ast.State
		pos    diag.Pos // where the branch starts (for cross-branch duplicates)
	}
	a.names = make(map[string]nameInfo, len(top))
	queue := []branch{{states: top}}
	for id := 0; len(queue) > 0; id++ {
		b := queue[0]
		queue = queue[1:]
		for _, s := range b.states {
			if n := utf8.RuneCountInString(s.Name); n > MaxNameLength {
				return a.errorf(s.Pos, "Name exceeds %d characters", MaxNameLength)
			}
			if prev, dup := a.names[s.Name]; dup {
				if prev.branch == id {
					return a.errorf(s.Pos, "Duplicate state name '%s'", s.Name)
				}
				// D6: the same name in another branch. Point at the branch
				// that repeats it, and say where the name was first used.
				return a.errorf(b.pos, "Duplicate state name '%s' (line %d uses it in another branch; names must be unique in the whole state machine)", s.Name, prev.state.Pos.Line)
			}
			a.names[s.Name] = nameInfo{state: s, branch: id, idx: len(a.names)}
			switch s.Kind {
			case ast.Parallel:
				for _, br := range s.Branches {
					queue = append(queue, branch{states: br.States, pos: br.Pos})
				}
			case ast.Map:
				queue = append(queue, branch{states: s.IterStates, pos: s.Iterator.Pos})
			}
		}
	}
	return nil
}

// resolveARNs sets each task's Resource. Unlike heaviside (D2), every Lambda
// and Activity gets the region and account id.
func resolveARNs(states []*ast.State, region, account string) {
	for _, s := range states {
		switch {
		case s.Task != nil && s.Task.Resolved:
			s.Task.Resource = s.Task.Function
		case s.Task != nil:
			t := s.Task
			switch t.Service {
			case "Arn":
				t.Resource = t.Function
			case "Lambda":
				t.Resource = "arn:aws:lambda:" + region + ":" + account + ":function:" + t.Function
			case "Activity":
				t.Resource = "arn:aws:states:" + region + ":" + account + ":activity:" + t.Function
			default:
				t.Resource = "arn:aws:states:::" + strings.ToLower(t.Service) + ":" + t.Function
			}
		case s.Kind == ast.Parallel:
			for _, b := range s.Branches {
				resolveARNs(b.States, region, account)
			}
		case s.Kind == ast.Map:
			resolveARNs(s.IterStates, region, account)
		}
	}
}

// checkGotos checks that every goto names a state of its own branch,
// visiting branches in checkNames's order.
func (a *analyzer) checkGotos(top []*ast.State) error {
	queue := [][]*ast.State{top}
	for id := 0; len(queue) > 0; id++ {
		states := queue[0]
		queue = queue[1:]
		for _, s := range states {
			switch s.Kind {
			case ast.Parallel:
				for _, b := range s.Branches {
					queue = append(queue, b.States)
				}
			case ast.Map:
				queue = append(queue, s.IterStates)
			}
		}
		for _, s := range states {
			if s.GotoNext != nil {
				if t, ok := a.names[s.GotoNext.Str]; !ok || t.branch != id {
					return a.errorf(s.GotoNext.Pos, "Goto target '%s' doesn't exist", s.GotoNext.Str)
				}
			}
			// Extensions: a branch or catcher that is one jump.
			for _, b := range s.Choices {
				if g := b.Goto; g != nil {
					if t, ok := a.names[g.Value]; !ok || t.branch != id {
						return a.errorf(g.Pos, "Goto target '%s' doesn't exist", g.Value)
					}
				}
			}
			for _, c := range s.Catch {
				if g := c.Catch.Goto; g != nil {
					if t, ok := a.names[g.Value]; !ok || t.branch != id {
						return a.errorf(g.Pos, "Goto target '%s' doesn't exist", g.Value)
					}
				}
			}
		}
	}
	return nil
}

// checkTransitions checks, after visitors ran, that every state of a branch
// has what codegen needs and that every transition names a state of the
// same branch.
func (a *analyzer) checkTransitions(states []*ast.State, where string) error {
	if len(states) == 0 {
		return a.errorf(diag.Pos{}, "a visitor left %s without states", where)
	}
	inBranch := make(map[string]bool, len(states))
	for _, s := range states {
		if s == nil {
			return a.errorf(diag.Pos{}, "a visitor left a nil state in %s", where)
		}
		inBranch[s.Name] = true
	}
	target := func(s *ast.State, name string) error {
		if !inBranch[name] {
			return a.errorf(s.Pos, "state '%s' goes to '%s', which is not a state of %s (changed by a visitor?)", s.Name, name, where)
		}
		return nil
	}
	for _, s := range states {
		switch {
		case s.Kind == ast.TaskKind && s.Task == nil:
			return a.errorf(s.Pos, "Task state '%s' has no task (changed by a visitor?)", s.Name)
		case s.Kind == ast.Wait && s.Wait == nil:
			return a.errorf(s.Pos, "Wait state '%s' has no wait argument (changed by a visitor?)", s.Name)
		case s.Kind == ast.Map && s.Iterator == nil:
			return a.errorf(s.Pos, "Map state '%s' has no iterator (changed by a visitor?)", s.Name)
		}
		if s.HasNext {
			if err := target(s, s.Next); err != nil {
				return err
			}
		}
		for _, c := range s.Choices {
			if c.None {
				continue
			}
			if err := target(s, c.Target); err != nil {
				return err
			}
		}
		for _, c := range s.Catch {
			if err := target(s, c.Catch.Next); err != nil {
				return err
			}
		}
		for _, b := range s.Branches {
			if err := a.checkTransitions(b.States, "a branch of '"+s.Name+"'"); err != nil {
				return err
			}
		}
		if s.Kind == ast.Map && len(s.IterStates) > 0 {
			if err := a.checkTransitions(s.IterStates, "the iterator of '"+s.Name+"'"); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkDefinition makes the checks heaviside makes while writing the JSON,
// in the same order.
func (a *analyzer) checkDefinition(states []*ast.State) error {
	for _, s := range states {
		// The heartbeat is checked against the timeout only when both
		// are numbers (a path is read at run time).
		// With the extensions, a heartbeat without a timeout is not held
		// to heaviside's 60-second default (AWS has none for a Task).
		if s.Heartbeat != nil && !s.Heartbeat.Path && (s.Timeout == nil || !s.Timeout.Path) && (s.Timeout != nil || a.heaviside) {
			timeout := ast.Number{IsInt: true, Text: "60"}
			if s.Timeout != nil {
				timeout = s.Timeout.Int
			}
			if !intLess(s.Heartbeat.Int.Text, timeout.Text) {
				return a.errorf(s.Heartbeat.Pos, "Heartbeat must be less than timeout (defaults to 60)")
			}
		}
		for _, r := range s.Retry {
			if !r.Retry.NoBackoff && numLess(r.Retry.Backoff, 1.0) {
				return a.errorf(r.Retry.BackPos, "Backoff rate should be >= 1.0")
			}
			if j := r.Retry.Jitter; j != nil && j.Value != "FULL" && j.Value != "NONE" {
				return a.errorf(j.Pos, "jitter must be 'FULL' or 'NONE', not '%s'", j.Value)
			}
		}
		if s.Kind == ast.Map {
			if len(s.IterStates) == 0 {
				return a.errorf(s.Iterator.Pos, "Block must contain at least one state")
			}
			if err := a.checkDefinition(s.IterStates); err != nil {
				return err
			}
		}
		if s.Kind == ast.Choice {
			a.jsonata = s.JSONata
			for _, b := range s.Choices {
				if b.Cond != nil {
					if err := a.checkCond(b.Cond); err != nil {
						return err
					}
				}
				if b.Output != nil && !s.JSONata {
					return a.errorf(b.Output.Pos, "a Choice rule's output: is a JSONata Output: the state needs query_language: 'JSONata'")
				}
			}
		}
		if s.Kind == ast.Parallel {
			for _, b := range s.Branches {
				if len(b.States) == 0 {
					return a.errorf(b.Pos, "Block must contain at least one state")
				}
				if err := a.checkDefinition(b.States); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (a *analyzer) checkCond(c *ast.Cond) error {
	switch c.Op {
	case "not", "and", "or":
		for _, sub := range c.Subs {
			if err := a.checkCond(sub); err != nil {
				return err
			}
		}
		return nil
	}
	switch {
	case c.Op == "jsonata":
		if !a.jsonata {
			return a.errorf(c.Pos, "a condition that is one string is a JSONata condition: the state needs query_language: 'JSONata' (a JSONPath rule is VAR OPERATOR VALUE)")
		}
		return nil
	case a.jsonata:
		return a.errorf(c.Pos, "a JSONata state's rule is one string holding a JSONata condition ('{%% ... %%}'), not a comparison")
	case c.Op == "matches" || ast.IsTypeTest(c.Op):
		return nil
	}
	if c.Val.Kind == ast.BoolVal && c.Op != "==" && c.Op != "!=" {
		if c.Val.Path || c.Val.Typed {
			return a.errorf(c.Pos, "booleans compare only with == and != (the States Language does not order booleans), not with '%s'", c.Op)
		}
		return a.errorf(c.Pos, "Cannot make '%s' comparison with type '<class 'bool'>'", c.Op)
	}
	return nil
}

// checkQueryLanguage sets each state's JSONata flag (its own
// query_language:, else the machine's) and checks that a state uses the
// fields of its query language (extensions; a program without
// query_language: is JSONPath throughout, as in heaviside).
func (a *analyzer) checkQueryLanguage(m *ast.Machine) error {
	machine := false
	if ql := m.QueryLanguage; ql != nil {
		if err := a.checkQL(ql.Pos, ql.Value); err != nil {
			return err
		}
		machine = ql.Value == "JSONata"
	}
	var walk func(states []*ast.State) error
	walk = func(states []*ast.State) error {
		for _, s := range states {
			s.JSONata = machine
			if ql := ext(s).QueryLanguage; ql != nil {
				if err := a.checkQL(ql.Pos, ql.Str); err != nil {
					return err
				}
				if machine && ql.Str == "JSONPath" {
					return a.errorf(ql.Pos, "a state cannot use JSONPath when the state machine's query_language is JSONata")
				}
				s.JSONata = ql.Str == "JSONata"
			}
			if err := a.checkFields(s); err != nil {
				return err
			}
			for _, b := range s.Branches {
				if err := walk(b.States); err != nil {
					return err
				}
			}
			if err := walk(s.IterStates); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(m.States)
}

func (a *analyzer) checkQL(p diag.Pos, v string) error {
	if v != "JSONata" && v != "JSONPath" {
		return a.errorf(p, "query_language must be 'JSONata' or 'JSONPath', not '%s'", v)
	}
	return nil
}

// checkFields checks that s has only the fields of its query language.
func (a *analyzer) checkFields(s *ast.State) error {
	if s.JSONata {
		for _, m := range []*ast.Modifier{s.Input, s.Result, s.Parameters, ext(s).ResultSelector, s.ItemsPath, s.Data} {
			if m != nil {
				return a.errorf(m.Pos, "%s state in JSONata cannot contain a %s modifier (a JSONPath field: JSONata states use arguments:, output: and assign:)", s.Kind, m.Kind)
			}
		}
		for _, c := range s.Catch {
			if c.Catch.ResultNull {
				return a.errorf(c.Pos, "a JSONata catcher has no ResultPath: its ': STRING' is its Output ('{%% ... %%}')")
			}
		}
		if w := s.Wait; w != nil && (w.Key == "seconds_path" || w.Key == "timestamp_path") {
			return a.errorf(w.Pos, "Wait %s is JSONPath: in JSONata write %s='{%% ... %%}'", w.Key, strings.TrimSuffix(w.Key, "_path"))
		}
		return nil
	}
	for _, m := range []*ast.Modifier{ext(s).Arguments, ext(s).Items} {
		if m != nil {
			return a.errorf(m.Pos, "%s is a JSONata field: the state needs query_language: 'JSONata'", m.Kind)
		}
	}
	if s.Output != nil && s.Output.Block {
		return a.errorf(s.Output.Pos, "an output: block is a JSONata Output: the state needs query_language: 'JSONata'")
	}
	if w := s.Wait; w != nil && w.Value.Kind != ast.NumberVal && isJSONataExpr(w.Value.Str) && (w.Key == "seconds" || w.Key == "timestamp") {
		return a.errorf(w.Pos, "a JSONata expression needs query_language: 'JSONata'")
	}
	return nil
}

// isJSONataExpr reports whether s is a JSONata expression string, {% ... %}.
func isJSONataExpr(s string) bool {
	return len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}")
}

// checkFinite applies deviation D9: heaviside writes a float literal too
// large for a double (1e999) as Infinity, which is not JSON. It runs last,
// so that only programs heaviside accepts are affected.
func (a *analyzer) checkFinite(states []*ast.State) error {
	inf := func(n ast.Number) bool { return !n.IsInt && math.IsInf(n.Float, 0) }
	var jsonInf func(v ast.JSON) bool
	jsonInf = func(v ast.JSON) bool {
		switch x := v.(type) {
		case ast.Number:
			return inf(x)
		case *ast.Object:
			for _, e := range x.Vals {
				if jsonInf(e) {
					return true
				}
			}
		case []ast.JSON:
			for _, e := range x {
				if jsonInf(e) {
					return true
				}
			}
		}
		return false
	}
	var condInf func(c *ast.Cond) *ast.Cond
	condInf = func(c *ast.Cond) *ast.Cond {
		if c.Val.Kind == ast.NumberVal && inf(c.Val.Num) {
			return c
		}
		for _, sub := range c.Subs {
			if bad := condInf(sub); bad != nil {
				return bad
			}
		}
		return nil
	}
	const msg = "number too large for JSON: heaviside would write Infinity, which AWS rejects"
	for _, s := range states {
		if s.Data != nil && jsonInf(s.Data.Data) {
			return a.errorf(s.Data.Pos, msg)
		}
		if s.Parameters != nil && s.Parameters.Params == nil && jsonInf(s.Parameters.Data) {
			return a.errorf(s.Parameters.Pos, msg)
		}
		if s.Parameters != nil && s.Parameters.Params != nil {
			for i, v := range s.Parameters.Params.Vals {
				if jsonInf(v) {
					return a.errorf(s.Parameters.Params.Keys[i].Pos, msg)
				}
			}
		}
		for _, r := range s.Retry {
			if inf(r.Retry.Backoff) {
				return a.errorf(r.Retry.BackPos, msg)
			}
		}
		for _, b := range s.Choices {
			if b.Cond != nil {
				if bad := condInf(b.Cond); bad != nil {
					return a.errorf(bad.Val.Pos, msg)
				}
			}
		}
		for _, b := range s.Branches {
			if err := a.checkFinite(b.States); err != nil {
				return err
			}
		}
		if err := a.checkFinite(s.IterStates); err != nil {
			return err
		}
	}
	return nil
}

// intLess compares two canonical non-negative decimal integers.
func intLess(x, y string) bool {
	if len(x) != len(y) {
		return len(x) < len(y)
	}
	return x < y
}

func numLess(n ast.Number, f float64) bool {
	if n.IsInt {
		return len(n.Text) == 1 && n.Text[0] < '1'
	}
	return n.Float < f
}

// ext returns s's extension fields (all nil for a state without any), for
// reading.
func ext(s *ast.State) ast.StateExt {
	if s.Ext == nil {
		return ast.StateExt{}
	}
	return *s.Ext
}
