package main

// The state-machine lifecycle subcommands: create, update, delete, start,
// stop, status, wait and executions. The work is done by package runtime;
// this file turns flags into calls and results into output.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/runtime"
)

// defaultPollPeriod is how often start and wait ask for an execution's
// status (heaviside sleeps 10 s; a status call is cheap).
const defaultPollPeriod = time.Second

// newClient builds the Step Functions client from the global flags.
func newClient(ctx context.Context, g *globalFlags) (*runtime.Client, error) {
	return runtime.New(ctx, runtime.Config{
		Region:          g.region,
		Profile:         g.profile,
		AccessKey:       g.accessKey,
		SecretKey:       g.secretKey,
		CredentialsFile: g.credentials,
		AccountID:       g.accountID,
		EndpointURL:     g.endpointURL,
	})
}

// clientRunE is the one client setup of the lifecycle commands: it returns
// a cobra RunE that gives fn a context that Ctrl-C cancels and a client
// configured from the global flags. Argument and flag checks that need no
// client belong in check, which runs first (nil for none).
func clientRunE(g *globalFlags, check func(args []string) error,
	fn func(ctx context.Context, cmd *cobra.Command, c *runtime.Client, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if check != nil {
			if err := check(args); err != nil {
				return err
			}
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
		defer stop()
		c, err := newClient(ctx, g)
		if err != nil {
			return err
		}
		return fn(ctx, cmd, c, args)
	}
}

// lookup returns the named state machine; it must exist.
func lookup(ctx context.Context, c *runtime.Client, name string) (*runtime.StateMachine, error) {
	m, err := c.StateMachine(ctx, name)
	if err != nil {
		return nil, err
	}
	if !m.Exists() {
		return nil, fmt.Errorf("%w: %q", runtime.ErrNotFound, name)
	}
	return m, nil
}

// definition returns the definition FILE gives ("-": standard input), by
// hsc's one loader rule: States Language JSON (.json, .asl.json, .sfn, or
// standard input starting with '{') as it is, after checking it is JSON;
// Heaviside source (.hsd, or other standard input) compiled for m.
// Diagnostics are printed in full; errors become exit status 1, warnings
// do not stop.
func definition(ctx context.Context, cmd *cobra.Command, m *runtime.StateMachine, path string) ([]byte, error) {
	src, err := hsc.ReadSource(path, cmd.InOrStdin())
	if err != nil {
		return nil, inputError(err)
	}
	file := path
	if path == "-" {
		file = hsc.StdinName
	}
	dsl, ok := hsc.IsDSLFile(path)
	switch {
	case path == "-":
		dsl = hsc.SniffDSL(src)
	case !ok:
		return nil, inputError(&hsc.InputError{File: path, Err: hsc.UnknownTypeError(path)})
	}
	var def []byte
	var warnings diag.List
	if dsl {
		res, err := m.Compile(ctx, src, file)
		if err != nil {
			return nil, reportDiags(cmd, err)
		}
		def, warnings = res.Definition, res.Warnings
	} else {
		d, err := hsc.Load(path, src)
		if err != nil {
			return nil, reportDiags(cmd, err)
		}
		def = d.JSON // AWS checks the definition itself
	}
	if err := warnings.Fprint(cmd.ErrOrStderr()); err != nil {
		return nil, err
	}
	return def, nil
}

func newCreateCmd(g *globalFlags) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "create FILE ROLE",
		Short: "Compile FILE and create a state machine from it",
		Long: `Compile a Heaviside file (or take a .json / .asl.json States Language file as it
is) and create a Step Functions state machine from it. ROLE is the IAM role the
machine runs as: a full ARN, or a role name in the current account. The machine
is named after the file unless --name is given; it is an error if it exists.
Prints the new machine's ARN.`,
		Example: `  hsc create workflow.hsd StatesExecutionRole
  hsc create --name prod-flow flow.asl.json arn:aws:iam::123456789012:role/States`,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.ExactArgs(2)(cmd, args); err != nil {
				return err
			}
			if args[0] == "-" && name == "" {
				return usageError{errors.New("create -: give the state machine's name with --name")}
			}
			return nil
		},
		RunE: clientRunE(g, nil, func(ctx context.Context, cmd *cobra.Command, c *runtime.Client, args []string) error {
			file, role := args[0], args[1]
			if name == "" {
				name = hsc.MachineName(file)
			}
			m, err := c.StateMachine(ctx, name)
			if err != nil {
				return err
			}
			if m.Exists() {
				return fmt.Errorf("%w: %q (%s)", runtime.ErrExists, name, m.ARN)
			}
			def, err := definition(ctx, cmd, m, file)
			if err != nil {
				return err
			}
			if err := m.Create(ctx, def, role); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), m.ARN)
			return nil
		}),
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "state machine `NAME` (default: the file name without extension; -n is --no-wait in start, as in heaviside)")
	return cmd
}

func newUpdateCmd(g *globalFlags) *cobra.Command {
	var file, role string
	cmd := &cobra.Command{
		Use:   "update NAME",
		Short: "Change a state machine's definition and/or role",
		Long: `Replace the definition of state machine NAME with the compiled --file (or a
.json definition as it is), and/or its IAM role with --role (name or ARN).
Executions started afterwards use the new definition.`,
		Example: `  hsc update workflow --file workflow.hsd
  hsc update workflow --role NewStatesRole`,
		Args: cobra.ExactArgs(1),
		RunE: clientRunE(g, func([]string) error {
			if file == "" && role == "" {
				return usageError{errors.New("update: give --file, --role or both")}
			}
			return nil
		}, func(ctx context.Context, cmd *cobra.Command, c *runtime.Client, args []string) error {
			m, err := lookup(ctx, c, args[0])
			if err != nil {
				return err
			}
			var def []byte
			if file != "" {
				if def, err = definition(ctx, cmd, m, file); err != nil {
					return err
				}
			}
			return m.Update(ctx, def, role)
		}),
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "new definition: Heaviside source, or a .json States Language file")
	cmd.Flags().StringVar(&role, "role", "", "new IAM role name or ARN")
	return cmd
}

func newDeleteCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a state machine",
		Long:  "Delete state machine NAME. It is an error if it does not exist.",
		Args:  cobra.ExactArgs(1),
		RunE: clientRunE(g, nil, func(ctx context.Context, cmd *cobra.Command, c *runtime.Client, args []string) error {
			m, err := c.StateMachine(ctx, args[0])
			if err != nil {
				return err
			}
			return m.Delete(ctx, true)
		}),
	}
}

// waitFlags are the flags of the commands that wait for an execution.
type waitFlags struct {
	period time.Duration
}

func (w *waitFlags) register(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&w.period, "period", defaultPollPeriod, "time between status polls while waiting")
}

func newStartCmd(g *globalFlags) *cobra.Command {
	var (
		inputFile, inputJSON, execName string
		noWait                         bool
		wf                             waitFlags
	)
	cmd := &cobra.Command{
		Use:   "start NAME",
		Short: "Start an execution of a state machine and wait for its output",
		Long: `Start an execution of state machine NAME with JSON input from --json, from the
file --input ("-" for standard input), or {} by default. Without --no-wait, waits
for the execution to finish and prints its output JSON indented by 3, as
heaviside does; if it does not succeed, prints its status, error and cause on
standard error and exits with status 1 (FAILED), 3 (TIMED_OUT) or 4
(ABORTED). With --no-wait (-n, as in heaviside), prints the execution ARN at
once. While waiting, the states entered and the time elapsed are shown on
standard error if it is a terminal. The input must be JSON in UTF-8 (a byte
order mark is skipped) of at most 256 KiB, AWS's limit.`,
		Example: `  hsc start workflow --json '{"id": 7}'
  ARN=$(hsc start workflow --no-wait --input input.json)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if inputFile != "" && inputJSON != "" {
				return usageError{errors.New("start: give --input or --json, not both")}
			}
			input, err := executionInput(cmd.InOrStdin(), inputFile, inputJSON)
			if err != nil {
				return err
			}
			return clientRunE(g, nil, func(ctx context.Context, cmd *cobra.Command, c *runtime.Client, args []string) error {
				m, err := lookup(ctx, c, args[0])
				if err != nil {
					return err
				}
				arn, err := m.Start(ctx, input, execName)
				if err != nil {
					return err
				}
				if noWait {
					fmt.Fprintln(cmd.OutOrStdout(), arn)
					return nil
				}
				return waitAndPrint(ctx, cmd, c, arn, wf)
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&inputFile, "input", "i", "", `file with the JSON input ("-" for standard input)`)
	f.StringVarP(&inputJSON, "json", "j", "", "JSON input")
	f.BoolVarP(&noWait, "no-wait", "n", false, "print the execution ARN instead of waiting (-n as in heaviside; in create, -n is --name)")
	f.StringVar(&execName, "name", "", "execution `NAME` (default: <machine>-<UTC time>)")
	wf.register(cmd)
	return cmd
}

// waitAndPrint waits for an execution and prints its output, or its error
// and cause (exit status 1).
func waitAndPrint(ctx context.Context, cmd *cobra.Command, c *runtime.Client, arn string, wf waitFlags) error {
	opts := runtime.WaitOptions{Period: wf.period}
	stderr := cmd.ErrOrStderr()
	if isTerminal(stderr) {
		fmt.Fprintf(stderr, "waiting for %s\n", arn)
		opts.Progress = progressPrinter(stderr)
	}
	out, err := c.Wait(ctx, arn, opts)
	var ee *runtime.ExecutionError
	if errors.As(err, &ee) {
		return reportFailure(stderr, executionFailure{Status: ee.Status, Error: ee.ErrorName, Cause: ee.Cause, ARN: ee.ExecutionARN})
	}
	if err != nil {
		return err
	}
	pretty, err := pythonIndent(out, 3)
	if err != nil {
		// Not JSON (should not happen): show it as it is.
		pretty = string(out)
	}
	fmt.Fprintln(cmd.OutOrStdout(), pretty)
	return nil
}

// progressPrinter shows each state entered, with the time since the
// execution started.
func progressPrinter(w io.Writer) func(runtime.Progress) {
	return func(p runtime.Progress) {
		fmt.Fprintf(w, "[%7.1fs] entered %s\n", p.Elapsed.Seconds(), p.State)
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newStopCmd(g *globalFlags) *cobra.Command {
	var errName, cause string
	cmd := &cobra.Command{
		Use:   "stop ARN",
		Short: "Stop a running execution",
		Args:  cobra.ExactArgs(1),
		RunE: clientRunE(g, nil, func(ctx context.Context, cmd *cobra.Command, c *runtime.Client, args []string) error {
			return c.StopExecution(ctx, args[0], errName, cause)
		}),
	}
	cmd.Flags().StringVar(&errName, "error", "", "error name to record")
	cmd.Flags().StringVar(&cause, "cause", "", "cause to record")
	return cmd
}

func newStatusCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "status ARN",
		Short: "Print an execution's status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED)",
		Args:  cobra.ExactArgs(1),
		RunE: clientRunE(g, nil, func(ctx context.Context, cmd *cobra.Command, c *runtime.Client, args []string) error {
			st, err := c.Status(ctx, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), st)
			return nil
		}),
	}
}

func newWaitCmd(g *globalFlags) *cobra.Command {
	var wf waitFlags
	cmd := &cobra.Command{
		Use:   "wait ARN",
		Short: "Wait for an execution to finish and print its output",
		Long: `Wait for execution ARN to finish. Prints its output JSON indented by 3; if it
failed, timed out or was aborted, prints its status, error and cause on
standard error and exits with status 1 (FAILED), 3 (TIMED_OUT) or 4
(ABORTED).`,
		Args: cobra.ExactArgs(1),
		RunE: clientRunE(g, nil, func(ctx context.Context, cmd *cobra.Command, c *runtime.Client, args []string) error {
			return waitAndPrint(ctx, cmd, c, args[0], wf)
		}),
	}
	wf.register(cmd)
	return cmd
}

func newExecutionsCmd(g *globalFlags) *cobra.Command {
	var status string
	cmd := &cobra.Command{
		Use:   "executions NAME",
		Short: "List the executions of a state machine",
		Long: `List every execution of state machine NAME (all pages), one a line:
ARN, status and start time (UTC, RFC 3339), separated by tabs.`,
		Example: `  hsc executions workflow --status RUNNING`,
		Args:    cobra.ExactArgs(1),
		RunE: clientRunE(g, func([]string) error {
			if st := types.ExecutionStatus(strings.ToUpper(status)); st != "" && !validStatus(st) {
				return usageError{fmt.Errorf("executions: unknown --status %q (one of %s)", status, statusList())}
			}
			return nil
		}, func(ctx context.Context, cmd *cobra.Command, c *runtime.Client, args []string) error {
			m, err := lookup(ctx, c, args[0])
			if err != nil {
				return err
			}
			list, err := m.Executions(ctx, types.ExecutionStatus(strings.ToUpper(status)))
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, e := range list {
				start := ""
				if e.StartDate != nil {
					start = e.StartDate.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", aws.ToString(e.ExecutionArn), e.Status, start)
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&status, "status", "", "only executions with this status ("+statusList()+")")
	return cmd
}

func validStatus(st types.ExecutionStatus) bool {
	for _, s := range st.Values() {
		if s == st {
			return true
		}
	}
	return false
}

func statusList() string {
	all := types.ExecutionStatus("").Values()
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = string(s)
	}
	return strings.Join(names, "|")
}

// pythonIndent reformats JSON as Python's json.dumps(value, indent=n) does
// (heaviside prints execution output that way): keys in their order, ": "
// and "," separators, non-ASCII escaped as \uXXXX, numbers as Python prints
// what json.loads made of them. It uses asl's Python-style writer, the one
// the compiler writes definitions with.
func pythonIndent(data []byte, n int) (string, error) {
	v, err := asl.ParseValue(data)
	if err != nil {
		return "", err
	}
	return string(v.EncodePython(asl.PythonFormat{Indent: n, EnsureASCII: true, ReprNumbers: true})), nil
}
