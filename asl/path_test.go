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
		{"$.a[1.5]", true, false, "single field"},
		{"$.a[*]", true, false, "single field"},
		{"$.*", true, false, "wildcards"},
		{"$..a", true, false, "deep scan"},
		{"$.a[?(@.b > 1)]", true, true, ""},
		{"$.a[1:3]", true, false, "single field"},
		{"$.a[0,1]", true, false, "single field"},
		{"a", false, false, "start with '$'"},
		{"", false, false, "start with '$'"},
		{"$.", false, false, "empty name"},
		{"$.a.b.", false, false, "empty name"},
		{"$.a[", false, false, "unclosed '['"},
		{"$.a[]", false, false, "empty brackets"},
		{"$.a]", false, false, "unexpected ']'"},
		{"$ a", false, false, "expected '.' or '['"},
		{"$['a]", false, false, "unclosed"},
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
	for _, p := range []string{"$", "$.a['b'][0]", "$myVar"} {
		if err := CheckResultPath(p); err != nil {
			t.Errorf("CheckResultPath(%q) = %v", p, err)
		}
	}
	for _, p := range []string{"$.a[?(@.b > 1)]", "$.a[*]", "$..a", "a", "$$.Execution"} {
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
		{"States.Format", "must have the form"},
		{"States.Format('a'", "must have the form"},
		{"States.Format('a)", "unterminated string"},
		{"States.Format(($.a)", "unbalanced"},
		{"States.Format($.a) x)", "after the arguments"},
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
