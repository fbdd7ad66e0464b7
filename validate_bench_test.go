package hsc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hsc-dev/hsc/codegen"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/parser"
	"github.com/hsc-dev/hsc/sema"
)

// largeMachine parses and analyses the benchmark program once.
func largeMachine(b *testing.B) (*diag.Source, *Result) {
	path := filepath.Join("..", "shared", "bench", "large.hsd")
	src, err := os.ReadFile(path)
	if err != nil {
		testenv.Skip(b, "benchmark input missing: "+err.Error())
	}
	res, err := Compile(src)
	if err != nil {
		b.Fatal(err)
	}
	return diag.NewSource(path, src), res
}

// BenchmarkValidateLargeTree is the validation part of
// BenchmarkCompileLarge: asl's validator and the mapping of its problems
// on the tree codegen builds for the benchmark program.
func BenchmarkValidateLargeTree(b *testing.B) {
	s, res := largeMachine(b)
	b.ReportAllocs()
	for b.Loop() {
		compiledProblems(s, res.tree, false)
	}
}

// BenchmarkBuildLarge is the tree-building part of BenchmarkCompileLarge.
func BenchmarkBuildLarge(b *testing.B) {
	s, _ := largeMachine(b)
	m, err := parser.Parse(s, sema.NewChecker(s))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sema.Analyze(s, m, sema.Options{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		codegen.Build(m)
	}
}

// BenchmarkEncodeLarge is the writing part of BenchmarkCompileLarge.
func BenchmarkEncodeLarge(b *testing.B) {
	_, res := largeMachine(b)
	b.ReportAllocs()
	for b.Loop() {
		codegen.Encode(res.tree, codegen.Format{Indent: 3}, len(res.Definition)/5)
	}
}
