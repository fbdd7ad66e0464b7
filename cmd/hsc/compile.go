package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/internal/atomicfile"
	"github.com/hsc-dev/hsc/runtime"
)

func newCompileCmd(g *globalFlags) *cobra.Command {
	var (
		out     string
		indent  int
		compact bool
		strict  bool
	)
	cmd := &cobra.Command{
		Use:   "compile FILE",
		Short: "Compile a Heaviside DSL file to a States Language definition",
		Long: `Compile a Heaviside DSL file ("-" for standard input) to Amazon States Language
JSON, as heaviside 2.2.5 does. The output goes to standard output unless -o names
a file. Errors are printed as file:line:col: message, with the source line.`,
		Example: `  hsc compile workflow.hsd -o workflow.sfn
  hsc -r us-east-1 -a 123456789012 compile workflow.hsd
  cat workflow.hsd | hsc compile - --compact`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkIndentFlags(cmd, indent, compact); err != nil {
				return err
			}
			name := args[0]
			var src []byte
			var err error
			if name == "-" {
				src, err = io.ReadAll(cmd.InOrStdin())
				name = "<stdin>"
			} else {
				src, err = os.ReadFile(name)
			}
			if err != nil {
				return fmt.Errorf("reading source: %w", err)
			}
			region, account, err := compileTarget(cmd, g)
			if err != nil {
				return err
			}
			opts := []hsc.Option{hsc.WithFilename(name), hsc.WithRegion(region), hsc.WithAccountID(account)}
			if strict {
				opts = append(opts, hsc.WithStrict())
			}
			if compact {
				opts = append(opts, hsc.WithCompact())
			} else {
				opts = append(opts, hsc.WithIndent(indent))
			}
			res, err := hsc.Compile(src, opts...)
			if err != nil {
				printCompileError(cmd.ErrOrStderr(), err)
				return exitError{exitFailure}
			}
			for _, w := range res.Warnings {
				printDiag(cmd.ErrOrStderr(), w)
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(append(res.Definition, '\n'))
				return err
			}
			// Files get exactly what heaviside writes: no trailing newline.
			// Atomic: a failed write leaves the previous file as it was.
			if err := atomicfile.WriteFile(out, res.Definition, 0o644); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the definition to this file (- for standard output)")
	cmd.Flags().IntVar(&indent, "indent", 3, "spaces per indentation level (heaviside's CLI uses 3)")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings (unreachable states, no terminal state) as errors")
	cmd.Flags().BoolVar(&compact, "compact", false, "write the definition on one line without spaces")
	return cmd
}

// printCompileError prints each diagnostic in err, or err itself.
func printCompileError(w io.Writer, err error) {
	var list diag.List
	if errors.As(err, &list) {
		for _, e := range list {
			printDiag(w, e)
		}
		return
	}
	var e *diag.Error
	if errors.As(err, &e) {
		printDiag(w, e)
		return
	}
	fmt.Fprintf(w, "hsc: %v\n", err)
}

func printDiag(w io.Writer, e *diag.Error) {
	msg := e.Error()
	if e.Severity == diag.SevWarning {
		msg = e.File + ":" + e.Pos.String() + ": warning: " + e.Msg
	}
	fmt.Fprintln(w, msg)
	if s := e.Snippet(); s != "" {
		fmt.Fprintln(w, s)
	}
}

// compileTarget picks the region and account id for ARNs as heaviside's CLI
// does: a flag (or its environment variable) wins, then the credentials
// file's region/aws_region and account_id/aws_account_id, else "".
func compileTarget(cmd *cobra.Command, g *globalFlags) (region, account string, err error) {
	region, account = g.region, g.accountID
	given := func(flag, env string) bool {
		_, inEnv := os.LookupEnv(env)
		return cmd.Flags().Changed(flag) || inEnv
	}
	regionGiven, accountGiven := given("region", "AWS_REGION"), given("account-id", "AWS_ACCOUNT_ID")
	if g.credentials != "" && (!regionGiven || !accountGiven) {
		c, err := runtime.ReadCredentialsFile(g.credentials)
		if err != nil {
			return "", "", err
		}
		if !regionGiven {
			region = c.Region
		}
		if !accountGiven {
			account = c.AccountID
		}
	}
	return region, account, nil
}
