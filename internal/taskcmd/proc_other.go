//go:build !unix && !windows

package taskcmd

import (
	"os"
	"os/exec"
)

// setGroup does nothing where there are no process groups.
func setGroup(*exec.Cmd) {}

// terminateGroup kills the command (no process groups, no SIGTERM here).
func terminateGroup(p *os.Process) { p.Kill() }

// killGroup kills the command.
func killGroup(p *os.Process) { p.Kill() }
