package decompile_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/hsc-dev/hsc/decompile"
)

// TestStringsRoundTripOrRefuse: DSL strings are raw (heaviside keeps a
// backslash as a backslash), so each JSON string is written with quotes
// it does not contain, or refused with an *Error; it never comes back
// changed.
func TestStringsRoundTripOrRefuse(t *testing.T) {
	tests := []struct {
		s      string
		refuse bool
	}{
		{`plain`, false},
		{`back\slash`, false},
		{`it's`, false},
		{`say "hi"`, false},
		{`both ' and "`, false},
		{"two\nlines", false},
		{"tab\there", false},
		{`ends with \`, true},
		{"carriage\rreturn", true},
		{`'''"""`, true},
		{"ünïcode ✓", false},
		{`\'`, false},
	}
	for _, tt := range tests {
		key, _ := json.Marshal(tt.s)
		def := `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"k": ` + string(key) + `}, "End": true}}}`
		_, again, err := roundTrip([]byte(def))
		var de *decompile.Error
		switch {
		case tt.refuse && !errors.As(err, &de):
			t.Errorf("%q: want a refusal, got %v", tt.s, err)
		case tt.refuse:
		case err != nil:
			t.Errorf("%q: %v", tt.s, err)
		case !sameJSON(t, []byte(def), again):
			t.Errorf("%q: came back as %s", tt.s, again)
		}
	}
}
