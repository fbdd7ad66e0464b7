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
	"strings"
	"testing"
	"time"
)

// historyEvents reads a --history file, checks that event ids count up
// from 1, and returns the number of events and the types of the first and
// last few. It decodes one event at a time: the file may be large, and the
// test process's own size must stay small (a child's peak resident size,
// which other tests measure, counts its parent's pages at fork time).
func historyEvents(t *testing.T, file string) (n int, first, last []string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	for _, want := range []any{json.Delim('{'), "events", json.Delim('[')} {
		if tok, err := dec.Token(); err != nil || tok != want {
			t.Fatalf("%s is not GetExecutionHistory JSON: %v %v", file, tok, err)
		}
	}
	for dec.More() {
		var e struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		}
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("%s: event %d: %v", file, n+1, err)
		}
		n++
		if e.ID != int64(n) {
			t.Fatalf("event %d has id %d", n, e.ID)
		}
		if len(first) < 5 {
			first = append(first, e.Type)
		}
		last = append(last, e.Type)
		if len(last) > 5 {
			last = last[1:]
		}
	}
	for _, want := range []any{json.Delim(']'), json.Delim('}')} {
		if tok, err := dec.Token(); err != nil || tok != want {
			t.Fatalf("%s: bad end of the document: %v %v", file, tok, err)
		}
	}
	return n, first, last
}

// Issue 10.6: --history (and --trace) stream; they keep no event in memory.
// Before, a 10-second loop held 2.6 GB; here 100,006 events (a 25,000-turn
// loop) are written while the process's peak resident size stays small.
func TestRunHistoryStreams(t *testing.T) {
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
	peakKB, err := peakRSS(t, cmd)
	if err != nil {
		t.Fatalf("hsc run: %v", err)
	}
	if got := strings.TrimSpace(stdout.String()); got != `{"i":25000,"n":25000}` {
		t.Fatalf("output %s", got)
	}
	n, first, last := historyEvents(t, hist)
	if n != 100006 || first[0] != "ExecutionStarted" || last[len(last)-1] != "ExecutionSucceeded" {
		t.Errorf("history has %d events (%v ... %v), want 100006 from ExecutionStarted to ExecutionSucceeded", n, first, last)
	}
	// The history file is about 30 MB; holding its events took 174 MB.
	const boundKB = 64 * 1024
	if peakKB > boundKB {
		t.Errorf("hsc run peaked at %d MB writing the history, more than %d MB", peakKB/1024, boundKB/1024)
	} else {
		t.Logf("peak resident size %d MB", peakKB/1024)
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
	cmd, stderr, _ := startUntil(t, ctx, "enter W (Wait)", "run", wait, "--trace", "--history", hist)
	cmd.Process.Signal(os.Interrupt)
	io.Copy(io.Discard, stderr)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitAborted {
		t.Fatalf("Ctrl-C: %v; want exit %d", err, exitAborted)
	}
	_, types, _ := historyEvents(t, hist)
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "ExecutionAborted"}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		t.Errorf("history after Ctrl-C: %v, want %v", types, want)
	}
}
