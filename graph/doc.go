// Package graph owns turning a States Language definition (the asl model,
// *asl.StateMachine) into a graph of states and transitions, together with
// optional Heaviside DSL source positions (for conditions as written and
// node tooltips) and an optional execution history (for colouring states
// by outcome), and rendering that graph as Graphviz DOT, Mermaid, SVG or
// PNG.
//
// It must not know the command line: reading files, flags and choosing
// output files belong to cmd/hsc. It does not compile DSL or run
// executions either; callers hand it the parsed model, the source text and
// positions, and the history events.
package graph
