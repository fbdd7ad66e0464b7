package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/diag"
)

func newCheckCmd(g *globalFlags) *cobra.Command {
	var (
		strict bool
		format string
	)
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Check States Language definitions and Heaviside programs for what AWS would reject",
		Long: `Check each FILE ("-" for standard input) against the rules AWS Step Functions
applies when a state machine is created. A .json, .sfn or .asl.json file is
checked as a States Language definition; a .hsd file is compiled first and each
problem is reported at the DSL line it comes from: these are exactly the
warnings hsc compile prints for it. Standard input is JSON when its first
non-blank character is '{', Heaviside DSL otherwise.

Problems are printed to standard output as file:line:col: severity: message,
with the source line and a caret (--format json: a JSON array of objects with
file, line, column, pointer, severity, code and message). In a definition,
unreachable states, machines with no reachable terminal state and a misplaced
States.ALL are warnings, everything else errors; in a Heaviside program every
problem is a warning (heaviside writes such definitions), except compile
errors. --strict makes every problem an error. The exit status is 1 when there
is an error, 2 when a file cannot be read (missing, a directory, an unknown
type, over 16 MiB), else 0.`,
		Example: `  hsc check workflow.hsd
  hsc check --strict build/*.asl.json
  hsc check --format json workflow.hsd | jq '.[] | .line'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Errorf("--format %q: want text or json", format)}
			}
			compat, err := compatOption(g)
			if err != nil {
				return err
			}
			opts := []hsc.Option{hsc.WithRegion(g.region), hsc.WithAccountID(g.accountID), compat}
			if strict {
				opts = append(opts, hsc.WithStrict())
			}
			var all diag.List
			for _, name := range args {
				all = append(all, hsc.CheckFile(name, cmd.InOrStdin(), opts...)...)
			}
			err = nil
			if format == "json" {
				err = writeProblemsJSON(cmd.OutOrStdout(), all)
			} else {
				err = all.Fprint(cmd.OutOrStdout())
			}
			if err != nil {
				return fmt.Errorf("writing problems: %w", err)
			}
			for _, d := range all {
				if d.Code == hsc.CodeInputError {
					return exitError{exitUsage} // unreadable input, as for every command
				}
			}
			if all.HasErrors() {
				return exitError{exitFailure}
			}
			return nil
		},
	}
	addCompatFlag(cmd, g)
	cmd.Flags().BoolVar(&strict, "strict", false, "treat every problem (unreachable states, no terminal state, misplaced States.ALL, ...) as an error")
	cmd.Flags().StringVar(&format, "format", "text", "output `FORMAT`: text, or json for CI and editors")
	return cmd
}

// problemJSON is one problem as hsc check --format json prints it. Line and
// column are 1-based, 0 when unknown; the column counts characters.
type problemJSON struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Pointer  string `json:"pointer"`
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

func writeProblemsJSON(w io.Writer, l diag.List) error {
	out := make([]problemJSON, len(l))
	for i, d := range l {
		out[i] = problemJSON{File: d.File, Line: d.Line(), Column: d.Column(), Pointer: d.Pointer,
			Severity: d.Severity.String(), Code: d.Code, Message: d.Msg}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
