// Command hsc is the command-line front end of the hsc toolchain: it compiles
// Heaviside DSL programs and manages state machines. It owns flag parsing,
// exit codes and printing; the work itself lives in the library packages.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hsc-dev/hsc/internal/atomicfile"
)

// Exit codes (README.md and hsc --help document them).
const (
	exitOK       = 0
	exitFailure  = 1 // compile errors, invalid definitions, failed executions, service and write errors
	exitUsage    = 2 // bad flags or arguments, unreadable or invalid input
	exitTimedOut = 3 // the execution ended TIMED_OUT (run, start, wait); worker: see exitInterrupted
	exitAborted  = 4 // the execution ended ABORTED (run on Ctrl-C, start, wait)
)

// exitCodesHelp is the exit-code table shown by hsc --help.
const exitCodesHelp = `Exit status:
  0  success
  1  compile errors, an invalid definition, a failed execution, an AWS or
     write error
  2  usage errors (bad flags or arguments) and unreadable or invalid input
  3  the execution timed out (run, start, wait); hsc worker: tasks still
     running at shutdown were failed with hsc.WorkerShutdown
  4  the execution was aborted (run on Ctrl-C, start, wait)`

// globalFlags are the flags every subcommand accepts, with heaviside's
// spellings, defaulting from the environment as heaviside does.
type globalFlags struct {
	credentials string
	region      string
	accountID   string
	secretKey   string
	accessKey   string
	profile     string
	endpointURL string
	// compat is --compat of the commands that compile Heaviside programs.
	compat string
}

// usageError marks an error caused by how hsc was invoked, or by input it
// cannot read or use (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// checkedWriter remembers the first error writing to w (standard output
// full, closed or gone), so that every command's output is checked in one
// place instead of at each fmt.Fprint.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// exitError carries an exit status for errors already reported to stderr.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes hsc with args and returns the exit status. It is the whole
// program, minus os.Exit, so tests can drive it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := &checkedWriter{w: stdout}
	code := execute(args, stdin, out, stderr)
	if out.err == nil {
		out.err = syncOutput(stdout)
	}
	if out.err != nil {
		fmt.Fprintf(stderr, "hsc: writing standard output: %v\n", out.err)
		if code == exitOK {
			code = exitFailure
		}
	}
	return code
}

// syncOutput flushes standard output when it is a file, so that an error
// only the disk reports (a full disk, a quota) is not lost. Terminals,
// pipes and devices such as /dev/null cannot be synced; that is no error.
func syncOutput(w io.Writer) error {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	return f.Sync()
}

// execute runs the command line and turns its error into an exit status,
// printing the error unless it was already reported.
func execute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(stderr, "hsc: %v\n", err)
	var ue usageError
	var pe *fs.PathError
	if errors.As(err, &ue) || errors.As(err, &pe) || isCobraUsageError(err) {
		return exitUsage
	}
	return exitFailure
}

// isCobraUsageError recognises the errors cobra and pflag return for bad
// command lines, which are plain errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires exactly", "bad flag syntax"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:           "hsc",
		Short:         "Compile Heaviside DSL to the Amazon States Language and manage Step Functions",
		Long:          "Compile Heaviside DSL to the Amazon States Language, check and run state machines\nlocally, and manage them on AWS Step Functions.\n\n" + exitCodesHelp,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		//lint:ignore ST1005 the message is printed to a person as is
		return usageError{fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	// heaviside spells some flags with underscores (--account_id); accept both.
	root.SetGlobalNormalizationFunc(func(f *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "_", "-"))
	})
	pf := root.PersistentFlags()
	pf.StringVarP(&g.credentials, "credentials", "c", os.Getenv("AWS_CREDENTIALS"), "heaviside-style JSON credentials file (env AWS_CREDENTIALS)")
	pf.StringVarP(&g.region, "region", "r", os.Getenv("AWS_REGION"), "AWS region (env AWS_REGION)")
	pf.StringVarP(&g.accountID, "account-id", "a", os.Getenv("AWS_ACCOUNT_ID"), "AWS account id (env AWS_ACCOUNT_ID)")
	pf.StringVar(&g.secretKey, "secret-key", os.Getenv("AWS_SECRET_KEY"), "AWS secret key (env AWS_SECRET_KEY)")
	pf.StringVar(&g.accessKey, "access-key", os.Getenv("AWS_ACCESS_KEY"), "AWS access key (env AWS_ACCESS_KEY)")
	pf.StringVar(&g.profile, "profile", "", "AWS shared-config profile")
	pf.StringVar(&g.endpointURL, "endpoint-url", "", "Step Functions endpoint URL (default: the SDK's, or AWS_ENDPOINT_URL_SFN / AWS_ENDPOINT_URL)")
	hideUnusedGlobals(root)

	root.AddCommand(
		newCompileCmd(g),
		newDecompileCmd(g),
		newFmtCmd(),
		newCheckCmd(g),
		newCreateCmd(g),
		newUpdateCmd(g),
		newDeleteCmd(g),
		newStartCmd(g),
		newStopCmd(g),
		newStatusCmd(g),
		newWaitCmd(g),
		newExecutionsCmd(g),
		newRunCmd(g),
		newWorkerCmd(g),
		newServeCmd(g),
		newGraphCmd(g),
		newVersionCmd(),
		// Further subcommands register here, one line each.
	)
	return root
}

// globalsUsed names the global flags a command reads; the others are
// accepted anywhere (heaviside puts them before the subcommand) but left
// out of its help. Commands not listed use every one.
func globalsUsed(c *cobra.Command) (names []string, all bool) {
	switch c.Name() {
	case "compile":
		return []string{"region", "account-id", "credentials"}, false
	case "check", "run", "serve", "graph", "decompile":
		return []string{"region", "account-id"}, false
	case "fmt", "version", "completion", "help", "bash", "zsh", "fish", "powershell":
		return nil, false
	}
	return nil, true
}

// hideUnusedGlobals makes the help of each command list only the global
// flags it uses.
func hideUnusedGlobals(root *cobra.Command) {
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		var hidden []*pflag.Flag
		if used, all := globalsUsed(c); c != root && !all {
			root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
				if !f.Hidden && !slices.Contains(used, f.Name) {
					f.Hidden = true
					hidden = append(hidden, f)
				}
			})
		}
		help(c, args)
		for _, f := range hidden {
			f.Hidden = false
		}
	})
}

// checkIndentFlags refuses --indent with --compact, and a negative
// --indent (usage errors).
func checkIndentFlags(cmd *cobra.Command, indent int, compact bool) error {
	if compact && cmd.Flags().Changed("indent") {
		return usageError{errors.New("use only one of --indent and --compact")}
	}
	if indent < 0 {
		return usageError{fmt.Errorf("--indent must be 0 or more, not %d", indent)}
	}
	return nil
}

// createOutput prepares the file an output flag names, so that a path that
// cannot be written is a usage error before any work is done (nil, nil for
// "" and "-": standard output). Write to the file, then Commit; defer
// Abort (safe on nil).
func createOutput(flag, path string) (*atomicfile.File, error) {
	if path == "" || path == "-" {
		return nil, nil
	}
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", flag, err)}
	}
	return f, nil
}
