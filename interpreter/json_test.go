package interpreter

import (
	"errors"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/asl"
)

// TestJSONReadersAgree checks that the values an execution passes around
// are read with the same rules as definitions: parseJSON and
// asl.ParseValue accept the same texts and reject the others with the
// same positioned error (issue 9: one JSON reader).
func TestJSONReadersAgree(t *testing.T) {
	inputs := []string{
		`{"a": [1, 2.5, -0, 1e2, "x", true, false, null]}`,
		`1e400`, `-1e400`, `1e-400`, strings.Repeat("9", 400), `12345678901234567890`,
		"\"\xff\"", "{\"a\xc3\": 1}", `"\ud800"`, `"\ud83d\ude00"`, "\xef\xbb\xbf{}",
		strings.Repeat("[", asl.MaxDepth) + strings.Repeat("]", asl.MaxDepth),
		strings.Repeat("[", asl.MaxDepth+1) + strings.Repeat("]", asl.MaxDepth+1),
		``, ` `, `{`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `01`, `1.`, `-`, `tru`, `nul`, `"a` + "\n" + `"`,
		`{} x`, "\"\x00\"", `"\q"`, `"\u12G4"`, `[1 2]`, `{"a":1 "b":2}`,
	}
	for _, in := range inputs {
		v, err1 := parseJSON([]byte(in))
		av, err2 := asl.ParseValue([]byte(in))
		var se1, se2 *asl.SyntaxError
		switch {
		case err1 == nil && err2 == nil:
			// The same value: the runtime value and the Value tree
			// write the same JSON (numbers aside, which the runtime
			// writes as Java does).
			if got, want := normalize(appendJSON(nil, v)), normalize(av.Encode(0)); got != want {
				t.Errorf("%.40q: runtime value %s, definition value %s", in, got, want)
			}
		case err1 == nil || err2 == nil:
			t.Errorf("%.40q: parseJSON error %v, asl.ParseValue error %v", in, err1, err2)
		case !errors.As(err1, &se1) || !errors.As(err2, &se2):
			t.Errorf("%.40q: errors %T and %T, want *asl.SyntaxError", in, err1, err2)
		case *se1 != *se2:
			t.Errorf("%.40q: parseJSON says %v, asl.ParseValue %v", in, se1, se2)
		}
	}
}

// normalize maps the number spellings of the two writers onto each other
// for the inputs above.
func normalize(b []byte) string {
	r := strings.NewReplacer("2.5", "2.5", "-0", "0", "1e2", "100.0", "1e-400", "0.0", "12345678901234567890", "1.2345678901234567E19")
	return r.Replace(string(b))
}
