package testenv

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Ext4 is a small ext4 file system in an image file, mounted through a
// loop device with errors=remount-ro, that a test can make read-only
// while files on it are open for writing ([Ext4.Fail]), the way a disk
// with I/O errors turns read-only under a running program. (A tmpfs
// cannot: `mount -o remount,ro` is refused with EBUSY while a file is
// open for writing.)
type Ext4 struct {
	// Dir is the mount point.
	Dir   string
	t     testing.TB
	image string
	dev   string            // the loop device's name, such as loop3
	progs map[string]string // program name → path
}

// MountExt4 makes an ext4 file system of size bytes and mounts it on a
// new folder; the test's cleanup unmounts it and releases the loop
// device, also when the test fails. Where mkfs.ext4 or e2fsck is
// missing, or mounting is not permitted (not Linux, not root, no loop
// devices), the test is skipped loudly ([Skip]). Under CI=true it fails
// then, unless .ci/run found that the machine cannot mount ext4 on a loop
// device and said so in HSC_CI_NO_EXT4 (the skip is then counted and
// printed, not failed).
func MountExt4(t testing.TB, size int64) *Ext4 {
	t.Helper()
	if runtime.GOOS != "linux" {
		skipExt4(t, "a file system turning read-only is simulated with an ext4 image on a Linux loop device")
	}
	base := t.TempDir()
	f := &Ext4{Dir: filepath.Join(base, "mnt"), t: t, image: filepath.Join(base, "ext4.img"), progs: map[string]string{}}
	for _, prog := range []string{"mkfs.ext4", "e2fsck", "mount", "umount", "losetup", "findmnt"} {
		path, err := exec.LookPath(prog)
		for _, dir := range []string{"/usr/sbin", "/sbin"} { // not in every user's PATH
			if err != nil {
				path, err = exec.LookPath(filepath.Join(dir, prog))
			}
		}
		if err != nil {
			skipExt4(t, prog+" is missing (Debian: apt-get install e2fsprogs mount util-linux): it simulates a file system turning read-only")
		}
		f.progs[prog] = path
	}
	if err := os.Mkdir(f.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.image, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(f.image, size); err != nil {
		t.Fatal(err)
	}
	if out, err := f.cmd("mkfs.ext4", "-q", "-F", f.image).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v: %s", err, out)
	}
	if out, err := f.mount(); err != nil {
		skipExt4(t, "cannot mount an ext4 image on a loop device to simulate a file system turning read-only (needs Linux, root and loop devices): "+out)
	}
	t.Cleanup(f.cleanup)
	if _, err := os.Stat(f.trigger()); err != nil {
		skipExt4(t, "the kernel has no "+f.trigger()+" to make a file system read-only on demand")
	}
	return f
}

func (f *Ext4) mount() (string, error) {
	out, err := f.cmd("mount", "-t", "ext4", "-o", "loop,errors=remount-ro", f.image, f.Dir).CombinedOutput()
	if err != nil {
		return strings.TrimSpace(string(out)), err
	}
	src, err := f.cmd("findmnt", "-n", "-o", "SOURCE", f.Dir).Output()
	if err != nil {
		return "findmnt: " + err.Error(), err
	}
	f.dev = filepath.Base(strings.TrimSpace(string(src)))
	return "", nil
}

func (f *Ext4) trigger() string { return "/sys/fs/ext4/" + f.dev + "/trigger_fs_error" }

// Fail reports an error on the file system, as the kernel does on an I/O
// error: with errors=remount-ro it turns read-only at once (writes fail
// with EROFS), open files or not. What was written but not yet on disk
// (not fsynced) is lost, as in a power loss; so may be the data of an
// fsync that was under way as the error came, though the call succeeds
// (seen on Linux 6.18 with fdatasync: the journal is aborted under it).
func (f *Ext4) Fail() {
	f.t.Helper()
	if err := os.WriteFile(f.trigger(), []byte("1"), 0); err != nil {
		f.t.Fatalf("making %s read-only: %v", f.Dir, err)
	}
	if !f.ReadOnly() {
		f.t.Fatalf("%s is still writable after a file system error", f.Dir)
	}
}

// ReadOnly reports whether the file system is mounted read-only.
func (f *Ext4) ReadOnly() bool {
	out, err := f.cmd("findmnt", "-n", "-o", "OPTIONS", f.Dir).Output()
	if err != nil {
		return false
	}
	opts := strings.Split(strings.TrimSpace(string(out)), ",")
	for _, o := range opts {
		if o == "ro" || o == "emergency_ro" {
			return true
		}
	}
	return false
}

// Repair unmounts the file system, checks and repairs it with e2fsck -fy
// and mounts it again, writable: what an administrator does after the
// fault. Every file on it must be closed.
func (f *Ext4) Repair() {
	f.t.Helper()
	if out, err := f.cmd("umount", f.Dir).CombinedOutput(); err != nil {
		f.t.Fatalf("umount %s: %v: %s", f.Dir, err, out)
	}
	f.waitDetached()
	out, err := f.cmd("e2fsck", "-fy", f.image).CombinedOutput()
	var ee *exec.ExitError
	// 0: clean; 1: errors corrected.
	if err != nil && (!errors.As(err, &ee) || ee.ExitCode() > 1) {
		f.t.Fatalf("e2fsck -fy %s: %v: %s", f.image, err, out)
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	f.t.Logf("e2fsck -fy: exit %d: %s", exitCode(err), lines[len(lines)-1])
	if out, err := f.mount(); err != nil {
		f.t.Fatalf("mounting %s again: %v: %s", f.Dir, err, out)
	}
}

// waitDetached waits (briefly) for the loop device of the image to be
// released after umount (mount -o loop sets it to clear itself).
func (f *Ext4) waitDetached() {
	for range 50 {
		if len(f.loops()) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// loops lists the loop devices attached to the image.
func (f *Ext4) loops() []string {
	out, err := f.cmd("losetup", "-n", "-O", "NAME", "-j", f.image).Output()
	if err != nil {
		return nil
	}
	return strings.Fields(string(out))
}

// cleanup unmounts (lazily if something still holds a file open) and
// detaches the loop device.
func (f *Ext4) cleanup() {
	if f.cmd("findmnt", f.Dir).Run() == nil {
		if out, err := f.cmd("umount", f.Dir).CombinedOutput(); err != nil {
			f.t.Logf("umount %s: %v: %s; unmounting lazily", f.Dir, err, out)
			if out, err := f.cmd("umount", "-l", f.Dir).CombinedOutput(); err != nil {
				f.t.Errorf("umount -l %s: %v: %s", f.Dir, err, out)
			}
		}
	}
	f.waitDetached()
	for _, dev := range f.loops() {
		if out, err := f.cmd("losetup", "-d", dev).CombinedOutput(); err != nil {
			f.t.Errorf("losetup -d %s: %v: %s", dev, err, out)
		}
	}
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return 0
}

// cmd is exec.Command for one of the programs MountExt4 found.
func (f *Ext4) cmd(prog string, args ...string) *exec.Cmd {
	return exec.Command(f.progs[prog], args...)
}

// skipExt4 is [Skip], except that a CI machine that .ci/run found unable
// to mount ext4 on a loop device (HSC_CI_NO_EXT4) skips instead of failing.
func skipExt4(t testing.TB, reason string) {
	t.Helper()
	if waived := os.Getenv("HSC_CI_NO_EXT4"); waived != "" && CI() {
		reason += " (CI: " + waived + ")"
		tally.Lock()
		tally.reasons[reason] = append(tally.reasons[reason], t.Name())
		tally.Unlock()
		t.Skip("SKIPPED: " + reason)
	}
	Skip(t, reason)
}
