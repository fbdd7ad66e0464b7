package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/runtime"
)

func newCompileCmd(g *globalFlags) *cobra.Command {
	var (
		out      string
		indent   int
		compact  bool
		strict   bool
		sortKeys bool
	)
	cmd := &cobra.Command{
		Use:   "compile FILE",
		Short: "Compile a Heaviside DSL file to a States Language definition",
		Long: `Compile a Heaviside DSL file ("-" for standard input) to Amazon States Language
JSON, as heaviside 2.2.5 does. The output goes to standard output unless -o names
a file. Standard input is read up to 16 MiB.

The definition is then checked with the rules AWS Step Functions applies (the
same check hsc check makes): what AWS would reject is printed as a warning at
the DSL line it comes from, and the definition is still written, as heaviside
writes it; --strict makes those warnings errors. Diagnostics are printed as
file:line:col: severity: message, with the source line and a caret.`,
		Example: `  hsc compile workflow.hsd -o workflow.sfn
  hsc -r us-east-1 -a 123456789012 compile workflow.hsd
  cat workflow.hsd | hsc compile - --compact`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkIndentFlags(cmd, indent, compact); err != nil {
				return err
			}
			dest, err := createOutput("-o", out) // checked before compiling; nil: standard output
			if err != nil {
				return err
			}
			defer dest.Abort()
			name := args[0]
			src, err := hsc.ReadSource(name, cmd.InOrStdin())
			if err != nil {
				return inputError(err)
			}
			// compile takes Heaviside source under any name (as heaviside
			// does), but not what the one rule says is JSON.
			if dsl, ok := hsc.IsDSLFile(name); (ok && !dsl) || (name == "-" && !hsc.SniffDSL(src)) {
				file := name
				if name == "-" {
					file = hsc.StdinName
				}
				return usageError{fmt.Errorf("%s is States Language JSON, not a Heaviside program: there is nothing to compile (hsc check validates it)", file)}
			}
			if name == "-" {
				name = hsc.StdinName
			}
			region, account, err := compileTarget(cmd, g)
			if err != nil {
				return err
			}
			compat, err := compatOption(g)
			if err != nil {
				return err
			}
			opts := []hsc.Option{hsc.WithFilename(name), hsc.WithRegion(region), hsc.WithAccountID(account), compat}
			if strict {
				opts = append(opts, hsc.WithStrict())
			}
			if compact {
				opts = append(opts, hsc.WithCompact())
			} else {
				opts = append(opts, hsc.WithIndent(indent))
			}
			if sortKeys {
				opts = append(opts, hsc.WithSortKeys())
			}
			res, err := hsc.Compile(src, opts...)
			if err != nil {
				return reportDiags(cmd, err)
			}
			if err := diag.List(res.Warnings).Fprint(cmd.ErrOrStderr()); err != nil {
				return err
			}
			if dest == nil {
				_, err = cmd.OutOrStdout().Write(append(res.Definition, '\n'))
				return err
			}
			// Files get exactly what heaviside writes: no trailing newline.
			// Atomic: a failed write leaves the previous file as it was.
			if _, err := dest.Write(res.Definition); err != nil {
				return err
			}
			return dest.Commit()
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the definition to this file (- for standard output)")
	cmd.Flags().IntVar(&indent, "indent", 3, "spaces per indentation level (heaviside's CLI uses 3)")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings (what AWS would reject: unreachable states, no terminal state, ...) as errors")
	cmd.Flags().BoolVar(&compact, "compact", false, "write the definition on one line without spaces")
	addCompatFlag(cmd, g)
	cmd.Flags().BoolVar(&sortKeys, "sort-keys", false, "sort the keys of every object, as heaviside.compile(sort_keys=True)")
	return cmd
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

// reportDiags prints the diagnostics in err with the one printer and
// returns exit status 1, or returns err when it holds none.
func reportDiags(cmd *cobra.Command, err error) error {
	if _, ok := diag.AsList(err); !ok {
		return inputError(err)
	}
	diag.Fprint(cmd.ErrOrStderr(), "hsc", err)
	return exitError{exitFailure}
}

// inputError makes a definition that cannot be read (a missing file, a
// directory, an unknown file type, input over the size limit) a usage
// error: exit status 2.
func inputError(err error) error {
	var ie *hsc.InputError
	if errors.As(err, &ie) {
		return usageError{err}
	}
	return err
}
