package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/internal/rendertest"
	"github.com/mtlslint/mtlslint/parsers"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/k8s/render"
	"github.com/mtlslint/mtlslint/rules"
	rulesk8s "github.com/mtlslint/mtlslint/rules/k8s"
)

// TestRenderedIngressRuntime checks, without a cluster, that the Ingresses
// mtlslint renders from kustomize overlays and Helm values files behave in
// Debian's nginx the way the ingress-nginx model says: each rendered
// Ingress's auth-tls annotations are written into the server block the
// controller's nginx.tmpl writes for them (ssl_client_certificate,
// ssl_verify_client, ssl_verify_depth in the server; the ssl-client-*
// proxy_set_header lines in the location), nginx serves it on loopback in
// front of an upstream that echoes the headers it receives, and what a
// client without a certificate, and one with a certificate from another
// CA, get through is compared with the model's route: its verify mode,
// and the ssl-client-verify header set from TLS state.
func TestRenderedIngressRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx; skipped with -short")
	}
	if _, missing := Probe(); missing["nginx"] != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nginx is needed: %s (apt-get install nginx-core)", missing["nginx"])
		}
		t.Skipf("nginx is missing: %s", missing["nginx"])
	}
	program, err := rendertest.Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(render.EnvProgram, program)
	pki, err := NewPKI(filepath.Join(t.TempDir(), "certs"))
	if err != nil {
		t.Fatal(err)
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"ssl-client-verify": r.Header.Get("ssl-client-verify")})
	}))
	defer upstream.Close()

	envs := 0
	for _, fixture := range []string{"kustomize-overlays-vulnerable", "helm-values-vulnerable"} {
		ws, err := parsers.Load(context.Background(), parsers.Options{
			Root:    filepath.Join("..", "..", "fixtures", "k8s", fixture),
			Formats: []parsers.Format{{Kind: kube.Kind, Candidate: kube.Candidate, Detect: kube.Detect, Load: parsers.LoadAs(kube.Load)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range ws.Trees {
			f := tr.(*kube.File)
			if f.Environment() == "" {
				continue
			}
			for _, o := range f.Objects {
				if o.Ingress == nil {
					continue
				}
				envs++
				t.Run(fixture+"/"+f.Environment(), func(t *testing.T) {
					checkRenderedIngress(t, pki, upstream.Listener.Addr().String(), o.Ingress, modelRoute(t, f))
				})
			}
		}
	}
	if envs != 4 {
		t.Errorf("%d rendered Ingresses, want 4 (two overlays, a chart with and without values-prod.yaml)", envs)
	}
}

// modelRoute is the HTTPS route the ingress-nginx model builds for the
// environment's Ingress.
func modelRoute(t *testing.T, f *kube.File) *rules.Route {
	t.Helper()
	for _, r := range rules.BuildRoutes(rulesk8s.Routes, f) {
		if r.Listener.TLS {
			return r
		}
	}
	t.Fatalf("no HTTPS route for %s", f.Environment())
	return nil
}

// serverBlock writes what ingress-nginx's nginx.tmpl writes for the
// Ingress's client-certificate annotations: the CA of auth-tls-secret
// (here the test CA), the verify mode (default "on"), the depth (default
// 1), and the headers set in every location.
func serverBlock(in *kube.Ingress, pki *PKI, port int, upstream string) string {
	verify := strings.TrimSpace(in.Annotation("auth-tls-verify-client").Value)
	switch verify {
	case "on", "off", "optional", "optional_no_ca":
	default:
		verify = "on"
	}
	depth := strings.TrimSpace(in.Annotation("auth-tls-verify-depth").Value)
	if depth == "" {
		depth = "1"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "server {\n  listen 127.0.0.1:%d ssl;\n  ssl_certificate %s;\n  ssl_certificate_key %s;\n",
		port, filepath.Join(pki.Dir, FileServerCert), filepath.Join(pki.Dir, FileServerKey))
	if in.Annotation("auth-tls-secret").Value != "" {
		fmt.Fprintf(&b, "  ssl_client_certificate %s;\n  ssl_verify_client %s;\n  ssl_verify_depth %s;\n", filepath.Join(pki.Dir, FileCA), verify, depth)
	}
	b.WriteString("  location / {\n")
	if in.Annotation("auth-tls-secret").Value != "" {
		b.WriteString("    proxy_set_header ssl-client-verify $ssl_client_verify;\n    proxy_set_header ssl-client-subject-dn $ssl_client_s_dn;\n    proxy_set_header ssl-client-issuer-dn $ssl_client_i_dn;\n")
	}
	fmt.Fprintf(&b, "    proxy_pass http://%s;\n  }\n}\n", upstream)
	return b.String()
}

func checkRenderedIngress(t *testing.T, pki *PKI, upstream string, in *kube.Ingress, route *rules.Route) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	conf := "worker_processes 1;\npid " + filepath.Join(run, "nginx.pid") + ";\nerror_log " + filepath.Join(run, "error.log") + ";\n" +
		"events {}\nhttp {\n  access_log off;\n" + serverBlock(in, pki, port, upstream) + "}\n"
	if err := os.WriteFile(filepath.Join(run, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := start("nginx", []string{NginxBin, "-c", filepath.Join(run, "nginx.conf"), "-p", run + "/", "-e", filepath.Join(run, "startup.log"), "-g", "daemon off;"},
		run, baseEnv(run), filepath.Join(run, "nginx.out"), syscall.SIGTERM)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := p.Stop(); err != nil {
			t.Error(err)
		}
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := waitUntil(startTimeout, "nginx to listen on "+addr, []*Process{p}, func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err
	}); err != nil {
		t.Fatalf("%v\n%s\n%s", err, conf, p.Tail(25))
	}

	get := func(cert *tls.Certificate) (status int, verify string) {
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs: pki.CAPool, ServerName: "localhost",
			GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
				if cert == nil {
					return &tls.Certificate{}, nil
				}
				return cert, nil
			},
		}}}
		req, _ := http.NewRequest("GET", "https://"+addr+"/", nil)
		req.Header.Set("ssl-client-verify", "SUCCESS") // the client's own copy
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", addr, err)
		}
		defer resp.Body.Close()
		var seen map[string]string
		if resp.StatusCode == http.StatusOK {
			_ = json.NewDecoder(resp.Body).Decode(&seen)
		}
		return resp.StatusCode, seen["ssl-client-verify"]
	}

	mode := route.Listener.Verify
	header := route.Headers["ssl-client-verify"]
	if header.Action != rules.SetTLS || header.Value != "$ssl_client_verify" {
		t.Fatalf("the model's route does not set ssl-client-verify from TLS state: %+v", header)
	}
	// No certificate: the model admits it unless verification is required,
	// and the app then sees nginx's NONE, not the client's SUCCESS.
	status, verify := get(nil)
	switch {
	case mode == rules.VerifyRequired && status != http.StatusBadRequest:
		t.Errorf("model: %v, a request without a certificate is refused; nginx answered %d", mode, status)
	case mode != rules.VerifyRequired && (status != http.StatusOK || verify != "NONE"):
		t.Errorf("model: %v, a request without a certificate reaches the app with ssl-client-verify NONE; nginx answered %d with %q", mode, status, verify)
	}
	// A certificate from another CA: refused unless optional_no_ca, which
	// lets it through marked FAILED.
	status, verify = get(&pki.UntrustedClient)
	switch {
	case mode == rules.VerifyOptionalNoCA && (status != http.StatusOK || !strings.HasPrefix(verify, "FAILED:")):
		t.Errorf("model: %v, a certificate from another CA reaches the app marked FAILED; nginx answered %d with %q", mode, status, verify)
	case mode != rules.VerifyOptionalNoCA && status != http.StatusBadRequest:
		t.Errorf("model: %v, a certificate from another CA is refused; nginx answered %d with %q", mode, status, verify)
	}
	// The trusted client certificate passes everywhere.
	if status, verify = get(&pki.ValidClient); status != http.StatusOK || verify != "SUCCESS" {
		t.Errorf("a trusted certificate: nginx answered %d with %q", status, verify)
	}
	t.Logf("%s: the model's %v agrees with nginx", in.Obj.Environment, mode)
}
