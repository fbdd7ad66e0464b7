package golden

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/internal/testenv"
)

// parityDir is ../shared/parity seen from the module root.
var parityDir = filepath.Join("..", "..", "shared", "parity")

func requireParity(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(parityDir); err != nil {
		testenv.Skip(t, "parity data not found at "+parityDir)
	}
}

// deviations lists the accepted programs whose hsc output deliberately
// differs from heaviside's (docs/compat.md), with the deviation that
// explains it; each is checked for exactly that difference.
var deviations = map[string]string{
	"corpus/900033":   "D7",
	"corpus/900114":   "D7",
	"mutants/m900013": "D8",
	"mutants/m900037": "D4",
}

type parityCase struct {
	set, name       string
	region, account string
	outcome         string // ok, err, crash
	wantLine        int
	wantMsg         string
}

func loadCases(t *testing.T) []parityCase {
	var cases []parityCase
	ht := filepath.Join(parityDir, "heaviside-tests")
	for _, f := range []string{"full", "nested_while", "unicode"} {
		cases = append(cases, parityCase{set: "heaviside-tests", name: f, outcome: "ok"})
	}
	rows := readTSV(t, filepath.Join(ht, "errors.tsv"))
	for _, r := range rows {
		line, _ := strconv.Atoi(r[1])
		msg := r[3]
		if r[0] == "error_invalid_state_name" {
			msg = "Name exceeds 80 characters" // D1
		}
		cases = append(cases, parityCase{set: "heaviside-tests", name: r[0], outcome: "err", wantLine: line, wantMsg: msg})
	}
	for _, set := range []string{"corpus", "mutants", "edges"} {
		for _, r := range readTSV(t, filepath.Join(parityDir, set, "manifest.tsv")) {
			c := parityCase{set: set, name: r[0], region: r[1], account: r[2], outcome: r[3]}
			if c.outcome == "err" {
				e := readTSV(t, filepath.Join(parityDir, set, c.name+".err"), true)
				c.wantLine, _ = strconv.Atoi(e[0][0])
				c.wantMsg = e[0][2]
			}
			cases = append(cases, c)
		}
	}
	return cases
}

func readTSV(t *testing.T, path string, noHeader ...bool) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(noHeader) == 0 {
		lines = lines[1:]
	}
	var out [][]string
	for _, l := range lines {
		out = append(out, strings.Split(l, "\t"))
	}
	return out
}

// TestParity holds hsc to the parity rules: accepted programs byte-identical
// (deviations aside), rejected programs rejected on the same line with the
// same message, heaviside crashes answered with a positioned error.
func TestParity(t *testing.T) {
	requireParity(t)
	cases := loadCases(t)
	if len(cases) < 300 {
		t.Fatalf("only %d parity cases found", len(cases))
	}
	for _, c := range cases {
		id := c.set + "/" + c.name
		t.Run(id, func(t *testing.T) {
			in := filepath.Join(parityDir, c.set, c.name+".hsd")
			opts := []hsc.Option{hsc.WithRegion(c.region), hsc.WithAccountID(c.account), hsc.WithIndent(3)}
			if c.outcome != "ok" {
				// heaviside rejects it: with the extensions off, hsc must
				// fail as heaviside does (with them on it may compile).
				opts = append(opts, hsc.WithCompat(hsc.CompatHeaviside))
			}
			res, err := hsc.CompileFile(in, opts...)
			switch c.outcome {
			case "ok":
				// An accepted program compiles the same with the
				// extensions off.
				hres, herr := hsc.CompileFile(in, append(opts, hsc.WithCompat(hsc.CompatHeaviside))...)
				if (err == nil) != (herr == nil) || (err == nil && string(res.Definition) != string(hres.Definition)) {
					t.Errorf("--compat heaviside changes the result: %v / %v", err, herr)
				}
				want, rerr := os.ReadFile(filepath.Join(parityDir, c.set, c.name+".sfn"))
				if rerr != nil {
					t.Fatal(rerr)
				}
				if dev, ok := deviations[id]; ok {
					checkDeviation(t, dev, res, err, want)
					return
				}
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if strings.TrimRight(string(res.Definition), "\n") != strings.TrimRight(string(want), "\n") {
					t.Errorf("output differs from heaviside's")
				}
			case "err":
				var ce *hsc.Error
				if !errors.As(err, &ce) {
					t.Fatalf("want a positioned error on line %d (%s), got %v", c.wantLine, c.wantMsg, err)
				}
				if int(ce.Pos.Line) != c.wantLine {
					t.Errorf("error on line %d, want %d: %v", ce.Pos.Line, c.wantLine, err)
				}
				if c.wantMsg != "*" && !strings.Contains(ce.Msg, c.wantMsg) {
					t.Errorf("message %q, want %q", ce.Msg, c.wantMsg)
				}
			case "crash":
				var ce *hsc.Error
				if !errors.As(err, &ce) || !ce.Pos.IsValid() {
					t.Fatalf("heaviside crashed here; want a positioned error, got %v", err)
				}
			default:
				t.Fatalf("unknown outcome %q", c.outcome)
			}
		})
	}
}

var loopName = regexp.MustCompile(`Loop$`)

// checkDeviation asserts that hsc differs from heaviside exactly as the
// named deviation says.
func checkDeviation(t *testing.T, dev string, res *hsc.Result, err error, heaviside []byte) {
	t.Helper()
	switch dev {
	case "D4":
		var ce *hsc.Error
		if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "Wait") {
			t.Fatalf("D4: want a Wait argument error, got %v", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: rejected: %v", dev, err)
	}
	hs := statesOf(t, heaviside)
	ours := statesOf(t, res.Definition)
	switch dev {
	case "D7":
		// heaviside has extra, unreachable <name>Loop states; all else equal.
		extra := 0
		for name := range hs {
			if _, ok := ours[name]; !ok {
				if !loopName.MatchString(name) {
					t.Errorf("D7: hsc lacks non-loop state %q", name)
				}
				extra++
			}
		}
		if extra == 0 || len(ours)+extra != len(hs) {
			t.Errorf("D7: want only dead Loop states dropped; heaviside %d states, hsc %d", len(hs), len(ours))
		}
	case "D8":
		if _, ok := hs[""]; !ok {
			t.Fatalf("D8: heaviside output has no empty state name")
		}
		if _, ok := ours[""]; ok {
			t.Errorf("D8: hsc kept an empty state name")
		}
		if len(ours) != len(hs) {
			t.Errorf("D8: state count %d, heaviside %d", len(ours), len(hs))
		}
	}
}

// statesOf collects every state name (all branches) of a definition.
func statesOf(t *testing.T, def []byte) map[string]bool {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(def, &root); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	out := map[string]bool{}
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		states, _ := m["States"].(map[string]any)
		for name, s := range states {
			out[name] = true
			st, _ := s.(map[string]any)
			if it, ok := st["Iterator"].(map[string]any); ok {
				walk(it)
			}
			if bs, ok := st["Branches"].([]any); ok {
				for _, b := range bs {
					if bm, ok := b.(map[string]any); ok {
						walk(bm)
					}
				}
			}
		}
	}
	walk(root)
	return out
}
