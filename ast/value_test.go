package ast

import (
	"math"
	"testing"
)

func TestFormatFloat(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{1, "1.0"}, {0.5, "0.5"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
		{2.5e-05, "2.5e-05"}, {0.0001, "0.0001"}, {3e-07, "3e-07"}, {1.5e300, "1.5e+300"},
		{123.456, "123.456"}, {0, "0.0"}, {-2.5, "-2.5"}, {math.Inf(1), "inf"},
		{1234567890123456789, "1.2345678901234568e+18"}, {0.1, "0.1"},
	}
	for _, tt := range tests {
		if got := FormatFloat(tt.f); got != tt.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want string
	}{
		{"1_000", true, "1000"}, {"007", true, "7"}, {"0", true, "0"}, {"1e3", true, "1000.0"},
		{".5", true, "0.5"}, {"5.", true, "5.0"}, {"0x1F", false, ""}, {"1j", false, ""},
		{"0o7", false, ""}, {"123456789012345678901234567890", true, "123456789012345678901234567890"},
		{"1e400", true, "inf"}, {"1_0.5", true, "10.5"},
	}
	for _, tt := range tests {
		n, ok := ParseNumber(tt.in)
		if ok != tt.ok || (ok && n.String() != tt.want) {
			t.Errorf("ParseNumber(%q) = %v %v, want %v %v", tt.in, n.String(), ok, tt.want, tt.ok)
		}
	}
}
