package main

import (
	"github.com/spf13/cobra"
)

func newCompileCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "compile FILE",
		Short: "Compile a Heaviside DSL file to a States Language definition",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError{errNotYet}
		},
	}
}
