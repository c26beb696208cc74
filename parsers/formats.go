package parsers

import (
	"github.com/mtlslint/mtlslint/parsers/apache"
	"github.com/mtlslint/mtlslint/parsers/caddy"
	"github.com/mtlslint/mtlslint/parsers/compose"
	"github.com/mtlslint/mtlslint/parsers/envoy"
	"github.com/mtlslint/mtlslint/parsers/gunicorn"
	"github.com/mtlslint/mtlslint/parsers/haproxy"
	"github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/openapi"
	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/terraform"
	"github.com/mtlslint/mtlslint/parsers/traefik"
)

// All returns every front end, in detection order: a file belongs to the
// first format that detects it.
func All() []Format {
	return []Format{
		// nginx configurations, with includes resolved into trees.
		{Kind: KindNginx, Candidate: nginx.Candidate, Detect: nginx.Detect, Load: LoadAs(nginx.Load), PerLoad: nginxSession},
		// Apache httpd configurations, with Include resolved into trees
		// (after nginx: both read *.conf, and each detects by content).
		{Kind: KindApache, Candidate: apache.Candidate, Detect: apache.Detect, Load: LoadAs(apache.Load), PerLoad: apacheSession},
		// Caddyfiles (with imports and snippets) and Caddy JSON.
		{Kind: KindCaddy, Candidate: caddy.Candidate, Detect: caddy.Detect, Load: LoadAs(caddy.Load)},
		// HAProxy file sets: haproxy*.cfg (+ conf.d/) or *.cfg by content.
		{Kind: KindHAProxy, Candidate: haproxy.Candidate, Detect: haproxy.Detect, Load: LoadAs(haproxy.Load)},
		// gunicorn configuration files and app-server command lines.
		{Kind: KindGunicorn, Candidate: gunicorn.Candidate, Detect: gunicorn.Detect, Load: LoadAs(gunicorn.Load)},
		// Django settings modules, entry points and app code reading headers.
		{Kind: KindPython, Candidate: python.Candidate, Detect: python.Detect, Load: LoadAs(python.Load), PerLoad: pythonSession},
		// docker-compose files: services, published ports, commands.
		{Kind: KindCompose, Candidate: compose.Candidate, Detect: compose.Detect, Load: LoadAs(compose.Load)},
		// Terraform modules: .tf and .tfvars, one tree per directory.
		{Kind: KindTerraform, Candidate: terraform.Candidate, Detect: terraform.Detect, Load: LoadAs(terraform.Load)},
		// Envoy bootstrap files (static_resources) and xDS resource files.
		{Kind: KindEnvoy, Candidate: envoy.Candidate, Detect: envoy.Detect, Load: LoadAs(envoy.Load)},
		// Traefik static and dynamic configuration files, and the Traefik
		// labels and flags of compose files (which stay compose files too).
		{Kind: KindTraefik, Candidate: traefik.Candidate, Detect: traefik.Detect, Load: LoadAs(traefik.Load), Shared: true},
		// OpenAPI and Swagger documents (YAML or JSON, by their top-level key), with local $refs.
		{Kind: KindOpenAPI, Candidate: openapi.Candidate, Detect: openapi.Detect, Load: LoadAs(openapi.Load)},
		// Kubernetes manifests (ingress-nginx Ingresses, its ConfigMap,
		// Services, NetworkPolicies, workloads), one tree per file.
		// Istio's and Traefik's custom resources are manifests too; their
		// front ends decode them from the Kubernetes trees.
		{Kind: KindK8s, Candidate: k8s.Candidate, Detect: detectManifest, Load: LoadAs(k8s.Load)},
	}
}

// nginxSession is the nginx format of one load: detection parses, and the
// load takes that parse.
func nginxSession() Format {
	s := nginx.NewSession()
	return Format{Kind: KindNginx, Candidate: nginx.Candidate, Detect: s.Detect, Load: LoadAs(s.Load)}
}

// apacheSession is the httpd format of one load: detection parses, and
// the load takes that parse.
func apacheSession() Format {
	s := apache.NewSession()
	return Format{Kind: KindApache, Candidate: apache.Candidate, Detect: s.Detect, Load: LoadAs(s.Load)}
}

// pythonSession is the Python format of one load: detection classifies,
// and the load takes that classification.
func pythonSession() Format {
	s := python.NewSession()
	return Format{Kind: KindPython, Candidate: python.Candidate, Detect: s.Detect, Load: LoadAs(s.Load)}
}

// crdKinds are the custom resource kinds other front ends read from
// Kubernetes manifests.
var crdKinds = func() map[string]bool {
	m := map[string]bool{}
	for _, kinds := range []map[string]bool{envoy.IstioKinds, traefik.CRDKinds} {
		for k := range kinds {
			m[k] = true
		}
	}
	return m
}()

func detectManifest(rel string, content []byte) bool {
	return k8s.Detect(rel, content) || k8s.DetectKinds(rel, content, crdKinds)
}
