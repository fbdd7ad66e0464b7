package taskcmd

import (
	"os"
	"os/exec"
	"syscall"
)

// setGroup starts the command in a new process group, so that a console's
// Ctrl-C does not reach it directly.
func setGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// terminateGroup kills the command: Windows has no SIGTERM to send.
// Processes the command started are not reached.
func terminateGroup(p *os.Process) { p.Kill() }

// killGroup kills the command.
func killGroup(p *os.Process) { p.Kill() }
