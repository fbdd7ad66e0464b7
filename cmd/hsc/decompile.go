package main

import (
	"fmt"

	"github.com/spf13/cobra"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/decompile"
)

func newDecompileCmd(g *globalFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "decompile DEF.json",
		Short: "Write a States Language definition as a Heaviside DSL program",
		Long: `Write a States Language definition ("-" for standard input) as a Heaviside
DSL program that hsc compile turns back into the same definition (as JSON: the
same states, names, fields and values). State names become docstrings, Choice
states if/elif/else, switch or while blocks, Parallel and Map states blocks.
Tasks become Lambda('name') or Activity('name') when their ARN is in the
region and account given (-r, -a: the ones hsc compile will be given),
Step Functions' integrations by name (DynamoDB.GetItem(), S3.GetObject()),
Arn('...') otherwise. Heaviside's language is written wherever it says the
definition, the DSL extensions for the rest (docs/dsl-extensions.md). The
program is laid out as hsc fmt lays it out. What the DSL cannot express is an
error naming the state and the field. The output goes to standard output
unless -o names a file.`,
		Example: `  hsc decompile workflow.json -o workflow.hsd`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dest, err := createOutput("-o", out) // checked before reading; nil: standard output
			if err != nil {
				return err
			}
			defer dest.Abort()
			def, err := hsc.LoadFile(args[0], cmd.InOrStdin())
			if err != nil {
				return reportDiags(cmd, err)
			}
			m, err := asl.Parse(def.JSON)
			if err != nil {
				return fmt.Errorf("%s: %w", def.File, err)
			}
			text, err := decompile.Decompile(m, decompile.WithRegion(g.region), decompile.WithAccountID(g.accountID))
			if err != nil {
				return fmt.Errorf("%s: %w", def.File, err)
			}
			if dest == nil {
				_, err = cmd.OutOrStdout().Write(text)
				return err
			}
			if _, err := dest.Write(text); err != nil {
				return err
			}
			return dest.Commit()
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the program to this file (- for standard output)")
	return cmd
}
