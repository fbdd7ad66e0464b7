package asl

import (
	"errors"
	"fmt"
	"strings"
)

// IntrinsicFunc describes one intrinsic function of the States Language.
type IntrinsicFunc struct {
	Name    string // e.g. "States.Format"
	MinArgs int
	MaxArgs int // -1: no upper limit
}

// intrinsicFuncs is the one table of intrinsic functions (AWS Step
// Functions developer guide, "Intrinsic functions for JSONPath states").
// The interpreter implements exactly these; the validator accepts exactly
// these.
func intrinsicFuncs() [18]IntrinsicFunc {
	return [18]IntrinsicFunc{
		{"States.Format", 1, -1},
		{"States.StringToJson", 1, 1},
		{"States.JsonToString", 1, 1},
		{"States.Array", 0, -1},
		{"States.ArrayPartition", 2, 2},
		{"States.ArrayContains", 2, 2},
		{"States.ArrayRange", 3, 3},
		{"States.ArrayGetItem", 2, 2},
		{"States.ArrayLength", 1, 1},
		{"States.ArrayUnique", 1, 1},
		{"States.Base64Encode", 1, 1},
		{"States.Base64Decode", 1, 1},
		{"States.Hash", 2, 2},
		{"States.JsonMerge", 3, 3},
		{"States.MathRandom", 2, 3},
		{"States.MathAdd", 2, 2},
		{"States.StringSplit", 2, 2},
		{"States.UUID", 0, 0},
	}
}

// IntrinsicFuncs returns the table of intrinsic functions.
func IntrinsicFuncs() []IntrinsicFunc {
	fs := intrinsicFuncs()
	return fs[:]
}

// LookupIntrinsic returns the intrinsic function named name (with its
// "States." prefix).
func LookupIntrinsic(name string) (IntrinsicFunc, bool) {
	for _, f := range intrinsicFuncs() {
		if f.Name == name {
			return f, true
		}
	}
	return IntrinsicFunc{}, false
}

// MaxIntrinsicNesting is how deeply intrinsic function calls may nest.
const MaxIntrinsicNesting = 10

// Intrinsic is a parsed intrinsic function call such as
// States.Format('{}', $.x).
type Intrinsic struct {
	Func   IntrinsicFunc
	Args   []IntrinsicArg
	Offset int // byte offset of the call in the parsed text
}

// ArgKind is the kind of an intrinsic function argument.
type ArgKind uint8

// The argument kinds.
const (
	ArgLiteral ArgKind = iota // a string, number, true, false or null
	ArgPath                   // a path
	ArgCall                   // a nested intrinsic function call
)

// IntrinsicArg is one argument of an intrinsic function call.
type IntrinsicArg struct {
	Kind ArgKind
	// Literal, for ArgLiteral: nil, bool, string, int64 or float64.
	Literal any
	// Raw is a string literal as written between the quotes, escapes
	// kept (States.Format reads its template from it).
	Raw    string
	String bool // Literal is a string literal
	Path   *Path
	Call   *Intrinsic
	Offset int
}

// IntrinsicError is a malformed intrinsic function call.
type IntrinsicError struct {
	Text   string
	Offset int
	Msg    string
}

func (e *IntrinsicError) Error() string {
	return fmt.Sprintf("invalid intrinsic function %q at offset %d: %s", e.Text, e.Offset, e.Msg)
}

// IsIntrinsicCall reports whether s is written as an intrinsic function
// call (it starts with "States."), not as a path.
func IsIntrinsicCall(s string) bool { return strings.HasPrefix(s, "States.") }

// ParseIntrinsic parses an intrinsic function call.
func ParseIntrinsic(src string) (*Intrinsic, error) {
	ip := intrinsicParser{s: src}
	f, err := ip.call(0)
	if err != nil {
		return nil, err
	}
	ip.space()
	if ip.i != len(ip.s) {
		return nil, ip.fail("unexpected text after the function call")
	}
	return f, nil
}

// ParsePathOrIntrinsic parses the value of a "key.$" payload-template
// field, ErrorPath or CausePath: an intrinsic function call or a path of
// kind k. Exactly one of the results is non-nil on success.
func ParsePathOrIntrinsic(s string, k PathKind) (*Path, *Intrinsic, error) {
	if IsIntrinsicCall(s) {
		f, err := ParseIntrinsic(s)
		return nil, f, err
	}
	p, err := ParsePath(s, k)
	return p, nil, err
}

// CheckPathOrIntrinsic accepts a Path or an intrinsic function call such
// as States.Format('{}', $.x), as allowed in payload-template fields whose
// name ends in ".$".
func CheckPathOrIntrinsic(s string) error {
	_, _, err := ParsePathOrIntrinsic(s, PathAny)
	return err
}

type intrinsicParser struct {
	s string
	i int
}

func (ip *intrinsicParser) fail(msg string) error {
	return &IntrinsicError{Text: ip.s, Offset: ip.i, Msg: msg}
}

func (ip *intrinsicParser) space() {
	for ip.i < len(ip.s) && (ip.s[ip.i] == ' ' || ip.s[ip.i] == '\t' || ip.s[ip.i] == '\n') {
		ip.i++
	}
}

func (ip *intrinsicParser) call(depth int) (*Intrinsic, error) {
	if depth >= MaxIntrinsicNesting {
		return nil, ip.fail(fmt.Sprintf("more than %d nested intrinsic functions", MaxIntrinsicNesting))
	}
	start := ip.i
	for ip.i < len(ip.s) && ip.s[ip.i] != '(' {
		ip.i++
	}
	name := strings.TrimSpace(ip.s[start:ip.i])
	fn, ok := LookupIntrinsic(name)
	if !ok {
		ip.i = start
		if !strings.HasPrefix(ip.s[start:], "States.") {
			return nil, ip.fail("intrinsic function call expected")
		}
		return nil, ip.fail(fmt.Sprintf("unknown intrinsic function %q", name))
	}
	if ip.i >= len(ip.s) {
		return nil, ip.fail("'(' expected")
	}
	ip.i++
	f := &Intrinsic{Func: fn, Offset: start}
	ip.space()
	if ip.i < len(ip.s) && ip.s[ip.i] == ')' {
		ip.i++
	} else {
		for {
			ip.space()
			a, err := ip.arg(depth)
			if err != nil {
				return nil, err
			}
			f.Args = append(f.Args, a)
			ip.space()
			if ip.i >= len(ip.s) {
				return nil, ip.fail("')' expected")
			}
			if ip.s[ip.i] == ',' {
				ip.i++
				continue
			}
			if ip.s[ip.i] == ')' {
				ip.i++
				break
			}
			return nil, ip.fail("',' or ')' expected")
		}
	}
	if len(f.Args) < fn.MinArgs || (fn.MaxArgs >= 0 && len(f.Args) > fn.MaxArgs) {
		want := fmt.Sprint(fn.MinArgs)
		if fn.MaxArgs < 0 {
			want = fmt.Sprintf("at least %d", fn.MinArgs)
		} else if fn.MaxArgs != fn.MinArgs {
			want = fmt.Sprintf("%d to %d", fn.MinArgs, fn.MaxArgs)
		}
		return nil, &IntrinsicError{Text: ip.s, Offset: start, Msg: fmt.Sprintf("%s takes %s arguments, got %d", name, want, len(f.Args))}
	}
	return f, nil
}

func (ip *intrinsicParser) arg(depth int) (IntrinsicArg, error) {
	if ip.i >= len(ip.s) {
		return IntrinsicArg{}, ip.fail("argument expected")
	}
	start := ip.i
	c := ip.s[ip.i]
	switch {
	case c == '\'':
		v, end, ok := unquote(ip.s, ip.i+1, '\'')
		if !ok {
			return IntrinsicArg{}, ip.fail("unterminated string literal")
		}
		raw := ip.s[ip.i+1 : end-1]
		ip.i = end
		return IntrinsicArg{Kind: ArgLiteral, Literal: v, Raw: raw, String: true, Offset: start}, nil
	case c == '$':
		depthB, quote := 0, byte(0)
		for ip.i < len(ip.s) {
			c := ip.s[ip.i]
			if quote != 0 {
				if c == '\\' {
					ip.i++
				} else if c == quote {
					quote = 0
				}
			} else if c == '\'' || c == '"' {
				quote = c
			} else if c == '[' || c == '(' {
				depthB++
			} else if c == ']' || (c == ')' && depthB > 0) {
				depthB--
			} else if depthB == 0 && (c == ',' || c == ')') {
				break
			}
			ip.i++
		}
		ip.i = min(ip.i, len(ip.s))
		text := strings.TrimRight(ip.s[start:ip.i], " \t\n")
		p, err := ParsePath(text, PathAny)
		if err != nil {
			var pe *PathError
			if errors.As(err, &pe) {
				return IntrinsicArg{}, &IntrinsicError{Text: ip.s, Offset: start + pe.Offset, Msg: fmt.Sprintf("argument %s: %s", text, pe.Msg)}
			}
			return IntrinsicArg{}, err
		}
		return IntrinsicArg{Kind: ArgPath, Path: p, Offset: start}, nil
	case strings.HasPrefix(ip.s[ip.i:], "States."):
		f, err := ip.call(depth + 1)
		if err != nil {
			return IntrinsicArg{}, err
		}
		return IntrinsicArg{Kind: ArgCall, Call: f, Offset: start}, nil
	default:
		for ip.i < len(ip.s) && ip.s[ip.i] != ',' && ip.s[ip.i] != ')' {
			ip.i++
		}
		tok := strings.TrimSpace(ip.s[start:ip.i])
		var v any
		switch tok {
		case "true", "false":
			v = tok == "true"
		case "null":
		default:
			end, _, _, msg := numberSyntax(tok, 0)
			if msg != "" || end != len(tok) {
				ip.i = start
				return IntrinsicArg{}, ip.fail(fmt.Sprintf("invalid argument %q", tok))
			}
			n, err := NumberLiteral(tok)
			if err != nil {
				ip.i = start
				return IntrinsicArg{}, ip.fail(fmt.Sprintf("argument %s: %v", tok, err))
			}
			v = n
		}
		return IntrinsicArg{Kind: ArgLiteral, Literal: v, Offset: start}, nil
	}
}
