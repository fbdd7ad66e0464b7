package hsc

import (
	"github.com/hsc-dev/hsc/codegen"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/parser"
	"github.com/hsc-dev/hsc/sema"
)

// compile runs the pipeline: lexer and parser (with sema's per-state checks
// as each state is built), sema's analysis, then codegen.
func compile(src []byte, o *options) (*Result, error) {
	s := diag.NewSource(o.filename, src)
	m, err := parser.Parse(s, sema.NewChecker(s))
	if err != nil {
		return nil, err
	}
	an, err := sema.Analyze(s, m, sema.Options{Region: o.region, AccountID: o.accountID, Visitors: o.visitors})
	if err != nil {
		return nil, err
	}
	f := codegen.Format{Indent: o.indent, Compact: o.compact}
	res := &Result{Definition: codegen.Write(m, f, len(src)), Warnings: an.Warnings, analysis: an}
	if o.strict && len(res.Warnings) > 0 {
		errs := make(diag.List, len(res.Warnings))
		for i, w := range res.Warnings {
			e := *w
			e.Severity = diag.SevError
			errs[i] = &e
		}
		return nil, errs
	}
	return res, nil
}
