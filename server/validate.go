package server

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/server/internal/apimodel"
)

// validator checks a request body against the API model, as the service's
// front end does before an operation sees it: JSON types (a mismatch is a
// SerializationException) and then required members, lengths, value
// ranges, enumerations and patterns (ValidationException, all violations
// in one message, in the service's wording).
type validator struct {
	patterns map[string]func(string) bool
}

func newValidator() (*validator, error) {
	v := &validator{patterns: map[string]func(string) bool{}}
	for _, p := range apimodel.Patterns() {
		f, err := compilePattern(p)
		if err != nil {
			return nil, fmt.Errorf("model pattern %q: %w", p, err)
		}
		v.patterns[p] = f
	}
	return v, nil
}

// compilePattern turns one of the model's Java patterns into a matcher of
// the whole value. Go's regexp has no lookahead; the one model pattern
// that uses it (CharacterRestrictedName: letters, digits, '_', '-', '.',
// with at least one non-digit) is written out.
func compilePattern(p string) (func(string) bool, error) {
	if p == `^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$` {
		return func(s string) bool {
			other := false
			for _, r := range s {
				switch {
				case r >= '0' && r <= '9':
				case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r == '-', r == '.':
					other = true
				default:
					return false
				}
			}
			return s != "" && other
		}, nil
	}
	gp := strings.ReplaceAll(p, `\p{ASCII}`, `[\x00-\x7F]`)
	re, err := regexp.Compile(`^(?:` + gp + `)$`)
	if err != nil {
		return nil, err
	}
	return re.MatchString, nil
}

// check validates body (a decoded JSON object) against the input shape.
func (v *validator) check(shapeName string, body map[string]any) *APIError {
	sh, ok := apimodel.ShapeOf(shapeName)
	if !ok {
		return &APIError{Code: "InternalFailure", Message: "no model shape " + shapeName, Status: 500}
	}
	var problems []string
	if err := v.structure(sh, body, "", &problems); err != nil {
		return err
	}
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return errValidation("1 validation error detected: %s", problems[0])
	}
	return errValidation("%d validation errors detected: %s", len(problems), strings.Join(problems, "; "))
}

func serialization(format string, args ...any) *APIError {
	return apiErr("SerializationException", format, args...)
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (v *validator) structure(sh *apimodel.Shape, obj map[string]any, at string, problems *[]string) *APIError {
	for _, m := range sh.Members {
		val, present := obj[m.Name]
		path := join(at, m.Name)
		if !present || val == nil {
			if m.Required {
				*problems = append(*problems, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path))
			}
			continue
		}
		ms, ok := apimodel.ShapeOf(m.Shape)
		if !ok {
			return &APIError{Code: "InternalFailure", Message: "no model shape " + m.Shape, Status: 500}
		}
		if err := v.value(ms, val, path, problems); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) value(sh *apimodel.Shape, val any, at string, problems *[]string) *APIError {
	fail := func(shown, constraint string) {
		if sh.Sensitive {
			*problems = append(*problems, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", at, constraint))
			return
		}
		*problems = append(*problems, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", shown, at, constraint))
	}
	bounds := func(shown string, n float64, what string) {
		if sh.HasMin && n < sh.Min {
			fail(shown, fmt.Sprintf("Member must have %s greater than or equal to %s", what, num(sh.Min)))
		}
		if sh.HasMax && n > sh.Max {
			fail(shown, fmt.Sprintf("Member must have %s less than or equal to %s", what, num(sh.Max)))
		}
	}
	switch sh.Kind {
	case apimodel.KindString:
		s, ok := val.(string)
		if !ok {
			return serialization("Expected a string at '%s'", at)
		}
		bounds(s, float64(utf16Len(s)), "length")
		if len(sh.Enum) > 0 && !slices.Contains(sh.Enum, s) {
			fail(s, "Member must satisfy enum value set: ["+strings.Join(sh.Enum, ", ")+"]")
		}
		if sh.Pattern != "" && !v.patterns[sh.Pattern](s) {
			fail(s, "Member must satisfy regular expression pattern: "+sh.Pattern)
		}
	case apimodel.KindInteger, apimodel.KindLong:
		n, ok := val.(json.Number)
		if !ok {
			return serialization("Expected a number at '%s'", at)
		}
		bits := 64
		if sh.Kind == apimodel.KindInteger {
			bits = 32
		}
		i, err := strconv.ParseInt(n.String(), 10, bits)
		if err != nil {
			return serialization("Expected an integer of %d bits at '%s', got %s", bits, at, n)
		}
		bounds(n.String(), float64(i), "value")
	case apimodel.KindFloat:
		n, ok := val.(json.Number)
		if !ok {
			return serialization("Expected a number at '%s'", at)
		}
		f, err := n.Float64()
		if err != nil || math.IsInf(f, 0) {
			return serialization("Expected a number at '%s', got %s", at, n)
		}
		bounds(n.String(), f, "value")
	case apimodel.KindTimestamp:
		if _, ok := val.(json.Number); !ok {
			return serialization("Expected a timestamp (seconds since the epoch) at '%s'", at)
		}
	case apimodel.KindBoolean:
		if _, ok := val.(bool); !ok {
			return serialization("Expected a boolean at '%s'", at)
		}
	case apimodel.KindBlob:
		if _, ok := val.(string); !ok {
			return serialization("Expected base64 text at '%s'", at)
		}
	case apimodel.KindStructure:
		obj, ok := val.(map[string]any)
		if !ok {
			return serialization("Expected an object at '%s'", at)
		}
		return v.structure(sh, obj, at, problems)
	case apimodel.KindList:
		list, ok := val.([]any)
		if !ok {
			return serialization("Expected a list at '%s'", at)
		}
		bounds(fmt.Sprintf("%v", list), float64(len(list)), "length")
		es, _ := apimodel.ShapeOf(sh.Elem)
		for i, e := range list {
			p := fmt.Sprintf("%s.%d.member", at, i+1)
			if e == nil {
				*problems = append(*problems, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", p))
				continue
			}
			if err := v.value(es, e, p, problems); err != nil {
				return err
			}
		}
	case apimodel.KindMap:
		obj, ok := val.(map[string]any)
		if !ok {
			return serialization("Expected an object at '%s'", at)
		}
		ks, _ := apimodel.ShapeOf(sh.Key)
		es, _ := apimodel.ShapeOf(sh.Elem)
		for k, e := range obj {
			if err := v.value(ks, k, at+".key", problems); err != nil {
				return err
			}
			if e != nil {
				if err := v.value(es, e, at+".value", problems); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// utf16Len is a string's length as the service measures it (Java: UTF-16
// code units; a character beyond U+FFFF counts twice).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
