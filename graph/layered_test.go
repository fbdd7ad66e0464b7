package graph_test

import (
	"bytes"
	"context"
	"fmt"
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

// TestLayeredLayout: above LayeredThreshold nodes SVG comes from hsc's
// own layout: every node and edge drawn once, every state named,
// deterministic; PNG is refused with a message naming svg.
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
	var b bytes.Buffer
	if err := g.Render(context.Background(), graph.FormatPNG, &b); err == nil || !strings.Contains(err.Error(), "svg") {
		t.Errorf("PNG of a large machine: %v", err)
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

// TestLayeredBranches: the layered layout draws no cluster boxes, so a
// node in a Parallel branch names its branch in its description.
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
