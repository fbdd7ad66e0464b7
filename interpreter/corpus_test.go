package interpreter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

// The run corpus: every file testdata/corpus/<area>/<name>.txtar is one
// execution. It is a txtar archive: free text first, which must name the
// source of the expected behaviour on a line "Source: ..." (an AWS
// documentation page, or an execution recorded on AWS), then the files
//
//	definition.json  the state machine (required)
//	input.json       the execution input (absent: no input, i.e. {})
//	options.json     how to run it (absent: the defaults below)
//
// and the expectations, compared byte for byte with what Machine.Run gives
// (so key order and 1 vs 1.0 matter):
//
//	output.json      the output of a SUCCEEDED execution
//	error, cause     the Error and Cause of a failed execution
//	status           the status when it is not SUCCEEDED or FAILED
//	waited           how far the clock moved (a Go duration), when given
//	sleeps           each sleep of the virtual clock, when given
//
// A case whose source is a result recorded on AWS that the interpreter
// does not reproduce yet keeps AWS's values in aws-output.json, aws-error
// and aws-cause, next to what the interpreter gives now in the files
// above; the test logs these known differences, and -update drops an aws-
// file once the interpreter agrees with it.
//
// go test ./interpreter -run Corpus -update rewrites the expectations from
// what the interpreter does now; review the diff before committing it.
//
// options.json holds
//
//	{"executionName": "exec1", "stateMachineName": "sm",
//	 "start": "2026-01-02T03:04:05Z",  // the virtual clock's start
//	 "clock": "virtual" | "real",       // real: time runs in a synctest bubble
//	 "seed": 7,
//	 "roleArn": "...", "region": "...", "accountId": "...",
//	 "tasks": {"StateName" or "*": [invocation, ...]}}
//
// (a distributed Map's S3 calls are keyed "StateName/ItemReader" and
// "StateName/ResultWriter")
//
// where each task invocation is {"Return": value}, {"Throw": {"Error":
// "...", "Cause": "..."}}, {"Fail": "message"} (a plain Go error, not a
// named one), {"Echo": true} (the task's input is its result)
// or {"Hang": true} (runs until cancelled). A state's invocations are used
// in order, the last one repeating.

var update = flag.Bool("update", false, "rewrite the expectations of the run corpus")

const corpusDir = "testdata/corpus"

type corpusOptions struct {
	ExecutionName    *string                       `json:"executionName"`
	StateMachineName *string                       `json:"stateMachineName"`
	Start            *time.Time                    `json:"start"`
	Clock            string                        `json:"clock"`
	Seed             *uint64                       `json:"seed"`
	RoleArn          string                        `json:"roleArn"`
	Region           string                        `json:"region"`
	AccountID        string                        `json:"accountId"`
	Tasks            map[string][]corpusInvocation `json:"tasks"`
}

type corpusInvocation struct {
	Return json.RawMessage `json:"Return"`
	Throw  *struct {
		Error string `json:"Error"`
		Cause string `json:"Cause"`
	} `json:"Throw"`
	Fail string `json:"Fail"`
	Echo bool   `json:"Echo"`
	Hang bool   `json:"Hang"`
}

// corpusTasks answers Task states from the invocations of options.json.
type corpusTasks struct {
	mu    sync.Mutex
	plan  map[string][]corpusInvocation
	calls map[string]int
}

func (c *corpusTasks) ResolveTask(ctx context.Context, r *interpreter.TaskRequest) ([]byte, error) {
	c.mu.Lock()
	key := r.StateName
	if r.Part != "" {
		key += "/" + r.Part
	}
	list, ok := c.plan[key]
	if !ok {
		key = "*"
		list, ok = c.plan[key]
	}
	if !ok || len(list) == 0 {
		c.mu.Unlock()
		return nil, fmt.Errorf("the corpus case has no task result for state %q", r.StateName)
	}
	n := c.calls[key]
	c.calls[key] = n + 1
	c.mu.Unlock()
	inv := list[min(n, len(list)-1)]
	switch {
	case inv.Throw != nil:
		return nil, &interpreter.ExecutionError{Name: inv.Throw.Error, Cause: inv.Throw.Cause}
	case inv.Fail != "":
		return nil, errors.New(inv.Fail)
	case inv.Echo:
		return r.Input, nil
	case inv.Hang:
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return inv.Return, nil
}

// archive is a parsed txtar file.
type archive struct {
	comment string
	names   []string
	files   map[string]string
}

func parseArchive(data string) *archive {
	a := &archive{files: map[string]string{}}
	cur := ""
	var b strings.Builder
	flush := func() {
		if cur == "" {
			a.comment = b.String()
		} else {
			a.files[cur] = b.String()
		}
		b.Reset()
	}
	for line := range strings.SplitAfterSeq(data, "\n") {
		if name, ok := archiveMarker(line); ok {
			flush()
			cur = name
			a.names = append(a.names, name)
			continue
		}
		b.WriteString(line)
	}
	flush()
	return a
}

func archiveMarker(line string) (string, bool) {
	s := strings.TrimSuffix(line, "\n")
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < 7 {
		return "", false
	}
	return strings.TrimSpace(s[3 : len(s)-3]), true
}

// file returns a file's text without the newline that ends it in the
// archive.
func (a *archive) file(name string) (string, bool) {
	s, ok := a.files[name]
	return strings.TrimSuffix(s, "\n"), ok
}

func (a *archive) set(name, text string) {
	if _, ok := a.files[name]; !ok {
		a.names = append(a.names, name)
	}
	a.files[name] = text + "\n"
}

func (a *archive) remove(name string) {
	delete(a.files, name)
	a.names = slices.DeleteFunc(a.names, func(n string) bool { return n == name })
}

func (a *archive) format() []byte {
	var b bytes.Buffer
	b.WriteString(a.comment)
	for _, n := range a.names {
		fmt.Fprintf(&b, "-- %s --\n%s", n, a.files[n])
	}
	return b.Bytes()
}

func TestCorpus(t *testing.T) {
	var paths []string
	err := filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".txtar") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no corpus cases found")
	}
	for _, p := range paths {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(p), corpusDir+"/"), ".txtar")
		t.Run(name, func(t *testing.T) { runCorpusCase(t, p) })
	}
}

// corpusOutcome is what one run of a case gave.
type corpusOutcome struct {
	status         interpreter.Status
	output         []byte
	errName, cause string
	waited         time.Duration
	sleeps         []time.Duration
}

func runCorpusCase(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a := parseArchive(string(data))
	if !strings.Contains(a.comment, "Source: ") {
		t.Errorf("%s: the comment must name the source of the expectation on a line \"Source: ...\"", path)
	}
	def, ok := a.file("definition.json")
	if !ok {
		t.Fatalf("%s: no definition.json", path)
	}
	var opts corpusOptions
	if s, ok := a.file("options.json"); ok {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&opts); err != nil {
			t.Fatalf("%s: options.json: %v", path, err)
		}
	}
	input, hasInput := a.file("input.json")
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	var got corpusOutcome
	runOnce := func(t *testing.T) {
		got = corpusRun(t, m, opts, input, hasInput)
	}
	if opts.Clock == "real" {
		synctest.Test(t, runOnce)
	} else {
		runOnce(t)
	}
	if t.Failed() {
		return
	}
	if *update {
		updateCase(t, path, a, got)
		return
	}
	checkOutcome(t, a, got)
}

func corpusRun(t *testing.T, m *interpreter.Machine, o corpusOptions, input string, hasInput bool) corpusOutcome {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if o.Start != nil {
		start = *o.Start
	}
	execName, smName := "exec1", "sm"
	if o.ExecutionName != nil {
		execName = *o.ExecutionName
	}
	if o.StateMachineName != nil {
		smName = *o.StateMachineName
	}
	opts := []interpreter.Option{interpreter.WithExecutionName(execName), interpreter.WithStateMachineName(smName)}
	var vclock *interpreter.VirtualClock
	switch o.Clock {
	case "", "virtual":
		vclock = interpreter.NewVirtualClock(start)
		opts = append(opts, interpreter.WithClock(vclock))
	case "real":
		opts = append(opts, interpreter.WithClock(interpreter.RealClock{}))
	default:
		t.Fatalf("options.json: clock %q is neither virtual nor real", o.Clock)
	}
	if o.Seed != nil {
		opts = append(opts, interpreter.WithSeed(*o.Seed))
	}
	if o.RoleArn != "" {
		opts = append(opts, interpreter.WithRoleArn(o.RoleArn))
	}
	if o.Region != "" {
		opts = append(opts, interpreter.WithRegion(o.Region))
	}
	if o.AccountID != "" {
		opts = append(opts, interpreter.WithAccountID(o.AccountID))
	}
	if o.Tasks != nil {
		opts = append(opts, interpreter.WithTaskResolver(&corpusTasks{plan: o.Tasks, calls: map[string]int{}}))
	}
	var in []byte
	if hasInput {
		in = []byte(input)
	}
	before := time.Now()
	res, err := m.Run(context.Background(), in, opts...)
	var out corpusOutcome
	if res == nil {
		t.Fatalf("Run gave no result: %v", err)
	}
	var ee *interpreter.ExecutionError
	if (err == nil) != (res.Status == interpreter.StatusSucceeded) || (err != nil && !errors.As(err, &ee)) {
		t.Fatalf("Run: status %s with error %v", res.Status, err)
	}
	out.status, out.output, out.errName, out.cause = res.Status, res.Output, res.Error, res.Cause
	if vclock != nil {
		out.waited = vclock.Now().Sub(start)
		out.sleeps = vclock.Sleeps()
	} else {
		out.waited = time.Since(before)
	}
	return out
}

func formatSleeps(d []time.Duration) string {
	s := make([]string, len(d))
	for i, x := range d {
		s[i] = x.String()
	}
	return strings.Join(s, " ")
}

func checkOutcome(t *testing.T, a *archive, got corpusOutcome) {
	t.Helper()
	wantStatus := interpreter.StatusSucceeded
	if _, ok := a.file("error"); ok {
		wantStatus = interpreter.StatusFailed
	}
	if s, ok := a.file("status"); ok {
		wantStatus = interpreter.Status(s)
	}
	if got.status != wantStatus {
		t.Fatalf("status %s (error %q, cause %q), want %s", got.status, got.errName, got.cause, wantStatus)
	}
	if want, ok := a.file("output.json"); ok && string(got.output) != want {
		t.Errorf("output\n got %s\nwant %s", got.output, want)
	}
	if want, ok := a.file("error"); ok && got.errName != want {
		t.Errorf("error %q, want %q", got.errName, want)
	}
	if want, ok := a.file("cause"); ok && got.cause != want {
		t.Errorf("cause\n got %q\nwant %q", got.cause, want)
	}
	if want, ok := a.file("waited"); ok && got.waited.String() != want {
		t.Errorf("waited %s, want %s", got.waited, want)
	}
	if want, ok := a.file("sleeps"); ok && formatSleeps(got.sleeps) != want {
		t.Errorf("sleeps %q, want %q", formatSleeps(got.sleeps), want)
	}
	for _, d := range awsDifferences(a, got) {
		t.Logf("known difference from AWS: %s", d)
	}
	if _, ok := a.file("output.json"); !ok && wantStatus == interpreter.StatusSucceeded {
		t.Errorf("the case has no output.json; run with -update to record %s", got.output)
	}
}

// awsDifferences lists where got differs from the values recorded on AWS
// in the aws- files of a case.
func awsDifferences(a *archive, got corpusOutcome) []string {
	var out []string
	for _, f := range []struct{ name, got string }{
		{"aws-output.json", string(got.output)}, {"aws-error", got.errName}, {"aws-cause", got.cause},
	} {
		if want, ok := a.file(f.name); ok && want != f.got {
			out = append(out, fmt.Sprintf("%s: AWS %q, here %q", strings.TrimPrefix(f.name, "aws-"), want, f.got))
		}
	}
	return out
}

// updateCase rewrites the expectation files of a case from got.
func updateCase(t *testing.T, path string, a *archive, got corpusOutcome) {
	for _, f := range []struct{ name, got string }{
		{"aws-output.json", string(got.output)}, {"aws-error", got.errName}, {"aws-cause", got.cause},
	} {
		if want, ok := a.file(f.name); ok && want == f.got {
			a.remove(f.name)
		}
	}
	for _, n := range []string{"output.json", "error", "cause", "status"} {
		a.remove(n)
	}
	switch got.status {
	case interpreter.StatusSucceeded:
		a.set("output.json", string(got.output))
	default:
		if got.status != interpreter.StatusFailed {
			a.set("status", string(got.status))
		}
		a.set("error", got.errName)
		a.set("cause", got.cause)
	}
	if _, ok := a.files["waited"]; ok {
		a.set("waited", got.waited.String())
	}
	if _, ok := a.files["sleeps"]; ok {
		a.set("sleeps", formatSleeps(got.sleeps))
	}
	if err := os.WriteFile(path, a.format(), 0o644); err != nil {
		t.Fatal(err)
	}
}
