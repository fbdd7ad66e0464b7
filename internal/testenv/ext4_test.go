package testenv_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

// MountExt4's file system turns read-only under a file open for writing
// (EROFS), what was synced before is there after Repair, it is writable
// again, and the test's end leaves no mount and no loop device behind.
func TestMountExt4(t *testing.T) {
	var dir, image string
	t.Run("fault", func(t *testing.T) {
		fs := testenv.MountExt4(t, 16<<20)
		dir, image = fs.Dir, filepath.Join(filepath.Dir(fs.Dir), "ext4.img")
		path := filepath.Join(fs.Dir, "f")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString("synced"); err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		fs.Fail()
		if _, err := f.WriteString(" more"); !errors.Is(err, syscall.EROFS) {
			t.Errorf("write to an open file after Fail: %v, want EROFS", err)
		}
		f.Close()
		fs.Repair()
		if got, err := os.ReadFile(path); err != nil || string(got) != "synced" {
			t.Errorf("after Repair: %q, %v", got, err)
		}
		if err := os.WriteFile(path, []byte("again"), 0o600); err != nil || fs.ReadOnly() {
			t.Errorf("writing after Repair: %v (read-only: %v)", err, fs.ReadOnly())
		}
	})
	if dir == "" {
		return // skipped
	}
	if mounts, err := os.ReadFile("/proc/self/mounts"); err != nil || strings.Contains(string(mounts), dir) {
		t.Errorf("%s is still mounted (%v)", dir, err)
	}
	if out, err := exec.Command("losetup", "-a").Output(); err != nil || strings.Contains(string(out), image) {
		t.Errorf("a loop device is still attached to %s (%v): %s", image, err, out)
	}
}
