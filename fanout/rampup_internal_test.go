package fanout

import (
	"fmt"
	"testing"
	"time"
)

// The ramp-up delay shrinks by the backoff factor after each launch:
// in whole seconds when it started at a second or more (heaviside's
// int(delay * backoff)), else in milliseconds.
func TestRampupShrink(t *testing.T) {
	tests := []struct {
		start   time.Duration
		backoff float64
		want    string // the delays in seconds until zero
	}{
		{15 * time.Second, 0.8, "[15 12 9 7 5 4 3 2 1]"},
		{3 * time.Second, 0.5, "[3 1]"},
		{200 * time.Millisecond, 0.5, "[0.2 0.1 0.05 0.025 0.012 0.006 0.003 0.001]"},
		{time.Second, 0, "[1]"},
		{10 * time.Second, 1, ""}, // never shrinks
	}
	for _, tc := range tests {
		cfg := DefaultConfig()
		cfg.RampupDelay, cfg.RampupBackoff = tc.start, tc.backoff
		s, err := NewState("m", []int{}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var seq []float64
		for d := s.RampupDelay; d > 0 && len(seq) < 50; d = s.shrink(d) {
			seq = append(seq, d)
		}
		got := fmt.Sprint(seq)
		if tc.want == "" {
			if len(seq) != 50 || seq[49] != tc.start.Seconds() {
				t.Errorf("%v × %v: %v, want a constant delay", tc.start, tc.backoff, seq[:3])
			}
			continue
		}
		if got != tc.want {
			t.Errorf("%v × %v: %s, want %s", tc.start, tc.backoff, got, tc.want)
		}
	}
}
