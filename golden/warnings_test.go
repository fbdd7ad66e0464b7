package golden

import (
	"path/filepath"
	"strings"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
)

// TestWarningsMatchValidator checks hsc's compile warnings (asl's
// validator run on the compiled definition) against an independent
// validator's verdict on heaviside's output (the manifests' last column):
// unreachable states and missing terminal states are warned about, and
// definitions the validator passes get no warning but asl's States.ALL
// placement rule, which that validator does not have.
func TestWarningsMatchValidator(t *testing.T) {
	requireParity(t)
	checked := 0
	for _, set := range []string{"corpus", "mutants"} {
		for _, r := range readTSV(t, filepath.Join(parityDir, set, "manifest.tsv")) {
			name, region, account, outcome, verdict := r[0], r[1], r[2], r[3], r[4]
			id := set + "/" + name
			if outcome != "ok" || deviations[id] != "" {
				continue
			}
			res, err := hsc.CompileFile(filepath.Join(parityDir, set, name+".hsd"), hsc.WithRegion(region), hsc.WithAccountID(account))
			if err != nil {
				t.Errorf("%s: %v", id, err)
				continue
			}
			var unreachable, noEnd bool
			var other []*hsc.Error
			for _, w := range res.Warnings {
				switch asl.Code(w.Code) {
				case asl.CodeUnreachable:
					unreachable = true
				case asl.CodeNoTerminal, asl.CodeNoTerminalReached:
					noEnd = true
				case asl.CodeErrorAll:
					// The independent validator does not check where
					// States.ALL stands; AWS does (see asl.Validate).
				default:
					other = append(other, w)
				}
			}
			switch {
			case verdict == "ok":
				if len(other) > 0 || unreachable || noEnd {
					t.Errorf("%s: validator passes it, hsc warns: %v", id, res.Warnings)
				}
			case strings.Contains(verdict, "is not reachable"):
				if !unreachable {
					t.Errorf("%s: validator says %q; hsc gave no unreachable-state warning", id, verdict)
				}
			case strings.Contains(verdict, "missing a terminal state"):
				if !noEnd {
					t.Errorf("%s: validator says %q; hsc gave no missing-terminal warning", id, verdict)
				}
			default:
				continue // schema complaints are not reachability problems
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d cases checked", checked)
	}
}

func TestStrictMakesWarningsErrors(t *testing.T) {
	src := []byte("Fail('E', 'c')\nPass()\n")
	res, err := hsc.Compile(src)
	if err != nil || len(res.Warnings) != 1 || res.Warnings[0].Pos.Line != 2 {
		t.Fatalf("want one warning on line 2, got %v %v", res, err)
	}
	if _, err := hsc.Compile(src, hsc.WithStrict()); err == nil {
		t.Fatal("strict compile succeeded despite a warning")
	}
}
