//go:build unix

package taskcmd

import (
	"os"
	"os/exec"
	"syscall"
)

// setGroup makes the command the leader of a new process group, so that
// a terminal's Ctrl-C does not reach it directly and hsc can signal it and
// everything it starts at once.
func setGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(c.SysProcAttr)
}

// terminateGroup sends SIGTERM to the process group p leads.
func terminateGroup(p *os.Process) {
	syscall.Kill(-p.Pid, syscall.SIGTERM)
}

// killGroup sends SIGKILL to the process group p leads, and to p itself in
// case it moved to another group.
func killGroup(p *os.Process) {
	syscall.Kill(-p.Pid, syscall.SIGKILL)
	p.Signal(syscall.SIGKILL)
}
