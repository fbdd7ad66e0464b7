// Command hsc is the command-line front end of the hsc toolchain: it compiles
// Heaviside DSL programs and manages state machines. It owns flag parsing,
// exit codes and printing; the work itself lives in the library packages.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // compile errors, failed executions, service errors
	exitUsage   = 2 // bad flags or arguments
)

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
}

// usageError marks an error caused by how hsc was invoked (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitError carries an exit status for errors already reported to stderr.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes hsc with args and returns the exit status. It is the whole
// program, minus os.Exit, so tests can drive it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
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
	if errors.As(err, &ue) || isCobraUsageError(err) {
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
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
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

	root.AddCommand(
		newCompileCmd(g),
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
		// Further subcommands register here, one line each.
	)
	return root
}
