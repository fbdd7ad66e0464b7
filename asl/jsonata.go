package asl

import (
	"fmt"
	"strings"

	jsonata "github.com/xiatechs/jsonata-go"
)

// JSONataExpression reports whether s is a JSONata expression as JSONata
// states write them, "{% ... %}", and returns the expression's text. The
// string itself must begin with "{%" and end with "%}": " {% x %} " is a
// plain string (recorded on AWS: localstack's outputdecl/test_output
// BASE_LITERALS, in the interpreter's run corpus). The validator and the
// interpreter recognize expressions with this one rule.
func JSONataExpression(s string) (string, bool) {
	t := s
	if strings.HasPrefix(t, "{%") && strings.HasSuffix(t, "%}") && len(t) >= 4 {
		return strings.TrimSpace(t[2 : len(t)-2]), true
	}
	return "", false
}

// CheckJSONata reports why src (an expression's text, without "{% %}") is
// not a JSONata expression, or nil. AWS checks the syntax of the
// expressions of a JSONata state when the state machine is created. The
// parser is the interpreter's (github.com/xiatechs/jsonata-go, JSONata
// 1.8), so the two agree on what parses; Step Functions runs JSONata 2.x,
// whose few additions to the syntax it does not know.
func CheckJSONata(src string) (err error) {
	if err := JSONataLexerTrap(src); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	_, err = jsonata.Compile(src)
	return err
}

// JSONataLexerTrap reports the one input known to break the JSONata
// parser's lexer beyond recovery: '!' or '~' (which only begin "!=" and
// "~>") followed by a character of more than one byte, outside string
// literals, makes it step back too far, and it then panics or recurses
// until the stack overflows, which kills the process ("$?!�"). Such
// an expression is a syntax error in JSONata anyway; call this before
// handing src to the parser.
func JSONataLexerTrap(src string) error {
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case (c == '!' || c == '~') && i+1 < len(src) && src[i+1] >= 0x80:
			want := "!="
			if c == '~' {
				want = "~>"
			}
			return fmt.Errorf("syntax error at offset %d: '%c' must begin %q", i, c, want)
		}
	}
	return nil
}
