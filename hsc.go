// Package hsc is the library API of the hsc toolchain: it compiles Heaviside
// DSL programs to Amazon States Language definitions exactly as heaviside
// 2.2.5 does (see docs/compat.md for the deliberate deviations).
//
// The package owns option handling and the order of the pipeline
// (lexer → parser → sema → codegen). It must not know about AWS clients,
// the command line, or how a definition is run.
package hsc

import (
	"fmt"
	"io"
	"os"

	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/sema"
)

// Error is a positioned compile diagnostic. Use errors.As to reach it from an
// error returned by Compile; Error() is "file:line:col: message".
type Error = diag.Error

// ErrorList is the type of a compile error that holds several diagnostics.
type ErrorList = diag.List

// Result is a compiled definition.
type Result struct {
	// Definition is the States Language JSON.
	Definition []byte
	// Warnings are problems that do not stop compilation, such as states that
	// can never be reached.
	Warnings []*Error

	analysis *sema.Analysis
}

// StatePos returns the position of the DSL text that produced the named
// state (for a synthetic state, the statement it was made for).
func (r *Result) StatePos(name string) (diag.Pos, bool) {
	s, ok := r.analysis.State(name)
	if !ok {
		return diag.Pos{}, false
	}
	return s.Pos, true
}

// StatePositions returns the positions of all states by name.
func (r *Result) StatePositions() map[string]diag.Pos {
	m := make(map[string]diag.Pos)
	for name, s := range r.analysis.States() {
		m[name] = s.Pos
	}
	return m
}

// Option configures Compile.
type Option func(*options)

type options struct {
	filename  string
	region    string
	accountID string
	visitors  []ast.Visitor
	indent    int  // <0: heaviside.compile's default separators
	compact   bool // no whitespace at all
	strict    bool // warnings are errors
}

func defaultOptions() options { return options{filename: "<unknown>", indent: -1} }

// WithFilename names the source in diagnostics.
func WithFilename(name string) Option { return func(o *options) { o.filename = name } }

// WithRegion sets the AWS region used in Lambda and Activity ARNs.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithAccountID sets the AWS account id used in Lambda and Activity ARNs.
func WithAccountID(id string) Option { return func(o *options) { o.accountID = id } }

// WithVisitors adds visitors that see (and may rewrite) every Task state
// after linking, in every branch, like heaviside's StateVisitor.
func WithVisitors(v ...ast.Visitor) Option {
	return func(o *options) { o.visitors = append(o.visitors, v...) }
}

// WithIndent writes the JSON indented by n spaces per level, as Python's
// json.dumps(indent=n) does. The heaviside CLI uses 3.
func WithIndent(n int) Option {
	return func(o *options) { o.indent = n; o.compact = false }
}

// WithStrict turns warnings (such as unreachable states) into errors.
func WithStrict() Option { return func(o *options) { o.strict = true } }

// WithCompact writes the JSON with no whitespace at all.
func WithCompact() Option { return func(o *options) { o.compact = true; o.indent = -1 } }

// Compile compiles a Heaviside DSL program. Without formatting options the
// output is what heaviside.compile returns by default (one line, items
// separated by ", " and keys by ": ").
func Compile(src []byte, opts ...Option) (*Result, error) {
	o := defaultOptions()
	for _, f := range opts {
		f(&o)
	}
	return compile(src, &o)
}

// CompileReader reads all of r and compiles it.
func CompileReader(r io.Reader, opts ...Option) (*Result, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading source: %w", err)
	}
	return Compile(src, opts...)
}

// CompileFile reads and compiles the named file; the file name is used in
// diagnostics unless WithFilename overrides it.
func CompileFile(path string, opts ...Option) (*Result, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading source: %w", err)
	}
	return Compile(src, append([]Option{WithFilename(path)}, opts...)...)
}
