package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// messy is a program in a non-canonical layout; tidy is its canonical form.
const (
	messy = "\"\"\"Machine\"\"\"\nPass( )\n  \"First\"   # why\n  data:\n      {\"a\":1,\n     \"b\" : [1,2,]}\nLambda(\"f\")\n  '''Second'''\n  retry  [ 'States.ALL' ]  1 2 2.0\n"
	tidy  = "\"\"\"Machine\"\"\"\n\nPass()\n    \"\"\"First\"\"\"  # why\n    data:\n        {'a': 1,\n            'b': [1, 2]}\n\nLambda('f')\n    \"\"\"Second\"\"\"\n    retry ['States.ALL'] 1 2 2.0\n"
)

// TestFmtCommand: hsc fmt takes gofmt's flags and exit statuses (gofmt's
// documentation and behaviour: the result on standard output, -l lists,
// -w rewrites, -d prints a diff and exits 1 when files differ, errors exit
// 2 after the other files are done) (issue 14 part 3).
func TestFmtCommand(t *testing.T) {
	dir := t.TempDir()
	m := writeFile(t, dir, "messy.hsd", messy)
	ok := writeFile(t, dir, "tidy.hsd", tidy)
	bad := writeFile(t, dir, "bad.hsd", "Pass(\n")

	code, out, errs := runHSC(t, "", "fmt", m)
	if code != 0 || out != tidy {
		t.Fatalf("fmt: status %d, stderr %q, got\n%s\nwant\n%s", code, errs, out, tidy)
	}
	if code, out, _ := runHSC(t, messy, "fmt"); code != 0 || out != tidy {
		t.Errorf("fmt (stdin): status %d\n%s", code, out)
	}
	if code, out, _ := runHSC(t, "", "fmt", "-l", m, ok); code != 0 || out != m+"\n" {
		t.Errorf("fmt -l: status %d, %q", code, out)
	}
	code, out, _ = runHSC(t, "", "fmt", "-d", m, ok)
	if code != 1 || !strings.HasPrefix(out, "diff "+m+".orig "+m+"\n--- "+m+".orig\n+++ "+m+"\n@@ -1,9 +1,11 @@\n") || !strings.Contains(out, "\n-Pass( )\n") || !strings.Contains(out, "\n+Pass()\n") {
		t.Errorf("fmt -d: status %d\n%s", code, out)
	}
	if code, out, _ := runHSC(t, "", "fmt", "-d", ok); code != 0 || out != "" {
		t.Errorf("fmt -d of a formatted file: status %d, %q", code, out)
	}
	// an error in one file: status 2, the others still done
	code, out, errs = runHSC(t, "", "fmt", "-w", bad, m)
	if code != 2 || !strings.Contains(errs, "bad.hsd:2:1") || out != "" {
		t.Errorf("fmt -w with a bad file: status %d, stderr %q, out %q", code, errs, out)
	}
	if b, _ := os.ReadFile(m); string(b) != tidy {
		t.Errorf("-w wrote\n%s", b)
	}
	if b, _ := os.ReadFile(bad); string(b) != "Pass(\n" {
		t.Errorf("-w changed a file it could not format: %q", b)
	}
	if code, _, errs := runHSC(t, messy, "fmt", "-w"); code != 2 || !strings.Contains(errs, "standard input") {
		t.Errorf("fmt -w on standard input: status %d, %q", code, errs)
	}
	if code, _, _ := runHSC(t, "", "fmt", filepath.Join(dir, "missing.hsd")); code != 2 {
		t.Errorf("missing file: status %d", code)
	}
	// a directory: its .hsd files
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	m2 := writeFile(t, sub, "x.hsd", messy)
	writeFile(t, sub, "x.json", "{}")
	if code, out, errs := runHSC(t, "", "fmt", "-l", sub); code != 0 || out != m2+"\n" {
		t.Errorf("fmt -l DIR: status %d, %q, %q", code, out, errs)
	}
}

// TestFmtNameStates: a state without a docstring keeps its line; with
// --name-states its Line<N> name becomes its docstring and the layout is
// free (issue 14 part 3).
func TestFmtNameStates(t *testing.T) {
	src := "Pass()\n\n\n\nWait(seconds=1)\n"
	if code, out, _ := runHSC(t, src, "fmt"); code != 0 || out != src {
		t.Errorf("fmt moved an unnamed state: status %d\n%s", code, out)
	}
	want := "Pass()\n    \"\"\"Line1\"\"\"\n\nWait(seconds=1)\n    \"\"\"Line5\"\"\"\n"
	if code, out, errs := runHSC(t, src, "fmt", "--name-states"); code != 0 || out != want {
		t.Errorf("fmt --name-states: status %d, %s\n%s", code, errs, out)
	}
}
