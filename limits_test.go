package hsc_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
)

// TestLimits feeds pathological programs: each is compiled or rejected with
// a positioned error, never a crash.
func TestLimits(t *testing.T) {
	deepIf := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(strings.Repeat("    ", i) + "if '$.a' == " + strconv.Itoa(i) + ":\n")
		}
		b.WriteString(strings.Repeat("    ", n) + "Pass()\n")
		return b.String()
	}
	bigArray := func(n int, sep string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = strconv.Itoa(i)
		}
		return "Pass()\n    data:\n        [" + strings.Join(parts, ","+sep) + "]\n"
	}
	tests := []struct {
		name    string
		src     string
		wantErr string // "" means it must compile
		line    int
	}{
		{"10000 parens", "if " + strings.Repeat("(", 10000) + "'$.a' == 1" + strings.Repeat(")", 10000) + ":\n    Pass()\n", "nesting too deep", 1},
		{"1000 nested ifs", deepIf(1000), "nesting too deep", 0},
		{"69 nested ifs", deepIf(69), "", 0},
		{"70 nested ifs (heaviside's parser runs out of stack)", deepIf(70), "nesting too deep", 71},
		{"105 nested arrays", "Pass()\n    data:\n        " + strings.Repeat("[", 105) + strings.Repeat("]", 105) + "\n", "", 0},
		{"106 nested arrays", "Pass()\n    data:\n        " + strings.Repeat("[", 106) + strings.Repeat("]", 106) + "\n", "nesting too deep", 3},
		{"100000-element array", bigArray(100000, ""), "", 0},
		{"100000-element array, one per line", bigArray(100000, "\n"), "", 0},
		{"deep JSON", "Pass()\n    data:\n        " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n", "nesting too deep", 3},
		{"deep objects", "Pass()\n    data:\n        " + strings.Repeat(`{"a":`, 3000) + "1" + strings.Repeat("}", 3000) + "\n", "nesting too deep", 3},
		{"invalid UTF-8", "Pass()\n    \"\"\"ok\xc3\x28\"\"\"\n", "invalid UTF-8", 2},
		{"NUL byte", "Pass()\x00\n", "NUL byte", 1},
		{"BOM", "\xef\xbb\xbfPass()\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := hsc.Compile([]byte(tt.src))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if len(res.Definition) == 0 {
					t.Fatal("empty definition")
				}
				return
			}
			var ce *hsc.Error
			if !errors.As(err, &ce) {
				t.Fatalf("want positioned error %q, got %v", tt.wantErr, err)
			}
			if !strings.Contains(ce.Msg, tt.wantErr) || (tt.line > 0 && ce.Line() != tt.line) {
				t.Errorf("got %v, want %q on line %d", err, tt.wantErr, tt.line)
			}
		})
	}
}

// TestLineEndings checks CRLF and CR files compile exactly like LF files.
func TestLineEndings(t *testing.T) {
	lf := []byte("\"\"\"Doc\nmore\"\"\"\nPass()\n    \"\"\"A\n    comment\"\"\"\n    data:\n        {\"a\": [1,\n              2]}\nif '$.x' == 1:\n    Success()\n")
	want, err := hsc.Compile(lf, hsc.WithIndent(3))
	if err != nil {
		t.Fatal(err)
	}
	for name, nl := range map[string]string{"CRLF": "\r\n", "CR": "\r"} {
		src := bytes.ReplaceAll(lf, []byte("\n"), []byte(nl))
		got, err := hsc.Compile(src, hsc.WithIndent(3))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got.Definition, want.Definition) {
			t.Errorf("%s output differs from LF output:\n%s", name, got.Definition)
		}
	}
}

// A program whose definition is over AWS's 1 MiB limit compiles (heaviside
// writes it) with a warning, as hsc check reports it; --strict refuses it.
func TestDefinitionSizeWarning(t *testing.T) {
	var src strings.Builder
	blob := strings.Repeat("x", 1000)
	for i := range 1100 {
		fmt.Fprintf(&src, "Pass()\n    \"\"\"P%d\"\"\"\n    data:\n        {\"blob\": \"%s\"}\n", i, blob)
	}
	res, err := hsc.Compile([]byte(src.String()), hsc.WithCompact())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range res.Warnings {
		if w.Code == string(asl.CodeDefinitionSize) {
			found = true
		}
	}
	if len(res.Definition) <= asl.MaxDefinitionSize || !found {
		t.Fatalf("definition of %d bytes, warnings %v: want the size warning", len(res.Definition), res.Warnings)
	}
	if _, err := hsc.Compile([]byte(src.String()), hsc.WithCompact(), hsc.WithStrict()); err == nil {
		t.Error("--strict accepted a definition over 1 MiB")
	}
}
