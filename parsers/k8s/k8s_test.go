package k8s_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/k8s/render"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// load runs the front end on in-memory files (an overlay over an empty
// directory), the way discovery would after detection.
func load(t testing.TB, files map[string]string) ([]*k8s.File, []source.Problem) {
	t.Helper()
	overlay := map[string][]byte{}
	var paths []string
	for p, c := range files {
		overlay[p] = []byte(c)
		if k8s.Detect(p, []byte(c)) {
			paths = append(paths, p)
		}
	}
	r, err := parsers.NewFSReader(t.TempDir(), 0, overlay)
	if err != nil {
		t.Fatal(err)
	}
	return k8s.Load(r, paths)
}

// at returns "line:col" of a range's start.
func at(r source.Range) string { return r.Start.String() }

func TestKindMatchesParsers(t *testing.T) {
	if k8s.Kind != parsers.KindK8s {
		t.Fatalf("k8s.Kind = %q, parsers.KindK8s = %q", k8s.Kind, parsers.KindK8s)
	}
}

const ingressV1 = `# comment before the document
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    nginx.ingress.kubernetes.io/auth-tls-secret: "shop/ca"
    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional_no_ca
spec:
  ingressClassName: nginx
  defaultBackend:
    service:
      name: fallback
      port:
        name: http
  tls:
  - hosts:
    - shop.example.com
    secretName: shop-tls
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /api
        pathType: Prefix
        backend:
          service:
            name: api
            port:
              number: 8080
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
`

func TestIngressV1(t *testing.T) {
	trees, probs := load(t, map[string]string{"ing.yaml": ingressV1})
	if len(probs) != 0 || len(trees) != 1 || len(trees[0].Objects) != 1 {
		t.Fatalf("trees %d, problems %v", len(trees), probs)
	}
	o := trees[0].Objects[0]
	in := o.Ingress
	if in == nil {
		t.Fatal("not read as an Ingress")
	}
	if o.NamespacedName() != "shop/web" || at(o.Range) != "2:1" {
		t.Errorf("object %s at %s", o.NamespacedName(), at(o.Range))
	}
	sec := in.Annotation("auth-tls-secret")
	if sec.Value != "shop/ca" || at(sec.Range) != "8:50" || sec.Range.End.Col != 59 || at(sec.KeyRange) != "8:5" {
		t.Errorf("auth-tls-secret = %q at %s-%s key %s", sec.Value, at(sec.Range), sec.Range.End, at(sec.KeyRange))
	}
	if v := in.Annotation("auth-tls-verify-client"); v.Value != "optional_no_ca" || at(v.Range) != "9:57" || v.Range.End.Col != 71 {
		t.Errorf("auth-tls-verify-client = %q at %s-%s", v.Value, at(v.Range), v.Range.End)
	}
	if in.Class.Value != "nginx" {
		t.Errorf("class %q", in.Class.Value)
	}
	if db := in.DefaultBackend; db == nil || db.Service.Value != "fallback" || db.Port.Value != "http" || !db.PortIsName {
		t.Errorf("default backend %+v", db)
	}
	if len(in.TLS) != 1 || len(in.TLS[0].Hosts) != 1 || in.TLS[0].Hosts[0].Value != "shop.example.com" || in.TLS[0].SecretName.Value != "shop-tls" {
		t.Errorf("tls %+v", in.TLS)
	}
	if len(in.Rules) != 2 {
		t.Fatalf("rules %d", len(in.Rules))
	}
	r0, r1 := in.Rules[0], in.Rules[1]
	if r0.Host.Value != "shop.example.com" || at(r0.Host.Range) != "22:11" || at(r0.Range) != "22:5" || !r0.HTTP {
		t.Errorf("rule 0 host %q at %s, rule at %s", r0.Host.Value, at(r0.Host.Range), at(r0.Range))
	}
	p := r0.Paths[0]
	if p.Path.Value != "/api" || p.PathType.Value != "Prefix" || p.Backend.Service.Value != "api" || p.Backend.Port.Value != "8080" || p.Backend.PortIsName {
		t.Errorf("path %+v", p)
	}
	if at(p.Backend.Service.Range) != "29:19" || at(p.Range) != "25:9" {
		t.Errorf("backend service at %s, path at %s", at(p.Backend.Service.Range), at(p.Range))
	}
	if r1.Host.Set || len(r1.Paths) != 1 || r1.Paths[0].Backend.Service.Value != "web" {
		t.Errorf("host-less rule %+v", r1)
	}
}

func TestIngressV1beta1(t *testing.T) {
	src := `apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: old
  annotations:
    kubernetes.io/ingress.class: nginx
spec:
  backend:
    serviceName: fallback
    servicePort: 80
  rules:
  - host: a.example
    http:
      paths:
      - path: /
        backend:
          serviceName: app
          servicePort: http
`
	trees, probs := load(t, map[string]string{"old.yml": src})
	if len(probs) != 0 || len(trees) != 1 {
		t.Fatalf("problems %v", probs)
	}
	in := trees[0].Objects[0].Ingress
	if in.Class.Value != "nginx" || in.DefaultBackend.Service.Value != "fallback" || in.DefaultBackend.Port.Value != "80" {
		t.Errorf("class %q default %+v", in.Class.Value, in.DefaultBackend)
	}
	b := in.Rules[0].Paths[0].Backend
	if b.Service.Value != "app" || b.Port.Value != "http" || !b.PortIsName || at(b.Service.Range) != "17:24" {
		t.Errorf("backend %+v at %s", b, at(b.Service.Range))
	}
}

// A broken document is reported where it breaks; the documents around it
// are still read.
func TestSyntaxErrorKeepsOtherDocuments(t *testing.T) {
	src := `apiVersion: v1
kind: Service
metadata:
  name: one
---
apiVersion: v1
kind: Service
metadata:
  name: [broken
  labels: {}
---
apiVersion: v1
kind: Service
metadata:
  name: three
`
	trees, probs := load(t, map[string]string{"svc.yaml": src})
	if len(probs) != 1 || probs[0].Kind != source.ProblemSyntax {
		t.Fatalf("problems %v", probs)
	}
	if l := probs[0].Range.Start.Line; l != 9 {
		t.Errorf("syntax error reported on line %d, want 9: %s", l, probs[0].Message)
	}
	if len(trees) != 1 || len(trees[0].Objects) != 2 {
		t.Fatalf("objects: %d trees", len(trees))
	}
	if n := trees[0].Objects[1].Name; n.Value != "three" || at(n.Range) != "15:9" {
		t.Errorf("third document: %q at %s", n.Value, at(n.Range))
	}
}

func TestDocumentEndMarker(t *testing.T) {
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n...\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
	trees, probs := load(t, map[string]string{"cm.yaml": src})
	if len(probs) != 0 || len(trees) != 1 || len(trees[0].Objects) != 2 {
		t.Fatalf("problems %v", probs)
	}
	if n := trees[0].Objects[1].Name; n.Value != "b" || n.Range.Start.Line != 9 {
		t.Errorf("second document name %q on line %d", n.Value, n.Range.Start.Line)
	}
}

func TestServiceNetworkPolicyConfigMap(t *testing.T) {
	src := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: app}
  spec:
    type: NodePort
    selector: {app: web}
    ports:
    - name: http
      port: 80
      targetPort: 8000
      nodePort: 30080
    externalIPs: [203.0.113.7]
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: only-ingress}
  spec:
    podSelector:
      matchLabels: {app: web}
      matchExpressions:
      - {key: tier, operator: NotIn, values: [db]}
    ingress:
    - from:
      - namespaceSelector:
          matchLabels: {kubernetes.io/metadata.name: ingress-nginx}
        podSelector:
          matchLabels: {app.kubernetes.io/name: ingress-nginx}
      - ipBlock: {cidr: 10.0.0.0/8}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
  data:
    enable-underscores-in-headers: "true"
`
	trees, probs := load(t, map[string]string{"all.yaml": src})
	if len(probs) != 0 || len(trees) != 1 {
		t.Fatalf("problems %v", probs)
	}
	c := trees[0].Cluster()
	svcs, nps, cms := c.Services(), c.NetworkPolicies(), c.ConfigMaps()
	if len(svcs) != 1 || len(nps) != 1 || len(cms) != 1 {
		t.Fatalf("services %d, policies %d, configmaps %d", len(svcs), len(nps), len(cms))
	}
	s := svcs[0]
	if s.Type.Value != "NodePort" || at(s.Type.Range) != "8:11" || s.Selector["app"] != "web" || len(s.Ports) != 1 || s.Ports[0].TargetPort.Value != "8000" || s.Ports[0].NodePort.Value != "30080" {
		t.Errorf("service %+v", s)
	}
	if len(s.ExternalIPs) != 1 || s.ExternalIPs[0].Value != "203.0.113.7" {
		t.Errorf("external IPs %+v", s.ExternalIPs)
	}
	np := nps[0]
	if !np.IsolatesIngress() || !np.PodSelector.Matches(map[string]string{"app": "web", "tier": "front"}) || np.PodSelector.Matches(map[string]string{"app": "web", "tier": "db"}) {
		t.Errorf("pod selector %+v", np.PodSelector)
	}
	if len(np.IngressRules) != 1 || len(np.IngressRules[0].From) != 2 {
		t.Fatalf("ingress rules %+v", np.IngressRules)
	}
	peer := np.IngressRules[0].From[0]
	if peer.NamespaceSelector == nil || peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != "ingress-nginx" || peer.PodSelector == nil {
		t.Errorf("peer %+v", peer)
	}
	if ip := np.IngressRules[0].From[1].IPBlock; ip.Value != "10.0.0.0/8" {
		t.Errorf("ipBlock %+v", ip)
	}
	if v := cms[0].Data["enable-underscores-in-headers"]; v.Value != "true" || at(v.Range) != "35:36" || at(v.KeyRange) != "35:5" {
		t.Errorf("configmap value %q at %s key %s", v.Value, at(v.Range), at(v.KeyRange))
	}
}

func TestWorkloads(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      hostNetwork: true
      containers:
      - name: django
        image: shop:1
        command: ["gunicorn", "shop.wsgi"]
        args:
        - --bind
        - 0.0.0.0:8000
        env:
        - name: DJANGO_SETTINGS_MODULE
          value: shop.settings.prod
        - name: SECRET_KEY
          valueFrom: {secretKeyRef: {name: s, key: k}}
        ports:
        - containerPort: 8000
          hostPort: 8000
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        metadata: {labels: {job: nightly}}
        spec:
          containers:
          - name: run
            command: sh -c "python manage.py clearsessions"
`
	trees, probs := load(t, map[string]string{"deploy.yaml": src})
	if len(probs) != 0 || len(trees) != 1 {
		t.Fatalf("problems %v", probs)
	}
	ws := trees[0].Cluster().Workloads()
	if len(ws) != 2 {
		t.Fatalf("workloads %d", len(ws))
	}
	w := ws[0]
	if w.PodLabels["app"] != "web" || w.HostNetwork.Value != "true" || at(w.HostNetwork.KeyRange) != "10:7" || len(w.Containers) != 1 {
		t.Fatalf("workload %+v", w)
	}
	c := w.Containers[0]
	var cmd []string
	for _, s := range append(c.Command, c.Args...) {
		cmd = append(cmd, s.Value)
	}
	if strings.Join(cmd, " ") != "gunicorn shop.wsgi --bind 0.0.0.0:8000" {
		t.Errorf("command %q", cmd)
	}
	if len(c.Env) != 2 || c.Env[0].Value.Value != "shop.settings.prod" || !c.Env[1].FromSource {
		t.Errorf("env %+v", c.Env)
	}
	if len(c.Ports) != 1 || c.Ports[0].HostPort.Value != "8000" {
		t.Errorf("ports %+v", c.Ports)
	}
	cj := ws[1]
	if cj.PodLabels["job"] != "nightly" || len(cj.Containers) != 1 || len(cj.Containers[0].Command) != 1 {
		t.Errorf("cronjob %+v", cj)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		path, content string
		want          bool
	}{
		{"ing.yaml", ingressV1, true},
		{"k/kustomization.yaml", "resources: [a.yaml]\n", true},
		{"docker-compose.yml", "services:\n  web:\n    image: x\n", false},
		{"openapi.yaml", "openapi: 3.1.0\ninfo: {title: x}\n", false},
		{"secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n", false},
		{"nested.yaml", "apiVersion: v1\nitems:\n  - kind: Service\n", false},
		{"ing.json", `{"apiVersion": "v1", "kind": "Service"}`, false},
		{"patch.yaml", "- op: add\n  path: /metadata/annotations\n  value:\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n", true},
		{"other-patch.yaml", "- op: replace\n  path: /spec/replicas\n  value: 3\n", false},
		{"crlf.yaml", "apiVersion: v1\r\nkind: Service\r\n", true},
	}
	for _, c := range cases {
		if got := k8s.Detect(c.path, []byte(c.content)); got != c.want {
			t.Errorf("Detect(%s) = %v, want %v", c.path, got, c.want)
		}
	}
}

func notAnalysed(probs []source.Problem) []string {
	var out []string
	for _, p := range probs {
		if p.Kind == k8s.ProblemNotRendered {
			out = append(out, p.Range.File)
		}
	}
	return out
}

func TestTemplatesAndPatchesAreNotAnalysed(t *testing.T) {
	t.Setenv(render.EnvProgram, filepath.Join(t.TempDir(), "absent"))
	files := map[string]string{
		// A Helm template that happens to parse as YAML.
		"tpl/ingress.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: \"{{ .Release.Name }}\"\n",
		// One that does not.
		"tpl/svc.yaml": "{{- if .Values.enabled }}\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"x\" . }}\n{{- end }}\n",
		// Any file of a chart's templates directory.
		"chart/Chart.yaml":              "apiVersion: v2\nname: c\n",
		"chart/templates/configmap.yml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		// Kustomize: a strategic-merge patch and a JSON6902 one.
		"overlay/kustomization.yaml": "resources: [../base]\npatchesStrategicMerge:\n- ingress-patch.yaml\npatches:\n- path: svc-patch.yaml\n  target: {kind: Service}\n- patch: |-\n    - op: add\n",
		"overlay/ingress-patch.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: optional\n",
		"overlay/svc-patch.yaml":     "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: NodePort}\n",
		"patches/json.yaml":          "# adds mTLS\n- op: add\n  path: /metadata/annotations\n  value:\n    nginx.ingress.kubernetes.io/auth-tls-secret: ns/ca\n",
		// A ConfigMap carrying an alerting template in a block scalar is a
		// manifest, not a template.
		"alerts/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\ndata:\n  tmpl: |\n    {{ define \"x\" }}{{ .Labels }}{{ end }}\n",
	}
	trees, probs := load(t, files)
	got := strings.Join(notAnalysed(probs), " ")
	// Without the renderer, the overlay and the chart say so, and their
	// files are read as written.
	want := "overlay/kustomization.yaml chart/Chart.yaml chart/templates/configmap.yml overlay/ingress-patch.yaml overlay/svc-patch.yaml patches/json.yaml tpl/ingress.yaml tpl/svc.yaml"
	if got != want {
		t.Errorf("not analysed: %s\nwant:         %s", got, want)
	}
	for _, p := range probs[:2] {
		if !strings.Contains(p.Message, "was not rendered") || !strings.Contains(p.Detail, "mtlslint-render is not installed") {
			t.Errorf("%s: %s (%s), want the renderer reported missing", p.Range, p.Message, p.Detail)
		}
	}
	for _, p := range probs {
		if p.Kind != k8s.ProblemNotRendered {
			t.Errorf("unexpected problem %v", p)
		}
		if p.Range.File == "patches/json.yaml" && p.Range.Start.Line != 2 {
			t.Errorf("patch finding on line %d, want the first line that is not a comment", p.Range.Start.Line)
		}
	}
	// The orphan JSON6902 patch sets the annotations in whole: they are
	// read, as those of the Ingress it patches. The strategic-merge patch
	// of the unrendered overlay is read alone too, knowing only the
	// annotations it names; the Service patch is not read.
	var names []string
	for _, tr := range trees {
		names = append(names, tr.Root().Path)
	}
	if strings.Join(names, " ") != "alerts/cm.yaml overlay/ingress-patch.yaml patches/json.yaml" {
		t.Fatalf("trees %v, want alerts/cm.yaml, overlay/ingress-patch.yaml and patches/json.yaml", names)
	}
	objs := trees[2].Objects
	if len(objs) != 1 || objs[0].Ingress == nil || objs[0].Ref() != "the Ingress that patches/json.yaml patches" || objs[0].PartialAnnotations {
		t.Fatalf("orphan patch objects %+v", objs)
	}
	if s := objs[0].Ingress.Annotation("auth-tls-secret"); s.Value != "ns/ca" || s.Line().Start.Line != 5 {
		t.Errorf("auth-tls-secret %+v, want ns/ca on line 5", s)
	}
	smp := trees[1].Objects
	if len(smp) != 1 || smp[0].Ingress == nil || smp[0].Ref() != "Ingress web as overlay/ingress-patch.yaml patches it" || !smp[0].PartialAnnotations {
		t.Fatalf("strategic-merge patch objects %+v", smp)
	}
	if s := smp[0].Ingress.Annotation("auth-tls-verify-client"); s.Value != "optional" || s.Line().Start.Line != 6 {
		t.Errorf("auth-tls-verify-client %+v, want optional on line 6", s)
	}
	for i := 1; i < 3; i++ {
		if trees[i].Cluster() == trees[0].Cluster() || trees[i].Cluster() == trees[3-i].Cluster() {
			t.Errorf("the patch %s shares a cluster with another tree", names[i])
		}
	}
}

func TestOrphanPatchSingleAnnotations(t *testing.T) {
	// Operations on single annotations decide those annotations only.
	trees, probs := load(t, map[string]string{
		"p.yaml": "- op: add\n  path: /metadata/annotations/nginx.ingress.kubernetes.io~1auth-tls-verify-client\n  value: optional\n" +
			"- op: remove\n  path: /metadata/annotations/nginx.ingress.kubernetes.io~1auth-tls-secret\n" +
			"- op: replace\n  path: /metadata/annotations/a~0b/c\n  value: x\n",
	})
	if len(trees) != 1 || len(probs) != 1 || probs[0].Kind != k8s.ProblemNotRendered {
		t.Fatalf("trees %d, problems %v", len(trees), probs)
	}
	o := trees[0].Objects[0]
	if !o.PartialAnnotations || len(o.Annotations) != 1 {
		t.Fatalf("partial %v, annotations %v; want only auth-tls-verify-client, partially known", o.PartialAnnotations, o.Annotations)
	}
	if s := o.Ingress.Annotation("auth-tls-verify-client"); s.Value != "optional" || s.Line().Start.Line != 2 || s.Range.Start.Line != 3 {
		t.Errorf("auth-tls-verify-client %+v, want optional from the operation on lines 2-3", s)
	}
}

func TestHostileInputs(t *testing.T) {
	inputs := []string{
		"a: &a [*a]\nkind: Service\napiVersion: v1\n",
		"kind: Service\napiVersion: v1\nmetadata: &m\n  <<: *m\n",
		"kind: Service\napiVersion: v1\n" + strings.Repeat("[", 5000),
		"\xef\xbb\xbfkind: Service\napiVersion: v1\nmetadata: {name: bom}\n",
		"kind: Service\napiVersion: v1\nspec:\n\tports: []\n",
		"---\n---\n...\n",
		"kind: Ingress\napiVersion: v1\nspec:\n  rules: [1, {http: {paths: [7, {backend: [x]}]}}]\n",
	}
	for i, in := range inputs {
		trees, probs := load(t, map[string]string{"h.yaml": in})
		_ = trees
		for _, p := range probs {
			if !p.Range.Start.IsValid() {
				t.Errorf("input %d: problem without a position: %v", i, p)
			}
		}
	}
}

func TestMergeKeys(t *testing.T) {
	src := `apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels: &l {app: web}
data:
  <<: {use-forwarded-headers: "true"}
  ignore-invalid-headers: "false"
`
	trees, _ := load(t, map[string]string{"m.yaml": src})
	cm := trees[0].Cluster().ConfigMaps()[0]
	if cm.Data["use-forwarded-headers"].Value != "true" || cm.Data["ignore-invalid-headers"].Value != "false" {
		t.Errorf("data %+v", cm.Data)
	}
}

func TestLegacyAnnotationPrefix(t *testing.T) {
	src := "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: old\n  annotations:\n    ingress.kubernetes.io/auth-tls-secret: ns/ca\n    ingress.kubernetes.io/auth-tls-verify-client: optional\n    nginx.ingress.kubernetes.io/auth-tls-verify-client: \"on\"\n"
	trees, _ := load(t, map[string]string{"old.yaml": src})
	in := trees[0].Objects[0].Ingress
	if in.Annotation("auth-tls-secret").Value != "ns/ca" || in.Annotation("auth-tls-verify-client").Value != "on" {
		t.Errorf("secret %q, verify %q: the current prefix wins, the old one fills in", in.Annotation("auth-tls-secret").Value, in.Annotation("auth-tls-verify-client").Value)
	}
}

// Custom resources that share a kind name are not read as the built-in.
func TestCustomResourcesWithBuiltInKinds(t *testing.T) {
	src := "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: knative}\nspec: {template: {spec: {containers: [{image: x}]}}}\n---\n" +
		"apiVersion: voyager.appscode.com/v1beta1\nkind: Ingress\nmetadata:\n  name: voyager\n  annotations: {ingress.kubernetes.io/auth-tls-secret: ca}\n---\n" +
		"kind: ConfigMap\nmetadata: {name: no-api-version}\n---\n" +
		"apiVersion: v1\nkind: Service\nmetadata: {name: real}\n"
	trees, _ := load(t, map[string]string{"crd.yaml": src})
	c := trees[0].Cluster()
	if len(trees[0].Objects) != 4 || len(c.Services()) != 1 || c.Services()[0].Obj.Name.Value != "real" || len(c.Ingresses()) != 0 || len(c.ConfigMaps()) != 0 {
		t.Errorf("objects %d, services %d, ingresses %d, configmaps %d", len(trees[0].Objects), len(c.Services()), len(c.Ingresses()), len(c.ConfigMaps()))
	}
}
