package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// historyEvents reads a --history file and returns its event types.
func historyEvents(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var doc struct {
		Events []struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		} `json:"events"`
	}
	if err := json.NewDecoder(f).Decode(&doc); err != nil {
		t.Fatalf("%s is not GetExecutionHistory JSON: %v", file, err)
	}
	types := make([]string, len(doc.Events))
	for i, e := range doc.Events {
		if e.ID != int64(i+1) {
			t.Fatalf("event %d has id %d", i+1, e.ID)
		}
		types[i] = e.Type
	}
	return types
}

// Issue 10.6: --history (and --trace) stream; they keep no event in memory.
// Before, a 10-second loop held 2.6 GB; here 100,006 events (a 25,000-turn
// loop) are written while the process's peak resident size stays small.
func TestRunHistoryStreams(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("Maxrss is in kilobytes on Linux")
	}
	dir := t.TempDir()
	loop, err := filepath.Abs("../../interpreter/testdata/count-loop.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	hist := filepath.Join(dir, "h.json")
	cmd := hscProcess(t.Context(), "run", loop, "--max-events", "0", "--trace", "--history", hist, "--json", `{"i": 0, "n": 25000}`)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = io.Discard
	if err := cmd.Run(); err != nil {
		t.Fatalf("hsc run: %v", err)
	}
	if got := strings.TrimSpace(stdout.String()); got != `{"i":25000,"n":25000}` {
		t.Fatalf("output %s", got)
	}
	types := historyEvents(t, hist)
	if len(types) != 100006 || types[0] != "ExecutionStarted" || types[len(types)-1] != "ExecutionSucceeded" {
		t.Errorf("history has %d events (%s ... %s), want 100006 from ExecutionStarted to ExecutionSucceeded", len(types), types[0], types[len(types)-1])
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no resource usage")
	}
	// The history file is about 30 MB; holding its events took several
	// times that.
	const boundKB = 80 * 1024
	if ru.Maxrss > boundKB {
		t.Errorf("hsc run peaked at %d MB writing the history, more than %d MB", ru.Maxrss/1024, boundKB/1024)
	} else {
		t.Logf("peak resident size %d MB", ru.Maxrss/1024)
	}
}

// Issue 10.6: what was written is kept when the run ends by Ctrl-C; the
// history's last event says the execution was aborted.
func TestRunHistoryKeptOnInterrupt(t *testing.T) {
	dir := t.TempDir()
	wait := writeFile(t, dir, "wait.json", `{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"W"},"W":{"Type":"Wait","Seconds":60,"End":true}}}`)
	hist := filepath.Join(dir, "h.json")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := hscProcess(ctx, "run", wait, "--trace", "--history", hist)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen bytes.Buffer
	buf := make([]byte, 4096)
	for !strings.Contains(seen.String(), "enter W (Wait)") {
		n, err := stderr.Read(buf)
		seen.Write(buf[:n])
		if err != nil {
			t.Fatalf("hsc run did not enter the Wait state: %v: %s", err, seen.String())
		}
	}
	cmd.Process.Signal(os.Interrupt)
	io.Copy(io.Discard, stderr)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitAborted {
		t.Fatalf("Ctrl-C: %v; want exit %d", err, exitAborted)
	}
	types := historyEvents(t, hist)
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "ExecutionAborted"}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		t.Errorf("history after Ctrl-C: %v, want %v", types, want)
	}
}
