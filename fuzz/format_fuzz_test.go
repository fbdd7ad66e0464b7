package fuzz

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	hsc "github.com/hsc-dev/hsc"
	"github.com/hsc-dev/hsc/format"
	"github.com/hsc-dev/hsc/lexer"
)

// FuzzFormat: for every program that compiles, format.Source succeeds, is
// meaning-preserving (compile(fmt(P)) == compile(P) byte for byte) and
// idempotent (fmt(fmt(P)) == fmt(P)), with and without WithNameStates
// (issue 14 part 3). A program that does not compile is refused with its
// compile error. The seeds are the golden and parity programs; the
// fuzzer's mutations change their spacing, quotes, comments and lines.
func FuzzFormat(f *testing.F) {
	seeds(f)
	f.Add([]byte("Pass()  # c\n\n\n# d\nWait( seconds = 1 )\n"))
	f.Add([]byte("Pass()\n    data:\n        {  'a' :[1 ,\n  2,],\n   # inner\n 'b': -1}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		want, err := hsc.Compile(src)
		if err != nil {
			if _, ferr := format.Source(src); ferr == nil {
				t.Fatalf("formatted a program that does not compile (%v)", err)
			}
			return
		}
		for _, opts := range [][]format.Option{nil, {format.WithNameStates()}} {
			out, err := format.Source(src, opts...)
			if err != nil {
				var ce *format.ChangedError
				if errors.As(err, &ce) {
					t.Fatalf("%v\n%s", err, src)
				}
				t.Fatalf("cannot format a program that compiles: %v\n%s", err, src)
			}
			got, err := hsc.Compile(out)
			if err != nil {
				t.Fatalf("formatted program does not compile: %v\n%s", err, out)
			}
			if !bytes.Equal(got.Definition, want.Definition) {
				t.Fatalf("formatting changed the definition\n%s", out)
			}
			again, err := format.Source(out, opts...)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("not idempotent (%v)\nfirst:\n%s\nsecond:\n%s", err, out, again)
			}
		}
	})
}

// FuzzFormatLayout generates, from each program that compiles, a variant
// that differs only in layout within its lines (indentation width, spaces
// between tokens, the quotes of strings) and checks that both format to
// the same text: the canonical layout does not depend on the one given.
func FuzzFormatLayout(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		if _, err := hsc.Compile(src); err != nil {
			return
		}
		want, err := format.Source(src)
		if err != nil {
			t.Fatalf("cannot format a program that compiles: %v\n%s", err, src)
		}
		variant, ok := relayout(src)
		if !ok {
			return
		}
		if _, err := hsc.Compile(variant); err != nil {
			return // a respacing the grammar reads differently
		}
		got, err := format.Source(variant)
		if err != nil {
			t.Fatalf("cannot format the variant: %v\n%s", err, variant)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("the layout of the input shows through\ninput:\n%s\nvariant:\n%s\nformatted:\n%s\nformatted variant:\n%s", src, variant, want, got)
		}
	})
}

var ownLineComment = regexp.MustCompile(`(^|\n)[ ]*#`)

// relayout rewrites src keeping its lines: indentation of n spaces per
// block level (n from the input's length), one or two spaces added
// between tokens that had space, and strings in the other quotes where
// their text allows.
func relayout(src []byte) ([]byte, bool) {
	norm := strings.ReplaceAll(strings.ReplaceAll(string(src), "\r\n", "\n"), "\r", "\n")
	if strings.HasPrefix(norm, "\xEF\xBB\xBF") || strings.ContainsAny(norm, "\t\f\\") {
		return nil, false
	}
	st, err := lexer.Tokenize("", []byte(norm))
	if err != nil {
		return nil, false
	}
	width := 1 + len(src)%5
	var b strings.Builder
	depth, parens, prevEnd := 0, 0, 0
	for i := range st.Toks {
		tk := &st.Toks[i]
		switch tk.Kind {
		case lexer.INDENT:
			depth++
			continue
		case lexer.DEDENT:
			depth--
			continue
		case lexer.ERRORTOKEN:
			return nil, false
		}
		end := len(norm)
		off := end
		if tk.Kind != lexer.ENDMARKER {
			off = int(tk.Pos().Offset)
		}
		gap := norm[prevEnd:off]
		if ownLineComment.MatchString(gap) && (prevEnd == 0 || strings.Contains(gap, "\n")) {
			return nil, false // its depth is read from its column, which this keeps
		}
		if nl := strings.LastIndexByte(gap, '\n'); nl >= 0 {
			b.WriteString(gap[:nl+1])
			if parens == 0 && tk.Kind != lexer.ENDMARKER {
				b.WriteString(strings.Repeat(" ", depth*width))
			} else {
				b.WriteString(gap[nl+1:])
			}
		} else if gap != "" {
			b.WriteString(gap + strings.Repeat(" ", (i+len(src))%3))
		}
		if tk.Kind == lexer.ENDMARKER {
			break
		}
		text := st.Text(tk)
		if tk.Kind == lexer.STRING && len(text) >= 2 && (text[0] == '\'' || text[0] == '"') && !strings.HasPrefix(text, "'''") && !strings.HasPrefix(text, `"""`) {
			body := text[1 : len(text)-1]
			other := "\""
			if text[0] == '"' {
				other = "'"
			}
			if !strings.ContainsAny(body, "\\'\"\n") {
				text = other + body + other
			}
		}
		if tk.Kind == lexer.OP {
			switch text {
			case "(", "[", "{":
				parens++
			case ")", "]", "}":
				parens--
			}
		}
		b.WriteString(text)
		prevEnd = off + len(st.Text(tk))
	}
	return []byte(b.String()), true
}
