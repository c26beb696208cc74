package auditreport

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/audit"
	"github.com/mtlslint/mtlslint/internal/audit/audittest"
)

// auditTo audits repos into a JSON Lines file.
func auditTo(t *testing.T, path string, repos []audit.Repo, shard audit.Shard) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = audit.Run(context.Background(), shard.Select(repos), f, audit.Options{
		Runner: audittest.Runner, Shard: shard, Tool: audit.Tool{Name: "mtlslint", Version: "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// org makes repositories with known findings: worst has 2 critical and
// 1 high, mid 3 high, low 1 high, clean none, broken cannot be read.
func org(t *testing.T) (string, []audit.Repo) {
	dir := t.TempDir()
	audittest.MakeRepo(t, filepath.Join(dir, "worst"), map[string]string{"a.conf": "CRITICAL\nCRITICAL\nVULNERABLE\n"})
	audittest.MakeRepo(t, filepath.Join(dir, "mid"), map[string]string{"a.conf": "VULNERABLE\nVULNERABLE\n", "b.conf": "x\n\tVULNERABLE\t|tab\n"})
	audittest.MakeRepo(t, filepath.Join(dir, "low"), map[string]string{"a.conf": "VULNERABLE\n"})
	audittest.MakeRepo(t, filepath.Join(dir, "clean"), map[string]string{"a.conf": "fine\n"})
	broken := audittest.MakeRepo(t, filepath.Join(dir, "broken"), nil)
	repos, _, err := audit.Discover([]string{dir}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(broken); err != nil {
		t.Fatal(err)
	}
	return dir, repos
}

func names(dir string, repos []*Repo) string {
	var s []string
	for _, r := range repos {
		s = append(s, strings.TrimPrefix(r.ID, filepath.ToSlash(dir)+"/"))
	}
	return strings.Join(s, " ")
}

func TestMergeShards(t *testing.T) {
	dir, repos := org(t)
	out := t.TempDir()
	var files []string
	for i := range 3 {
		p := filepath.Join(out, "shard"+string(rune('0'+i))+".jsonl")
		auditTo(t, p, repos, audit.Shard{Index: i, Count: 3})
		files = append(files, p)
	}
	// A second, complete run of everything: each repository is then
	// present twice and must count once.
	again := filepath.Join(out, "again.jsonl")
	auditTo(t, again, repos, audit.Shard{})
	rep, err := Load(append(files, again)...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(dir, rep.Repos), "worst mid low broken clean"; got != want {
		t.Errorf("order %q, want %q", got, want)
	}
	if got, want := names(dir, rep.Failed), "broken"; got != want {
		t.Errorf("failed %q, want %q", got, want)
	}
	if rep.Findings != 7 || rep.BySeverity != [5]int{2, 5, 0, 0, 0} {
		t.Errorf("findings %d by severity %v", rep.Findings, rep.BySeverity)
	}
	if len(rep.Rules) != 1 || rep.Rules[0].Code != "Z001" || len(rep.Rules[0].Findings) != 7 || rep.Rules[0].Repos != 3 {
		t.Fatalf("rules %+v", rep.Rules)
	}
	first := rep.Rules[0].Findings[0]
	if first.Severity != "critical" || first.File != "a.conf" || first.Line != 1 || first.LineText != "CRITICAL" {
		t.Errorf("first finding %+v", first)
	}
	if got := strings.Join(rep.Shards, ","); got != "0/3,1/3,2/3" {
		t.Errorf("shards %q", got)
	}
	if rep.MaxRepoFindings != 3 {
		t.Errorf("max %d", rep.MaxRepoFindings)
	}
}

// allowedTags are the elements the page is made of; anything else in the
// output would be markup that came from the data.
var allowedTags = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true,
	"h1": true, "h2": true, "h3": true, "p": true, "table": true, "tr": true, "th": true, "td": true,
	"svg": true, "rect": true, "span": true, "strong": true, "a": true, "section": true,
	"details": true, "summary": true, "div": true, "pre": true,
	"ul": true, "li": true, "b": true, "g": true, "path": true, "text": true,
}

var tagRE = regexp.MustCompile(`<(/?)([A-Za-z][A-Za-z0-9-]*)`)
var hrefRE = regexp.MustCompile(`(?i)\b(href|src|xlink:href|action)\s*=\s*"([^"]*)"`)

// hostileRecords are records as a tampered or hostile input could hold
// them: markup in every string, a javascript: help link, control
// characters.
const hostileRecords = `{"type":"finding","version":1,"repo":"org/<img src=x onerror=alert(1)>","code":"Z<b>9","name":"n<script>alert(2)</script>","severity":"<i>high","cwe":[],"message":"m <a href=\"javascript:alert(3)\">x</a> | *bold* [l](javascript:alert(4))","detail":"why <script>alert(14)</script>","location":{"file":"dir/\u001b[2J\nevil.conf","start":{"line":3,"column":1,"offset":0},"end":{"line":3,"column":2,"offset":1}},"related":[],"fixes":[],"help_uri":"javascript:alert(5)","line_text":"# </pre><script>alert(6)</script> | ` + "`code`" + ` *x*","place":{"routes":["r\" onload=\"alert(10)"]}}
{"type":"repo","version":1,"repo":"org/<img src=x onerror=alert(1)>","status":"ok","files_checked":1,"findings":1,"suppressed":0,"by_severity":{"high":1},"by_code":{"Z<b>9":1},"duration_ms":1,"graph":{"version":1,"nodes":[{"id":"listener:\"><script>alert(8)</script>","kind":"entry","label":["<img src=x onerror=alert(9)>","\u001b[2J"],"locs":[{"file":"<b>f","line":1}]},{"id":"route:r\" onload=\"alert(10)","kind":"route","label":["</text><script>alert(11)</script>"],"route":"r\" onload=\"alert(10)"}],"edges":[{"from":0,"to":1,"label":["<a href=\"javascript:alert(12)\">"],"routes":[1],"link":"<i>guess"}],"marks":[{"code":"Z<b>9","severity":"high","header":"<script>alert(13)</script>","place":{"routes":["r\" onload=\"alert(10)"]}}]}}
{"type":"repo","version":1,"repo":"org/\u202eevil","status":"<b>error","error":"<script>alert(7)</script>","files_checked":0,"findings":0,"suppressed":0,"by_severity":{},"by_code":{},"duration_ms":1}
`

func hostileReport(t *testing.T) *Report {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hostile.jsonl")
	if err := os.WriteFile(p, []byte(hostileRecords), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestHTMLEscapesEverything(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, hostileReport(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, m := range tagRE.FindAllStringSubmatch(out, -1) {
		if !allowedTags[strings.ToLower(m[2])] {
			t.Errorf("markup from the data reached the page: <%s%s", m[1], m[2])
		}
	}
	for _, m := range hrefRE.FindAllStringSubmatch(out, -1) {
		if v := m[2]; !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "https://") {
			t.Errorf("%s=%q: only in-page and https links are allowed", m[1], v)
		}
	}
	// (javascript: and onerror= may appear as text: the tag and link
	// checks above prove they are nothing else.)
	for _, bad := range []string{"\x1b", "\u202e", "<script", `"javascript:`} {
		if strings.Contains(out, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(6)&lt;/script&gt;", // the offending line, shown as text
		"org/&lt;img src=x onerror=alert(1)&gt;",
		"dir/\uFFFD[2J\uFFFDevil.conf:3:1",
		"&lt;script&gt;alert(7)&lt;/script&gt;",
		"org/\uFFFDevil",
		"&lt;/text&gt;&lt;script&gt;alert(11)&lt;/script&gt;", // a node's label in the graph
		"Z&lt;b&gt;9 &lt;script&gt;alert(13)&lt;/script&gt;",  // a mark on the graph
		"why &lt;script&gt;alert(14)&lt;/script&gt;",          // a finding's detail
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(strings.ToLower(out), "http://") || strings.Contains(out, "@import") || strings.Contains(out, "url(") {
		t.Error("the page refers to an external resource")
	}
}

func TestMarkdownEscapesEverything(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, hostileReport(t), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<img", "<a ", "<b>", "<i>", "](javascript", "\x1b", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("Markdown contains %q", bad)
		}
	}
	// Every row of the findings table has exactly its six separators:
	// a | in the data never splits a cell.
	var row string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| org/") && strings.Contains(l, "evil") {
			row = l
		}
	}
	if row == "" {
		t.Fatalf("no finding row in:\n%s", out)
	}
	if n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(row, -1)); n != 6 {
		t.Errorf("row has %d cell separators, want 6:\n%s", n, row)
	}
	for _, want := range []string{
		`m &lt;a href="javascript:alert\(3\)"&gt;x&lt;/a&gt; \| \*bold\* \[l\]\(javascript:alert\(4\)\)`,
		"<code>&#35; &#60;&#47;pre&#62;&#60;script&#62;alert&#40;6&#41;&#60;&#47;script&#62; &#124; &#96;code&#96; &#42;x&#42;</code>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderOrg(t *testing.T) {
	_, repos := org(t)
	p := filepath.Join(t.TempDir(), "all.jsonl")
	auditTo(t, p, repos, audit.Shard{})
	rep, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	var h, m bytes.Buffer
	if err := HTML(&h, rep); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&m, rep, MarkdownOptions{MaxPerRule: 2}); err != nil {
		t.Fatal(err)
	}
	html, md := h.String(), m.String()
	worst, mid := strings.Index(html, ">worst<"), strings.Index(html, ">mid<")
	if worst < 0 || mid < 0 || worst > mid {
		t.Errorf("worst repository not listed first (%d, %d)", worst, mid)
	}
	// One bar per repository with findings: worst's 2 critical + 1 high
	// fill the full width, 160 and 80.
	if !strings.Contains(html, `<rect x="0" width="160" height="14" fill="#6a1b9a"><title>2 critical</title></rect><rect x="160" width="80" height="14" fill="#c62828"><title>1 high</title></rect>`) {
		t.Errorf("worst repository's chart missing:\n%s", html)
	}
	if !strings.Contains(html, "<pre>2 | \tVULNERABLE\t|tab</pre>") {
		t.Error("offending line with its tabs missing from the page")
	}
	// Z001 is not in the registry: the severities found are its findings'.
	if !strings.Contains(md, "| Z001 | test-vulnerable-line | 2 critical, 5 high | 7 | 3 |") {
		t.Errorf("Markdown totals by rule missing:\n%s", md)
	}
	if !strings.Contains(md, "5 more findings not listed.") {
		t.Errorf("Markdown does not cap the listed findings:\n%s", md)
	}
	if !strings.Contains(md, "| critical | 2 |\n| high | 5 |") {
		t.Errorf("Markdown totals by severity:\n%s", md)
	}
}

// A rule's line in the totals shows the severities its findings have, not
// the rule's default: X002 is critical by default and reports lock-outs at
// medium.
func TestTotalsByRuleShowTheSeveritiesFound(t *testing.T) {
	recs := &audit.Records{Repos: map[string]*audit.RepoResult{}}
	for _, repo := range []string{"a", "b"} {
		recs.Repos[repo] = &audit.RepoResult{
			Summary:  audit.Summary{Repo: repo, Status: audit.StatusOK},
			Findings: []audit.Finding{{Repo: repo, Code: "X002", Severity: "medium", Message: "lock-out"}},
		}
	}
	recs.Repos["b"].Findings = append(recs.Repos["b"].Findings, audit.Finding{Repo: "b", Code: "X002", Severity: "medium", Message: "another"})
	rep := Build(recs)
	if len(rep.Rules) != 1 || rep.Rules[0].Severity != "medium" || rep.Rules[0].FoundText() != "3 medium" {
		t.Fatalf("rules: %+v", rep.Rules)
	}
	var m, h bytes.Buffer
	if err := Markdown(&m, rep, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&h, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.String(), "| verify-semantics-mismatch | 3 medium | 3 | 2 |") {
		t.Errorf("Markdown totals by rule:\n%s", m.String())
	}
	if !strings.Contains(h.String(), ">medium</span> 3 medium</td>") {
		t.Errorf("HTML totals by rule do not show the severities found")
	}
}
