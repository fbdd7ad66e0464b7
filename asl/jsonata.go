package asl

import (
	"fmt"
	"strings"

	jsonata "github.com/xiatechs/jsonata-go"
)

// JSONataExpression reports whether s is a JSONata expression as JSONata
// states write them, "{% ... %}" (blanks around it allowed), and returns
// the expression's text. The validator and the interpreter recognize
// expressions with this one rule.
//
// The string itself must begin with "{%" and end with "%}": " {% x %} "
// is a plain string (recorded on AWS: localstack's outputdecl/test_output
// BASE_LITERALS snapshot).
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
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	_, err = jsonata.Compile(src)
	return err
}
