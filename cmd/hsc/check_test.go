package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/internal/sfnlocal"
	"github.com/hsc-dev/hsc/internal/testenv"
)

func writeCheckFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckCommand(t *testing.T) {
	dir := writeCheckFiles(t, map[string]string{
		"good.asl.json": `{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}`,
		"bad.json": "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"},\n" +
			"    \"Ü\": {\"Type\": \"Succeed\"}\n  }\n}\n",
		"warn.sfn":    "{\"StartAt\": \"A\",\n \"States\": {\"A\": {\"Type\": \"Succeed\"},\n  \"Dead\": {\"Type\": \"Succeed\"}}}",
		"broken.json": "{\n  \"StartAt\": \"A\",\n  \"States\": {\"A\": {\"Type\": \"Succeed\"}}\n  \"x\": 1}",
		"good.hsd":    "Pass()\n    \"\"\"Start\"\"\"\nSuccess()\n",
		"dead.hsd":    "Pass()\n    \"\"\"Start\"\"\"\nFail('E', 'cause')\n\nPass()\n    \"\"\"Dead\"\"\"\n",
		"syntax.hsd":  "Pass()\n    retry [] 1 1 1.0\n",
		"notes.txt":   "hello",
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string // stdout lines, in order
		wantErr  string   // substring of stderr
	}{
		{name: "valid definition", args: []string{p("good.asl.json")}},
		{name: "valid program", args: []string{p("good.hsd")}},
		{name: "errors and warning positioned in JSON", args: []string{p("bad.json")}, wantCode: 1, want: []string{
			p("bad.json") + ":3:13: warning: no terminal state of the state machine is reachable from StartAt, so it can never finish",
			p("bad.json") + `:4:35: error: Next names state "B", which does not exist`,
			p("bad.json") + `:5:5: warning: state "Ü" is not reachable: no StartAt, Next, Default or Catch leads to it`,
		}},
		{name: "warnings only", args: []string{p("warn.sfn")}, want: []string{
			p("warn.sfn") + `:3:3: warning: state "Dead" is not reachable: no StartAt, Next, Default or Catch leads to it`,
		}},
		{name: "strict", args: []string{"--strict", p("warn.sfn")}, wantCode: 1, want: []string{
			p("warn.sfn") + `:3:3: error: state "Dead" is not reachable: no StartAt, Next, Default or Catch leads to it`,
		}},
		{name: "malformed JSON", args: []string{p("broken.json")}, wantCode: 1, want: []string{
			p("broken.json") + ":4:3: error: invalid JSON: unexpected character '\"', expected ',' or '}'",
		}},
		{name: "dead state in program mapped to its line", args: []string{p("dead.hsd")}, want: []string{
			p("dead.hsd") + `:5:1: warning: state "Dead" is not reachable: no StartAt, Next, Default or Catch leads to it`,
		}},
		{name: "compile error", args: []string{p("syntax.hsd")}, wantCode: 1, want: []string{
			p("syntax.hsd") + ":2:5: error: Pass state cannot contain a Retry modifier",
		}},
		{name: "several files", args: []string{p("good.hsd"), p("warn.sfn"), p("dead.hsd")}, want: []string{
			p("warn.sfn") + `:3:3: warning: state "Dead" is not reachable: no StartAt, Next, Default or Catch leads to it`,
			p("dead.hsd") + `:5:1: warning: state "Dead" is not reachable: no StartAt, Next, Default or Catch leads to it`,
		}},
		{name: "missing file", args: []string{p("nope.json"), p("good.hsd")}, wantCode: 2, want: []string{
			p("nope.json") + ": error: no such file or directory",
		}},
		{name: "unknown extension", args: []string{p("notes.txt")}, wantCode: 2, want: []string{
			p("notes.txt") + `: error: unknown file type ".txt": want .hsd (Heaviside DSL) or .json, .asl.json, .sfn (States Language JSON)`,
		}},
		{name: "no files", args: nil, wantCode: 2, wantErr: "requires at least 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runHSC(t, "", append([]string{"check"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stdout %q, stderr %q)", code, tt.wantCode, out, errOut)
			}
			// Diagnostic lines only: the printer's source lines and
			// carets (indented) are tested in package diag.
			var got []string
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if l != "" && !strings.HasPrefix(l, "    ") {
					got = append(got, l)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("stdout:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.wantErr)
			}
		})
	}
}

// parityDir is the shared parity data, read in place.
const parityDir = "../../../shared/parity"

// TestCheckParityPrograms runs hsc check on every corpus and mutant program
// heaviside accepted and holds the result to the manifests'
// validator_on_heaviside_output column: hsc must flag the unreachable
// states and missing terminal states it names, and flag nothing (neither
// errors nor such warnings) where it says ok.
func TestCheckParityPrograms(t *testing.T) {
	reUnreachable := regexp.MustCompile(`^MISSING_TRANSITION_TARGET:State (.*) is not reachable$`)
	flow := regexp.MustCompile(`is not reachable|no terminal state|duplicate state name|Duplicate state name`)
	checked := 0
	for _, sub := range []string{"corpus", "mutants"} {
		dir := filepath.Join(parityDir, sub)
		f, err := os.Open(filepath.Join(dir, "manifest.tsv"))
		if err != nil {
			testenv.Skip(t, "no parity data: "+err.Error())
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header: case region account_id heaviside validator_on_heaviside_output
		for sc.Scan() {
			cells := strings.Split(sc.Text(), "\t")
			if len(cells) < 5 || cells[3] != "ok" {
				continue
			}
			name, region, account, verdict := cells[0], cells[1], cells[2], cells[4]
			checked++
			t.Run(sub+"/"+name, func(t *testing.T) {
				hsd := filepath.Join(dir, name+".hsd")
				code, out, errOut := runHSC(t, "", "-r", region, "-a", account, "check", hsd)
				if errOut != "" {
					t.Errorf("stderr: %s", errOut)
				}
				switch {
				case verdict == "ok":
					if code != 0 || flow.MatchString(out) {
						t.Errorf("manifest says ok; exit %d:\n%s", code, out)
					}
				case reUnreachable.MatchString(verdict):
					state := reUnreachable.FindStringSubmatch(verdict)[1]
					if strings.Contains(out, `state "`+state+`" is not reachable`) {
						return
					}
					// D7: hsc does not generate the dead synthetic Loop state
					// of a while loop whose body ends in a goto.
					if strings.HasSuffix(state, "Loop") && !definitionHasState(t, region, account, hsd, state) {
						return
					}
					t.Errorf("want %q flagged as unreachable; got:\n%s", state, out)
				case strings.HasPrefix(verdict, "MISSING_TERMINAL_STATE:"):
					if !strings.Contains(out, "has no terminal state") {
						t.Errorf("want a missing terminal state; got:\n%s", out)
					}
				}
			})
		}
		f.Close()
	}
	if checked == 0 {
		t.Error("no parity case checked")
	}
}

// definitionHasState compiles hsd and reports whether its output has a
// state named name.
func definitionHasState(t *testing.T, region, account, hsd, name string) bool {
	t.Helper()
	code, out, errOut := runHSC(t, "", "-r", region, "-a", account, "compile", "--compact", hsd)
	if code != 0 {
		t.Fatalf("compile %s: %s", hsd, errOut)
	}
	return strings.Contains(out, `"`+name+`":{"Type"`)
}

// TestCompileStrictMatchesCheckStrict runs every Heaviside program of the
// shared parity data (read in place) through hsc compile --strict and hsc
// check --strict: compile must fail exactly when check does, and print the
// same problems at the same lines (compile on standard error, check on
// standard output, through the same printer). Programs are compiled with
// the region and account id their manifest gives.
func TestCompileStrictMatchesCheckStrict(t *testing.T) {
	programs, err := filepath.Glob(filepath.Join(parityDir, "*", "*.hsd"))
	if err != nil || len(programs) == 0 {
		testenv.Skip(t, "no parity programs at "+parityDir+": compile/check agreement not tested")
	}
	targets := map[string][2]string{} // dir/case → region, account id
	for _, dir := range []string{"corpus", "mutants", "edges"} {
		data, err := os.ReadFile(filepath.Join(parityDir, dir, "manifest.tsv"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			if cells := strings.Split(line, "\t"); len(cells) >= 3 {
				targets[dir+"/"+cells[0]] = [2]string{cells[1], cells[2]}
			}
		}
	}
	heads := func(out string) []string {
		var l []string
		for _, line := range strings.Split(out, "\n") {
			if line != "" && !strings.HasPrefix(line, "    ") {
				l = append(l, line)
			}
		}
		return l
	}
	failing := 0
	for _, hsd := range programs {
		id := filepath.Base(filepath.Dir(hsd)) + "/" + strings.TrimSuffix(filepath.Base(hsd), ".hsd")
		tgt := targets[id]
		flags := []string{"-r", tgt[0], "-a", tgt[1]}
		cCode, _, cErr := runHSC(t, "", append(flags, "compile", "--strict", hsd)...)
		kCode, kOut, kErr := runHSC(t, "", append(flags, "check", "--strict", hsd)...)
		if kErr != "" {
			t.Errorf("%s: check wrote to stderr: %s", id, kErr)
		}
		if (cCode == 0) != (kCode == 0) {
			t.Errorf("%s: compile --strict exit %d, check --strict exit %d", id, cCode, kCode)
		}
		if got, want := heads(cErr), heads(kOut); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: compile --strict printed\n%s\ncheck --strict printed\n%s", id, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if kCode != 0 {
			failing++
		}
	}
	t.Logf("%d programs, %d fail under --strict", len(programs), failing)
	if failing == 0 || failing == len(programs) {
		t.Errorf("%d of %d programs fail: the comparison tests nothing", failing, len(programs))
	}
}

// TestSfnIsJSONEverywhere is issue 9 item 5: hsc create, update and run
// treat the same .sfn file the same way (States Language JSON, as hsc
// compile -o writes it), and create - takes a definition from standard
// input with --name. Needs the local Step Functions server.
func TestSfnIsJSONEverywhere(t *testing.T) {
	dir := t.TempDir()
	def := `{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"from": "sfn"}, "End": true}}}`
	sfn := writeFile(t, dir, "flow.sfn", def)
	if code, out, errs := runHSC(t, "", "run", sfn); code != 0 || strings.TrimSpace(out) != `{"from":"sfn"}` {
		t.Fatalf("run .sfn: exit %d, %q, %s", code, out, errs)
	}
	name := sfnlocal.Name(t, "sfn")
	t.Cleanup(func() { local(t, "", "delete", name) })
	mustLocal(t, "", "create", "--name", name, sfn, sfnlocal.RoleARN)
	if code, out, errs := local(t, "", "start", "--period", "20ms", name); code != 0 || !strings.Contains(out, `"from": "sfn"`) {
		t.Fatalf("start after create .sfn: exit %d, %q, %s", code, out, errs)
	}
	fromStdin := strings.Replace(def, "sfn", "stdin", 1)
	mustLocal(t, fromStdin, "update", name, "--file", "-")
	if code, out, errs := local(t, "", "start", "--period", "20ms", name); code != 0 || !strings.Contains(out, `"from": "stdin"`) {
		t.Fatalf("start after update -: exit %d, %q, %s", code, out, errs)
	}
	other := sfnlocal.Name(t, "stdin")
	t.Cleanup(func() { local(t, "", "delete", other) })
	mustLocal(t, "Pass()\n", "create", "--name", other, "-", sfnlocal.RoleARN)
}
