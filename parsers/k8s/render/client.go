package render

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Program is the renderer's executable name.
const Program = "mtlslint-render"

// EnvProgram names an environment variable that, when set, is the path of
// the renderer to use (tests set it to a freshly built one).
const EnvProgram = "MTLSLINT_RENDER"

// ErrNotInstalled is returned by Find when no renderer is found.
var ErrNotInstalled = errors.New(Program + " is not installed: it was not found next to mtlslint or on PATH (go install ./cmd/... installs both)")

// Find locates the renderer: $MTLSLINT_RENDER, else mtlslint-render in
// the directory of the running executable, else on PATH.
func Find() (string, error) {
	if p := os.Getenv(EnvProgram); p != "" {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return "", fmt.Errorf("%s=%s: %w", EnvProgram, p, ErrNotInstalled)
		}
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), Program+exeSuffix())
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(Program); err == nil {
		return p, nil
	}
	return "", ErrNotInstalled
}

func exeSuffix() string {
	if filepath.Separator == '\\' {
		return ".exe"
	}
	return ""
}

// Run sends req to the renderer at program and returns its response.
func Run(ctx context.Context, program string, req *Request) (*Response, error) {
	req.Protocol = Protocol
	in, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, program)
	cmd.Stdin = bytes.NewReader(in)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errOut.String())
		if len(msg) > 500 {
			msg = msg[:500] + "…"
		}
		if msg != "" {
			return nil, fmt.Errorf("%s failed: %v: %s", program, err, msg)
		}
		return nil, fmt.Errorf("%s failed: %v", program, err)
	}
	return Decode(out.Bytes(), len(req.Environments))
}

// Decode reads a renderer's response and checks that it answers a request
// for want environments.
func Decode(b []byte, want int) (*Response, error) {
	var resp Response
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, fmt.Errorf("the renderer's answer is not a protocol %d response: %v", Protocol, err)
	}
	if resp.Protocol != Protocol {
		return nil, fmt.Errorf("the renderer speaks protocol %d, mtlslint protocol %d: install both from the same version", resp.Protocol, Protocol)
	}
	if len(resp.Environments) != want {
		return nil, fmt.Errorf("the renderer answered %d environments for %d requested", len(resp.Environments), want)
	}
	return &resp, nil
}
