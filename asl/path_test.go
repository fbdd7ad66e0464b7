package asl

import (
	"strings"
	"testing"
)

func TestCheckPath(t *testing.T) {
	tests := []struct {
		path      string
		pathOK    bool // valid Path
		refOK     bool // valid Reference Path
		errSubstr string
	}{
		{"$", true, true, ""},
		{"$.a", true, true, ""},
		{"$.ü.x1[0]", true, true, ""},
		{"$['a b'][\"c\"]", true, true, ""},
		{"$$.Execution.Id", true, true, ""},
		{"$myVar.field", true, true, ""},
		{"$ä.x", true, true, ""}, // a variable named ä
		// Jayway reads a dot before a bracket as the bracket.
		{"$.[0]", true, true, ""},
		{"$.Snapshots.[0].State", true, true, ""},
		{"$.['a']", true, true, ""},
		{"$.[?(@.OU > 0)]", true, false, "filters"},
		{"$.[*].['bucket', 'key']", true, false, "wildcards"},
		// A single index, negative ones too, names one node (Jayway: definite).
		{"$.a[-1]", true, true, ""},
		// Jayway accepts any character but '.', '[', '(' and blanks in a
		// dotted name.
		{"$.a]", true, true, ""},
		{"$.a[1.5]", false, false, "']' expected"},
		{"$.a[*]", true, false, "wildcards"},
		{"$.*", true, false, "wildcards"},
		{"$..a", true, false, "deep scan"},
		// AWS: "The operators @, ,, :, and ? are not supported" in
		// Reference Paths.
		{"$.a[?(@.b > 1)]", true, false, "filters"},
		{"$.Labels[?(@.Name==Receipt)]", true, false, "filters"},
		{"$.a[1:3]", true, false, "slices"},
		{"$.a[0,1]", true, false, "unions"},
		{"$.a.length()", true, false, "functions"},
		{"$.a.sum()", false, false, "unsupported function"},
		{"a", false, false, "start with '$'"},
		{"", false, false, "start with '$'"},
		{"$.", false, false, "must not end with '.'"},
		{"$.a.b.", false, false, "must not end with '.'"},
		{"$..", false, false, "must not end with '.'"},
		{"$.a[", false, false, "unclosed '['"},
		{"$.a[0", false, false, "unclosed '['"},
		{"$.a[]", false, false, "empty brackets"},
		{"$ a", false, false, "expected '.' or '['"},
		{"$.a b", false, false, "['my name']"},
		{"$['a]", false, false, "unterminated"},
		{"$.a[99999999999]", false, false, "out of range"},
		{"$.a[?(@.b == 1e400)]", false, false, "out of range"},
	}
	for _, tt := range tests {
		errP, errR := CheckPath(tt.path), CheckReferencePath(tt.path)
		if (errP == nil) != tt.pathOK {
			t.Errorf("CheckPath(%q) = %v, want ok=%v", tt.path, errP, tt.pathOK)
		}
		if (errR == nil) != tt.refOK {
			t.Errorf("CheckReferencePath(%q) = %v, want ok=%v", tt.path, errR, tt.refOK)
		}
		for _, err := range []error{errP, errR} {
			if err != nil && !strings.Contains(err.Error(), tt.errSubstr) {
				t.Errorf("%q: error %q does not mention %q", tt.path, err, tt.errSubstr)
			}
		}
	}
}

func TestCheckResultPath(t *testing.T) {
	for _, p := range []string{"$", "$.a['b'][0]", "$.a[-1]", "$.[0]"} {
		if err := CheckResultPath(p); err != nil {
			t.Errorf("CheckResultPath(%q) = %v", p, err)
		}
	}
	// ResultPath writes into the state's input: not the context object and
	// not a variable (variables are set with Assign).
	for _, p := range []string{"$.a[?(@.b > 1)]", "$.a[*]", "$..a", "a", "$$.Execution", "$myVar"} {
		if err := CheckResultPath(p); err == nil {
			t.Errorf("CheckResultPath(%q) accepted", p)
		}
	}
}

func TestCheckPathOrIntrinsic(t *testing.T) {
	tests := []struct {
		in  string
		err string // "" when valid
	}{
		{"$.a", ""},
		{"States.Format('Hello {}', $.name)", ""},
		{"States.Array(States.UUID(), 'a)b')", ""},
		{"States.JsonToString($.a)", ""},
		{"States.Nope($.a)", "unknown intrinsic"},
		{"States.Format", "'(' expected"},
		{"States.Format('a'", "')' expected"},
		{"States.Format('a)", "unterminated string"},
		{"States.Format(($.a)", "invalid argument"},
		{"States.Format($.a) x)", "after the function call"},
		{"States.Format($.a b)", "['my name']"},
		{"States.MathAdd(1)", "takes 2 arguments, got 1"},
		{"States.UUID(1)", "takes 0 arguments"},
		{"States.MathAdd(1, 1e400)", "out of range"},
		{"States.Array(" + strings.Repeat("States.Array(", 10) + strings.Repeat(")", 11), "nested"},
		{"Format($.a)", "start with '$'"},
	}
	for _, tt := range tests {
		err := CheckPathOrIntrinsic(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%q: %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want one mentioning %q", tt.in, err, tt.err)
		}
	}
}

// FuzzParsePath: the path grammar never panics, and its kinds nest: a
// result path is a reference path, and a reference path is a path.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"$", "$.a[0].b", "$..x[?(@.y > 1 && !@.z)]", "$.[*].['a', 'b']", "$ä", "$$.Map.Item.Value", "$.a[1:-1:2]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, errAny := ParsePath(s, PathAny)
		_, errRef := ParsePath(s, PathReference)
		_, errRes := ParsePath(s, PathResult)
		if errRes == nil && errRef != nil || errRef == nil && errAny != nil {
			t.Fatalf("%q: result %v, reference %v, path %v", s, errRes, errRef, errAny)
		}
		if errAny == nil && p.Text != s {
			t.Fatalf("%q: text %q", s, p.Text)
		}
		_, _ = ParseIntrinsic("States.Array(" + s + ")")
	})
}

func TestFieldPathKind(t *testing.T) {
	tests := []struct {
		field string
		kind  PathKind
		ok    bool
	}{
		{"ResultPath", PathResult, true},
		{"ItemsPath", PathReference, true},
		{"SecondsPath", PathReference, true},
		{"MaxItemsPerBatchPath", PathReference, true},
		{"ErrorPath", PathReference, true},
		{"CausePath", PathReference, true},
		{"InputPath", PathAny, true},
		{"Variable", PathAny, true},
		{"NumericLessThanPath", PathAny, true},
		{"x.$", PathAny, true},
		{"StringMatchesPath", PathAny, false},
		{"Resource", PathAny, false},
	}
	for _, tt := range tests {
		k, ok := FieldPathKind(tt.field)
		if k != tt.kind || ok != tt.ok {
			t.Errorf("FieldPathKind(%q) = %v, %v; want %v, %v", tt.field, k, ok, tt.kind, tt.ok)
		}
	}
}

// TestSimplePath checks the validator's shortcut for plain dotted paths
// against the parser: every path it accepts parses as every kind of path,
// and it refuses what is not plain.
func TestSimplePath(t *testing.T) {
	plain := []string{"$", "$.a", "$.A", "$._", "$.a1", "$.order.id", "$.x0.y_1.Z", "$.length", "$.size", "$.min",
		"$.true", "$.null", "$.in", "$.a.b.c.d.e.f.g.h"}
	for _, p := range plain {
		if !simplePath(p) {
			t.Errorf("simplePath(%q) = false, want true", p)
		}
		for _, k := range []PathKind{PathAny, PathReference, PathResult} {
			if _, err := ParsePath(p, k); err != nil {
				t.Errorf("simplePath accepts %q, but ParsePath(kind %d) says %v", p, k, err)
			}
		}
	}
	for _, p := range []string{"", "$$", "$$.a", "$a", "a", "$.", "$..a", "$.a.", "$.1a", "$.a b", "$.a[0]", "$['a']",
		"$.a-b", "$.ä", "$.a()", "$.length()", "$.*", ".a", "$.a..b", "$ .a", "$.a\n"} {
		if simplePath(p) {
			t.Errorf("simplePath(%q) = true, want false", p)
		}
	}
	// Every plain path of the generated set agrees with the parser.
	parts := []string{"a", "_b", "c9", "Dd", "length", "e_f"}
	for _, a := range parts {
		for _, b := range parts {
			p := "$." + a + "." + b
			if !simplePath(p) {
				t.Errorf("simplePath(%q) = false", p)
			}
			if _, err := ParsePath(p, PathResult); err != nil {
				t.Errorf("%q: %v", p, err)
			}
		}
	}
}
