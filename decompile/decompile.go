// Package decompile turns a States Language definition (the asl model) back
// into Heaviside DSL text: state names become docstrings (a state named
// Line<N> stays unnamed when it can be written on line N), Comments are kept,
// Choice states become if/elif/else, switch or while blocks, Parallel and Map
// states become blocks, a bare Pass state that jumps back becomes a goto, and
// Tasks become Lambda()/Activity() (for the region and account given),
// heaviside's service integrations by name, or Arn(). The text is laid out
// by package format, the printer of hsc fmt.
//
// It writes the language hsc compiles (heaviside's, and the DSL extensions
// where heaviside's cannot say it), so that compiling the text gives the
// definition it was given (as JSON: same states, names, fields and values).
// What that language cannot express is an *Error naming the state and the
// field.
//
// It reads the asl model and the DSL's service table and writes text; it
// knows nothing about the command line or files.
package decompile

import (
	"bytes"
	"errors"
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
	// First as heaviside links states (each to the one written after
	// it); only when that fails with explicit transitions (next:, end:,
	// goto branches and catchers), which let more layouts through and so
	// could take the search away from the one heaviside's own programs
	// need.
	var d *decompiler
	var err error
	// Services are named (Service.Action()) where the DSL's tables say so;
	// should the compiler read a named call differently (heaviside's own
	// services check their parameters), Arn() is written instead.
	var first error
	for _, names := range []bool{true, false} {
		for _, jumps := range []bool{false, true} {
			d = &decompiler{services: sema.LoadServices(), jumps: jumps, names: names}
			for _, o := range opts {
				o(d)
			}
			if err = d.machine(root); err != nil {
				if names && jumps {
					first = err // what even explicit transitions cannot write
				}
				continue
			}
			out, ferr := format.Source(d.out.Bytes(), format.WithFilename("decompiled program"))
			if ferr == nil {
				return out, nil
			}
			err = fmt.Errorf("decompile: the program written does not compile (a bug): %w", ferr)
			if !names {
				return nil, err
			}
			break // try again without service names
		}
	}
	var de *Error
	if errors.As(first, &de) {
		return nil, first
	}
	return nil, err
}

type decompiler struct {
	tries           int
	out             bytes.Buffer
	line            int // lines written so far
	region, account string
	services        sema.Services
	jsonata         bool // the machine's QueryLanguage is JSONata
	jumps           bool // explicit transitions allowed
	names           bool // Service.Action() for integrations beyond heaviside's
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
	onlyKeys(root, "", "", "States", "StartAt", "Comment", "Version", "TimeoutSeconds", "QueryLanguage")
	if c := root.Get("Comment"); c != nil {
		d.emit(0, quote("", "Comment", str(c, "", "Comment"), true))
	}
	if v := root.Get("Version"); v != nil {
		d.emit(0, "version: "+quote("", "Version", str(v, "", "Version"), false))
	}
	if t := root.Get("TimeoutSeconds"); t != nil {
		d.emit(0, "timeout: "+posInt(t, "", "TimeoutSeconds"))
	}
	if q := root.Get("QueryLanguage"); q != nil {
		d.jsonata = str(q, "", "QueryLanguage") == "JSONata"
		d.emit(0, "query_language: "+quote("", "QueryLanguage", q.Str, false))
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
	d        *decompiler
	where    string // owner state for messages
	order    []string
	states   map[string]*asl.Value
	done     map[string]bool
	refs     map[string]int
	index    map[string]int       // position in order
	journal  []string             // states marked done, in order, for undoing
	ipdom    [2]map[string]string // immediate post-dominators; [0]: Succeed and Fail end nothing, [1]: Succeed ends the machine
	sync     string               // the sync parameter of the Task being written ("" for none)
	explicit string               // the explicit transition of the state being written ("" for none)
}

const (
	exit = "\x00end"
	// nowhere is the continuation of the catch blocks of a state with an
	// explicit transition: their states fall through to whatever the DSL
	// writes after the state, so none may fall through.
	nowhere = "\x00nowhere"
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
		if m.Key == "" {
			fail(owner, "States", "a state name must not be empty")
		}
		b.index[m.Key] = len(b.order)
		b.order = append(b.order, m.Key)
		b.states[m.Key] = m.Value
	}
	start := stateName(v.Get("StartAt"), owner, "StartAt")
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
	if c := s.Get("Comment"); c != nil && inDocstring(name, c) {
		text += "\n" + c.Str
	}
	return quote(name, "Comment", text, true)
}

// inDocstring reports whether a state's Comment c can be written in its
// docstring, which strips the ends of each line; otherwise it is written
// with the comment: modifier (an extension).
func inDocstring(name string, c *asl.Value) bool {
	for _, l := range strings.Split(str(c, name, "Comment"), "\n") {
		if strings.TrimFunc(l, isPySpace) != l {
			return false
		}
	}
	return true
}

// commentMod writes the comment: modifier when the state's Comment is not
// in its docstring.
func (b *branch) commentMod(name string, s *asl.Value, indent int) {
	if c := s.Get("Comment"); c != nil && !inDocstring(name, c) {
		b.d.emit(indent, "comment: "+quote(name, "Comment", c.Str, false))
	}
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
	common := []string{"Type", "Comment", "Next", "End", "QueryLanguage", "Output", "Arguments", "Items"}
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
		onlyKeys(s, name, "", append(common, "InputPath", "ResultPath", "OutputPath", "Result", "Parameters", "Assign")...)
		head = "Pass()"
	case "Succeed":
		onlyKeys(s, name, "", append(common, "InputPath", "OutputPath")...)
		head = "Success()"
	case "Fail":
		onlyKeys(s, name, "", append(common, "Error", "Cause", "ErrorPath", "CausePath")...)
		head = failHead(name, s)
	case "Wait":
		onlyKeys(s, name, "", append(common, "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign")...)
		switch {
		case s.Has("Seconds"):
			if sv := s.Get("Seconds"); sv.Kind == asl.KindString {
				head = "Wait(seconds=" + quote(name, "Seconds", sv.Str, false) + ")"
			} else {
				head = "Wait(seconds=" + posInt(sv, name, "Seconds") + ")"
			}
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
		onlyKeys(s, name, "", append(common, "TimeoutSeconds", "HeartbeatSeconds", "TimeoutSecondsPath", "HeartbeatSecondsPath", "InputPath", "ResultPath", "OutputPath", "Resource", "Parameters", "ResultSelector", "Credentials", "Assign", "Retry", "Catch")...)
		res := str(s.Get("Resource"), name, "Resource")
		if !strings.HasPrefix(res, "arn:aws:") {
			fail(name, "Resource", "only resources starting with 'arn:aws:' can be written")
		}
		head, b.sync = b.d.taskHead(name, s, res)
		if h, to := s.Get("HeartbeatSeconds"), s.Get("TimeoutSeconds"); h != nil && to != nil && h.Kind == asl.KindNumber && to.Kind == asl.KindNumber {
			hv, _ := h.Float64()
			if limit, _ := to.Float64(); hv >= limit {
				fail(name, "HeartbeatSeconds", "the DSL requires the heartbeat to be below the timeout")
			}
		}
	case "Choice":
		onlyKeys(s, name, "", append(common, "InputPath", "OutputPath", "Choices", "Default", "Assign")...)
		return b.choice(name, s, cont, indent)
	case "Parallel":
		onlyKeys(s, name, "", append(common, "InputPath", "ResultPath", "OutputPath", "Branches", "Parameters", "ResultSelector", "Assign", "Retry", "Catch")...)
		return b.parallel(name, s, cont, indent)
	case "Map":
		onlyKeys(s, name, "", append(common, "InputPath", "ResultPath", "OutputPath", "Parameters", "Retry", "Catch", "Iterator", "ItemsPath", "MaxConcurrency",
			"MaxConcurrencyPath", "ItemSelector", "ItemProcessor", "ItemBatcher", "ItemReader", "ResultWriter", "ResultSelector", "Assign",
			"ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label")...)
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
	explicit := b.explicit
	body := indent + 1
	if doc != "" {
		b.d.emit(body, doc)
	}
	if t == "Map" {
		word, key := "iterator:", "Iterator"
		it := s.Get("Iterator")
		if it == nil {
			word, key = "item_processor:", "ItemProcessor"
			it = s.Get("ItemProcessor")
		}
		if it == nil {
			fail(name, "ItemProcessor", "a Map state needs an ItemProcessor or Iterator")
		}
		onlyKeys(it, name, key+".", "States", "StartAt", "ProcessorConfig")
		if pc := it.Get("ProcessorConfig"); pc != nil {
			if key == "Iterator" {
				fail(name, "Iterator.ProcessorConfig", "an Iterator has no ProcessorConfig")
			}
			onlyKeys(pc, name, "ItemProcessor.ProcessorConfig.", "Mode", "ExecutionType")
			if len(pc.Members) == 0 {
				fail(name, "ItemProcessor.ProcessorConfig", "an empty ProcessorConfig cannot be written")
			}
			for _, m := range pc.Members {
				w := map[string]string{"Mode": "mode", "ExecutionType": "execution_type"}[m.Key]
				field := "ItemProcessor.ProcessorConfig." + m.Key
				v := str(m.Value, name, field)
				// The DSL names only the values AWS defines (sema's check).
				if ok := map[string][]string{"Mode": {"INLINE", "DISTRIBUTED"}, "ExecutionType": {"STANDARD", "EXPRESS"}}[m.Key]; !slices.Contains(ok, v) {
					fail(name, field, "%q is not one of %s", v, strings.Join(ok, ", "))
				}
				b.d.emit(body, w+": "+quote(name, field, v, false))
			}
		}
		b.d.emit(body, word)
		b.d.branch(it, body+1, name)
	}
	handlers := next
	if explicit != "" {
		handlers = nowhere
	}
	b.modifiers(name, s, body, handlers, explicit)
	return next, stopped
}

// taskHead writes a Task's call: Lambda('f') or Activity('a') for an ARN
// in the region and account the program will be compiled for, a service
// integration heaviside lists (DynamoDB.GetItem(), with the sync
// parameter where the Resource needs it) when its Parameters are what
// heaviside accepts, Arn('…') otherwise.
func (d *decompiler) taskHead(name string, s *asl.Value, res string) (head, sync string) {
	{
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
	if call, ok := d.integrationCall(res); ok {
		return call, ""
	}
	return "Arn(" + quote(name, "Resource", res, false) + ")", ""
}

// dslServices spells the services of Step Functions' integrations as the
// DSL's table names them (by the service in the ARN and by the AWS SDK's
// name); other AWS SDK services are written with a capital first letter.
var dslServices = map[string]string{
	"lambda": "Lambda", "batch": "Batch", "dynamodb": "DynamoDB", "ecs": "ECS", "sns": "SNS", "sqs": "SQS",
	"glue": "Glue", "sagemaker": "SageMaker", "elasticmapreduce": "EMR", "emr": "EMR",
	"emr-containers": "EMRContainers", "emrcontainers": "EMRContainers", "emr-serverless": "EMRServerless",
	"emrserverless": "EMRServerless", "codebuild": "CodeBuild", "athena": "Athena", "states": "StepFunctions",
	"sfn": "StepFunctions", "events": "EventBridge", "eventbridge": "EventBridge", "apigateway": "APIGateway",
	"eks": "EKS", "databrew": "DataBrew", "bedrock": "Bedrock", "mediaconvert": "MediaConvert", "http": "HTTP",
	"s3": "S3", "ec2": "EC2", "iam": "IAM", "kms": "KMS", "ssm": "SSM", "ses": "SES", "sesv2": "SESv2",
	"rds": "RDS", "cloudwatch": "CloudWatch", "cloudformation": "CloudFormation", "secretsmanager": "SecretsManager",
}

// integrationCall writes a Resource of Step Functions' integrations as
// Service.Action[.suffix]() when the DSL's integration tables resolve that
// call to exactly this Resource.
func (d *decompiler) integrationCall(res string) (string, bool) {
	if !d.names {
		return "", false
	}
	rest, ok := strings.CutPrefix(res, "arn:aws:states:::")
	if !ok {
		return "", false
	}
	svc, action, ok := strings.Cut(rest, ":")
	if svc == "aws-sdk" {
		svc, action, ok = strings.Cut(action, ":")
	}
	if !ok || action == "" || svc == "" {
		return "", false
	}
	suffix, call := "", ""
	for _, x := range [...]struct{ arn, dsl string }{{".sync:2", "sync2"}, {".sync", "sync"}, {".waitForTaskToken", "waitForTaskToken"}} {
		if a, ok := strings.CutSuffix(action, x.arn); ok {
			action, suffix, call = a, x.dsl, "."+x.dsl
			break
		}
	}
	if !identifier.MatchString(action) {
		return "", false
	}
	in, err := sema.LoadIntegrations()
	if err != nil {
		return "", false
	}
	service := dslServices[svc]
	if service == "" {
		service = strings.ToUpper(svc[:1]) + svc[1:]
	}
	if !identifier.MatchString(service) {
		return "", false
	}
	act := strings.ToUpper(action[:1]) + action[1:]
	if r, rerr := in.Resolve(service, act, suffix); rerr != nil || r != res {
		return "", false
	}
	return service + "." + act + call + "()", true
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
// An explicit transition (next: 'S' or end: true) is written as a
// modifier of the state; link sets it in b.explicit.
func (b *branch) link(name string, s *asl.Value, cont string) (string, bool) {
	b.explicit = ""
	t := typ(name, s)
	if t == "Succeed" || t == "Fail" {
		return "", true
	}
	if e := s.Get("End"); e != nil {
		if e.Kind != asl.KindBool || !e.Bool {
			fail(name, "End", "End must be true")
		}
		if cont != "" {
			if !b.d.jumps {
				fail(name, "End", "the state ends the machine inside a block that continues")
			}
			// the state ends the machine inside a block that continues
			b.explicit = "end: true"
			return "", true
		}
		return "", false
	}
	n := s.Get("Next")
	if n == nil {
		fail(name, "Next", "the state has neither Next nor End")
	}
	next := stateName(n, name, "Next")
	if next == cont {
		return next, false
	}
	if b.done[next] {
		if !b.d.jumps {
			fail(name, "Next", "goes back to %q", next)
		}
		// back to a state written already
		b.explicit = "next: " + quote(name, "Next", next, false)
		return "", true
	}
	return next, false
}

// modifiers writes the indented modifiers of a state; cont is where its
// catch handlers continue.
func (b *branch) modifiers(name string, s *asl.Value, indent int, cont, explicit string) {
	if t := typ(name, s); t != "Parallel" && t != "Choice" {
		b.commentMod(name, s, indent)
	}
	for _, m := range s.Members {
		v := m.Value
		switch m.Key {
		case "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency":
			w := map[string]string{"TimeoutSeconds": "timeout", "HeartbeatSeconds": "heartbeat", "MaxConcurrency": "max_concurrency"}[m.Key]
			switch {
			case v.Kind == asl.KindString:
				b.d.emit(indent, w+": "+quote(name, m.Key, v.Str, false)) // JSONata
			case m.Key == "MaxConcurrency":
				b.d.emit(indent, w+": "+nnInt(v, name, m.Key))
			default:
				b.d.emit(indent, w+": "+posInt(v, name, m.Key))
			}
		case "QueryLanguage", "Output", "Arguments", "Items":
			if typ(name, s) == "Parallel" || typ(name, s) == "Choice" {
				continue // in transform:
			}
			b.open(name, m.Key, v, indent)
		case "TimeoutSecondsPath", "HeartbeatSecondsPath", "MaxConcurrencyPath", "ItemsPath", "Label":
			w := map[string]string{"TimeoutSecondsPath": "timeout", "HeartbeatSecondsPath": "heartbeat", "MaxConcurrencyPath": "max_concurrency", "ItemsPath": "items_path", "Label": "label"}[m.Key]
			b.d.emit(indent, w+": "+quote(name, m.Key, str(v, name, m.Key), false))
		case "ToleratedFailurePercentage", "ToleratedFailureCount":
			b.d.emit(indent, snake(m.Key)+": "+number(v, name, m.Key))
		case "ToleratedFailurePercentagePath", "ToleratedFailureCountPath":
			b.d.emit(indent, snake(strings.TrimSuffix(m.Key, "Path"))+": "+quote(name, m.Key, str(v, name, m.Key), false))
		case "ResultSelector", "Credentials", "ItemSelector", "ItemBatcher", "ItemReader", "ResultWriter", "Assign":
			if typ(name, s) == "Parallel" || typ(name, s) == "Choice" {
				continue // in transform:
			}
			b.kv(name, m.Key, snake(m.Key), v, indent)
		case "InputPath", "ResultPath", "OutputPath":
			if typ(name, s) == "Parallel" || typ(name, s) == "Choice" {
				continue // in transform:
			}
			b.d.emit(indent, pathWord(m.Key)+": "+pathValue(name, m.Key, v))
		case "Result":
			b.d.emit(indent, "data:")
			b.d.emit(indent+1, jsonText(name, m.Key, v))
		case "Parameters":
			b.params(name, v, indent, b.sync, typ(name, s) == "Pass")
			b.sync = ""
		}
	}
	if b.sync != "" {
		b.d.emit(indent, "parameters:")
		b.d.emit(indent+1, "sync: "+b.sync)
		b.sync = ""
	}
	if explicit != "" {
		b.d.emit(indent, explicit)
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
			onlyKeys(e, name, f+".", "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment")
			if bo := e.Get("BackoffRate"); bo != nil {
				number(bo, name, f+".BackoffRate")
				if bv, _ := bo.Float64(); bv < 1 {
					fail(name, f+".BackoffRate", "the DSL requires a backoff rate of at least 1.0")
				}
			}
			line := "retry " + errorList(e, name, f)
			if e.Has("IntervalSeconds") && e.Has("MaxAttempts") && e.Has("BackoffRate") {
				line += " " + posInt(e.Get("IntervalSeconds"), name, f+".IntervalSeconds") + " " + nnInt(e.Get("MaxAttempts"), name, f+".MaxAttempts") + " " + number(e.Get("BackoffRate"), name, f+".BackoffRate")
			} else {
				if v := e.Get("IntervalSeconds"); v != nil {
					line += " interval=" + posInt(v, name, f+".IntervalSeconds")
				}
				if v := e.Get("MaxAttempts"); v != nil {
					line += " max_attempts=" + nnInt(v, name, f+".MaxAttempts")
				}
				if v := e.Get("BackoffRate"); v != nil {
					line += " backoff=" + number(v, name, f+".BackoffRate")
				}
			}
			if v := e.Get("MaxDelaySeconds"); v != nil {
				line += " max_delay=" + posInt(v, name, f+".MaxDelaySeconds")
			}
			if v := e.Get("JitterStrategy"); v != nil {
				line += " jitter=" + quote(name, f+".JitterStrategy", str(v, name, f+".JitterStrategy"), false)
			}
			if v := e.Get("Comment"); v != nil {
				line += " comment=" + quote(name, f+".Comment", str(v, name, f+".Comment"), false)
			}
			if !strings.Contains(line, "=") && !(e.Has("IntervalSeconds") && e.Has("MaxAttempts") && e.Has("BackoffRate")) {
				fail(name, f, "a Retrier with none of IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, JitterStrategy cannot be written")
			}
			b.d.emit(indent, line)
		}
	}
	if c := s.Get("Catch"); c != nil {
		for i, e := range c.Elems {
			f := fmt.Sprintf("Catch[%d]", i)
			onlyKeys(e, name, f+".", "ErrorEquals", "Next", "ResultPath", "Assign", "Comment", "Output")
			line := "catch " + errorList(e, name, f) + ":"
			if rp := e.Get("ResultPath"); rp != nil {
				line += " " + pathValue(name, f+".ResultPath", rp)
			}
			if o := e.Get("Output"); o != nil {
				// a JSONata catcher's ': STRING' is its Output
				if !b.d.isJSONata(s) || e.Has("ResultPath") {
					fail(name, f+".Output", "a catcher has Output only in a JSONata state, and then no ResultPath")
				}
				line += " " + quote(name, f+".Output", str(o, name, f+".Output"), false)
			}
			target := stateName(e.Get("Next"), name, f+".Next")
			if (target == cont || b.done[target]) && !b.d.jumps {
				fail(name, f+".Next", "the handler %q is not a block of its own", target)
			}
			if target == cont || b.done[target] {
				// a catcher that goes to a state written elsewhere; its
				// Assign and Comment in a block of their own
				b.d.emit(indent, line+" goto "+quote(name, f+".Next", target, false))
				if a := e.Get("Assign"); a != nil {
					b.kv(name, f+".Assign", "assign", a, indent+1)
				}
				b.comment(name, f, e, indent+1)
				continue
			}
			b.d.emit(indent, line)
			if a := e.Get("Assign"); a != nil {
				b.kv(name, f+".Assign", "assign", a, indent+1)
			}
			b.comment(name, f, e, indent+1)
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

func (b *branch) params(name string, v *asl.Value, indent int, sync string, pass bool) {
	if v.Kind == asl.KindArray && sync == "" && pass {
		b.d.emit(indent, "parameters: "+jsonText(name, "Parameters", v))
		return
	}
	if v.Kind != asl.KindObject {
		fail(name, "Parameters", "the DSL writes Parameters as an object (a block of key: value lines), or a JSON array on a Pass state")
	}
	if len(v.Members) == 0 && sync == "" {
		b.d.emit(indent, "parameters: {}")
		return
	}
	b.d.emit(indent, "parameters:")
	for _, m := range v.Members {
		b.d.emit(indent+1, kvKey(name, "Parameters", m.Key)+": "+jsonText(name, "Parameters."+m.Key, m.Value))
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
	explicit := b.explicit
	for i, br := range brs.Elems {
		if i > 0 {
			b.d.emit(indent, "parallel:")
		} else if doc != "" {
			b.d.emit(indent+1, doc)
		}
		onlyKeys(br, name, fmt.Sprintf("Branches[%d].", i), "States", "StartAt", "Comment")
		b.comment(name, fmt.Sprintf("Branches[%d]", i), br, indent+1)
		b.d.branch(br, indent+1, name)
	}
	b.transformExplicit(name, s, indent, explicit, "InputPath", "ResultPath", "OutputPath")
	if s.Has("Retry") || s.Has("Catch") {
		b.d.emit(indent, "error:")
		handlers := next
		if explicit != "" {
			handlers = nowhere
		}
		b.errorMods(name, s, indent+1, handlers)
	}
	return next, stopped
}

func (b *branch) transform(name string, s *asl.Value, indent int, keys ...string) {
	b.transformExplicit(name, s, indent, "", keys...)
}

// transformExplicit writes the transform: block, with an explicit
// transition last.
func (b *branch) transformExplicit(name string, s *asl.Value, indent int, explicit string, keys ...string) {
	first := true
	defer func() {
		if explicit != "" {
			if first {
				b.d.emit(indent, "transform:")
			}
			b.d.emit(indent+1, explicit)
		}
	}()
	if c := s.Get("Comment"); c != nil && !inDocstring(name, c) {
		b.d.emit(indent, "transform:")
		first = false
		b.commentMod(name, s, indent+1)
	}
	for _, k := range append(keys, "Parameters", "ResultSelector", "Assign", "QueryLanguage", "Output", "Arguments") {
		if v := s.Get(k); v != nil {
			if first {
				b.d.emit(indent, "transform:")
				first = false
			}
			switch k {
			case "InputPath", "ResultPath", "OutputPath":
				b.d.emit(indent+1, pathWord(k)+": "+pathValue(name, k, v))
			case "QueryLanguage", "Output", "Arguments":
				b.open(name, k, v, indent+1)
			default:
				b.kv(name, k, snake(k), v, indent+1)
			}
		}
	}
}

// isJSONata reports whether the state s is evaluated with JSONata.
func (d *decompiler) isJSONata(s *asl.Value) bool {
	if q := s.Get("QueryLanguage"); q != nil && q.Kind == asl.KindString {
		return q.Str == "JSONata"
	}
	return d.jsonata
}

// open writes a JSONata field (or QueryLanguage): a string, a block of
// key: value lines for an object, a JSON array for Items.
func (b *branch) open(name, field string, v *asl.Value, indent int) {
	key := field[strings.LastIndex(field, ".")+1:]
	w := map[string]string{"QueryLanguage": "query_language", "Output": "output", "Arguments": "arguments", "Items": "items"}[key]
	switch {
	case v.Kind == asl.KindString:
		b.d.emit(indent, w+": "+quote(name, field, v.Str, false))
	case v.Kind == asl.KindObject && key != "QueryLanguage" && key != "Items":
		b.kv(name, field, w, v, indent)
	case v.Kind == asl.KindArray && key == "Items":
		b.d.emit(indent, w+": "+jsonText(name, field, v))
	default:
		fail(name, field, "the DSL writes %s as a string or a block of key: value lines", field)
	}
}

// comment writes the Comment of a rule, catcher or branch (v) as the
// comment: line that opens its block.
func (b *branch) comment(name, field string, v *asl.Value, indent int) {
	if c := v.Get("Comment"); c != nil {
		b.d.emit(indent, "comment: "+quote(name, field+".Comment", str(c, name, field+".Comment"), false))
	}
}

// pathValue writes a path field: a string, or null.
func pathValue(name, field string, v *asl.Value) string {
	if v.Kind == asl.KindNull {
		return "null"
	}
	return quote(name, field, str(v, name, field), false)
}

// snake spells a field name as the DSL's modifier word.
func snake(field string) string {
	var sb strings.Builder
	for i, r := range field {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				sb.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// kv writes an object field as a block of key: value lines (word:).
func (b *branch) kv(name, field, word string, v *asl.Value, indent int) {
	if v.Kind != asl.KindObject {
		fail(name, field, "the DSL writes %s as a block of key: value lines", field)
	}
	if len(v.Members) == 0 {
		b.d.emit(indent, word+": {}")
		return
	}
	b.d.emit(indent, word+":")
	for _, m := range v.Members {
		b.d.emit(indent+1, kvKey(name, field, m.Key)+": "+jsonText(name, field+"."+m.Key, m.Value))
	}
}

// kvKey writes a key of a key: value block: a name (with .$) as it is,
// anything else quoted.
func kvKey(name, field, k string) string {
	if identifier.MatchString(strings.TrimSuffix(k, ".$")) {
		return k
	}
	return quote(name, field+"."+k, k, false)
}

// failHead writes a Fail state's call.
func failHead(name string, s *asl.Value) string {
	e, c := s.Get("Error"), s.Get("Cause")
	if e != nil && c != nil && !s.Has("ErrorPath") && !s.Has("CausePath") {
		return "Fail(" + quote(name, "Error", str(e, name, "Error"), false) + ", " + quote(name, "Cause", str(c, name, "Cause"), false) + ")"
	}
	var args []string
	for _, k := range []string{"Error", "Cause", "ErrorPath", "CausePath"} {
		if v := s.Get(k); v != nil {
			args = append(args, snake(k)+"="+quote(name, k, str(v, name, k), false))
		}
	}
	return "Fail(" + strings.Join(args, ", ") + ")"
}

// choice writes a Choice state as a while loop or an if/elif/else.
func (b *branch) choice(name string, s *asl.Value, cont string, indent int) (string, bool) {
	cs := s.Get("Choices")
	if cs == nil || cs.Kind != asl.KindArray || len(cs.Elems) == 0 {
		fail(name, "Choices", "a Choice state without rules cannot be written")
	}
	def := ""
	if dv := s.Get("Default"); dv != nil {
		def = stateName(dv, name, "Default")
	}
	conds := make([]string, len(cs.Elems))
	targets := make([]string, len(cs.Elems))
	for i, r := range cs.Elems {
		f := fmt.Sprintf("Choices[%d]", i)
		onlyKeysRule(r, name, f, true)
		conds[i] = cond(r, name, f, false)
		targets[i] = stateName(r.Get("Next"), name, f+".Next")
	}
	if def == "" && !b.d.jumps {
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
			if a := cs.Elems[0].Get("Assign"); a != nil {
				b.kv(name, "Choices[0].Assign", "assign", a, indent+1)
			}
			b.comment(name, "Choices[0]", cs.Elems[0], indent+1)
			if o := cs.Elems[0].Get("Output"); o != nil {
				b.open(name, "Choices[0].Output", o, indent+1)
			}
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
		if slices.Index(plans, pl) < i || def == "" && !pl.hasElse {
			continue // tried already, or needs a Default
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
	rules := s.Get("Choices").Elems
	// bj is the state written after the branches: the join, or when every
	// branch ends the machine, a state nothing refers to that follows in
	// the definition (the branches' last states fall through to it in the
	// DSL, so one that ends the machine says so).
	bj := j
	if j == "" {
		bj = b.unreached(name)
	}
	// arm writes one branch: its line (the first through header, which
	// places and names the state) and its block, or a goto on the line
	// when the branch goes straight to a state written elsewhere.
	arm := func(first bool, line string, at int, field string, rule *asl.Value, target string) {
		direct := b.d.jumps && target != "" && (target == bj || b.done[target])
		switch {
		case target == "":
			line += " None" // no Default
		case direct:
			line += " goto " + quote(name, field, target, false)
		}
		if first {
			if doc := b.header(name, s, indent, line); doc != "" {
				b.d.emit(indent+1, doc)
			}
		} else {
			b.d.emit(at, line)
		}
		if direct && rule != nil {
			// the rule's Assign, Comment and Output in a block of their own
			if a := rule.Get("Assign"); a != nil {
				b.kv(name, field+".Assign", "assign", a, at+1)
			}
			b.comment(name, field, rule, at+1)
			if o := rule.Get("Output"); o != nil {
				b.open(name, field+".Output", o, at+1)
			}
		}
		if target != "" && !direct {
			b.block(name, field, rule, target, bj, at+1)
		}
	}
	if variable, cases, ok := switchCases(name, s, conds); ok {
		// switch: every rule compares one variable for equality
		if doc := b.header(name, s, indent, "switch "+variable+":"); doc != "" {
			b.d.emit(indent+1, doc)
		}
		for i, c := range cases {
			arm(false, "case "+c+":", indent+1, fmt.Sprintf("Choices[%d]", i), rules[i], targets[i])
		}
		if hasElse {
			arm(false, "default:", indent+1, "Default", nil, def)
		}
	} else {
		for i := range conds {
			if i == 0 {
				arm(true, "if "+conds[i]+":", indent, "Choices[0]", rules[i], targets[i])
			} else {
				arm(false, "elif "+conds[i]+":", indent, fmt.Sprintf("Choices[%d]", i), rules[i], targets[i])
			}
		}
		if hasElse {
			arm(false, "else:", indent, "Default", nil, def)
		}
	}
	b.transform(name, s, indent, "InputPath", "OutputPath")
	if j == "" {
		// every branch ends the machine or fails
		if bj != "" && !b.done[bj] {
			b.chain(bj, cont, indent)
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
		n := 3
		for _, k := range []string{"Assign", "Comment"} {
			if r.Has(k) {
				n++
			}
		}
		if v == nil || v.Kind != asl.KindString || len(r.Members) != n || !r.Has("Next") {
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

// block writes the states of a Choice branch (rule is its rule, nil for
// the Default), its Assign first.
func (b *branch) block(owner, field string, rule *asl.Value, start, cont string, indent int) {
	if rule != nil {
		field += ".Next"
	}
	if start == cont || b.done[start] {
		fail(owner, field, "the branch has no states of its own (it goes straight to %q); the DSL needs at least one state in a block", start)
	}
	if rule != nil {
		if a := rule.Get("Assign"); a != nil {
			b.kv(owner, strings.TrimSuffix(field, ".Next")+".Assign", "assign", a, indent)
		}
		b.comment(owner, strings.TrimSuffix(field, ".Next"), rule, indent)
		if o := rule.Get("Output"); o != nil {
			b.open(owner, strings.TrimSuffix(field, ".Next")+".Output", o, indent)
		}
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
		case "Next", "Assign", "Comment", "Output":
			if !top {
				fail(name, f+"."+m.Key, "only top-level rules have %s", m.Key)
			}
		case "And", "Or", "Not", "Variable", "Condition":
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
	for _, t := range []string{"String", "Numeric", "Timestamp"} {
		for i, o := range ops {
			comparators[t+o+"Path"] = [2]string{t + "Path", syms[i]}
		}
	}
	comparators["BooleanEqualsPath"] = [2]string{"BooleanPath", "=="}
	comparators["StringMatches"] = [2]string{"Matches", "matches"}
	for _, t := range []string{"Present", "Null", "Numeric", "String", "Boolean", "Timestamp"} {
		comparators["Is"+t] = [2]string{"Is", "is_" + strings.ToLower(t)}
	}
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
		for _, m := range r.Members {
			if m.Key != key && m.Key != "Next" && m.Key != "Assign" && m.Key != "Comment" {
				fail(name, f+"."+m.Key, "a rule with %s has no %s", key, m.Key)
			}
		}
		if subs.Kind != asl.KindArray || len(subs.Elems) == 0 {
			fail(name, f+"."+key, "the DSL writes %s with at least one rule", key)
		}
		parts := make([]string, len(subs.Elems))
		for i, sub := range subs.Elems {
			parts[i] = cond(sub, name, fmt.Sprintf("%s.%s[%d]", f, key, i), true)
		}
		if len(parts) == 1 {
			// all(rule) / any(rule): an And or Or of one rule
			return map[string]string{"And": "all(", "Or": "any("}[key] + parts[0] + ")"
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
	if c := r.Get("Condition"); c != nil {
		for _, m := range r.Members {
			if m.Key != "Condition" && (nested || m.Key != "Next" && m.Key != "Assign" && m.Key != "Comment" && m.Key != "Output") {
				fail(name, f+"."+m.Key, "a JSONata Condition is written alone")
			}
		}
		return quote(name, f+".Condition", str(c, name, f+".Condition"), false)
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
		case "Is":
			if val.Kind != asl.KindBool {
				fail(name, f+"."+m.Key, "must be a boolean")
			}
			raw := str(v, name, f+".Variable")
			if val.Bool {
				return c[1] + "(" + quote(name, f+".Variable", raw, false) + ")"
			}
			return c[1] + "(" + quote(name, f+".Variable", raw, false) + ", false)"
		case "Matches":
			lit = quote(name, f+"."+m.Key, str(val, name, f+"."+m.Key), false)
		case "StringPath", "NumericPath", "TimestampPath", "BooleanPath":
			fn := strings.ToLower(strings.TrimSuffix(c[0], "Path")) + "_path"
			lit = fn + "(" + quote(name, f+"."+m.Key, str(val, name, f+"."+m.Key), false) + ")"
		case "String":
			s := str(val, name, f+"."+m.Key)
			lit = quote(name, f+"."+m.Key, s, false)
			if iso8601.Parses(s) {
				lit = "string(" + lit + ")" // heaviside would compare it as a timestamp
			}
		case "Timestamp":
			s := str(val, name, f+"."+m.Key)
			lit = quote(name, f+"."+m.Key, s, false)
			if !iso8601.Parses(s) {
				lit = "timestamp(" + lit + ")"
			}
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

// stateName is str for a field that names a state: "" names none (and
// stands for the end of a chain here), so it is refused.
func stateName(v *asl.Value, state, field string) string {
	n := str(v, state, field)
	if n == "" {
		fail(state, field, "names no state: the name is empty")
	}
	return n
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
