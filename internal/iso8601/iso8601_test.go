package iso8601

import "testing"

func TestParses(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"2020-01-01T00:00:00Z", true},
		{"1111-11-11T11:11:11Z", true},
		{"2020-01-01", true},
		{"2020", true},
		{"202001", false},
		{"20200101", true},
		{"2020-1-5", true},
		{"2020-01-01 10:00", true},
		{"2020-01-01T10:00:00.123+05:30", true},
		{"2020-13-01", false},
		{"2021-02-29", false},
		{"2020-02-29", true},
		{"0000-01-01", false},
		{"2020-01-01T24:00:00Z", false},
		{"2020-01-01T10:00:60Z", false},
		{"hello", false},
		{"$.foo", false},
		{"1", false},
		{"2020-01-01T10:00:00+24:00", false},
	}
	for _, tt := range tests {
		if got := Parses(tt.in); got != tt.want {
			t.Errorf("Parses(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
