package nginx

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Rules are the nginx rules, in code order.
var Rules = []*rules.Rule{
	HeaderInheritance,
	VerifyOff,
	VerifyOptional,
	VerifyNoCA,
	HeaderFromClient,
	RouteGap,
	Underscores,
	CABundle,
	Revocation,
	WeakTLS,
	CertVar,
	VhostCAMix,
	Resumption,
}

var kinds = []string{parsers.KindNginx}

// treeConfig is the nginx family's semantic view of one tree (servers by
// socket, upstreams, maps) with its routes, computed once per tree and run
// for every rule and the route builder.
var treeConfig = &rules.Analysis{
	Name:  "nginx-config",
	Doc:   "The semantic view of an nginx tree, with its routes (*nginx.config; nil for other trees).",
	Scope: rules.ScopeTree,
	Build: func(p *rules.Pass) any {
		t, ok := p.Tree.(*nginx.Tree)
		if !ok {
			return (*config)(nil)
		}
		c := newConfig(t)
		c.buildRoutes()
		return c
	},
}

// requiresConfig is what every nginx rule requires.
var requiresConfig = []*rules.Analysis{treeConfig}

// analyse returns the semantic view of the pass's tree, with its routes;
// nil for trees of other kinds.
func analyse(p *rules.Pass) *config {
	c, _ := p.ResultOf(treeConfig).(*config)
	return c
}

// atKey is the key of a finding about one written directive, per rule.
func atKey(code string, d *nginx.Directive, what string) rules.Key {
	return rules.DirectiveKey(code, d.Written().Range(), what)
}

// related points at a directive as a secondary location.
func related(d *nginx.Directive, msg string) source.Related {
	return source.Related{Range: d.Written().Range(), Message: msg}
}

// version is a parsed nginx version.
type version [3]int

// parseVersion reads "1.22.1" or "nginx/1.22.1"; ok is false for "" or
// anything else.
func parseVersion(s string) (version, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "nginx/")
	if s == "" {
		return version{}, false
	}
	var v version
	parts := strings.Split(s, ".")
	if len(parts) > 3 {
		return version{}, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return version{}, false
		}
		v[i] = n
	}
	return v, true
}

func (v version) less(w version) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

func (v version) String() string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

// nginxVersion returns the configured nginx version.
func nginxVersion(p *rules.Pass) (version, bool) {
	if p.Settings == nil {
		return version{}, false
	}
	return parseVersion(p.Settings.NginxVersion)
}

// directiveText renders a directive as it would be written on one line.
func directiveText(d *nginx.Directive) string {
	var b strings.Builder
	b.WriteString(d.Name)
	for _, a := range d.Args {
		b.WriteByte(' ')
		b.WriteString(a.Raw)
	}
	b.WriteByte(';')
	return b.String()
}

// indentOf returns the whitespace before d on its line ("" when other text
// precedes it).
func indentOf(d *nginx.Directive) string {
	f := d.File
	start := f.LineStart(d.Range().Start.Line)
	prefix := f.Content[start:d.Range().Start.Offset]
	if strings.TrimLeft(string(prefix), " \t") != "" {
		return ""
	}
	return string(prefix)
}

// insertAfter returns an edit that adds text as a new line after directive
// a, with a's indentation; when a's line goes on with more directives
// (a one-line block), text goes right after a on the same line.
func insertAfter(a *nginx.Directive, text string) rules.Edit {
	f := a.File
	end := a.Range().End.Offset
	lineEnd := f.LineEnd(a.Range().End.Line)
	rest := strings.TrimSpace(string(f.Content[end:lineEnd]))
	if rest == "" || strings.HasPrefix(rest, "#") {
		return rules.Edit{Range: f.Range(lineEnd, lineEnd), NewText: "\n" + indentOf(a) + text}
	}
	return rules.Edit{Range: f.Range(end, end), NewText: " " + text}
}

// insertInto returns an edit that adds text as the first line of block b,
// or ok=false when b's opening and closing braces share a line.
func insertInto(b *nginx.Directive, text string) (rules.Edit, bool) {
	f := b.File
	if b.Synthetic || b.Head().End.Line == b.Range().End.Line {
		return rules.Edit{}, false
	}
	headEnd := f.LineEnd(b.Head().End.Line)
	rest := strings.TrimSpace(string(f.Content[b.Head().End.Offset:headEnd]))
	if rest != "" && !strings.HasPrefix(rest, "#") {
		return rules.Edit{}, false
	}
	indent := indentOf(b) + "    "
	if len(b.Children) > 0 && b.Children[0].File == f {
		if ci := indentOf(b.Children[0]); ci != "" {
			indent = ci
		}
	}
	return rules.Edit{Range: f.Range(headEnd, headEnd), NewText: "\n" + indent + text}, true
}

// replaceArg returns an edit that replaces argument i of d (written in the
// repository) with text.
func replaceArg(d *nginx.Directive, i int, text string) (rules.Edit, bool) {
	if d.Stock() != "" || i >= len(d.Args) {
		return rules.Edit{}, false
	}
	return rules.Edit{Range: d.Args[i].Range(), NewText: text}, true
}

// routeList renders up to three routes for a message.
func routeList(rs []*route) string {
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	var parts []string
	seen := map[*nginx.Directive]bool{}
	for _, r := range rs {
		if seen[r.block] {
			continue
		}
		seen[r.block] = true
		parts = append(parts, fmt.Sprintf("%s (line %d)", blockDesc(r.block), r.block.Head().Start.Line))
	}
	if len(parts) > 3 {
		return strings.Join(parts[:3], ", ") + fmt.Sprintf(" and %d more", len(parts)-3)
	}
	return strings.Join(parts, ", ")
}

// uniqueBlocks returns one route per block (routes differ by listen only).
func uniqueBlocks(rs []*route) []*route {
	seen := map[*nginx.Directive]bool{}
	var out []*route
	for _, r := range rs {
		if !seen[r.block] {
			seen[r.block] = true
			out = append(out, r)
		}
	}
	return out
}
