package graph

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"sort"
	"strconv"
	"strings"
)

// LayeredThreshold is the number of nodes above which SVG is laid out by
// hsc's own layered layout instead of Graphviz: Graphviz's dot layout
// (crossing minimisation and network-simplex placement) grows much faster
// than linearly and takes minutes for a few hundred states with loops.
const LayeredThreshold = 150

// layeredSVG lays the graph out in layers and writes it as SVG: each node's
// layer is its longest distance from a Start marker along forward edges
// (edges back to a node on the current depth-first path are loops and are
// drawn curving to the right), nodes in a layer keep their definition
// order, and edges are straight lines, except loops and edges that would
// cross the nodes of their column (curves round the side). Clusters are
// not boxed: the description of a node in a branch or iterator names it. The cost is linear in nodes
// and edges (plus sorting each layer), so 8,000 states lay out in well
// under a second.
func (g *Graph) layeredSVG(w io.Writer) error {
	n := len(g.Nodes)
	index := make(map[string]int, n)
	for i, nd := range g.Nodes {
		index[nd.ID] = i
	}
	out := make([][]int, n) // edge indexes by source node
	for i, e := range g.Edges {
		f := index[e.From]
		out[f] = append(out[f], i)
	}
	// Mark back edges with an iterative depth-first search from every
	// node in order (Start markers come first in their clusters).
	back := make([]bool, len(g.Edges))
	state := make([]uint8, n) // 0 new, 1 on the path, 2 done
	type frame struct{ node, next int }
	for root := range n {
		if state[root] != 0 {
			continue
		}
		stack := []frame{{root, 0}}
		state[root] = 1
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(out[top.node]) {
				state[top.node] = 2
				stack = stack[:len(stack)-1]
				continue
			}
			ei := out[top.node][top.next]
			top.next++
			t := index[g.Edges[ei].To]
			switch state[t] {
			case 1:
				back[ei] = true
			case 0:
				state[t] = 1
				stack = append(stack, frame{t, 0})
			}
		}
	}
	// Longest-path layers over the forward edges, in topological order
	// (Kahn's algorithm; ties by node order keep it deterministic).
	indeg := make([]int, n)
	for i, e := range g.Edges {
		if !back[i] {
			indeg[index[e.To]]++
		}
	}
	layer := make([]int, n)
	queue := make([]int, 0, n)
	for i := range n {
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	for q := 0; q < len(queue); q++ {
		v := queue[q]
		for _, ei := range out[v] {
			if back[ei] {
				continue
			}
			t := index[g.Edges[ei].To]
			if layer[v]+1 > layer[t] {
				layer[t] = layer[v] + 1
			}
			if indeg[t]--; indeg[t] == 0 {
				queue = append(queue, t)
			}
		}
	}
	var layers [][]int
	for v := range n {
		for len(layers) <= layer[v] {
			layers = append(layers, nil)
		}
		layers[layer[v]] = append(layers[layer[v]], v)
	}
	// Order each layer by the mean position of its forward predecessors
	// (one barycentre sweep), ties by node order.
	pos := make([]float64, n)
	preds := make([][]int, n)
	for i, e := range g.Edges {
		if !back[i] {
			t := index[e.To]
			preds[t] = append(preds[t], index[e.From])
		}
	}
	for li, l := range layers {
		if li > 0 {
			key := make(map[int]float64, len(l))
			for _, v := range l {
				if len(preds[v]) == 0 {
					key[v] = float64(v)
					continue
				}
				sum := 0.0
				for _, p := range preds[v] {
					sum += pos[p]
				}
				key[v] = sum / float64(len(preds[v]))
			}
			sort.SliceStable(l, func(a, b int) bool {
				if key[l[a]] != key[l[b]] {
					return key[l[a]] < key[l[b]]
				}
				return l[a] < l[b]
			})
		}
		for i, v := range l {
			pos[v] = float64(i)
		}
	}
	const (
		nodeW, nodeH = 150.0, 40.0
		gapX, gapY   = 30.0, 40.0
		margin       = 20.0
	)
	widest := 0
	for _, l := range layers {
		widest = max(widest, len(l))
	}
	width := margin*2 + float64(widest)*(nodeW+gapX) + 120
	height := margin*2 + float64(len(layers))*(nodeH+gapY)
	x := make([]float64, n) // centre
	y := make([]float64, n)
	for li, l := range layers {
		offset := (float64(widest-len(l)) * (nodeW + gapX)) / 2
		for i, v := range l {
			x[v] = margin + 60 + offset + float64(i)*(nodeW+gapX) + nodeW/2
			y[v] = margin + float64(li)*(nodeH+gapY) + nodeH/2
		}
	}
	inCluster := map[string]string{}
	var walk func(c *Cluster)
	walk = func(c *Cluster) {
		for _, sub := range c.Clusters {
			for _, nd := range sub.Nodes {
				inCluster[nd.ID] = sub.Label
			}
			walk(sub)
		}
	}
	walk(g.Root)
	var b bytes.Buffer
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n")
	fmt.Fprintf(&b, "<!-- hsc layered layout: %d nodes, %d edges -->\n", n, len(g.Edges))
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" font-family=\"Helvetica,sans-serif\">\n", f(width), f(height), f(width), f(height))
	b.WriteString("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#4b5563\"/></marker></defs>\n")
	b.WriteString("<g id=\"graph0\" class=\"graph\">\n")
	for i, e := range g.Edges {
		a, t := index[e.From], index[e.To]
		x1, y1, x2, y2 := x[a], y[a]+nodeH/2, x[t], y[t]-nodeH/2
		var d string
		if back[i] {
			// A loop: out of the right side, round and into the right side.
			x1, y1, x2, y2 = x[a]+nodeW/2, y[a], x[t]+nodeW/2, y[t]
			bend := nodeW/2 + 20 + float64(i%5)*6
			d = "M" + f(x1) + "," + f(y1) + "C" + f(x1+bend) + "," + f(y1) + " " + f(x2+bend) + "," + f(y2) + " " + f(x2) + "," + f(y2)
		} else if layer[t]-layer[a] > 1 && x[a] == x[t] {
			// A long edge in one column would cross the nodes between:
			// it leaves the left side and bends round them.
			x1, y1, x2, y2 = x[a]-nodeW/2, y[a], x[t]-nodeW/2, y[t]
			bend := nodeW/2 + 20 + float64(i%5)*6
			d = "M" + f(x1) + "," + f(y1) + "C" + f(x1-bend) + "," + f(y1) + " " + f(x2-bend) + "," + f(y2) + " " + f(x2) + "," + f(y2)
		} else {
			d = "M" + f(x1) + "," + f(y1) + "L" + f(x2) + "," + f(y2)
		}
		stroke, dash := "#4b5563", ""
		if e.Kind == EdgeCatch {
			stroke, dash = "#dc2626", " stroke-dasharray=\"5,2\""
		}
		fmt.Fprintf(&b, "<g id=\"edge%d\" class=\"edge\"><title>%s&#45;&gt;%s</title><path fill=\"none\" stroke=\"%s\"%s marker-end=\"url(#arrow)\" d=\"%s\"/>", i+1, e.From, e.To, stroke, dash, d)
		if e.Label != "" {
			fmt.Fprintf(&b, "<text x=\"%s\" y=\"%s\" font-size=\"9\" fill=\"%s\">%s</text>", f((x1+x2)/2+4), f((y1+y2)/2), stroke, html.EscapeString(clip(e.Label, 40)))
		}
		b.WriteString("</g>\n")
	}
	for i, nd := range g.Nodes {
		st := nodeStyle(nd, g.History)
		class := "node"
		if g.History && nd.IsState() {
			class += " outcome-" + strings.ReplaceAll(outcomeOr(nd), " ", "-")
		}
		fmt.Fprintf(&b, "<g id=\"node%d\" class=\"%s\"><title>%s</title>", i+1, class, nd.ID)
		if desc := nd.Tooltip; desc != "" || inCluster[nd.ID] != "" {
			if c := inCluster[nd.ID]; c != "" {
				desc = strings.TrimSpace(desc + " (in " + c + ")")
			}
			fmt.Fprintf(&b, "<desc>%s</desc>", html.EscapeString(desc))
		}
		if !nd.IsState() {
			r := 8.0
			if nd.Type == KindJoin {
				r = 3
			}
			fmt.Fprintf(&b, "<ellipse fill=\"%s\" stroke=\"%s\" cx=\"%s\" cy=\"%s\" rx=\"%s\" ry=\"%s\"/></g>\n", st.fill, st.color, f(x[i]), f(y[i]), f(r), f(r))
			continue
		}
		dash := ""
		if st.dash {
			dash = " stroke-dasharray=\"4,3\""
		}
		rx := "4"
		if nd.Type == "Choice" {
			rx = "18"
		}
		fmt.Fprintf(&b, "<rect fill=\"%s\" stroke=\"%s\"%s x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" rx=\"%s\"/>", st.fill, st.color, dash, f(x[i]-nodeW/2), f(y[i]-nodeH/2), f(nodeW), f(nodeH), rx)
		lines := labelLines(nd)
		font := st.font
		if font == "" {
			font = "#000000"
		}
		for j, line := range lines {
			ly := y[i] - float64(len(lines)-1)*6 + float64(j)*12 + 4
			fmt.Fprintf(&b, "<text text-anchor=\"middle\" x=\"%s\" y=\"%s\" font-size=\"10\" fill=\"%s\">%s</text>", f(x[i]), f(ly), font, html.EscapeString(clip(line, 26)))
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</g>\n</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}
