//go:build unix

package atomicfile

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives f the owner and group of the file it replaces, where the
// process may (root may; others can keep at least their own group).
func keepOwner(f *os.File, existing fs.FileInfo) {
	st, ok := existing.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	_ = f.Chown(int(st.Uid), int(st.Gid)) // best effort: a failure leaves the writer's ids
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync() // best effort: the data itself is already synced
	d.Close()
}
