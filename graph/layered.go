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

// LayeredThreshold is the number of nodes above which SVG and PNG are laid
// out by hsc's own layered layout instead of Graphviz: Graphviz's dot
// layout (crossing minimisation and network-simplex placement) grows much
// faster than linearly and takes minutes for a few hundred states with
// loops.
const LayeredThreshold = 150

// Sizes of the layered layout, in SVG user units (pixels at scale 1).
const (
	lNodeW, lNodeH = 150.0, 40.0
	lGapX, lGapY   = 30.0, 40.0
	lMargin        = 20.0
	lPad           = 12.0 // inside a cluster box, around its contents
	lLabelH        = 16.0 // a cluster box's label line
	lLoopRoom      = 60.0 // right of the widest layer, for loop curves
)

// layout is where the layered layout puts everything: node centres,
// cluster boxes, and which edges are loops (back edges).
type layout struct {
	width, height float64
	x, y          []float64 // node centres, by index in Graph.Nodes
	boxes         []lbox
	back          []bool // by edge index
	index         map[string]int
	inCluster     map[string]string // node ID -> its cluster's label
}

type lbox struct {
	x, y, w, h float64
	label      string
}

// block is a cluster laid out on its own: its size, and where its nodes
// and nested boxes are relative to its top left corner.
type block struct {
	w, h  float64
	nodes []lplace
	boxes []lbox
}

type lplace struct {
	node int
	x, y float64
}

// layered lays the graph out in layers, cluster by cluster: a Parallel's
// branches and a Map's iterator are laid out first, each as a box, and the
// boxes of one state side by side form one item of the cluster around
// them, placed like a node between the state and its join. Within a
// cluster an item's layer is its longest distance from the start along
// forward edges (edges back to an item on the current depth-first path
// are loops, drawn curving to the right), and items in a layer are ordered
// by the mean position of their predecessors (one sweep), ties by
// definition order. The cost is linear in nodes and edges plus sorting
// each layer, so 8,000 states lay out in well under a second.
func (g *Graph) layered() *layout {
	n := len(g.Nodes)
	L := &layout{x: make([]float64, n), y: make([]float64, n), back: make([]bool, len(g.Edges)), index: make(map[string]int, n), inCluster: map[string]string{}}
	for i, nd := range g.Nodes {
		L.index[nd.ID] = i
	}
	// The cluster of every node, and every cluster's parent and depth.
	type cinfo struct {
		parent *Cluster
		depth  int
	}
	clusterOf := make([]*Cluster, n)
	info := map[*Cluster]cinfo{g.Root: {}}
	var walk func(c *Cluster)
	walk = func(c *Cluster) {
		for _, nd := range c.Nodes {
			clusterOf[L.index[nd.ID]] = c
			if c != g.Root {
				L.inCluster[nd.ID] = c.Label
			}
		}
		for _, sub := range c.Clusters {
			info[sub] = cinfo{parent: c, depth: info[c].depth + 1}
			walk(sub)
		}
	}
	walk(g.Root)
	// childOn is the cluster directly inside c on the way to node v's
	// cluster (nil when v is in c itself).
	childOn := func(c *Cluster, v int) *Cluster {
		d := clusterOf[v]
		var last *Cluster
		for d != nil && d != c {
			last = d
			d = info[d].parent
		}
		if d == nil {
			return nil
		}
		return last
	}
	// Each edge belongs to the innermost cluster holding both ends.
	edgesOf := map[*Cluster][]int{}
	for i, e := range g.Edges {
		a, b := clusterOf[L.index[e.From]], clusterOf[L.index[e.To]]
		for info[a].depth > info[b].depth {
			a = info[a].parent
		}
		for info[b].depth > info[a].depth {
			b = info[b].parent
		}
		for a != b {
			a, b = info[a].parent, info[b].parent
		}
		edgesOf[a] = append(edgesOf[a], i)
	}
	// The owner of a nested cluster: the state whose branch edge enters it.
	owner := map[*Cluster]int{}
	for _, e := range g.Edges {
		if e.Kind == EdgeBranch {
			t := L.index[e.To]
			owner[clusterOf[t]] = L.index[e.From]
		}
	}
	var lay func(c *Cluster) *block
	lay = func(c *Cluster) *block {
		// Items: c's nodes, then one per state owning nested clusters.
		type item struct {
			node int // -1 for a group of clusters
			subs []*block
			labs []string
			w, h float64
		}
		// A group's item comes right after its owner's, so that ties in
		// a layer put the branches before the owner's other successors.
		var items []item
		itemOfNode := map[int]int{}
		groupOf := map[int]int{} // owner node -> item
		owns := map[int]bool{}
		for _, sub := range c.Clusters {
			if o, ok := owner[sub]; ok {
				owns[o] = true
			}
		}
		for _, nd := range c.Nodes {
			v := L.index[nd.ID]
			itemOfNode[v] = len(items)
			items = append(items, item{node: v, w: lNodeW, h: lNodeH})
			if owns[v] {
				groupOf[v] = len(items)
				items = append(items, item{node: -1})
			}
		}
		itemOfCluster := map[*Cluster]int{}
		for _, sub := range c.Clusters {
			o, ok := owner[sub]
			gi := groupOf[o]
			if !ok {
				gi = len(items)
				items = append(items, item{node: -1})
			}
			b := lay(sub)
			it := &items[gi]
			it.subs = append(it.subs, b)
			it.labs = append(it.labs, sub.Label)
			if len(it.subs) > 1 {
				it.w += lGapX
			}
			it.w += b.w + 2*lPad
			it.h = max(it.h, b.h+2*lPad+lLabelH)
			itemOfCluster[sub] = gi
		}
		itemOf := func(v int) int {
			if sub := childOn(c, v); sub != nil {
				return itemOfCluster[sub]
			}
			return itemOfNode[v]
		}
		m := len(items)
		type iedge struct{ from, to, edge int }
		var ies []iedge
		out := make([][]int, m)
		for _, ei := range edgesOf[c] {
			e := g.Edges[ei]
			a, b := itemOf(L.index[e.From]), itemOf(L.index[e.To])
			if a == b {
				continue
			}
			out[a] = append(out[a], len(ies))
			ies = append(ies, iedge{a, b, ei})
		}
		// Loops: edges back to an item on the depth-first path.
		back := make([]bool, len(ies))
		state := make([]uint8, m)
		type frame struct{ v, next int }
		for root := range m {
			if state[root] != 0 {
				continue
			}
			stack := []frame{{root, 0}}
			state[root] = 1
			for len(stack) > 0 {
				top := &stack[len(stack)-1]
				if top.next == len(out[top.v]) {
					state[top.v] = 2
					stack = stack[:len(stack)-1]
					continue
				}
				k := out[top.v][top.next]
				top.next++
				switch t := ies[k].to; state[t] {
				case 1:
					back[k] = true
					L.back[ies[k].edge] = true
				case 0:
					state[t] = 1
					stack = append(stack, frame{t, 0})
				}
			}
		}
		// Longest-path layers (Kahn's algorithm, ties by item order).
		indeg := make([]int, m)
		preds := make([][]int, m)
		for k, ie := range ies {
			if !back[k] {
				indeg[ie.to]++
				preds[ie.to] = append(preds[ie.to], ie.from)
			}
		}
		layer := make([]int, m)
		queue := make([]int, 0, m)
		for i := range m {
			if indeg[i] == 0 {
				queue = append(queue, i)
			}
		}
		for q := 0; q < len(queue); q++ {
			v := queue[q]
			for _, k := range out[v] {
				if back[k] {
					continue
				}
				t := ies[k].to
				layer[t] = max(layer[t], layer[v]+1)
				if indeg[t]--; indeg[t] == 0 {
					queue = append(queue, t)
				}
			}
		}
		var layers [][]int
		for v := range m {
			for len(layers) <= layer[v] {
				layers = append(layers, nil)
			}
			layers[layer[v]] = append(layers[layer[v]], v)
		}
		// One barycentre sweep orders each layer.
		pos := make([]float64, m)
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
		// Coordinates: layers top to bottom, each as tall as its tallest
		// item; items left to right, each layer centred on the widest.
		widths := make([]float64, len(layers))
		widest := 0.0
		for li, l := range layers {
			for i, v := range l {
				if i > 0 {
					widths[li] += lGapX
				}
				widths[li] += items[v].w
			}
			widest = max(widest, widths[li])
		}
		blk := &block{w: widest}
		top := 0.0
		for li, l := range layers {
			lh := 0.0
			for _, v := range l {
				lh = max(lh, items[v].h)
			}
			left := (widest - widths[li]) / 2
			for _, v := range l {
				it := items[v]
				cy := top + it.h/2 // items hang from the top of their layer
				if it.node >= 0 {
					blk.nodes = append(blk.nodes, lplace{it.node, left + it.w/2, cy})
				} else {
					bx := left
					by := cy - it.h/2
					for j, sb := range it.subs {
						bw, bh := sb.w+2*lPad, sb.h+2*lPad+lLabelH
						blk.boxes = append(blk.boxes, lbox{bx, by, bw, bh, it.labs[j]})
						ox, oy := bx+lPad, by+lPad+lLabelH
						for _, p := range sb.nodes {
							blk.nodes = append(blk.nodes, lplace{p.node, ox + p.x, oy + p.y})
						}
						for _, nb := range sb.boxes {
							blk.boxes = append(blk.boxes, lbox{ox + nb.x, oy + nb.y, nb.w, nb.h, nb.label})
						}
						bx += bw + lGapX
					}
				}
				left += it.w + lGapX
			}
			top += lh
			if li < len(layers)-1 {
				top += lGapY
			}
		}
		blk.h = top
		return blk
	}
	root := lay(g.Root)
	ox, oy := lMargin+lLoopRoom, lMargin
	for _, p := range root.nodes {
		L.x[p.node], L.y[p.node] = ox+p.x, oy+p.y
	}
	for _, b := range root.boxes {
		L.boxes = append(L.boxes, lbox{ox + b.x, oy + b.y, b.w, b.h, b.label})
	}
	L.width = root.w + 2*lMargin + 2*lLoopRoom
	L.height = root.h + 2*lMargin
	return L
}

// edgePath is how an edge is drawn: a line (cubic false) or a cubic curve
// from (x1,y1) through the control points (c1, c2) to (x2,y2).
type edgePath struct {
	x1, y1, c1x, c1y, c2x, c2y, x2, y2 float64
	cubic                              bool
}

// path routes edge i: straight down between items; loops out of the
// right side and round; an edge down its own column past other items
// round the left side.
func (L *layout) path(g *Graph, i int) edgePath {
	e := g.Edges[i]
	a, t := L.index[e.From], L.index[e.To]
	bend := lNodeW/2 + 20 + float64(i%5)*6
	switch {
	case L.back[i] || L.y[t] <= L.y[a]:
		x1, y1, x2, y2 := L.x[a]+lNodeW/2, L.y[a], L.x[t]+lNodeW/2, L.y[t]
		return edgePath{x1, y1, x1 + bend, y1, x2 + bend, y2, x2, y2, true}
	case L.x[a] == L.x[t] && L.y[t]-L.y[a] > lNodeH+lGapY+1 && L.inCluster[e.From] == L.inCluster[e.To]:
		x1, y1, x2, y2 := L.x[a]-lNodeW/2, L.y[a], L.x[t]-lNodeW/2, L.y[t]
		return edgePath{x1, y1, x1 - bend, y1, x2 - bend, y2, x2, y2, true}
	}
	return edgePath{x1: L.x[a], y1: L.y[a] + halfHeight(g.Nodes[a]), x2: L.x[t], y2: L.y[t] - halfHeight(g.Nodes[t])}
}

// halfHeight is half a node's drawn height: a state's box or a marker.
func halfHeight(nd *Node) float64 {
	if nd.IsState() {
		return lNodeH / 2
	}
	return markerRadius(nd)
}

// layeredSVG writes the layered layout as SVG.
func (g *Graph) layeredSVG(w io.Writer) error {
	L := g.layered()
	var b bytes.Buffer
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n")
	fmt.Fprintf(&b, "<!-- hsc layered layout: %d nodes, %d edges -->\n", len(g.Nodes), len(g.Edges))
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" font-family=\"Helvetica,sans-serif\">\n", f(L.width), f(L.height), f(L.width), f(L.height))
	b.WriteString("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#4b5563\"/></marker></defs>\n")
	b.WriteString("<g id=\"graph0\" class=\"graph\">\n")
	for i, bx := range L.boxes {
		fmt.Fprintf(&b, "<g id=\"clust%d\" class=\"cluster\"><title>%s</title><rect fill=\"none\" stroke=\"%s\" stroke-dasharray=\"5,2\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" rx=\"6\"/>", i+1, html.EscapeString(bx.label), clusterColor, f(bx.x), f(bx.y), f(bx.w), f(bx.h))
		fmt.Fprintf(&b, "<text x=\"%s\" y=\"%s\" font-size=\"10\" fill=\"%s\">%s</text></g>\n", f(bx.x+6), f(bx.y+12), clusterFont, html.EscapeString(clip(bx.label, int(bx.w/6))))
	}
	for i, e := range g.Edges {
		p := L.path(g, i)
		d := "M" + f(p.x1) + "," + f(p.y1) + "L" + f(p.x2) + "," + f(p.y2)
		if p.cubic {
			d = "M" + f(p.x1) + "," + f(p.y1) + "C" + f(p.c1x) + "," + f(p.c1y) + " " + f(p.c2x) + "," + f(p.c2y) + " " + f(p.x2) + "," + f(p.y2)
		}
		stroke, dash := edgeColor(e), ""
		if e.Kind == EdgeCatch {
			dash = " stroke-dasharray=\"5,2\""
		}
		fmt.Fprintf(&b, "<g id=\"edge%d\" class=\"edge\"><title>%s&#45;&gt;%s</title><path fill=\"none\" stroke=\"%s\"%s marker-end=\"url(#arrow)\" d=\"%s\"/>", i+1, e.From, e.To, stroke, dash, d)
		if e.Label != "" {
			fmt.Fprintf(&b, "<text x=\"%s\" y=\"%s\" font-size=\"9\" fill=\"%s\">%s</text>", f((p.x1+p.x2)/2+4), f((p.y1+p.y2)/2), stroke, html.EscapeString(clip(e.Label, 40)))
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
		if desc := L.describe(nd); desc != "" {
			fmt.Fprintf(&b, "<desc>%s</desc>", html.EscapeString(desc))
		}
		x, y := L.x[i], L.y[i]
		if !nd.IsState() {
			r := markerRadius(nd)
			fmt.Fprintf(&b, "<ellipse fill=\"%s\" stroke=\"%s\" cx=\"%s\" cy=\"%s\" rx=\"%s\" ry=\"%s\"/></g>\n", st.fill, st.color, f(x), f(y), f(r), f(r))
			continue
		}
		dash := ""
		if st.dash {
			dash = " stroke-dasharray=\"4,3\""
		}
		fmt.Fprintf(&b, "<rect fill=\"%s\" stroke=\"%s\"%s x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" rx=\"%s\"/>", st.fill, st.color, dash, f(x-lNodeW/2), f(y-lNodeH/2), f(lNodeW), f(lNodeH), f(nodeRadius(nd)))
		lines := labelLines(nd)
		for j, line := range lines {
			fmt.Fprintf(&b, "<text text-anchor=\"middle\" x=\"%s\" y=\"%s\" font-size=\"10\" fill=\"%s\">%s</text>", f(x), f(labelY(y, len(lines), j)), fontColor(st), html.EscapeString(clip(line, 26)))
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</g>\n</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// Colours and shapes shared by the layered SVG and PNG writers.
const (
	clusterColor = "#9ca3af"
	clusterFont  = "#4b5563"
)

func edgeColor(e *Edge) string {
	if e.Kind == EdgeCatch {
		return "#dc2626"
	}
	return "#4b5563"
}

func markerRadius(nd *Node) float64 {
	if nd.Type == KindJoin {
		return 3
	}
	return 8
}

func nodeRadius(nd *Node) float64 {
	if nd.Type == "Choice" {
		return 18
	}
	return 4
}

func fontColor(st style) string {
	if st.font == "" {
		return "#000000"
	}
	return st.font
}

func labelY(y float64, lines, j int) float64 {
	return y - float64(lines-1)*6 + float64(j)*12 + 4
}

// describe is a node's description: its tooltip and, inside a branch or
// iterator, which one.
func (L *layout) describe(nd *Node) string {
	desc := nd.Tooltip
	if c := L.inCluster[nd.ID]; c != "" {
		desc = strings.TrimSpace(desc + " (in " + c + ")")
	}
	return desc
}
