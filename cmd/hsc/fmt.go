package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/format"
	"github.com/hsc-dev/hsc/internal/atomicfile"
)

type fmtFlags struct {
	write, list, diff, nameStates bool
}

func newFmtCmd() *cobra.Command {
	var f fmtFlags
	cmd := &cobra.Command{
		Use:   "fmt [-w] [-l] [-d] [FILE|DIR ...]",
		Short: "Format Heaviside DSL programs in the canonical layout",
		Long: `Format Heaviside DSL programs in one canonical layout: four spaces per block
level, Python's spacing between tokens, single quotes (double quotes when the
text holds a single quote, triple quotes for text with line breaks), """ for
docstrings, JSON blocks indented by bracket depth, a blank line before every
top-level state. Comments and docstrings are kept, and the program compiles to
the same definition byte for byte (hsc fmt checks this before writing).

A state without a docstring is named after its line (Line<N>), so it keeps its
line; --name-states writes those names out as docstrings, after which the
states may move. A goto cannot hold a docstring and always keeps its line.

Without files, hsc fmt formats standard input to standard output. A directory
is searched for .hsd files. A program that does not compile is not formatted:
its errors are printed and the exit status is 2.

Exit status: 0 on success; 1 with -d when a file is not formatted; 2 when a
file cannot be read, written or compiled (the other files are still done).`,
		Example: `  hsc fmt -w workflow.hsd
  hsc fmt -l .
  hsc fmt -d workflow.hsd
  hsc fmt --name-states -w workflow.hsd`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFmt(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.write, "write", "w", false, "write the result to the file instead of standard output")
	fl.BoolVarP(&f.list, "list", "l", false, "list the files whose formatting differs")
	fl.BoolVarP(&f.diff, "diff", "d", false, "print a unified diff instead of the result")
	fl.BoolVar(&f.nameStates, "name-states", false, "write the Line<N> name of every state without a docstring as its docstring")
	return cmd
}

func runFmt(cmd *cobra.Command, f fmtFlags, args []string) error {
	out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
	var opts []format.Option
	if f.nameStates {
		opts = append(opts, format.WithNameStates())
	}
	if len(args) == 0 {
		if f.write {
			return usageError{errors.New("cannot use -w with standard input")}
		}
		args = []string{"-"}
	}
	failed, differ := false, false
	one := func(path string) {
		d, err := fmtFile(cmd.InOrStdin(), out, path, f, opts)
		if err != nil {
			failed = true
			if _, ok := diag.AsList(err); ok {
				diag.Fprint(errw, "hsc", err)
			} else {
				fmt.Fprintf(errw, "hsc: %v\n", err)
			}
		}
		differ = differ || d
	}
	for _, a := range args {
		if a == "-" {
			if f.write {
				return usageError{errors.New("cannot use -w with standard input")}
			}
			one(a)
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			failed = true
			fmt.Fprintf(errw, "hsc: %v\n", err)
			continue
		}
		if !st.IsDir() {
			one(a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				failed = true
				fmt.Fprintf(errw, "hsc: %v\n", err)
				return nil
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".hsd") && !strings.HasPrefix(d.Name(), ".") {
				one(p)
			}
			return nil
		})
		if err != nil {
			failed = true
			fmt.Fprintf(errw, "hsc: %v\n", err)
		}
	}
	switch {
	case failed:
		return exitError{exitUsage}
	case differ && f.diff:
		return exitError{exitFailure}
	}
	return nil
}

// fmtFile formats one file ("-": standard input) and reports whether its
// formatting differed.
func fmtFile(stdin io.Reader, out io.Writer, path string, f fmtFlags, opts []format.Option) (bool, error) {
	src, err := hsc.ReadSource(path, stdin)
	if err != nil {
		return false, err
	}
	name := path
	if path == "-" {
		name = hsc.StdinName
	}
	res, err := format.Source(src, append(opts, format.WithFilename(name))...)
	if err != nil {
		return false, err
	}
	changed := !bytes.Equal(src, res)
	if !f.list && !f.write && !f.diff {
		_, err := out.Write(res)
		return changed, err
	}
	if !changed {
		return false, nil
	}
	if f.list {
		if _, err := fmt.Fprintln(out, name); err != nil {
			return true, err
		}
	}
	if f.write {
		if err := atomicfile.WriteFile(path, res, 0o644); err != nil {
			return true, fmt.Errorf("%s: %w", path, err)
		}
	}
	if f.diff {
		if _, err := out.Write(unifiedDiff(name+".orig", name, src, res)); err != nil {
			return true, err
		}
	}
	return true, nil
}

// unifiedDiff returns the differences between a and b as a unified diff
// with three lines of context, headed like gofmt -d's.
func unifiedDiff(oldName, newName string, a, b []byte) []byte {
	x, y := splitLines(a), splitLines(b)
	ops := diffLines(x, y)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "diff %s %s\n--- %s\n+++ %s\n", oldName, newName, oldName, newName)
	const ctx = 3
	// ops: one entry per line of the edit script: ' ', '-' or '+'
	for i := 0; i < len(ops); {
		if ops[i].op == ' ' {
			i++
			continue
		}
		// a hunk from i-ctx to the end of the last change within 2*ctx
		start := max(i-ctx, 0)
		end := i
		for end < len(ops) {
			if ops[end].op != ' ' {
				end++
				continue
			}
			j := end
			for j < len(ops) && ops[j].op == ' ' {
				j++
			}
			if j == len(ops) || j-end > 2*ctx {
				break
			}
			end = j
		}
		stop := min(end+ctx, len(ops))
		ax, bx, an, bn := ops[start].ai, ops[start].bi, 0, 0
		for _, o := range ops[start:stop] {
			if o.op != '+' {
				an++
			}
			if o.op != '-' {
				bn++
			}
		}
		fmt.Fprintf(&buf, "@@ -%s +%s @@\n", hunkRange(ax, an), hunkRange(bx, bn))
		for _, o := range ops[start:stop] {
			buf.WriteByte(o.op)
			buf.WriteString(o.text)
			if !strings.HasSuffix(o.text, "\n") {
				buf.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = stop
	}
	return buf.Bytes()
}

func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

type diffOp struct {
	op     byte
	text   string
	ai, bi int // line index in a and b where the op applies
}

// maxDiffEdits bounds the edit distance diffLines searches; past it the
// rest is written as one replacement.
const maxDiffEdits = 4000

// diffLines is Myers' O(ND) difference algorithm on lines.
func diffLines(a, b []string) []diffOp {
	// common prefix and suffix first: formatting changes are local
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	var ops []diffOp
	for i := 0; i < p; i++ {
		ops = append(ops, diffOp{' ', a[i], i, i})
	}
	ops = append(ops, myers(a[p:len(a)-s], b[p:len(b)-s], p, p)...)
	for i := 0; i < s; i++ {
		ai, bi := len(a)-s+i, len(b)-s+i
		ops = append(ops, diffOp{' ', a[ai], ai, bi})
	}
	return ops
}

func myers(a, b []string, ao, bo int) []diffOp {
	n, m := len(a), len(b)
	maxD := min(n+m, maxDiffEdits)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	found := false
	for d := 0; d <= maxD && !found; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	if !found {
		var ops []diffOp
		for i, l := range a {
			ops = append(ops, diffOp{'-', l, ao + i, bo})
		}
		for j, l := range b {
			ops = append(ops, diffOp{'+', l, ao + n, bo + j})
		}
		return ops
	}
	// walk back through the trace
	var rev []diffOp
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		v := trace[d]
		k := x - y
		var pk int
		if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := v[off+pk]
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, diffOp{' ', a[x], ao + x, bo + y})
		}
		if x == px {
			y--
			rev = append(rev, diffOp{'+', b[y], ao + x, bo + y})
		} else {
			x--
			rev = append(rev, diffOp{'-', a[x], ao + x, bo + y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, diffOp{' ', a[x], ao + x, bo + y})
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}
