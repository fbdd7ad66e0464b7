package main

import (
	"os"
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

// envRunAsHSC makes the test binary act as hsc itself (see hscProcess):
// tests that need a real process (a real standard output, signals) run
// it with the hsc arguments after "--".
const envRunAsHSC = "HSC_TEST_RUN_AS_HSC"

func TestMain(m *testing.M) {
	if os.Getenv(envRunAsHSC) == "1" {
		args := os.Args[1:]
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		os.Exit(run(args, os.Stdin, os.Stdout, os.Stderr))
	}
	testenv.Main(m)
}
