package django

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/compose"
	"github.com/mtlslint/mtlslint/parsers/gunicorn"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

var gunicornKinds = []string{parsers.KindGunicorn}

// bindKinds are the trees whose binds G001 judges: app-server files, and
// compose files for the binds their services' command lines start.
var bindKinds = []string{parsers.KindGunicorn, parsers.KindCompose}

const gunicornSettings = "https://docs.gunicorn.org/en/stable/settings.html"

func gunicornTree(p *rules.Pass) *gunicorn.Tree {
	t, _ := p.Tree.(*gunicorn.Tree)
	return t
}

// trustedHeaders lists the proxy headers trusted by the apps that listen
// where r says (a bind or socket option, or the command whose default
// address applies) from every peer (rules.App.OpenToAll: IP-gated headers
// only where the allowed peers are "*"), from the deployment model.
func trustedHeaders(p *rules.Pass, r source.Range) []string {
	var out []string
	apps, _ := p.ResultOf(Apps).([]*rules.App)
	for _, a := range apps {
		binds := false
		for _, b := range a.Binds {
			if b.Range == r {
				binds = true
			}
		}
		if !binds {
			continue
		}
		for _, t := range a.Trusts {
			if a.OpenToAll(t) {
				out = append(out, t.Header)
			}
		}
	}
	out = dedupe(out)
	sort.Strings(out)
	return out
}

// bindsOnlyLocally reports whether every app server the tree configures
// listens on loopback or a UNIX socket (explicitly; gunicorn's default is
// 127.0.0.1:8000 unless PORT is set).
func bindsOnlyLocally(t *gunicorn.Tree) bool {
	for _, e := range t.Env {
		if e.Name == "PORT" || e.Name == "GUNICORN_CMD_ARGS" {
			return false
		}
	}
	binds := t.Options("bind")
	if len(binds) == 0 {
		for _, c := range t.Commands {
			if c.Server != "gunicorn" {
				return false
			}
		}
		return true // gunicorn's default
	}
	for _, o := range binds {
		addrs := optionStrings(o.Value)
		if len(addrs) == 0 {
			return false
		}
		for _, a := range addrs {
			ep, ok := ParseBind(a, "gunicorn")
			if !ok || !ep.IsLoopback() {
				return false
			}
		}
	}
	return true
}

// BindPublic reports an app server bound beyond loopback while the app
// trusts proxy headers.
var BindPublic = &rules.Rule{
	Code: "G001", Name: "app-server-bind-public", Severity: rules.Critical, CWE: []string{"CWE-668", "CWE-290"},
	Summary: "The app server listens on a non-loopback address while the app trusts headers only a proxy should set.",
	Scope:   rules.ScopeTree, Kinds: bindKinds, Requires: []*rules.Analysis{Apps, rules.DirectAccess},
	Doc: rules.Doc{
		What: "Reports a gunicorn, uvicorn, daphne, uWSGI or runserver bind on `0.0.0.0`, `::`, `:PORT`, an address from the environment, or gunicorn's `0.0.0.0:$PORT` default when PORT is set, when the app trusts proxy headers (SECURE_PROXY_SSL_HEADER, client-certificate headers in settings or code, RemoteUserMiddleware headers), " +
			"and a client reaches the bind around the proxy by the deployment model's direct path, which X004 reads too: a bind on the host, a compose service's published port, a container that a Kubernetes Service of type NodePort or LoadBalancer, a hostPort, hostNetwork, a missing or open NetworkPolicy or a security group opens. " +
			"A bind the boundary closes (an unpublished compose port, a pod that only the ingress controller reaches) is not reported; one whose boundary the repository does not show is reported at medium as undecided. " +
			"X004 supersedes it on the same line where X004 is enabled; where X004 is ignored (on the command line or by a configuration file), this rule reports the bind, a compose service's `command:` included (the binds X004 reads, at the bind rather than at the published port).",
		Why:        "A client that connects to the app server directly skips the proxy's certificate verification and header stripping, and sends `X-SSL-Client-Verify: SUCCESS` itself. gunicorn's forwarded_allow_ips does not gate X-SSL-* headers at all.",
		Example:    "gunicorn --bind 0.0.0.0:8000 proj.wsgi",
		Fix:        "Bind to loopback or a UNIX socket the proxy shares (`--bind unix:/run/app.sock`, `--bind 127.0.0.1:8000`), and keep the port unpublished.",
		References: []string{gunicornSettings + "#bind"},
	},
	Check: func(p *rules.Pass) {
		if _, ok := p.Tree.(*compose.File); ok {
			reportPublicBinds(p, serviceBinds(p))
			return
		}
		t := gunicornTree(p)
		if t == nil {
			return
		}
		portEnv := false
		for _, e := range t.Env {
			if e.Name == "PORT" {
				portEnv = true
			}
		}
		var hits []publicBind
		check := func(opts []gunicorn.Option, server string, dflt bool, r source.Range) {
			found := false
			for _, o := range opts {
				if o.Name != "bind" && o.Name != "socket" {
					continue
				}
				for _, addr := range optionStrings(o.Value) {
					found = true
					if ep, ok := ParseBind(addr, server); ok && !ep.IsLoopback() {
						hits = append(hits, publicBind{ep, o.Range, server, false})
					}
				}
			}
			if !found && dflt && portEnv && server == "gunicorn" {
				hits = append(hits, publicBind{rules.Endpoint{Host: "0.0.0.0", Port: "$PORT"}, r, server + defaultWithPort, false})
			}
		}
		check(t.Config, "gunicorn", false, source.Range{})
		for _, c := range t.Commands {
			check(c.Options, c.Server, c.Default, c.Range)
		}
		reportPublicBinds(p, hits)
	},
}

const defaultWithPort = " (default with PORT set)"

// publicBind is a bind beyond loopback that G001 judges: where it
// listens, where it is written, and the server that listens there.
type publicBind struct {
	ep     rules.Endpoint
	rng    source.Range
	server string
	// inService: a compose service runs the server, inside its
	// container.
	inService bool
}

// serviceBinds lists the binds beyond loopback that the compose file of
// the pass starts in its services' command lines: the binds the app
// builder read from them, which the deployment model and X004 judge too.
func serviceBinds(p *rules.Pass) []publicBind {
	file := p.Tree.Root().Path
	apps, _ := p.ResultOf(Apps).([]*rules.App)
	var out []publicBind
	seen := map[source.Range]bool{}
	for _, a := range apps {
		for _, b := range a.Binds {
			if b.Service == "" || b.Range.File != file || b.Endpoint.Unix != "" || b.Endpoint.IsLoopback() || seen[b.Range] {
				continue
			}
			seen[b.Range] = true
			server := rules.ServerNameOf(a)
			if strings.HasSuffix(b.Source, "(default)") {
				server += defaultWithPort
			}
			out = append(out, publicBind{b.Endpoint, b.Range, server, true})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].rng.Less(out[j].rng) })
	return out
}

// reportPublicBinds reports the binds of hits that clients reach around
// the proxy while the app behind them trusts proxy headers.
func reportPublicBinds(p *rules.Pass, hits []publicBind) {
	if len(hits) == 0 {
		return
	}
	direct := rules.DirectOf(p)
	for _, h := range hits {
		trusted := trustedHeaders(p, h.rng)
		if len(trusted) == 0 {
			continue
		}
		d := rules.Diagnostic{Range: h.rng, Key: rules.PublicBindKey(h.rng.File, h.ep),
			Message: fmt.Sprintf("%s listens on %s, so clients can skip the proxy and send %s themselves.", h.server, h.ep, strings.Join(trusted, ", "))}
		if paths, known := direct.OfBind(h.rng); known {
			// The deployment model decides the bind, as X004 reads
			// it: a closed boundary is no finding, an open one is
			// as severe as who gets through.
			path, ok := widestPath(paths)
			if !ok {
				continue
			}
			d.Severity = path.Severity()
			d.Message = fmt.Sprintf("%s on %s: %s, around the proxy", rules.Clip(h.server, 30), rules.Clip(h.ep.String(), 30), rules.Clip(path.String(), 90))
			d.Detail = fmt.Sprintf("%s Clients that connect to it send %s themselves, and the app trusts them.", path.Why, strings.Join(trusted, ", "))
			if path.At != h.rng {
				d.Related = append(d.Related, source.Related{Range: path.At, Message: path.Why})
			}
			for _, f := range path.Facts {
				if f.Range != h.rng { // the bind itself is the finding's range
					d.Related = append(d.Related, f)
				}
			}
			p.Report(d)
			continue
		}
		// The model knows every bind of the apps it was built from;
		// it misses this one when the engine was handed the rules but
		// not the app builders, and the file alone must decide.
		// Inside a container, binding every interface is how the app
		// is reached at all: the file cannot show whether a client
		// can skip the proxy (the network boundary decides), so the
		// warning stays undecided and medium.
		if h.inService || gunicorn.IsDockerfile(h.rng.File) {
			d.Severity = rules.Medium
			d.Message = fmt.Sprintf("%s listens on %s in a container; undecided whether clients reach it without the proxy and send %s themselves.", h.server, h.ep, strings.Join(trusted, ", "))
			d.Detail = "Nothing in this file shows whether the container's port is published or which peers the network boundary admits (compose ports, the Kubernetes Service type, hostPort, hostNetwork, NetworkPolicy)."
		}
		p.Report(d)
	}
}

// widestPath returns the direct path of a bind that the most clients take:
// a decided one before an undecided one, the public before the private
// network; false when the boundary closes the bind.
func widestPath(paths []rules.DirectPath) (rules.DirectPath, bool) {
	if len(paths) == 0 {
		return rules.DirectPath{}, false
	}
	best := paths[0]
	for _, p := range paths[1:] {
		if p.Severity() > best.Severity() {
			best = p
		}
	}
	return best, true
}

// ForwardedAllowAll reports forwarded_allow_ips = "*".
var ForwardedAllowAll = &rules.Rule{
	Code: "G002", Name: "forwarded-allow-ips-all", Severity: rules.High, CWE: []string{"CWE-348"},
	Summary: "gunicorn's forwarded_allow_ips is \"*\", so every client may set X-Forwarded-Proto.",
	Scope:   rules.ScopeTree, Kinds: gunicornKinds,
	Doc: rules.Doc{
		What:       "Reports `forwarded_allow_ips = \"*\"` in a gunicorn configuration, `--forwarded-allow-ips=*` on a command line, or `FORWARDED_ALLOW_IPS=*` in the environment a Dockerfile, Procfile or script sets.",
		Why:        "gunicorn honours its secure_scheme_headers (X-Forwarded-Proto, X-Forwarded-Ssl, X-Forwarded-Protocol) and forwarder headers only from these addresses. With `*`, any client that reaches gunicorn makes `wsgi.url_scheme` https and Django's `is_secure()` True.",
		Example:    "forwarded_allow_ips = '*'",
		Fix:        "List the proxy's addresses (`forwarded_allow_ips = '10.0.0.5'`), or bind gunicorn to a UNIX socket (UNIX peers are trusted).",
		References: []string{gunicornSettings + "#forwarded-allow-ips"},
	},
	Check: func(p *rules.Pass) {
		t := gunicornTree(p)
		if t == nil {
			return
		}
		// While gunicorn listens only on loopback or a UNIX socket, only
		// local processes (the proxy) reach it and "*" changes nothing
		// (measured with gunicorn 20.1); it still becomes a hole the day
		// the bind widens.
		sev, local := rules.Severity(0), ""
		if bindsOnlyLocally(t) {
			sev, local = rules.Low, "It is harmless while gunicorn listens only on loopback or a UNIX socket, and becomes a hole as soon as the bind widens."
		}
		for _, o := range t.Options("forwarded_allow_ips") {
			for _, v := range optionStrings(o.Value) {
				if v == "*" {
					p.Report(rules.Diagnostic{Range: o.Range, Key: rules.AppServerOptionKey(o.Range, "forwarded_allow_ips"), Severity: sev,
						Message: "forwarded_allow_ips is \"*\": any client's X-Forwarded-Proto decides the request's scheme.", Detail: local})
					break
				}
			}
		}
		for _, e := range t.Env {
			if e.Name == "FORWARDED_ALLOW_IPS" && strings.Trim(e.Value, `"'`) == "*" {
				p.Report(rules.Diagnostic{Range: e.Range, Key: rules.AppServerOptionKey(e.Range, "forwarded_allow_ips"), Severity: sev,
					Message: "FORWARDED_ALLOW_IPS is \"*\": any client's X-Forwarded-Proto decides the request's scheme.", Detail: local})
			}
		}
	},
}

// HeaderMapDangerous reports header_map = "dangerous".
var HeaderMapDangerous = &rules.Rule{
	Code: "G003", Name: "header-map-dangerous", Severity: rules.High, CWE: []string{"CWE-436"},
	Summary: "gunicorn's header_map is \"dangerous\": header names with \"_\" map like \"-\".",
	Scope:   rules.ScopeTree, Kinds: gunicornKinds,
	Doc: rules.Doc{
		What:       "Reports `header_map = \"dangerous\"` (or `--header-map dangerous`).",
		Why:        "`X_SSL_Client_Verify` and `X-SSL-Client-Verify` then both become `HTTP_X_SSL_CLIENT_VERIFY`. A proxy that deletes or overwrites only the dash spelling lets the client's underscore spelling through (gunicorn 22.0.0 made `drop` the default for this reason; before 22 every version behaves like `dangerous`).",
		Example:    "header_map = 'dangerous'",
		Fix:        "Remove the setting (gunicorn ≥ 22 drops such headers) or set `header_map = 'refuse'`.",
		References: []string{gunicornSettings + "#header-map", "https://docs.gunicorn.org/en/stable/news.html"},
	},
	Check: func(p *rules.Pass) {
		t := gunicornTree(p)
		if t == nil {
			return
		}
		for _, o := range t.Options("header_map") {
			if s, ok := o.Value.Str(); ok && s == "dangerous" {
				p.Report(rules.Diagnostic{Range: o.Range, Key: rules.AppServerOptionKey(o.Range, "header_map"),
					Message: "header_map is \"dangerous\": a client's X_SSL_Client_Verify reaches the app as HTTP_X_SSL_CLIENT_VERIFY."})
			}
		}
	},
}

// SchemeHeadersDefault reports gunicorn's three default scheme headers
// behind a proxy that overwrites only some of them.
var SchemeHeadersDefault = &rules.Rule{
	Code: "G004", Name: "secure-scheme-headers-default", Severity: rules.Low, CWE: []string{"CWE-348"},
	Summary: "gunicorn keeps its three default secure_scheme_headers while the proxy overwrites only some of them.",
	Scope:   rules.ScopeDeployment,
	Doc: rules.Doc{
		What:       "Reports a gunicorn app that keeps the default `secure_scheme_headers` (`X-FORWARDED-PROTOCOL: ssl`, `X-FORWARDED-PROTO: https`, `X-FORWARDED-SSL: on`) when a proxy route reaching it (from an address in forwarded_allow_ips) overwrites some but not all three. A route that overwrites none of them is X003's finding.",
		Why:        "gunicorn trusts all three headers from the proxy, which relays the client's copies of those it does not overwrite. gunicorn answers 400 (\"Contradictory scheme headers\") when they disagree, which was measured with gunicorn 20.1: while the proxy sends X-Forwarded-Proto on every request, a client can only break its own requests. The day one route stops sending it, the client's `X-Forwarded-Ssl: on` decides the scheme. Keeping only the header the proxy sets removes both.",
		Example:    "# nginx sets only X-Forwarded-Proto; gunicorn.conf.py does not set secure_scheme_headers",
		Fix:        "Reduce the dict to the header the proxy sets: `secure_scheme_headers = {'X-FORWARDED-PROTO': 'https'}`.",
		References: []string{gunicornSettings + "#secure-scheme-headers", "https://docs.gunicorn.org/en/stable/settings.html#forwarded-allow-ips"},
	},
	Requires: []*rules.Analysis{rules.DeploymentModel},
	Check: func(p *rules.Pass) {
		// One finding per gunicorn configuration, whatever the number of
		// routes that leave headers open: the fix is one line in it. The
		// routes are its related locations.
		type finding struct {
			at        source.Range
			set, open []string
			routes    []source.Related
			firstDesc string
			firstID   string
			seen      map[source.Range]bool
			guessed   int
		}
		var order []*finding
		byConfig := map[source.Range]*finding{}
		m := rules.ModelOf(p)
		for _, app := range m.Apps {
			var defaults []rules.Trust
			for _, t := range app.Trusts {
				if t.ServerDefault {
					defaults = append(defaults, t)
				}
			}
			if len(defaults) != 3 {
				continue
			}
			for _, l := range m.RoutesTo(app) {
				if !app.SchemeHeadersHonoured(l.Route) {
					continue // gunicorn ignores the headers from this proxy
				}
				var set, open []string
				for _, t := range defaults {
					h := rules.HeaderName(t.Header)
					if l.Route.Header(h).Action.Overwrites() {
						set = append(set, h)
					} else {
						open = append(open, h)
					}
				}
				if len(set) == 0 || len(open) == 0 {
					continue
				}
				f := byConfig[defaults[0].Range]
				if f == nil {
					f = &finding{at: defaults[0].Range, seen: map[source.Range]bool{}}
					byConfig[f.at] = f
					order = append(order, f)
				}
				if f.routes == nil {
					f.set = set
				}
				f.set, f.open = intersect(f.set, set), dedupe(append(f.open, open...))
				if !f.seen[l.Route.Range] {
					f.seen[l.Route.Range] = true
					if f.firstDesc == "" {
						f.firstDesc, f.firstID = l.Route.Desc, l.Route.ID
					}
					f.routes = append(f.routes, source.Related{Range: l.Route.Range, Message: "route " + l.Route.Desc + " overwrites only " + strings.Join(set, ", ")})
					if l.How == "guess" {
						f.guessed++
					}
				}
			}
		}
		for _, f := range order {
			which := "Route " + f.firstDesc + " overwrites"
			if n := len(f.routes); n > 1 {
				which = fmt.Sprintf("%d routes to it overwrite", n)
			}
			set, sending := "only "+strings.Join(f.set, ", "), strings.Join(f.set, ", ")
			if len(f.set) == 0 {
				set, sending = "only some of them", "them"
			}
			detail := fmt.Sprintf("%s %s, so a client's %s passes through. Today gunicorn answers 400 when they contradict, but they decide the scheme on any route that stops sending %s.",
				which, set, strings.Join(f.open, ", "), sending)
			switch {
			case f.guessed == len(f.routes):
				detail += " The routes are assumed to reach this app: nothing links them explicitly."
			case f.guessed > 0:
				detail += fmt.Sprintf(" %d of the routes are assumed to reach this app: nothing links them explicitly.", f.guessed)
			}
			// Keyed by the first route, as the finding was when there was
			// one per route: a baseline that accepted it still does.
			p.Report(rules.Diagnostic{Range: f.at, Key: rules.SchemeHeadersKey(f.at, f.firstID),
				Message:  fmt.Sprintf("gunicorn trusts its default secure_scheme_headers, and a client's %s passes", rules.Clip(strings.Join(f.open, ", "), 40)),
				Detail:   detail,
				FixTitle: "Set secure_scheme_headers to the header the proxy sets.",
				Related:  f.routes})
		}
	},
}

// intersect returns the elements of a that b holds too, in a's order.
func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
				break
			}
		}
	}
	return out
}
