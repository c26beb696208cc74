package suppress

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

func directives(kind, path, text string) []Directive {
	o := outline(kind, path, text)
	ds := Scan(o)
	cover(o, ds)
	return ds
}

func TestScanDirectives(t *testing.T) {
	ds := directives(parsers.KindNginx, "n.conf", `# mtlslint: ignore-file[N010] -- generated
server {
    ssl_verify_client optional;  # mtlslint: ignore[N003, n004] -- lab only # want M001
    # mtlslint: ignore[N005]
    # another comment
    location / {
        proxy_pass http://app;
    }
    # mtlslint: ignore[N006] -- nothing below

    set $x "# mtlslint: ignore[N007] -- in a string";
    # mtlslint: disable[N008]
    # mtlslint: ignore N009
    # mtlslint: ignore[xyz]
    # mtlslint: see the docs
}
`)
	if len(ds) != 7 {
		for _, d := range ds {
			t.Logf("%+v", d)
		}
		t.Fatalf("found %d directives, want 7", len(ds))
	}
	fw := ds[0]
	if !fw.FileWide || !fw.Names("N010") || fw.Reason != "generated" || !fw.Covers(99) {
		t.Errorf("ignore-file: %+v", fw)
	}
	tr := ds[1]
	if tr.OwnLine || tr.Reason != "lab only" || !tr.Names("N004") || tr.From != 3 || tr.To != 3 {
		t.Errorf("trailing: %+v", tr)
	}
	if got := tr.Range.String(); got != "n.conf:3:34" {
		t.Errorf("trailing range = %s", got)
	}
	own := ds[2]
	if !own.OwnLine || own.Reason != "" || own.From != 6 || own.To != 8 {
		t.Errorf("own line above a block (past another comment): %+v", own)
	}
	if ds[3].From != 0 || ds[3].Covers(11) {
		t.Errorf("a directive followed by a blank line covers nothing: %+v", ds[3])
	}
	for i, want := range []string{"unknown suppression", "must name the codes", "not a rule code"} {
		if d := ds[4+i]; !strings.Contains(d.Problem, want) || d.Covers(d.Range.Start.Line+1) {
			t.Errorf("malformed %d: %+v", i, d)
		}
	}
}

func TestScanPythonAndYAML(t *testing.T) {
	ds := directives(parsers.KindPython, "settings.py", "# mtlslint: ignore[D001] -- behind the proxy only\nSECURE_PROXY_SSL_HEADER = (\n    'HTTP_X_FORWARDED_PROTO', 'https')\nX = '# mtlslint: ignore[D002]'\n")
	if len(ds) != 1 || ds[0].From != 2 || ds[0].To != 3 {
		t.Fatalf("python: %+v", ds)
	}
	ds = directives(parsers.KindK8s, "ing.yaml", "metadata:  # mtlslint: ignore[K001] -- test cluster\n  annotations:\n    a: b\nspec: {}\n")
	if len(ds) != 1 || ds[0].From != 1 || ds[0].To != 3 {
		t.Fatalf("yaml: %+v", ds)
	}
	ds = directives(parsers.KindTerraform, "main.tf", "// mtlslint: ignore[T001] -- x\nresource \"a\" \"b\" {\n}\n")
	if len(ds) != 1 || ds[0].From != 2 || ds[0].To != 3 {
		t.Fatalf("terraform: %+v", ds)
	}
	if ds := directives(parsers.KindOpenAPI, "api.json", "{\"x\": \"# mtlslint: ignore[O001] -- x\"}\n"); len(ds) != 0 {
		t.Fatalf("json has no comments: %+v", ds)
	}
}

var testRules = map[string]*rules.Rule{}

func init() {
	for _, r := range rules.LoadRules {
		testRules[r.Code] = r
	}
	for _, c := range []string{"N003", "N004", "N010", "N011", "H001", "X004", "G002", "G003"} {
		testRules[c] = &rules.Rule{Code: c, Name: "rule-" + c, Severity: rules.High}
	}
}

func finding2(f *source.File, code string, line int) rules.Finding {
	return rules.Finding{Code: code, Diagnostic: rules.Diagnostic{Severity: rules.High, Range: f.Range(f.LineStart(line), f.LineEnd(line)), Message: code + " here", Key: rules.TestKey(code + "|" + f.Path)}}
}

func applyTo(f *source.File, kind string, diags []rules.Finding, enabled func(code, file string) bool) []rules.Finding {
	src := NewSources([]Source{{File: f, Kind: kind}}, nil)
	return Apply(src, diags, Options{Rule: func(c string) *rules.Rule { return testRules[c] }, Enabled: enabled})
}

func byCode(diags []rules.Finding) map[string][]rules.Finding {
	m := map[string][]rules.Finding{}
	for _, d := range diags {
		m[d.Code] = append(m[d.Code], d)
	}
	return m
}

func TestApplyLineBlockAndFile(t *testing.T) {
	f := source.NewFile("nginx.conf", []byte(`# mtlslint: ignore-file[N011] -- vendored
server {
    ssl_verify_client optional;  # mtlslint: ignore[N003] -- lab only
    # mtlslint: ignore[N010] -- gate in the upstream
    location /api {
        proxy_pass http://app;
    }
    location /other {
        proxy_pass http://app;
    }
}
`))
	diags := []rules.Finding{
		finding2(f, "N003", 3),  // same line: suppressed
		finding2(f, "N004", 3),  // same line, other code: reported
		finding2(f, "N010", 5),  // block opening line below: suppressed
		finding2(f, "N010", 6),  // inside that block: suppressed
		finding2(f, "N010", 8),  // another block: reported
		finding2(f, "N011", 9),  // file-wide: suppressed
		finding2(f, "N003", 10), // outside the line: reported
	}
	out := applyTo(f, parsers.KindNginx, diags, nil)
	var suppressed, reported []string
	for _, d := range out {
		tag := d.Code + "@" + strconv.Itoa(d.Range.Start.Line)
		if d.Suppression != nil {
			suppressed = append(suppressed, tag+":"+d.Suppression.Justification)
			if d.Suppression.Kind != "inSource" {
				t.Errorf("kind = %q", d.Suppression.Kind)
			}
		} else {
			reported = append(reported, tag)
		}
	}
	if got := strings.Join(suppressed, " "); got != "N003@3:lab only N010@5:gate in the upstream N010@6:gate in the upstream N011@9:vendored" {
		t.Errorf("suppressed: %s", got)
	}
	if got := strings.Join(reported, " "); got != "N004@3 N010@8 N003@10" {
		t.Errorf("reported: %s", got)
	}
}

func TestUnusedAndReasonless(t *testing.T) {
	text := `frontend fe  # mtlslint: ignore[H001]
    bind :443
    http-request set-header X-A 1  # mtlslint: ignore[N003, N004] -- partly used
    # mtlslint: ignore[N010] -- nothing here
    http-request del-header X-B
    acl a always_true  # mtlslint: ignore[X999, E001] -- unknown and not allowed
    acl b always_true  # mtlslint: ignore[N011] -- rule not run
`
	f := source.NewFile("haproxy.cfg", []byte(text))
	diags := []rules.Finding{finding2(f, "H001", 2), finding2(f, "N003", 3)}
	enabled := func(code, file string) bool { return code != "N011" }
	m := byCode(applyTo(f, parsers.KindHAProxy, diags, enabled))
	if len(m["H001"]) != 1 || m["H001"][0].Suppression == nil || m["H001"][0].Suppression.Justification != "" {
		t.Errorf("section suppression without reason must still suppress: %+v", m["H001"])
	}
	if len(m["M003"]) != 1 || m["M003"][0].Range.Start.Line != 1 || m["M003"][0].Severity != rules.Low {
		t.Errorf("M003: %+v", m["M003"])
	}
	unused := m["M001"]
	if len(unused) != 3 {
		t.Fatalf("M001 findings: %+v", unused)
	}
	lines := map[int]rules.Finding{}
	for _, d := range unused {
		lines[d.Range.Start.Line] = d
	}
	partly := lines[3]
	if !strings.Contains(partly.Message, "no N004 finding on this line") || strings.Contains(partly.Message, "N003") {
		t.Errorf("partly used: %s", partly.Message)
	}
	if got := applyEdits(text, partly.Fixes[0].Edits); !strings.Contains(got, "# mtlslint: ignore[N003] -- partly used\n") {
		t.Errorf("partial fix gives:\n%s", got)
	}
	whole := lines[4]
	if !strings.Contains(whole.Message, "no N010 finding on the next statement (line 5)") {
		t.Errorf("own line: %s", whole.Message)
	}
	if got := applyEdits(text, whole.Fixes[0].Edits); strings.Contains(got, "N010") || !strings.Contains(got, "X-A 1  # mtlslint: ignore[N003, N004] -- partly used\n    http-request del-header X-B\n") {
		t.Errorf("removing an own-line directive gives:\n%s", got)
	}
	bad := lines[6]
	if !strings.Contains(bad.Message, "X999 is not a rule code") || !strings.Contains(bad.Message, "E001 cannot be suppressed") {
		t.Errorf("unknown codes: %s", bad.Message)
	}
	if got := applyEdits(text, bad.Fixes[0].Edits); !strings.Contains(got, "    acl a always_true\n") {
		t.Errorf("removing a trailing directive gives:\n%s", got)
	}
	if _, ok := lines[7]; ok {
		t.Error("a suppression of a rule that did not run was reported unused")
	}
	// A reason-less directive that suppresses nothing is reported once,
	// as unused.
	f2 := source.NewFile("haproxy.cfg", []byte("backend b  # mtlslint: ignore[H001]\n"))
	m = byCode(applyTo(f2, parsers.KindHAProxy, nil, nil))
	if len(m["M001"]) != 1 || len(m["M003"]) != 0 {
		t.Errorf("unused reason-less: %+v", m)
	}
	// Disabled M001/M003 are not reported.
	m = byCode(applyTo(f, parsers.KindHAProxy, diags, func(code, _ string) bool { return code != "M001" && code != "M003" }))
	if len(m["M001"])+len(m["M003"]) != 0 {
		t.Errorf("disabled M codes reported: %+v", m)
	}
}

// A directive may follow other text in its comment, as ruff's noqa may;
// removing it keeps that text. A placeholder reason is no reason.
func TestDirectiveAfterOtherComment(t *testing.T) {
	text := `bind = "0.0.0.0:8000"  # public  # mtlslint: ignore[X004] -- firewall
workers = 4  # see # mtlslint: ignore[G002] -- <reason>
timeout = 30  # mtlslint: ignore[G003] -- <why this is safe>
# mtlslint: the docs explain suppressions
`
	f := source.NewFile("gunicorn.conf.py", []byte(text))
	ds := directives(parsers.KindPython, "gunicorn.conf.py", text)
	if len(ds) != 3 {
		t.Fatalf("found %d directives, want 3: %+v", len(ds), ds)
	}
	if d := ds[0]; d.Reason != "firewall" || !d.Names("X004") || d.From != 1 || d.OwnLine || d.Range.Start.Col != 34 {
		t.Errorf("after a comment: %+v", d)
	}
	if d := ds[1]; d.Reason != "" || d.Placeholder != "<reason>" {
		t.Errorf("placeholder: %+v", d)
	}
	diags := []rules.Finding{finding2(f, "X004", 1), finding2(f, "G002", 2), finding2(f, "G003", 3)}
	m := byCode(applyTo(f, parsers.KindPython, diags, nil))
	if m["X004"][0].Suppression == nil || m["X004"][0].Suppression.Justification != "firewall" {
		t.Errorf("X004 not suppressed by the directive after a comment: %+v", m["X004"])
	}
	if len(m["M003"]) != 2 || !strings.Contains(m["M003"][0].Message, "placeholder `<reason>`") || !strings.Contains(m["M003"][1].Message, "placeholder `<why this is safe>`") {
		t.Errorf("a placeholder reason must be M003: %+v", m["M003"])
	}
	f2 := source.NewFile("gunicorn.conf.py", []byte("bind = \"0.0.0.0:8000\"  # public  # mtlslint: ignore[X004] -- firewall\n"))
	m = byCode(applyTo(f2, parsers.KindPython, nil, nil))
	if len(m["M001"]) != 1 {
		t.Fatalf("unused directive after a comment: %+v", m)
	}
	if got := applyEdits(string(f2.Content), m["M001"][0].Fixes[0].Edits); got != "bind = \"0.0.0.0:8000\"  # public\n" {
		t.Errorf("removing it gives %q", got)
	}
}

func TestRemoveLastLineWithoutNewline(t *testing.T) {
	text := "server {\n}\n# mtlslint: ignore[N003] -- x"
	f := source.NewFile("n.conf", []byte(text))
	m := byCode(applyTo(f, parsers.KindNginx, nil, nil))
	if len(m["M001"]) != 1 {
		t.Fatalf("%+v", m)
	}
	if got := applyEdits(text, m["M001"][0].Fixes[0].Edits); got != "server {\n}" {
		t.Errorf("got %q", got)
	}
}

// applyEdits applies non-overlapping edits (test helper).
func applyEdits(text string, edits []rules.Edit) string {
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		text = text[:e.Range.Start.Offset] + e.NewText + text[e.Range.End.Offset:]
	}
	return text
}

func TestFingerprintIgnoresLineShiftsButNotPlace(t *testing.T) {
	base := "server {\n    location /a {\n        proxy_set_header X-A $http_x;\n    }\n}\n"
	shifted := "# a new comment\n\nserver {\n    listen 443;\n    location /a {\n        proxy_set_header   X-A $http_x;  # reformatted\n    }\n}\n"
	elsewhere := "server {\n    location /a {\n        proxy_set_header X-A $http_x;\n    }\n    location /b {\n        proxy_set_header X-A $http_x;\n    }\n}\n"
	fp := func(text string, line int) string {
		f := source.NewFile("n.conf", []byte(text))
		d := rules.Finding{Code: "N020", Diagnostic: rules.Diagnostic{Range: f.Range(f.LineStart(line), f.LineEnd(line)), Key: rules.TestKey("hdr:x-a")}}
		return Fingerprint(&d, NewOutline(f, parsers.KindNginx))
	}
	a := fp(base, 3)
	if b := fp(shifted, 6); b != a {
		t.Errorf("line shift and reformatting changed the fingerprint")
	}
	if fp(elsewhere, 3) != a {
		t.Errorf("same finding in the same block changed")
	}
	if fp(elsewhere, 6) == a {
		t.Errorf("a finding in another block has the same fingerprint")
	}
	f := source.NewFile("other.conf", []byte(base))
	d := rules.Finding{Code: "N020", Diagnostic: rules.Diagnostic{Range: f.Range(f.LineStart(3), f.LineEnd(3)), Key: rules.TestKey("hdr:x-a")}}
	if Fingerprint(&d, NewOutline(f, parsers.KindNginx)) == a {
		t.Errorf("a finding in another file has the same fingerprint")
	}
	// Load problems carry their position in the Key; it must not count.
	p1 := rules.Finding{Code: "E001", Diagnostic: rules.Diagnostic{Range: f.Range(0, 1), Message: "unexpected \"}\" at 3:1"}}
	p1.Key = rules.ProblemKey(source.Problem{Range: p1.Range, Message: "unexpected }"})
	p2 := p1
	p2.Key = rules.ProblemKey(source.Problem{Range: f.Range(8, 9), Message: "unexpected }"})
	p2.Message = "unexpected \"}\" at 11:1"
	if Fingerprint(&p1, nil) != Fingerprint(&p2, nil) {
		t.Errorf("position in a problem key changed the fingerprint")
	}
	// A rule that names the directive by its position in the Key.
	k1 := rules.Finding{Code: "N009", Diagnostic: rules.Diagnostic{Range: f.Range(0, 1), Key: rules.TestKey("N009|at:n.conf:21:9|x@*:8443")}}
	k2 := k1
	k2.Key = rules.TestKey("N009|at:n.conf:23:9|x@*:8443")
	k3 := k1
	k3.Key = rules.TestKey("N009|at:n.conf:21:9|x@*:443")
	if Fingerprint(&k1, nil) != Fingerprint(&k2, nil) || Fingerprint(&k1, nil) == Fingerprint(&k3, nil) {
		t.Errorf("positions in keys must not count, ports must")
	}
}

// TestSortAppendedIsAStableSort checks the merge against a stable sort of
// the whole list: ties (equal under Compare, told apart by Severity here)
// keep the head's first, and an unsorted head falls back to a full sort.
func TestSortAppendedIsAStableSort(t *testing.T) {
	at := func(file string, offset int, code string, sev rules.Severity) rules.Finding {
		var f rules.Finding
		f.Range.File, f.Range.Start.Offset, f.Code, f.Severity = file, offset, code, sev
		return f
	}
	cases := []struct {
		name       string
		head, tail []rules.Finding
	}{
		{"sorted head", []rules.Finding{at("a", 1, "N001", 1), at("a", 5, "N002", 1), at("b", 2, "N001", 1)},
			[]rules.Finding{at("b", 0, "M001", 2), at("a", 5, "N002", 2), at("a", 0, "M003", 2), at("c", 0, "M001", 2)}},
		{"unsorted head", []rules.Finding{at("b", 2, "N001", 1), at("a", 5, "N002", 1)},
			[]rules.Finding{at("a", 5, "N002", 2), at("a", 0, "M001", 2)}},
		{"nothing appended", []rules.Finding{at("a", 1, "N001", 1)}, nil},
		{"nothing found", nil, []rules.Finding{at("b", 1, "M001", 2), at("a", 1, "M001", 2)}},
	}
	for _, c := range cases {
		all := append(append([]rules.Finding{}, c.head...), c.tail...)
		want := append([]rules.Finding{}, all...)
		rules.SortFindings(want)
		got := sortAppended(all, len(c.head))
		if len(got) != len(want) {
			t.Fatalf("%s: %d findings, want %d", c.name, len(got), len(want))
		}
		for i := range want {
			if got[i].Range.File != want[i].Range.File || got[i].Range.Start.Offset != want[i].Range.Start.Offset ||
				got[i].Code != want[i].Code || got[i].Severity != want[i].Severity {
				t.Errorf("%s: finding %d is %s:%d %s/%v, want %s:%d %s/%v", c.name, i,
					got[i].Range.File, got[i].Range.Start.Offset, got[i].Code, got[i].Severity,
					want[i].Range.File, want[i].Range.Start.Offset, want[i].Code, want[i].Severity)
			}
		}
	}
}
