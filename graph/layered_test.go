package graph_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/graph"
)

// chainMachine is a definition of n states: Pass states in a chain, every
// tenth a Choice looping back, every tenth a Task with Retry and a Catch to
// the last state.
func chainMachine(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		next := fmt.Sprintf(`"Next":"S%d"`, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		switch {
		case i%10 == 5 && i < n-1:
			fmt.Fprintf(&b, `"S%d":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericLessThan":%d,"Next":"S%d"}],"Default":"S%d"}`, i, i, i+1, i-3)
		case i%10 == 7:
			fmt.Fprintf(&b, `"S%d":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"S%d"}],%s}`, i, n-1, next)
		default:
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass",%s}`, i, next)
		}
	}
	b.WriteString("}}")
	return []byte(b.String())
}

func buildJSON(t testing.TB, def []byte) *graph.Graph {
	t.Helper()
	m, err := asl.Parse(def)
	if err != nil {
		t.Fatal(err)
	}
	g, err := graph.Build(m, graph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestLayeredLayout: above LayeredThreshold nodes SVG and PNG come from
// hsc's own layout: every node and edge drawn once, every state named,
// deterministic; a PNG too long to read is refused with a message naming
// svg.
func TestLayeredLayout(t *testing.T) {
	g := buildJSON(t, chainMachine(500))
	if len(g.Nodes) <= graph.LayeredThreshold {
		t.Fatalf("%d nodes: not above the threshold", len(g.Nodes))
	}
	svg := render(t, g, graph.FormatSVG)
	if !bytes.Contains(svg, []byte("hsc layered layout")) {
		t.Fatal("not the layered layout")
	}
	nodes, edges := parseSVG(t, svg)
	if len(nodes) != len(g.Nodes) || len(edges) != len(g.Edges) {
		t.Errorf("SVG: %d nodes %d edges; graph %d, %d", len(nodes), len(edges), len(g.Nodes), len(g.Edges))
	}
	ids := map[string]svgGroup{}
	for _, n := range nodes {
		ids[n.Title] = n
	}
	for _, n := range g.Nodes {
		if n.IsState() && !strings.Contains(allText(ids[n.ID]), n.Name) {
			t.Errorf("state %s not drawn with its name", n.Name)
		}
	}
	if again := render(t, buildJSON(t, chainMachine(500)), graph.FormatSVG); !bytes.Equal(svg, again) {
		t.Error("two renderings differ")
	}
	// PNG: drawn from the same layout, within the size bounds, the same
	// bytes each time.
	pngData := render(t, g, graph.FormatPNG)
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatalf("PNG of a large machine: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 1000 || b.Dx() > 32767 || b.Dy() > 32767 {
		t.Errorf("PNG of %d nodes is %v", len(g.Nodes), b)
	}
	if again := render(t, buildJSON(t, chainMachine(500)), graph.FormatPNG); !bytes.Equal(pngData, again) {
		t.Error("two PNG renderings differ")
	}
	// A machine too long to read as one picture is refused, naming svg.
	var b bytes.Buffer
	if err := buildJSON(t, chainMachine(5000)).Render(context.Background(), graph.FormatPNG, &b); err == nil || !strings.Contains(err.Error(), "use svg") {
		t.Errorf("PNG of 5,000 states: %v", err)
	}
}

// layeredDoc reads what TestLayeredClusters checks of a layered SVG:
// cluster boxes and the nodes' shapes.
type layeredDoc struct {
	Groups []struct {
		Groups []layeredGroup `xml:"g"`
	} `xml:"g"`
}

type layeredGroup struct {
	Class string `xml:"class,attr"`
	Title string `xml:"title"`
	Desc  string `xml:"desc"`
	Rect  *struct {
		X float64 `xml:"x,attr"`
		Y float64 `xml:"y,attr"`
		W float64 `xml:"width,attr"`
		H float64 `xml:"height,attr"`
	} `xml:"rect"`
	Ell *struct {
		X float64 `xml:"cx,attr"`
		Y float64 `xml:"cy,attr"`
	} `xml:"ellipse"`
}

type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) contains(o rect) bool {
	return o.x0 >= r.x0 && o.y0 >= r.y0 && o.x1 <= r.x1 && o.y1 <= r.y1
}

func (r rect) overlaps(o rect) bool {
	return r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1
}

// TestLayeredClusters: above the threshold, Parallel branches and Map
// iterators are boxed and labelled like Graphviz's clusters: one box per
// branch or iterator, every node inside its own box, nested boxes inside
// their parents, and no two nodes or sibling boxes overlapping.
func TestLayeredClusters(t *testing.T) {
	branch := string(chainMachine(80))
	inner := `{"StartAt":"Q","States":{"Q":{"Type":"Parallel","End":true,"Branches":[` + string(chainMachine(8)) + `,{"StartAt":"Z","States":{"Z":{"Type":"Pass","End":true}}}]}}}`
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"M","Branches":[` + branch + `,` + branch + `]},` +
		`"M":{"Type":"Map","End":true,"ItemProcessor":` + inner + `}}}`
	g := buildJSON(t, []byte(def))
	if len(g.Nodes) <= graph.LayeredThreshold {
		t.Fatalf("%d nodes: not above the threshold", len(g.Nodes))
	}
	var doc layeredDoc
	if err := xml.Unmarshal(render(t, g, graph.FormatSVG), &doc); err != nil {
		t.Fatal(err)
	}
	boxes := map[string]rect{}
	var nodes []rect
	inBox := map[int]string{}
	for _, top := range doc.Groups {
		for _, gr := range top.Groups {
			switch {
			case gr.Class == "cluster" && gr.Rect != nil:
				if _, dup := boxes[gr.Title]; dup {
					t.Errorf("two boxes labelled %q", gr.Title)
				}
				boxes[gr.Title] = rect{gr.Rect.X, gr.Rect.Y, gr.Rect.X + gr.Rect.W, gr.Rect.Y + gr.Rect.H}
			case strings.HasPrefix(gr.Class, "node"):
				var r rect
				switch {
				case gr.Rect != nil:
					r = rect{gr.Rect.X, gr.Rect.Y, gr.Rect.X + gr.Rect.W, gr.Rect.Y + gr.Rect.H}
				case gr.Ell != nil:
					r = rect{gr.Ell.X - 3, gr.Ell.Y - 3, gr.Ell.X + 3, gr.Ell.Y + 3}
				default:
					t.Fatalf("node %s has no shape", gr.Title)
				}
				if _, c, ok := strings.Cut(gr.Desc, "(in "); ok {
					inBox[len(nodes)] = strings.TrimSuffix(c, ")")
				}
				nodes = append(nodes, r)
			}
		}
	}
	var labels []string
	var walk func(c *graph.Cluster)
	walk = func(c *graph.Cluster) {
		for _, sub := range c.Clusters {
			labels = append(labels, sub.Label)
			walk(sub)
		}
	}
	walk(g.Root)
	if len(boxes) != len(labels) {
		t.Fatalf("%d boxes for %d clusters (%v)", len(boxes), len(labels), labels)
	}
	for i, label := range inBox {
		if b, ok := boxes[label]; !ok || !b.contains(nodes[i]) {
			t.Errorf("node %d (in %s) at %v is outside its box %v", i, label, nodes[i], b)
		}
	}
	for i := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			if nodes[i].overlaps(nodes[j]) {
				t.Errorf("nodes %d and %d overlap: %v %v", i, j, nodes[i], nodes[j])
			}
		}
	}
	if !boxes["M iterator"].contains(boxes["Q branch 1"]) || !boxes["M iterator"].contains(boxes["Q branch 2"]) {
		t.Error("the Map's nested Parallel branches are not inside its iterator's box")
	}
	if boxes["P branch 1"].overlaps(boxes["P branch 2"]) || boxes["Q branch 1"].overlaps(boxes["Q branch 2"]) {
		t.Error("sibling branch boxes overlap")
	}
}

// BenchmarkRender500 renders a 500-state machine as SVG (issue 13: at most
// 2 s).
func BenchmarkRender500(b *testing.B) {
	def := chainMachine(500)
	for b.Loop() {
		g := buildJSON(b, def)
		var out bytes.Buffer
		if err := g.Render(context.Background(), graph.FormatSVG, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderPNG500 renders a 500-state machine as PNG through the
// layered layout.
func BenchmarkRenderPNG500(b *testing.B) {
	def := chainMachine(500)
	for b.Loop() {
		g := buildJSON(b, def)
		var out bytes.Buffer
		if err := g.Render(context.Background(), graph.FormatPNG, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderLarge renders ../shared/bench/large.hsd (8,000 states) as
// SVG (issue 13: at most 10 s and 500 MB).
func BenchmarkRenderLarge(b *testing.B) {
	path := "../../shared/bench/large.hsd"
	if _, err := os.Stat(path); err != nil {
		path = "../shared/bench/large.hsd"
		if _, err := os.Stat(path); err != nil {
			b.Skip("large.hsd not present")
		}
	}
	for b.Loop() {
		g := buildFile(b, path, nil)
		var out bytes.Buffer
		if err := g.Render(context.Background(), graph.FormatSVG, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLayeredBranches: a node in a Parallel branch also names its branch
// in its description (for screen readers and tooltips).
func TestLayeredBranches(t *testing.T) {
	branch := string(chainMachine(200))
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[` + branch + `],"End":true}}}`
	g := buildJSON(t, []byte(def))
	nodes, edges := parseSVG(t, render(t, g, graph.FormatSVG))
	if len(nodes) != len(g.Nodes) || len(edges) != len(g.Edges) {
		t.Fatalf("SVG: %d nodes %d edges; graph %d, %d", len(nodes), len(edges), len(g.Nodes), len(g.Edges))
	}
	found := false
	for _, n := range nodes {
		if strings.TrimSpace(allText(n)) == "S42" {
			found = true
			if !strings.Contains(n.Desc, "(in P branch 1)") {
				t.Errorf("S42's description %q does not name its branch", n.Desc)
			}
		}
	}
	if !found {
		t.Error("S42 not drawn")
	}
}
