package server

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// decodeJSON is checkJSON without its fast path: what StartExecution's
// input check has always been.
func decodeJSON(s string) error {
	dec := json.NewDecoder(strings.NewReader(s))
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

var jsonInputs = []string{
	`{}`, `{"n":1}`, ` [1, 2.5, -3, 0.1e2] `, `1e400`, `{"a":-1E+999}`, `1e-400`, `"e"`, `true`, `null`, `{"a":"\"}e9"}`,
	`{}]`, `{} x`, `{} {}`, ``, ` `, `{`, `"\ud800"`, "\"\xff\"", strings.Repeat("9", 309), strings.Repeat("9", 301),
	"0." + strings.Repeat("0", 320) + "1", `[` + strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001) + `]`, `{"a":tru}`, `-`, `01`,
}

// TestCheckJSONFastPath: checkJSON gives the decoder's answer, error text
// included, for inputs its fast path takes and for those it leaves to the
// decoder (overflowing numbers, trailing data, deep nesting, bad text).
func TestCheckJSONFastPath(t *testing.T) {
	for _, s := range jsonInputs {
		compareCheckJSON(t, s)
	}
}

func FuzzCheckJSON(f *testing.F) {
	for _, s := range jsonInputs {
		f.Add(s)
	}
	f.Fuzz(compareCheckJSON)
}

func compareCheckJSON(t *testing.T, s string) {
	got, want := checkJSON(s), decodeJSON(s)
	if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
		t.Fatalf("%.80q: checkJSON %v, decoder %v", s, got, want)
	}
}
