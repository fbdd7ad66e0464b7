package console

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/server"
)

// runOnServer runs a definition on a local server (virtual time) and
// returns its history as the console reads it, and how it ended.
func runOnServer(t *testing.T, def, input string) ([]event, executionDesc) {
	t.Helper()
	s, err := server.New(server.Config{Addr: "127.0.0.1:0", VirtualTime: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c, err := New(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var m struct{ StateMachineArn string }
	if err := c.call(ctx, "CreateStateMachine", map[string]any{"name": "m", "definition": def, "roleArn": roleARN}, &m); err != nil {
		t.Fatal(err)
	}
	var ex struct{ ExecutionArn string }
	if err := c.call(ctx, "StartExecution", map[string]any{"stateMachineArn": m.StateMachineArn, "input": input}, &ex); err != nil {
		t.Fatal(err)
	}
	var d executionDesc
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if err := c.call(ctx, "DescribeExecution", map[string]any{"executionArn": ex.ExecutionArn}, &d); err != nil {
			t.Fatal(err)
		}
		if d.Status != "RUNNING" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("still running")
		}
	}
	events, err := c.history(ctx, ex.ExecutionArn)
	if err != nil {
		t.Fatal(err)
	}
	return events, d
}

// TestTimelineLanes checks the timeline's rows for executions run by
// hsc serve: each state visit in its Parallel branch (numbered as the
// definition orders the branches) or Map iteration, nested, with its
// outcome.
func TestTimelineLanes(t *testing.T) {
	for _, tc := range []struct {
		name, def, input string
		want             []string // label: status, in any order
	}{
		{
			name:  "parallel",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"A1","States":{"A1":{"Type":"Pass","Next":"A2"},"A2":{"Type":"Pass","End":true}}},{"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}}]}}}`,
			input: `{}`,
			want:  []string{"P: succeeded", "branch 1: succeeded", "branch 1 › A1: succeeded", "branch 1 › A2: succeeded", "branch 2: succeeded", "branch 2 › B1: succeeded"},
		},
		{
			name:  "map of parallels",
			def:   `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}},{"StartAt":"Y","States":{"Y":{"Type":"Pass","End":true}}}]}}}}}}`,
			input: `[1, 2]`,
			want: []string{"M: succeeded",
				"M[0]: succeeded", "M[0] › P: succeeded", "M[0] › branch 1: succeeded", "M[0] › branch 1 › X: succeeded", "M[0] › branch 2: succeeded", "M[0] › branch 2 › Y: succeeded",
				"M[1]: succeeded", "M[1] › P: succeeded", "M[1] › branch 1: succeeded", "M[1] › branch 1 › X: succeeded", "M[1] › branch 2: succeeded", "M[1] › branch 2 › Y: succeeded"},
		},
		{
			name:  "a failing branch",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}},{"StartAt":"OK","States":{"OK":{"Type":"Pass","End":true}}}]}}}`,
			input: `{}`,
			want:  []string{"P: failed", "branch 1: failed", "branch 1 › F: failed", "branch 2: succeeded", "branch 2 › OK: succeeded"},
		},
		{
			name:  "caught and then failed",
			def:   `{"StartAt":"T","States":{"T":{"Type":"Parallel","Next":"Bad","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Bad"}],"Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}]},"Bad":{"Type":"Fail","Error":"Final","Cause":"c"}}}`,
			input: `{}`,
			want:  []string{"T: caught", "branch 1: failed", "branch 1 › F: failed", "Bad: failed"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, d := runOnServer(t, tc.def, tc.input)
			m, err := asl.Parse([]byte(tc.def))
			if err != nil {
				t.Fatal(err)
			}
			spans := timeline(events, d.StopDate.Time(), d.Status != "SUCCEEDED", branchStarts(m, nil))
			var got []string
			for _, s := range spans {
				got = append(got, s.Label+": "+s.Status)
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("rows\n%s\nwant\n%s\nevents: %s", strings.Join(got, "\n"), strings.Join(want, "\n"), dump(events))
			}
			svg := string(timelineSVG(spans, d.StartDate.Time(), d.StopDate.Time()))
			if n := strings.Count(svg, `<rect `); n != len(spans) {
				t.Errorf("%d bars for %d rows", n, len(spans))
			}
		})
	}
}

func dump(events []event) string {
	var b strings.Builder
	for _, e := range events {
		d, _ := json.Marshal(e.detail("name"))
		b.WriteString("\n  " + e.Type + " " + string(d))
	}
	return b.String()
}

func TestFmtDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0 ms", 12 * time.Millisecond: "12 ms", 1250 * time.Millisecond: "1.25 s",
		3*time.Minute + 4*time.Second: "3 m 4 s", 2*time.Hour + 5*time.Minute: "2 h 5 m", -1: "—",
	} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
