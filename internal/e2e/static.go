package e2e

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

// Finding is one static finding, as the suite compares it with the
// runtime verdicts.
type Finding struct {
	// Index is the finding's place in the run's findings.
	Index    int
	Code     string
	Severity rules.Severity
	File     string // relative to the scenario's site directory
	Line     int
	Message  string
	// Header is the request header the finding is about, when its Key
	// names one ("route:...|header:x-ssl-client-dn").
	Header string
	// Route describes the route the Key names, from the deployment model;
	// nil when the Key names none.
	Route *RouteFacts
}

// RouteFacts are what the model knows of the route a finding is about.
type RouteFacts struct {
	Port   int    // the listener's port
	TLS    bool   // the listener terminates TLS
	Verify string // client-certificate verification: "off", "optional", "optional_no_ca", "required"
	// Action is how the route treats the finding's header ("passthrough",
	// "set-tls", ...), when the finding names one.
	Action string
	// Underscore: the route lets the finding's header through spelt with
	// "_" for "-", to an app server that maps it like the dash spelling.
	Underscore bool
	// Redirects: an app behind the route redirects every request it does
	// not see as HTTPS (SECURE_SSL_REDIRECT).
	Redirects bool
	// EnvFirst: the app reads a server-set WSGI variable (mod_ssl's
	// SSL_CLIENT_S_DN) before this header, as D021 reports: a valid
	// client is identified by the variable, not locked out.
	EnvFirst bool
}

// Lint runs mtlslint, with every rule, on a rendered scenario directory:
// the same files the real servers read. It returns the findings and the
// deployment model, whose request classes the attacks are derived from.
func Lint(ctx context.Context, dir string, v Versions) ([]Finding, *rules.Model, error) {
	res, err := lint.Run(ctx, LintOptions(dir, v))
	if err != nil {
		return nil, nil, err
	}
	return Findings(res), res.Model, nil
}

// LintOptions are the options the suite lints a rendered scenario with.
// The servers' versions are what the deployment runs, so the rules are
// told them. A configuration file is read only from the scenario itself,
// never from the directories above it.
func LintOptions(dir string, v Versions) lint.Options {
	opts := lint.Options{
		Root: dir,
		Settings: rules.Settings{
			NginxVersion:    version(v.Nginx),
			HAProxyVersion:  version(v.HAProxy),
			DjangoVersion:   version(v.Django),
			GunicornVersion: version(v.Gunicorn),
			CaddyVersion:    version(v.Caddy),
		},
		NoConfig:  true,
		WithModel: true,
	}
	for _, name := range []string{".mtlslint.toml", "pyproject.toml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			opts.NoConfig = false
			opts.ConfigPath = filepath.Join(dir, name)
			break
		}
	}
	return opts
}

// Findings turns a run's unsuppressed findings into the suite's, with
// what the model knows of the route each is about.
func Findings(res *lint.Result) []Finding {
	routes := map[string]*rules.Route{}
	readRoutes := map[string][]*rules.Route{} // an app's read ("file:line:col-…") → the routes to the app
	conflating := map[string]bool{}           // route ID → an app behind it maps "_" like "-"
	redirecting := map[string]bool{}          // route ID → an app behind it redirects to HTTPS
	if res.Model != nil {
		for _, r := range res.Model.Routes {
			routes[r.ID] = r
		}
		for _, l := range res.Model.Links {
			if l.Route == nil || l.App == nil {
				continue
			}
			for _, t := range l.App.Trusts {
				readRoutes[t.Range.String()] = append(readRoutes[t.Range.String()], l.Route)
			}
			conflating[l.Route.ID] = conflating[l.Route.ID] || l.App.ConflatesUnderscore
			redirecting[l.Route.ID] = redirecting[l.Route.ID] || l.App.HTTPSRedirect != nil
		}
	}
	// Headers the app reads as a fallback after a server-set environ
	// variable (D021's finding).
	dual := map[string]bool{}
	for _, d := range res.Findings {
		if check, meta := d.Key.AppRead(); check == rules.CheckDual && meta != "" {
			dual[rules.HeaderName(meta)] = true
		}
	}
	findings := []Finding{}
	for i, d := range res.Findings {
		if d.Suppression != nil {
			continue
		}
		f := Finding{
			Index:    i,
			Code:     d.Code,
			Severity: d.Severity,
			File:     d.Range.File,
			Line:     d.Range.Start.Line,
			Message:  d.Message,
			Header:   d.Key.Header(),
		}
		r := keyRoute(d.Key, routes)
		if r == nil && d.Key.Kind() == rules.KeyAppRead {
			// a cross-file judgement of an app's read (X002): the route it
			// names first, else the first TLS route to the app
			r = readRoute(d.Key, readRoutes[appReadAt(d.Key)])
		}
		if r != nil {
			port, _ := strconv.Atoi(r.Listener.Endpoint.Port)
			f.Route = &RouteFacts{Port: port, TLS: r.Listener.TLS, Verify: r.Listener.Verify.String(), Redirects: redirecting[r.ID]}
			if f.Header != "" {
				f.Route.EnvFirst = dual[rules.HeaderName(f.Header)]
				f.Route.Action = r.Header(f.Header).Action.String()
				f.Route.Underscore = r.AdmitsUnderscoreOf(f.Header) && conflating[r.ID]
			}
		}
		findings = append(findings, f)
	}
	return findings
}

// keyRoute returns the route a diagnostic Key names, if any: the key's
// route, or, for a finding about a verification directive, the first
// route whose listener that directive configures.
func keyRoute(k rules.Key, routes map[string]*rules.Route) *rules.Route {
	if r := routes[k.Route()]; r != nil {
		return r
	}
	if at := k.Directive(); at != "" && k.Kind() == rules.KeyVerify {
		ids := make([]string, 0, len(routes))
		for id := range routes {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if r := routes[id]; r.Listener.VerifyRange.String() == at {
				return r
			}
		}
	}
	return nil
}

// appReadAt is the read's range in an app-read key ("app:<range>|…").
func appReadAt(k rules.Key) string {
	at, _, _ := strings.Cut(strings.TrimPrefix(k.String(), "app:"), "|")
	return at
}

// readRoute picks the route of an app-read finding: the first TLS route
// with client verification that is not required, else the first TLS
// route, else the first.
func readRoute(_ rules.Key, rs []*rules.Route) *rules.Route {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	for _, r := range rs {
		if r.Listener.TLS && r.Listener.Verify != rules.VerifyRequired {
			return r
		}
	}
	for _, r := range rs {
		if r.Listener.TLS {
			return r
		}
	}
	if len(rs) > 0 {
		return rs[0]
	}
	return nil
}

// version turns "nginx/1.22.1" or "HAProxy/2.6.12-1+deb12u4" into "1.22.1"
// or "2.6.12".
func version(s string) string {
	_, v, ok := strings.Cut(s, "/")
	if !ok {
		return ""
	}
	v, _, _ = strings.Cut(v, "-")
	return v
}

// RegisteredCodes returns the code of every rule mtlslint has.
func RegisteredCodes() map[string]bool {
	out := map[string]bool{}
	for _, r := range lint.Registry() {
		out[r.Code] = true
	}
	return out
}
