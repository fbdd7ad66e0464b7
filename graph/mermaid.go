package graph

import (
	"bytes"
	"io"
	"strings"

	"github.com/hsc-dev/hsc/asl"
)

// Mermaid writes the graph as a Mermaid flowchart. The same graph always
// gives the same bytes.
func (g *Graph) Mermaid(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString("flowchart TD\n")
	g.mermaidCluster(&b, g.Root, "  ")
	for _, e := range g.Edges {
		arrow := " --> "
		switch {
		case e.Kind == EdgeCatch && e.Label != "":
			arrow = " -. " + mermaidQuote(e.Label) + " .-> "
		case e.Kind == EdgeCatch:
			arrow = " -.-> "
		case e.Label != "":
			arrow = " -- " + mermaidQuote(e.Label) + " --> "
		}
		b.WriteString("  " + e.From + arrow + e.To + "\n")
	}
	// Classes: by type, or by outcome with a history.
	classes := []struct{ name, def string }{
		{"Task", typeClass(asl.TypeTask)}, {"Choice", typeClass(asl.TypeChoice)},
		{"Pass", typeClass(asl.TypePass)}, {"Wait", typeClass(asl.TypeWait)},
		{"Succeed", typeClass(asl.TypeSucceed)}, {"Fail", typeClass(asl.TypeFail)},
		{"Parallel", typeClass(asl.TypeParallel)}, {"Map", typeClass(asl.TypeMap)},
		{"Marker", "fill:#111827,stroke:#111827"},
	}
	if g.History {
		classes = append(classes,
			struct{ name, def string }{"succeeded", "fill:" + ColorSucceeded},
			struct{ name, def string }{"failed", "fill:" + ColorFailed},
			struct{ name, def string }{"caught", "fill:" + ColorCaught},
			struct{ name, def string }{"running", "fill:" + ColorRunning},
			struct{ name, def string }{"notreached", "fill:" + ColorNotReached + ",stroke:#9ca3af,color:#9ca3af,stroke-dasharray:4 3"})
	}
	for _, c := range classes {
		b.WriteString("  classDef " + c.name + " " + c.def + "\n")
	}
	for _, n := range g.Nodes {
		cls := n.Type
		if !n.IsState() {
			cls = "Marker"
		} else if g.History {
			cls = strings.ReplaceAll(outcomeOr(n), " ", "")
		}
		b.WriteString("  class " + n.ID + " " + cls + "\n")
	}
	for _, n := range g.Nodes {
		if n.IsState() && n.Source.IsValid() && n.Tooltip != "" {
			b.WriteString("  click " + n.ID + " call noop() " + mermaidQuote(n.Tooltip) + "\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func typeClass(typ string) string {
	st := typeStyle(typ)
	return "fill:" + st.fill + ",stroke:" + st.color
}

func (g *Graph) mermaidCluster(b *bytes.Buffer, c *Cluster, indent string) {
	for _, n := range c.Nodes {
		var open, close string
		label := strings.Join(labelLines(n), "<br/>")
		switch n.Type {
		case KindStart:
			open, close, label = "((", "))", "Start"
		case KindEnd:
			open, close, label = "(((", ")))", "End"
		case KindJoin:
			open, close, label = "((", "))", " "
		case asl.TypeChoice:
			open, close = "{", "}"
		case asl.TypeWait:
			open, close = "{{", "}}"
		case asl.TypeSucceed:
			open, close = "([", "])"
		case asl.TypeFail:
			open, close = "[[", "]]"
		case asl.TypeParallel, asl.TypeMap:
			open, close = "[/", "/]"
		case asl.TypePass:
			open, close = "[", "]"
		default:
			open, close = "(", ")"
		}
		b.WriteString(indent + n.ID + open + mermaidQuote(label) + close + "\n")
	}
	for _, sub := range c.Clusters {
		b.WriteString(indent + "subgraph " + sub.ID + " [" + mermaidQuote(sub.Label) + "]\n")
		g.mermaidCluster(b, sub, indent+"  ")
		b.WriteString(indent + "end\n")
	}
}

// mermaidQuote quotes s for a Mermaid label, with entity codes for the
// characters Mermaid would read as syntax.
func mermaidQuote(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "\n", "<br/>", "<", "#lt;", ">", "#gt;")
	// <br/> line breaks made by labelLines stay markup.
	parts := strings.Split(s, "<br/>")
	for i, p := range parts {
		parts[i] = r.Replace(p)
	}
	return `"` + strings.Join(parts, "<br/>") + `"`
}
