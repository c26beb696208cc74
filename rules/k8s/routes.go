package k8s

import (
	"bytes"
	"fmt"
	"strings"

	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Routes builds the routes of the Kubernetes front doors: ingress-nginx's
// from Ingress manifests (host × path → Service, with the request headers
// as the controller's nginx.tmpl treats them), the Gateway API's from
// HTTPRoutes attached to Gateway listeners (gateway.go), and the AWS Load
// Balancer Controller's from its Ingresses (alb.go). The routes of one manifest file take what the rest of the
// cluster (the other Ingresses of each host, the controller ConfigMap,
// the Services and their pods) contributes.
var Routes = rules.NewRouteBuilder("k8s-routes", requiresRoutes, func(p *rules.Pass) []*rules.Route {
	f, ok := p.Tree.(*kube.File)
	if !ok || clusterOf(p, f) == nil {
		return nil
	}
	a := clusterOf(p, f)
	var out []*rules.Route
	for _, in := range a.ingresses {
		if in.Obj.File == f.Root() {
			out = append(out, a.routes(in)...)
		}
	}
	out = append(out, gatewayRoutes(p, f)...)
	return append(out, albRoutes(p, f)...)
})

// requiresRoutes is what the route builder reads: ingress-nginx's
// analysis, the Gateway API's and the AWS Load Balancer Controller's.
var requiresRoutes = []*rules.Analysis{Clusters, gatewayAPI, albIngresses}

// routes returns the routes of one Ingress.
func (a *analysis) routes(in *kube.Ingress) []*rules.Route {
	ids := map[string]int{}
	var out []*rules.Route
	for _, ref := range a.serviceRef {
		for _, e := range a.entrances[ref] {
			if e.ing == in {
				out = append(out, a.entranceRoutes(e, ids)...)
			}
		}
	}
	rules.SortRoutes(out)
	return out
}

// entranceRoutes returns the HTTPS route of an entrance, and the plain
// HTTP one unless the controller redirects it to HTTPS.
func (a *analysis) entranceRoutes(e *entrance, ids map[string]int) []*rules.Route {
	out := []*rules.Route{a.route(e, true, ids)}
	if !a.redirected(e) {
		out = append(out, a.route(e, false, ids))
	}
	return out
}

// redirected reports whether plain HTTP requests get a redirect to HTTPS
// instead of being proxied: with force-ssl-redirect, or with ssl-redirect
// (on unless turned off) when the host has TLS.
func (a *analysis) redirected(e *entrance) bool {
	if v, ok := boolValue(e.ing.Annotation("force-ssl-redirect")); ok && v {
		return true
	}
	redirect := a.controller.sslRedirect
	if v, ok := boolValue(e.ing.Annotation("ssl-redirect")); ok {
		redirect = v
	}
	return redirect && e.host.tls
}

func (a *analysis) route(e *entrance, tls bool, ids map[string]int) *rules.Route {
	in := e.ing
	svcs := a.services(in.Obj, e.backend)
	port, _ := servicePort(svcs, e.backend)
	ns := in.Obj.NamespaceOrDefault()
	svc := e.backend.Service.Value
	scheme := "https"
	if !tls {
		scheme = "http"
	}
	pathText := "/"
	rng := e.backend.Range
	if !e.isDefault {
		pathText = e.path.Path.Value
		if pathText == "" {
			pathText = "/"
		}
		rng = e.path.Range
	}
	what := pathText
	if e.isDefault {
		what = "default backend"
	}
	id := fmt.Sprintf("k8s:%s:%s%s:%s", in.Obj.NamespacedName(), e.host.name, pathText, scheme)
	if e.isDefault {
		id = fmt.Sprintf("k8s:%s:%s:default:%s", in.Obj.NamespacedName(), e.host.name, scheme)
	}
	if n := ids[id]; n > 0 {
		ids[id] = n + 1
		id = fmt.Sprintf("%s#%d", id, n+1)
	} else {
		ids[id] = 1
	}
	r := &rules.Route{
		ID:    id,
		Proxy: "ingress-nginx",
		// The controller is nginx: headers with empty values are left out,
		// and its own headers come before the client's.
		OmitsEmpty: true,
		ProxyFirst: true,
		Desc:       fmt.Sprintf("Ingress %s, host %s, %s (%s)", in.Obj.NamespacedName(), e.host.name, what, scheme) + renderedIn(in.Obj),
		Path:       pathText,
		Upstream: rules.Upstream{
			Name:    fmt.Sprintf("svc/%s/%s:%s", ns, svc, port),
			Servers: []rules.Endpoint{{Host: svc + "." + ns + ".svc.cluster.local", Port: port}},
			Range:   e.backend.Service.Line(),
		},
		Default: rules.Passthrough,
		Range:   rng,
	}
	if e.host.name != catchAll {
		r.Hosts = []string{e.host.name}
	}
	for _, s := range svcs {
		for _, ws := range a.djangoServers(s) {
			w := a.reach(ws.w)
			w.Name = strings.ToLower(ws.w.Obj.Kind) + " " + ws.w.Obj.NamespacedName()
			w.Server, w.Binds, w.SettingsModule, w.Range = ws.srv.Server, ws.srv.Binds, ws.srv.SettingsModule, ws.srv.Range
			r.Upstream.Workloads = append(r.Upstream.Workloads, w)
		}
	}
	r.Listener = a.listener(e, tls)
	r.Headers = a.headers(e, tls)
	u := a.controller
	r.AdmitsUnderscore = u.underscores != nil || u.invalidHeaders != nil
	auth := e.host.auth
	if tls && auth.hasCA() && auth.name == "optional" && strings.TrimSpace(auth.matchCN.Value) != "" {
		// Without a certificate $ssl_client_s_dn is empty, so the
		// auth-tls-match-cn check answers 403; with optional, nginx has
		// already refused certificates that fail verification.
		r.Gated = true
	}
	r.SetHint = setHint(tls, a.controller.forwardedHeaders != nil)
	return r
}

// controllerHeaders are the headers ingress-nginx itself sets from TLS
// state when an Ingress of the host configures auth-tls-secret.
var controllerHeaders = map[string]bool{"ssl-client-verify": true, "ssl-client-subject-dn": true, "ssl-client-issuer-dn": true, "ssl-client-cert": true}

// snippetVariables are the nginx variables a configuration snippet sets a
// header from, by the fact they carry.
var snippetVariables = map[rules.Fact]string{
	rules.FactVerify: "$ssl_client_verify", rules.FactSubjectDN: "$ssl_client_s_dn", rules.FactIssuerDN: "$ssl_client_i_dn",
	rules.FactCert: "$ssl_client_escaped_cert", rules.FactFingerprint: "$ssl_client_fingerprint", rules.FactSerial: "$ssl_client_serial",
}

// setHint says how an Ingress overwrites a header, in ingress-nginx's
// terms: the controller's own ssl-client-* headers come with
// auth-tls-secret, the scheme and host headers from the controller unless
// use-forwarded-headers keeps the client's, and any other header through
// the configuration-snippet annotation.
func setHint(tls, forwarded bool) func(header string, fact rules.Fact) string {
	return func(header string, fact rules.Fact) string {
		h, name := rules.HeaderName(header), rules.DisplayHeader(header)
		switch {
		case controllerHeaders[h] && tls:
			return "set `nginx.ingress.kubernetes.io/auth-tls-secret` on the Ingress, so that ingress-nginx sets it from TLS state"
		case (fact == rules.FactScheme || fact == rules.FactHost) && forwarded:
			return "set `use-forwarded-headers: \"false\"` in the controller's ConfigMap, so that ingress-nginx sets it itself"
		case snippetVariables[fact] != "" && tls:
			return fmt.Sprintf("set it with `proxy_set_header %s %s;` in the Ingress's `nginx.ingress.kubernetes.io/configuration-snippet`", name, snippetVariables[fact])
		}
		return fmt.Sprintf("remove the client's copy with `proxy_set_header %s \"\";` in the Ingress's `nginx.ingress.kubernetes.io/configuration-snippet`", name)
	}
}

func (a *analysis) listener(e *entrance, tls bool) rules.Listener {
	l := rules.Listener{
		Endpoint: rules.Endpoint{Port: "443"},
		TLS:      tls,
		Verify:   rules.VerifyOff,
		Default:  e.host.name == catchAll,
	}
	if !tls {
		l.Endpoint.Port = "80"
	}
	for _, m := range e.host.members {
		if m.ing == e.ing {
			l.Range = m.rule.Host.Line()
			if !l.Range.IsValid() {
				l.Range = m.rule.Range
			}
			break
		}
	}
	if !l.Range.IsValid() {
		l.Range = e.backend.Range
	}
	if auth := e.host.auth; tls && auth.hasCA() {
		l.Verify = auth.mode
		l.CA = auth.secret.Value
		l.VerifyRange = auth.secret.Line()
		if auth.verify.Set {
			l.VerifyRange = auth.verify.Line()
		}
	}
	return l
}

// headers is how the controller's template treats the request headers
// apps trust, on one route.
func (a *analysis) headers(e *entrance, tls bool) map[string]rules.HeaderTreatment {
	h := map[string]rules.HeaderTreatment{}
	auth := e.host.auth
	order := ""
	if !e.host.decided {
		order = "; the Ingresses of this host name different CAs or modes and the controller uses the first it reads, so this is the weakest of them"
	}
	certHeaders := []struct {
		name, variable string
		fact           rules.Fact
	}{
		{"ssl-client-verify", "$ssl_client_verify", rules.FactVerify},
		{"ssl-client-subject-dn", "$ssl_client_s_dn", rules.FactSubjectDN},
		{"ssl-client-issuer-dn", "$ssl_client_i_dn", rules.FactIssuerDN},
		{"ssl-client-cert", "$ssl_client_escaped_cert", rules.FactCert},
	}
	for _, ch := range certHeaders {
		t := rules.HeaderTreatment{Name: ch.name}
		setByTemplate := auth.hasCA() && (ch.name != "ssl-client-cert" || auth.pass)
		switch {
		case setByTemplate && tls:
			t.Action, t.Value, t.Fact, t.Range = rules.SetTLS, ch.variable, ch.fact, auth.secret.Line()
			t.Note = "set by ingress-nginx because " + auth.ing.Obj.Ref() + " configures auth-tls-secret for host " + e.host.name + order
		case setByTemplate:
			t.Action, t.Value, t.Fact, t.Range = rules.Blanked, ch.variable, ch.fact, auth.secret.Line()
			t.Note = "plain HTTP: " + ch.variable + " is empty, so nginx sends no " + ch.name + " and the client's copy is dropped"
		case auth.hasCA():
			t.Action = rules.Passthrough
			t.Note = "ingress-nginx sets ssl-client-cert only with auth-tls-pass-certificate-to-upstream: \"true\", so the client's copy passes"
		default:
			t.Action = rules.Passthrough
			t.Note = "ingress-nginx sets the ssl-client-* headers only for a host with auth-tls-secret, so the client's copy passes"
		}
		h[ch.name] = t
	}
	fwd := a.controller.forwardedHeaders
	scheme := func(name, variable string) {
		t := rules.HeaderTreatment{Name: name, Action: rules.SetOther, Value: variable, Note: "the scheme or port of the client's connection"}
		if fwd != nil {
			t.Action, t.Range = rules.SetClient, fwd.value.Line()
			t.Note = "use-forwarded-headers is on, so the client's own X-Forwarded-Proto/-Port is passed on as " + name
		}
		h[name] = t
	}
	scheme("x-forwarded-proto", "$pass_access_scheme")
	scheme("x-forwarded-scheme", "$pass_access_scheme")
	scheme("x-scheme", "$pass_access_scheme")
	scheme("x-forwarded-port", "$pass_port")
	host := rules.HeaderTreatment{Name: "x-forwarded-host", Action: rules.SetOther, Value: "$best_http_host", Note: "the request's Host, which selected this server"}
	if fwd != nil {
		host.Action, host.Range = rules.SetClient, fwd.value.Line()
		host.Note = "use-forwarded-headers is on, so the client's own X-Forwarded-Host is passed on"
	}
	h["x-forwarded-host"] = host
	addr := func(name, value string) {
		t := rules.HeaderTreatment{Name: name, Action: rules.SetOther, Value: value, Note: "the client's address"}
		if fwd != nil && a.controller.realIPFrom != "" {
			t.Note = "the address from X-Forwarded-For, trusted only from proxy-real-ip-cidr " + a.controller.realIPFrom
		} else if fwd != nil {
			t.Action, t.Range = rules.SetClient, fwd.value.Line()
			t.Note = "use-forwarded-headers is on and proxy-real-ip-cidr defaults to 0.0.0.0/0, so the address comes from the client's X-Forwarded-For"
		}
		h[name] = t
	}
	addr("x-real-ip", "$remote_addr")
	if fwd != nil && a.controller.fullForwardedFor {
		h["x-forwarded-for"] = rules.HeaderTreatment{Name: "x-forwarded-for", Action: rules.Appended, Value: "$full_x_forwarded_for", Range: fwd.value.Line(), Note: "compute-full-forwarded-for appends to the client's X-Forwarded-For"}
	} else {
		addr("x-forwarded-for", "$remote_addr")
	}
	h["x-original-forwarded-for"] = rules.HeaderTreatment{Name: "x-original-forwarded-for", Action: rules.SetClient, Value: "$http_x_forwarded_for", Note: "the client's X-Forwarded-For"}
	h["x-request-id"] = rules.HeaderTreatment{Name: "x-request-id", Action: rules.SetClient, Value: "$req_id", Note: "the client's X-Request-ID, or a generated one"}
	h["proxy"] = rules.HeaderTreatment{Name: "proxy", Action: rules.Blanked, Value: `""`, Note: "cleared against httpoxy"}
	a.snippetHeaders(e.ing, h)
	return h
}

var (
	snippetSet   = source.LazyRegexp(`^\s*proxy_set_header\s+(\S+)\s+(.*?)\s*;`)
	snippetMore  = source.LazyRegexp(`^\s*more_set_input_headers\s+(?:-r\s+)?["']?([^:"'\s]+):\s*([^"';]*)["']?`)
	snippetClear = source.LazyRegexp(`^\s*more_clear_input_headers\s+(.*?);`)
)

// snippetHeaders applies the header directives of the Ingress's
// configuration-snippet, which the template inserts into every location
// of the Ingress. A header the template itself sets stays as the template
// sets it (nginx would send both; the note says so).
func (a *analysis) snippetHeaders(in *kube.Ingress, h map[string]rules.HeaderTreatment) {
	snip := in.Annotation("configuration-snippet")
	if !snip.Set || snip.Value == "" {
		return
	}
	f := in.Obj.SourceFile(snip.Range)
	for _, line := range strings.Split(snip.Value, "\n") {
		var name, value string
		action := rules.Unknown
		if m := snippetSet().FindStringSubmatch(line); m != nil {
			name, value = strings.ToLower(m[1]), m[2]
			action = classify(value)
		} else if m := snippetMore().FindStringSubmatch(line); m != nil {
			name, value = strings.ToLower(m[1]), strings.TrimSpace(m[2])
			action = classify(value)
			if value == "" {
				action = rules.Blanked
			}
		} else if m := snippetClear().FindStringSubmatch(line); m != nil {
			for _, n := range strings.Fields(m[1]) {
				n = strings.ToLower(strings.Trim(n, `"'`))
				if _, set := h[n]; !set || h[n].Action == rules.Passthrough {
					h[n] = rules.HeaderTreatment{Name: n, Action: rules.Blanked, Range: snippetLine(f, snip, line), Note: "cleared by more_clear_input_headers in the configuration-snippet"}
				}
			}
			continue
		} else {
			continue
		}
		t := rules.HeaderTreatment{Name: name, Action: action, Value: value, Fact: snippetFact(value), Range: snippetLine(f, snip, line), Note: "set in the configuration-snippet annotation"}
		if old, set := h[name]; set && old.Action != rules.Passthrough {
			old.Note += "; the configuration-snippet sets it again (" + strings.TrimSpace(line) + "), and nginx then sends both"
			h[name] = old
			continue
		}
		h[name] = t
	}
}

// classify says where an nginx header value comes from.
func classify(v string) rules.HeaderAction {
	t := strings.Trim(strings.TrimSpace(v), `"'`)
	switch {
	case t == "":
		return rules.Blanked
	case strings.Contains(t, "$ssl_"):
		return rules.SetTLS
	case strings.Contains(t, "$http_") || strings.Contains(t, "$arg_") || strings.Contains(t, "$cookie_"):
		return rules.SetClient
	case !strings.Contains(t, "$"):
		return rules.SetConst
	}
	return rules.SetOther
}

// snippetFact says what fact a snippet's nginx value carries, as far as
// the cross-file rules need: the verification result, or the request's
// Host.
func snippetFact(v string) rules.Fact {
	if strings.Contains(v, "$ssl_client_verify") || strings.Contains(v, "${ssl_client_verify}") {
		return rules.FactVerify
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "$host", "$http_host", "${host}", "${http_host}", "$server_name":
		return rules.FactHost
	}
	return rules.FactNone
}

// snippetLine finds a snippet line in the file: the annotation's value is
// a block scalar that starts on the line after its key.
func snippetLine(f *source.File, snip kube.Scalar, line string) source.Range {
	text := []byte(strings.TrimSpace(line))
	from := snip.Range.Start.Offset
	if i := bytes.Index(f.Content[from:], text); i >= 0 && len(text) > 0 {
		start := from + i
		return f.Range(start, start+len(text))
	}
	return snip.Line()
}

// renderedIn names the rendered environment of an object for route
// descriptions, or is empty for a manifest as written.
func renderedIn(o *kube.Object) string {
	if o.Environment == "" {
		return ""
	}
	return ", rendered in " + o.Environment
}
