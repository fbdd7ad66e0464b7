package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

// envRunAsHSC makes the test binary act as hsc itself (see hscProcess):
// tests that need a real process (a real standard output, signals) run
// it with the hsc arguments after "--".
const envRunAsHSC = "HSC_TEST_RUN_AS_HSC"

// envPeakRSSFile makes the test binary a launcher that runs the command
// after "--" and writes that command's peak resident size to the named
// file (see peakRSS).
const envPeakRSSFile = "HSC_TEST_PEAK_RSS_FILE"

func TestMain(m *testing.M) {
	args := os.Args[1:]
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	if f := os.Getenv(envPeakRSSFile); f != "" {
		os.Exit(launchAndMeasure(f, args))
	}
	if os.Getenv(envRunAsHSC) == "1" {
		os.Exit(run(args, os.Stdin, os.Stdout, os.Stderr))
	}
	// hsc serve's default data directory (and its lock) must not be the
	// user's, nor shared with other test runs: every hsc this test binary
	// starts inherits a fresh XDG_STATE_HOME.
	state, err := os.MkdirTemp("", "hsc-test-state-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("XDG_STATE_HOME", state)
	code := testenv.Run(m)
	os.RemoveAll(state)
	os.Exit(code)
}
