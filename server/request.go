package server

import (
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Most request bodies are a flat JSON object of strings (StartExecution,
// DescribeExecution, SendTaskSuccess, ...). call reads those in one scan
// (scanFlat) into the same document the validator would get from
// encoding/json, and handle fills the operation's input from the scan
// (flatDecoder) rather than decoding the body again by reflection. Any
// body the scan does not take, and any member the input cannot take from
// it exactly as json.Unmarshal would, goes through encoding/json as
// before, so that every error and its message is encoding/json's.

// request is a validated request body, with its members when the body
// is flat.
type request struct {
	body    []byte
	members []flatMember
	flat    bool
}

// flatMember is a member of a flat body: a string, a boolean or null.
type flatMember struct {
	key  string
	kind flatKind
	str  string
	b    bool
}

type flatKind uint8

const (
	flatString flatKind = iota
	flatBool
	flatNull
)

// value is the member's value as encoding/json decodes it into an any.
func (m *flatMember) value() any {
	switch m.kind {
	case flatString:
		return m.str
	case flatBool:
		return m.b
	}
	return nil
}

// scanFlat reads body as one JSON object whose member values are strings
// without \u escapes or non-ASCII bytes, booleans or nulls, with nothing
// but white space after it. It reports false for any other body, valid or
// not (call then decodes it with encoding/json).
func scanFlat(body []byte, members []flatMember) ([]flatMember, bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return members, skipSpace(body, i+1) == len(body)
	}
	for {
		var m flatMember
		var ok bool
		if m.key, i, ok = scanString(body, i); !ok {
			return nil, false
		}
		i = skipSpace(body, i)
		if i >= len(body) || body[i] != ':' {
			return nil, false
		}
		i = skipSpace(body, i+1)
		if i >= len(body) {
			return nil, false
		}
		switch c := body[i]; {
		case c == '"':
			if m.str, i, ok = scanString(body, i); !ok {
				return nil, false
			}
		case hasWord(body, i, "true"):
			m.kind, m.b, i = flatBool, true, i+4
		case hasWord(body, i, "false"):
			m.kind, i = flatBool, i+5
		case hasWord(body, i, "null"):
			m.kind, i = flatNull, i+4
		default:
			return nil, false
		}
		members = append(members, m)
		i = skipSpace(body, i)
		if i >= len(body) {
			return nil, false
		}
		switch body[i] {
		case ',':
			i = skipSpace(body, i+1)
		case '}':
			return members, skipSpace(body, i+1) == len(body)
		default:
			return nil, false
		}
	}
}

// hasWord reports whether body holds the literal w at i.
func hasWord(body []byte, i int, w string) bool {
	return len(body)-i >= len(w) && string(body[i:i+len(w)]) == w
}

func skipSpace(body []byte, i int) int {
	for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r') {
		i++
	}
	return i
}

// scanString reads the JSON string at body[i]: printable ASCII and the
// escapes \" \\ \/ \b \f \n \r \t (others: false). It returns the string
// and the index after it.
func scanString(body []byte, i int) (string, int, bool) {
	if i >= len(body) || body[i] != '"' {
		return "", i, false
	}
	i++
	start, plain := i, true
	for ; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '"':
			if plain {
				return string(body[start:i]), i + 1, true
			}
			return unescape(body[start:i]), i + 1, true
		case c == '\\':
			if i+1 >= len(body) || strings.IndexByte(`"\/bfnrt`, body[i+1]) < 0 {
				return "", i, false
			}
			plain = false
			i++
		case c < 0x20 || c >= utf8.RuneSelf:
			return "", i, false
		}
	}
	return "", i, false
}

// unescape resolves the escapes scanString lets through.
func unescape(s []byte) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		default: // " \ /
			c = s[i]
		}
		b.WriteByte(c)
	}
	return b.String()
}

// flatField is where a member goes in an operation's input.
type flatField struct {
	index []int
	kind  reflect.Kind // String or Bool
	ptr   bool         // a *string or *bool
}

// flatDecoder fills an input of type In from a flat body's members, as
// json.Unmarshal would: its fields of the types string and bool (not of
// a named type) and pointers to them, by their JSON names. It is nil when In is not a struct or has
// a field whose name encoding/json works out by rules not copied here
// (embedded, unexported, a tag option other than omitempty, two fields
// of one name); a member naming a field of any other type, or no field,
// is left to encoding/json (fill reports false).
type flatDecoder map[string]flatField

func newFlatDecoder(t reflect.Type) flatDecoder {
	if t.Kind() != reflect.Struct {
		return nil
	}
	d := flatDecoder{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous || !f.IsExported() {
			return nil
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts != "" && opts != "omitempty" {
			return nil
		}
		if name == "" {
			name = f.Name
		}
		ft, ptr := f.Type, false
		if ft.Kind() == reflect.Pointer {
			ft, ptr = ft.Elem(), true
		}
		if _, dup := d[name]; dup {
			return nil // encoding/json's rules for clashing names are not ours to copy
		}
		switch ft.Kind() {
		case reflect.String, reflect.Bool:
			if ft.PkgPath() != "" { // a named type might unmarshal itself
				continue
			}
			d[name] = flatField{index: f.Index, kind: ft.Kind(), ptr: ptr}
		}
	}
	return d
}

// fill sets in (a pointer to a struct) from members and reports whether
// it could: every key names a field exactly, with a value of its type or
// null. When it reports false, in is partly set and must be decoded again.
func (d flatDecoder) fill(in any, members []flatMember) bool {
	v := reflect.ValueOf(in).Elem()
	for i := range members {
		m := &members[i]
		f, ok := d[m.key]
		if !ok {
			return false // unknown, or matched case-insensitively by encoding/json
		}
		fv := v.FieldByIndex(f.index)
		switch {
		case m.kind == flatNull:
			if f.ptr {
				fv.SetZero() // null sets a pointer to nil, and leaves a value alone
			}
		case m.kind == flatString && f.kind == reflect.String:
			if f.ptr {
				s := m.str
				fv.Set(reflect.ValueOf(&s))
			} else {
				fv.SetString(m.str)
			}
		case m.kind == flatBool && f.kind == reflect.Bool:
			if f.ptr {
				b := m.b
				fv.Set(reflect.ValueOf(&b))
			} else {
				fv.SetBool(m.b)
			}
		default:
			return false
		}
	}
	return true
}

// decodeInput decodes a request into in: from its members when the body
// is flat and d takes them, otherwise by encoding/json.
func decodeInput(req *request, d flatDecoder, in any) error {
	if req.flat && d != nil && d.fill(in, req.members) {
		return nil
	}
	reflect.ValueOf(in).Elem().SetZero()
	return json.Unmarshal(req.body, in)
}
