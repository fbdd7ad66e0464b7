package graph

import (
	"fmt"
	"strings"

	"github.com/hsc-dev/hsc/asl"
)

// style is how a node is drawn.
type style struct {
	shape string // Graphviz shape
	fill  string
	color string // outline
	font  string
	dash  bool
}

// typeStyle is a state type's shape and colour without a history.
func typeStyle(typ string) style {
	switch typ {
	case asl.TypeTask:
		return style{shape: "box", fill: "#dbeafe", color: "#2563eb"}
	case asl.TypeChoice:
		return style{shape: "diamond", fill: "#fef3c7", color: "#d97706"}
	case asl.TypePass:
		return style{shape: "box", fill: "#f3f4f6", color: "#6b7280"}
	case asl.TypeWait:
		return style{shape: "hexagon", fill: "#ede9fe", color: "#7c3aed"}
	case asl.TypeSucceed:
		return style{shape: "doubleoctagon", fill: "#d1fae5", color: "#059669"}
	case asl.TypeFail:
		return style{shape: "octagon", fill: "#fee2e2", color: "#dc2626"}
	case asl.TypeParallel:
		return style{shape: "box3d", fill: "#cffafe", color: "#0891b2"}
	case asl.TypeMap:
		return style{shape: "component", fill: "#fce7f3", color: "#db2777"}
	case KindStart:
		return style{shape: "circle", fill: "#111827", color: "#111827"}
	case KindEnd:
		return style{shape: "doublecircle", fill: "#111827", color: "#111827"}
	case KindJoin:
		return style{shape: "point", fill: "#6b7280", color: "#6b7280"}
	}
	return style{shape: "box", fill: "#ffffff", color: "#000000"}
}

// Outcome colours (fill) used with a history.
const (
	ColorSucceeded  = "#86efac"
	ColorFailed     = "#f87171"
	ColorCaught     = "#fdba74"
	ColorRunning    = "#93c5fd"
	ColorNotReached = "#ffffff"
)

// nodeStyle is the node's style, coloured by outcome with a history.
func nodeStyle(n *Node, history bool) style {
	st := typeStyle(n.Type)
	if !history || !n.IsState() {
		return st
	}
	switch n.Outcome {
	case Succeeded:
		st.fill = ColorSucceeded
	case Failed:
		st.fill = ColorFailed
	case Caught:
		st.fill = ColorCaught
	case Running:
		st.fill = ColorRunning
	default:
		st.fill, st.color, st.font, st.dash = ColorNotReached, "#9ca3af", "#9ca3af", true
	}
	return st
}

// labelLines are the lines of a state node's label.
func labelLines(n *Node) []string {
	lines := []string{n.Name}
	if n.Retries > 0 {
		lines = append(lines, fmt.Sprintf("retry ×%d", n.Retries))
	}
	if n.Visits > 1 {
		lines = append(lines, fmt.Sprintf("visited ×%d", n.Visits))
	}
	if n.Error != "" || n.Cause != "" {
		lines = append(lines, clip(strings.TrimSpace(n.Error+": "+n.Cause), 60))
	}
	return lines
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
