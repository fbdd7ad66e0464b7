package main

import (
	"bytes"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
)

// TestGraphCommand: formats from -f and from -o's extension, standard
// input, --history, and usage errors.
func TestGraphCommand(t *testing.T) {
	dir := t.TempDir()
	prog := "../../golden/testdata/flow.hsd"
	src, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Check","States":{"Check":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericLessThanPath":"$.n","Next":"Inc"}],"Default":"Done"},"Inc":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)","n.$":"$.n"},"Next":"Check"},"Done":{"Type":"Succeed"}}}`
	defFile := filepath.Join(dir, "count.json")
	if err := os.WriteFile(defFile, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	hist := filepath.Join(dir, "run.json")
	if code, _, stderr := runHSC(t, "", "run", defFile, "--json", `{"i":0,"n":2}`, "--history", hist); code != 0 {
		t.Fatalf("run: %d %s", code, stderr)
	}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   string // in standard output, or in the -o file when file is set
		file  string
		err   string
	}{
		{name: "dot default", args: []string{"graph", prog}, out: "digraph StateMachine {"},
		{name: "source condition", args: []string{"graph", prog, "-f", "mermaid"}, out: `-- "'$.n' #lt; 10" -->`},
		{name: "stdin", stdin: string(src), args: []string{"graph", "-", "-f", "dot"}, out: `label="'$.n' < 10"`},
		{name: "svg by extension", args: []string{"graph", prog, "-o", filepath.Join(dir, "f.svg")}, file: filepath.Join(dir, "f.svg"), out: "<svg"},
		{name: "mermaid by extension", args: []string{"graph", prog, "-o", filepath.Join(dir, "f.mmd")}, file: filepath.Join(dir, "f.mmd"), out: "flowchart TD"},
		{name: "png", args: []string{"graph", prog, "-f", "png", "-o", filepath.Join(dir, "f.bin")}, file: filepath.Join(dir, "f.bin"), out: "\x89PNG"},
		{name: "history", args: []string{"graph", defFile, "--history", hist, "-f", "mermaid"}, out: `n1{"Check<br/>visited ×3"}`},
		{name: "unknown format", args: []string{"graph", prog, "-f", "gif"}, code: 2, err: `-f "gif"`},
		{name: "unknown extension", args: []string{"graph", prog, "-o", filepath.Join(dir, "x.txt")}, code: 2, err: "cannot tell the format"},
		{name: "missing history", args: []string{"graph", prog, "--history", filepath.Join(dir, "none.json")}, code: 2, err: "--history"},
		{name: "not a history", args: []string{"graph", prog, "--history", defFile}, code: 2, err: "not GetExecutionHistory output"},
		{name: "missing file", args: []string{"graph", filepath.Join(dir, "none.hsd")}, code: 2, err: "none.hsd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runHSC(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if tc.err != "" && !strings.Contains(stderr, tc.err) {
				t.Errorf("stderr %q lacks %q", stderr, tc.err)
			}
			got := stdout
			if tc.file != "" {
				b, err := os.ReadFile(tc.file)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if !strings.Contains(got, tc.out) {
				t.Errorf("output lacks %q:\n%.2000s", tc.out, got)
			}
		})
	}
}

// --open hands the drawn file to the desktop's opener (here a stand-in
// xdg-open on PATH that records what it was given).
func TestGraphOpen(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("the stand-in opener is xdg-open, the Linux one")
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "opened")
	opener := filepath.Join(dir, "xdg-open")
	if err := os.WriteFile(opener, []byte("#!/bin/sh\ncp \"$1\" "+record+"\necho \"$1\" >> "+record+".args\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	def := writeFile(t, dir, "m.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)

	// Without -o: a temporary SVG.
	code, _, errs := runHSC(t, "", "graph", def, "--open")
	if code != 0 {
		t.Fatalf("hsc graph --open: exit %d: %s", code, errs)
	}
	got, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("the opener was not run: %v", err)
	}
	if !bytes.Contains(got, []byte("<svg")) || !bytes.Contains(got, []byte(">A<")) {
		t.Errorf("the opener got no SVG of the machine: %.200s", got)
	}
	args, _ := os.ReadFile(record + ".args")
	opened := strings.TrimSpace(string(args))
	if !strings.HasSuffix(opened, ".svg") || strings.TrimSpace(errs) != opened {
		t.Errorf("opened %q, stderr %q: want a .svg file, named on stderr", opened, errs)
	}
	os.Remove(opened)

	// With -o and -f: that file, in that format.
	out := filepath.Join(dir, "g.dot")
	if code, _, errs := runHSC(t, "", "graph", def, "-o", out, "--open"); code != 0 {
		t.Fatalf("hsc graph -o --open: exit %d: %s", code, errs)
	}
	if got, _ := os.ReadFile(record); !bytes.HasPrefix(bytes.TrimSpace(got), []byte("digraph")) {
		t.Errorf("the opener got %.100s, want the DOT file", got)
	}
	if code, _, _ := runHSC(t, "", "graph", def, "-o", "-", "--open"); code != exitUsage {
		t.Errorf("--open with -o -: exit %d, want %d", code, exitUsage)
	}
}
