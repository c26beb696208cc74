// Package supervise starts and stops the servers that mtlslint runs on
// loopback (the real-server tests and `mtlslint prove`): every process in
// its own process group, stopped by its PID with a bounded grace period,
// ports picked free on every IPv4 address, and a look at the process table
// afterwards for anything left behind.
package supervise

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// StopGrace is how long a process may take to end after its stop signal
// before its whole process group is killed.
const StopGrace = 5 * time.Second

// ErrKilled says a process did not end on its stop signal within the grace
// period and was killed with its process group: stopped all the same, but
// not cleanly.
var ErrKilled = errors.New("killed with its process group")

// Process is a program started in its own process group.
type Process struct {
	Name string
	// Log receives the program's standard output and error.
	Log     string
	cmd     *exec.Cmd
	stop    syscall.Signal
	done    chan struct{}
	waitErr error
}

// Start runs argv in dir with exactly env (nothing of the caller's
// environment is inherited), in a new process group, with its output
// appended to log. stop is the signal that asks it to end (SIGTERM for
// most servers, SIGQUIT for gunicorn, which then does not wait for
// requests).
func Start(name string, argv []string, dir string, env []string, log string, stop syscall.Signal) (*Process, error) {
	if len(argv) == 0 {
		return nil, errors.New("start " + name + ": no command")
	}
	out, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	if cmd.Env == nil {
		cmd.Env = []string{} // an empty environment, not the caller's
	}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &Process{Name: name, Log: log, cmd: cmd, stop: stop, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		out.Close()
		close(p.done)
	}()
	return p, nil
}

// PID is the process's ID, which is also its process group's.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// ExitErr is how the process ended (nil while it runs or after exit 0).
func (p *Process) ExitErr() error {
	if !p.Exited() {
		return nil
	}
	return p.waitErr
}

// Wait waits until the process ends or the timeout passes, and reports
// whether it ended.
func (p *Process) Wait(timeout time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// Stop sends the process its stop signal and waits; when it has not ended
// after StopGrace, its process group (its workers included) is killed.
// After Stop returns, the process has been waited for. Whatever the
// process left in its group (a worker that outlived its master) is killed
// too.
func (p *Process) Stop() error {
	pid := p.PID()
	var err error
	if !p.Exited() {
		_ = syscall.Kill(pid, p.stop)
		if !p.Wait(StopGrace) {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			p.Wait(2 * time.Second)
			err = fmt.Errorf("%s (pid %d) did not stop within %v of %v: %w", p.Name, pid, StopGrace, p.stop, ErrKilled)
		}
	}
	// Workers that outlive their master keep its process group: end them
	// by the group's ID, which is the PID the process was started with.
	if left := groupMembers(pid); len(left) > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		deadline := time.Now().Add(2 * time.Second)
		for len(groupMembers(pid)) > 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	return err
}

// Tail returns the last n lines of the process's output.
func (p *Process) Tail(n int) string { return Tail(p.Log, n) }

// Tail returns the last n lines of a file, or "" when it cannot be read.
func Tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Run runs argv to completion in its own process group, with exactly env,
// and returns its combined output. When the timeout passes or ctx ends
// first, the whole group is killed and the error says so: a command that
// hangs is reported, never waited for forever.
func Run(ctx context.Context, argv []string, dir string, env []string, timeout time.Duration) (string, error) {
	if len(argv) == 0 {
		return "", errors.New("no command")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		killGroup(cmd.Process.Pid)
		return out.String(), err
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return out.String(), fmt.Errorf("%s did not finish within %v and was killed", filepath.Base(argv[0]), timeout)
	}
}

// killGroup kills what is left of a process group whose leader has ended.
func killGroup(pgid int) {
	if len(groupMembers(pgid)) > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

var (
	portsMu sync.Mutex
	handed  = map[int]bool{}
)

// FreePort returns a TCP port that is free on every IPv4 address (so a
// server may bind it on 127.0.0.1 or 0.0.0.0) and that this process has not
// handed out before, so two deployments running side by side never get the
// same one.
func FreePort() (int, error) {
	portsMu.Lock()
	defer portsMu.Unlock()
	for i := 0; i < 500; i++ {
		l, err := net.Listen("tcp4", "0.0.0.0:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !handed[port] {
			handed[port] = true
			return port, nil
		}
	}
	return 0, errors.New("no free port found")
}

// Release lets FreePort hand out ports again, once whatever listened on
// them has stopped.
func Release(ports ...int) {
	portsMu.Lock()
	defer portsMu.Unlock()
	for _, p := range ports {
		delete(handed, p)
	}
}

// Proc is one entry of the process table.
type Proc struct {
	PID, PPID, PGID int
	State           string // R, S, Z, ...
	Cmdline         string
}

func (p Proc) String() string {
	return fmt.Sprintf("pid %d (pgid %d, state %s): %s", p.PID, p.PGID, p.State, p.Cmdline)
}

// Table reads the process table from /proc.
func Table() ([]Proc, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []Proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(pid); ok {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out, nil
}

// readProc reads one process's state; ok is false when it has gone.
func readProc(pid int) (Proc, bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Proc{}, false
	}
	// "pid (comm) state ppid pgrp ...": comm may hold spaces and ")".
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return Proc{}, false
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 3 {
		return Proc{}, false
	}
	p := Proc{PID: pid, State: f[0]}
	p.PPID, _ = strconv.Atoi(f[1])
	p.PGID, _ = strconv.Atoi(f[2])
	if cl, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil {
		p.Cmdline = strings.TrimSpace(strings.ReplaceAll(string(cl), "\x00", " "))
	}
	if p.Cmdline == "" {
		p.Cmdline = string(stat[bytes.IndexByte(stat, '(')+1 : i])
	}
	return p, true
}

func groupMembers(pgid int) []Proc {
	table, err := Table()
	if err != nil {
		return nil
	}
	var out []Proc
	for _, p := range table {
		if p.PGID == pgid {
			out = append(out, p)
		}
	}
	return out
}

// Leftovers lists the processes still alive (zombies included) that belong
// to a process group one of pids started, or whose command line mentions
// marker (the temporary directory of a run, which every command it started
// names): what a run must not leave behind.
func Leftovers(pids []int, marker string) ([]Proc, error) {
	table, err := Table()
	if err != nil {
		return nil, err
	}
	groups := map[int]bool{}
	for _, p := range pids {
		groups[p] = true
	}
	self := os.Getpid()
	var out []Proc
	for _, p := range table {
		if p.PID == self {
			continue
		}
		if groups[p.PGID] || marker != "" && strings.Contains(p.Cmdline, marker) {
			out = append(out, p)
		}
	}
	return out, nil
}

// WaitUntil polls probe until it succeeds, one of procs exits (the error
// then ends with the last lines of its output), ctx ends, or the timeout
// passes.
func WaitUntil(ctx context.Context, timeout time.Duration, what string, procs []*Process, probe func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if last = probe(); last == nil {
			return nil
		}
		for _, p := range procs {
			if p.Exited() {
				return fmt.Errorf("waiting for %s: %s exited (%v):\n%s", what, p.Name, p.ExitErr(), p.Tail(15))
			}
		}
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waiting for %s: gave up after %v: %v", what, timeout, last)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Accepts is a probe for WaitUntil: it succeeds once something accepts a
// TCP connection on addr.
func Accepts(addr string) func() error {
	return func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err
	}
}

// Listening returns the local addresses of the TCP sockets in the LISTEN
// state that the processes of a process group hold ("127.0.0.1:8443",
// "[::]:80"), read from /proc.
func Listening(pgid int) ([]string, error) {
	inodes := map[string]bool{}
	for _, p := range groupMembers(pgid) {
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.PID))
		if err != nil {
			continue // gone, or not ours to read
		}
		for _, fd := range fds {
			target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", p.PID, fd.Name()))
			if inode, ok := strings.CutPrefix(target, "socket:["); err == nil && ok {
				inodes[strings.TrimSuffix(inode, "]")] = true
			}
		}
	}
	var out []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			// sl local_address rem_address st ... inode (the tenth field)
			if len(f) < 10 || f[3] != "0A" || !inodes[f[9]] {
				continue
			}
			out = append(out, procNetAddr(f[1]))
		}
	}
	sort.Strings(out)
	return out, nil
}

// procNetAddr turns /proc/net/tcp's "0100007F:1F90" into "127.0.0.1:8080"
// (the address in host byte order, 32-bit words for IPv6).
func procNetAddr(s string) string {
	hexAddr, hexPort, _ := strings.Cut(s, ":")
	port, _ := strconv.ParseUint(hexPort, 16, 16)
	raw := make([]byte, 0, 16)
	for i := 0; i+8 <= len(hexAddr); i += 8 {
		w, _ := strconv.ParseUint(hexAddr[i:i+8], 16, 32)
		raw = append(raw, byte(w), byte(w>>8), byte(w>>16), byte(w>>24))
	}
	ip := net.IP(raw)
	if len(raw) == 4 {
		return fmt.Sprintf("%s:%d", ip, port)
	}
	return fmt.Sprintf("[%s]:%d", ip, port)
}
