package render

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	ok := `{"protocol":1,"renderer":"r","environments":[{"name":"a","documents":[{"yaml":"kind: Service\n","origin":"a.yaml"}]}]}`
	resp, err := Decode([]byte(ok), 1)
	if err != nil || resp.Environments[0].Documents[0].Origin != "a.yaml" {
		t.Fatalf("%v %+v", err, resp)
	}
	for _, bad := range []struct{ in, want string }{
		{`{"protocol":2,"environments":[]}`, "protocol 2"},
		{`{"protocol":1,"environments":[]}`, "0 environments for 1"},
		{`not json`, "not a protocol 1 response"},
	} {
		if _, err := Decode([]byte(bad.in), 1); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Decode(%s) = %v, want an error about %q", bad.in, err, bad.want)
		}
	}
}

func TestFind(t *testing.T) {
	t.Setenv(EnvProgram, filepath.Join(t.TempDir(), "absent"))
	if _, err := Find(); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("an absent $%s: %v", EnvProgram, err)
	}
	p := filepath.Join(t.TempDir(), Program)
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho '{\"protocol\":1,\"environments\":[]}'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvProgram, p)
	if got, err := Find(); err != nil || got != p {
		t.Errorf("Find() = %s, %v; want %s", got, err, p)
	}
	// A renderer that answers for the wrong number of environments, or
	// fails, is an error, not an empty rendering.
	if _, err := Run(context.Background(), p, &Request{Environments: []Environment{{Name: "x"}}}); err == nil {
		t.Error("a short answer was accepted")
	}
	if _, err := Run(context.Background(), "/bin/false", &Request{}); err == nil {
		t.Error("a failing renderer was accepted")
	}
}

// FuzzDecode: a renderer's answer never panics the reader.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"protocol":1,"environments":[{"name":"a","documents":[{"yaml":"x","origin":"o"}],"problems":[{"kind":"error","line":3}]}]}`), 1)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		resp, err := Decode(b, n)
		if err == nil && (resp.Protocol != Protocol || len(resp.Environments) != n) {
			t.Fatalf("accepted %+v for %d environments", resp, n)
		}
	})
}
