package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompatFlag: the DSL extensions are on by default in every command
// that compiles a Heaviside program, and --compat heaviside turns them off
// with heaviside's error (docs/dsl-extensions.md).
func TestCompatFlag(t *testing.T) {
	dir := t.TempDir()
	ext := filepath.Join(dir, "ext.hsd")
	src := "Pass()\n    \"\"\"Init\"\"\"\n    result: null\n    assign:\n        n: -1\nFail(error_path='$.code')\n    \"\"\"Stop\"\"\"\n"
	if err := os.WriteFile(ext, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	heavisideErr := ext + ":3:13: error: Invalid syntax"
	for _, tt := range []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // substring of stdout
		wantErr  string // substring of stderr
	}{
		{name: "compile", args: []string{"compile", "--compact", ext}, wantOut: `"Init":{"Type":"Pass","ResultPath":null,"Assign":{"n":-1},"Next":"Stop"},"Stop":{"Type":"Fail","ErrorPath":"$.code"}`},
		{name: "compile heaviside", args: []string{"compile", "--compat", "heaviside", ext}, wantCode: 1, wantErr: heavisideErr},
		{name: "compile none", args: []string{"compile", "--compat", "none", "--compact", ext}, wantOut: `"ErrorPath":"$.code"`},
		{name: "bad value", args: []string{"compile", "--compat", "python", ext}, wantCode: 2, wantErr: `unknown compatibility mode "python"`},
		{name: "check heaviside", args: []string{"check", "--compat", "heaviside", ext}, wantCode: 1, wantOut: heavisideErr},
		{name: "run", args: []string{"run", "--json", `{"code": "E.Bad"}`, ext}, wantCode: 1, wantErr: "E.Bad"},
		{name: "run heaviside", args: []string{"run", "--compat", "heaviside", ext}, wantCode: 1, wantErr: heavisideErr},
		{name: "graph heaviside", args: []string{"graph", "-f", "dot", "--compat", "heaviside", ext}, wantCode: 1, wantErr: heavisideErr},
		{name: "graph", args: []string{"graph", "-f", "dot", ext}, wantOut: "Init"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runHSC(t, "", tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout %q lacks %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q lacks %q", errOut, tt.wantErr)
			}
		})
	}
}
