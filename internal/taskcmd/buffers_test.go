package taskcmd

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// The stderr buffer keeps exactly the first stderrHead and the last
// stderrTail bytes, whatever the sizes of the writes.
func TestStderrBuffer(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, total := range []int{0, 10, stderrHead, stderrHead + 1, stderrHead + stderrTail, stderrHead + stderrTail + 1, 300000, 1 << 20} {
		all := make([]byte, total)
		for i := range all {
			all[i] = byte('a' + rng.IntN(26))
		}
		var b stderrBuffer
		for rest := all; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(70000))
			b.write(rest[:n])
			rest = rest[n:]
		}
		whole, complete := b.complete()
		if complete != (total <= stderrHead+stderrTail) {
			t.Errorf("%d bytes: complete %v", total, complete)
		}
		if complete && !bytes.Equal(whole, all) {
			t.Errorf("%d bytes: complete text differs", total)
		}
		wantTail := all[min(len(all), stderrHead):]
		wantTail = wantTail[max(0, len(wantTail)-stderrTail):]
		if !bytes.Equal(b.tail(), wantTail) {
			t.Errorf("%d bytes: tail differs", total)
		}
		if !complete {
			s := b.String()
			if !strings.HasPrefix(s, string(all[:stderrHead])) || !strings.HasSuffix(s, string(all[total-stderrTail:])) ||
				!strings.Contains(s, "bytes of standard error left out") {
				t.Errorf("%d bytes: String() is not head, note, tail", total)
			}
		}
	}
}

// Cut parts start and end at whole characters.
func TestStderrBufferUTF8(t *testing.T) {
	var b stderrBuffer
	b.write([]byte(strings.Repeat("é", 100000))) // 200,000 bytes, cut mid-character
	b.write([]byte("x"))                         // the tail now starts inside an é
	s := b.String()
	if !utf8.ValidString(s) {
		t.Errorf("String() is not valid UTF-8")
	}
}

func TestOutputBuffer(t *testing.T) {
	tests := []struct {
		name     string
		writes   []string
		want     string
		overflow bool
	}{
		{"small", []string{"ab", "cd"}, "abcd", false},
		{"leading white space is dropped", []string{"  \n", "\t{}"}, "{}", false},
		{"exactly the limit", []string{strings.Repeat("x", MaxOutputBytes)}, strings.Repeat("x", MaxOutputBytes), false},
		{"white space after the limit", []string{strings.Repeat("x", MaxOutputBytes), "\n \r\n"}, strings.Repeat("x", MaxOutputBytes), false},
		{"one byte over", []string{strings.Repeat("x", MaxOutputBytes), "y"}, strings.Repeat("x", MaxOutputBytes), true},
		{"white space then a byte over", []string{strings.Repeat("x", MaxOutputBytes-1), "  ", "y"}, strings.Repeat("x", MaxOutputBytes-1) + " ", true},
	}
	for _, tc := range tests {
		var b outputBuffer
		for _, w := range tc.writes {
			b.write([]byte(w))
		}
		if string(b.buf) != tc.want || b.overflow != tc.overflow {
			t.Errorf("%s: %d bytes, overflow %v; want %d bytes, %v", tc.name, len(b.buf), b.overflow, len(tc.want), tc.overflow)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"éé", 1, "é"},   // é is one UTF-16 unit (two UTF-8 bytes)
		{"a😀", 2, "a"},   // 😀 is two UTF-16 units
		{"a😀b", 3, "a😀"}, //
		{"", 0, ""},
	}
	for _, tc := range tests {
		if got := Truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
	long := "START" + strings.Repeat("é😀", 30000) + "END"
	got := TruncateMiddle(long, MaxCauseChars)
	if n := utf16Len(got); n > MaxCauseChars || n < MaxCauseChars-2 || !strings.HasPrefix(got, "START") || !strings.HasSuffix(got, "END") || !utf8.ValidString(got) {
		t.Errorf("TruncateMiddle: %d units, %.20q...%.20q", n, got, got[len(got)-20:])
	}
	if got := TruncateMiddle("short", 10); got != "short" {
		t.Errorf("TruncateMiddle of a short string: %q", got)
	}
}
