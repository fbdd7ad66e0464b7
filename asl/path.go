package asl

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckPath reports why p is not a States Language Path (a JSONPath
// starting at $, $$ or a $variable), or nil when it is one. Paths may use
// the whole JSONPath syntax: .name, ..name, *, [index], ['name'], slices,
// unions and filters.
func CheckPath(p string) error { return checkPath(p, pathAny) }

// CheckReferencePath reports why p is not a Reference Path, the restricted
// JSONPath of fields such as ItemsPath and SecondsPath: only .name,
// ['name'] and [index] steps, no wildcards, deep scans, slices or unions.
// A filter step such as [?(@.a >= 5)] is accepted, as AWS documents it
// for Reference Paths.
func CheckReferencePath(p string) error { return checkPath(p, pathRef) }

// CheckResultPath reports why p cannot be a ResultPath: a Reference Path
// that names one place to write, so without filters either.
func CheckResultPath(p string) error { return checkPath(p, pathResult) }

type pathKind int

const (
	pathAny    pathKind = iota // Path
	pathRef                    // Reference Path
	pathResult                 // Reference Path that names a single place
)

// isIntrinsic reports whether name (without "States.") is an intrinsic
// function of the States Language.
func isIntrinsic(name string) bool {
	switch name {
	case "Format", "StringToJson", "JsonToString", "Array", "ArrayPartition",
		"ArrayContains", "ArrayRange", "ArrayGetItem", "ArrayLength",
		"ArrayUnique", "Base64Encode", "Base64Decode", "Hash", "JsonMerge",
		"MathRandom", "MathAdd", "StringSplit", "UUID":
		return true
	}
	return false
}

// CheckPathOrIntrinsic accepts a Path or an intrinsic function call such
// as States.Format('{}', $.x), as allowed in payload-template fields whose
// name ends in ".$".
func CheckPathOrIntrinsic(s string) error {
	if strings.HasPrefix(s, "States.") {
		return checkIntrinsic(s)
	}
	return CheckPath(s)
}

func checkIntrinsic(s string) error {
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return fmt.Errorf("intrinsic function call %q must have the form States.Name(arguments)", s)
	}
	name := strings.TrimPrefix(s[:open], "States.")
	if !isIntrinsic(name) {
		return fmt.Errorf("unknown intrinsic function States.%s", name)
	}
	depth := 0
	inQuote := false
	for i := open; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && c == '\\':
			i++
		case c == '\'':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return fmt.Errorf("unexpected text after the arguments of States.%s", name)
			}
		}
	}
	if inQuote {
		return fmt.Errorf("unterminated string in States.%s arguments", name)
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced parentheses in States.%s call", name)
	}
	return nil
}

func checkPath(p string, pk pathKind) error {
	ref := pk != pathAny
	kind := "path"
	if ref {
		kind = "reference path"
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("invalid %s %q: %s", kind, p, fmt.Sprintf(format, args...))
	}
	if !strings.HasPrefix(p, "$") {
		return bad("must start with '$'")
	}
	i := 1
	switch {
	case strings.HasPrefix(p, "$$") && pk == pathResult:
		return bad("a result cannot be written to the context object ($$)")
	case strings.HasPrefix(p, "$$"):
		i = 2
	case i < len(p) && (isIdentStart(rune(p[i])) || p[i] >= utf8.RuneSelf):
		// A $variable reference.
		for i < len(p) {
			r, n := utf8.DecodeRuneInString(p[i:])
			if !isIdentStart(r) && !unicode.IsDigit(r) {
				break
			}
			i += n
		}
	}
	for i < len(p) {
		switch p[i] {
		case '.':
			i++
			if i < len(p) && p[i] == '.' {
				if ref {
					return bad("'..' (deep scan) is not allowed")
				}
				i++
				if i < len(p) && p[i] == '[' {
					continue
				}
			}
			start := i
			for i < len(p) && p[i] != '.' && p[i] != '[' {
				i++
			}
			name := p[start:i]
			if name == "" {
				return bad("empty name after '.'")
			}
			if strings.ContainsAny(name, "]") {
				return bad("unexpected ']' in %q", name)
			}
			if ref && strings.ContainsAny(name, "*?@()") {
				return bad("wildcards and expressions are not allowed (%q)", name)
			}
		case '[':
			end, err := bracketEnd(p, i)
			if err != nil {
				return bad("%v", err)
			}
			inner := strings.TrimSpace(p[i+1 : end])
			if inner == "" {
				return bad("empty brackets")
			}
			filter := pk == pathRef && strings.HasPrefix(inner, "?(") && strings.HasSuffix(inner, ")")
			if ref && !filter && !isRefSelector(inner) {
				return bad("[%s] does not name a single field or array element", inner)
			}
			i = end + 1
		default:
			return bad("unexpected %q; expected '.' or '['", p[i:i+1])
		}
	}
	return nil
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

// bracketEnd returns the index of the ']' closing the '[' at p[i], minding
// quotes and parentheses.
func bracketEnd(p string, i int) (int, error) {
	depth := 0
	var quote byte
	for j := i + 1; j < len(p); j++ {
		c := p[j]
		switch {
		case quote != 0 && c == '\\':
			j++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			if depth == 0 {
				if c == ']' {
					return j, nil
				}
				return 0, fmt.Errorf("unbalanced ')'")
			}
			depth--
		}
	}
	return 0, fmt.Errorf("unclosed '['")
}

// isRefSelector accepts a non-negative integer index or one quoted name.
func isRefSelector(s string) bool {
	if s[0] == '\'' || s[0] == '"' {
		if len(s) < 2 || s[len(s)-1] != s[0] {
			return false
		}
		body := s[1 : len(s)-1]
		for j := 0; j < len(body); j++ {
			if body[j] == '\\' {
				j++
				continue
			}
			if body[j] == s[0] {
				return false
			}
		}
		return true
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
