package lint

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// familyPrefixes are the code prefixes each family may use.
var familyPrefixes = map[string]string{
	"load": "EM", "django": "DG", "deploy": "X", "haproxy": "H", "k8s": "K",
	"nginx": "N", "openapi": "O", "terraform": "T", "apache": "A", "caddy": "C",
	"envoy": "V", "traefik": "R",
}

var (
	codeFormat = regexp.MustCompile(`^[A-Z][0-9]{3}$`)
	nameFormat = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// TestRegistry checks every rule of every family: a code of the family's
// prefix and a name, both unique across all families; a rule that checks
// has documentation, a scope and, for tree rules, the kinds it reads; what
// it supersedes exists; the analyses it requires have unique names and do
// not require each other in a cycle.
func TestRegistry(t *testing.T) {
	codes := map[string]string{}
	names := map[string]string{}
	all := map[string]*rules.Rule{}
	for _, f := range families {
		prefixes, ok := familyPrefixes[f.Name]
		if !ok {
			t.Errorf("family %s has no code prefix here", f.Name)
		}
		for _, r := range f.Rules {
			all[r.Code] = r
			if !codeFormat.MatchString(r.Code) || !strings.ContainsRune(prefixes, rune(r.Code[0])) {
				t.Errorf("%s (family %s): code must be one of %q and three digits", r.Code, f.Name, prefixes)
			}
			if !nameFormat.MatchString(r.Name) {
				t.Errorf("%s: name %q is not lower-case words joined by dashes", r.Code, r.Name)
			}
			if other, dup := codes[r.Code]; dup {
				t.Errorf("code %s in families %s and %s", r.Code, other, f.Name)
			}
			if other, dup := names[r.Name]; dup {
				t.Errorf("name %s used by %s and %s", r.Name, other, r.Code)
			}
			codes[r.Code], names[r.Name] = f.Name, r.Code
			if r.Summary == "" || r.Doc.What == "" || r.Doc.Why == "" || r.Doc.Fix == "" {
				t.Errorf("%s: summary, What, Why or Fix missing", r.Code)
			}
			if r.Severity < rules.Info || r.Severity > rules.Critical {
				t.Errorf("%s: no severity", r.Code)
			}
			switch r.Scope {
			case rules.ScopeLoad:
				if r.Check != nil || len(r.Requires) > 0 {
					t.Errorf("%s: load rules document problems and have no Check or Requires", r.Code)
				}
			case rules.ScopeTree:
				if r.Check == nil || len(r.Kinds) == 0 {
					t.Errorf("%s: a tree rule needs a Check and the kinds it reads", r.Code)
				}
			case rules.ScopeDeployment:
				if r.Check == nil {
					t.Errorf("%s: a deployment rule needs a Check", r.Code)
				}
			}
		}
	}
	// Front ends report kinds of problem; each kind is documented by one
	// load rule, which gives its findings their code.
	documented := map[source.ProblemKind]string{}
	for _, r := range all {
		if r.Problem != "" {
			if other, dup := documented[r.Problem]; dup {
				t.Errorf("problem kind %s documented by %s and %s", r.Problem, other, r.Code)
			}
			documented[r.Problem] = r.Code
		}
	}
	for _, k := range []source.ProblemKind{source.ProblemSyntax, source.ProblemIncludeMissing, source.ProblemIncludeOutside,
		source.ProblemSkipped, source.ProblemIncludeCycle, source.ProblemNotAnalysed, kube.ProblemNotRendered} {
		if documented[k] == "" {
			t.Errorf("no rule documents problems of kind %s", k)
		}
	}
	for _, r := range all {
		for _, s := range r.Supersedes {
			if all[s] == nil || s == r.Code {
				t.Errorf("%s supersedes %q, which is not another rule", r.Code, s)
			}
		}
	}
	// Analyses: unique names, no cycles.
	byName := map[string]*rules.Analysis{}
	var visit func(a *rules.Analysis, path []*rules.Analysis)
	visit = func(a *rules.Analysis, path []*rules.Analysis) {
		if slices.Contains(path, a) {
			t.Errorf("analysis %s requires itself through %v", a.Name, path)
			return
		}
		if other := byName[a.Name]; other != nil && other != a {
			t.Errorf("two analyses are named %s", a.Name)
		}
		byName[a.Name] = a
		if a.Scope != rules.ScopeTree && a.Scope != rules.ScopeDeployment {
			t.Errorf("analysis %s: scope must be tree or deployment", a.Name)
		}
		for _, b := range a.Requires {
			visit(b, append(path, a))
		}
	}
	for _, r := range all {
		for _, a := range r.Requires {
			visit(a, nil)
		}
	}
	for _, f := range families {
		for _, b := range []*rules.Analysis{f.Routes, f.Apps} {
			if b != nil {
				visit(b, nil)
			}
		}
	}
}
