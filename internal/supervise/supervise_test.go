package supervise

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A process that ignores its stop signal, with a child in its group, is
// killed with the group after the grace period: nothing is left.
func TestStopKillsStubbornGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the stop grace period")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "stubborn-marker")
	p, err := Start("stubborn", []string{"/bin/sh", "-c", `trap "" TERM; /bin/sleep 60 & /bin/sleep 61; : ` + marker}, dir, nil, filepath.Join(dir, "out"), syscall.SIGTERM)
	if err != nil {
		t.Fatal(err)
	}
	waitForGroup(t, p.PID(), 2)
	err = p.Stop()
	if !errors.Is(err, ErrKilled) {
		t.Errorf("Stop() = %v, want ErrKilled", err)
	}
	left, err := Leftovers([]int{p.PID()}, marker)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// A worker that outlives its master (the master exits on the stop signal,
// the worker ignores it) is still ended by Stop.
func TestStopEndsOrphanedWorkers(t *testing.T) {
	dir := t.TempDir()
	p, err := Start("master", []string{"/bin/sh", "-c", `(trap "" TERM; exec /bin/sleep 60) & exec /bin/sleep 62`}, dir, nil, filepath.Join(dir, "out"), syscall.SIGTERM)
	if err != nil {
		t.Fatal(err)
	}
	waitForGroup(t, p.PID(), 2)
	if err := p.Stop(); err != nil {
		t.Errorf("Stop() = %v", err)
	}
	left, err := Leftovers([]int{p.PID()}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestRunTimeoutKillsGroup(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	out, err := Run(context.Background(), []string{"/bin/sh", "-c", "echo started; /bin/sleep 60.4242 & /bin/sleep 61.4242"}, dir, nil, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not finish within") {
		t.Fatalf("Run() error = %v, want a timeout", err)
	}
	if !strings.Contains(out, "started") {
		t.Errorf("output %q lost", out)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("Run waited for the command instead of killing it")
	}
	left, err := Leftovers(nil, ".4242")
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestRunEmptyEnvironment(t *testing.T) {
	t.Setenv("MTLSLINT_SUPERVISE_LEAK", "yes")
	out, err := Run(context.Background(), []string{"/usr/bin/env"}, t.TempDir(), nil, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "MTLSLINT_SUPERVISE_LEAK") {
		t.Errorf("the caller's environment reached the command: %q", out)
	}
}

func TestFreePortsDiffer(t *testing.T) {
	seen := map[int]bool{}
	for i := 0; i < 20; i++ {
		p, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
	}
}

func waitForGroup(t *testing.T, pgid, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(groupMembers(pgid)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("group %d has %d processes, want %d", pgid, len(groupMembers(pgid)), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProcNetAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:1F90":                         "127.0.0.1:8080",
		"00000000:0050":                         "0.0.0.0:80",
		"00000000000000000000000000000000:01BB": "[::]:443",
		"00000000000000000000000001000000:01BB": "[::1]:443",
	} {
		if got := procNetAddr(in); got != want {
			t.Errorf("procNetAddr(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestListening(t *testing.T) {
	dir := t.TempDir()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	// python3 is on every machine the real-server tests run on; without
	// it there is nothing to listen with.
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	p, err := Start("listener", []string{py, "-c", fmt.Sprintf("import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',%d))\ns.listen()\ntime.sleep(30)", port)}, dir, nil, filepath.Join(dir, "out"), syscall.SIGTERM)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	want := fmt.Sprintf("127.0.0.1:%d", port)
	var got []string
	for i := 0; i < 200; i++ {
		if got, _ = Listening(p.PID()); len(got) > 0 {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if len(got) != 1 || got[0] != want {
		t.Errorf("Listening() = %v, want [%s]", got, want)
	}
}
