// Package atomicfile writes output files so that nobody ever sees a half
// written one: the new content goes to a temporary file in the same folder,
// which is synced and then renamed over the target. If anything fails on
// the way (a full disk, an interrupted run), the previous file is left as
// it was and the temporary file is removed.
//
// What it keeps of the file it replaces: its permission bits (a new file
// gets the permission asked for, less the umask) and, on Unix, its owner
// and group where the process may set them. A symbolic link is followed
// and its final target replaced, so the link stays a link. A target that
// exists and is not a regular file (a terminal, /dev/stdout, a FIFO, a
// character device) cannot be replaced by renaming and is written
// directly, as is a path under /dev or /proc.
//
// It is hand-written rather than taken from github.com/google/renameio/v2
// because renameio replaces a symbolic link instead of its target, has no
// notion of writing directly to what is not a regular file, and is not
// available on Windows (which hsc's CI builds for); with those three
// wrapped around it, little of renameio would be left.
//
// The package owns only the write-sync-rename protocol; it must not know
// what is being written.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// maxLinks bounds how many symbolic links are followed (as the kernel's
// ELOOP limit does).
const maxLinks = 40

// File is an output file being written. Write to it, then call Commit to
// put it in place; Abort (safe to defer, also after Commit) discards it.
type File struct {
	path   string   // the file that will be replaced (symbolic links resolved)
	f      *os.File // the temporary file, or the target itself when direct
	tmp    string   // the temporary file's path; "" when writing directly
	direct bool
	done   bool
}

// Create prepares to write path. It fails at once when the file cannot be
// written (a missing folder, no permission), so callers can check every
// output before doing any work. perm is the mode of a newly created file
// (before the umask); an existing file keeps its mode.
//
// For a target that is not a regular file, Create opens it for writing,
// which for a FIFO waits until a reader opens it.
func Create(path string, perm fs.FileMode) (*File, error) {
	target, direct, existing, err := resolve(path)
	if err != nil {
		return nil, err
	}
	if direct {
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return nil, err
		}
		return &File{path: target, f: f, direct: true}, nil
	}
	mode := perm
	if existing != nil {
		mode = existing.Mode().Perm()
	}
	f, tmp, err := createTemp(target, mode)
	if err != nil {
		return nil, err
	}
	af := &File{path: target, f: f, tmp: tmp}
	if existing != nil {
		// The umask does not apply to a mode that is being kept.
		if err := f.Chmod(existing.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)); err != nil {
			af.Abort()
			return nil, err
		}
		keepOwner(f, existing)
	}
	return af, nil
}

// WriteFile writes data to path atomically: Create, Write, Commit.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// Name returns the path of the file that Commit replaces (symbolic links
// resolved).
func (f *File) Name() string { return f.path }

// Write writes to the temporary file (or, for a target that is not a
// regular file, to the target).
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, fs.ErrClosed
	}
	n, err := f.f.Write(p)
	if err != nil {
		err = fmt.Errorf("writing %s: %w", f.path, unwrapPath(err))
	}
	return n, err
}

// Commit syncs the temporary file to disk and renames it over the target,
// then syncs the folder so the rename itself survives a crash. On error
// the target is unchanged and the temporary file removed.
func (f *File) Commit() error {
	if f.done {
		return fs.ErrClosed
	}
	f.done = true
	if f.direct {
		if err := f.f.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", f.path, unwrapPath(err))
		}
		return nil
	}
	err := f.f.Sync()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.tmp, f.path)
	}
	if err != nil {
		os.Remove(f.tmp)
		return fmt.Errorf("writing %s: %w", f.path, unwrapPath(err))
	}
	syncDir(filepath.Dir(f.path))
	return nil
}

// Abort discards what was written: the temporary file is closed and
// removed and the target left as it was. It does nothing after Commit, or
// on a nil *File (an output that was not asked for).
func (f *File) Abort() error {
	if f == nil || f.done {
		return nil
	}
	f.done = true
	err := f.f.Close()
	if !f.direct {
		if rerr := os.Remove(f.tmp); err == nil {
			err = rerr
		}
	}
	return err
}

// resolve follows symbolic links from path to the file to write. direct
// is true for a target that exists and is not a regular file, or is under
// /dev or /proc (e.g. /dev/stdout, which links to /proc/self/fd/1).
// existing describes the target when it exists.
func resolve(path string) (target string, direct bool, existing fs.FileInfo, err error) {
	if path == "" {
		return "", false, nil, errors.New("no output file name")
	}
	target = path
	for i := 0; ; i++ {
		if special(target) {
			return target, true, nil, nil
		}
		fi, err := os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			return target, false, nil, nil
		}
		if err != nil {
			return "", false, nil, err
		}
		switch {
		case fi.Mode().IsRegular():
			return target, false, fi, nil
		case fi.Mode()&fs.ModeSymlink == 0:
			if fi.IsDir() {
				return "", false, nil, &fs.PathError{Op: "write", Path: path, Err: errors.New("is a directory")}
			}
			return target, true, fi, nil
		}
		if i == maxLinks {
			return "", false, nil, &fs.PathError{Op: "write", Path: path, Err: errors.New("too many levels of symbolic links")}
		}
		link, err := os.Readlink(target)
		if err != nil {
			return "", false, nil, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(target), link)
		}
		target = link
	}
}

// special reports whether path names a device or process file that must
// be written in place.
func special(path string) bool {
	if filepath.Separator != '/' {
		return false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	return strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/")
}

// createTemp creates a new file next to target with mode (less the umask:
// the file is created with it, as os.WriteFile would).
func createTemp(target string, mode fs.FileMode) (*os.File, string, error) {
	dir, base := filepath.Split(target)
	seed := uint64(time.Now().UnixNano()) ^ uint64(os.Getpid())<<32
	for range 10000 {
		seed = seed*6364136223846793005 + 1442695040888963407
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(seed>>33, 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		return f, name, nil
	}
	return nil, "", &fs.PathError{Op: "createtemp", Path: target, Err: fs.ErrExist}
}

// unwrapPath drops an *fs.PathError naming the temporary file: messages
// name the target.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
