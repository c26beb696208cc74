// Package rules is the engine: rules as values, the pass a rule's Check
// receives, diagnostics with ranges and fixes, the deployment model shared
// by every family, and the runner that applies rules to a workspace.
//
// The shape follows golang.org/x/tools/go/analysis: a rule is a plain value
// with a code, its documentation and a Check function; a family package
// (rules/nginx, rules/haproxy, rules/django, ...) exports its rules and the
// driver hands them to the engine. This package never imports a family.
package rules

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Scope says what a rule looks at.
type Scope int

const (
	// ScopeTree rules inspect one configuration tree at a time.
	ScopeTree Scope = iota
	// ScopeDeployment rules inspect the whole workspace through the
	// deployment model (routes, apps and the links between them).
	ScopeDeployment
	// ScopeLoad marks the rules that document load and parse problems and
	// findings about mtlslint itself; they have no Check of their own.
	ScopeLoad
)

func (s Scope) String() string {
	switch s {
	case ScopeTree:
		return "tree"
	case ScopeDeployment:
		return "deployment"
	default:
		return "load"
	}
}

// Doc is a rule's documentation in fixed sections. The CLI's explain
// command, the editor hover, the README's rule table and the SARIF rule
// metadata all read it from here.
type Doc struct {
	What       string   // what the rule detects
	Why        string   // why it is dangerous
	Example    string   // a vulnerable configuration
	Fix        string   // how to fix it, with the safe configuration
	References []string // URLs or citations
}

// Rule is one check.
type Rule struct {
	Code     string   // "N003"
	Name     string   // "verify-client-optional"
	Severity Severity // default severity of its findings
	CWE      []string // "CWE-287"
	Summary  string   // one line
	Doc      Doc
	Scope    Scope
	// Kinds lists the tree kinds (parsers.Kind*) a ScopeTree rule inspects.
	Kinds []string
	// Problem is, for a ScopeLoad rule, the kind of load or parse problem
	// it documents: front ends report kinds, and the engine reports each
	// problem as a finding of the rule that documents its kind.
	Problem source.ProblemKind
	// Requires lists the analyses the rule reads with Pass.ResultOf
	// (DeploymentModel, a family's view of a tree): the engine computes
	// each once per run (per tree for ScopeTree analyses), and builds the
	// model only when a selected rule requires it.
	Requires []*Analysis
	// Supersedes lists the codes of the rules whose findings this rule's
	// findings replace: a finding of this rule drops theirs with the same
	// Key (a cross-file finding that knows the app replaces the proxy-side
	// one about the same route and header), and Pass.Resolve withdraws
	// theirs. Findings of unrelated rules with one Key are one defect
	// too: the most severe stays.
	Supersedes []string
	// Check reports diagnostics through the pass.
	Check func(*Pass)
}

// Finding wraps a diagnostic of the rule into a finding: the rule's code,
// name, CWE and scope, and its severity unless the diagnostic has one.
func (r *Rule) Finding(d Diagnostic) Finding {
	if d.Severity == 0 {
		d.Severity = r.Severity
	}
	return Finding{Diagnostic: d, Code: r.Code, Name: r.Name, CWE: r.CWE, Scope: r.Scope}
}

// HelpURI is where the rule's documentation lives on the web.
func (r *Rule) HelpURI() string {
	return "https://github.com/mtlslint/mtlslint/blob/main/docs/rules.md#" + strings.ToLower(r.Code)
}

// Markdown renders the rule's documentation.
func (r *Rule) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s %s\n\n%s\n\n", r.Code, r.Name, r.Summary)
	fmt.Fprintf(&b, "Severity: %s", r.Severity)
	if len(r.CWE) > 0 {
		fmt.Fprintf(&b, " · %s", strings.Join(r.CWE, ", "))
	}
	b.WriteString("\n\n")
	section := func(title, text string) {
		if text != "" {
			fmt.Fprintf(&b, "### %s\n\n%s\n\n", title, strings.TrimSpace(text))
		}
	}
	section("What it does", r.Doc.What)
	section("Why it is dangerous", r.Doc.Why)
	if r.Doc.Example != "" {
		fmt.Fprintf(&b, "### Example\n\n```\n%s\n```\n\n", strings.TrimSpace(r.Doc.Example))
	}
	if r.Doc.Fix != "" {
		fmt.Fprintf(&b, "### Fix\n\n%s\n\n", strings.TrimSpace(r.Doc.Fix))
	}
	if len(r.Doc.References) > 0 {
		b.WriteString("### References\n\n")
		for _, ref := range r.Doc.References {
			fmt.Fprintf(&b, "- %s\n", ref)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Text renders the rule's documentation for a terminal.
func (r *Rule) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s", r.Code, r.Name, r.Severity)
	if len(r.CWE) > 0 {
		fmt.Fprintf(&b, ", %s", strings.Join(r.CWE, ", "))
	}
	fmt.Fprintf(&b, ")\n%s\n", r.Summary)
	section := func(title, text string) {
		if text != "" {
			fmt.Fprintf(&b, "\n%s\n%s\n", title, indent(strings.TrimSpace(text)))
		}
	}
	section("What it does", r.Doc.What)
	section("Why it is dangerous", r.Doc.Why)
	section("Example", r.Doc.Example)
	section("Fix", r.Doc.Fix)
	if len(r.Doc.References) > 0 {
		section("References", "- "+strings.Join(r.Doc.References, "\n- "))
	}
	return b.String()
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// Edit replaces the text of Range with NewText.
type Edit struct {
	Range   source.Range `json:"range"`
	NewText string       `json:"new_text"`
}

// Fix is a change that resolves a diagnostic. Safe fixes keep the meaning
// of the configuration apart from the defect; unsafe ones need review.
type Fix struct {
	Description string `json:"description"`
	Safe        bool   `json:"safe"`
	Edits       []Edit `json:"edits"`
}

// Diagnostic is what a rule reports: where, what, why and how to fix it.
// The engine wraps it into a Finding with what only the engine and the
// driver know (the rule's code and name, suppression, fingerprint).
type Diagnostic struct {
	Range source.Range `json:"range"`
	// Message says what is wrong, where, in at most 120 characters
	// ("X-SSL-Client-Verify is not overwritten on this route"); it is
	// what a terminal line, an editor squiggle and a code-scanning alert
	// show first.
	Message string `json:"message"`
	// Detail says why it matters and the context it was decided in (the
	// routes, the app's check, what was measured), as full sentences.
	Detail string `json:"detail,omitempty"`
	// FixTitle says in one line how to fix it (in the proxy's or the
	// app's own syntax when known), for findings whose fix is not an
	// edit mtlslint can make; a Fix's Description says it otherwise.
	FixTitle string `json:"fix_title,omitempty"`
	// Severity is the finding's severity; zero means the rule's default
	// (a rule may raise or lower one finding).
	Severity Severity         `json:"severity"`
	Related  []source.Related `json:"related,omitempty"`
	Fixes    []Fix            `json:"fixes,omitempty"`
	// Key says what the finding is about (a route and a header, a
	// directive): one finding per Key, and a rule's finding replaces those
	// of the rules it Supersedes with the same Key.
	Key Key `json:"key,omitzero"`
}

// Text is the message, the detail and the fix title as one text, for
// readers that take one string.
func (d *Diagnostic) Text() string {
	return strings.TrimSpace(strings.Join([]string{d.Message, d.Detail, d.FixTitle}, " "))
}

// MaxMessage is the longest a Message may be.
const MaxMessage = 120

// Finding is a diagnostic as the engine and the driver report it: the
// rule's Diagnostic with the fields only they know.
type Finding struct {
	Diagnostic
	Code  string   `json:"code"`
	Name  string   `json:"name"`
	CWE   []string `json:"cwe,omitempty"`
	Scope Scope    `json:"-"` // the scope of the rule that reported it
	// Suppression is set when an inline suppression, a per-file ignore or
	// the baseline covers the finding (reported only on request).
	Suppression *Suppression `json:"suppression,omitempty"`
	// Fingerprint identifies the finding across unrelated edits
	// (fingerprint version 2); LegacyFingerprint is what version 1
	// computed, which baselines written before still hold.
	Fingerprint       string `json:"fingerprint,omitempty"`
	LegacyFingerprint string `json:"-"`
	// LegacyMessage is the message version 1 fingerprints hashed, when it
	// differs from Message (a load problem whose text was split into
	// message and detail).
	LegacyMessage string `json:"-"`
}

// Suppression says why a finding is not reported.
type Suppression struct {
	Kind          string       `json:"kind"` // "inSource", "external" (config), "baseline"
	Justification string       `json:"justification,omitempty"`
	Range         source.Range `json:"range,omitempty"`
}

// Less orders findings deterministically: file, start, code, end,
// message.
func (d *Finding) Less(e *Finding) bool { return d.Compare(e) < 0 }

// Compare is -1, 0 or +1 as d sorts before, with or after e in Less's
// order.
func (d *Finding) Compare(e *Finding) int {
	if c := strings.Compare(d.Range.File, e.Range.File); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Range.Start.Offset, e.Range.Start.Offset); c != 0 {
		return c
	}
	if c := strings.Compare(d.Code, e.Code); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Range.End.Offset, e.Range.End.Offset); c != 0 {
		return c
	}
	return strings.Compare(d.Message, e.Message)
}
