package hsc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hsc-dev/hsc/asl"
	"github.com/hsc-dev/hsc/diag"
)

// MaxSourceSize is the most hsc reads of a definition, from a file or
// standard input: 16 MiB. That bounds Heaviside DSL source generously (the
// 20,000-line benchmark program is under 1 MiB); a States Language file is
// read up to the same bound, and the validator then reports one over AWS's
// 1 MiB definition limit as a problem. Reading stops one byte past the
// bound, so a larger input costs no more memory than that.
const MaxSourceSize = 16 << 20

// The codes Check gives problems that are not the validator's (asl's codes
// name those).
const (
	CodeInputError   = "INPUT_ERROR"   // the file cannot be read
	CodeCompileError = "COMPILE_ERROR" // a Heaviside compile error
)

// StdinName is the file name "-" stands for in diagnostics.
const StdinName = "<stdin>"

// Definition is a state machine definition as Load read it.
type Definition struct {
	// File names the source in diagnostics (StdinName for "-").
	File string
	// Name is the state machine name the file gives: its base name without
	// .hsd, .json, .asl.json or .sfn; "" for standard input.
	Name string
	// DSL reports whether the source is a Heaviside program (compiled);
	// otherwise it is States Language JSON.
	DSL bool
	// Source is the text read.
	Source []byte
	// JSON is the States Language definition: Source itself, or the
	// compiled program.
	JSON []byte
	// Compiled is the compile result of a Heaviside program (its value
	// tree, source map and state positions); nil for JSON.
	Compiled *Result
	// Problems are what AWS Step Functions would reject in the
	// definition: for a program, Compiled.Warnings; for JSON, asl's
	// validator findings at their JSON positions, with asl's severities
	// (all errors with WithStrict).
	Problems diag.List
}

// InputError is a definition that could not be read: a missing or
// unreadable file, a directory, an unknown file type, or input over
// MaxSourceSize. Errors in what was read are diagnostics instead.
type InputError struct {
	File string
	Err  error
}

func (e *InputError) Error() string { return e.File + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ErrTooLarge is the InputError cause for input over MaxSourceSize.
var ErrTooLarge = fmt.Errorf("larger than %d MiB", MaxSourceSize>>20)

// IsDSLFile reports whether a file name is a Heaviside program (.hsd) and
// ok whether the name says at all: .json, .asl.json and .sfn are States
// Language JSON, anything else is unknown. Case does not matter.
func IsDSLFile(name string) (dsl, ok bool) {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".hsd":
		return true, true
	case ".json", ".sfn":
		return false, true
	}
	return false, false
}

// MachineName is the state machine name a file gives: its base name
// without .hsd, .json, .asl.json or .sfn (any case); "" for "-".
func MachineName(path string) string {
	if path == "-" {
		return ""
	}
	base := filepath.Base(path)
	lower := strings.ToLower(base)
	for _, ext := range []string{".asl.json", ".hsd", ".json", ".sfn"} {
		if strings.HasSuffix(lower, ext) && len(base) > len(ext) {
			return base[:len(base)-len(ext)]
		}
	}
	return base
}

// SniffDSL reports whether text read without a file name (standard input)
// is a Heaviside program: JSON when its first non-blank character (after a
// UTF-8 byte order mark) is '{', DSL otherwise.
func SniffDSL(src []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(src, utf8BOM), " \t\r\n\f\v")
	return len(t) == 0 || t[0] != '{'
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// LoadFile reads a definition from path, or from stdin when path is "-",
// and loads it with Load. At most MaxSourceSize bytes are read.
func LoadFile(path string, stdin io.Reader, opts ...Option) (*Definition, error) {
	src, err := ReadSource(path, stdin)
	if err != nil {
		return nil, err
	}
	return Load(path, src, opts...)
}

// ReadSource reads a definition file, or stdin when path is "-": a
// regular file (not a directory) of at most MaxSourceSize bytes. Its
// errors are *InputError. It does not look at the file type; Load does.
func ReadSource(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		if stdin == nil {
			return nil, &InputError{File: StdinName, Err: errors.New("no standard input")}
		}
		src, err := readLimited(stdin, MaxSourceSize)
		if err != nil {
			return nil, &InputError{File: StdinName, Err: err}
		}
		return src, nil
	}
	return readFile(path)
}

// UnknownTypeError is the error for a file name that is neither DSL nor
// JSON by IsDSLFile's rule.
func UnknownTypeError(name string) error {
	return fmt.Errorf("unknown file type %q: want .hsd (Heaviside DSL) or .json, .asl.json, .sfn (States Language JSON)", filepath.Ext(name))
}

// readFile reads a regular file of at most MaxSourceSize bytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{File: path, Err: pathErr(err)}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, &InputError{File: path, Err: errors.New("is a directory, not a definition file")}
	}
	src, err := readLimited(f, MaxSourceSize)
	if err != nil {
		return nil, &InputError{File: path, Err: pathErr(err)}
	}
	return src, nil
}

// pathErr drops the file name an *os.PathError repeats.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readLimited reads all of r, failing with ErrTooLarge past limit bytes
// (it reads at most limit+1).
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	src, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if int64(len(src)) > limit {
		return nil, ErrTooLarge
	}
	return src, nil
}

// Load loads a definition from src. name is its file name: .hsd is a
// Heaviside program, compiled with opts; .json, .asl.json and .sfn are
// States Language JSON, validated; "-" (standard input) or "" is decided by
// content (see SniffDSL). The error is a diag.List or *diag.Error for
// errors in the text (compile errors, invalid JSON; with WithStrict also
// every problem) and an *InputError for an unknown file type.
func Load(name string, src []byte, opts ...Option) (*Definition, error) {
	o := defaultOptions()
	file := name
	if name == "-" || name == "" {
		file = StdinName
	}
	o.filename = file
	for _, f := range opts {
		f(&o)
	}
	d := &Definition{File: o.filename, Name: MachineName(name), Source: src}
	switch {
	case name == "-" || name == "":
		d.DSL = SniffDSL(src)
	default:
		dsl, ok := IsDSLFile(name)
		if !ok {
			return nil, &InputError{File: name, Err: UnknownTypeError(name)}
		}
		d.DSL = dsl
	}
	if d.DSL {
		res, err := compile(src, &o)
		if err != nil {
			return nil, err
		}
		d.Compiled, d.JSON, d.Problems = res, res.Definition, res.Warnings
		return d, nil
	}
	d.JSON = bytes.TrimPrefix(src, utf8BOM)
	s := diag.NewSource(d.File, d.JSON)
	root, err := asl.ParseValue(d.JSON)
	if err != nil {
		var se *asl.SyntaxError
		if errors.As(err, &se) {
			return nil, se.Diag(s)
		}
		return nil, &diag.Error{File: d.File, Msg: err.Error()}
	}
	d.Problems = asl.Diags(asl.ValidateValue(root), s)
	if o.strict {
		for _, p := range d.Problems {
			p.Severity = diag.SevError
		}
	}
	d.Problems.Sort()
	if o.strict && len(d.Problems) > 0 {
		return nil, d.Problems
	}
	return d, nil
}

// Check returns every problem of the definition in src, as Load reads it
// (name picks DSL or JSON): the errors that stop it loading (compile
// errors, invalid JSON), else its Problems. For a Heaviside program these
// are exactly Compile's warnings, at the same lines; with WithStrict every
// problem is an error, and Compile fails exactly when Check has one.
func Check(name string, src []byte, opts ...Option) diag.List {
	d, err := Load(name, src, opts...)
	if err != nil {
		return errorList(name, err)
	}
	return d.Problems
}

// CheckFile reads path (stdin for "-") and checks it as Check does; a file
// that cannot be read is one positionless error.
func CheckFile(path string, stdin io.Reader, opts ...Option) diag.List {
	src, err := ReadSource(path, stdin)
	if err != nil {
		return errorList(path, err)
	}
	return Check(path, src, opts...)
}

// errorList turns a load error into diagnostics (all errors).
func errorList(name string, err error) diag.List {
	if name == "-" || name == "" {
		name = StdinName
	}
	l, ok := diag.AsList(err)
	if !ok {
		msg := err.Error()
		var ie *InputError
		if errors.As(err, &ie) {
			name, msg = ie.File, ie.Err.Error()
		}
		return diag.List{{File: name, Msg: msg, Severity: diag.SevError, Code: CodeInputError}}
	}
	out := make(diag.List, len(l))
	for i, e := range l {
		c := *e
		c.Severity = diag.SevError
		if c.Code == "" {
			c.Code = CodeCompileError
		}
		out[i] = &c
	}
	return out
}
