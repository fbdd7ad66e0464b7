//go:build unix && !linux

package taskcmd

import "syscall"

// setDeathSignal does nothing here: only Linux can signal a child when
// its parent dies.
func setDeathSignal(*syscall.SysProcAttr) {}
