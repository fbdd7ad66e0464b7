package fuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/diag"
	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/lexer"
	"github.com/hsc-dev/hsc/parser"
	"github.com/hsc-dev/hsc/sema"
)

// seeds adds every .hsd program from the golden tests and the parity data.
func seeds(f *testing.F) {
	for _, pattern := range []string{
		"../golden/testdata/*.hsd",
		"../golden/testdata/errors/*.hsd",
		"../golden/testdata/ext/*.hsd",    // the DSL extensions
		"../golden/testdata/compat/*.hsd", // one extension each
		"../../shared/parity/*/*.hsd",
	} {
		files, _ := filepath.Glob(pattern)
		if len(files) == 0 && strings.Contains(pattern, "shared") {
			testenv.Skip(f, "no parity programs for the seed corpus at "+pattern)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("Pass()\n"))
}

// checkPos asserts that err is a positioned diagnostic inside src: the
// line exists (or is the line after the last, where Python reports end of
// file) and the offset is within the input.
func checkPos(t *testing.T, src []byte, err error) {
	t.Helper()
	var list diag.List
	var errs []*diag.Error
	var one *diag.Error
	switch {
	case errors.As(err, &list):
		errs = list
	case errors.As(err, &one):
		errs = []*diag.Error{one}
	default:
		t.Fatalf("error without a position: %v (%T)", err, err)
	}
	lines := bytes.Count(src, []byte("\n")) + bytes.Count(src, []byte("\r")) + 2
	for _, e := range errs {
		if !e.Pos.IsValid() || int(e.Pos.Line) > lines || int(e.Pos.Col) < 1 || int(e.Pos.Offset) < 0 || int(e.Pos.Offset) > len(src) {
			t.Fatalf("position %+v outside the input (%d bytes): %v", e.Pos, len(src), e)
		}
		if e.Msg == "" {
			t.Fatalf("empty message at %v", e.Pos)
		}
	}
}

func FuzzLexer(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		st, err := lexer.Tokenize("fuzz", src)
		if err != nil {
			checkPos(t, src, err)
			return
		}
		toks := st.Toks
		if len(toks) == 0 || toks[len(toks)-1].Kind != lexer.ENDMARKER {
			t.Fatal("token stream does not end with ENDMARKER")
		}
		depth := 0
		for _, tok := range toks {
			if tok.Pos().Offset < 0 || int(tok.Pos().Offset) > len(src) {
				t.Fatalf("token %v at offset %d outside input", tok.Kind, tok.Pos().Offset)
			}
			if tok.Kind == lexer.NAME || tok.Kind == lexer.OP {
				// outside strings, normalized text equals the source text
				if text := st.Text(&tok); !bytes.HasPrefix(src[tok.Pos().Offset:], []byte(text)) {
					t.Fatalf("token text %q does not match the source at offset %d", text, tok.Pos().Offset)
				}
			}
			switch tok.Kind {
			case lexer.INDENT:
				depth++
			case lexer.DEDENT:
				depth--
				if depth < 0 {
					t.Fatal("more DEDENTs than INDENTs")
				}
			}
		}
		if depth != 0 {
			t.Fatalf("unbalanced INDENT/DEDENT: %d", depth)
		}
	})
}

func FuzzParser(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		s := diag.NewSource("fuzz", src)
		_, err := parser.Parse(s, sema.NewChecker(s))
		if err != nil {
			checkPos(t, src, err)
		}
	})
}

func FuzzCompile(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		res, err := hsc.Compile(src, hsc.WithRegion("us-east-1"), hsc.WithAccountID("123456789012"), hsc.WithIndent(3))
		if err != nil {
			checkPos(t, src, err)
			return
		}
		if !json.Valid(res.Definition) {
			t.Fatalf("invalid JSON:\n%s", res.Definition)
		}
		// Compile and check agree: what the validator finds in the
		// definition's text is exactly the list of compile warnings, with
		// the same codes and pointers (Compile validates its value tree,
		// so this also holds the tree to the text).
		probs, err := asl.Validate(res.Definition)
		if err != nil {
			t.Fatalf("validator cannot read the definition: %v", err)
		}
		want := map[string]int{}
		for _, p := range probs {
			want[string(p.Code)+" "+p.Pointer]++
		}
		for _, w := range res.Warnings {
			if w.Severity != diag.SevWarning {
				t.Fatalf("compile warning with severity %v: %v", w.Severity, w)
			}
			want[w.Code+" "+w.Pointer]--
		}
		for k, n := range want {
			if n != 0 {
				t.Fatalf("validator and compile warnings differ at %s (%+d)\n%s", k, n, res.Definition)
			}
		}
		for _, w := range res.Warnings {
			checkPos(t, src, w)
		}
		again, err := hsc.Compile(src, hsc.WithRegion("us-east-1"), hsc.WithAccountID("123456789012"), hsc.WithIndent(3))
		if err != nil || !bytes.Equal(again.Definition, res.Definition) {
			t.Fatalf("second compile differs (err %v)", err)
		}
		crlf := bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))
		if !bytes.Contains(src, []byte("\r")) {
			other, err := hsc.Compile(crlf, hsc.WithRegion("us-east-1"), hsc.WithAccountID("123456789012"), hsc.WithIndent(3))
			if err != nil || !bytes.Equal(other.Definition, res.Definition) {
				t.Fatalf("CRLF input compiles differently (err %v)", err)
			}
		}
	})
}
