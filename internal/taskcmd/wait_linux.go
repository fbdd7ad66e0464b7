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
