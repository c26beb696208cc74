package lsp

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNeovim runs a real client: Debian's Neovim (0.7) starts the
// `mtlslint lsp` binary, attaches a buffer with a vulnerable config and
// reports the diagnostics it received. The finding sits after multi-byte
// characters on its line, so the column Neovim shows (bytes) is right only
// if the server counted UTF-16 units as Neovim expects.
//
// Under CI=true a missing nvim is a failure; elsewhere the test skips.
func TestNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nvim is not installed (CI installs Debian's neovim): %v", err)
		}
		t.Skip("nvim is not installed; apt-get install neovim to run this test")
	}
	if testing.Short() {
		t.Skip("builds the binary and starts Neovim")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "mtlslint")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/mtlslint/mtlslint/cmd/mtlslint")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	ws := filepath.Join(tmp, "ws")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(ws, "nginx.conf")
	if err := os.WriteFile(target, []byte(utf16Line), 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("testdata/nvim_diagnostics.lua")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "diagnostics.json")
	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-c", "luafile "+script)
	cmd.Dir = ws
	cmd.Env = append(os.Environ(),
		"MTLSLINT_BIN="+bin, "MTLSLINT_TARGET="+target, "MTLSLINT_OUT="+out,
		// Neovim's log and state stay in the test's directory.
		"XDG_CACHE_HOME="+filepath.Join(tmp, "cache"), "XDG_STATE_HOME="+filepath.Join(tmp, "state"),
		"XDG_DATA_HOME="+filepath.Join(tmp, "data"), "XDG_CONFIG_HOME="+filepath.Join(tmp, "config"),
	)
	cmd.WaitDelay = 10 * time.Second
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("nvim: %v\n%s", err, output)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("nvim wrote no result: %v\n%s\nlsp log: %s", err, output, lspLog(tmp))
	}
	var res struct {
		Waited      bool `json:"waited"`
		Diagnostics []struct {
			Code     string `json:"code"`
			Lnum     int    `json:"lnum"`
			Col      int    `json:"col"`
			Severity int    `json:"severity"`
			Source   string `json:"source"`
			Message  string `json:"message"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	t.Logf("Neovim: %s", b)
	if !res.Waited || len(res.Diagnostics) != 1 {
		t.Fatalf("Neovim got %s\nlsp log: %s", b, lspLog(tmp))
	}
	d := res.Diagnostics[0]
	line := strings.Split(utf16Line, "\n")[9]
	wantCol := strings.Index(line, "ssl_verify_client") // Neovim counts bytes
	if d.Code != "N003" || d.Lnum != 9 || d.Col != wantCol || d.Source != "mtlslint" || d.Severity != 1 {
		t.Errorf("Neovim shows %+v, want N003 at line 9, byte column %d, source mtlslint, severity 1 (error)", d, wantCol)
	}
	if !strings.Contains(d.Message, "ssl_verify_client optional") {
		t.Errorf("message %q", d.Message)
	}
}

func lspLog(tmp string) string {
	b, _ := os.ReadFile(filepath.Join(tmp, "cache", "nvim", "lsp.log"))
	return string(b)
}
