package graph

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/diag"
)

// Node kinds that are not states.
const (
	KindStart = "Start" // where a machine or branch begins
	KindEnd   = "End"   // where a machine or branch ends
	KindJoin  = "Join"  // where a Parallel's branches or a Map's iterations meet
)

// Edge kinds.
const (
	EdgeNext    = "next"    // Next, End, or a branch's end to its join
	EdgeChoice  = "choice"  // a Choice rule
	EdgeDefault = "default" // a Choice's Default
	EdgeCatch   = "catch"   // a Catcher
	EdgeBranch  = "branch"  // a Parallel or Map state to its branch's start
	EdgeStart   = "start"   // a Start marker to StartAt
)

// Outcomes of a state in an execution history.
const (
	Succeeded  = "succeeded"   // entered and left normally
	Failed     = "failed"      // the execution (or its branch) failed here
	Caught     = "caught"      // failed and a Catcher took over
	Running    = "running"     // entered and not yet left
	NotReached = "not reached" // never entered
)

// Graph is a state machine as nodes, nested clusters and edges.
type Graph struct {
	Root  *Cluster
	Edges []*Edge
	// Nodes are all nodes in creation order (depth first, states in
	// definition order).
	Nodes []*Node
	// History reports whether the graph carries execution outcomes.
	History bool
	// ExecutionError and ExecutionCause are those of a failed execution.
	ExecutionError, ExecutionCause string
}

// Cluster is a machine or branch: the top-level machine, a Parallel
// branch or a Map iterator.
type Cluster struct {
	ID       string
	Label    string
	Nodes    []*Node
	Clusters []*Cluster
}

// Node is a state, or a Start, End or Join marker (Type is then KindStart,
// KindEnd or KindJoin).
type Node struct {
	ID   string
	Name string // the state name; "" for markers
	Type string // asl.TypeTask ... or KindStart, KindEnd, KindJoin
	// Retries is how many retries the state's Retriers allow at most (the
	// sum of their MaxAttempts); 0 without Retry.
	Retries int
	// Source is where a DSL program defines the state (zero for JSON), and
	// Tooltip what a viewer shows on hover: the source line for DSL.
	Source  diag.Pos
	Tooltip string
	// Outcome, Visits, Error and Cause come from a history.
	Outcome      string
	Visits       int
	Error, Cause string
}

// IsState reports whether the node is a state rather than a marker.
func (n *Node) IsState() bool { return n.Name != "" }

// Edge is a transition between two nodes.
type Edge struct {
	From, To string
	Kind     string
	Label    string
}

// Positioner maps JSON pointers of a definition, such as
// "/States/Loop/Choices/0", to the DSL text that produced them;
// hsc.SourceMap is one.
type Positioner interface {
	Pos(pointer string) (diag.Pos, bool)
}

// Source is the Heaviside program a definition was compiled from.
type Source struct {
	File string
	Text []byte
	// States are the positions of the states by name
	// (hsc.Result.StatePositions); Pointers maps JSON pointers
	// (hsc.Result.SourceMap). Either may be nil.
	States   map[string]diag.Pos
	Pointers Positioner
}

// Options are what Build adds to the definition.
type Options struct {
	Source  *Source  // nil for a JSON definition
	History *History // nil without an execution
}

// Build turns a definition into a graph.
func Build(m *asl.StateMachine, opts Options) (*Graph, error) {
	if m == nil {
		return nil, fmt.Errorf("graph: no state machine")
	}
	b := &builder{g: &Graph{}, opts: opts}
	b.g.Root = &Cluster{ID: "root", Label: m.Comment}
	b.machine(m, b.g.Root, "")
	if opts.History != nil {
		opts.History.apply(b.g)
	}
	return b.g, nil
}

type builder struct {
	g    *Graph
	opts Options
	n    int
}

func (b *builder) node(c *Cluster, n *Node) *Node {
	n.ID = "n" + strconv.Itoa(b.n)
	b.n++
	c.Nodes = append(c.Nodes, n)
	b.g.Nodes = append(b.g.Nodes, n)
	return n
}

func (b *builder) edge(from, to *Node, kind, label string) {
	b.g.Edges = append(b.g.Edges, &Edge{From: from.ID, To: to.ID, Kind: kind, Label: label})
}

// machine adds m's states to c and returns its start marker and the nodes
// that end it (those an End marker or a join follows).
func (b *builder) machine(m *asl.StateMachine, c *Cluster, ptr string) (start *Node, ends []*Node) {
	start = b.node(c, &Node{Type: KindStart})
	byName := make(map[string]*Node, len(m.States))
	nodes := make([]*Node, len(m.States))
	for i, s := range m.States {
		n := b.node(c, &Node{Name: s.Name, Type: s.Type, Retries: retries(s)})
		b.describe(n, s)
		byName[s.Name] = n
		nodes[i] = n
	}
	if t := byName[m.StartAt]; t != nil {
		b.edge(start, t, EdgeStart, "")
	}
	var end *Node
	toEnd := func(from *Node) {
		if end == nil {
			end = b.node(c, &Node{Type: KindEnd})
			ends = append(ends, end)
		}
		b.edge(from, end, EdgeNext, "")
	}
	for i, s := range m.States {
		n := nodes[i]
		sptr := ptr + "/States/" + escapePointer(s.Name)
		out := n // where Next and End leave from
		switch s.Type {
		case asl.TypeParallel, asl.TypeMap:
			join := b.node(c, &Node{Type: KindJoin})
			var subs []*asl.StateMachine
			var subPtrs []string
			if s.Type == asl.TypeParallel {
				for j, br := range s.Branches {
					subs = append(subs, br)
					subPtrs = append(subPtrs, sptr+"/Branches/"+strconv.Itoa(j))
				}
			} else if s.ItemProcessor != nil {
				subs, subPtrs = append(subs, s.ItemProcessor), append(subPtrs, sptr+"/ItemProcessor")
			} else if s.Iterator != nil {
				subs, subPtrs = append(subs, s.Iterator), append(subPtrs, sptr+"/Iterator")
			}
			for j, sub := range subs {
				label := s.Name + " iterator"
				if s.Type == asl.TypeParallel {
					label = fmt.Sprintf("%s branch %d", s.Name, j+1)
				}
				sc := &Cluster{ID: fmt.Sprintf("%s_%d", n.ID, j), Label: label}
				c.Clusters = append(c.Clusters, sc)
				subStart, subEnds := b.machine(sub, sc, subPtrs[j])
				b.edge(n, subStart, EdgeBranch, "")
				for _, e := range subEnds {
					b.edge(e, join, EdgeNext, "")
				}
			}
			out = join
		case asl.TypeChoice:
			for j, r := range s.Choices {
				if t := byName[r.Next]; t != nil {
					b.edge(n, t, EdgeChoice, b.condition(r, sptr+"/Choices/"+strconv.Itoa(j)))
				}
			}
			if t := byName[s.Default]; t != nil {
				b.edge(n, t, EdgeDefault, "default")
			}
		}
		for _, ct := range s.Catch {
			if t := byName[ct.Next]; t != nil {
				b.edge(n, t, EdgeCatch, strings.Join(ct.ErrorEquals, ", "))
			}
		}
		switch {
		case s.Type == asl.TypeChoice:
		case s.Type == asl.TypeSucceed || s.Type == asl.TypeFail || s.End:
			toEnd(out)
		case s.Next != "":
			if t := byName[s.Next]; t != nil {
				b.edge(out, t, EdgeNext, "")
			}
		}
	}
	return start, ends
}

// retries is the most retries a state's Retriers allow (MaxAttempts
// defaults to 3).
func retries(s *asl.State) int {
	total := 0
	for _, r := range s.Retry {
		n := int64(3)
		if r.MaxAttempts != "" {
			if v, ok := r.MaxAttempts.Int64(); ok {
				n = v
			}
		}
		total += int(n)
	}
	return total
}

// describe sets the node's source position and tooltip.
func (b *builder) describe(n *Node, s *asl.State) {
	src := b.opts.Source
	tip := s.Type
	if s.Comment != "" {
		tip += ": " + s.Comment
	}
	if src != nil {
		if p, ok := src.States[s.Name]; ok && p.IsValid() {
			n.Source = p
			tip = fmt.Sprintf("%s:%d: %s", src.File, p.Line, strings.TrimSpace(lineAt(src.Text, p)))
		}
	}
	n.Tooltip = tip
}

// condition is a Choice rule's label: for a DSL program the condition as
// the source writes it, when its position names a one-line `if`, `elif` or
// `while` condition; otherwise the rule rendered from its JSON.
func (b *builder) condition(r *asl.ChoiceRule, ptr string) string {
	if src := b.opts.Source; src != nil && src.Pointers != nil {
		if p, ok := src.Pointers.Pos(ptr); ok && p.IsValid() {
			if text, ok := sourceCondition(src.Text, p); ok {
				return text
			}
		}
	}
	return RuleText(r)
}

// sourceCondition is the condition at p when the line there is a one-line
// `if`, `elif` or `while` header.
func sourceCondition(text []byte, p diag.Pos) (string, bool) {
	line := lineAt(text, p)
	trimmed := strings.TrimSpace(line)
	for _, kw := range []string{"if ", "elif ", "while "} {
		if rest, ok := strings.CutPrefix(trimmed, kw); ok {
			rest = strings.TrimSpace(rest)
			cond, ok := strings.CutSuffix(rest, ":")
			if !ok || strings.Count(cond, "(") != strings.Count(cond, ")") {
				return "", false
			}
			return strings.TrimSpace(cond), true
		}
	}
	return "", false
}

// lineAt is the text of p's line.
func lineAt(text []byte, p diag.Pos) string {
	off := int(p.Offset)
	if off < 0 || off > len(text) {
		return ""
	}
	start := bytes.LastIndexByte(text[:off], '\n') + 1
	end := bytes.IndexByte(text[off:], '\n')
	if end < 0 {
		end = len(text)
	} else {
		end += off
	}
	return strings.TrimSuffix(string(text[start:end]), "\r")
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
