package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/diag"
)

func newCheckCmd(g *globalFlags) *cobra.Command {
	var strict bool
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Check States Language definitions and Heaviside programs for what AWS would reject",
		Long: `Check each FILE against the rules AWS Step Functions applies when a state machine
is created. A .json, .sfn or .asl.json file is checked as a States Language
definition; a .hsd file is compiled first and each problem is reported at the
line of the state that caused it.

Problems are printed to standard output as file:line:col: severity: message.
Unreachable states, machines with no reachable terminal state and a misplaced
States.ALL are warnings (heaviside generates them; AWS rejects them); --strict
makes them errors. The exit status is 1 when there is an error, else 0.`,
		Example: `  hsc check workflow.hsd
  hsc check --strict build/*.asl.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := false
			for _, name := range args {
				diags := checkFile(name, g)
				for _, d := range diags {
					if strict {
						d.Severity = diag.SevError
					}
					if d.Severity == diag.SevError {
						failed = true
					}
					fmt.Fprintln(cmd.OutOrStdout(), formatCheckDiag(d))
				}
			}
			if failed {
				return exitError{exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings (unreachable states, no terminal state, misplaced States.ALL) as errors")
	return cmd
}

// formatCheckDiag renders d as "file:line:col: severity: message" (the
// position is left out when unknown).
func formatCheckDiag(d *diag.Error) string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Pos.IsValid() {
		fmt.Fprintf(&b, ":%d:%d", d.Pos.Line, d.Pos.Col)
	}
	fmt.Fprintf(&b, ": %s: %s", d.Severity, d.Msg)
	return b.String()
}

// checkFile reads, compiles if needed and validates one file, returning
// every problem as a diagnostic.
func checkFile(name string, g *globalFlags) []*diag.Error {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".hsd"):
		return checkHeaviside(name, g)
	case strings.HasSuffix(lower, ".json"), strings.HasSuffix(lower, ".sfn"):
		src, err := os.ReadFile(name)
		if err != nil {
			return []*diag.Error{{File: name, Msg: readErrMsg(err)}}
		}
		diags, err := definitionDiags(name, src, nil)
		if err != nil {
			return []*diag.Error{syntaxDiag(name, err)}
		}
		return diags
	}
	return []*diag.Error{{File: name, Msg: fmt.Sprintf("unknown file type %q: want .hsd, .json, .sfn or .asl.json", filepath.Ext(name))}}
}

func readErrMsg(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func syntaxDiag(name string, err error) *diag.Error {
	var se *asl.SyntaxError
	if errors.As(err, &se) {
		return &diag.Error{File: name, Pos: se.Pos, Msg: "invalid JSON: " + se.Msg}
	}
	return &diag.Error{File: name, Msg: err.Error()}
}

// checkHeaviside compiles a Heaviside program and validates its output.
func checkHeaviside(name string, g *globalFlags) []*diag.Error {
	src, err := os.ReadFile(name)
	if err != nil {
		return []*diag.Error{{File: name, Msg: readErrMsg(err)}}
	}
	res, err := hsc.Compile(src, hsc.WithFilename(name), hsc.WithRegion(g.region), hsc.WithAccountID(g.accountID))
	if err != nil {
		var list diag.List
		var one *diag.Error
		switch {
		case errors.As(err, &list):
			out := make([]*diag.Error, len(list))
			for i, e := range list {
				c := *e
				c.Severity = diag.SevError
				out[i] = &c
			}
			return out
		case errors.As(err, &one):
			c := *one
			c.Severity = diag.SevError
			return []*diag.Error{&c}
		}
		return []*diag.Error{{File: name, Msg: err.Error()}}
	}
	diags, err := definitionDiags(name, res.Definition, res.StatePositions())
	if err != nil { // the compiler wrote bad JSON: a bug, but say so plainly
		d := syntaxDiag(name, err)
		d.Pos = diag.Pos{}
		d.Msg = "compiler output is not valid JSON: " + d.Msg
		return []*diag.Error{d}
	}
	return diags
}

// definitionDiags validates a States Language definition and turns each
// problem into a diagnostic for file. With statePos nil the positions are
// those of the problem in def itself; otherwise def was compiled from the
// source file and each problem is placed at the source position of the
// state it concerns (problems of the machine as a whole at its StartAt
// state, or at 1:1). The error is an *asl.SyntaxError when def is not JSON.
//
// hsc compile can use it to report the validator's warnings against the
// Heaviside source.
func definitionDiags(file string, def []byte, statePos map[string]diag.Pos) ([]*diag.Error, error) {
	root, err := asl.ParseValue(def)
	if err != nil {
		return nil, err
	}
	problems := asl.ValidateValue(root)
	out := make([]*diag.Error, 0, len(problems))
	for _, p := range problems {
		d := &diag.Error{File: file, Pos: p.Pos, Msg: p.Msg, Severity: p.Severity}
		if statePos != nil {
			d.Pos = sourcePos(p, root, statePos)
		}
		out = append(out, d)
	}
	diag.List(out).Sort()
	return out, nil
}

func sourcePos(p asl.Problem, root *asl.Value, statePos map[string]diag.Pos) diag.Pos {
	if pos, ok := statePos[p.State]; ok && p.State != "" {
		return pos
	}
	if start := root.Get("StartAt"); start != nil && start.Kind == asl.KindString {
		if pos, ok := statePos[start.Str]; ok {
			return pos
		}
	}
	return diag.Pos{Offset: 0, Line: 1, Col: 1}
}
