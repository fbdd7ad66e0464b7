package main

import (
	"fmt"

	"github.com/spf13/cobra"

	hsc "github.com/hsc-dev/hsc"
)

// addCompatFlag adds --compat to a command that compiles Heaviside
// programs; compatOption reads it.
func addCompatFlag(cmd *cobra.Command, g *globalFlags) {
	cmd.Flags().StringVar(&g.compat, "compat", "", "compile .hsd as `LANG`: heaviside turns every DSL extension off (heaviside 2.2.5's language and errors)")
}

// compatOption returns the compile option --compat selects.
func compatOption(g *globalFlags) (hsc.Option, error) {
	c, err := hsc.ParseCompat(g.compat)
	if err != nil {
		return nil, usageError{fmt.Errorf("--compat: %w", err)}
	}
	return hsc.WithCompat(c), nil
}
