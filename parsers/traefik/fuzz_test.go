package traefik_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/traefik"
)

// memReader is a source.Reader over in-memory files.
type memReader map[string][]byte

func (m memReader) ReadFile(p string) (*source.File, error) {
	b, ok := m[p]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return source.NewFile(p, b), nil
}

func (m memReader) Glob(string) ([]string, error) { return nil, nil }

func (m memReader) Stat(string) (fs.FileInfo, error) { return nil, fs.ErrNotExist }

// FuzzParse: no input makes the parser panic, as a static, dynamic or
// compose file, and every problem has a position.
func FuzzParse(f *testing.F) {
	f.Add([]byte("entryPoints:\n  w:\n    address: \":443\"\n    forwardedHeaders: {insecure: true}\nhttp:\n  routers:\n    r: {middlewares: [m], tls: {options: o}}\n"), "traefik.yml")
	f.Add([]byte("[http.middlewares.m.passTLSClientCert.info]\n  subject = { commonName = true }\n[tls.options.o.clientAuth]\n  clientAuthType = \"x\"\n"), "d.toml")
	f.Add([]byte("services:\n  t:\n    command: --entrypoints.w.address=:80\n    labels: {traefik.http.routers.r.tls: \"true\"}\n"), "compose.yaml")
	// Deeper than the limits, in YAML, TOML and a label's dotted key.
	f.Add([]byte("http:\n  routers: "+strings.Repeat("[", 250)+strings.Repeat("]", 250)+"\n"), "traefik.yml")
	f.Add([]byte("[http]\nrouters = "+strings.Repeat("[", 250)+strings.Repeat("]", 250)+"\n"), "d.toml")
	f.Add([]byte("services:\n  t:\n    labels: {traefik.http."+strings.Repeat("a.", 5000)+"b: \"1\"}\n"), "compose.yaml")
	f.Fuzz(func(t *testing.T, b []byte, name string) {
		for _, rel := range []string{"traefik.yml", "d.toml", "compose.yaml", name} {
			files, probs := traefik.Load(memReader{rel: b}, []string{rel})
			for _, p := range probs {
				if !p.Range.Start.IsValid() {
					t.Fatalf("problem without a position: %+v", p)
				}
			}
			for _, f := range files {
				_ = f.Installation().Service("x")
			}
		}
	})
}
