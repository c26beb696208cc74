package traefik_test

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/traefik"
)

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		rel, content string
		want         bool
	}{
		{"traefik.yml", "entryPoints:\n  web:\n    address: \":80\"\n", true},
		{"conf/dynamic.yaml", "http:\n  routers:\n    r: {}\n", true},
		{"tls.yml", "tls:\n  options:\n    default: {}\n", true},
		{"traefik.toml", "[entryPoints.web]\n  address = \":80\"\n", true},
		{"dyn.toml", "[http.middlewares.m.headers]\n", true},
		{"docker-compose.yml", "services:\n  web:\n    labels:\n      - traefik.http.routers.r.rule=Host(`a`)\n", true},
		{"docker-compose.yml", "services:\n  web:\n    image: nginx\n", false},
		{"pyproject.toml", "[tool.mtlslint]\nselect = []\n", false},
		{"ingress.yaml", "apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nhttp:\n  routers: {}\n", false},
		{"values.yaml", "http:\n  port: 80\n", false},
	} {
		if got := traefik.Detect(tc.rel, []byte(tc.content)); got != tc.want {
			t.Errorf("Detect(%s, %q) = %v, want %v", tc.rel, tc.content, got, tc.want)
		}
	}
}

func TestParseCompose(t *testing.T) {
	f := source.NewFile("compose.yaml", []byte(`services:
  proxy:
    image: traefik
    command: ["--entryPoints.websecure.address=:443", "--entrypoints.websecure.forwardedHeaders.insecure", "--entrypoints.websecure.http.tls=true"]
  web:
    expose: ["8000"]
    labels:
      - "traefik.http.routers.app.rule=Host(`+"`a`"+`)"
      - "traefik.http.routers.app.entrypoints=web,websecure"
      - "traefik.http.routers.app.middlewares=cert@docker"
      - "traefik.http.middlewares.cert.passtlsclientcert.pem=true"
`))
	tree, probs := traefik.Parse(f)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	ep := tree.Static.EntryPoint("WEBSECURE")
	if ep == nil {
		t.Fatalf("entry point not read: %+v", tree.Static)
	}
	if v, ok := ep.Insecure.Bool(); !ok || !v || ep.Insecure.Range.Start.Line != 4 {
		t.Errorf("insecure flag %+v", ep.Insecure)
	}
	if _, port := ep.Port(); port != "443" || ep.TLS == nil {
		t.Errorf("port %q, tls %v", port, ep.TLS)
	}
	if len(tree.Dynamic) != 1 {
		t.Fatalf("dynamic %+v", tree.Dynamic)
	}
	d := tree.Dynamic[0]
	r := d.Routers[0]
	if r.Name != "app" || len(r.EntryPoints) != 2 || r.EntryPoints[1].Text() != "websecure" || r.Rule.Range.Start.Line != 8 {
		t.Errorf("router %+v", r)
	}
	if len(d.Services) != 1 || d.Services[0].Container != "web" || d.Services[0].Port.Text() != "8000" {
		t.Errorf("default service %+v", d.Services)
	}
	if m := d.Middlewares[0]; !m.PEM || m.Info {
		t.Errorf("middleware %+v", m)
	}
}

func TestParseFilesAndGrouping(t *testing.T) {
	r := memReader{
		"traefik/traefik.toml":    []byte("[entryPoints.websecure]\n  address = \":443\"\n[entryPoints.websecure.http]\n  underscoreHeadersStrategy = \"delete\"\n"),
		"traefik/dynamic/tls.yml": []byte("tls:\n  options:\n    mtls:\n      clientAuth:\n        caFiles: [/ca.pem]\n"),
		"other/traefik.yml":       []byte("entryPoints:\n  web:\n    address: \":80\"\n"),
	}
	files, probs := traefik.Load(r, []string{"other/traefik.yml", "traefik/dynamic/tls.yml", "traefik/traefik.toml"})
	if len(probs) > 0 || len(files) != 3 {
		t.Fatalf("files %d, problems %v", len(files), probs)
	}
	tls := files[1]
	in := tls.Installation()
	if in == nil || in.Static == nil || in.Static.EntryPoint("websecure") == nil {
		t.Fatalf("the dynamic file joined the wrong installation: %+v", in)
	}
	o := in.TLSOption("mtls@file")
	if o == nil || o.ClientAuth() != "RequireAndVerifyClientCert" {
		t.Errorf("TLS option %+v: caFiles without a type require and verify", o)
	}
	if files[0].Installation() == in {
		t.Error("a separate static configuration must make its own installation")
	}
}
