package sema

import (
	"strings"

	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/diag"
)

// warnings reports problems that heaviside accepts but AWS Step Functions
// rejects at create time, so the user hears of them before AWS says so:
// states that no state transitions to, and branches (the machine, a
// Parallel branch, a Map iterator) without a state that ends them. It runs
// on a linked machine.
func (a *analyzer) warnings(m *ast.Machine) []*diag.Error {
	src := a.src
	var out []*diag.Error
	targeted := make([]bool, len(a.names))
	mark := func(name string) {
		if t, ok := a.names[name]; ok {
			targeted[t.idx] = true
		}
	}
	var branch func(states []*ast.State, where string)
	branch = func(states []*ast.State, where string) {
		for _, s := range states {
			for _, b := range s.Branches {
				branch(b.States, "Parallel state '"+s.Name+"'")
			}
			if s.Kind == ast.Map {
				branch(s.IterStates, "Map state '"+s.Name+"' iterator")
			}
		}
		// A state is dead when nothing transitions to it (and it does not
		// start the branch); this is the rule AWS applies.
		mark(states[0].Name)
		terminal := false
		for _, s := range states {
			if s.End || s.Kind == ast.Succeed || s.Kind == ast.Fail {
				terminal = true
			}
			if s.Parameters != nil {
				out = append(out, pathParamWarnings(src, s.Parameters.Params)...)
			}
			out = append(out, rangeWarnings(src, s)...)
			if s.Kind == ast.Choice && !hasRules(s) {
				w := src.Errorf(s.Pos, "Choice state '%s' has no rules (a switch without a case): AWS Step Functions rejects it", s.Name)
				w.Severity = diag.SevWarning
				out = append(out, w)
			}
			if s.HasNext {
				mark(s.Next)
			}
			for _, c := range s.Choices {
				mark(c.Target)
			}
			for _, c := range s.Catch {
				mark(c.Catch.Next)
			}
		}
		for _, s := range states {
			if !targeted[a.names[s.Name].idx] {
				w := src.Errorf(s.Pos, "state '%s' can never be reached: no state transitions to it (AWS Step Functions rejects this)", s.Name)
				w.Severity = diag.SevWarning
				out = append(out, w)
			}
		}
		if !terminal {
			w := src.Errorf(states[0].Pos, "no state of %s ends it: it can never finish (AWS Step Functions rejects this)", where)
			w.Severity = diag.SevWarning
			out = append(out, w)
		}
	}
	branch(m.States, "the state machine")
	diag.List(out).Sort()
	return out
}

func hasRules(s *ast.State) bool {
	for _, c := range s.Choices {
		if c.Cond != nil {
			return true
		}
	}
	return false
}

// pathParamWarnings flags parameters whose key ends in ".$" but whose value
// is not a string: heaviside passes them through, AWS rejects them.
func pathParamWarnings(src *diag.Source, p *ast.Params) []*diag.Error {
	var out []*diag.Error
	var walk func(key string, v ast.JSON, at diag.Pos)
	walk = func(key string, v ast.JSON, at diag.Pos) {
		if strings.HasSuffix(key, ".$") {
			if _, ok := v.(string); !ok {
				w := src.Errorf(at, "parameter '%s' takes a path string: AWS Step Functions rejects other values", key)
				w.Severity = diag.SevWarning
				out = append(out, w)
			}
		}
		switch x := v.(type) {
		case *ast.Object:
			for i, k := range x.Keys {
				walk(k, x.Vals[i], at)
			}
		case []ast.JSON:
			for _, e := range x {
				walk("", e, at)
			}
		}
	}
	for i, k := range p.Keys {
		walk(k.Value, p.Vals[i], k.Pos)
	}
	return out
}

// rangeWarnings flags integer fields beyond what AWS accepts (a 64-bit
// integer): heaviside writes any size.
func rangeWarnings(src *diag.Source, s *ast.State) []*diag.Error {
	var out []*diag.Error
	check := func(n ast.Number, at diag.Pos, field string) {
		if n.IsInt && (len(n.Text) > 18) {
			w := src.Errorf(at, "%s %s is out of range: AWS Step Functions rejects it", field, n.Text)
			w.Severity = diag.SevWarning
			out = append(out, w)
		}
	}
	for _, m := range []*ast.Modifier{s.Timeout, s.Heartbeat, s.MaxConcurrency} {
		if m != nil {
			check(m.Int, m.Pos, m.Kind.String())
		}
	}
	for _, m := range s.Retry {
		check(m.Retry.Interval, m.Pos, "retry interval")
		check(m.Retry.Max, m.Pos, "retry max attempts")
	}
	return out
}
