package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/internal/atomicfile"
	"github.com/hsc-dev/hsc/internal/taskcmd"
	"github.com/hsc-dev/hsc/interpreter"
)

type runFlags struct {
	input       string
	jsonInput   string
	trace       bool
	tasks       []string
	mock        string
	testCase    string
	name        string
	history     string
	childHist   string
	virtualTime bool
	noValidate  bool
	maxEvents   int
	timeout     time.Duration
}

func newRunCmd(g *globalFlags) *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a state machine locally, in-process",
		Long: `Run executes a state machine on this machine, without AWS. FILE is a Heaviside
program (.hsd, compiled first) or a States Language definition (JSON).

The execution input comes from --input FILE (- for standard input) or --json;
it defaults to {}. It must be JSON in UTF-8 (a byte order mark is skipped) of
at most 256 KiB, AWS's limit. On success the output JSON is printed on
standard output and the exit status is 0. Otherwise the status, error and
cause are printed on standard error, and the exit status is 1 for FAILED, 3
for TIMED_OUT and 4 for ABORTED (Ctrl-C); 2 is a usage error or unreadable
input.

Task states run what you map them to:
  --task NAME=COMMAND   NAME is a state name, a Lambda function name or an
                        activity name (or a full Resource). COMMAND runs with
                        sh -c, gets the task input on standard input and prints
                        the result JSON on standard output; a non-zero exit is
                        a task failure whose cause is standard error (or, if
                        standard error is {"Error": ..., "Cause": ...}, that
                        error). It sees HSC_STATE_NAME, HSC_RESOURCE,
                        HSC_ACTIVITY, HSC_ATTEMPT, HSC_TASK_TOKEN and
                        HSC_CREDENTIALS_ROLE_ARN (the role of the state's
                        Credentials), runs in its own process group, and is stopped (SIGTERM, SIGKILL
                        5 s later) on timeout or Ctrl-C: the contract hsc
                        worker shares (README: "Task commands").
  --mock FILE           a mock configuration in the AWS Step Functions Local
                        format; --test-case picks the test case.
A distributed Map's S3 calls are mapped as STATE/ItemReader (the command
prints the object, or the listing's JSON) and STATE/ResultWriter (it gets
each file as {"Bucket", "Key", "Body"}), in --task and in the mock file.
A Task state with no mapping fails the execution with an error naming it.

--trace prints each state entered and exited, with its input and output, and
what task commands wrote on standard error, on standard error. --history FILE
writes the execution history; FILE is checked before the execution starts and
replaced only when the history is complete (written to a temporary file, then
renamed). It holds the parent's events only: a distributed Map's child
executions have histories of their own, as on AWS; --child-histories DIR
writes each STANDARD child's to DIR/NAME.json (NAME: the child execution's
name, the last part of its ARN; EXPRESS children keep no history, as on
AWS). --virtual-time makes Wait states and retry delays take no real time.`,
		Example: `  hsc run workflow.hsd --json '{"name": "Ada"}' --task greet='jq "{message: (\"Hello, \" + .name)}"'
  hsc run machine.asl.json --input event.json --trace
  hsc run machine.asl.json --mock MockConfigFile.json --test-case HappyPath`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMachine(cmd, g, f, args[0])
		},
	}
	fl := cmd.Flags()
	addCompatFlag(cmd, g)
	fl.StringVarP(&f.input, "input", "i", "", "read the execution input JSON from `FILE` (- for standard input)")
	fl.StringVar(&f.jsonInput, "json", "", "the execution input as a JSON `TEXT`")
	fl.BoolVar(&f.trace, "trace", false, "print each state entered and exited, with input and output, on standard error")
	fl.StringArrayVarP(&f.tasks, "task", "t", nil, "run Task `NAME=COMMAND` (repeatable): NAME is a state, Lambda function or activity name")
	fl.StringVar(&f.mock, "mock", "", "mocked task responses from `FILE` (AWS Step Functions Local format)")
	fl.StringVar(&f.testCase, "test-case", "", "the test case `NAME` of --mock to use")
	fl.StringVar(&f.name, "name", "", "state machine `NAME` for ARNs and --mock (default: FILE's base name)")
	fl.StringVar(&f.history, "history", "", "write the execution history (GetExecutionHistory events) as JSON to `FILE`")
	fl.StringVar(&f.childHist, "child-histories", "", "write each STANDARD child execution's history of a distributed Map to `DIR`/NAME.json")
	fl.BoolVar(&f.virtualTime, "virtual-time", false, "simulate time: Wait states and retry delays do not really wait")
	fl.BoolVar(&f.noValidate, "no-validate", false, "run a JSON definition without first checking it as AWS would on creation")
	fl.IntVar(&f.maxEvents, "max-events", interpreter.DefaultMaxEvents, "fail the execution (States.Runtime) after `N` history events, as AWS does at 25,000 (0: no limit)")
	fl.DurationVar(&f.timeout, "timeout", 0, "end the execution as TIMED_OUT after `DURATION` on the execution's clock (0: only the machine's TimeoutSeconds)")
	return cmd
}

func runMachine(cmd *cobra.Command, g *globalFlags, f *runFlags, file string) error {
	stderr := cmd.ErrOrStderr()
	if f.input != "" && f.jsonInput != "" {
		return usageError{errors.New("use only one of --input and --json")}
	}
	if file == "-" && f.input == "-" {
		return usageError{errors.New("FILE and --input cannot both be standard input")}
	}
	if f.testCase != "" && f.mock == "" {
		return usageError{errors.New("--test-case needs --mock")}
	}
	if f.mock != "" && f.testCase == "" {
		return usageError{errors.New("--mock needs --test-case")}
	}
	commands := map[string]string{}
	for _, t := range f.tasks {
		name, command, ok := strings.Cut(t, "=")
		if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(command) == "" {
			return usageError{fmt.Errorf("--task %q: want NAME=COMMAND", t)}
		}
		commands[strings.TrimSpace(name)] = command
	}

	// Every output is checked before anything runs (no task side effects
	// for a run whose history cannot be written).
	history, err := createOutput("--history", f.history)
	if err != nil {
		return err
	}
	defer history.Abort()
	children, err := newChildHistories(f.childHist)
	if err != nil {
		return err
	}
	input, err := executionInput(cmd.InOrStdin(), f.input, f.jsonInput)
	if err != nil {
		return err
	}

	def, err := loadDefinition(cmd, file, g, !f.noValidate)
	if err != nil {
		return err
	}
	m, err := interpreter.Compile(def.JSON)
	if err != nil {
		return fmt.Errorf("%s: %w", def.File, err)
	}

	smName := f.name
	if smName == "" {
		smName = def.Name
	}
	var resolvers interpreter.Resolvers
	if f.mock != "" {
		data, err := os.ReadFile(f.mock)
		if err != nil {
			return err
		}
		mc, err := interpreter.ParseMockConfig(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f.mock, err)
		}
		name := smName
		if f.name == "" {
			name = "" // fall back to the file's only state machine
			if _, ok := mc.StateMachines[smName]; ok {
				name = smName
			}
		}
		r, err := mc.Resolver(name, f.testCase)
		if err != nil {
			return fmt.Errorf("%s: %w", f.mock, err)
		}
		resolvers = append(resolvers, r)
	}
	// One writer for the trace and task standard error: tasks run at once.
	traceOut := &lockedWriter{w: stderr}
	if len(commands) > 0 {
		r := taskcmd.NewResolver(commands)
		if f.trace {
			r.Stderr = func(req *interpreter.TaskRequest, text string) { traceStderr(traceOut, req.StateName, text) }
		}
		resolvers = append(resolvers, r)
	}
	opts := []interpreter.Option{
		interpreter.WithStateMachineName(smName),
		interpreter.WithTaskResolver(resolvers),
	}
	if g.region != "" {
		opts = append(opts, interpreter.WithRegion(g.region))
	}
	if g.accountID != "" {
		opts = append(opts, interpreter.WithAccountID(g.accountID))
	}
	if f.virtualTime {
		opts = append(opts, interpreter.WithClock(interpreter.NewVirtualClock(time.Now())))
	}
	// The history streams to its file as events happen: nothing of it is
	// held in memory, and what was written is kept when the run ends by
	// Ctrl-C or a timeout (the last event then says so).
	var hw *historyWriter
	if history != nil {
		hw = newHistoryWriter(history)
	}
	if f.trace || hw != nil {
		opts = append(opts, interpreter.WithEventHook(func(e interpreter.Event) {
			if f.trace {
				traceEvent(traceOut, e)
			}
			if hw != nil {
				hw.add(e)
			}
		}))
	}
	if f.trace || children != nil {
		// A distributed Map's child executions are traced too, each
		// line marked with the child's name, and their histories written
		// with --child-histories (not in --history: they are executions
		// of their own).
		opts = append(opts, interpreter.WithMapRunHook(func(r *interpreter.MapRun) {
			info := r.Info()
			r.SetChildHook(func(c interpreter.ChildExecution) func(interpreter.Event) {
				var tr, hist func(interpreter.Event)
				if f.trace {
					w := &prefixWriter{w: traceOut, prefix: "  [" + c.Name + "] "}
					tr = func(e interpreter.Event) { traceEvent(w, e) }
				}
				if children != nil {
					hist = children.hook(info, c)
				}
				switch {
				case tr == nil:
					return hist
				case hist == nil:
					return tr
				}
				return func(e interpreter.Event) { tr(e); hist(e) }
			})
		}))
	}
	opts = append(opts, interpreter.WithMaxEvents(f.maxEvents), interpreter.WithTimeout(f.timeout))

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	res, err := m.Run(ctx, input, opts...)
	if res == nil {
		return err
	}
	if hw != nil {
		if herr := hw.finish(); herr != nil {
			return fmt.Errorf("--history %s: %w", f.history, herr)
		}
	}
	if children != nil {
		if _, cerr := children.result(); cerr != nil {
			return fmt.Errorf("--child-histories %s: %w", f.childHist, cerr)
		}
	}
	if err != nil {
		ferr := reportFailure(stderr, executionFailure{Status: string(res.Status), Error: res.Error, Cause: res.Cause})
		if strings.HasPrefix(res.Cause, "no task mapping for state") {
			fmt.Fprintln(stderr, "hint: map Task states with --task NAME=COMMAND or --mock FILE --test-case NAME")
		}
		return ferr
	}
	out := cmd.OutOrStdout()
	out.Write(res.Output)
	fmt.Fprintln(out)
	return nil // write errors are caught where standard output is set up (run)
}

// loadDefinition loads file ("-": standard input) with hsc's one loader:
// a Heaviside program is compiled (compile errors are printed and stop the
// run), a States Language definition is, unless validate is false, checked
// for the errors AWS would raise when creating the state machine (warnings
// are left to hsc check).
func loadDefinition(cmd *cobra.Command, file string, g *globalFlags, validate bool) (*hsc.Definition, error) {
	stderr := cmd.ErrOrStderr()
	compat, err := compatOption(g)
	if err != nil {
		return nil, err
	}
	def, err := hsc.LoadFile(file, cmd.InOrStdin(), hsc.WithRegion(g.region), hsc.WithAccountID(g.accountID), hsc.WithCompact(), compat)
	if err != nil {
		return nil, reportDiags(cmd, err)
	}
	if def.DSL || !validate || !def.Problems.HasErrors() {
		return def, nil
	}
	for _, p := range def.Problems {
		if p.Severity == diag.SevError {
			p.Fprint(stderr)
		}
	}
	fmt.Fprintln(stderr, "hsc: the definition is invalid (--no-validate runs it anyway)")
	return nil, exitError{exitFailure}
}

// historyWriter writes events as GetExecutionHistory's output,
// {"events": [...]}, one event at a time, and puts the file in place when
// the execution has ended. The first write error is kept and reported by
// finish; later events are dropped.
type historyWriter struct {
	f   *atomicfile.File
	w   *bufio.Writer
	n   int
	err error
}

func newHistoryWriter(f *atomicfile.File) *historyWriter {
	h := &historyWriter{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	_, h.err = h.w.WriteString("{\n  \"events\": [")
	return h
}

// add appends one event; the hook that calls it is never called
// concurrently.
func (h *historyWriter) add(e interpreter.Event) {
	if h.err != nil {
		return
	}
	b, err := json.MarshalIndent(e, "    ", "  ")
	if err != nil {
		h.err = err
		return
	}
	sep := ",\n    "
	if h.n == 0 {
		sep = "\n    "
	}
	h.n++
	if _, err := h.w.WriteString(sep); err != nil {
		h.err = err
		return
	}
	_, h.err = h.w.Write(b)
}

// finish closes the JSON document and commits the file.
func (h *historyWriter) finish() error {
	if h.err != nil {
		return h.err
	}
	end := "\n  ]\n}\n"
	if h.n == 0 {
		end = "]\n}\n"
	}
	if _, err := h.w.WriteString(end); err != nil {
		return err
	}
	if err := h.w.Flush(); err != nil {
		return err
	}
	return h.f.Commit()
}

// traceEvent prints the events --trace shows.
func traceEvent(w io.Writer, e interpreter.Event) {
	switch {
	case e.StateEnteredEventDetails != nil:
		d := e.StateEnteredEventDetails
		fmt.Fprintf(w, "enter %s (%s) input: %s\n", d.Name, strings.TrimSuffix(e.Type, "StateEntered"), d.Input)
	case e.StateExitedEventDetails != nil:
		d := e.StateExitedEventDetails
		fmt.Fprintf(w, "exit  %s output: %s\n", d.Name, d.Output)
	case e.TaskFailedEventDetails != nil:
		fmt.Fprintf(w, "      task failed: %s: %s\n", e.TaskFailedEventDetails.Error, e.TaskFailedEventDetails.Cause)
	case e.LambdaFunctionFailedEventDetails != nil:
		fmt.Fprintf(w, "      task failed: %s: %s\n", e.LambdaFunctionFailedEventDetails.Error, e.LambdaFunctionFailedEventDetails.Cause)
	case e.ActivityFailedEventDetails != nil:
		fmt.Fprintf(w, "      task failed: %s: %s\n", e.ActivityFailedEventDetails.Error, e.ActivityFailedEventDetails.Cause)
	case e.TaskTimedOutEventDetails != nil:
		fmt.Fprintf(w, "      task timed out: %s\n", e.TaskTimedOutEventDetails.Error)
	case e.LambdaFunctionTimedOutEventDetails != nil:
		fmt.Fprintf(w, "      task timed out: %s\n", e.LambdaFunctionTimedOutEventDetails.Error)
	case e.MapRunStartedEventDetails != nil:
		fmt.Fprintf(w, "      map run %s\n", e.MapRunStartedEventDetails.MapRunArn)
	case e.MapRunFailedEventDetails != nil:
		fmt.Fprintf(w, "      map run failed: %s: %s\n", e.MapRunFailedEventDetails.Error, e.MapRunFailedEventDetails.Cause)
	case e.Type == "MapRunAborted":
		fmt.Fprintf(w, "      map run aborted\n")
	case e.MapIterationStartedEventDetails != nil:
		fmt.Fprintf(w, "      map %s item %d\n", e.MapIterationStartedEventDetails.Name, e.MapIterationStartedEventDetails.Index)
	}
}

// traceStderr prints, for --trace, what a task command wrote on standard
// error, each line indented under the task's state.
func traceStderr(w io.Writer, state, text string) {
	var b strings.Builder
	for line := range strings.Lines(strings.TrimRight(text, "\n")) {
		fmt.Fprintf(&b, "      %s stderr: %s", state, line)
		if !strings.HasSuffix(line, "\n") {
			b.WriteByte('\n')
		}
	}
	io.WriteString(w, b.String())
}

// lockedWriter serialises writes from tasks running at once.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// prefixWriter writes each line with a prefix; each Write is one or more
// whole lines (traceEvent's).
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out []byte
	for line := range strings.Lines(string(b)) {
		out = append(append(out, p.prefix...), line...)
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
