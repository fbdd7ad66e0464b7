package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// versionString describes this build: the module version (a tag, a
// pseudo-version, or "(devel)" for a build from a work tree), the VCS
// commit it was built from, whether the tree had changes, and the Go
// version and platform.
func versionString() string {
	return formatVersion(debug.ReadBuildInfo())
}

func formatVersion(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return fmt.Sprintf("hsc (no build information) %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, when, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", with uncommitted changes"
			}
		}
	}
	commit := "commit unknown (built without VCS information)"
	if rev != "" {
		commit = "commit " + rev
		if when != "" {
			commit += " of " + when
		}
		commit += modified
	}
	return fmt.Sprintf("hsc %s, %s, %s %s/%s", version, commit, info.GoVersion, runtime.GOOS, runtime.GOARCH)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hsc's version and the commit it was built from",
		Long: `Print the module version of hsc, the version-control commit it was built
from (with "with uncommitted changes" when the work tree had any), and the Go
version and platform. hsc --version prints the same.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return nil
		},
	}
}
