package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/graph"
	"github.com/hsc-dev/hsc/interpreter"
)

var update = flag.Bool("update", false, "rewrite the golden DOT and Mermaid files in testdata")

// buildFile builds the graph of a .hsd or JSON file, with the program's
// source positions for .hsd.
func buildFile(t testing.TB, path string, h *graph.History) *graph.Graph {
	t.Helper()
	def, err := hsc.LoadFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := asl.Parse(def.JSON)
	if err != nil {
		t.Fatal(err)
	}
	opts := graph.Options{History: h}
	if def.DSL {
		opts.Source = &graph.Source{File: filepath.Base(path), Text: def.Source,
			States: def.Compiled.StatePositions(), Pointers: def.Compiled.SourceMap()}
	}
	g, err := graph.Build(m, opts)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func render(t testing.TB, g *graph.Graph, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := g.Render(context.Background(), format, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func goldenPrograms(t *testing.T) []string {
	files, err := filepath.Glob("../golden/testdata/*.hsd")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden programs: %v", err)
	}
	return files
}

// TestGolden compares the DOT and Mermaid text of the golden programs with
// testdata/NAME.dot and testdata/NAME.mmd (go test -update rewrites them).
func TestGolden(t *testing.T) {
	for _, file := range goldenPrograms(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".hsd")
		t.Run(name, func(t *testing.T) {
			g := buildFile(t, file, nil)
			for _, f := range []struct{ format, ext string }{{graph.FormatDOT, ".dot"}, {graph.FormatMermaid, ".mmd"}} {
				got := render(t, g, f.format)
				want := filepath.Join("testdata", name+f.ext)
				if *update {
					if err := os.WriteFile(want, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				w, err := os.ReadFile(want)
				if err != nil {
					t.Fatalf("%v (go test ./graph -update writes it)", err)
				}
				if !bytes.Equal(got, w) {
					t.Errorf("%s differs from %s:\n%s", f.format, want, got)
				}
			}
		})
	}
}

// TestDeterministic renders each golden program twice from separately
// built graphs in every format and expects the same bytes.
func TestDeterministic(t *testing.T) {
	for _, file := range goldenPrograms(t) {
		for _, format := range []string{graph.FormatDOT, graph.FormatMermaid, graph.FormatSVG} {
			a := render(t, buildFile(t, file, nil), format)
			b := render(t, buildFile(t, file, nil), format)
			if !bytes.Equal(a, b) {
				t.Errorf("%s %s: two renderings differ", file, format)
			}
		}
	}
}

// svgDoc is the part of Graphviz's SVG the structural checks read.
type svgGroup struct {
	ID    string     `xml:"id,attr"`
	Class string     `xml:"class,attr"`
	Title string     `xml:"title"`
	Desc  string     `xml:"desc"`
	Texts []string   `xml:"text"`
	Paths []svgShape `xml:"path"`
	Polys []svgShape `xml:"polygon"`
	Ells  []svgShape `xml:"ellipse"`
	Sub   []svgGroup `xml:"g"`
	Links []svgGroup `xml:"a"`
}

type svgShape struct {
	Fill string `xml:"fill,attr"`
}

type svgDoc struct {
	Groups []svgGroup `xml:"g"`
}

// walk calls f for each group in the document, depth first.
func (g svgGroup) walk(f func(svgGroup)) {
	f(g)
	for _, s := range g.Sub {
		s.walk(f)
	}
	for _, s := range g.Links {
		s.walk(f)
	}
}

func parseSVG(t *testing.T, data []byte) (nodes, edges []svgGroup) {
	t.Helper()
	var doc svgDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("SVG does not parse: %v", err)
	}
	for _, g := range doc.Groups {
		g.walk(func(g svgGroup) {
			switch {
			case g.Class == "edge":
				edges = append(edges, g)
			case g.Class == "node" || strings.HasPrefix(g.Class, "node "):
				nodes = append(nodes, g)
			}
		})
	}
	return nodes, edges
}

// allText is every text of a node, including inside links (tooltips make
// Graphviz wrap a node's drawing in <a>).
func allText(g svgGroup) string {
	var b strings.Builder
	g.walk(func(g svgGroup) {
		for _, t := range g.Texts {
			b.WriteString(t + "\n")
		}
	})
	return b.String()
}

func fills(g svgGroup) []string {
	var out []string
	g.walk(func(g svgGroup) {
		for _, s := range append(append(g.Paths, g.Polys...), g.Ells...) {
			out = append(out, s.Fill)
		}
	})
	return out
}

// TestSVGStructure checks the SVG of each golden program: one drawn node
// per graph node, every state's name in its node, and one drawn edge per
// graph edge.
func TestSVGStructure(t *testing.T) {
	for _, file := range goldenPrograms(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			g := buildFile(t, file, nil)
			nodes, edges := parseSVG(t, render(t, g, graph.FormatSVG))
			if len(nodes) != len(g.Nodes) {
				t.Errorf("SVG has %d nodes, graph %d", len(nodes), len(g.Nodes))
			}
			if len(edges) != len(g.Edges) {
				t.Errorf("SVG has %d edges, graph %d", len(edges), len(g.Edges))
			}
			byID := map[string]svgGroup{}
			for _, n := range nodes {
				byID[n.Title] = n
			}
			states := 0
			for _, n := range g.Nodes {
				if !n.IsState() {
					continue
				}
				states++
				sn, ok := byID[n.ID]
				if !ok {
					t.Errorf("state %s (%s) not drawn", n.Name, n.ID)
					continue
				}
				if !strings.Contains(allText(sn), n.Name) {
					t.Errorf("state %s: node text %q lacks its name", n.Name, allText(sn))
				}
			}
			if states == 0 {
				t.Fatal("no states")
			}
		})
	}
}

// TestChoiceLabelsFromSource: for a program, Choice edges carry the
// condition as the source writes it (flow.hsd's `while '$.n' < 10:`);
// switch cases, which have no one-line condition, are rendered from the
// JSON rule.
func TestChoiceLabelsFromSource(t *testing.T) {
	g := buildFile(t, "../golden/testdata/flow.hsd", nil)
	labels := map[string]bool{}
	for _, e := range g.Edges {
		labels[e.Label] = true
	}
	for _, want := range []string{"'$.n' < 10", "default", "'$.a' == 'x' or ('$.b' >= 10 and not '$.c' == true)", `$.kind == "two"`} {
		if !labels[want] {
			t.Errorf("no edge labelled %q; have %v", want, labels)
		}
	}
}

// TestRuleText renders JSON Choice rules compactly.
func TestRuleText(t *testing.T) {
	for _, tc := range []struct{ rule, want string }{
		{`{"Variable":"$.count","NumericLessThan":10,"Next":"A"}`, "$.count < 10"},
		{`{"Variable":"$.s","StringEquals":"x","Next":"A"}`, `$.s == "x"`},
		{`{"Variable":"$.a","NumericGreaterThanEqualsPath":"$.b","Next":"A"}`, "$.a >= $.b"},
		{`{"Variable":"$.a","IsPresent":false,"Next":"A"}`, "$.a is not present"},
		{`{"And":[{"Variable":"$.a","BooleanEquals":true},{"Not":{"Variable":"$.b","IsNull":true}}],"Next":"A"}`, "$.a == true and not $.b is null"},
		{`{"Or":[{"And":[{"Variable":"$.a","BooleanEquals":true},{"Variable":"$.c","NumericGreaterThan":1}]},{"Variable":"$.b","StringMatches":"x*"}],"Next":"A"}`, `($.a == true and $.c > 1) or $.b matches "x*"`},
		{`{"Condition":"{% $x > 1 %}","Next":"A"}`, `"{% $x > 1 %}"`},
	} {
		def := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[` + tc.rule + `],"Default":"A"},"A":{"Type":"Succeed"}}}`
		m, err := asl.Parse([]byte(def))
		if err != nil {
			t.Fatalf("%s: %v", tc.rule, err)
		}
		if got := graph.RuleText(m.States[0].Choices[0]); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.rule, got, tc.want)
		}
	}
}

// loopMachine loops three times through Inc, never reaches Never, runs a
// Parallel whose branch fails and is caught, then succeeds (or, with
// uncaught, fails with the branch's error).
func loopMachine(uncaught bool) string {
	catch := `,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Recover"}]`
	if uncaught {
		catch = ""
	}
	return `{"StartAt":"Init","States":{
 "Init":{"Type":"Pass","Result":{"n":0},"Next":"Loop"},
 "Loop":{"Type":"Choice","Choices":[
   {"Variable":"$.n","NumericEquals":100,"Next":"Never"},
   {"Variable":"$.n","NumericLessThan":3,"Next":"Inc"}],"Default":"Try"},
 "Inc":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)"},"Next":"Loop"},
 "Never":{"Type":"Succeed"},
 "Try":{"Type":"Parallel","Branches":[{"StartAt":"Boom","States":{"Boom":{"Type":"Fail","Error":"Kaboom","Cause":"it broke"}}}],"Next":"Done"` + catch + `},
 "Recover":{"Type":"Pass","End":true},
 "Done":{"Type":"Succeed"}}}`
}

// runHistory runs def in the interpreter and returns its history as hsc
// run --history writes it.
func runHistory(t *testing.T, def string) *graph.History {
	t.Helper()
	m, err := interpreter.Compile([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Run(context.Background(), []byte(`{}`), interpreter.WithHistory())
	var ee *interpreter.ExecutionError
	if res == nil || (err != nil && !errors.As(err, &ee)) {
		t.Fatalf("run: %v", err)
	}
	data, err := json.Marshal(map[string]any{"events": res.History})
	if err != nil {
		t.Fatal(err)
	}
	h, err := graph.ParseHistory(data)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func byName(g *graph.Graph) map[string]*graph.Node {
	m := map[string]*graph.Node{}
	for _, n := range g.Nodes {
		if n.IsState() {
			m[n.Name] = n
		}
	}
	return m
}

// TestHistoryOutcomes colours a graph by histories the interpreter
// records: visits on the loop, the caught Parallel, its failed branch, the
// states not reached; and, uncaught, the failing state's error and cause.
func TestHistoryOutcomes(t *testing.T) {
	type want struct {
		outcome string
		visits  int
	}
	for _, tc := range []struct {
		name     string
		uncaught bool
		want     map[string]want
	}{
		{"caught", false, map[string]want{
			"Init": {graph.Succeeded, 1}, "Loop": {graph.Succeeded, 4}, "Inc": {graph.Succeeded, 3},
			"Never": {graph.NotReached, 0}, "Try": {graph.Caught, 1}, "Boom": {graph.Failed, 1},
			"Recover": {graph.Succeeded, 1}, "Done": {graph.NotReached, 0},
		}},
		{"uncaught", true, map[string]want{
			"Loop": {graph.Succeeded, 4}, "Try": {graph.Failed, 1}, "Boom": {graph.Failed, 1},
			"Recover": {graph.NotReached, 0}, "Done": {graph.NotReached, 0},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := loopMachine(tc.uncaught)
			m, err := asl.Parse([]byte(def))
			if err != nil {
				t.Fatal(err)
			}
			g, err := graph.Build(m, graph.Options{History: runHistory(t, def)})
			if err != nil {
				t.Fatal(err)
			}
			nodes := byName(g)
			for name, w := range tc.want {
				n := nodes[name]
				if n.Outcome != w.outcome || n.Visits != w.visits {
					t.Errorf("%s: outcome %q visits %d, want %q %d", name, n.Outcome, n.Visits, w.outcome, w.visits)
				}
			}
			if tc.uncaught {
				if g.ExecutionError != "Kaboom" || g.ExecutionCause != "it broke" {
					t.Errorf("execution error %q cause %q", g.ExecutionError, g.ExecutionCause)
				}
				var withErr []string
				for _, n := range g.Nodes {
					if n.Error != "" {
						withErr = append(withErr, n.Name)
					}
				}
				if len(withErr) != 1 {
					t.Errorf("states showing the error: %v, want one", withErr)
				}
			}
			// The SVG shows the outcome colours and the visit count.
			svg := render(t, g, graph.FormatSVG)
			nodesSVG, _ := parseSVG(t, svg)
			ids := map[string]svgGroup{}
			for _, n := range nodesSVG {
				ids[n.Title] = n
			}
			colour := map[string]string{graph.Succeeded: graph.ColorSucceeded, graph.Failed: graph.ColorFailed,
				graph.Caught: graph.ColorCaught, graph.NotReached: graph.ColorNotReached}
			for name, w := range tc.want {
				sn := ids[nodes[name].ID]
				if !containsFold(fills(sn), colour[w.outcome]) {
					t.Errorf("%s (%s): fills %v lack %s", name, w.outcome, fills(sn), colour[w.outcome])
				}
			}
			if !strings.Contains(allText(ids[nodes["Loop"].ID]), "visited ×4") {
				t.Errorf("Loop's node does not say visited ×4: %q", allText(ids[nodes["Loop"].ID]))
			}
		})
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// TestAWSHistory colours by a history recorded on AWS Step Functions
// (../shared/aws/history/parallel_catch: a Parallel whose branch's Fail
// state is caught; AWS records the Parallel's exit after
// ParallelStateFailed).
func TestAWSHistory(t *testing.T) {
	dir := "../../shared/aws/history/"
	if _, err := os.Stat(dir); err != nil {
		dir = "../shared/aws/history/"
	}
	data, err := os.ReadFile(filepath.Join(dir, "parallel_catch.history.json"))
	if err != nil {
		t.Skipf("shared AWS histories not present: %v", err)
	}
	h, err := graph.ParseHistory(data)
	if err != nil {
		t.Fatal(err)
	}
	g := buildFile(t, filepath.Join(dir, "parallel_catch.json"), h)
	want := map[string]string{"ParallelState": graph.Caught, "Branch1": graph.Failed, "FinalCaught": graph.Succeeded, "Final": graph.NotReached}
	for name, n := range byName(g) {
		if n.Outcome != want[name] {
			t.Errorf("%s: %q, want %q", name, n.Outcome, want[name])
		}
	}
}

// TestPNG: PNG is drawn by the package's renderer: it decodes, is
// deterministic, and with a history shows the outcome colours as pixels
// (fills) and node outlines (the type's pen colour) around them.
func TestPNG(t *testing.T) {
	def := loopMachine(false)
	m, err := asl.Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	h := runHistory(t, def)
	g, err := graph.Build(m, graph.Options{History: h})
	if err != nil {
		t.Fatal(err)
	}
	data := render(t, g, graph.FormatPNG)
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	seen := map[string]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if a == 0xffff {
				seen[fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, bl>>8)] = true
			}
		}
	}
	for _, c := range []string{graph.ColorSucceeded, graph.ColorFailed, graph.ColorCaught, "#6b7280" /* Pass outline */, "#dc2626" /* catch edge */} {
		if !seen[c] {
			t.Errorf("PNG has no %s pixels", c)
		}
	}
	g2, _ := graph.Build(m, graph.Options{History: h})
	if !bytes.Equal(data, render(t, g2, graph.FormatPNG)) {
		t.Error("two PNG renderings differ")
	}
}
