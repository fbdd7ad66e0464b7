package taskcmd

import (
	"os"
	"syscall"
	"unsafe"
)

// waitExited blocks until p has exited, without reaping it: while p is an
// unreaped zombie its process ID, which is also its group's ID, cannot be
// given to another process, so signalling the group cannot hit a stranger.
func waitExited(p *os.Process) error {
	const (
		pPID    = 1         // P_PID
		wNoWait = 0x1000000 // WNOWAIT
	)
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(p.Pid),
			uintptr(unsafe.Pointer(&info)), syscall.WEXITED|wNoWait, 0, 0)
		if errno != syscall.EINTR {
			if errno != 0 {
				return errno
			}
			return nil
		}
	}
}

// setDeathSignal has the kernel send SIGKILL to the command if hsc dies
// without stopping it (killed, crashed). It reaches the command only, not
// what the command started. (The signal follows the thread that started
// the command; Go ends threads only under runtime.LockOSThread, which hsc
// does not use.)
func setDeathSignal(a *syscall.SysProcAttr) {
	a.Pdeathsig = syscall.SIGKILL
}
