package hsc_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/diag"
)

func TestMachineNameAndFileTypes(t *testing.T) {
	for path, want := range map[string]string{
		"dir/flow.hsd": "flow", "flow.asl.json": "flow", "FLOW.ASL.JSON": "FLOW", "x.json": "x",
		"x.sfn": "x", "X.SFN": "X", "plain": "plain", "a.b.hsd": "a.b", "-": "", ".hsd": ".hsd",
	} {
		if got := hsc.MachineName(path); got != want {
			t.Errorf("MachineName(%q) = %q, want %q", path, got, want)
		}
	}
	for name, want := range map[string][2]bool{
		"a.hsd": {true, true}, "a.HSD": {true, true}, "a.json": {false, true}, "a.asl.json": {false, true},
		"a.sfn": {false, true}, "a.txt": {false, false}, "a": {false, false},
	} {
		dsl, ok := hsc.IsDSLFile(name)
		if [2]bool{dsl, ok} != want {
			t.Errorf("IsDSLFile(%q) = %v %v, want %v", name, dsl, ok, want)
		}
	}
	for src, want := range map[string]bool{
		`{"StartAt": "A"}`: false, "\n\t {}": false, "\xef\xbb\xbf{}": false,
		"Pass()\n": true, "# {comment}\nPass()": true, "": true,
	} {
		if got := hsc.SniffDSL([]byte(src)); got != want {
			t.Errorf("SniffDSL(%q) = %v, want %v", src, got, want)
		}
	}
}

// countingReader yields zero bytes forever and counts them.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	clear(p)
	r.n += int64(len(p))
	return len(p), nil
}

func TestLoadFileInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	def := `{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}`
	sfn := write("flow.sfn", def)
	hsd := write("flow.hsd", "Pass()\n")

	// The same .sfn file is JSON for every caller (issue 9 item 5).
	d, err := hsc.LoadFile(sfn, nil)
	if err != nil || d.DSL || d.Name != "flow" || string(d.JSON) != def || len(d.Problems) != 0 {
		t.Fatalf("LoadFile(.sfn) = %+v, %v", d, err)
	}
	d, err = hsc.LoadFile(hsd, nil, hsc.WithCompact())
	if err != nil || !d.DSL || d.Compiled == nil || string(d.JSON) != `{"States":{"Line1":{"Type":"Pass","End":true}},"StartAt":"Line1"}` {
		t.Fatalf("LoadFile(.hsd) = %+v, %v", d, err)
	}
	// Standard input: JSON when it starts with '{', DSL otherwise.
	d, err = hsc.LoadFile("-", strings.NewReader("  "+def))
	if err != nil || d.DSL || d.File != hsc.StdinName || d.Name != "" {
		t.Fatalf("LoadFile(-, JSON) = %+v, %v", d, err)
	}
	d, err = hsc.LoadFile("-", strings.NewReader("Pass()\n"))
	if err != nil || !d.DSL {
		t.Fatalf("LoadFile(-, DSL) = %+v, %v", d, err)
	}

	var ie *hsc.InputError
	for name, want := range map[string]string{
		dir:                             "is a directory",
		write("notes.txt", "x"):         `unknown file type ".txt"`,
		filepath.Join(dir, "nope.json"): "no such file",
	} {
		_, err := hsc.LoadFile(name, nil)
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadFile(%s) = %v, want an InputError with %q", name, err, want)
		}
	}

	// Issue 10 items 9 and 17: standard input is read to the limit plus one
	// byte, no further.
	r := &countingReader{}
	_, err = hsc.LoadFile("-", r)
	if !errors.Is(err, hsc.ErrTooLarge) {
		t.Fatalf("endless stdin: %v", err)
	}
	if r.n > hsc.MaxSourceSize+64<<10 {
		t.Errorf("read %d bytes of an endless input; limit %d", r.n, hsc.MaxSourceSize)
	}
	if _, err := hsc.CompileReader(io.LimitReader(&countingReader{}, hsc.MaxSourceSize+1)); !errors.Is(err, hsc.ErrTooLarge) {
		t.Errorf("CompileReader of MaxSourceSize+1 bytes: %v", err)
	}

	// Errors in the text are diagnostics with positions.
	_, err = hsc.LoadFile(write("broken.json", "{\n  \"StartAt\": }"), nil)
	if l, ok := diag.AsList(err); !ok || l[0].Pos.Line != 2 || l[0].Code != "INVALID_JSON" {
		t.Errorf("broken JSON: %v", err)
	}
}

// TestCheckIsCompileWarnings: for a program, Check's problems are exactly
// Compile's warnings; with WithStrict, Compile fails with the same list
// Check returns.
func TestCheckIsCompileWarnings(t *testing.T) {
	src := []byte("Fail('E', 'c')\n\nPass()\n    \"\"\"Dead\"\"\"\n    parameters:\n        n.$: 1\n")
	res, err := hsc.Compile(src, hsc.WithFilename("f.hsd"))
	if err != nil {
		t.Fatal(err)
	}
	problems := hsc.Check("f.hsd", src)
	if len(res.Warnings) != 2 || len(problems) != 2 {
		t.Fatalf("warnings %v, problems %v", res.Warnings, problems)
	}
	codes := map[string]int{}
	for i, w := range res.Warnings {
		p := problems[i]
		if w.Error() != p.Error() || w.Code != p.Code || w.Pointer != p.Pointer || w.Severity != diag.SevWarning || p.Severity != diag.SevWarning {
			t.Errorf("warning %v (%s %s) != problem %v (%s %s)", w, w.Code, w.Pointer, p, p.Code, p.Pointer)
		}
		codes[w.Code] = w.Line()
	}
	// Unreachable state: at the state's line; a ".$" parameter that is no
	// path: at its key.
	if codes[string(asl.CodeUnreachable)] != 3 || codes[string(asl.CodeInvalidType)] != 6 {
		t.Errorf("codes and lines: %v", codes)
	}
	_, err = hsc.Compile(src, hsc.WithFilename("f.hsd"), hsc.WithStrict())
	strict := hsc.Check("f.hsd", src, hsc.WithStrict())
	l, ok := diag.AsList(err)
	if !ok || len(l) != len(strict) || !strict.HasErrors() {
		t.Fatalf("strict compile %v, strict check %v", err, strict)
	}
	for i := range l {
		if l[i].Error() != strict[i].Error() || l[i].Severity != diag.SevError {
			t.Errorf("strict: %v vs %v", l[i], strict[i])
		}
	}
	// A definition's problems keep asl's severities.
	json := hsc.Check("m.json", []byte(`{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}`))
	if !json.HasErrors() || json[0].File != "m.json" || json[0].Pointer == "" {
		t.Errorf("JSON check: %v", json)
	}
}

// TestBranchVisitorRechecked: names and transitions are checked again
// after visitors run (heaviside does not).
func TestBranchVisitorRechecked(t *testing.T) {
	src := []byte("Pass()\n    \"\"\"A\"\"\"\nparallel:\n    Pass()\n        \"\"\"B\"\"\"\n")
	tests := []struct {
		name  string
		visit func(states []*ast.State)
		want  string
	}{
		{"duplicate name", func(s []*ast.State) { s[1].Branches[0].States[0].Name = "A" }, "Duplicate state name 'A'"},
		{"dangling Next", func(s []*ast.State) { s[0].Next = "Nowhere" }, "goes to 'Nowhere'"},
		{"Next into another branch", func(s []*ast.State) { s[0].Next = "B" }, "goes to 'B'"},
		{"long name", func(s []*ast.State) { s[0].Name = strings.Repeat("x", 81); s[0].HasNext = false; s[0].End = true }, "Name exceeds 80 characters"},
	}
	for _, tt := range tests {
		_, err := hsc.Compile(src, hsc.WithBranchVisitors(ast.BranchVisitorFunc(tt.visit)))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.want)
		}
	}
	// A visitor that renames a state and its references consistently is fine.
	rename := ast.BranchVisitorFunc(func(s []*ast.State) {
		s[1].Name, s[0].Next = "Fan out", "Fan out"
	})
	res, err := hsc.Compile(src, hsc.WithCompact(), hsc.WithBranchVisitors(rename))
	if err != nil || !strings.Contains(string(res.Definition), `"Next":"Fan out"},"Fan out":{"Type":"Parallel"`) {
		t.Errorf("rename: %v %s", err, res.Definition)
	}
}

// TestFormerSemaWarnings: every rule sema/warnings.go had is asl's now and
// reaches compile warnings at the DSL line (each program is one heaviside
// accepts).
func TestFormerSemaWarnings(t *testing.T) {
	tests := []struct {
		name, src string
		code      asl.Code
		line      int
	}{
		{"unreachable state", "Fail('E', 'c')\nPass()\n", asl.CodeUnreachable, 2},
		{"branch without a terminal state", "Pass()\n    \"\"\"A\"\"\"\ngoto 'A'\n", asl.CodeNoTerminal, 1},
		{"switch without a case", "switch '$.x':\n    default:\n        Pass()\n", asl.CodeMissingField, 1},
		{"key.$ that is not a path string", "Pass()\n    parameters:\n        k.$: 5\n", asl.CodeInvalidType, 3},
		{"integer out of range", "Lambda('f')\n    timeout: 99999999999999999999\n", asl.CodeInvalidValue, 2},
	}
	for _, tt := range tests {
		res, err := hsc.Compile([]byte(tt.src))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		found := false
		for _, w := range res.Warnings {
			found = found || (w.Code == string(tt.code) && w.Line() == tt.line)
		}
		if !found {
			t.Errorf("%s: no %s warning on line %d: %v", tt.name, tt.code, tt.line, res.Warnings)
		}
	}
}
