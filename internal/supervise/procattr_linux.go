package supervise

import "syscall"

// procAttr puts a started process in its own process group, and has the
// kernel kill it when mtlslint itself dies without stopping it (killed
// with SIGKILL): a server must not outlive the run that started it. (The
// signal follows the thread that started the process; the Go runtime does
// not end its threads, so that is the process.)
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
