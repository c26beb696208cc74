package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file opened outside every workspace folder is linted with the
// workspace the command line would find for it: the nearest configuration,
// else the git work tree. A pyproject.toml without [tool.mtlslint] is no
// configuration, so the proxy in proxy/ is linted with the app beside it.
func TestImplicitRootIsTheCommandLinesRoot(t *testing.T) {
	vulnerable := strings.Replace(deployNginx, "            proxy_set_header X-SSL-Client-Verify $ssl_client_verify;\n", "", 1)
	dir := writeFiles(t, map[string]string{
		"proxy/nginx.conf":      vulnerable,
		"proxy/pyproject.toml":  "[project]\nname = \"proxy-tools\"\n",
		"app/settings.py":       deploySettings,
		"app/middleware.py":     deployMiddleware,
		"nested/.mtlslint.toml": "fail-on = \"high\"\n",
	})
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		"proxy/nginx.conf":   dir,
		"nested/deep/x.conf": filepath.Join(dir, "nested"),
	} {
		if got := implicitRoot(filepath.Join(dir, filepath.FromSlash(file))); got != want {
			t.Errorf("implicitRoot(%s) = %s, want %s", file, got, want)
		}
	}

	c, _ := startServer(t, Options{}, nil)
	nginx := fileURI(dir, "proxy/nginx.conf")
	c.open(nginx, "nginx", vulnerable)
	c.waitCodes(nginx, "X001")
}
