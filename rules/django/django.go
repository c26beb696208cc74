// Package django holds the Django and gunicorn rules: settings modules
// (with check --deploy parity), middleware order, app code that decides
// on client-certificate headers, and app-server configuration. It also
// builds the app side of the deployment model (AppTrustBuilder).
package django

import (
	"path"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Rules are the Django and gunicorn rules, in code order.
var Rules = []*rules.Rule{
	SPSHMalformed, SPSHNeedsProxy, ForwardedHost, AllowedHostsWildcard, DebugTrue,
	SecurityMiddlewareMissing, HSTSMissing, HSTSSubdomains, HSTSPreload, SSLRedirect, SecretKeyWeak,
	SessionCookieInsecure, CSRFCookieInsecure, AllowedHostsEmpty, ReferrerPolicy,
	MiddlewareOrder, RemoteUserWithoutAuth, RemoteUserHTTPHeader,
	CertHeaderWeakCheck, VerifyZeroWithoutUsed, DualSource, PEMDNOnly, LoginWithoutLogout,
	BindPublic, ForwardedAllowAll, HeaderMapDangerous, SchemeHeadersDefault,
}

// settingsTree returns the pass's tree as a settings module, or nil.
func settingsTree(p *rules.Pass) *python.Tree {
	t, ok := p.Tree.(*python.Tree)
	if !ok || t.Role != python.RoleSettings || t.Settings == nil {
		return nil
	}
	return t
}

// devNames are settings module names that mean development or tests.
var devNames = map[string]bool{"dev": true, "development": true, "local": true, "test": true, "tests": true, "ci": true,
	"testing": true, "local_settings": true, "settings_dev": true, "settings_local": true, "settings_test": true,
	// Templates that are copied and edited before a deployment uses them.
	"example": true, "sample": true, "settings_example": true, "settings_sample": true}

// IsDevSettings reports whether a settings module is for development
// only (or a template to copy, not deployed as is): by its name (dev,
// development, local, test, tests, ci, *_dev, *_local, *_test, *_testing,
// example, sample, *_example, *_sample), or by a DevSettings glob. The effective production
// module (Settings.SettingsModule) never is.
func IsDevSettings(rel string, s *rules.Settings) bool {
	dotted := python.DottedName(rel)
	if s != nil && s.SettingsModule != "" && (dotted == s.SettingsModule || strings.HasSuffix(dotted, "."+s.SettingsModule) || rel == s.SettingsModule) {
		return false
	}
	if s != nil {
		for _, g := range s.DevSettings {
			if ok, _ := path.Match(g, rel); ok {
				return true
			}
			if ok, _ := path.Match(g, dotted); ok {
				return true
			}
			if ok, _ := path.Match(g, path.Base(rel)); ok {
				return true
			}
		}
	}
	name := dotted[strings.LastIndex(dotted, ".")+1:]
	if devNames[name] {
		return true
	}
	for _, suf := range []string{"_dev", "_local", "_test", "_tests", "_testing", "_example", "_sample"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	for _, pre := range []string{"dev_", "local_", "test_"} {
		if strings.HasPrefix(name, pre) {
			return true
		}
	}
	return false
}

// baseModules collects, once per run, the settings modules other settings
// modules of the workspace star-import (map[string]bool by path), so that
// a rule asks for each settings tree without reading every other tree.
var baseModules = &rules.Analysis{
	Name:  "django-base-modules",
	Doc:   "The settings modules star-imported by another settings module of the workspace (map[string]bool by path).",
	Scope: rules.ScopeDeployment,
	Build: func(p *rules.Pass) any {
		base := map[string]bool{}
		if p.Workspace == nil {
			return base
		}
		for _, t := range p.Workspace.Trees {
			pt, ok := t.(*python.Tree)
			if !ok || pt.Role != python.RoleSettings {
				continue
			}
			for _, f := range pt.Files()[1:] {
				base[f.Path] = true
			}
		}
		return base
	},
}

// isBaseModule reports whether a settings module is star-imported by
// another settings module of the workspace: it is then checked through
// the modules that import it, where its values may be overridden.
func isBaseModule(p *rules.Pass, rel string) bool {
	if p.Workspace == nil {
		return false
	}
	base, _ := p.ResultOf(baseModules).(map[string]bool)
	return base[rel]
}

// extendedByDeployed reports whether a settings module is star-imported
// by another settings module that is not for development: it is then
// judged through that one. A module only test or demo settings extend
// (tests/settings.py doing "from ..settings import *") is judged itself:
// otherwise the deployed settings would be judged nowhere.
func extendedByDeployed(ws *parsers.Workspace, rel string, e *entryPoints, st *rules.Settings) bool {
	if ws == nil {
		return false
	}
	if e != nil {
		return e.extended[rel] // computed once per run by index
	}
	for _, t := range ws.Trees {
		pt, ok := t.(*python.Tree)
		if !ok || pt.Role != python.RoleSettings || e.isDev(pt.Root().Path, st) {
			continue
		}
		for _, f := range pt.Files()[1:] {
			if f.Path == rel {
				return true
			}
		}
	}
	return false
}

// deployTree returns the settings tree when it is a deployable (not
// development, not a base) settings module. The rule must require
// settingsEntries.
func deployTree(p *rules.Pass) *python.Tree {
	t := settingsTree(p)
	if t == nil {
		return nil
	}
	rel := t.Root().Path
	if e := entriesOf(p); e.isDev(rel, p.Settings) || extendedByDeployed(p.Workspace, rel, e, p.Settings) {
		return nil
	}
	return t
}

// setting is a settings lookup with its effective value.
type setting struct {
	name    string
	binding *python.Binding
	tree    *python.Tree
}

func get(t *python.Tree, name string) setting {
	return setting{name: name, binding: t.Settings.Get(name), tree: t}
}

// value returns the value, or nil when the setting is not bound.
func (s setting) value() *python.Value {
	if s.binding == nil {
		return nil
	}
	return s.binding.Value
}

// known reports whether the module's namespace is complete enough that an
// unbound setting is certainly unset (Django's default applies).
func (s setting) unsetForSure() bool { return s.binding == nil && s.tree.Settings.Complete() }

// rng returns where to report the setting: its value, else the
// assignment.
func (s setting) rng() source.Range {
	if s.binding == nil {
		return source.Range{}
	}
	if v := s.binding.Value; v != nil && v.Range.IsValid() && s.inTree(v.Range) {
		return v.Range
	}
	return s.binding.Stmt
}

func (s setting) inTree(r source.Range) bool {
	for _, f := range s.tree.Files() {
		if f.Path == r.File {
			return true
		}
	}
	return false
}

// key is the finding key of a setting: where it is assigned, so that one
// assignment in a base module shared by several settings modules gives
// one finding.
func (s setting) key() rules.Key { return s.keyFor("") }

// keyFor is the key of one aspect of the setting (a middleware entry).
func (s setting) keyFor(aspect string) rules.Key {
	if s.binding == nil {
		return rules.SettingKey(s.tree.Root().Path, s.name, true, aspect)
	}
	return rules.SettingKey(s.binding.Stmt.String(), s.name, false, aspect)
}

// anchor is where a finding about a missing setting goes: the module's
// first statement.
func anchor(t *python.Tree) source.Range {
	m := t.Module
	for _, s := range m.Stmts {
		if len(s.Body) > 0 {
			return m.File.Range(s.Start, m.File.LineEnd(s.Line))
		}
	}
	return m.File.Range(0, m.File.LineEnd(1))
}

// truth is the static truth of a value for deploy checks.
type truth int

const (
	truthUnknown truth = iota
	truthTrue
	truthFalse
)

// outcome is one concrete possibility of a setting, with why it holds.
type outcome struct {
	obj python.Object // nil when the setting is unset there
	env string        // the environment variable whose absence gives it
	rng source.Range
}

// certainOutcome returns the single value a setting has when the
// environment sets nothing: a Known value, the default of an environment
// read, or every alternative agreeing. ok is false otherwise.
func certainOutcome(v *python.Value) (outcome, bool) {
	if v == nil {
		return outcome{}, false
	}
	outs, _ := v.Outcomes()
	if len(outs) == 0 {
		return outcome{}, false
	}
	if v.Kind == python.Alternatives {
		// all alternatives must agree
		first := outs[0]
		for _, o := range outs[1:] {
			if o.Value.Kind != python.Known || first.Value.Kind != python.Known || python.Repr(o.Value.Obj) != python.Repr(first.Value.Obj) {
				return outcome{}, false
			}
		}
	}
	o := outs[0]
	if o.Value.Kind == python.Absent {
		return outcome{}, false
	}
	if v.Kind == python.FromEnv && v.Env.Default == nil {
		return outcome{}, false
	}
	return outcome{obj: o.Value.Obj, env: o.Env, rng: o.Value.Range}, true
}

// whenUnset phrases the condition of an outcome for messages.
func (o outcome) whenUnset() string {
	if o.env == "" {
		return ""
	}
	return " when " + o.env + " is not set"
}

func truthy(o python.Object) truth {
	t, ok := python.Truthy(o)
	if !ok {
		return truthUnknown
	}
	if t {
		return truthTrue
	}
	return truthFalse
}

// middleware returns the MIDDLEWARE list's known entries; ok is false
// when the list is not statically known.
func middleware(t *python.Tree) (entries []mwEntry, set setting, ok bool) {
	set = get(t, "MIDDLEWARE")
	v := set.value()
	if v == nil {
		old := get(t, "MIDDLEWARE_CLASSES")
		if old.binding != nil {
			set = old
			v = old.value()
		}
	}
	if v == nil {
		return nil, set, set.unsetForSure()
	}
	o, ok := certainOutcome(v)
	if !ok {
		return nil, set, false
	}
	seq, isSeq := o.obj.(*python.SeqObj)
	if !isSeq {
		return nil, set, false
	}
	entries = make([]mwEntry, 0, len(seq.Elems))
	for _, e := range seq.Elems {
		s, known := e.Str()
		if !known {
			return nil, set, false
		}
		entries = append(entries, mwEntry{path: s, rng: e.Range})
	}
	return entries, set, true
}

type mwEntry struct {
	path string
	rng  source.Range
}

func indexOf(entries []mwEntry, path string) int {
	for i, e := range entries {
		if e.path == path {
			return i
		}
	}
	return -1
}

const (
	securityMW = "django.middleware.security.SecurityMiddleware"
	sessionMW  = "django.contrib.sessions.middleware.SessionMiddleware"
	csrfMW     = "django.middleware.csrf.CsrfViewMiddleware"
	authMW     = "django.contrib.auth.middleware.AuthenticationMiddleware"
	remoteMW   = "django.contrib.auth.middleware.RemoteUserMiddleware"
	persistMW  = "django.contrib.auth.middleware.PersistentRemoteUserMiddleware"
)
