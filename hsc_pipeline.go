package hsc

import (
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/codegen"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/parser"
	"github.com/hsc-dev/hsc/sema"
)

// compile runs the pipeline: lexer and parser (with sema's per-state checks
// as each state is built), sema's analysis, codegen's value tree, asl's
// validation of that tree, and the JSON text.
func compile(src []byte, o *options) (*Result, error) {
	s := diag.NewSource(o.filename, src)
	heaviside := o.compat == CompatHeaviside
	checker := sema.NewChecker(s)
	checker.Heaviside = heaviside
	m, err := parser.ParseWith(s, checker, parser.Options{Heaviside: heaviside})
	if err != nil {
		return nil, err
	}
	an, err := sema.Analyze(s, m, sema.Options{
		Region: o.region, AccountID: o.accountID,
		Visitors: o.visitors, BranchVisitors: o.branchVisitors,
		Heaviside: heaviside,
	})
	if err != nil {
		return nil, err
	}
	tree := codegen.Build(m)
	// Validation and writing the text only read the tree: do them side by
	// side (the validator's goroutine always ends before compile returns,
	// and a panic in it is raised here).
	var warnings diag.List
	var panicked any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		warnings = compiledProblems(s, tree, o.strict)
	}()
	f := codegen.Format{Indent: o.indent, Compact: o.compact, SortKeys: o.sortKeys}
	def := codegen.Encode(tree, f, len(src))
	<-done
	if panicked != nil {
		panic(panicked)
	}
	// AWS's 1 MiB limit applies to the text that is written.
	if sp := asl.ValidateSize(len(def)); len(sp) > 0 {
		warnings = append(warnings, asProblems(s, sp, o.strict)...)
		warnings.Sort()
	}
	if o.strict && len(warnings) > 0 {
		return nil, warnings
	}
	return &Result{Definition: def, Warnings: warnings, analysis: an, tree: tree}, nil
}

// compiledProblems validates a compiled definition. Every problem is a
// warning (heaviside writes such definitions, and Compile reproduces
// them), or with strict an error; its position is that of the DSL text the
// offending value came from.
func compiledProblems(s *diag.Source, tree *asl.Value, strict bool) diag.List {
	out := asProblems(s, asl.ValidateValue(tree), strict)
	out.Sort()
	return out
}

// asProblems gives asl's problems as diagnostics at the DSL positions the
// offending values came from: warnings, or with strict errors.
func asProblems(s *diag.Source, problems []asl.Problem, strict bool) diag.List {
	if len(problems) == 0 {
		return nil
	}
	out := asl.Diags(problems, s)
	for _, d := range out {
		d.Severity = diag.SevWarning
		if strict {
			d.Severity = diag.SevError
		}
	}
	return out
}
