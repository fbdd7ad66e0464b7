package interpreter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/interpreter"
)

// knownHistoryDifferences lists the recorded AWS histories that the
// interpreter's history does not equal yet, each with what differs. A case
// that matches fails the test until it is taken off this list, so progress
// stays locked in; the list should shrink to empty.
var knownHistoryDifferences = map[string]string{}

// The names the recordings' executions get here; the normalization below
// turns them into localstack's placeholders.
const (
	awsMachineName = "hscmachine"
	awsExecName    = "hscexecution"
	awsRegion      = "us-east-1"
	awsAccount     = "111111111111" // localstack's snapshots keep this account
	awsRoleArn     = "arn:aws:iam::111111111111:role/hsc-history-role"
)

// TestAWSRecordedHistories runs the 40 executions recorded on AWS in
// ../shared/aws/history (from localstack's snapshot tests; see its README)
// and compares the interpreter's history with the recorded one event for
// event, after normalizing ours as localstack normalized theirs.
func TestAWSRecordedHistories(t *testing.T) {
	dir := testenv.Shared(t, "aws", "history")
	defs, err := filepath.Glob(filepath.Join(dir, "*.history.json"))
	if err != nil || len(defs) == 0 {
		t.Fatalf("no recorded histories in %s (%v)", dir, err)
	}
	var names []string
	for _, p := range defs {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".history.json"))
	}
	for name := range knownHistoryDifferences {
		if !slices.Contains(names, name) {
			t.Errorf("knownHistoryDifferences names %s, which is not a recorded case", name)
		}
	}
	matched := 0
	for _, name := range names {
		ok := t.Run(name, func(t *testing.T) {
			read := func(suffix string) []byte {
				t.Helper()
				b, err := os.ReadFile(filepath.Join(dir, name+suffix))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			var want []any
			if err := json.Unmarshal(read(".history.json"), &want); err != nil {
				t.Fatal(err)
			}
			got := runForHistory(t, read(".json"), read(".input.json"))
			// In these two the recording test sorted the Parallel branches'
			// events (localstack's SfnNoneRecursiveParallelTransformer).
			if name == "parallel_parameters" || name == "parallel_order" {
				got = sortParallelEvents(got)
				want = sortParallelEvents(want)
			}
			diff := cmp.Diff(want, got)
			known, isKnown := knownHistoryDifferences[name]
			switch {
			case diff != "" && !isKnown:
				t.Errorf("history differs from the one recorded on AWS (-aws +hsc):\n%s", diff)
			case diff != "":
				t.Skipf("known difference (%s)", known)
			case isKnown:
				t.Errorf("the history now equals AWS's: take %s off knownHistoryDifferences", name)
			}
		})
		if ok && knownHistoryDifferences[name] == "" {
			matched++
		}
	}
	t.Logf("%d/%d recorded AWS histories matched", matched, len(names))
}

// runForHistory runs def on input in virtual time with a seeded random
// source and returns the history normalized as localstack's snapshots are.
func runForHistory(t *testing.T, def, input []byte) []any {
	t.Helper()
	m, err := interpreter.Compile(def)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	res, _ := m.Run(context.Background(), input,
		interpreter.WithClock(interpreter.NewVirtualClock(xt0)), interpreter.WithSeed(1),
		interpreter.WithHistory(), interpreter.WithStateMachineName(awsMachineName),
		interpreter.WithExecutionName(awsExecName), interpreter.WithRegion(awsRegion),
		interpreter.WithAccountID(awsAccount), interpreter.WithRoleArn(awsRoleArn))
	if res == nil {
		t.Fatal("no result")
	}
	b, err := json.Marshal(res.History)
	if err != nil {
		t.Fatal(err)
	}
	var events []any
	if err := json.Unmarshal(b, &events); err != nil {
		t.Fatal(err)
	}
	return normalizeHistory(events)
}

var (
	// localstack-snapshot's PATTERN_ISO8601 (not anchored: dates inside
	// strings become "date" too; impossible dates such as month 13 stay).
	isoDate      = regexp.MustCompile(`[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-][01]\d:?([0-5]\d)?)`)
	uuidPattern  = regexp.MustCompile(`[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}`)
	timestampKey = regexp.MustCompile(`(?i)timestamp`)
	// localstack's _transform_stepfunctions_cause_details: the JSON quoted
	// at the end of a cause.
	causeInput = regexp.MustCompile(`^.*'(\{.*\})'`)
)

// normalizeHistory does to our events what localstack's snapshot session
// did to AWS's (localstack-snapshot and
// localstack-core/localstack/testing/snapshots/transformer_utility.py):
// string values that start with "{" and are JSON become that JSON; event
// timestamps become "timestamp" and ISO dates elsewhere "date"; the role
// becomes "snf_role_arn", the machine and execution names, region and
// partition <...> placeholders; JSON quoted in a cause becomes
// <json-input:N>.
func normalizeHistory(events []any) []any {
	var inputs []string
	var walk func(v any, key string) any
	walk = func(v any, key string) any {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				v[k] = walk(e, k)
			}
			return v
		case []any:
			for i, e := range v {
				v[i] = walk(e, "")
			}
			return v
		case string:
			if key == "cause" {
				if m := causeInput.FindStringSubmatch(v); m != nil && json.Valid([]byte(m[1])) && !slices.Contains(inputs, m[1]) {
					inputs = append(inputs, m[1])
				}
			}
			if strings.HasPrefix(v, "{") {
				var j any
				if json.Unmarshal([]byte(v), &j) == nil {
					return j
				}
			}
			return v
		}
		return v
	}
	for i, e := range events {
		events[i] = walk(e, "")
	}
	b, _ := json.Marshal(events)
	s := string(b)
	replace := func(old, new string) {
		ob, _ := json.Marshal(old)
		nb, _ := json.Marshal(new)
		s = strings.ReplaceAll(s, string(ob[1:len(ob)-1]), string(nb[1:len(nb)-1]))
	}
	for i, in := range inputs {
		replace(in, fmt.Sprintf("<json-input:%d>", i+1))
	}
	replace(awsRoleArn, "snf_role_arn")
	replace("arn:aws:", "arn:<partition>:")
	replace(":"+awsRegion+":", ":<region>:")
	replace(awsExecName, "<ExecArnPart_0idx>")
	replace(awsMachineName, "<ArnPart_0idx>")
	var out []any
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	if err := d.Decode(&out); err != nil {
		panic(err)
	}
	// SNAPSHOT_BASIC_TRANSFORMER: the value of a key ending in "id" that
	// is a UUID becomes <uuid:N> everywhere; ISO dates become "date"; the
	// value of a key naming a timestamp that is no ISO date becomes
	// "timestamp".
	var uuids []string
	var keys func(v any, key string) any
	keys = func(v any, key string) any {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				v[k] = keys(e, k)
			}
			return v
		case []any:
			for i, e := range v {
				v[i] = keys(e, "")
			}
			return v
		case string:
			if strings.HasSuffix(strings.ToLower(key), "id") && uuidPattern.MatchString(v) && !slices.Contains(uuids, v) {
				uuids = append(uuids, v)
			}
		}
		return v
	}
	keys(out, "")
	b, _ = json.Marshal(out)
	s = string(b)
	for i, u := range uuids {
		s = strings.ReplaceAll(s, u, fmt.Sprintf("<uuid:%d>", i+1))
	}
	s = isoDate.ReplaceAllString(s, "date")
	out = nil
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		panic(err)
	}
	var stamps func(v any, key string) any
	stamps = func(v any, key string) any {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				v[k] = stamps(e, k)
			}
			return v
		case []any:
			for i, e := range v {
				v[i] = stamps(e, "")
			}
			return v
		}
		if timestampKey.MatchString(key) {
			if str, ok := v.(string); !ok || !isoDate.MatchString(str) || isoDate.FindStringIndex(str)[0] != 0 {
				return "timestamp"
			}
		}
		return v
	}
	return stamps(out, "").([]any)
}

// sortParallelEvents is localstack's SfnNoneRecursiveParallelTransformer
// (localstack-core/localstack/testing/pytest/stepfunctions/utils.py): the
// events between ParallelStateStarted and the Parallel state's end get id
// [0] and previousEventId 0 and are sorted. As there, the sorted events
// replace the slice up to each later Parallel end event, so the
// ParallelStateSucceeded before a ParallelStateExited drops out; the
// recordings show that.
func sortParallelEvents(events []any) []any {
	key := func(e any) string { b, _ := json.Marshal(e); return string(b) }
	start, in := 0, false
	var sub []any
	for i := 0; i < len(events); i++ {
		e, _ := events[i].(map[string]any)
		switch typ, _ := e["type"].(string); typ {
		case "ParallelStateSucceeded", "ParallelStateAborted", "ParallelStateExited", "ParallelStateFailed":
			sorted := slices.Clone(sub)
			sort.SliceStable(sorted, func(a, b int) bool { return key(sorted[a]) < key(sorted[b]) })
			events = slices.Concat(events[:start], sorted, events[i:])
			i = start + len(sorted)
			in = false
		case "ParallelStateStarted":
			in, sub, start = true, nil, i+1
		default:
			if in {
				e["id"] = []any{float64(0)}
				e["previousEventId"] = float64(0)
				sub = append(sub, e)
			}
		}
	}
	return events
}

// Every execution on AWS has a role; without WithRoleArn the interpreter
// names one, and ExecutionStarted and $$.Execution.RoleArn show it.
func TestDefaultRoleArn(t *testing.T) {
	res, err := xrun(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"role.$":"$$.Execution.RoleArn"},"End":true}}}`, `{}`,
		interpreter.WithHistory(), interpreter.WithStateMachineName("sm"), interpreter.WithAccountID("210987654321"))
	if err != nil {
		t.Fatal(err)
	}
	const want = "arn:aws:iam::210987654321:role/StepFunctions-sm-role"
	if got := res.History[0].ExecutionStartedEventDetails.RoleArn; got != want {
		t.Errorf("ExecutionStarted roleArn %q, want %q", got, want)
	}
	if got := string(res.Output); got != `{"role":"`+want+`"}` {
		t.Errorf("output %s", got)
	}
}

// Concurrent Parallel branches each count their events from
// ParallelStateStarted, and the state goes on from the last event of any
// branch (as the recorded parallel_fail and parallel_order show; with
// branches running at once the order of their events is not fixed).
func TestParallelBranchEventChains(t *testing.T) {
	def := `{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"A1","States":{"A1":{"Type":"Pass","Next":"A2"},"A2":{"Type":"Pass","End":true}}},
		{"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}}]}}}`
	res, err := xrun(t, def, `{}`, interpreter.WithHistory())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]interpreter.Event{}
	var started, succeeded, exited interpreter.Event
	var last int64
	for _, e := range res.History {
		if e.PreviousEventID >= e.ID {
			t.Errorf("event %d (%s) follows event %d", e.ID, e.Type, e.PreviousEventID)
		}
		switch e.Type {
		case "ParallelStateStarted":
			started = e
		case "ParallelStateSucceeded":
			succeeded = e
		case "ParallelStateExited":
			exited = e
		case "PassStateEntered", "PassStateExited":
			byName[e.Type+" "+firstNonEmpty(e)] = e
			last = max(last, e.ID)
		}
	}
	for _, first := range []string{"PassStateEntered A1", "PassStateEntered B1"} {
		if got := byName[first].PreviousEventID; got != started.ID {
			t.Errorf("%s follows event %d, want ParallelStateStarted (%d)", first, got, started.ID)
		}
	}
	if got := byName["PassStateEntered A2"].PreviousEventID; got != byName["PassStateExited A1"].ID {
		t.Errorf("A2 entered after event %d, want A1's exit %d", got, byName["PassStateExited A1"].ID)
	}
	if succeeded.PreviousEventID != last || exited.PreviousEventID != last {
		t.Errorf("ParallelStateSucceeded follows %d and ParallelStateExited %d, want both the last branch event %d",
			succeeded.PreviousEventID, exited.PreviousEventID, last)
	}
}

func firstNonEmpty(e interpreter.Event) string {
	if e.StateEnteredEventDetails != nil {
		return e.StateEnteredEventDetails.Name
	}
	return e.StateExitedEventDetails.Name
}
