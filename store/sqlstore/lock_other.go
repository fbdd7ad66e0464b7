//go:build !unix && !windows

package sqlstore

import "os"

// lockFile does nothing where the system has no file locks this package
// knows (wasip1, plan9).
func lockFile(*os.File) error { return nil }
