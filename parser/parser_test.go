package parser

import (
	"errors"
	"testing"

	"github.com/hsc-dev/hsc/ast"
	"github.com/hsc-dev/hsc/diag"
)

func parse(t *testing.T, src string) (*ast.Machine, error) {
	t.Helper()
	return Parse(diag.NewSource("t.hsd", []byte(src)), nil)
}

func TestParseShape(t *testing.T) {
	m, err := parse(t, `"""Doc"""
version: "2"
timeout: 10
Pass()
    """Name
    comment line"""
    input: '$.a'
if '$.x' == 1 and not ('$.y' < 'b' or '$.z' >= 2.5):
    Success()
elif '$.t' > '2020-01-01':
    Fail('E', 'C')
else:
    Wait(seconds=3)
`)
	if err != nil {
		t.Fatal(err)
	}
	if m.Comment.Value != "Doc" || m.Version.Value != "2" || m.Timeout.Value.Text != "10" {
		t.Errorf("header: %+v %+v %+v", m.Comment, m.Version, m.Timeout)
	}
	if len(m.States) != 2 {
		t.Fatalf("%d states", len(m.States))
	}
	p := m.States[0]
	if p.Name != "Name" || p.Comment == nil || *p.Comment != "comment line" || len(p.Mods) != 1 || p.Mods[0].Str != "$.a" {
		t.Errorf("pass state: %+v", p)
	}
	c := m.States[1]
	if c.Kind != ast.Choice || len(c.Choices) != 3 || c.Choices[2].Cond != nil {
		t.Fatalf("choice: %+v", c)
	}
	and := c.Choices[0].Cond
	if and.Op != "and" || len(and.Subs) != 2 || and.Subs[1].Op != "not" || and.Subs[1].Subs[0].Op != "or" {
		t.Errorf("condition tree: %+v", and)
	}
	if ts := c.Choices[1].Cond.Val; ts.Kind != ast.TimestampVal {
		t.Errorf("'2020-01-01' should be a timestamp, got kind %v", ts.Kind)
	}
	if f := c.Choices[2].States[0]; f.Kind != ast.Wait || f.Wait.Value.Num.Text != "3" {
		t.Errorf("else branch: %+v", f)
	}
}

// TestSyntaxErrorPosition checks heaviside's rule: the error is at the token
// after the furthest one any alternative consumed.
func TestSyntaxErrorPosition(t *testing.T) {
	tests := []struct {
		src       string
		line, col int
		msg       string
	}{
		{"Pass(\n)\nPass(]\n", 3, 6, "Invalid syntax"},
		{"Wait(seconds=-1)\n", 1, 14, "Invalid syntax"},
		{"Pass()\n    input: 1\n", 2, 12, "Invalid syntax"},
		{"Pass()\n    bogus: 'x'\n", 2, 5, "Invalid syntax"},
		{"Fail('a' 'b')\n", 1, 10, "Invalid syntax"},
		{"Pass()\n    input: $\n", 2, 11, "Unterminated quote"},
		{"if '$.a' == 1\n    Pass()\n", 2, 1, "Invalid syntax"},
		{"version: 1\n", 1, 10, "Invalid syntax"},
	}
	for _, tt := range tests {
		_, err := parse(t, tt.src)
		var e *diag.Error
		if !errors.As(err, &e) {
			t.Errorf("%q: want error, got %v", tt.src, err)
			continue
		}
		if int(e.Pos.Line) != tt.line || int(e.Pos.Col) != tt.col || e.Msg != tt.msg {
			t.Errorf("%q: got %d:%d %s, want %d:%d %s", tt.src, e.Pos.Line, e.Pos.Col, e.Msg, tt.line, tt.col, tt.msg)
		}
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct{ src, msg string }{
		{"Wait(seconds=0)\n", "'0' is not a positive integer"},
		{"Wait(seconds=1.5)\n", "'1.5' is not a valid integer"},
		{"Wait(seconds=0x10)\n", "'0x10' is not a valid number"},
		{"Pass()\n    data:\n        1j\n", "'1j' is not a valid number"},
	}
	for _, tt := range tests {
		_, err := parse(t, tt.src)
		var e *diag.Error
		if !errors.As(err, &e) || e.Msg != tt.msg {
			t.Errorf("%q: got %v, want %q", tt.src, err, tt.msg)
		}
	}
}
