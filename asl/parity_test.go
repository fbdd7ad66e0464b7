package asl

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/internal/testenv"
)

// readManifest maps each case of a parity manifest to its
// validator_on_heaviside_output column.
func readManifest(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	col := -1
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "\t")
		if col < 0 {
			for i, c := range cells {
				if c == "validator_on_heaviside_output" {
					col = i
				}
			}
			if col < 0 {
				t.Fatalf("%s: no validator_on_heaviside_output column", path)
			}
			continue
		}
		if len(cells) > col {
			out[cells[0]] = cells[col]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// statesContainers lists the pointers of the objects holding a "States"
// member, in the document pre-order the reference validator numbers its
// "fsmN" machines in.
func statesContainers(v *Value, ptr string, out *[]string) {
	switch v.Kind {
	case KindObject:
		if v.Get("States") != nil {
			*out = append(*out, ptr)
		}
		for _, m := range v.Members {
			statesContainers(m.Value, ptr+"/"+PointerToken(m.Key), out)
		}
	case KindArray:
		for i, e := range v.Elems {
			statesContainers(e, ptr+"/"+strconv.Itoa(i), out)
		}
	}
}

// flowCodes are the problems the manifests' validator column speaks of.
func isFlowProblem(p Problem) bool {
	switch p.Code {
	case CodeUnreachable, CodeNoTerminal, CodeNoTerminalReached, CodeDuplicateState:
		return true
	}
	return false
}

var (
	reUnreachable = regexp.MustCompile(`^MISSING_TRANSITION_TARGET:State (.*) is not reachable$`)
	reNoTerminal  = regexp.MustCompile(`^MISSING_TERMINAL_STATE:State machine fsm(\d+) is missing a terminal state$`)
	reSchema      = regexp.MustCompile(`^SCHEMA_VALIDATION_FAILED:(/.*) is invalid\. (.*)$`)
)

// TestParityManifests validates heaviside's output for every corpus and
// mutant case and holds the result to the manifest's validator column.
func TestParityManifests(t *testing.T) {
	for _, sub := range []string{"corpus", "mutants"} {
		dir := filepath.Join(parityDir, sub)
		if _, err := os.Stat(dir); err != nil {
			testenv.Skip(t, "no parity data: "+err.Error())
		}
		manifest := readManifest(t, filepath.Join(dir, "manifest.tsv"))
		checked := 0
		for name, verdict := range manifest {
			if verdict == "-" { // heaviside gave no output
				continue
			}
			checked++
			t.Run(sub+"/"+name, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join(dir, name+".sfn"))
				if err != nil {
					t.Fatal(err)
				}
				root, err := ParseValue(data)
				if err != nil {
					t.Fatal(err)
				}
				ps := ValidateValue(root)
				switch m := []*regexp.Regexp{reUnreachable, reNoTerminal, reSchema}; {
				case verdict == "ok":
					for _, p := range ps {
						if isFlowProblem(p) || p.Severity == diag.SevError {
							t.Errorf("manifest says ok, got %s: %s", p.Code, p.Msg)
						}
					}
				case m[0].MatchString(verdict):
					state := m[0].FindStringSubmatch(verdict)[1]
					if !hasProblem(ps, func(p Problem) bool { return p.Code == CodeUnreachable && p.State == state }) {
						t.Errorf("want unreachable state %q; got:\n%s", state, dump(ps))
					}
				case m[1].MatchString(verdict):
					n, _ := strconv.Atoi(m[1].FindStringSubmatch(verdict)[1])
					var scopes []string
					statesContainers(root, "", &scopes)
					if n < 1 || n > len(scopes) {
						t.Fatalf("fsm%d: only %d machines", n, len(scopes))
					}
					want := scopes[n-1] + "/States"
					if !hasProblem(ps, func(p Problem) bool { return p.Code == CodeNoTerminal && p.Pointer == want }) {
						t.Errorf("want a missing terminal state at %s; got:\n%s", want, dump(ps))
					}
				case m[2].MatchString(verdict):
					ptr := m[2].FindStringSubmatch(verdict)[1]
					if i := strings.Index(ptr, "/Parameters/"); i >= 0 {
						// The reference validator's payload-template schema
						// rejects null inside arrays, which AWS accepts.
						params := ptr[:i+len("/Parameters")]
						if !nullInArray(root.Lookup(params), false) {
							t.Fatalf("%s holds no null inside an array: not the known false positive", params)
						}
						if hasProblem(ps, func(p Problem) bool { return strings.HasPrefix(p.Pointer, params) }) {
							t.Errorf("problem reported in %s:\n%s", params, dump(ps))
						}
						return
					}
					if !hasProblem(ps, func(p Problem) bool {
						return p.Severity == diag.SevError && strings.HasPrefix(p.Pointer, ptr)
					}) {
						t.Errorf("want an error at %s; got:\n%s", ptr, dump(ps))
					}
				default:
					t.Fatalf("unknown verdict %q", verdict)
				}
			})
		}
		if checked == 0 {
			t.Errorf("%s: no case checked", sub)
		}
	}
}

func hasProblem(ps []Problem, f func(Problem) bool) bool {
	for _, p := range ps {
		if f(p) {
			return true
		}
	}
	return false
}

// TestExpectedOutputsValid checks that every expected output of the golden
// tests and of the parity folders without a manifest column parses and has
// no errors (warnings, such as the dead states an author wrote after a
// goto, are allowed).
func TestExpectedOutputsValid(t *testing.T) {
	golden, err := filepath.Glob("../golden/testdata/*.sfn")
	if err != nil {
		t.Fatal(err)
	}
	if len(golden) == 0 {
		t.Error("no golden outputs found")
	}
	for _, f := range append(golden, paritySFN(t)...) {
		if strings.Contains(f, string(filepath.Separator)+"corpus"+string(filepath.Separator)) ||
			strings.Contains(f, string(filepath.Separator)+"mutants"+string(filepath.Separator)) {
			continue // held to their manifests above
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := Validate(data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		for _, p := range ps {
			if p.Severity == diag.SevError {
				t.Errorf("%s: %v", f, p)
			} else {
				t.Logf("%s: %v", f, p)
			}
		}
	}
}

// nullInArray reports whether v holds a null as an array element.
func nullInArray(v *Value, inArray bool) bool {
	if v == nil {
		return false
	}
	switch v.Kind {
	case KindNull:
		return inArray
	case KindArray:
		for _, e := range v.Elems {
			if nullInArray(e, true) {
				return true
			}
		}
	case KindObject:
		for _, m := range v.Members {
			if nullInArray(m.Value, false) {
				return true
			}
		}
	}
	return false
}
