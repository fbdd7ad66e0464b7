package main

// The state-machine lifecycle subcommands: create, update, delete, start,
// stop, status, wait and executions. The work is done by package runtime;
// this file turns flags into calls and results into output.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

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

// machineName is the default state machine name for a file: its base name
// without the extension (.hsd, .json or .asl.json).
func machineName(path string) string {
	base := filepath.Base(path)
	if strings.HasSuffix(strings.ToLower(base), ".asl.json") {
		return base[:len(base)-len(".asl.json")]
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// definition reads a .json definition as it is, or compiles Heaviside
// source. Compile errors are printed in full and become exit status 1;
// warnings are printed and do not stop.
func definition(ctx context.Context, cmd *cobra.Command, m *runtime.StateMachine, path string) ([]byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading source: %w", err)
	}
	src = bytes.TrimPrefix(src, utf8BOM)
	if runtime.IsDefinitionFile(path) {
		if !json.Valid(src) {
			return nil, usageError{fmt.Errorf("%s: not valid JSON", path)}
		}
		return src, nil
	}
	res, err := m.Compile(ctx, src, path)
	var list diag.List
	var one *diag.Error
	if errors.As(err, &list) || errors.As(err, &one) {
		printCompileError(cmd.ErrOrStderr(), err)
		return nil, exitError{exitFailure}
	}
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		printDiag(cmd.ErrOrStderr(), w)
	}
	return res.Definition, nil
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
		Args: cobra.ExactArgs(2),
		RunE: clientRunE(g, nil, func(ctx context.Context, cmd *cobra.Command, c *runtime.Client, args []string) error {
			file, role := args[0], args[1]
			if name == "" {
				name = machineName(file)
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
// and "," separators, non-ASCII escaped as \uXXXX, floats in Python's repr.
func pythonIndent(data []byte, n int) (string, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var b strings.Builder
	if err := writePython(dec, &b, n, 0); err != nil {
		return "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", errors.New("trailing data after JSON value")
	}
	return b.String(), nil
}

func writePython(dec *json.Decoder, b *strings.Builder, n, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	newline := func(d int) {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", n*d))
	}
	switch t := tok.(type) {
	case json.Delim:
		closer := byte(']')
		if t == '{' {
			closer = '}'
		}
		b.WriteByte(byte(t))
		first := true
		for dec.More() {
			if !first {
				b.WriteByte(',')
			}
			first = false
			newline(depth + 1)
			if t == '{' {
				key, err := dec.Token()
				if err != nil {
					return err
				}
				writePythonString(b, key.(string))
				b.WriteString(": ")
			}
			if err := writePython(dec, b, n, depth+1); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return err
		}
		if !first {
			newline(depth)
		}
		b.WriteByte(closer)
	case string:
		writePythonString(b, t)
	case json.Number:
		b.WriteString(pythonNumber(string(t)))
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case nil:
		b.WriteString("null")
	}
	return nil
}

func writePythonString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (r >= 0x7f && r <= 0xffff):
				fmt.Fprintf(b, `\u%04x`, r)
			case r > 0xffff:
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// pythonNumber writes a JSON number as Python prints what json.loads made of
// it: integers exactly, floats (a fraction or exponent) in repr form.
func pythonNumber(lit string) string {
	if !strings.ContainsAny(lit, ".eE") {
		if strings.Trim(lit, "-0") == "" {
			return "0"
		}
		return lit
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) {
		if math.IsInf(f, 1) {
			return "Infinity"
		} else if math.IsInf(f, -1) {
			return "-Infinity"
		}
		return lit
	}
	// repr: shortest round-trip digits; scientific when exp < -4 or >= 16.
	digits := strconv.FormatFloat(math.Abs(f), 'e', -1, 64) // d.ddde±XX
	mant, expStr, _ := strings.Cut(digits, "e")
	exp, _ := strconv.Atoi(expStr)
	sign := ""
	if math.Signbit(f) {
		sign = "-"
	}
	if exp < -4 || exp >= 16 {
		return sign + mant + fmt.Sprintf("e%+03d", exp)
	}
	s := strconv.FormatFloat(math.Abs(f), 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return sign + s
}
