package rules

import (
	"fmt"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Settings are the facts about the deployment that the configuration file
// or the command line supply, which rules read.
type Settings struct {
	// Software versions ("1.22.1"); empty means unknown, and rules that
	// depend on a version assume the worst case and say so.
	NginxVersion    string
	HAProxyVersion  string
	DjangoVersion   string
	GunicornVersion string
	// CaddyVersion, when set, beats the Caddy versions the repository's
	// images pin (rules/caddy, version.go).
	CaddyVersion string
	// DevSettings are globs of settings modules that are for development
	// only (in addition to the names recognised by default).
	DevSettings []string
	// SettingsModule is the effective production settings module, if known.
	SettingsModule string
	// TrustedProxies are addresses of proxies in front of the apps.
	TrustedProxies []string
	// Topology links proxies to apps explicitly.
	Topology []TopologyLink
	// Base reads the repository as it was at BaseRevision (check
	// --spec-base): rules that compare with an earlier version read it
	// from there. Nil when no base was given.
	Base         source.Reader
	BaseRevision string
}

// TopologyLink says that a proxy (a config file, or an upstream/backend
// name) fronts an app (a settings module or an app directory).
type TopologyLink struct {
	Proxy string
	App   string
	Range source.Range // where the link is declared
}

// Pass is what a rule's Check (or an analysis's Build) receives: the tree
// to inspect (ScopeTree), the workspace, the settings, the results of the
// analyses it requires (ResultOf), and a way to report.
type Pass struct {
	Rule      *Rule     // nil in an analysis's pass
	Analysis  *Analysis // nil in a rule's pass
	Tree      parsers.Tree
	Workspace *parsers.Workspace
	Settings  *Settings
	run       *run
	report    func(Finding)
	resolve   func(by string, k Key)
}

// Resolve says that the deployment model proves the defect with this Key
// absent: the findings with the Key of the rules this rule Supersedes are
// withdrawn (for example the single-file SECURE_PROXY_SSL_HEADER warning,
// when every route to the app overwrites the header). Only
// deployment-scope rules may resolve.
func (p *Pass) Resolve(k Key) {
	if p.resolve != nil && p.Rule.Scope == ScopeDeployment && !k.IsZero() {
		p.resolve(p.Rule.Code, k)
	}
}

// Report records a diagnostic as a finding of the pass's rule; a zero
// Severity means the rule's default.
func (p *Pass) Report(d Diagnostic) { p.report(p.Rule.Finding(d)) }

// Reportf records a diagnostic with a formatted message.
func (p *Pass) Reportf(r source.Range, format string, args ...any) {
	p.Report(Diagnostic{Range: r, Message: fmt.Sprintf(format, args...)})
}
