package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/graph"
)

func newGraphCmd(g *globalFlags) *cobra.Command {
	var (
		format  string
		out     string
		history string
		open    bool
	)
	cmd := &cobra.Command{
		Use:   "graph FILE",
		Short: "Draw a state machine as a graph (SVG, PNG, Graphviz DOT or Mermaid)",
		Long: `Draw a Heaviside program or a States Language definition ("-" for standard
input) as a graph: every state a node shaped and coloured by its type, Start and
End markers, Parallel branches and Map iterators as nested clusters, Choice edges
labelled with their conditions (for a program, as the source writes them),
Catch edges dashed with their error names, and retries on the node.

--history colours the states by what an execution did (succeeded, failed,
caught, not reached), with visit counts on loops and the failing state's error
and cause; it reads what hsc run --history writes, or GetExecutionHistory's JSON
from AWS.

-f picks the format: svg and png are laid out and drawn inside hsc (Graphviz
compiled to WebAssembly; nothing to install); dot and mermaid are text for
other tools. Without -f the format follows -o's extension, else dot. The output
goes to standard output unless -o names a file.

--open shows the result in the desktop's viewer for its type (xdg-open on
Linux and the BSDs, open on macOS, the file association on Windows); without
-o it is written to a temporary file first, as SVG unless -f says otherwise.`,
		Example: `  hsc graph workflow.hsd -o workflow.svg
  hsc graph workflow.hsd -f mermaid
  hsc run workflow.hsd --history run.json; hsc graph workflow.hsd --history run.json -o run.svg`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if open && out == "-" {
				return usageError{fmt.Errorf("--open needs a file: give -o FILE or leave -o out")}
			}
			if open && out == "" {
				if format == "" {
					format = graph.FormatSVG
				}
				tmp, err := os.CreateTemp("", "hsc-graph-*."+graphExt(format))
				if err != nil {
					return err
				}
				tmp.Close()
				out = tmp.Name()
			}
			if format == "" {
				format = graph.FormatDOT
				if ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), "."); out != "" && out != "-" {
					if ext == "mmd" || ext == "mermaid" {
						ext = graph.FormatMermaid
					}
					if !slices.Contains(graph.Formats(), ext) {
						return usageError{fmt.Errorf("-o %s: cannot tell the format from the extension; give -f %s", out, strings.Join(graph.Formats(), "|"))}
					}
					format = ext
				}
			}
			if !slices.Contains(graph.Formats(), format) {
				return usageError{fmt.Errorf("-f %q: want one of %s", format, strings.Join(graph.Formats(), ", "))}
			}
			var opts graph.Options
			if history != "" {
				data, err := readLimited(history)
				if err != nil {
					return usageError{fmt.Errorf("--history: %w", err)}
				}
				h, err := graph.ParseHistory(data)
				if err != nil {
					return usageError{fmt.Errorf("--history %s: %w", history, err)}
				}
				opts.History = h
			}
			dest, err := createOutput("-o", out)
			if err != nil {
				return err
			}
			defer dest.Abort()
			compat, err := compatOption(g)
			if err != nil {
				return err
			}
			def, err := hsc.LoadFile(args[0], cmd.InOrStdin(), hsc.WithRegion(g.region), hsc.WithAccountID(g.accountID), compat)
			if err != nil {
				return reportDiags(cmd, err)
			}
			m, err := asl.Parse(def.JSON)
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", def.File, err)
				return exitError{exitFailure}
			}
			if def.DSL && def.Compiled != nil {
				opts.Source = &graph.Source{File: def.File, Text: def.Source,
					States: def.Compiled.StatePositions(), Pointers: def.Compiled.SourceMap()}
			}
			gr, err := graph.Build(m, opts)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := gr.Render(cmd.Context(), format, &buf); err != nil {
				return err
			}
			if dest == nil {
				_, err = cmd.OutOrStdout().Write(buf.Bytes())
				return err
			}
			if _, err := dest.Write(buf.Bytes()); err != nil {
				return err
			}
			if err := dest.Commit(); err != nil {
				return err
			}
			if open {
				return openFile(cmd, out)
			}
			return nil
		},
	}
	addCompatFlag(cmd, g)
	cmd.Flags().StringVarP(&format, "format", "f", "", "output format: svg, png, dot or mermaid (default: from -o's extension, else dot)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the graph to this file (- for standard output)")
	cmd.Flags().BoolVar(&open, "open", false, "show the result in the desktop's viewer (a temporary SVG file unless -o or -f say otherwise)")
	cmd.Flags().StringVar(&history, "history", "", "colour the states by the execution in this history `FILE` (hsc run --history, or GetExecutionHistory JSON)")
	return cmd
}

// readLimited reads a history file of at most 256 MiB (AWS's 25,000
// events at 256 KiB of payload each would be more, but such histories are
// not written by hsc run; the bound keeps memory finite).
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	const limit = 256 << 20
	var b bytes.Buffer
	n, err := b.ReadFrom(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, limit>>20)
	}
	return b.Bytes(), nil
}

// graphExt is the file extension of a graph format.
func graphExt(format string) string {
	if format == graph.FormatMermaid {
		return "mmd"
	}
	return format
}

// openFile shows path in the desktop's viewer for its type and returns
// once the opener has handed it over (openers return at once).
func openFile(cmd *cobra.Command, path string) error {
	var argv []string
	switch goruntime.GOOS {
	case "darwin":
		argv = []string{"open", path}
	case "windows":
		argv = []string{"rundll32", "url.dll,FileProtocolHandler", path}
	default:
		argv = []string{"xdg-open", path}
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	c.Stdout, c.Stderr = cmd.ErrOrStderr(), cmd.ErrOrStderr()
	if err := c.Run(); err != nil {
		return fmt.Errorf("--open: %s %s: %w (the graph is in %s)", argv[0], path, err, path)
	}
	fmt.Fprintln(cmd.ErrOrStderr(), path)
	return nil
}
