package auditreport

import (
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/graph"
)

var sevColors = map[string]string{
	"critical": "#6a1b9a",
	"high":     "#c62828",
	"medium":   "#ef6c00",
	"low":      "#f9a825",
	"info":     "#1565c0",
}

// segment is one severity's part of a stacked bar.
type segment struct {
	X, Width float64
	Color    string
	Name     string
	Count    int
}

// chartWidth is the width of a repository's bar at the largest count.
const chartWidth = 240.0

// bar lays out a stacked bar of counts, scaled so that scale findings fill
// chartWidth.
func bar(counts [5]int, scale int) []segment {
	if scale <= 0 {
		return nil
	}
	var out []segment
	x := 0.0
	for i, n := range counts {
		if n == 0 {
			continue
		}
		w := chartWidth * float64(n) / float64(scale)
		out = append(out, segment{X: x, Width: w, Color: sevColors[Severities[i]], Name: Severities[i], Count: n})
		x += w
	}
	return out
}

var funcs = template.FuncMap{
	"bar": bar,
	"sevColor": func(name string) string {
		if c, ok := sevColors[name]; ok {
			return c
		}
		return sevColors["info"]
	},
	"printable": audit.Printable,
	"line":      printableLine,
	"barWidth":  func(n, max int) float64 { return chartWidth * float64(n) / float64(max) },
	"plural":    plural,
	"graph":     repoGraph,
}

// maxGraphRoutes caps the routes drawn for one repository; a larger
// deployment shows the routes that carry a finding.
const maxGraphRoutes = 60

// repoGraph draws a repository's graph. Every string in it comes from the
// records and is escaped by the SVG writer; its element IDs start with the
// repository's anchor, so that a finding links to its own place.
func repoGraph(r *Repo) (template.HTML, error) {
	g := r.Graph
	if g == nil || len(g.Nodes) == 0 {
		return "", nil
	}
	if g.Routes() > maxGraphRoutes {
		g = g.Only(g.MarkedRoutes())
	}
	var b strings.Builder
	if err := graph.SVG(&b, g, graph.Options{IDPrefix: r.Anchor + "-", Inline: true}); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// The page loads nothing: styles are inline, charts are inline SVG, and
// the Content-Security-Policy forbids scripts, so that even a string that
// escaped escaping could not run. It is parsed when a report is first
// written, not when the program starts: every command links this package.
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Funcs(funcs).Parse(pageText))
})

const pageText = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mtlslint audit: {{len .Repos}} {{plural (len .Repos) "repository"}}, {{.Findings}} {{plural .Findings "finding"}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .6em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;padding:0 .45em;border-radius:3px;color:#fff;font-size:.85em}
.proof{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.85em;border:1px solid #888}
.proof.confirmed{background:#b00020;color:#fff;border-color:#b00020}
pre{background:#f6f8fa;padding:.4em .6em;margin:.2em 0 .8em;overflow-x:auto;white-space:pre}
code,pre{font:12.5px/1.4 ui-monospace,Menlo,Consolas,monospace}
.loc{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.muted{color:#666}.fail{color:#c62828}
details>summary{cursor:pointer}
.graph{overflow:auto;max-height:48em;border:1px solid #eee;margin:.5em 0}
.graph svg{display:block}
ul.findings{list-style:none;padding:0}ul.findings li{margin:.3em 0}
a.finding{color:inherit;text-decoration:none;display:block;padding:.15em .3em;border-radius:3px}
a.finding:hover{background:#f6f8fa}
</style>
</head>
<body>
<h1>mtlslint audit</h1>
<p>{{len .Repos}} {{plural (len .Repos) "repository"}}, <strong>{{.Findings}} {{plural .Findings "finding"}}</strong>{{if .Suppressed}} ({{.Suppressed}} suppressed){{end}}{{if .Failed}}, <span class="fail">{{len .Failed}} not analysed</span>{{end}}.{{if .Tool}} <span class="muted">{{.Tool}}{{range .Shards}} · shard {{.}}{{end}}</span>{{end}}</p>
{{if or .Incomplete .Malformed}}<p class="fail">Skipped in the input: {{.Incomplete}} incomplete {{plural .Incomplete "repository"}} (a run killed while writing), {{.Malformed}} malformed {{plural .Malformed "line"}}.</p>{{end}}

<h2 id="totals">Totals by severity</h2>
<table>
<tr><th>Severity</th><th class="n">Findings</th><th></th></tr>
{{- $max := .Findings}}{{range .SeverityTotals}}
<tr><td><span class="sev" style="background:{{sevColor .Name}}">{{.Name}}</span></td><td class="n">{{.Count}}</td>
<td><svg width="240" height="12" role="img" aria-label="{{.Count}} {{.Name}}">{{if $max}}<rect width="{{barWidth .Count $max}}" height="12" fill="{{sevColor .Name}}"/>{{end}}</svg></td></tr>
{{- end}}
</table>

<h2 id="rules">Totals by rule</h2>
{{if .Rules}}<table>
<tr><th>Rule</th><th>Name</th><th>Severities found</th><th class="n">Findings</th><th class="n">Repositories</th></tr>
{{- range .Rules}}
<tr><td><a href="#rule-{{.Code}}">{{.Code}}</a></td><td>{{.Name}}</td><td><span class="sev" style="background:{{sevColor .Severity}}">{{.Severity}}</span> {{.FoundText}}</td><td class="n">{{len .Findings}}</td><td class="n">{{.Repos}}</td></tr>
{{- end}}
</table>{{else}}<p>No findings.</p>{{end}}

<h2 id="repositories">Repositories, worst first</h2>
<table>
<tr><th>Repository</th><th>Findings by severity</th><th class="n">critical</th><th class="n">high</th><th class="n">medium</th><th class="n">low</th><th class="n">info</th><th class="n">files</th><th>status</th></tr>
{{- $scale := .MaxRepoFindings}}{{range .Repos}}
<tr><td class="loc">{{printable .ID}}</td>
<td><svg width="240" height="14" role="img" aria-label="{{.Findings}} findings">{{range bar .BySeverity $scale}}<rect x="{{.X}}" width="{{.Width}}" height="14" fill="{{.Color}}"><title>{{.Count}} {{.Name}}</title></rect>{{end}}</svg></td>
{{- range .BySeverity}}<td class="n">{{.}}</td>{{end}}<td class="n">{{.FilesChecked}}</td>
<td>{{if eq .Status "ok"}}ok{{else}}<span class="fail">{{printable .Status}}</span>{{end}}</td></tr>
{{- end}}
</table>

{{if .Failed}}<h2 id="failed">Repositories not analysed</h2>
<p>Their findings are unknown: they are not clean.</p>
<table><tr><th>Repository</th><th>Status</th><th>Reason</th></tr>
{{- range .Failed}}
<tr><td class="loc">{{printable .ID}}</td><td class="fail">{{printable .Status}}</td><td>{{printable .Error}}</td></tr>
{{- end}}
</table>{{end}}

<h2 id="deployments">Repositories with findings: routes and findings</h2>
<p class="muted">Each repository's deployment: listeners on the left, app code that trusts a header on the right; routes with a finding in the severity's colour. Click a finding to highlight its route.</p>
{{range .Repos}}{{if .List}}
<section id="{{.Anchor}}" class="repo">
<h3 class="loc">{{printable .ID}}</h3>
{{with graph .}}<div class="graph">{{.}}</div>{{end}}
<ul class="findings">
{{- range .List}}
<li>{{if .Target}}<a class="finding" href="#{{.Target}}">{{end}}<span class="sev" style="background:{{sevColor .Severity}}">{{.Severity}}</span> {{if .Proof}}<span class="proof {{.Proof}}">{{.Proof}}</span> {{end}}<b>{{.Code}}</b> <span class="loc">{{printable .File}}:{{.Line}}</span> — {{printable .Message}}{{if .Target}}</a>{{end}}</li>
{{- end}}
</ul>
</section>
{{end}}{{end}}

{{if .Suppressions}}<h2 id="suppressed">Suppressed findings</h2>
<p>Findings that the repositories silenced (inline comments, their configuration, a baseline), with the reason each gives. They are not counted above.</p>
<table><tr><th>Repository</th><th>Location</th><th>Rule</th><th>Severity</th><th>How</th><th>Reason</th><th>Line</th></tr>
{{- range .Suppressions}}
<tr><td class="loc">{{printable .Repo}}</td><td class="loc">{{printable .File}}:{{.Line}}</td><td>{{.Code}}</td><td><span class="sev" style="background:{{sevColor .Severity}}">{{.Severity}}</span></td><td>{{printable .Kind}}</td><td>{{if .Justification}}{{printable .Justification}}{{else}}<span class="fail">no reason given</span>{{end}}</td><td><code>{{line .LineText}}</code></td></tr>
{{- end}}
</table>{{end}}

<h2 id="findings">Findings by rule</h2>
{{range .Rules}}
<section id="rule-{{.Code}}">
<h3>{{if .HelpURI}}<a href="{{.HelpURI}}">{{.Code}}</a>{{else}}{{.Code}}{{end}} {{.Name}} <span class="sev" style="background:{{sevColor .Severity}}">{{.Severity}}</span> <span class="muted">{{.FoundText}}</span></h3>
<p>{{if .Summary}}{{.Summary}} {{end}}<span class="muted">{{len .Findings}} {{plural (len .Findings) "finding"}} in {{.Repos}} {{plural .Repos "repository"}}.</span></p>
<details{{if le (len .Findings) 50}} open{{end}}><summary>Findings</summary>
{{- range .Findings}}
<div><span class="sev" style="background:{{sevColor .Severity}}">{{.Severity}}</span> {{if .Proof}}<span class="proof {{.Proof}}">{{.Proof}}</span> {{end}}<span class="loc">{{printable .Repo}} › {{printable .File}}:{{.Line}}:{{.Column}}</span> — {{printable .Message}}{{if .Target}} <a href="#{{.Target}}">(route)</a>{{end}}{{if .Detail}}
<div class="muted">{{printable .Detail}}</div>{{end}}{{if .ProofReason}}
<div class="muted">Proof: {{printable .ProofReason}}</div>{{end}}
<pre>{{if .LineText}}{{.Line}} | {{line .LineText}}{{else}}(line not available){{end}}</pre></div>
{{- end}}
</details>
</section>
{{end}}
</body>
</html>
`

// HTML writes the report as one self-contained page: no scripts, no
// external styles, fonts or images. Every string from the records is
// escaped.
func HTML(w io.Writer, r *Report) error {
	return page().Execute(w, r)
}

// printableLine is audit.Printable for a source line: tabs stay.
func printableLine(s string) string {
	parts := strings.Split(s, "\t")
	for i, p := range parts {
		parts[i] = audit.Printable(p)
	}
	return strings.Join(parts, "\t")
}
