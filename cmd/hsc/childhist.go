package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hsc-dev/hsc/interpreter"
)

// childHistories writes, for --child-histories DIR, the history of each
// STANDARD child execution of a distributed Map to DIR/NAME.json (NAME is
// the child execution's name), in the format of --history. AWS keeps a
// child's history as that of an execution of its own (GetExecutionHistory
// on the child's ARN), not in the parent's; EXPRESS children keep none.
//
// A child's events are gathered in a small buffer and appended to
// DIR/.NAME.json.part when it fills, so that neither memory nor open files
// grow with the number of children running at once; the file is renamed
// to NAME.json when the child's last event (ExecutionSucceeded, -Failed,
// -TimedOut or -Aborted) has been written.
type childHistories struct {
	dir string
	mu  sync.Mutex
	err error // the first write error
	n   int   // files written
}

// childFlushBytes is the most a child's history holds in memory.
const childFlushBytes = 64 << 10

// newChildHistories checks DIR (creating it when missing) before the run.
func newChildHistories(dir string) (*childHistories, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usageError{fmt.Errorf("--child-histories: %w", err)}
	}
	probe, err := os.CreateTemp(dir, ".hsc-probe-*")
	if err != nil {
		return nil, usageError{fmt.Errorf("--child-histories: %w", err)}
	}
	probe.Close()
	os.Remove(probe.Name())
	return &childHistories{dir: dir}, nil
}

func (c *childHistories) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
}

// result returns the first write error and the number of files written.
func (c *childHistories) result() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, c.err
}

// hook returns the event function of one child (nil for an EXPRESS one).
func (c *childHistories) hook(run interpreter.MapRunInfo, child interpreter.ChildExecution) func(interpreter.Event) {
	if run.ExecutionType != "STANDARD" {
		return nil
	}
	final := filepath.Join(c.dir, child.Name+".json")
	part := filepath.Join(c.dir, "."+child.Name+".json.part")
	w := &childHistory{c: c, final: final, part: part}
	w.buf.WriteString("{\n  \"events\": [")
	return w.add
}

// childHistory is one child's history being written.
type childHistory struct {
	c           *childHistories
	final, part string
	buf         bytes.Buffer
	n           int
	started     bool // the part file exists
	failed      bool
}

func (h *childHistory) add(e interpreter.Event) {
	if h.failed {
		return
	}
	b, err := json.MarshalIndent(e, "    ", "  ")
	if err != nil {
		h.abort(err)
		return
	}
	if h.n == 0 {
		h.buf.WriteString("\n    ")
	} else {
		h.buf.WriteString(",\n    ")
	}
	h.n++
	h.buf.Write(b)
	switch e.Type {
	case "ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted":
		h.buf.WriteString("\n  ]\n}\n")
		if err := h.flush(); err != nil {
			h.abort(err)
			return
		}
		if err := os.Rename(h.part, h.final); err != nil {
			h.abort(err)
			return
		}
		h.c.mu.Lock()
		h.c.n++
		h.c.mu.Unlock()
		return
	}
	if h.buf.Len() >= childFlushBytes {
		if err := h.flush(); err != nil {
			h.abort(err)
		}
	}
}

// flush appends the buffer to the part file (created on the first flush).
func (h *childHistory) flush() error {
	flags := os.O_WRONLY | os.O_APPEND
	if !h.started {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(h.part, flags, 0o644)
	if err != nil {
		return err
	}
	h.started = true
	_, err = f.Write(h.buf.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	h.buf.Reset()
	return err
}

func (h *childHistory) abort(err error) {
	h.failed = true
	h.buf = bytes.Buffer{}
	if h.started {
		os.Remove(h.part)
	}
	h.c.fail(fmt.Errorf("the history of child execution %s: %w", strings.TrimSuffix(filepath.Base(h.final), ".json"), err))
}
