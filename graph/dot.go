package graph

import (
	"bytes"
	"io"
	"strings"
)

// DOT writes the graph as Graphviz DOT text. The same graph always gives
// the same bytes.
func (g *Graph) DOT(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString("digraph StateMachine {\n")
	b.WriteString("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=11, nodesep=0.3, ranksep=0.4];\n")
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=11, style=\"filled\", penwidth=1.2];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#4b5563\", arrowsize=0.7];\n")
	if g.Root.Label != "" {
		b.WriteString("  label=" + dotQuote(g.Root.Label) + "; labelloc=t;\n")
	}
	g.dotCluster(&b, g.Root, "  ")
	for _, e := range g.Edges {
		b.WriteString("  " + e.From + " -> " + e.To)
		var attrs []string
		if e.Label != "" {
			attrs = append(attrs, "label="+dotQuote(e.Label))
		}
		switch e.Kind {
		case EdgeCatch:
			attrs = append(attrs, "style=dashed", `color="#dc2626"`, `fontcolor="#dc2626"`)
		case EdgeBranch:
			attrs = append(attrs, `color="#9ca3af"`)
		}
		if len(attrs) > 0 {
			b.WriteString(" [" + strings.Join(attrs, ", ") + "]")
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func (g *Graph) dotCluster(b *bytes.Buffer, c *Cluster, indent string) {
	for _, n := range c.Nodes {
		st := nodeStyle(n, g.History)
		attrs := []string{"shape=" + st.shape, "fillcolor=" + dotQuote(st.fill), "color=" + dotQuote(st.color)}
		switch n.Type {
		case KindStart:
			attrs = append(attrs, `label=" "`, "fixedsize=true", "width=0.25", `tooltip="Start"`)
		case KindEnd:
			attrs = append(attrs, `label=" "`, "fixedsize=true", "width=0.22", `tooltip="End"`)
		case KindJoin:
			attrs = append(attrs, `label=" "`, "width=0.08")
		default:
			attrs = append(attrs, "label="+dotQuote(strings.Join(labelLines(n), "\n")))
			if n.Tooltip != "" {
				attrs = append(attrs, "tooltip="+dotQuote(n.Tooltip))
			}
			if st.font != "" {
				attrs = append(attrs, "fontcolor="+dotQuote(st.font))
			}
			style := "filled"
			if n.Type == "Task" || n.Type == "Pass" {
				style += ",rounded"
			}
			if st.dash {
				style += ",dashed"
			}
			attrs[len(attrs)-1] += ", style=" + dotQuote(style)
			if g.History && n.IsState() {
				attrs = append(attrs, "class="+dotQuote("outcome-"+strings.ReplaceAll(outcomeOr(n), " ", "-")))
			}
		}
		b.WriteString(indent + n.ID + " [" + strings.Join(attrs, ", ") + "];\n")
	}
	for _, sub := range c.Clusters {
		b.WriteString(indent + "subgraph cluster_" + sub.ID + " {\n")
		in := indent + "  "
		b.WriteString(in + "label=" + dotQuote(sub.Label) + "; style=\"rounded,dashed\"; color=\"#9ca3af\"; fontcolor=\"#4b5563\";\n")
		g.dotCluster(b, sub, in)
		b.WriteString(indent + "}\n")
	}
}

func outcomeOr(n *Node) string {
	if n.Outcome == "" {
		return NotReached
	}
	return n.Outcome
}

// dotQuote quotes s as a DOT string; newlines become \n line breaks.
func dotQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
