//go:build !linux

package taskcmd

import (
	"errors"
	"os"
)

// waitExited is not available here: the caller reaps the command with
// Wait instead. Between that and signalling the group (a moment) the
// group's ID could in principle be given to a new process group; Go's own
// os/exec accepts the same race for Process.Kill on these systems.
func waitExited(*os.Process) error {
	return errors.ErrUnsupported
}
