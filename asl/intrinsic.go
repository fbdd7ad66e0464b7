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
	// Params are the JSON types the arguments must have, in order; the
	// last one also applies to every further argument of a function
	// with no upper limit.
	Params []JSONType
	// Result is the JSON type of what the function returns.
	Result JSONType
}

// JSONType is what an intrinsic function takes or returns.
type JSONType uint8

// The JSON types of intrinsic function arguments and results.
const (
	JSONAny JSONType = iota // any JSON value
	JSONString
	JSONNumber
	JSONBoolean
	JSONArray
	JSONObject
)

func (t JSONType) String() string {
	switch t {
	case JSONString:
		return "a string"
	case JSONNumber:
		return "a number"
	case JSONBoolean:
		return "a boolean"
	case JSONArray:
		return "an array"
	case JSONObject:
		return "an object"
	}
	return "any value"
}

// Param returns the type argument i (0-based) must have.
func (f IntrinsicFunc) Param(i int) JSONType {
	switch {
	case len(f.Params) == 0:
		return JSONAny
	case i < len(f.Params):
		return f.Params[i]
	}
	return f.Params[len(f.Params)-1]
}

// intrinsicFuncs is the one table of intrinsic functions, with the types
// of their arguments and results (AWS Step Functions developer guide,
// "Intrinsic functions for JSONPath states"). The interpreter implements
// exactly these; the validator accepts exactly these.
func intrinsicFuncs() [18]IntrinsicFunc {
	const (
		a, s, n, b, arr, obj = JSONAny, JSONString, JSONNumber, JSONBoolean, JSONArray, JSONObject
	)
	return [18]IntrinsicFunc{
		// "The value of the first argument must be a string"; the
		// values to insert are strings, numbers, booleans or null.
		{"States.Format", 1, -1, []JSONType{s, a}, s},
		{"States.StringToJson", 1, 1, []JSONType{s}, a},
		{"States.JsonToString", 1, 1, []JSONType{a}, s},
		{"States.Array", 0, -1, []JSONType{a}, arr},
		// The array and the chunk size.
		{"States.ArrayPartition", 2, 2, []JSONType{arr, n}, arr},
		{"States.ArrayContains", 2, 2, []JSONType{arr, a}, b},
		// Start, end and step.
		{"States.ArrayRange", 3, 3, []JSONType{n, n, n}, arr},
		// The array and the index.
		{"States.ArrayGetItem", 2, 2, []JSONType{arr, n}, a},
		{"States.ArrayLength", 1, 1, []JSONType{arr}, n},
		{"States.ArrayUnique", 1, 1, []JSONType{arr}, arr},
		{"States.Base64Encode", 1, 1, []JSONType{s}, s},
		{"States.Base64Decode", 1, 1, []JSONType{s}, s},
		// The data (a string or an object) and the algorithm's name.
		{"States.Hash", 2, 2, []JSONType{a, s}, s},
		// Two objects and false (deep merging is not supported).
		{"States.JsonMerge", 3, 3, []JSONType{obj, obj, b}, obj},
		// Start, end and optional seed.
		{"States.MathRandom", 2, 3, []JSONType{n, n, n}, n},
		{"States.MathAdd", 2, 2, []JSONType{n, n}, n},
		// The string and the delimiter.
		{"States.StringSplit", 2, 2, []JSONType{s, s}, arr},
		{"States.UUID", 0, 0, nil, s},
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

// ArgProblems lists the arguments of f (and of the calls nested in it)
// whose type is known when the definition is read (a literal, or what a
// nested call returns) and is not what the function takes: such a call
// fails whenever it runs. Paths are not checked: what they select is
// known only at run time.
func (f *Intrinsic) ArgProblems() []string {
	var out []string
	var walk func(f *Intrinsic)
	walk = func(f *Intrinsic) {
		for i, a := range f.Args {
			want := f.Func.Param(i)
			var got JSONType
			switch a.Kind {
			case ArgCall:
				walk(a.Call)
				got = a.Call.Func.Result
			case ArgLiteral:
				switch a.Literal.(type) {
				case nil:
					// null: only where any value is taken.
					if want != JSONAny {
						out = append(out, fmt.Sprintf("argument %d of %s must be %s, not null", i+1, f.Func.Name, want))
					}
					continue
				case string:
					got = JSONString
				case bool:
					got = JSONBoolean
				default:
					got = JSONNumber
				}
			default:
				continue
			}
			if want != JSONAny && got != JSONAny && got != want {
				out = append(out, fmt.Sprintf("argument %d of %s must be %s, not %s", i+1, f.Func.Name, want, got))
			}
		}
	}
	walk(f)
	return out
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
