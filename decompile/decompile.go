// Package decompile turns a States Language definition (the asl model) back
// into Heaviside DSL text: state names become docstrings (a state named
// Line<N> stays unnamed when it can be written on line N), Comments are kept,
// Choice states become if/elif/else, switch or while blocks, Parallel and Map
// states become blocks, a bare Pass state that jumps back becomes a goto, and
// Tasks become Lambda()/Activity() (for the region and account given),
// heaviside's service integrations by name, or Arn(). The text is laid out
// by package format, the printer of hsc fmt.
//
// It writes only the language hsc compiles, so that compiling the text
// gives the definition it was given (as JSON: same states, names, fields
// and values). What that language cannot express is an *Error naming the
// state and the field.
//
// It reads the asl model and the DSL's service table and writes text; it
// knows nothing about the command line or files.
package decompile

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/format"
	"github.com/hsc-dev/hsc/internal/iso8601"
	"github.com/hsc-dev/hsc/sema"
)

// Error says what in a definition the DSL cannot express.
type Error struct {
	State string // the state's name; "" for the machine itself
	Field string // the field, such as "ResultSelector" or "Choices[0].IsPresent"
	Msg   string
}

func (e *Error) Error() string {
	where := "machine"
	if e.State != "" {
		where = fmt.Sprintf("state %q", e.State)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", where, e.Msg)
}

// Option configures Decompile.
type Option func(*decompiler)

// WithRegion and WithAccountID name the region and account id the program
// will be compiled with (hsc.WithRegion, hsc.WithAccountID): a Lambda
// function or activity ARN in them is written as Lambda('name') or
// Activity('name'), other ARNs as Arn('…').
func WithRegion(region string) Option { return func(d *decompiler) { d.region = region } }

// WithAccountID: see WithRegion.
func WithAccountID(id string) Option { return func(d *decompiler) { d.account = id } }

// Decompile returns the DSL program for m, laid out by package format
// (so hsc fmt leaves it as it is).
func Decompile(m *asl.StateMachine, opts ...Option) ([]byte, error) {
	root := m.Source
	if root == nil {
		root = m.ToValue()
	}
	d := &decompiler{services: sema.LoadServices()}
	for _, o := range opts {
		o(d)
	}
	if err := d.machine(root); err != nil {
		return nil, err
	}
	out, err := format.Source(d.out.Bytes(), format.WithFilename("decompiled program"))
	if err != nil {
		return nil, fmt.Errorf("decompile: the program written does not compile (a bug): %w", err)
	}
	return out, nil
}

type decompiler struct {
	tries           int
	out             bytes.Buffer
	line            int // lines written so far
	region, account string
	services        sema.Services
}

// bail aborts decompilation with an *Error; machine recovers it.
type bail struct{ err *Error }

func fail(state, field, format string, args ...any) {
	panic(bail{&Error{State: state, Field: field, Msg: fmt.Sprintf(format, args...)}})
}

func (d *decompiler) machine(root *asl.Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	if root.Kind != asl.KindObject {
		fail("", "", "the definition is not a JSON object")
	}
	onlyKeys(root, "", "", "States", "StartAt", "Comment", "Version", "TimeoutSeconds")
	if c := root.Get("Comment"); c != nil {
		d.emit(0, quote("", "Comment", str(c, "", "Comment"), true))
	}
	if v := root.Get("Version"); v != nil {
		d.emit(0, "version: "+quote("", "Version", str(v, "", "Version"), false))
	}
	if t := root.Get("TimeoutSeconds"); t != nil {
		d.emit(0, "timeout: "+posInt(t, "", "TimeoutSeconds"))
	}
	d.branch(root, 0, "")
	return nil
}

// emit writes one line (text may hold newlines of multi-line strings).
func (d *decompiler) emit(indent int, text string) {
	d.out.WriteString(strings.Repeat("    ", indent))
	d.out.WriteString(text)
	d.out.WriteByte('\n')
	d.line += 1 + strings.Count(text, "\n")
}

// padTo adds blank lines until the next line written is line n.
func (d *decompiler) padTo(n int) {
	for d.line+1 < n {
		d.out.WriteByte('\n')
		d.line++
	}
}

// branch holds the states of one state list (the machine, a Parallel
// branch, a Map iterator).
type branch struct {
	d       *decompiler
	where   string // owner state for messages
	order   []string
	states  map[string]*asl.Value
	done    map[string]bool
	refs    map[string]int
	index   map[string]int       // position in order
	journal []string             // states marked done, in order, for undoing
	ipdom   [2]map[string]string // immediate post-dominators; [0]: Succeed and Fail end nothing, [1]: Succeed ends the machine
	sync    string               // the sync parameter of the Task being written ("" for none)
}

const (
	exit    = "\x00end"
	handled = "\x00handled"
	// maxTries bounds the layouts tried for the Choice states of one
	// definition (each if may be written in a few ways).
	maxTries = 20000
)

func (d *decompiler) branch(v *asl.Value, indent int, owner string) {
	sv := v.Get("States")
	if sv == nil || sv.Kind != asl.KindObject || len(sv.Members) == 0 {
		fail(owner, "States", "a branch needs at least one state")
	}
	b := &branch{d: d, where: owner, states: map[string]*asl.Value{}, done: map[string]bool{}, refs: map[string]int{}, index: map[string]int{}}
	for _, m := range sv.Members {
		if m.Value.Kind != asl.KindObject {
			fail(m.Key, "", "a state must be a JSON object")
		}
		b.index[m.Key] = len(b.order)
		b.order = append(b.order, m.Key)
		b.states[m.Key] = m.Value
	}
	start := str(v.Get("StartAt"), owner, "StartAt")
	if b.states[start] == nil {
		fail(owner, "StartAt", "no state %q", start)
	}
	for _, n := range b.order {
		for _, t := range successors(b.states[n]) {
			if n == t+"Loop" && isLoopPass(b.states[n], t) {
				continue // a while's own jump back
			}
			b.refs[t]++
		}
	}
	b.ipdom[0] = b.postDominators(false)
	b.ipdom[1] = b.postDominators(true)
	b.chain(start, "", indent)
	for _, n := range b.order {
		if !b.done[n] {
			fail(n, "", "the state cannot be placed: it is not reached the way the DSL links states")
		}
	}
}

// successors lists the states s can go to (exit for End).
func successors(s *asl.Value) []string { return succ(s, false) }

func succ(s *asl.Value, succeedExits bool) []string {
	var out []string
	add := func(v *asl.Value) {
		if v != nil && v.Kind == asl.KindString {
			out = append(out, v.Str)
		}
	}
	add(s.Get("Next"))
	add(s.Get("Default"))
	if cs := s.Get("Choices"); cs != nil {
		for _, c := range cs.Elems {
			add(c.Get("Next"))
		}
	}
	if cs := s.Get("Catch"); cs != nil {
		for _, c := range cs.Elems {
			add(c.Get("Next"))
		}
	}
	if e := s.Get("End"); e != nil && e.Kind == asl.KindBool && e.Bool {
		out = append(out, exit)
	}
	if t := s.Get("Type"); succeedExits && t != nil && t.Str == "Succeed" {
		out = append(out, exit)
	}
	return out
}

// postDominators computes the immediate post-dominator of every state:
// the nearest state every path from it to the end passes through. Paths
// that end in a Fail state (and, unless succeedExits, a Succeed state) do
// not count, so a branch that fails does not pull the join of an if away;
// a state from which no path counts has none. It is the dominator
// algorithm of Cooper, Harvey and Kennedy on the reversed graph.
func (b *branch) postDominators(succeedExits bool) map[string]string {
	preds := map[string][]string{} // in the reversed graph: successors
	for _, n := range b.order {
		for _, t := range succ(b.states[n], succeedExits) {
			preds[t] = append(preds[t], n)
		}
	}
	// postorder of the reversed graph from exit (iterative DFS)
	var post []string
	seen := map[string]bool{exit: true}
	type frame struct {
		n string
		i int
	}
	stack := []frame{{exit, 0}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.i < len(preds[f.n]) {
			p := preds[f.n][f.i]
			f.i++
			if !seen[p] {
				seen[p] = true
				stack = append(stack, frame{p, 0})
			}
			continue
		}
		post = append(post, f.n)
		stack = stack[:len(stack)-1]
	}
	num := make(map[string]int, len(post))
	for i, n := range post {
		num[n] = i
	}
	idom := map[string]string{exit: exit}
	intersect := func(a, c string) string {
		for a != c {
			for num[a] < num[c] {
				a = idom[a]
			}
			for num[c] < num[a] {
				c = idom[c]
			}
		}
		return a
	}
	for changed := true; changed; {
		changed = false
		for i := len(post) - 2; i >= 0; i-- { // reverse postorder, exit first
			n := post[i]
			nd := ""
			for _, t := range succ(b.states[n], succeedExits) {
				if _, ok := idom[t]; !ok {
					continue
				}
				if nd == "" {
					nd = t
				} else {
					nd = intersect(t, nd)
				}
			}
			if nd != "" && idom[n] != nd {
				idom[n] = nd
				changed = true
			}
		}
	}
	delete(idom, exit)
	return idom
}

// join returns the nearest state after n, other than those in skip, that
// every counted path from n reaches (exit for the end), or "" when there
// is none.
func (b *branch) join(v int, n string, skip map[string]bool) string {
	j, ok := b.ipdom[v][n]
	for ok && j != exit && skip[j] {
		j, ok = b.ipdom[v][j]
	}
	if !ok {
		return ""
	}
	return j
}

var lineName = regexp.MustCompile(`^Line([1-9][0-9]*)$`)

// header writes a state's first line, named as the DSL names it: the
// docstring (returned, to be written inside the block) or, for a state
// named Line<N> without a comment, nothing when the line can be line N.
func (b *branch) header(name string, s *asl.Value, indent int, text string) (doc string) {
	comment := s.Get("Comment")
	if m := lineName.FindStringSubmatch(name); m != nil && comment == nil {
		n, _ := strconv.Atoi(m[1])
		if b.d.line+1 <= n {
			b.d.padTo(n)
			b.d.emit(indent, text)
			return ""
		}
	}
	b.d.emit(indent, text)
	return docstring(name, s)
}

func docstring(name string, s *asl.Value) string {
	if name == "" || strings.TrimFunc(name, isPySpace) != name || strings.ContainsAny(name, "\n\r") {
		fail(name, "", "the name cannot be written as a docstring (empty, or with leading or trailing white space)")
	}
	text := name
	if c := s.Get("Comment"); c != nil {
		cs := str(c, name, "Comment")
		for _, l := range strings.Split(cs, "\n") {
			if strings.TrimFunc(l, isPySpace) != l {
				fail(name, "Comment", "a comment line with leading or trailing white space cannot be written")
			}
		}
		text += "\n" + cs
	}
	return quote(name, "Comment", text, true)
}

func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// chain writes the states from name on, following Next, until the state
// whose Next is cont ("" for End).
func (b *branch) chain(name, cont string, indent int) {
	for name != "" && name != cont {
		if b.done[name] {
			fail(name, "", "reached a second time: the DSL cannot jump here without an extra goto state")
		}
		s := b.states[name]
		if s == nil {
			fail(b.where, "Next", "no state %q", name)
		}
		b.mark(name)
		next, stopped := b.state(name, s, cont, indent)
		if next == handled {
			return // the Choice wrote the rest of the chain
		}
		if stopped {
			// A state that does not fall through (Succeed, Fail, goto)
			// may be followed by states nothing reaches, as in the
			// source heaviside compiled.
			next = b.unreached(name)
			if next == "" {
				return
			}
		}
		name = next
	}
}

// successor returns the state after name in document order.
func (b *branch) successor(name string) string {
	if i, ok := b.index[name]; ok && i+1 < len(b.order) {
		return b.order[i+1]
	}
	return ""
}

// unreached returns the state after name in document order when nothing
// refers to it and it is not written yet.
func (b *branch) unreached(name string) string {
	if m := b.successor(name); m != "" && !b.done[m] && b.refs[m] == 0 {
		return m
	}
	return ""
}

// mark records that name is written.
func (b *branch) mark(name string) {
	b.done[name] = true
	b.journal = append(b.journal, name)
}

func typ(name string, s *asl.Value) string { return str(s.Get("Type"), name, "Type") }

// state writes one state and returns the state that follows it in the
// chain; stopped when it does not fall through.
func (b *branch) state(name string, s *asl.Value, cont string, indent int) (next string, stopped bool) {
	t := typ(name, s)
	common := []string{"Type", "Comment", "Next", "End"}
	var head string
	switch t {
	case "Pass":
		if isGoto(name, s) && s.Get("Next").Str != cont && (b.done[s.Get("Next").Str] || s.Get("Next").Str != b.successor(name)) {
			n, _ := strconv.Atoi(lineName.FindStringSubmatch(name)[1])
			if b.d.line+1 > n {
				fail(name, "", "a goto state is named after its line, and line %d is already written", n)
			}
			b.d.padTo(n)
			b.d.emit(indent, "goto "+quote(name, "Next", s.Get("Next").Str, false))
			return "", true
		}
		onlyKeys(s, name, "", append(common, "InputPath", "ResultPath", "OutputPath", "Result", "Parameters")...)
		head = "Pass()"
	case "Succeed":
		onlyKeys(s, name, "", append(common, "InputPath", "OutputPath")...)
		head = "Success()"
	case "Fail":
		onlyKeys(s, name, "", append(common, "Error", "Cause")...)
		if s.Get("Error") == nil || s.Get("Cause") == nil {
			field := "Error"
			if s.Get("Error") != nil {
				field = "Cause"
			}
			fail(name, field, "a Fail state without %s cannot be written (Fail('error', 'cause') takes both)", field)
		}
		head = "Fail(" + quote(name, "Error", str(s.Get("Error"), name, "Error"), false) + ", " + quote(name, "Cause", str(s.Get("Cause"), name, "Cause"), false) + ")"
	case "Wait":
		onlyKeys(s, name, "", append(common, "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath")...)
		switch {
		case s.Has("Seconds"):
			head = "Wait(seconds=" + posInt(s.Get("Seconds"), name, "Seconds") + ")"
		case s.Has("Timestamp"):
			head = "Wait(timestamp=" + quote(name, "Timestamp", str(s.Get("Timestamp"), name, "Timestamp"), false) + ")"
		case s.Has("SecondsPath"):
			head = "Wait(seconds_path=" + quote(name, "SecondsPath", str(s.Get("SecondsPath"), name, "SecondsPath"), false) + ")"
		case s.Has("TimestampPath"):
			head = "Wait(timestamp_path=" + quote(name, "TimestampPath", str(s.Get("TimestampPath"), name, "TimestampPath"), false) + ")"
		default:
			fail(name, "Seconds", "a Wait state needs Seconds, Timestamp, SecondsPath or TimestampPath")
		}
	case "Task":
		onlyKeys(s, name, "", append(common, "TimeoutSeconds", "HeartbeatSeconds", "InputPath", "ResultPath", "OutputPath", "Resource", "Parameters", "Retry", "Catch")...)
		res := str(s.Get("Resource"), name, "Resource")
		if !strings.HasPrefix(res, "arn:aws:") {
			fail(name, "Resource", "only resources starting with 'arn:aws:' can be written")
		}
		head, b.sync = b.d.taskHead(name, s, res)
		if h := s.Get("HeartbeatSeconds"); h != nil {
			hv, _ := h.Float64()
			limit := 60.0
			if to := s.Get("TimeoutSeconds"); to != nil {
				limit, _ = to.Float64()
			}
			if hv >= limit {
				fail(name, "HeartbeatSeconds", "the DSL requires the heartbeat to be below the timeout (60 when not given)")
			}
		}
	case "Choice":
		onlyKeys(s, name, "", append(common, "InputPath", "OutputPath", "Choices", "Default")...)
		return b.choice(name, s, cont, indent)
	case "Parallel":
		onlyKeys(s, name, "", append(common, "InputPath", "ResultPath", "OutputPath", "Branches", "Retry", "Catch")...)
		return b.parallel(name, s, cont, indent)
	case "Map":
		onlyKeys(s, name, "", append(common, "InputPath", "ResultPath", "OutputPath", "Parameters", "Retry", "Catch", "Iterator", "ItemsPath", "MaxConcurrency")...)
		head = "map:"
	default:
		fail(name, "Type", "unknown state type %q", t)
	}
	doc := ""
	if t == "Map" {
		doc = b.header(name, s, indent, head)
		if doc == "" && lineName.MatchString(name) && s.Get("Comment") == nil {
			// named by its line already
		}
	} else {
		doc = b.header(name, s, indent, head)
	}
	next, stopped = b.link(name, s, cont)
	body := indent + 1
	if doc != "" {
		b.d.emit(body, doc)
	}
	if t == "Map" {
		it := s.Get("Iterator")
		if it == nil {
			fail(name, "Iterator", "a Map state needs an Iterator")
		}
		onlyKeys(it, name, "Iterator.", "States", "StartAt")
		b.d.emit(body, "iterator:")
		b.d.branch(it, body+1, name)
	}
	b.modifiers(name, s, body, next)
	return next, stopped
}

// taskHead writes a Task's call: Lambda('f') or Activity('a') for an ARN
// in the region and account the program will be compiled for, a service
// integration heaviside lists (DynamoDB.GetItem(), with the sync
// parameter where the Resource needs it) when its Parameters are what
// heaviside accepts, Arn('…') otherwise.
func (d *decompiler) taskHead(name string, s *asl.Value, res string) (head, sync string) {
	if !s.Has("Parameters") {
		for _, f := range [...]struct{ call, prefix string }{
			{"Lambda", "arn:aws:lambda:" + d.region + ":" + d.account + ":function:"},
			{"Activity", "arn:aws:states:" + d.region + ":" + d.account + ":activity:"},
		} {
			if fn, ok := strings.CutPrefix(res, f.prefix); ok && fn != "" {
				return f.call + "(" + quote(name, "Resource", fn, false) + ")", ""
			}
		}
	}
	if call, sync, ok := d.serviceCall(s, res); ok {
		return call, sync
	}
	return "Arn(" + quote(name, "Resource", res, false) + ")", ""
}

// serviceCall finds the heaviside service integration that compiles to
// res with s's Parameters; sync is the value of the sync parameter it
// needs ("" for none).
func (d *decompiler) serviceCall(s *asl.Value, res string) (call, sync string, ok bool) {
	rest, ok := strings.CutPrefix(res, "arn:aws:states:::")
	if !ok {
		return "", "", false
	}
	svcLower, fn, ok := strings.Cut(rest, ":")
	if !ok {
		return "", "", false
	}
	isSync := strings.HasSuffix(fn, ".sync")
	fn = strings.TrimSuffix(fn, ".sync")
	for svc, fns := range d.services {
		if strings.ToLower(svc) != svcLower {
			continue
		}
		for fname, f := range fns {
			if f.Resource != fn {
				continue
			}
			p := s.Get("Parameters")
			if p != nil && (p.Kind != asl.KindObject || len(p.Members) == 0) {
				return "", "", false
			}
			required := map[string]bool{}
			for _, r := range f.Required {
				required[r] = true
			}
			if p != nil {
				for _, m := range p.Members {
					k := strings.TrimSuffix(m.Key, ".$")
					switch {
					case k == "sync" || !identifier.MatchString(k):
						return "", "", false
					case required[k]:
						delete(required, k)
					case !slices.Contains(f.Optional, k):
						return "", "", false
					}
				}
			}
			if len(required) > 0 {
				return "", "", false
			}
			call = svc + "." + fname + "()"
			if def := f.Sync != nil && *f.Sync; isSync != def {
				sync = strconv.FormatBool(isSync) // the last parameter
			}
			return call, sync, true
		}
	}
	return "", "", false
}

// isGoto reports whether s is what a goto compiles to.
func isGoto(name string, s *asl.Value) bool {
	if !lineName.MatchString(name) || len(s.Members) != 2 {
		return false
	}
	n := s.Get("Next")
	return n != nil && n.Kind == asl.KindString
}

// link checks a falling-through state's transition against where the DSL
// would link it and returns the next state of the chain.
func (b *branch) link(name string, s *asl.Value, cont string) (string, bool) {
	t := typ(name, s)
	if t == "Succeed" || t == "Fail" {
		return "", true
	}
	if e := s.Get("End"); e != nil {
		if e.Kind != asl.KindBool || !e.Bool {
			fail(name, "End", "End must be true")
		}
		if cont != "" {
			fail(name, "End", "the state ends the machine inside a block that continues; the DSL cannot write that")
		}
		return "", false
	}
	n := s.Get("Next")
	if n == nil {
		fail(name, "Next", "the state has neither Next nor End")
	}
	next := str(n, name, "Next")
	if next == cont {
		return next, false
	}
	if b.done[next] {
		fail(name, "Next", "goes back to %q, which the DSL can only write with an extra goto state", next)
	}
	return next, false
}

// modifiers writes the indented modifiers of a state; cont is where its
// catch handlers continue.
func (b *branch) modifiers(name string, s *asl.Value, indent int, cont string) {
	for _, m := range s.Members {
		v := m.Value
		switch m.Key {
		case "TimeoutSeconds":
			b.d.emit(indent, "timeout: "+posInt(v, name, m.Key))
		case "HeartbeatSeconds":
			b.d.emit(indent, "heartbeat: "+posInt(v, name, m.Key))
		case "InputPath", "ResultPath", "OutputPath":
			if typ(name, s) == "Parallel" || typ(name, s) == "Choice" {
				continue // in transform:
			}
			b.d.emit(indent, pathWord(m.Key)+": "+quote(name, m.Key, str(v, name, m.Key), false))
		case "Result":
			b.d.emit(indent, "data:")
			b.d.emit(indent+1, jsonText(name, m.Key, v))
		case "Parameters":
			b.params(name, v, indent, b.sync)
			b.sync = ""
		case "ItemsPath":
			b.d.emit(indent, "items_path: "+quote(name, m.Key, str(v, name, m.Key), false))
		case "MaxConcurrency":
			b.d.emit(indent, "max_concurrency: "+nnInt(v, name, m.Key))
		}
	}
	if b.sync != "" {
		b.d.emit(indent, "parameters:")
		b.d.emit(indent+1, "sync: "+b.sync)
		b.sync = ""
	}
	if typ(name, s) == "Parallel" {
		return
	}
	b.errorMods(name, s, indent, cont)
}

func pathWord(key string) string {
	switch key {
	case "InputPath":
		return "input"
	case "ResultPath":
		return "result"
	}
	return "output"
}

func (b *branch) errorMods(name string, s *asl.Value, indent int, cont string) {
	if r := s.Get("Retry"); r != nil {
		for i, e := range r.Elems {
			f := fmt.Sprintf("Retry[%d]", i)
			onlyKeys(e, name, f+".", "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate")
			for _, k := range []string{"IntervalSeconds", "MaxAttempts", "BackoffRate"} {
				if !e.Has(k) {
					fail(name, f+"."+k, "the DSL's retry writes IntervalSeconds, MaxAttempts and BackoffRate, so each must be given")
				}
			}
			back := number(e.Get("BackoffRate"), name, f+".BackoffRate")
			if bv, _ := e.Get("BackoffRate").Float64(); bv < 1 {
				fail(name, f+".BackoffRate", "the DSL requires a backoff rate of at least 1.0")
			}
			b.d.emit(indent, "retry "+errorList(e, name, f)+" "+posInt(e.Get("IntervalSeconds"), name, f+".IntervalSeconds")+" "+nnInt(e.Get("MaxAttempts"), name, f+".MaxAttempts")+" "+back)
		}
	}
	if c := s.Get("Catch"); c != nil {
		for i, e := range c.Elems {
			f := fmt.Sprintf("Catch[%d]", i)
			onlyKeys(e, name, f+".", "ErrorEquals", "Next", "ResultPath")
			line := "catch " + errorList(e, name, f) + ":"
			if rp := e.Get("ResultPath"); rp != nil {
				line += " " + quote(name, f+".ResultPath", str(rp, name, f+".ResultPath"), false)
			}
			b.d.emit(indent, line)
			target := str(e.Get("Next"), name, f+".Next")
			if target == cont || b.done[target] {
				fail(name, f+".Next", "the handler %q is not a block of its own; the DSL cannot point a catch at an existing state", target)
			}
			b.chain(target, cont, indent+1)
		}
	}
}

func errorList(e *asl.Value, name, f string) string {
	ee := e.Get("ErrorEquals")
	if ee == nil || ee.Kind != asl.KindArray || len(ee.Elems) == 0 {
		fail(name, f+".ErrorEquals", "needs at least one error name")
	}
	parts := make([]string, len(ee.Elems))
	for i, x := range ee.Elems {
		parts[i] = quote(name, f+".ErrorEquals", str(x, name, f+".ErrorEquals"), false)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (b *branch) params(name string, v *asl.Value, indent int, sync string) {
	if v.Kind != asl.KindObject || len(v.Members) == 0 {
		fail(name, "Parameters", "the DSL writes Parameters as a non-empty block of key: value lines")
	}
	b.d.emit(indent, "parameters:")
	for _, m := range v.Members {
		k := strings.TrimSuffix(m.Key, ".$")
		if !identifier.MatchString(k) {
			fail(name, "Parameters."+m.Key, "a parameter key must be a name (letters, digits, _), optionally followed by .$")
		}
		b.d.emit(indent+1, m.Key+": "+jsonText(name, "Parameters."+m.Key, m.Value))
	}
	if sync != "" {
		b.d.emit(indent+1, "sync: "+sync)
	}
}

// parallel writes a Parallel state; its name goes into the first block.
func (b *branch) parallel(name string, s *asl.Value, cont string, indent int) (string, bool) {
	brs := s.Get("Branches")
	if brs == nil || brs.Kind != asl.KindArray || len(brs.Elems) == 0 {
		fail(name, "Branches", "a Parallel state needs at least one branch")
	}
	doc := b.header(name, s, indent, "parallel:")
	next, stopped := b.link(name, s, cont)
	for i, br := range brs.Elems {
		if i > 0 {
			b.d.emit(indent, "parallel:")
		} else if doc != "" {
			b.d.emit(indent+1, doc)
		}
		onlyKeys(br, name, fmt.Sprintf("Branches[%d].", i), "States", "StartAt")
		b.d.branch(br, indent+1, name)
	}
	b.transform(name, s, indent, "InputPath", "ResultPath", "OutputPath")
	if s.Has("Retry") || s.Has("Catch") {
		b.d.emit(indent, "error:")
		b.errorMods(name, s, indent+1, next)
	}
	return next, stopped
}

func (b *branch) transform(name string, s *asl.Value, indent int, keys ...string) {
	first := true
	for _, k := range keys {
		if v := s.Get(k); v != nil {
			if first {
				b.d.emit(indent, "transform:")
				first = false
			}
			b.d.emit(indent+1, pathWord(k)+": "+quote(name, k, str(v, name, k), false))
		}
	}
}

// choice writes a Choice state as a while loop or an if/elif/else.
func (b *branch) choice(name string, s *asl.Value, cont string, indent int) (string, bool) {
	cs := s.Get("Choices")
	if cs == nil || cs.Kind != asl.KindArray || len(cs.Elems) == 0 {
		fail(name, "Choices", "a Choice state without rules cannot be written")
	}
	def := ""
	if dv := s.Get("Default"); dv != nil {
		def = str(dv, name, "Default")
	}
	conds := make([]string, len(cs.Elems))
	targets := make([]string, len(cs.Elems))
	for i, r := range cs.Elems {
		f := fmt.Sprintf("Choices[%d]", i)
		onlyKeysRule(r, name, f, true)
		conds[i] = cond(r, name, f, false)
		targets[i] = str(r.Get("Next"), name, f+".Next")
	}
	if def == "" {
		fail(name, "Default", "heaviside's DSL always writes a Default")
	}
	loop := name + "Loop"
	if len(conds) == 1 {
		if l := b.states[loop]; l != nil && !b.done[loop] && isLoopPass(l, name) {
			// while: the body ends in <name>Loop, which jumps back.
			doc := b.header(name, s, indent, "while "+conds[0]+":")
			if doc != "" {
				b.d.emit(indent+1, doc)
			}
			b.mark(loop)
			b.chain(targets[0], loop, indent+1)
			b.transform(name, s, indent, "InputPath", "OutputPath")
			return b.after(name, def, cont)
		}
	}
	skip := map[string]bool{}
	for _, t := range targets {
		skip[t] = true
	}
	type plan struct {
		hasElse bool
		j       string
	}
	var plans []plan
	dn := name + "Default"
	if def == dn && cont == "" && !b.done[dn] && isBareSucceed(b.states[dn]) {
		// heaviside's own Default of an if that ends its branch
		plans = append(plans, plan{false, ""})
	}
	for v := range b.ipdom {
		j := b.join(v, name, skip)
		switch {
		case j == exit && cont != "":
			// a branch that succeeds inside a block that continues
			plans = append(plans, plan{true, cont})
		case j == exit:
			plans = append(plans, plan{true, ""})
		case j == "" || j == def || (j != cont && b.done[j]):
			// no join (every branch fails), or the default is the join:
			// an if without else, whose Default is the state after it.
			plans = append(plans, plan{false, def})
		default:
			plans = append(plans, plan{true, j})
		}
	}
	plans = append(plans, plan{false, def}, plan{true, cont})
	base := len(plans)
	var first *Error
	furthest := 0
	for i := 0; i < len(plans); i++ {
		pl := plans[i]
		if i == base-1 {
			// Then any state two of the branches meet at, nearest
			// first in document order (computed only when needed).
			for _, j := range b.meetings(append(slices.Clone(targets), def), 3) {
				plans = append(plans, plan{true, j})
			}
		}
		if slices.Index(plans, pl) < i {
			continue // tried already
		}
		if b.d.tries++; b.d.tries > maxTries {
			fail(name, "", "too many ways to lay out the Choice states were tried")
		}
		snap := b.snapshot()
		err := b.tryIf(name, s, cont, indent, conds, targets, def, pl.hasElse, pl.j)
		if err == nil {
			return handled, true
		}
		// Report the layout that got furthest: its error is the one
		// that names what really cannot be written.
		if first == nil || b.d.out.Len() > furthest {
			first, furthest = err, b.d.out.Len()
		}
		b.restore(snap)
	}
	panic(bail{first})
}

// meetings returns up to n states (not yet written) that at least two of
// starts reach, in document order.
func (b *branch) meetings(starts []string, n int) []string {
	count := map[string]int{}
	for _, st := range starts {
		seen := map[string]bool{st: true}
		todo := []string{st}
		for len(todo) > 0 {
			x := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if x != st {
				count[x]++
			}
			if s := b.states[x]; s != nil {
				for _, t := range successors(s) {
					if !seen[t] && !b.done[t] {
						seen[t] = true
						todo = append(todo, t)
					}
				}
			}
		}
	}
	isStart := map[string]bool{}
	for _, st := range starts {
		isStart[st] = true
	}
	var out []string
	for _, x := range b.order {
		if count[x] >= 2 && !isStart[x] && len(out) < n {
			out = append(out, x)
		}
	}
	return out
}

type snapshot struct{ size, line, marks int }

func (b *branch) snapshot() snapshot {
	return snapshot{b.d.out.Len(), b.d.line, len(b.journal)}
}

func (b *branch) restore(s snapshot) {
	b.d.out.Truncate(s.size)
	b.d.line = s.line
	for _, n := range b.journal[s.marks:] {
		delete(b.done, n)
	}
	b.journal = b.journal[:s.marks]
}

// tryIf writes the Choice as if/elif[/else] whose blocks continue with j.
// It then writes the rest of the chain, so that a layout that fails
// later is undone and the next one tried.
func (b *branch) tryIf(name string, s *asl.Value, cont string, indent int, conds, targets []string, def string, hasElse bool, j string) (err *Error) {
	defer func() {
		if r := recover(); r != nil {
			bl, ok := r.(bail)
			if !ok {
				panic(r)
			}
			err = bl.err
		}
	}()
	if !hasElse && j == "" {
		b.mark(name + "Default")
	}
	if j != cont && j != "" && b.done[j] {
		fail(name, "Default", "the state after the Choice was already written")
	}
	if variable, cases, ok := switchCases(name, s, conds); ok {
		// switch: every rule compares one variable for equality
		if doc := b.header(name, s, indent, "switch "+variable+":"); doc != "" {
			b.d.emit(indent+1, doc)
		}
		for i, c := range cases {
			b.d.emit(indent+1, "case "+c+":")
			b.block(name, fmt.Sprintf("Choices[%d].Next", i), targets[i], j, indent+2)
		}
		if hasElse {
			b.d.emit(indent+1, "default:")
			b.block(name, "Default", def, j, indent+2)
		}
	} else {
		var doc string
		for i := range conds {
			if i == 0 {
				doc = b.header(name, s, indent, "if "+conds[i]+":")
				if doc != "" {
					b.d.emit(indent+1, doc)
				}
			} else {
				b.d.emit(indent, "elif "+conds[i]+":")
			}
			b.block(name, fmt.Sprintf("Choices[%d].Next", i), targets[i], j, indent+1)
		}
		if hasElse {
			b.d.emit(indent, "else:")
			b.block(name, "Default", def, j, indent+1)
		}
	}
	b.transform(name, s, indent, "InputPath", "OutputPath")
	if j == "" {
		// every branch ends the machine or fails
		if next := b.unreached(name); next != "" {
			b.chain(next, cont, indent)
		}
		return nil
	}
	b.chain(j, cont, indent)
	return nil
}

// switchCases returns the variable and the case values when the Choice
// has at least two rules and each compares the same variable for equality
// (a switch compiles to exactly the rules of the if/elif it stands for).
func switchCases(name string, s *asl.Value, conds []string) (variable string, cases []string, ok bool) {
	if len(conds) < 2 {
		return "", nil, false
	}
	for i, r := range s.Get("Choices").Elems {
		v := r.Get("Variable")
		if v == nil || v.Kind != asl.KindString || len(r.Members) != 3 || !r.Has("Next") {
			return "", nil, false
		}
		q := quote(name, "Variable", v.Str, false)
		if i == 0 {
			variable = q
		}
		lit, found := strings.CutPrefix(conds[i], variable+" == ")
		if q != variable || !found {
			return "", nil, false
		}
		cases = append(cases, lit)
	}
	return variable, cases, true
}

func (b *branch) block(owner, field, start, cont string, indent int) {
	if start == cont || b.done[start] {
		fail(owner, field, "the branch has no states of its own (it goes straight to %q); the DSL needs at least one state in a block", start)
	}
	b.chain(start, cont, indent)
}

// after continues the chain after a while with its Default.
func (b *branch) after(name, def, cont string) (string, bool) {
	dn := name + "Default"
	if def == dn && cont == "" && !b.done[dn] {
		if isBareSucceed(b.states[dn]) {
			b.mark(dn)
			return "", true
		}
	}
	if def == cont {
		return def, false
	}
	if b.done[def] {
		fail(name, "Default", "goes back to %q", def)
	}
	return def, false
}

func isBareSucceed(d *asl.Value) bool {
	return d != nil && len(d.Members) == 1 && d.Get("Type") != nil && d.Get("Type").Str == "Succeed"
}

func isLoopPass(l *asl.Value, target string) bool {
	if len(l.Members) != 2 || l.Get("Type") == nil || l.Get("Type").Str != "Pass" {
		return false
	}
	n := l.Get("Next")
	return n != nil && n.Kind == asl.KindString && n.Str == target
}

func onlyKeysRule(r *asl.Value, name, f string, top bool) {
	if r.Kind != asl.KindObject {
		fail(name, f, "a rule must be an object")
	}
	for _, m := range r.Members {
		switch m.Key {
		case "Next":
			if !top {
				fail(name, f+".Next", "only top-level rules have Next")
			}
		case "And", "Or", "Not", "Variable":
		default:
			if _, ok := comparators[m.Key]; !ok {
				fail(name, f+"."+m.Key, "the DSL's conditions cannot express %s", m.Key)
			}
		}
	}
}

var comparators = map[string][2]string{}

func init() {
	ops := []string{"Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"}
	syms := []string{"==", "<", ">", "<=", ">="}
	for _, t := range []string{"String", "Numeric", "Timestamp"} {
		for i, o := range ops {
			comparators[t+o] = [2]string{t, syms[i]}
		}
	}
	comparators["BooleanEquals"] = [2]string{"Boolean", "=="}
}

// cond writes a rule as a DSL condition; nested tells whether it sits
// inside and/or, where a sub-combination needs parentheses.
func cond(r *asl.Value, name, f string, nested bool) string {
	onlyKeysRule(r, name, f, !nested && r.Has("Next"))
	switch {
	case r.Has("And") || r.Has("Or"):
		key, word := "And", " and "
		if r.Has("Or") {
			key, word = "Or", " or "
		}
		subs := r.Get(key)
		if subs.Kind != asl.KindArray || len(subs.Elems) < 2 || len(r.Members) > 2 || (len(r.Members) == 2 && !r.Has("Next")) {
			fail(name, f+"."+key, "the DSL writes %s with at least two rules and nothing else", key)
		}
		parts := make([]string, len(subs.Elems))
		for i, sub := range subs.Elems {
			parts[i] = cond(sub, name, fmt.Sprintf("%s.%s[%d]", f, key, i), true)
		}
		out := strings.Join(parts, word)
		if nested {
			out = "(" + out + ")"
		}
		return out
	case r.Has("Not"):
		sub := cond(r.Get("Not"), name, f+".Not", true)
		return "not " + sub
	}
	v := r.Get("Variable")
	if v == nil {
		fail(name, f, "a rule needs Variable, And, Or or Not")
	}
	variable := quote(name, f+".Variable", str(v, name, f+".Variable"), false)
	for _, m := range r.Members {
		c, ok := comparators[m.Key]
		if !ok {
			continue
		}
		val := m.Value
		var lit string
		switch c[0] {
		case "String":
			s := str(val, name, f+"."+m.Key)
			if iso8601.Parses(s) {
				fail(name, f+"."+m.Key, "the DSL compares a timestamp-like string %q as a timestamp, not as a string", s)
			}
			lit = quote(name, f+"."+m.Key, s, false)
		case "Timestamp":
			s := str(val, name, f+"."+m.Key)
			if !iso8601.Parses(s) {
				fail(name, f+"."+m.Key, "the DSL only compares strings it reads as timestamps as timestamps")
			}
			lit = quote(name, f+"."+m.Key, s, false)
		case "Numeric":
			lit = number(val, name, f+"."+m.Key)
		case "Boolean":
			if val.Kind != asl.KindBool {
				fail(name, f+"."+m.Key, "must be a boolean")
			}
			lit = "false"
			if val.Bool {
				lit = "true"
			}
		}
		return variable + " " + c[1] + " " + lit
	}
	fail(name, f, "a rule needs a comparison")
	return ""
}

// onlyKeys fails on the first member of v that is not allowed.
func onlyKeys(v *asl.Value, state, prefix string, allowed ...string) {
	if v.Kind != asl.KindObject {
		fail(state, strings.TrimSuffix(prefix, "."), "must be a JSON object")
	}
	for _, m := range v.Members {
		ok := false
		for _, a := range allowed {
			if m.Key == a {
				ok = true
				break
			}
		}
		if !ok {
			fail(state, prefix+m.Key, "heaviside's DSL cannot express this field")
		}
	}
}

func str(v *asl.Value, state, field string) string {
	if v != nil && v.Kind == asl.KindNull {
		fail(state, field, "null cannot be written: the DSL writes a string here")
	}
	if v == nil || v.Kind != asl.KindString {
		fail(state, field, "must be a string")
	}
	return v.Str
}

func posInt(v *asl.Value, state, field string) string {
	n, ok := v.Int64()
	if !ok || v.Kind != asl.KindNumber || n <= 0 || strings.ContainsAny(v.Str, ".eE") {
		fail(state, field, "the DSL writes a positive integer here")
	}
	return strconv.FormatInt(n, 10)
}

func nnInt(v *asl.Value, state, field string) string {
	n, ok := v.Int64()
	if !ok || v.Kind != asl.KindNumber || n < 0 || strings.ContainsAny(v.Str, ".eE") {
		fail(state, field, "the DSL writes a non-negative integer here")
	}
	return strconv.FormatInt(n, 10)
}

func number(v *asl.Value, state, field string) string {
	if v == nil || v.Kind != asl.KindNumber {
		fail(state, field, "must be a number")
	}
	if strings.HasPrefix(v.Str, "-") {
		fail(state, field, "the DSL has no negative numbers")
	}
	return v.Str
}

// jsonText writes a JSON value in the DSL's JSON syntax.
func jsonText(state, field string, v *asl.Value) string {
	var sb strings.Builder
	var walk func(v *asl.Value, f string)
	walk = func(v *asl.Value, f string) {
		switch v.Kind {
		case asl.KindNull:
			sb.WriteString("null")
		case asl.KindBool:
			if v.Bool {
				sb.WriteString("true")
			} else {
				sb.WriteString("false")
			}
		case asl.KindNumber:
			sb.WriteString(number(v, state, f))
		case asl.KindString:
			sb.WriteString(quote(state, f, v.Str, false))
		case asl.KindArray:
			sb.WriteByte('[')
			for i, e := range v.Elems {
				if i > 0 {
					sb.WriteString(", ")
				}
				walk(e, fmt.Sprintf("%s[%d]", f, i))
			}
			sb.WriteByte(']')
		case asl.KindObject:
			sb.WriteByte('{')
			for i, m := range v.Members {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString(quote(state, f+"."+m.Key, m.Key, false))
				sb.WriteString(": ")
				walk(m.Value, f+"."+m.Key)
			}
			sb.WriteByte('}')
		}
	}
	walk(v, field)
	return sb.String()
}

// quote writes s as a DSL string literal. DSL strings are raw (a
// backslash stays a backslash), so a quote character inside must be
// avoided by choosing the other quotes; triple quotes hold newlines.
func quote(state, field, s string, triple bool) string {
	if strings.ContainsRune(s, '\r') {
		fail(state, field, "a carriage return cannot be written in a DSL string")
	}
	if strings.HasSuffix(s, `\`) {
		fail(state, field, "a string ending in a backslash cannot be written in a DSL string (strings are raw)")
	}
	if !triple && !strings.Contains(s, "\n") {
		if !strings.Contains(s, "'") {
			return "'" + s + "'"
		}
		if !strings.Contains(s, `"`) {
			return `"` + s + `"`
		}
	}
	for _, q := range []string{`"""`, `'''`} {
		if !strings.Contains(s, q) && !strings.HasSuffix(s, q[:1]) {
			return q + s + q
		}
	}
	fail(state, field, "the string holds both kinds of quotes and cannot be written in a DSL string")
	return ""
}
