package interpreter

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"log-*.txt", "log-2024.txt", true},
		{"log-*.txt", "log-2024.csv", false},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"a*", "a", true},
		{"*a", "a", true},
		{"ab*ab", "ab", false},
		{"ab*ab", "abab", true},
		{"*a*b*c*", "xaybzc", true},
		{"*a*b*c*", "xcybza", false},
		{`a\*b`, "a*b", true},
		{`a\*b`, "axb", false},
		{`a\\*`, `a\bc`, true},
		{`a\\*`, `ab`, false},
		{"*.*", "a.b.c", true},
		{"*aa", "aaa", true},
	}
	for _, tt := range tests {
		if got := matchPattern(compilePattern(tt.pattern), tt.s); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

// StringMatches used to backtrack: *a*a*a*a*a*b against 100 a's took
// 5.5 s. Doubling the input must not more than double the work.
func TestMatchPatternLinear(t *testing.T) {
	parts := compilePattern("*a*a*a*a*a*b")
	steps := func(n int) int {
		var c int
		if matchPatternSteps(parts, strings.Repeat("a", n), &c) {
			t.Fatalf("%d a's matched a pattern ending in b", n)
		}
		return c
	}
	small, big := steps(1000), steps(2000)
	if float64(big) > 2.1*float64(small) {
		t.Errorf("1,000 a's: %d steps, 2,000: %d; the work grows faster than the input", small, big)
	}
	// A worst case for leftmost search: every literal almost matches.
	parts = compilePattern("*aaaab*aaaab*")
	var c1, c2 int
	matchPatternSteps(parts, strings.Repeat("a", 10000), &c1)
	matchPatternSteps(parts, strings.Repeat("a", 20000), &c2)
	if float64(c2) > 2.1*float64(c1) {
		t.Errorf("near misses: %d steps, then %d for twice the input", c1, c2)
	}
}

// BenchmarkStringMatches matches a pattern with many stars that cannot
// match against 100,000 characters (the backtracking matcher took 5.5 s
// for 100).
func BenchmarkStringMatches(b *testing.B) {
	parts := compilePattern("*a*a*a*a*a*b*")
	s := strings.Repeat("a", 100000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		matchPattern(parts, s)
	}
}

func TestCompareStrings(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"a", "b", -1},
		{"b", "a", 1},
		{"", "", 0},
		{"", "a", -1},
		{"ab", "a", 1},
		{"é", "z", 1},
		// U+1F600 is D83D DE00 in UTF-16, below U+F8FF: Java orders it
		// first, Go's byte order last.
		{"\U0001F600", "\uF8FF", -1},
		{"\uFFFD", "\U00010000", 1},
		{"\U00010000", "\U0001F600", -1},
		{"x\U0001F600", "x\uE000", -1},
	}
	for _, tt := range tests {
		if got := compareStrings(tt.a, tt.b); got != tt.want {
			t.Errorf("compareStrings(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// FuzzMatchPattern checks the matcher against a regular expression built
// from the same pattern (Go's regexp is linear-time too, but slower).
func FuzzMatchPattern(f *testing.F) {
	f.Add("log-*.txt", "log-2024.txt")
	f.Add(`a\*b*`, "a*bc")
	f.Add("*a*a*b", "aaab")
	f.Add(`\\*\\`, `\x\`)
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			t.Skip("JSON strings are UTF-8")
		}
		parts := compilePattern(pattern)
		var re strings.Builder
		re.WriteString(`(?s)\A`)
		for _, p := range parts {
			if p.star {
				re.WriteString(".*")
			} else {
				re.WriteString(regexp.QuoteMeta(p.lit))
			}
		}
		re.WriteString(`\z`)
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := matchPattern(parts, s); got != want {
			t.Errorf("%q matches %q = %v, the regular expression %s says %v", pattern, s, got, re.String(), want)
		}
	})
}

// FuzzCompareStrings checks the order against UTF-16 code units compared
// one by one, as Java's String.compareTo does.
func FuzzCompareStrings(f *testing.F) {
	f.Add("\U0001F600", "\uF8FF")
	f.Add("abc", "abd")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			t.Skip("JSON strings are UTF-8")
		}
		want := slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
		if got := compareStrings(a, b); got != want {
			t.Errorf("compareStrings(%q, %q) = %d, UTF-16 order says %d", a, b, got, want)
		}
	})
}
