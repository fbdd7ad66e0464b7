package decompile_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/decompile"
	"github.com/hsc-dev/hsc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// quoted matches a state name in a message, to group reasons.
var quoted = regexp.MustCompile(`"[^"]*"`)

// sameJSON compares two definitions as JSON values: objects by key,
// numbers by value (the DSL writes a BackoffRate of 2 as 2.0).
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("first definition: %v", err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("second definition: %v", err)
	}
	return reflect.DeepEqual(x, y)
}

// roundTrip decompiles def and compiles the result; it returns the DSL
// text, the recompiled definition and the error of either step.
func roundTrip(def []byte) (string, []byte, error) {
	m, err := asl.Parse(def)
	if err != nil {
		return "", nil, err
	}
	text, err := decompile.Decompile(m)
	if err != nil {
		return "", nil, err
	}
	res, err := hsc.Compile(text)
	if err != nil {
		return string(text), nil, err
	}
	return string(text), res.Definition, nil
}

// programs lists the .hsd files of the parity corpus and the golden tests.
func programs(t *testing.T) []string {
	var files []string
	parity := testenv.Shared(t, "parity")
	err := filepath.WalkDir(parity, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".hsd") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	golden, _ := filepath.Glob(filepath.Join("..", "golden", "testdata", "*.hsd"))
	ext, _ := filepath.Glob(filepath.Join("..", "golden", "testdata", "ext", "*.hsd")) // the DSL extensions
	return append(append(files, golden...), ext...)
}

// TestRoundTripPrograms: for every program hsc accepts in ../shared/parity
// and golden/testdata, compile(decompile(compile(P))) equals compile(P) as
// JSON (issue 14's round-trip rule), and a program heaviside accepts comes
// back in heaviside's language (it compiles with --compat heaviside).
func TestRoundTripPrograms(t *testing.T) {
	total, ok := 0, 0
	var refused []string
	for _, f := range programs(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := hsc.Compile(src)
		if err != nil {
			continue // a rejected program
		}
		total++
		text, again, err := roundTrip(res.Definition)
		var de *decompile.Error
		switch {
		case errors.As(err, &de):
			// Every program hsc accepts is expressible in the DSL, so a
			// refusal here is a decompiler bug.
			refused = append(refused, fmt.Sprintf("%s: %v", f, err))
			t.Errorf("%s: refused: %v", f, err)
		case err != nil:
			t.Errorf("%s: %v\n%s", f, err, text)
		case !sameJSON(t, res.Definition, again):
			t.Errorf("%s: round trip differs\nDSL:\n%s\nwant: %s\ngot:  %s", f, text, res.Definition, again)
		default:
			ok++
			// What heaviside's language can say is said in it: a program
			// heaviside accepts comes back without extensions.
			if _, herr := hsc.Compile(src, hsc.WithCompat(hsc.CompatHeaviside)); herr == nil {
				if _, err := hsc.Compile([]byte(text), hsc.WithCompat(hsc.CompatHeaviside)); err != nil {
					t.Errorf("%s: decompiled with extensions heaviside's language does not need: %v\n%s", f, err, text)
				}
			}
		}
	}
	t.Logf("round trip: %d of %d accepted programs (%.1f%%); refused:", ok, total, 100*float64(ok)/float64(max(total, 1)))
	for _, r := range refused {
		t.Log("  " + r)
	}
	if total == 0 {
		t.Fatal("no programs found")
	}
}

// TestRoundTripRealworld: every valid definition in ../shared/aws/realworld
// either round-trips or is refused with an *decompile.Error naming the
// state and field. It logs the counts and the most frequent reasons.
func TestRoundTripRealworld(t *testing.T) {
	dir := testenv.Shared(t, "aws", "realworld")
	invalid := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(dir, "INVALID.tsv")); err == nil {
		for _, l := range strings.Split(string(b), "\n")[1:] {
			if f, _, ok := strings.Cut(l, "\t"); ok {
				invalid[f] = true
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	total, ok, refused := 0, 0, 0
	reasons := map[string]int{}
	for _, f := range files {
		if invalid[filepath.Base(f)] {
			continue
		}
		def, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		total++
		text, again, err := roundTrip(def)
		var de *decompile.Error
		switch {
		case errors.As(err, &de):
			refused++
			field := de.Field
			if i := strings.LastIndexAny(field, ".]"); i >= 0 && i+1 < len(field) {
				field = field[i+1:]
			}
			reasons[field+": "+quoted.ReplaceAllString(de.Msg, `"…"`)]++
		case err != nil:
			t.Errorf("%s: not a clear refusal: %v\n%s", f, err, text)
		case !sameJSON(t, def, again):
			t.Errorf("%s: round trip differs\nDSL:\n%s\ngot: %s", f, text, again)
		default:
			ok++
		}
	}
	type kv struct {
		k string
		n int
	}
	var top []kv
	for k, n := range reasons {
		top = append(top, kv{k, n})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n || top[i].n == top[j].n && top[i].k < top[j].k })
	t.Logf("realworld: %d definitions, %d round-trip, %d refused", total, ok, refused)
	for i, r := range top {
		if i == 30 {
			break
		}
		t.Logf("  %3d  %s", r.n, r.k)
	}
}

// BenchmarkDecompileLarge decompiles the compiled ../shared/bench/large.hsd
// (the analysis must stay near-linear: it took a minute when quadratic).
func BenchmarkDecompileLarge(b *testing.B) {
	src, err := os.ReadFile(testenv.Shared(b, "bench", "large.hsd"))
	if err != nil {
		b.Fatal(err)
	}
	res, err := hsc.Compile(src)
	if err != nil {
		b.Fatal(err)
	}
	m, err := asl.Parse(res.Definition)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decompile.Decompile(m); err != nil {
			b.Fatal(err)
		}
	}
}
