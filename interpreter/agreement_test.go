package interpreter_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/interpreter"
)

// The validator (asl.Validate, what `hsc check` runs) and the interpreter
// (interpreter.Compile, what `hsc run` loads) read definitions with the one
// grammar of package asl, so they must agree (issue 9): a definition the
// validator accepts compiles, and one the interpreter refuses as invalid is
// a validator error. The only exception is a feature the interpreter does
// not run locally, which it reports as an *interpreter.UnsupportedError.

// sharedDir is the shared test data (../shared from the repository root).
const sharedDir = "../../shared"

// needShared returns dir when it exists; otherwise it skips the test
// loudly, or fails it when CI=true (internal/testenv).
func needShared(t *testing.T, dir string) string {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		testenv.Skip(t, fmt.Sprintf("shared test data missing: %s (%v); this test reads it in place", dir, err))
	}
	return dir
}

type definition struct {
	name string
	data []byte
}

// verdict is what the two readers say about one definition.
type verdict struct {
	syntax      error         // asl's JSON error, if any
	problems    []asl.Problem // asl.Validate's errors (not warnings)
	modelErr    error         // asl.Parse's error: the typed model the interpreter compiles from
	compileErr  error
	unsupported bool // compileErr is an *interpreter.UnsupportedError
}

func judge(data []byte) verdict {
	var v verdict
	probs, err := asl.Validate(data)
	v.syntax = err
	for _, p := range probs {
		if p.Severity == diag.SevError {
			v.problems = append(v.problems, p)
		}
	}
	_, v.modelErr = asl.Parse(data)
	_, v.compileErr = interpreter.Compile(data)
	var ue *interpreter.UnsupportedError
	v.unsupported = errors.As(v.compileErr, &ue)
	return v
}

// disagreement describes how the two readers disagree about a definition,
// or returns "". A definition the validator accepts must compile (but for
// features not supported locally), and a JSON text asl rejects must not
// compile: those are violations. The interpreter accepting what the
// validator reports as an error is allowed (it checks less), and only
// counted.
func disagreement(v verdict) (msg string, violation bool) {
	validatorOK := v.syntax == nil && len(v.problems) == 0
	switch {
	case v.syntax != nil && v.compileErr == nil:
		return fmt.Sprintf("asl rejects the JSON (%v), the interpreter compiles it", v.syntax), true
	case validatorOK && v.modelErr != nil:
		return fmt.Sprintf("asl.Validate accepts it, asl.Parse refuses it: %v", v.modelErr), true
	case validatorOK && v.compileErr != nil && !v.unsupported:
		return fmt.Sprintf("asl accepts it, the interpreter refuses it: %v", v.compileErr), true
	case !validatorOK && v.syntax == nil && v.compileErr == nil:
		return fmt.Sprintf("the interpreter compiles it, asl reports %v", v.problems[0]), false
	}
	return "", false
}

// repoDefinitions returns every JSON definition in the repository's
// testdata folders.
func repoDefinitions(t *testing.T) []definition {
	t.Helper()
	var defs []definition
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.Contains(filepath.ToSlash(path), "/testdata/") {
			return nil
		}
		if strings.HasSuffix(path, ".txtar") {
			// The interpreter's run corpus: the definition is the
			// archive's definition.json.
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if def, ok := parseArchive(string(data)).files["definition.json"]; ok {
				defs = append(defs, definition{path, []byte(def)})
			}
			return nil
		}
		if !isDefinitionFile(path) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if looksLikeDefinition(data) {
			defs = append(defs, definition{path, data})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return defs
}

func isDefinitionFile(path string) bool {
	return strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".sfn")
}

func looksLikeDefinition(data []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false
	}
	_, ok := top["States"]
	return ok
}

// sharedDefinitions returns the definitions below dir (recursively) whose
// names pass keep.
func sharedDefinitions(t *testing.T, dir string, keep func(name string) bool) []definition {
	t.Helper()
	var defs []definition
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isDefinitionFile(path) || !keep(d.Name()) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		defs = append(defs, definition{path, data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return defs
}

// pathStrings are the generated path strings: the disagreements issue 9
// lists, Jayway's corner cases, and malformed ones.
var pathStrings = []string{
	"$", "$$", "$.a", "$.a.b", "$['a b']", `$["a"]`, "$.ü", "$ä", "$ä.x", "$_v", "$v1", "$1",
	"$$.Execution.Id", "$$.Map.Item.Value", "$states", "$.a b", "$ a", "a", "", "$.", "$..", "$.a.",
	"$.a[-1]", "$.a[0]", "$[0]", "$.[0]", "$.Snapshots.[0].State", "$.['a']", "$.a[1.5]", "$.a[",
	"$.a]", "$.a[]", "$.a[99999999999]", "$.a[*]", "$.*", "$..a", "$..[0]", "$.a[1:2]", "$.a[::-1]",
	"$.a[::0]", "$.a[0,1]", "$['a','b']", "$.[*].['bucket', 'key']", "$.a.length()", "$.a.sum()",
	"$.a[?(@.b>1)]", "$.[?(@.OU > 0)]", "$.Labels[?(@.Name==Receipt)]", "$.a[?(@.b)]", "$.a[?(!@.b)]",
	"$.a[?(@.b == 'x' && @.c != 2 || @.d <= $.e)]", "$.a[?(@.b == 1e400)]", "$.a[?(@.b ==)]",
	"$.a[?(@.b =~ /x/)]", `$['x\'y']`, "$['a]", "$.a\u00e9", "$.a\"b", "$.a(", "$.a)",
}

// intrinsicStrings are generated "key.$" values that call intrinsic
// functions.
var intrinsicStrings = []string{
	"States.Format('{} {}', $.a, 'x')", "States.Array()", "States.UUID()", "States.UUID(1)",
	"States.MathAdd(1)", "States.MathAdd(1, 2)", "States.MathAdd(1, 1e400)", "States.Nope()",
	"States.Format", "States.Format('a'", "States.Array($.a b)", "States.Array($.[0])",
	"States.JsonMerge($.a, $.b, false)", "States.ArrayGetItem($.a, States.MathAdd(1, -1))",
	"States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array()))))))))))",
}

// pathFields places a path string p in every path-bearing field of a
// definition, one definition per field.
func pathFields(p string) map[string]string {
	q, _ := json.Marshal(p)
	s := string(q)
	pass := func(fields string) string {
		return `{"StartAt":"S","States":{"S":{"Type":"Pass",` + fields + `"End":true}}}`
	}
	task := func(fields string) string {
		return `{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",` + fields + `"End":true}}}`
	}
	mapState := func(fields string) string {
		return `{"StartAt":"S","States":{"S":{"Type":"Map",` + fields + `"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Succeed"}}},"End":true}}}`
	}
	choice := func(rule string) string {
		return `{"StartAt":"S","States":{"S":{"Type":"Choice","Choices":[{` + rule + `"Next":"E"}],"Default":"E"},"E":{"Type":"Succeed"}}}`
	}
	wait := func(fields string) string {
		return `{"StartAt":"S","States":{"S":{"Type":"Wait",` + fields + `"End":true}}}`
	}
	return map[string]string{
		"InputPath":                        pass(`"InputPath":` + s + `,`),
		"OutputPath":                       pass(`"OutputPath":` + s + `,`),
		"ResultPath":                       pass(`"ResultPath":` + s + `,`),
		"Parameters":                       pass(`"Parameters":{"x.$":` + s + `},`),
		"Parameters nested":                pass(`"Parameters":{"o":{"x.$":` + s + `}},`),
		"Assign":                           pass(`"Assign":{"x.$":` + s + `},`),
		"ResultSelector":                   task(`"ResultSelector":{"x.$":` + s + `},`),
		"TimeoutSecondsPath":               task(`"TimeoutSecondsPath":` + s + `,`),
		"HeartbeatSecondsPath":             task(`"HeartbeatSecondsPath":` + s + `,`),
		"Catch ResultPath":                 task(`"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":` + s + `,"Next":"S"}],`),
		"ItemsPath":                        mapState(`"ItemsPath":` + s + `,`),
		"ItemSelector":                     mapState(`"ItemSelector":{"x.$":` + s + `},`),
		"MaxConcurrencyPath":               mapState(`"MaxConcurrencyPath":` + s + `,`),
		"ToleratedFailureCountPath":        mapState(`"ToleratedFailureCountPath":` + s + `,`),
		"ToleratedFailurePercentagePath":   mapState(`"ToleratedFailurePercentagePath":` + s + `,`),
		"ItemBatcher MaxItemsPerBatchPath": mapState(`"ItemBatcher":{"MaxItemsPerBatchPath":` + s + `},`),
		"Variable":                         choice(`"Variable":` + s + `,"IsPresent":true,`),
		"StringEqualsPath":                 choice(`"Variable":"$.a","StringEqualsPath":` + s + `,`),
		"NumericLessThanPath":              choice(`"Variable":"$.a","NumericLessThanPath":` + s + `,`),
		"Choice Assign":                    choice(`"Variable":"$.a","IsNull":true,"Assign":{"x.$":` + s + `},`),
		"SecondsPath":                      wait(`"SecondsPath":` + s + `,`),
		"TimestampPath":                    wait(`"TimestampPath":` + s + `,`),
		"ErrorPath":                        `{"StartAt":"S","States":{"S":{"Type":"Fail","ErrorPath":` + s + `}}}`,
		"CausePath":                        `{"StartAt":"S","States":{"S":{"Type":"Fail","CausePath":` + s + `}}}`,
	}
}

// jsonCorners are definitions whose JSON text tests the reading rules both
// readers share (asl.Scanner).
func jsonCorners() []definition {
	pass := func(result string) string {
		return `{"StartAt":"S","States":{"S":{"Type":"Pass","Result":` + result + `,"End":true}}}`
	}
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	return []definition{
		{"1e400", []byte(pass("1e400"))},
		{"-1e400", []byte(pass("-1e400"))},
		{"1e-400", []byte(pass("1e-400"))},
		{"400 digits", []byte(pass(strings.Repeat("9", 400)))},
		{"invalid UTF-8", []byte(pass("\"\xff\""))},
		{"invalid UTF-8 in a key", []byte(`{"StartAt":"S","States":{"S\xc3":{"Type":"Pass","End":true}}}`)},
		{"lone surrogate", []byte(pass(`"\ud800"`))},
		{"surrogate pair", []byte(pass(`"\ud83d\ude00"`))},
		{"BOM", []byte("\xef\xbb\xbf" + pass("1"))},
		{"nesting at the limit", []byte(pass(deep(asl.MaxDepth - 3)))},
		{"nesting over the limit", []byte(pass(deep(asl.MaxDepth)))},
		{"duplicate key", []byte(`{"StartAt":"S","StartAt":"S","States":{"S":{"Type":"Pass","End":true}}}`)},
		{"trailing comma", []byte(pass("[1,]"))},
		{"NUL", []byte(pass("\"\x00\""))},
		{"Pass Parameters array", []byte(`{"StartAt":"S","States":{"S":{"Type":"Pass","Parameters":[{"a.$":"$.x"}],"End":true}}}`)},
		{"Assign bad name", []byte(`{"StartAt":"S","States":{"S":{"Type":"Pass","Assign":{"1x":1},"End":true}}}`)},
		{"Assign states", []byte(`{"StartAt":"S","States":{"S":{"Type":"Pass","Assign":{"states":1},"End":true}}}`)},
		{"Assign unicode", []byte(`{"StartAt":"S","States":{"S":{"Type":"Pass","Assign":{"größe":1},"End":true}}}`)},
		{"TimestampEquals date only", []byte(`{"StartAt":"S","States":{"S":{"Type":"Choice","Choices":[{"Variable":"$.t","TimestampEquals":"2020-01-01","Next":"E"}]},"E":{"Type":"Succeed"}}}`)},
		{"Wait Timestamp lowercase", []byte(`{"StartAt":"S","States":{"S":{"Type":"Wait","Timestamp":"2020-01-01t00:00:00z","End":true}}}`)},
		{"IsNullPath", []byte(`{"StartAt":"S","States":{"S":{"Type":"Choice","Choices":[{"Variable":"$.t","IsNullPath":"$.x","Next":"E"}]},"E":{"Type":"Succeed"}}}`)},
		{"JSONata syntax error", []byte(`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input. %}","End":true}}}`)},
		{"JSONata syntax error in a Choice", []byte(`{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% (( %}","Next":"E"}]},"E":{"Type":"Succeed"}}}`)},
		{"JSONata syntax error in a Catch", []byte(`{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Catch":[{"ErrorEquals":["States.ALL"],"Output":"{% $x + %}","Next":"E"}],"End":true},"E":{"Type":"Succeed"}}}`)},
		{"JSONata syntax error in Arguments", []byte(`{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Arguments":{"a":["{% ] %}"]},"End":true}}}`)},
		{"JSONata blanks around", []byte(`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"  {% 1 + %}  ","End":true}}}`)},
		{"JSONata in a JSONPath state", []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"{% 1 + %}","End":true}}}`)},
		{"JSONata function", []byte(`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% function($x){$x}(1) %}","End":true}}}`)},
		{"StringMatchesPath", []byte(`{"StartAt":"S","States":{"S":{"Type":"Choice","Choices":[{"Variable":"$.t","StringMatchesPath":"$.x","Next":"E"}]},"E":{"Type":"Succeed"}}}`)},
	}
}

func generatedDefinitions() []definition {
	defs := jsonCorners()
	for _, p := range append(append([]string{}, pathStrings...), intrinsicStrings...) {
		fields := pathFields(p)
		names := make([]string, 0, len(fields))
		for f := range fields {
			names = append(names, f)
		}
		sort.Strings(names)
		for _, f := range names {
			defs = append(defs, definition{fmt.Sprintf("%s = %q", f, p), []byte(fields[f])})
		}
	}
	return defs
}

func TestValidatorAndInterpreterAgree(t *testing.T) {
	sets := map[string][]definition{
		"repo testdata": repoDefinitions(t),
		"generated":     generatedDefinitions(),
	}
	if _, err := os.Stat(sharedDir); err == nil {
		sets["parity"] = sharedDefinitions(t, filepath.Join(sharedDir, "parity"), func(string) bool { return true })
		sets["realworld"] = sharedDefinitions(t, filepath.Join(sharedDir, "aws", "realworld"), func(string) bool { return true })
		sets["history"] = sharedDefinitions(t, filepath.Join(sharedDir, "aws", "history"), func(n string) bool {
			return !strings.HasSuffix(n, ".input.json") && !strings.HasSuffix(n, ".history.json")
		})
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("SHARED TEST DATA MISSING: %s (%v)", sharedDir, err)
	} else {
		t.Logf("SHARED TEST DATA MISSING: %s (%v); only the repository's and the generated definitions are checked", sharedDir, err)
	}
	total, unsupported, lenient := 0, 0, 0
	for _, name := range []string{"repo testdata", "parity", "realworld", "history", "generated"} {
		defs, ok := sets[name]
		if !ok {
			continue
		}
		if len(defs) == 0 {
			t.Errorf("%s: no definitions found", name)
			continue
		}
		t.Logf("%s: %d definitions", name, len(defs))
		for _, d := range defs {
			total++
			v := judge(d.data)
			if v.unsupported {
				unsupported++
			}
			switch msg, violation := disagreement(v); {
			case violation:
				t.Errorf("%s: %s: %s", name, d.name, msg)
			case msg != "":
				lenient++
				if lenient <= 5 {
					t.Logf("lenient: %s: %s: %s", name, d.name, msg)
				}
			}
		}
	}
	t.Logf("%d definitions; %d use features not supported locally; the interpreter accepts %d that asl reports errors in", total, unsupported, lenient)
}

// TestAgreementOnMutations replaces, one at a time, every field of every
// state (and of its retriers, catchers and Choice rules) in the recorded
// AWS histories' definitions and the repository's definitions with values
// of each JSON type, or leaves it out, and holds the two readers to the
// same rule.
func TestAgreementOnMutations(t *testing.T) {
	defs := repoDefinitions(t)
	if _, err := os.Stat(sharedDir); err == nil {
		defs = append(defs, sharedDefinitions(t, filepath.Join(sharedDir, "aws", "history"), func(n string) bool {
			return !strings.HasSuffix(n, ".input.json") && !strings.HasSuffix(n, ".history.json")
		})...)
	}
	replacements := []*asl.Value{asl.NewNull(), asl.NewBool(true), asl.NewInt(0), asl.NewInt(-1), asl.NewNumber("1.5"),
		asl.NewString(""), asl.NewString("$.x"), asl.NewString("{% 1 %}"), asl.NewArray(), asl.NewObject()}
	checked, txtar := 0, 0
	for _, d := range defs {
		if strings.HasSuffix(d.name, ".txtar") {
			// The run corpus repeats shapes: every fourth is enough.
			if txtar++; txtar%4 != 0 {
				continue
			}
		}
		root, err := asl.ParseValue(d.data)
		if err != nil {
			continue
		}
		var objects []*asl.Value
		collectObjects(root, &objects)
		for _, o := range objects {
			for i := range o.Members {
				orig := o.Members[i].Value
				for _, r := range replacements {
					o.Members[i].Value = r
					checked++
					if msg, violation := disagreement(judge(root.Encode(0))); violation {
						t.Errorf("%s with %s = %s: %s", d.name, o.Members[i].Key, r.Encode(0), msg)
					}
				}
				o.Members[i].Value = orig
				// And without the field.
				members := o.Members
				o.Members = append(append([]asl.Member{}, members[:i]...), members[i+1:]...)
				checked++
				if msg, violation := disagreement(judge(root.Encode(0))); violation {
					t.Errorf("%s without %s: %s", d.name, members[i].Key, msg)
				}
				o.Members = members
			}
		}
	}
	t.Logf("%d mutated definitions", checked)
}

// collectObjects lists the objects of a definition whose fields are
// States Language fields: the machine, its states, retriers, catchers,
// Choice rules and nested machines (not payload templates).
func collectObjects(v *asl.Value, out *[]*asl.Value) {
	if v == nil || v.Kind != asl.KindObject {
		return
	}
	*out = append(*out, v)
	states := v.Get("States")
	if states == nil || states.Kind != asl.KindObject {
		return
	}
	for _, m := range states.Members {
		s := m.Value
		if s.Kind != asl.KindObject {
			continue
		}
		*out = append(*out, s)
		for _, k := range []string{"Retry", "Catch", "Choices", "Branches"} {
			if a := s.Get(k); a != nil && a.Kind == asl.KindArray {
				for _, e := range a.Elems {
					if k == "Branches" {
						collectObjects(e, out)
					} else if e.Kind == asl.KindObject {
						*out = append(*out, e)
					}
				}
			}
		}
		for _, k := range []string{"Iterator", "ItemProcessor"} {
			collectObjects(s.Get(k), out)
		}
	}
}

// TestRealworldDefinitions reads ../shared/aws/realworld in place: state
// machines that users deployed on AWS (from AWS's sample repositories), so
// AWS accepted them. Every one not listed in INVALID.tsv must pass asl
// validation without errors and load in the interpreter; the only loads
// allowed to fail are those using a distributed Map's ItemReader, which
// the local interpreter does not run (an *interpreter.UnsupportedError).
func TestRealworldDefinitions(t *testing.T) {
	dir := needShared(t, filepath.Join(sharedDir, "aws", "realworld"))
	invalid := readInvalid(t, filepath.Join(dir, "INVALID.tsv"))
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	checked, valid, loaded, itemReader := 0, 0, 0, 0
	for _, f := range files {
		if invalid[filepath.Base(f)] {
			continue
		}
		checked++
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		probs, err := asl.Validate(data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		ok := true
		for _, p := range probs {
			if p.Severity == diag.SevError {
				t.Errorf("%s: %v", f, p)
				ok = false
			}
		}
		if ok {
			valid++
		}
		_, err = interpreter.Compile(data)
		switch {
		case err == nil:
			loaded++
			if strings.Contains(string(data), `"ItemReader"`) {
				itemReader++
			}
		default:
			t.Errorf("%s: does not load: %v", f, err)
		}
	}
	t.Logf("%d definitions: %d pass asl validation, %d load, %d of them use the distributed Map's ItemReader",
		checked, valid, loaded, itemReader)
	// The folder's README: 192 definitions, those in INVALID.tsv skipped;
	// nine use ItemReader (issue 9: 191/191 validate; issue 11: all load).
	if checked != 191 || valid != 191 || loaded != 191 || itemReader != 9 {
		t.Errorf("got %d checked, %d valid, %d loaded, %d with ItemReader; want 191, 191, 191, 9", checked, valid, loaded, itemReader)
	}
}

func readInvalid(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if first {
			continue // header
		}
		if name, _, _ := strings.Cut(sc.Text(), "\t"); name != "" {
			out[name] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
