package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/goccy/go-graphviz"
)

// Formats Render writes.
const (
	FormatDOT     = "dot"
	FormatMermaid = "mermaid"
	FormatSVG     = "svg"
	FormatPNG     = "png"
)

// Formats lists the formats Render writes.
func Formats() []string { return []string{FormatDOT, FormatMermaid, FormatSVG, FormatPNG} }

// Render writes the graph in format: DOT and Mermaid as text, SVG and PNG
// laid out and drawn by Graphviz (run as WebAssembly inside the process,
// so no Graphviz installation is needed). Graphs of more than
// LayeredThreshold nodes are laid out by hsc's own layered layout
// (Graphviz would take minutes), with Parallel branches and Map iterators
// boxed; their PNG is scaled down to at most 40 megapixels and refused
// when that would leave the text unreadable.
//
// PNG is drawn by this package's renderer (see pngRenderer) from
// Graphviz's layout, in the Go Regular font.
func (g *Graph) Render(ctx context.Context, format string, w io.Writer) error {
	switch format {
	case FormatDOT:
		return g.DOT(w)
	case FormatMermaid:
		return g.Mermaid(w)
	case FormatSVG, FormatPNG:
		if len(g.Nodes) > LayeredThreshold {
			if format == FormatPNG {
				return g.layeredPNG(w)
			}
			return g.layeredSVG(w)
		}
		return g.renderGraphviz(ctx, format, w)
	}
	return fmt.Errorf("graph: unknown format %q (want dot, mermaid, svg or png)", format)
}

func (g *Graph) renderGraphviz(ctx context.Context, format string, w io.Writer) (err error) {
	var dot bytes.Buffer
	if err := g.DOT(&dot); err != nil {
		return err
	}
	if format == FormatPNG {
		return renderPNG(ctx, dot.Bytes(), w)
	}
	gv, err := graphviz.New(ctx)
	if err != nil {
		return fmt.Errorf("graph: starting Graphviz: %w", err)
	}
	defer func() {
		if cerr := gv.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	parsed, err := graphviz.ParseBytes(dot.Bytes())
	if err != nil {
		return fmt.Errorf("graph: Graphviz rejected the DOT text: %w", err)
	}
	defer func() {
		if cerr := parsed.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	var out bytes.Buffer
	if err := gv.Render(ctx, parsed, graphviz.Format(format), &out); err != nil {
		return fmt.Errorf("graph: Graphviz %s rendering: %w", format, err)
	}
	_, err = w.Write(out.Bytes())
	return err
}
