package main

// Tests of what every command shares: exit codes, checked output, safe
// writes, the execution input, --version and help (issue 10, items 9,
// 12-14, 16, 18-21).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/internal/sfnlocal"
	"github.com/hsc-dev/hsc/internal/testenv"
)

// hscProcess returns a command running hsc with args in a process of its
// own (the test binary, made to act as hsc by TestMain).
func hscProcess(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), envRunAsHSC+"=1")
	return cmd
}

// startUntil starts hsc with args and reads its standard error until it
// holds want. It returns the process, the rest of its standard error and
// what was read so far.
func startUntil(t *testing.T, ctx context.Context, want string, args ...string) (*exec.Cmd, io.Reader, *bytes.Buffer) {
	t.Helper()
	cmd := hscProcess(ctx, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen bytes.Buffer
	buf := make([]byte, 4096)
	for !strings.Contains(seen.String(), want) {
		n, err := stderr.Read(buf)
		seen.Write(buf[:n])
		if err != nil {
			t.Fatalf("hsc %s: standard error never held %q: %v: %s", strings.Join(args, " "), want, err, seen.String())
		}
	}
	return cmd, stderr, &seen
}

// failingWriter fails every write, as a closed pipe or a full disk does.
type failingWriter struct{ writes int }

func (f *failingWriter) Write(p []byte) (int, error) {
	f.writes++
	return 0, syscall.ENOSPC
}

// Every command checks its output writes: a write error is an exit status
// of 1 and a message, never a silent exit 0 (issue 10 item 13).
func TestOutputWriteErrorIsReported(t *testing.T) {
	dir := t.TempDir()
	def := writeFile(t, dir, "p.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	warn := writeFile(t, dir, "w.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true},"B":{"Type":"Pass","End":true}}}`)
	hsd := writeFile(t, dir, "p.hsd", "Pass()\n")
	for _, args := range [][]string{
		{"run", def},
		{"check", warn},
		{"compile", hsd},
		{"version"},
		{"--help"},
	} {
		t.Run(strings.Join(args[:1], " "), func(t *testing.T) {
			var stderr bytes.Buffer
			out := &failingWriter{}
			code := run(args, strings.NewReader(""), out, &stderr)
			if out.writes == 0 {
				t.Fatalf("hsc %v wrote nothing to standard output: the test proves nothing", args)
			}
			if code == 0 || !strings.Contains(stderr.String(), "hsc: writing standard output: no space left on device") {
				t.Errorf("hsc %v with failing standard output: exit %d, stderr %q", args, code, stderr.String())
			}
		})
	}
}

// The reproducer of issue 10 item 13, in a real process: hsc run x > /dev/full.
func TestRunToDevFull(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		testenv.Skip(t, "/dev/full is needed to test writing to a full device: "+err.Error())
	}
	defer full.Close()
	def := writeFile(t, t.TempDir(), "p.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	for _, args := range [][]string{{"run", def}, {"check", def}, {"version"}} {
		cmd := hscProcess(t.Context(), args...)
		cmd.Stdout = full
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if args[0] == "check" {
			// check prints nothing for a valid file: nothing to fail.
			if err != nil {
				t.Errorf("hsc check of a valid file > /dev/full: %v: %s", err, stderr.String())
			}
			continue
		}
		if !errors.As(err, &ee) || ee.ExitCode() != exitFailure || !strings.Contains(stderr.String(), "no space left on device") {
			t.Errorf("hsc %v > /dev/full: %v, stderr %q; want exit 1 and the error", args, err, stderr.String())
		}
	}
}

// --history naming a folder that does not exist fails before the
// execution runs any task (issue 10 item 14).
func TestHistoryPathCheckedBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "task-ran")
	def := writeFile(t, dir, "t.json", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true}}}`)
	code, _, errs := runHSC(t, "", "run", def, "--history", filepath.Join(dir, "nonexistent", "h.json"),
		"--task", "f=touch "+marker+"; echo '{}'")
	if code != exitUsage || !strings.Contains(errs, "--history") || !strings.Contains(errs, "nonexistent") {
		t.Errorf("exit %d, stderr %q; want 2 and the path named", code, errs)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the task ran although the history could not be written")
	}
}

// A history that replaces an existing file keeps its mode, and a run that
// cannot be written (full disk) leaves the previous history intact
// (issue 10 item 12).
func TestHistoryIsWrittenAtomically(t *testing.T) {
	dir := t.TempDir()
	loop := writeFile(t, dir, "loop.json", loopDef)
	hist := filepath.Join(dir, "h.json")
	if err := os.WriteFile(hist, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runHSC(t, "", "run", loop, "--json", `{"i":0,"n":2}`, "--history", hist); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	fi, err := os.Stat(hist)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history mode %v (%v), want 0600 kept", fi.Mode(), err)
	}

	full := mountTmpfs(t, "64k")
	good := filepath.Join(full, "h.json")
	if code, _, errs := runHSC(t, "", "run", loop, "--json", `{"i":0,"n":1}`, "--history", good); code != 0 {
		t.Fatalf("small history on the tmpfs: exit %d: %s", code, errs)
	}
	before, _ := os.ReadFile(good)
	code, _, errs := runHSC(t, "", "run", loop, "--json", `{"i":0,"n":2000}`, "--history", good)
	if code != exitFailure || !strings.Contains(errs, "no space left on device") {
		t.Errorf("history larger than the disk: exit %d, stderr %q", code, errs)
	}
	if after, _ := os.ReadFile(good); !bytes.Equal(after, before) || len(before) == 0 {
		t.Errorf("previous history damaged: %d bytes before, %d after", len(before), len(after))
	}
}

// compile -o on a full disk leaves the previous output as it was
// (issue 10 item 12).
func TestCompileOutputOnFullDisk(t *testing.T) {
	var src strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&src, "Pass()\n    \"\"\"State%d\"\"\"\n", i)
	}
	hsd := writeFile(t, t.TempDir(), "big.hsd", src.String())
	full := mountTmpfs(t, "64k")
	out := filepath.Join(full, "out.sfn")
	if err := os.WriteFile(out, []byte(`{"good":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runHSC(t, "", "compile", hsd, "-o", out)
	if code != exitFailure || !strings.Contains(errs, "no space left on device") {
		t.Errorf("exit %d, stderr %q; want 1 and the error", code, errs)
	}
	if got, _ := os.ReadFile(out); string(got) != `{"good":true}` {
		t.Errorf("previous output replaced by %d bytes", len(got))
	}
	entries, _ := os.ReadDir(full)
	if len(entries) != 1 {
		t.Errorf("files left on the disk: %v", entries)
	}
}

// compile -o /dev/stdout writes to standard output, not a replaced file.
func TestCompileToDevStdout(t *testing.T) {
	if _, err := os.Stat("/dev/stdout"); err != nil {
		t.Skip("no /dev/stdout here")
	}
	hsd := writeFile(t, t.TempDir(), "p.hsd", "Pass()\n")
	cmd := hscProcess(t.Context(), "compile", hsd, "-o", "/dev/stdout", "--compact")
	out, err := cmd.Output()
	if err != nil || string(out) != `{"States":{"Line1":{"Type":"Pass","End":true}},"StartAt":"Line1"}` {
		t.Errorf("compile -o /dev/stdout: %v, %q", err, out)
	}
}

// mountTmpfs mounts a small tmpfs (tests run as root in CI), to fill.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		testenv.Skip(t, "cannot mount a tmpfs to simulate a full disk (needs Linux and root): "+strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// countingReader is an endless stream of zero bytes that counts what was
// read from it: /dev/zero with a meter.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	clear(p)
	c.n += int64(len(p))
	return len(p), nil
}

// Standard input is read up to AWS's 256 KiB input limit plus one byte,
// then refused (issue 10 item 9: `head -c 1.5G /dev/zero | hsc run x
// --input -` read all of it, 3.1 GB).
func TestInputReadAtMostTheLimit(t *testing.T) {
	dir := t.TempDir()
	def := writeFile(t, dir, "p.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	for _, args := range [][]string{
		{"run", def, "--input", "-"},
		{"start", "machine", "--input", "-"}, // refused before any AWS call
	} {
		in := &countingReader{}
		var out, errb bytes.Buffer
		code := run(args, in, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), "larger than AWS's limit") {
			t.Errorf("hsc %v with endless input: exit %d, stderr %q", args, code, errb.String())
		}
		// io.ReadAll's buffer may ask for a little more than it is given:
		// what matters is that reading stopped near the limit.
		if in.n > 2*maxExecutionInput {
			t.Errorf("hsc %v read %d bytes of input; the limit is %d", args, in.n, maxExecutionInput)
		}
	}
	// A file is bounded the same way (/dev/zero never ends).
	if _, err := os.Stat("/dev/zero"); err == nil {
		code, _, errs := runHSC(t, "", "run", def, "--input", "/dev/zero")
		if code != exitUsage || !strings.Contains(errs, "larger than AWS's limit") {
			t.Errorf("--input /dev/zero: exit %d, stderr %q", code, errs)
		}
	}
	big := `{"s":"` + strings.Repeat("x", maxExecutionInput) + `"}`
	if code, _, errs := runHSC(t, "", "run", def, "--json", big); code != exitUsage || !strings.Contains(errs, "larger than AWS's limit") {
		t.Errorf("--json over the limit: exit %d, stderr %q", code, errs)
	}
	atLimit := `{"s":"` + strings.Repeat("x", maxExecutionInput-8) + `"}`
	if code, out, errs := runHSC(t, atLimit, "run", def, "--input", "-"); code != 0 || len(out) != maxExecutionInput+1 {
		t.Errorf("input of exactly the limit: exit %d, %d bytes out, stderr %q", code, len(out), errs)
	}
}

// Invalid UTF-8 in the input is an error with its position, not replaced
// by U+FFFD; a byte order mark is skipped (issue 10 item 21).
func TestInputUTF8AndBOM(t *testing.T) {
	dir := t.TempDir()
	def := writeFile(t, dir, "p.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	bad := writeFile(t, dir, "bad.json", "{\n  \"name\": \"caf\xe9\"\n}")
	code, out, errs := runHSC(t, "", "run", def, "--input", bad)
	if code != exitUsage || !strings.Contains(errs, "line 2, column 15: invalid UTF-8 (byte 0xE9)") {
		t.Errorf("invalid UTF-8 input: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, _, errs = runHSC(t, "", "start", "machine", "--json", "\"\xff\"")
	if code != exitUsage || !strings.Contains(errs, "invalid UTF-8") {
		t.Errorf("start with invalid UTF-8: exit %d, stderr %q", code, errs)
	}

	bom := writeFile(t, dir, "bom.json", "\xEF\xBB\xBF{\"a\": \"é\"}")
	if code, out, errs := runHSC(t, "", "run", def, "--input", bom); code != 0 || out != "{\"a\":\"é\"}\n" {
		t.Errorf("input with a BOM: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, out, errs := runHSC(t, "\xEF\xBB\xBF[1]", "run", def, "--input", "-"); code != 0 || out != "[1]\n" {
		t.Errorf("standard input with a BOM: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// The exit status tells FAILED (1), TIMED_OUT (3) and ABORTED (4) apart
// (issue 10 item 18), and the failure is printed the one way run, start
// and wait share (item 20).
func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	fail := writeFile(t, dir, "fail.json", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Oops","Cause":"it broke"}}}`)
	code, _, errs := runHSC(t, "", "run", fail)
	if code != exitFailure || errs != "hsc: execution FAILED\n  error: Oops\n  cause: it broke\n" {
		t.Errorf("FAILED: exit %d, stderr %q", code, errs)
	}

	slow := writeFile(t, dir, "slow.json", `{"TimeoutSeconds":1,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":30,"End":true}}}`)
	code, _, errs = runHSC(t, "", "run", slow)
	if code != exitTimedOut || !strings.HasPrefix(errs, "hsc: execution TIMED_OUT\n  error: States.Timeout\n") {
		t.Errorf("TIMED_OUT: exit %d, stderr %q", code, errs)
	}

	// Ctrl-C aborts: a real process and a real SIGINT.
	wait := writeFile(t, dir, "wait.json", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd, stderr, seen := startUntil(t, ctx, "enter W (Wait)", "run", wait, "--trace")
	cmd.Process.Signal(os.Interrupt)
	rest, _ := io.ReadAll(stderr)
	seen.Write(rest)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitAborted || !strings.Contains(seen.String(), "hsc: execution ABORTED\n") {
		t.Errorf("Ctrl-C: %v, stderr %q; want exit %d and ABORTED", err, seen.String(), exitAborted)
	}
}

func TestStatusExitCode(t *testing.T) {
	for status, want := range map[string]int{"SUCCEEDED": 0, "FAILED": 1, "TIMED_OUT": 3, "ABORTED": 4, "timed_out": 3} {
		if got := statusExitCode(status); got != want {
			t.Errorf("statusExitCode(%s) = %d, want %d", status, got, want)
		}
	}
}

// hsc --version and hsc version print the module version and the commit
// (issue 10 item 16).
func TestVersion(t *testing.T) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information in the test binary")
	}
	_, a, _ := runHSC(t, "", "version")
	_, b, _ := runHSC(t, "", "--version")
	if a != b || !strings.HasPrefix(a, "hsc "+info.Main.Version+", ") || !strings.Contains(a, info.GoVersion) {
		t.Errorf("version %q, --version %q; want both to start with hsc %s", a, b, info.Main.Version)
	}
	got := formatVersion(&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-11-29T20:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}, true)
	if !strings.HasPrefix(got, "hsc v1.2.3, commit abc123 of 2026-11-29T20:00:00Z, with uncommitted changes, go1.26.8 ") {
		t.Errorf("formatVersion: %q", got)
	}
}

// A binary built from a git checkout names its commit. The build is made
// in a fresh clone of HEAD: go build stamps no VCS information in a linked
// git worktree (where .git is a file), which is how hsc is developed here.
func TestVersionOfBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hsc")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		testenv.Skip(t, "this test needs git and a git checkout: "+err.Error())
	}
	rev := strings.TrimSpace(string(head))
	clone := t.TempDir()
	for _, c := range [][]string{
		{"git", "clone", "-q", "--no-checkout", "../..", clone},
		{"git", "-C", clone, "checkout", "-q", rev},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v: %s", c, err, out)
		}
	}
	bin := filepath.Join(t.TempDir(), "hsc")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/hsc")
	build.Dir = clone
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true", "GOPROXY=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.Contains(string(out), "commit "+rev+" of ") {
		t.Errorf("hsc --version: %v, %q; want commit %s", err, out, rev)
	}
	if out2, _ := exec.Command(bin, "version").Output(); string(out2) != string(out) {
		t.Errorf("hsc version %q differs from hsc --version %q", out2, out)
	}
}

// Help lists only the global flags a command uses; conflicting flags are
// usage errors (issue 10 item 19).
func TestHelpAndFlagConflicts(t *testing.T) {
	tests := []struct {
		args          []string
		want, notWant []string
	}{
		{[]string{"compile", "--help"}, []string{"--region", "--account-id", "--credentials"}, []string{"--profile", "--endpoint-url", "--secret-key", "--access-key"}},
		{[]string{"run", "--help"}, []string{"--region", "--account-id", "TIMED_OUT"}, []string{"--profile", "--endpoint-url", "--credentials"}},
		{[]string{"check", "--help"}, []string{"--region"}, []string{"--profile", "--endpoint-url"}},
		{[]string{"version", "--help"}, nil, []string{"--region", "--profile"}},
		{[]string{"create", "--help"}, []string{"--profile", "--endpoint-url", "--region", "-n, --name", "--no-wait in start"}, nil},
		{[]string{"start", "--help"}, []string{"-n, --no-wait", "in create, -n is --name"}, nil},
		{[]string{"--help"}, []string{"Exit status:", "3  the execution timed out", "--profile"}, nil},
	}
	for _, tt := range tests {
		code, out, errs := runHSC(t, "", tt.args...)
		if code != 0 {
			t.Errorf("hsc %v: exit %d: %s", tt.args, code, errs)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("hsc %v lacks %q", tt.args, w)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(out, w) {
				t.Errorf("hsc %v lists %q, which it never uses", tt.args, w)
			}
		}
	}
	// Hiding is per help call: a later command's help still lists them.
	if _, out, _ := runHSC(t, "", "create", "--help"); !strings.Contains(out, "--profile") {
		t.Error("create --help lost --profile")
	}
	hsd := writeFile(t, t.TempDir(), "p.hsd", "Pass()\n")
	for _, args := range [][]string{
		{"compile", hsd, "--indent", "3", "--compact"},
		{"compile", hsd, "--indent", "-1"},
	} {
		if code, _, errs := runHSC(t, "", args...); code != exitUsage {
			t.Errorf("hsc %v: exit %d, stderr %q; want 2", args, code, errs)
		}
	}
}

// A UTF-8 byte order mark at the start of a definition is skipped by every
// command that reads one (issue 10 item 21).
func TestDefinitionBOMIsSkipped(t *testing.T) {
	dir := t.TempDir()
	hsd := writeFile(t, dir, "b.hsd", "\xEF\xBB\xBFPass()\n    \"\"\"A\"\"\"\n")
	js := writeFile(t, dir, "b.json", "\xEF\xBB\xBF"+`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}}`)
	for _, args := range [][]string{
		{"compile", hsd, "--compact"},
		{"check", hsd},
		{"check", js},
		{"run", hsd},
		{"run", js},
	} {
		if code, out, errs := runHSC(t, "", args...); code != 0 || strings.Contains(out, "\xEF\xBB\xBF") {
			t.Errorf("hsc %v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	jsonDef := "\xEF\xBB\xBF" + `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`
	for _, c := range []struct {
		stdin string
		args  []string
	}{
		{"\xEF\xBB\xBFPass()\n", []string{"compile", "-", "--compact"}},
		{jsonDef, []string{"check", "-"}},
		{jsonDef, []string{"run", "-", "--json", "[2]"}},
	} {
		if code, out, errs := runHSC(t, c.stdin, c.args...); code != 0 || strings.Contains(out, "\xEF\xBB\xBF") {
			t.Errorf("hsc %v with a BOM on standard input: exit %d, stdout %q, stderr %q", c.args, code, out, errs)
		}
	}
	t.Run("create", func(t *testing.T) {
		name := sfnlocal.Name(t, "bom")
		code, _, errs := local(t, "", "create", "--name", name, js, sfnlocal.RoleARN)
		if code != 0 {
			t.Fatalf("create from a file with a BOM: exit %d: %s", code, errs)
		}
		t.Cleanup(func() { local(t, "", "delete", name) })
		if out := mustLocal(t, "", "start", "--period", "20ms", name); out != "1\n" {
			t.Errorf("machine created from a file with a BOM gave %q", out)
		}
	})
}

// compile -o is checked before compiling: a folder that does not exist is
// a usage error even for a program with compile errors (issue 10 item 14).
func TestCompileOutputCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.hsd", "Pass()\n    retry [] 1 1 1.0\n")
	code, _, errs := runHSC(t, "", "compile", bad, "-o", filepath.Join(dir, "nonexistent", "out.sfn"))
	if code != exitUsage || !strings.Contains(errs, "-o: ") || strings.Contains(errs, "Retry") {
		t.Errorf("exit %d, stderr %q; want 2 and no compile error", code, errs)
	}
}

// The README's reference names every command (issue 10 item 15).
func TestReadmeListsEveryCommand(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	root := newRootCmd(strings.NewReader(""), io.Discard, io.Discard)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			continue
		}
		if !bytes.Contains(data, []byte("`hsc "+c.Name())) && !bytes.Contains(data, []byte("`"+c.Name()+"`")) {
			t.Errorf("README.md does not mention hsc %s", c.Name())
		}
	}
}
