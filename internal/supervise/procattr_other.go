//go:build !linux

package supervise

import "syscall"

// procAttr puts a started process in its own process group.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
