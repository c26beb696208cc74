package django

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/rules"
)

// classRef is a class of the workspace's Python code with its tree.
type classRef struct {
	tree  *python.Tree
	class *python.ClassInfo
}

// pythonClasses indexes the classes of the workspace's Python code by
// name, in tree order, so that a middleware lookup reads the classes of
// one name instead of every class of every tree.
var pythonClasses = &rules.Analysis{
	Name:  "django-classes",
	Doc:   "The classes of the workspace's Python code by name, in tree order (map[string][]classRef).",
	Scope: rules.ScopeDeployment,
	Build: func(p *rules.Pass) any {
		idx := map[string][]classRef{}
		if p.Workspace == nil {
			return idx
		}
		for _, t := range p.Workspace.Trees {
			pt, ok := t.(*python.Tree)
			if !ok || pt.App == nil {
				continue
			}
			for i := range pt.App.Classes {
				c := &pt.App.Classes[i]
				idx[c.Name] = append(idx[c.Name], classRef{pt, c})
			}
		}
		return idx
	},
}

// findClass finds the class a dotted middleware path names in the
// workspace's Python code: the first, in tree order, whose dotted name is
// the path or ends with it.
func findClass(p *rules.Pass, dotted string) (*python.Tree, *python.ClassInfo) {
	if p.Workspace == nil {
		return nil, nil
	}
	idx, _ := p.ResultOf(pythonClasses).(map[string][]classRef)
	// The class's dotted name (its module's, ".", name) is the path or
	// ends with it: with a module in the path, the class's module is that
	// module or ends with it; compared without building either string, as
	// every middleware entry of every settings tree asks.
	dot := strings.LastIndexByte(dotted, '.')
	name := dotted[dot+1:]
	for _, ref := range idx[name] {
		if dot < 0 || dottedEndsWith(ref.tree.Dotted, dotted[:dot]) {
			return ref.tree, ref.class
		}
	}
	return nil, nil
}

// dottedEndsWith reports whether the dotted name d is m or ends with "."+m.
func dottedEndsWith(d, m string) bool {
	return d == m || len(d) > len(m) && d[len(d)-len(m)-1] == '.' && strings.HasSuffix(d, m)
}

// identityReads returns the identity headers a class reads.
func identityReads(t *python.Tree, c *python.ClassInfo) []string {
	var out []string
	lookup := settingsLookup(nil)
	for _, rd := range t.App.ReadSites {
		if rd.Scope != "class:"+c.Name {
			continue
		}
		for _, key := range keysOf(rd, lookup) {
			if m, ok := metaKey(rd, key); ok && rules.IsIdentityHeader(m) {
				out = append(out, rules.HeaderName(m))
			}
		}
	}
	return out
}

// MiddlewareOrder reports certificate middleware in the wrong place.
var MiddlewareOrder = &rules.Rule{
	Code: "D016", Name: "mtls-middleware-order", Severity: rules.Medium, CWE: []string{"CWE-287"},
	Summary: "Middleware that authenticates from client-certificate headers sits before SecurityMiddleware or before AuthenticationMiddleware.",
	Scope:   rules.ScopeTree, Kinds: pyKinds, Requires: []*rules.Analysis{pythonClasses, baseModules},
	Doc: rules.Doc{
		What:       "Reports a MIDDLEWARE entry whose class (found in the scanned code) reads client-certificate or identity headers and is placed before `SecurityMiddleware`, or logs users in and is placed before `AuthenticationMiddleware`.",
		Why:        "Before SecurityMiddleware, identity is established for plain-HTTP requests that should have been redirected. Before AuthenticationMiddleware, the user it sets is replaced by the session's user, so certificate and session identities disagree.",
		Example:    "MIDDLEWARE = ['myapp.middleware.ClientCertMiddleware', 'django.middleware.security.SecurityMiddleware', ...]",
		Fix:        "Place the certificate middleware after SecurityMiddleware, SessionMiddleware and AuthenticationMiddleware.",
		References: []string{"https://docs.djangoproject.com/en/stable/topics/http/middleware/#activating-middleware"},
	},
	Check: func(p *rules.Pass) {
		t := settingsTree(p)
		if t == nil || isBaseModule(p, t.Root().Path) {
			return
		}
		entries, s, ok := middleware(t)
		if !ok {
			return
		}
		sec, auth := indexOf(entries, securityMW), indexOf(entries, authMW)
		for i, e := range entries {
			ct, c := findClass(p, e.path)
			if c == nil {
				continue
			}
			hdrs := identityReads(ct, c)
			if len(hdrs) == 0 && !c.RemoteUser {
				continue
			}
			r := e.rng
			if !r.IsValid() || !s.inTree(r) {
				r = s.rng()
			}
			switch {
			case sec > i:
				p.Report(rules.Diagnostic{Range: r, Key: s.keyFor(e.path),
					Message: fmt.Sprintf("%s reads %s but runs before SecurityMiddleware.", c.Name, strings.Join(dedupe(hdrs), ", "))})
			case len(c.Login) > 0 && auth > i:
				p.Report(rules.Diagnostic{Range: r, Key: s.keyFor(e.path),
					Message: fmt.Sprintf("%s logs users in but runs before AuthenticationMiddleware, which then replaces request.user.", c.Name)})
			}
		}
	},
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// RemoteUserWithoutAuth reports RemoteUserMiddleware without
// AuthenticationMiddleware before it.
var RemoteUserWithoutAuth = &rules.Rule{
	Code: "D017", Name: "remote-user-without-auth", Severity: rules.Medium, CWE: []string{"CWE-287"},
	Summary: "RemoteUserMiddleware is not preceded by AuthenticationMiddleware.",
	Scope:   rules.ScopeTree, Kinds: pyKinds, Requires: []*rules.Analysis{pythonClasses, baseModules},
	Doc: rules.Doc{
		What:       "Reports `RemoteUserMiddleware`, `PersistentRemoteUserMiddleware` or a subclass of them in MIDDLEWARE without `AuthenticationMiddleware` earlier in the list.",
		Why:        "RemoteUserMiddleware needs request.user; without AuthenticationMiddleware before it Django raises ImproperlyConfigured on every request, and the usual workaround (a custom middleware) tends to drop the logout-on-missing-header behaviour.",
		Example:    "MIDDLEWARE = ['django.contrib.auth.middleware.RemoteUserMiddleware', 'django.contrib.auth.middleware.AuthenticationMiddleware']",
		Fix:        "Put AuthenticationMiddleware before RemoteUserMiddleware.",
		References: []string{"https://docs.djangoproject.com/en/stable/howto/auth-remote-user/"},
	},
	Check: func(p *rules.Pass) {
		t := settingsTree(p)
		if t == nil || isBaseModule(p, t.Root().Path) {
			return
		}
		entries, s, ok := middleware(t)
		if !ok {
			return
		}
		auth := indexOf(entries, authMW)
		for i, e := range entries {
			remote := e.path == remoteMW || e.path == persistMW
			if !remote {
				if _, c := findClass(p, e.path); c != nil && c.RemoteUser {
					remote = true
				}
			}
			if !remote || (auth >= 0 && auth < i) {
				continue
			}
			r := e.rng
			if !r.IsValid() || !s.inTree(r) {
				r = s.rng()
			}
			p.Report(rules.Diagnostic{Range: r, Key: s.keyFor(e.path),
				Message: e.path[strings.LastIndex(e.path, ".")+1:] + " is not preceded by AuthenticationMiddleware; Django raises ImproperlyConfigured."})
		}
	},
}
