package atomicfile_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/hsc-dev/hsc/internal/atomicfile"
	"github.com/hsc-dev/hsc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// leftovers lists the files in dir other than want (temporary files that
// a failed write left behind).
func leftovers(t *testing.T, dir string, want ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, e := range entries {
		keep := false
		for _, w := range want {
			keep = keep || e.Name() == w
		}
		if !keep {
			extra = append(extra, e.Name())
		}
	}
	return extra
}

// mountTmpfs mounts a tmpfs of size bytes on a new folder (tests run as
// root in CI); skipped loudly where mounting is not permitted.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		testenv.Skip(t, "a full disk is simulated with a Linux tmpfs mount")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		testenv.Skip(t, "cannot mount a tmpfs to simulate a full disk (needs root): "+strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// On a full disk the write fails, the previous good file is intact and no
// temporary file is left (issue 10 item 12: os.WriteFile truncated it).
func TestFullDiskKeepsPreviousFile(t *testing.T) {
	dir := mountTmpfs(t, "64k")
	path := filepath.Join(dir, "out.json")
	good := []byte(`{"good": true}`)
	if err := atomicfile.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 1<<20)
	err := atomicfile.WriteFile(path, big, 0o644)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("writing 1 MiB to a 64 KiB tmpfs: got %v, want ENOSPC", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
	got, rerr := os.ReadFile(path)
	if rerr != nil || !bytes.Equal(got, good) {
		t.Fatalf("previous file after a failed write: %q, %v; want %q", got, rerr, good)
	}
	if extra := leftovers(t, dir, "out.json"); len(extra) > 0 {
		t.Errorf("left behind: %v", extra)
	}
}

// os.WriteFile, what hsc used before, truncates the good file on a full
// disk: this is the failure the package exists to avoid (a control for
// the test above, so it cannot pass on a disk that is not full).
func TestFullDiskTruncatesWithPlainWrite(t *testing.T) {
	dir := mountTmpfs(t, "64k")
	path := filepath.Join(dir, "out.json")
	if err := os.WriteFile(path, []byte(`{"good": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), 1<<20), 0o644); err == nil {
		t.Fatal("1 MiB fit on a 64 KiB tmpfs")
	}
	if got, _ := os.ReadFile(path); bytes.Equal(got, []byte(`{"good": true}`)) {
		t.Fatal("os.WriteFile kept the old content: the full-disk test proves nothing")
	}
}

func TestReplaceKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o751); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(path, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o751 {
		t.Errorf("mode after replace: %v, want -rwxr-x--x", fi.Mode())
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("content %q", got)
	}
}

func TestNewFileGetsPermLessUmask(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new")
	if err := atomicfile.WriteFile(path, []byte("x"), 0o666); err != nil {
		t.Fatal(err)
	}
	// The reference: what os.WriteFile gives a new file under this umask.
	ref := filepath.Join(dir, "ref")
	if err := os.WriteFile(ref, []byte("x"), 0o666); err != nil {
		t.Fatal(err)
	}
	a, _ := os.Stat(path)
	b, _ := os.Stat(ref)
	if a.Mode() != b.Mode() {
		t.Errorf("new file mode %v, os.WriteFile gives %v", a.Mode(), b.Mode())
	}
}

// A symbolic link (also a chain of them, relative and absolute) stays a
// link; the file it points to gets the new content.
func TestWritesThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "sub", "real.json")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub/real.json", filepath.Join(dir, "link1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "link1"), filepath.Join(dir, "link2")); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "link2"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"link1", "link2"} {
		fi, err := os.Lstat(filepath.Join(dir, l))
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link: %v %v", l, fi.Mode(), err)
		}
	}
	if got, _ := os.ReadFile(real); string(got) != "new" {
		t.Errorf("target content %q, want new", got)
	}
	if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o640 {
		t.Errorf("target mode %v, want 0640 kept", fi.Mode())
	}
}

// A link to a file that does not exist yet creates that file.
func TestDanglingSymlinkCreatesTarget(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("target", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "link"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "target")); err != nil || string(got) != "x" {
		t.Errorf("target: %q %v", got, err)
	}
}

func TestSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	os.Symlink("b", filepath.Join(dir, "a"))
	os.Symlink("a", filepath.Join(dir, "b"))
	if err := atomicfile.WriteFile(filepath.Join(dir, "a"), []byte("x"), 0o644); err == nil {
		t.Fatal("writing through a symbolic link loop succeeded")
	}
}

// /dev/stdout is written in place, not replaced, even when standard output
// is a regular file (it is then a link to that file under /proc).
func TestDevStdoutIsWrittenInPlace(t *testing.T) {
	if _, err := os.Stat("/dev/stdout"); err != nil {
		t.Skip("no /dev/stdout")
	}
	if os.Getenv("ATOMICFILE_CHILD") == "1" {
		if err := atomicfile.WriteFile("/dev/stdout", []byte("to stdout\n"), 0o644); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(3)
		}
		os.Exit(0)
	}
	out := filepath.Join(t.TempDir(), "stdout.txt")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("before\n")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDevStdoutIsWrittenInPlace$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_CHILD=1")
	cmd.Stdout = f
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v: %s", err, stderr.String())
	}
	got, _ := os.ReadFile(out)
	if string(got) != "before\nto stdout\n" {
		t.Errorf("standard output file holds %q, want the earlier line kept and the new one appended", got)
	}
	if extra := leftovers(t, filepath.Dir(out), "stdout.txt"); len(extra) > 0 {
		t.Errorf("left behind: %v", extra)
	}
}

// Create fails at once for a path that cannot be written, before anything
// is written (issue 10 item 14 relies on this).
func TestCreateFailsEarly(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{
		filepath.Join(dir, "nonexistent", "h.json"),
		dir, // a folder
	} {
		f, err := atomicfile.Create(p, 0o644)
		if err == nil {
			f.Abort()
			t.Errorf("Create(%s) succeeded", p)
		}
	}
}

// Abort leaves the previous file and no temporary file.
func TestAbortKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	os.WriteFile(path, []byte("old"), 0o644)
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half"))
	if err := f.Abort(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("after Abort: %q", got)
	}
	if extra := leftovers(t, dir, "f"); len(extra) > 0 {
		t.Errorf("left behind: %v", extra)
	}
	if err := f.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
}
