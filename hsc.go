// Package hsc is the library API of the hsc toolchain: it compiles Heaviside
// DSL programs to Amazon States Language definitions exactly as heaviside
// 2.2.5 does (see docs/compat.md for the deliberate deviations).
//
// The package owns option handling, the order of the pipeline (lexer →
// parser → sema → codegen → asl's validator), loading definitions from
// files (Load: which files are DSL and which JSON, and the machine name a
// file gives) and checking them (Check). Compile validates the definition
// it builds with asl, the same validator hsc check uses, and maps each
// problem back to the DSL line through codegen's positions, so compile
// warnings and check problems are one list. It must not know about AWS
// clients, the command line, or how a definition is run.
package hsc

import (
	"fmt"
	"io"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/codegen"
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
	// Warnings are what AWS Step Functions would reject in the definition
	// although heaviside writes it (unreachable states, a branch that can
	// never end, a Choice without rules, ...): every problem asl's
	// validator finds, placed at the DSL text it came from. They are the
	// problems Check reports for the same program; WithStrict makes them
	// compile errors.
	Warnings []*Error

	analysis *sema.Analysis
	tree     *asl.Value
}

// Value returns the definition as a value tree whose positions are those
// of the DSL text each value came from.
func (r *Result) Value() *asl.Value { return r.tree }

// SourceMap maps the definition's JSON pointers to DSL positions.
func (r *Result) SourceMap() SourceMap { return codegen.NewSourceMap(r.tree) }

// SourceMap maps JSON pointers of a compiled definition (such as
// "/States/Hello/Next") to the DSL positions they came from.
type SourceMap = codegen.SourceMap

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
	filename       string
	region         string
	accountID      string
	visitors       []ast.Visitor
	branchVisitors []ast.BranchVisitor
	indent         int  // <0: heaviside.compile's default separators
	compact        bool // no whitespace at all
	sortKeys       bool // json.dumps(sort_keys=True)
	strict         bool // warnings are errors
	compat         Compat
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

// WithBranchVisitors adds visitors of heaviside's second form: each is
// called once with the main branch's states, after the Task visitors, and
// walks nested branches itself, free to change any state. Names and
// transitions are checked again afterwards.
func WithBranchVisitors(v ...ast.BranchVisitor) Option {
	return func(o *options) { o.branchVisitors = append(o.branchVisitors, v...) }
}

// WithSortKeys orders the keys of every object in the definition, nested
// ones included, as heaviside.compile(sort_keys=True) does (Python's
// json.dumps sorts by code point).
func WithSortKeys() Option { return func(o *options) { o.sortKeys = true } }

// WithIndent writes the JSON indented by n spaces per level, as Python's
// json.dumps(indent=n) does. The heaviside CLI uses 3.
func WithIndent(n int) Option {
	return func(o *options) { o.indent = n; o.compact = false }
}

// WithStrict turns warnings (such as unreachable states) into errors: in
// Compile, a program with warnings fails; in Check and Load, every problem
// is an error.
func WithStrict() Option { return func(o *options) { o.strict = true } }

// Compat names a language to compile instead of the DSL with its
// extensions (docs/dsl-extensions.md).
type Compat string

const (
	// CompatNone is the DSL with its extensions: every program heaviside
	// 2.2.5 accepts, compiled as heaviside compiles it, plus the syntax
	// of docs/dsl-extensions.md.
	CompatNone Compat = ""
	// CompatHeaviside is heaviside 2.2.5's language exactly: every
	// extension is off, and a program using one fails where and how
	// heaviside fails.
	CompatHeaviside Compat = "heaviside"
)

// ParseCompat reads a --compat value: "heaviside", or "" / "none" for the
// DSL with its extensions.
func ParseCompat(s string) (Compat, error) {
	switch s {
	case "", "none":
		return CompatNone, nil
	case "heaviside":
		return CompatHeaviside, nil
	}
	return "", fmt.Errorf("unknown compatibility mode %q (want heaviside or none)", s)
}

// WithCompat selects the language: CompatHeaviside turns every DSL
// extension off (heaviside 2.2.5's grammar and errors), CompatNone (the
// default) keeps them on.
func WithCompat(c Compat) Option { return func(o *options) { o.compat = c } }

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

// CompileReader reads r (at most MaxSourceSize bytes) and compiles it.
func CompileReader(r io.Reader, opts ...Option) (*Result, error) {
	src, err := readLimited(r, MaxSourceSize)
	if err != nil {
		return nil, err
	}
	return Compile(src, opts...)
}

// CompileFile reads and compiles the named file; the file name is used in
// diagnostics unless WithFilename overrides it.
func CompileFile(path string, opts ...Option) (*Result, error) {
	src, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Compile(src, append([]Option{WithFilename(path)}, opts...)...)
}
