package asl

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

var updateSnapshot = flag.Bool("update", false, "rewrite testdata/problems.golden from the current validator")

// problemLine is one problem as the snapshot records it: everything a
// caller can see (pointer, position, severity, code, state, message).
func problemLine(p Problem) string {
	return fmt.Sprintf("%s\t%d:%d@%d\t%s\t%s\t%q\t%s", p.Pointer, p.Pos.Line, p.Pos.Col, p.Pos.Offset, p.Severity, p.Code, p.State, p.Msg)
}

// mutations applies a fixed set of damages to v, one at a time, calling
// check after each and undoing it afterwards: every step-th value (in
// document order) is replaced by a value of another kind, and every
// step-th member is renamed or removed. They reach the validator's error
// paths (and their pointers and positions) with real definitions.
func mutations(root *Value, step int, check func(what string)) {
	n := 0
	replacements := []*Value{NewInt(0), NewString("$$bad path"), NewObject(), NewArray(), NewNumber("1.5"), NewBool(true), NewString("Nowhere")}
	var walk func(v *Value, ptr string)
	walk = func(v *Value, ptr string) {
		switch v.Kind {
		case KindObject:
			for i := range v.Members {
				m := &v.Members[i]
				p := ptr + "/" + PointerToken(m.Key)
				n++
				if n%step == 0 {
					old := *m.Value
					r := replacements[(n/step)%len(replacements)]
					*m.Value = *r
					m.Value.Pos = old.Pos
					check("replace " + p)
					*m.Value = old
				}
				if n%step == step/2 {
					key := m.Key
					if (n/step)%2 == 0 {
						m.Key = "Bogus"
						check("rename " + p)
						m.Key = key
					} else {
						members := v.Members
						v.Members = append(append([]Member{}, members[:i]...), members[i+1:]...)
						check("delete " + p)
						v.Members = members
						m = &v.Members[i]
					}
				}
				walk(m.Value, p)
			}
		case KindArray:
			for i, e := range v.Elems {
				walk(e, fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
	walk(root, "")
}

// Synthetic definitions for what the shared ones lack: state names used
// twice in one scope and across scopes (the last state of a name is the
// one transitions reach), transitions far from their state, bad targets.
var (
	synthetic     = []string{"synthetic/dup-in-scope", "synthetic/dup-across", "synthetic/far", "synthetic/dup-start"}
	syntheticDefs = []string{
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true},"B":{"Type":"Pass","Next":"A"},"C":{"Type":"Pass","Next":"B"}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Z"},"Z":{"Type":"Pass","Next":"A"}}}],"Next":"Z"},"Z":{"Type":"Succeed"}}}`,
		`{"StartAt":"E","States":{"A":{"Type":"Pass","End":true},"B":{"Type":"Pass","Next":"A"},"C":{"Type":"Pass","Next":"B"},"D":{"Type":"Choice","Choices":[{"Variable":"$.x","IsNull":true,"Next":"C"}],"Default":"Q"},"E":{"Type":"Task","Resource":"r","Next":"D","Catch":[{"ErrorEquals":["States.ALL"],"Next":"A"}]},"F":{"Type":"Pass","Next":"F"}}}`,
		`{"StartAt":"B","States":{"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Fail"},"B":{"Type":"Pass","Next":"B"}}}`,
	}
)

// TestProblemSnapshot pins the validator's findings (pointers, positions,
// severities, codes, states and messages) on every definition under
// ../shared/parity and ../shared/aws/realworld, as they are and damaged
// by mutations, against testdata/problems.golden: a rewrite of the
// validator for speed must not change what it reports. Run with -update
// to record a deliberate change.
func TestProblemSnapshot(t *testing.T) {
	var files []string
	sharedRoot := filepath.Dir(testenv.Shared(t, "parity"))
	for _, dir := range []string{"parity", filepath.Join("aws", "realworld")} {
		root := testenv.Shared(t, dir)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := filepath.Ext(path); !d.IsDir() && (ext == ".json" || ext == ".sfn") {
				rel, _ := filepath.Rel(sharedRoot, path)
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	for _, rel := range append(files, synthetic...) {
		data, err := os.ReadFile(filepath.Join(sharedRoot, rel))
		if i := slices.Index(synthetic, rel); i >= 0 {
			data, err = []byte(syntheticDefs[i]), nil
		}
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel)
		probs, err := Validate(data)
		if err != nil {
			fmt.Fprintf(&b, "%s\tsyntax error: %v\n", rel, err)
			continue
		}
		fmt.Fprintf(&b, "%s\t%d problems\n", rel, len(probs))
		for _, p := range probs {
			fmt.Fprintf(&b, "\t%s\n", problemLine(p))
		}
		v, err := ParseValue(data)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		count, runs := 0, 0
		mutations(v, 7, func(what string) {
			runs++
			fmt.Fprintf(h, "%s\n", what)
			for _, p := range ValidateValue(v) {
				count++
				fmt.Fprintf(h, "%s\n", problemLine(p))
			}
		})
		fmt.Fprintf(&b, "\tmutated %d times: %d problems, digest %s\n", runs, count, hex.EncodeToString(h.Sum(nil))[:24])
	}
	got := b.String()
	testenv.Golden(t, filepath.Join("testdata", "problems.golden"), got, *updateSnapshot)
}
