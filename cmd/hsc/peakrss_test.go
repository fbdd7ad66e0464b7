//go:build linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// peakRSS runs cmd and returns its peak resident size in kilobytes.
//
// A child's peak resident size (ru_maxrss) starts from its parent's at the
// moment it is started (Go starts processes with vfork semantics and the
// kernel keeps the high-water mark across exec), so measured straight from
// the test process it counts whatever the test process had grown to. The
// command is therefore started by a launcher, a fresh, small process (this
// test binary in launcher mode), which reports the command's figure.
func peakRSS(t *testing.T, cmd *exec.Cmd) (kb int64, err error) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "peak")
	launcher := exec.CommandContext(t.Context(), os.Args[0], append([]string{"-test.run=^$", "--", cmd.Path}, cmd.Args[1:]...)...)
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	launcher.Env = append(slices.Clone(env), envPeakRSSFile+"="+out)
	launcher.Stdin, launcher.Stdout, launcher.Stderr = cmd.Stdin, cmd.Stdout, cmd.Stderr
	err = launcher.Run()
	b, rerr := os.ReadFile(out)
	if rerr != nil {
		t.Fatalf("the launcher did not report a peak resident size: %v (run: %v)", rerr, err)
	}
	kb, perr := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if perr != nil {
		t.Fatalf("launcher report %q: %v", b, perr)
	}
	return kb, err
}

// launchAndMeasure is the launcher: it runs args (without the variable
// that made it a launcher), writes the command's peak resident size in
// kilobytes to file, and exits with the command's status.
func launchAndMeasure(file string, args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPeakRSSFile+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		os.Stderr.WriteString("launcher: " + err.Error() + "\n")
		return 125
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 125
	}
	if werr := os.WriteFile(file, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o644); werr != nil {
		return 125
	}
	return cmd.ProcessState.ExitCode()
}
