package lexer

import (
	"strings"
	"testing"
)

func TestScanOp(t *testing.T) {
	ops := strings.Fields("**= ... //= <<= >>= != %= &= ** *= += -= -> // /= := << <= == >= >> @= ^= |= % & ( ) * + , - . / : ; < = > @ [ ] ^ { | } ~")
	for _, op := range ops {
		if n := scanOp(op+" x", 0); n != len(op) {
			t.Errorf("scanOp(%q) = %d, want %d", op, n, len(op))
		}
	}
	for _, s := range []string{"!", "$", "?", "`"} {
		if n := scanOp(s, 0); n != 0 {
			t.Errorf("scanOp(%q) = %d, want 0", s, n)
		}
	}
}

func kinds(st *Stream) string {
	toks := st.Toks
	var b strings.Builder
	for _, t := range toks {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		switch t.Kind {
		case INDENT, DEDENT, ENDMARKER:
			b.WriteString(t.Kind.String())
		default:
			b.WriteString(t.Kind.String() + ":" + st.Text(&t))
		}
	}
	return b.String()
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"simple", "Pass()\n", "NAME:Pass OP:( OP:) ENDMARKER"},
		{"indent", "Pass()\n    input: '$'\n", "NAME:Pass OP:( OP:) INDENT NAME:input OP:: STRING:'$' DEDENT ENDMARKER"},
		{"tab to 8", "a\n\tb\n        c\n", "NAME:a INDENT NAME:b NAME:c DEDENT ENDMARKER"},
		{"parens join", "a(\n  'x',\n)\n", "NAME:a OP:( STRING:'x' OP:, OP:) ENDMARKER"},
		{"backslash", "a \\\n  b\n", "NAME:a NAME:b ENDMARKER"},
		{"comments and blanks", "# c\n\na  # c\n\n   # c\nb\n", "NAME:a NAME:b ENDMARKER"},
		{"numbers", "1_000 1e3 .5 5. 0x1F 1j 012\n", "NUMBER:1_000 NUMBER:1e3 NUMBER:.5 NUMBER:5. NUMBER:0x1F NUMBER:1j NUMBER:0 NUMBER:12 ENDMARKER"},
		{"dollar", "k.$: 'v'\n", "NAME:k OP:. ERRORTOKEN:$ OP:: STRING:'v' ENDMARKER"},
		{"triple", "'''a\nb'''\n", "STRING:'''a\nb''' ENDMARKER"},
		{"raw backslash", `'a\'b'` + "\n", `STRING:'a\'b' ENDMARKER`},
		{"unterminated", "x 'ab\n", "NAME:x ERRORTOKEN:  ERRORTOKEN:' NAME:ab ENDMARKER"},
		{"crlf", "a\r\n    b\r\n", "NAME:a INDENT NAME:b DEDENT ENDMARKER"},
		{"bom", "\xef\xbb\xbfa\n", "NAME:a ENDMARKER"},
		{"ops", "a != b <= c == d\n", "NAME:a OP:!= NAME:b OP:<= NAME:c OP:== NAME:d ENDMARKER"},
		{"unicode name", "名前 = 1\n", "NAME:名前 OP:= NUMBER:1 ENDMARKER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := Tokenize("t", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(toks); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestTokenizeErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"eof string", "'''abc\n", "t:1:1: EOF in multi-line string"},
		{"eof statement", "a(\n", "t:2:1: EOF in multi-line statement"},
		{"dedent", "a\n    b\n  c\n", "t:3:3: unindent does not match any outer indentation level"},
		{"nul", "a\x00", "t:1:2: NUL byte in source"},
		{"utf8", "ab\xff", "t:1:3: invalid UTF-8 encoding"},
		{"deep parens", strings.Repeat("(", 10000), "nesting too deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Tokenize("t", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPositions(t *testing.T) {
	st, err := Tokenize("t", []byte("a\r\n  é b\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := st.Toks[3] // a INDENT é b
	if st.Text(&b) != "b" || b.Pos().Line != 2 || b.Pos().Col != 5 || b.Pos().Offset != 8 {
		t.Errorf("b at %+v", b.Pos())
	}
}

// TestPythonIdentifierClasses checks characters where Go's Unicode tables
// and Python 3.11's disagree.
func TestPythonIdentifierClasses(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"Ⅻ\n", "NAME:Ⅻ ENDMARKER"},                                 // Nl letter number: NAME in Python
		{"ำx\n", "OP:ำx ENDMARKER"},                                 // U+0E33: \w but not an identifier start
		{"a\U00011F04\n", "NAME:a ERRORTOKEN:\U00011F04 ENDMARKER"}, // Kawi: unassigned in Unicode 14
		{"名前\n", "NAME:名前 ENDMARKER"},
		{"x²\n", "NAME:x² ENDMARKER"},
	}
	for _, tt := range tests {
		st, err := Tokenize("t", []byte(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		if got := kinds(st); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.src, got, tt.want)
		}
	}
}
