package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hscRun runs the hsc command line with args.
func hscRun(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const greetProgram = `"""Greets, retrying the lambda and falling back on failure."""
Pass()
    """Prepare"""
    data:
        {"greeting": "Hello"}
    result: '$.config'

Lambda('greet')
    """Greet"""
    result: '$.message'
    retry ['Flaky'] 1 2 2.0
    catch []: '$.error'
        Fail('GreetFailed', 'The greeting lambda failed')
            """GiveUp"""

if '$.message.lang' == 'fr':
    """Language"""
    Pass()
        """French"""
        data:
            {"bonjour": true}
else:
    Wait(seconds=3600)
        """Pause"""

Success()
    """Done"""
`

const loopDef = `{"StartAt":"Check","States":{
 "Check":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericLessThanPath":"$.n","Next":"Inc"}],"Default":"Done"},
 "Inc":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)","n.$":"$.n"},"Next":"Check"},
 "Done":{"Type":"Succeed"}}}`

const mockConfig = `{
  "StateMachines": {
    "greet": {
      "TestCases": {
        "HappyPath": {"Greet": "MockedGreetFr"},
        "RetryPath": {"Greet": "MockedFlakyThenEn"},
        "FailPath": {"Greet": "MockedFailure"}
      }
    }
  },
  "MockedResponses": {
    "MockedGreetFr": {"0": {"Return": {"lang": "fr"}}},
    "MockedFlakyThenEn": {"0": {"Throw": {"Error": "Flaky", "Cause": "try again"}}, "1": {"Return": {"lang": "en"}}},
    "MockedFailure": {"0-2": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}}}
  }
}`

func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	greet := write("greet.hsd", greetProgram)
	loop := write("loop.json", loopDef)
	mock := write("mock.json", mockConfig)
	input := write("input.json", `{"i":5,"n":7}`)
	hist := filepath.Join(dir, "history.json")
	badHsd := write("bad.hsd", "Pass()\n    retry [] 1 1 1.0\n")
	fail := write("fail.json", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Oops","Cause":"it broke"}}}`)

	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantOut  string   // exact stdout
		wantErr  []string // substrings of stderr
	}{
		{name: "json definition with --json", args: []string{"run", loop, "--max-events", "0", "--json", `{"i":0,"n":20000}`}, wantOut: "{\"i\":20000,\"n\":20000}\n"},
		{name: "benchmark loop file", args: []string{"run", "../../interpreter/testdata/count-loop.asl.json", "--max-events", "0", "--json", `{"i":0,"n":20000}`}, wantOut: "{\"i\":20000,\"n\":20000}\n"},
		{name: "--input file", args: []string{"run", loop, "--input", input}, wantOut: "{\"i\":7,\"n\":7}\n"},
		{name: "--input -", stdin: `{"i":1,"n":2}`, args: []string{"run", loop, "--input", "-"}, wantOut: "{\"i\":2,\"n\":2}\n"},
		{name: "hsd with --task", args: []string{"run", greet, "--task", `greet=echo '{"lang":"fr"}'`}, wantOut: "{\"bonjour\":true}\n"},
		{name: "task gets its input on stdin", args: []string{"run", greet, "--virtual-time", "--task", `greet=sed 's/"config"/"lang":"en","config"/'`},
			wantOut: "{\"config\":{\"greeting\":\"Hello\"},\"message\":{\"lang\":\"en\",\"config\":{\"greeting\":\"Hello\"}}}\n"},
		{name: "--trace", args: []string{"run", greet, "--trace", "--task", `greet=echo '{"lang":"fr"}'`}, wantOut: "{\"bonjour\":true}\n",
			wantErr: []string{"enter Prepare (Pass) input: {}\n", "exit  Prepare output: {\"config\":{\"greeting\":\"Hello\"}}\n", "enter Greet (Task)", "exit  Done output: {\"bonjour\":true}\n"}},
		// Issue 10.22: a task command's standard error after a success shows with --trace.
		{name: "--trace shows task stderr", args: []string{"run", greet, "--trace", "--task", `greet=echo 'looking up' >&2; echo 'found fr' >&2; echo '{"lang":"fr"}'`},
			wantOut: "{\"bonjour\":true}\n", wantErr: []string{"      Greet stderr: looking up\n      Greet stderr: found fr\n"}},
		{name: "task failure is caught", args: []string{"run", greet, "--task", `greet=echo broken >&2; exit 3`}, wantCode: 1,
			wantErr: []string{"execution FAILED", "error: GreetFailed", "cause: The greeting lambda failed"}},
		{name: "task error from JSON stderr is retried", args: []string{"run", greet, "--virtual-time", "--trace", "--task",
			`greet=if [ "$HSC_ATTEMPT" = 0 ]; then echo '{"Error":"Flaky","Cause":"once"}' >&2; exit 1; fi; echo '{"lang":"fr"}'`},
			wantOut: "{\"bonjour\":true}\n", wantErr: []string{"task failed: Flaky: once"}},
		{name: "unmapped task", args: []string{"run", greet}, wantCode: 1, wantErr: []string{`no task mapping for state "Greet"`, "function:greet"}},
		{name: "mock happy path", args: []string{"run", greet, "--mock", mock, "--test-case", "HappyPath"}, wantOut: "{\"bonjour\":true}\n"},
		{name: "mock retry path", args: []string{"run", greet, "--virtual-time", "--mock", mock, "--test-case", "RetryPath"},
			wantOut: "{\"config\":{\"greeting\":\"Hello\"},\"message\":{\"lang\":\"en\"}}\n"},
		{name: "mock failure path", args: []string{"run", greet, "--mock", mock, "--test-case", "FailPath"}, wantCode: 1, wantErr: []string{"error: GreetFailed"}},
		{name: "mock unknown test case", args: []string{"run", greet, "--mock", mock, "--test-case", "Nope"}, wantCode: 1, wantErr: []string{`no test case "Nope"`, "HappyPath"}},
		{name: "--history", args: []string{"run", loop, "--json", `{"i":0,"n":1}`, "--history", hist}, wantOut: "{\"i\":1,\"n\":1}\n"},
		{name: "Fail state", args: []string{"run", fail}, wantCode: 1, wantErr: []string{"error: Oops", "cause: it broke"}},
		{name: "compile error", args: []string{"run", badHsd}, wantCode: 1, wantErr: []string{"Retry"}},
		{name: "bad input JSON", args: []string{"run", loop, "--json", `{"i":`}, wantCode: 2, wantErr: []string{"the input in --json is not valid JSON: line 1, column 5"}},
		{name: "bad definition", args: []string{"run", input, "--no-validate"}, wantCode: 1, wantErr: []string{"invalid definition"}},
		{name: "definition AWS would reject", args: []string{"run", write("nostart.json", `{"StartAt":"X","States":{"A":{"Type":"Pass","End":true}}}`)}, wantCode: 1,
			wantErr: []string{"nostart.json:1:", "error:", "the definition is invalid"}},
		{name: "missing file", args: []string{"run", filepath.Join(dir, "nope.json")}, wantCode: 2, wantErr: []string{"no such file"}},
		{name: "bad --task", args: []string{"run", loop, "--task", "justaname"}, wantCode: 2, wantErr: []string{"want NAME=COMMAND"}},
		{name: "--input and --json", args: []string{"run", loop, "--input", input, "--json", "{}"}, wantCode: 2, wantErr: []string{"only one of"}},
		{name: "--mock without --test-case", args: []string{"run", loop, "--mock", mock}, wantCode: 2, wantErr: []string{"--mock needs --test-case"}},
		{name: "no file", args: []string{"run"}, wantCode: 2, wantErr: []string{"accepts 1 arg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := hscRun(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			if tt.wantCode == 0 && out != tt.wantOut {
				t.Errorf("stdout %q, want %q", out, tt.wantOut)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stderr shows a crash:\n%s", errOut)
			}
		})
	}

	// The history file holds GetExecutionHistory-shaped events.
	b, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Events []struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Events); n < 2 || h.Events[0].Type != "ExecutionStarted" || h.Events[n-1].Type != "ExecutionSucceeded" {
		t.Errorf("history events %+v", h.Events)
	}
}
