package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

func TestGitHubFormat(t *testing.T) {
	in := testInput()
	in.Findings[0].Message = "gate it: 100% of clients,\nreally"
	var b bytes.Buffer
	if err := GitHub(&b, in, GitHubOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("one command per unsuppressed finding, got:\n%s", b.String())
	}
	// The range ends before ";" at byte column 28; in characters that is
	// column 28 too (the line starts with a tab).
	want := "::error file=conf/nginx.conf,line=2,col=2,endLine=2,endColumn=28,title=mtlslint (N003)::" +
		"N003 verify-client-optional (high): gate it: 100%25 of clients,%0Areally" +
		"%0Aclients without a certificate reach the app%0AFix: return 403 unless $ssl_client_verify is SUCCESS" +
		"%0Arelated conf/nginx.conf:1:1: the server%0Aunsafe fix available: require certificates"
	if lines[0] != want {
		t.Errorf("got\n%s\nwant\n%s", lines[0], want)
	}

	// Property values escape ":" and ","; paths are relative to the checkout;
	// levels follow the severity; columns count characters.
	f := source.NewFile("a,b:c.conf", []byte("é😀 x\n"))
	in = Input{Root: "/ws/repo/deploy", File: func(string) *source.File { return f }, Findings: []rules.Finding{
		{Code: "N010", Name: "n", Diagnostic: rules.Diagnostic{Severity: rules.Medium, Range: f.Range(7, 8), Message: "m"}},
		{Code: "N011", Name: "n", Diagnostic: rules.Diagnostic{Severity: rules.Low, Range: f.Range(0, 1), Message: "m"}},
		{Code: "N012", Name: "n", Diagnostic: rules.Diagnostic{Severity: rules.Info, Range: f.Range(0, 1), Message: "m"}},
	}}
	b.Reset()
	_ = GitHub(&b, in, GitHubOptions{Base: "/ws/repo"})
	out := b.String()
	for _, s := range []string{
		"::warning file=deploy/a%2Cb%3Ac.conf,line=1,col=4,endLine=1,endColumn=5,title=mtlslint (N010)::",
		"::notice file=deploy/a%2Cb%3Ac.conf,line=1,col=1,",
		"title=mtlslint (N012)",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("missing %q in\n%s", s, out)
		}
	}
	if strings.Count(out, "::notice") != 2 {
		t.Errorf("low and info are notices:\n%s", out)
	}
}

func TestJUnitFormat(t *testing.T) {
	for _, show := range []bool{false, true} {
		var b bytes.Buffer
		if err := JUnit(&b, testInput(), show); err != nil {
			t.Fatal(err)
		}
		var doc junitSuites
		if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, b.String())
		}
		wantTests, wantSkipped := 1, 0
		if show {
			wantTests, wantSkipped = 2, 1
		}
		if doc.Tests != wantTests || doc.Failures != 1 || doc.Skipped != wantSkipped || len(doc.Suites) != 1 {
			t.Fatalf("show=%v: %+v", show, doc)
		}
		c := doc.Suites[0].Cases[0]
		if c.Classname != "conf/nginx.conf" || c.Failure == nil || c.Failure.Type != "N003 high" || !strings.Contains(c.Failure.Text, "related conf/nginx.conf:1:1") {
			t.Errorf("case %+v", c)
		}
		if show && (doc.Suites[0].Cases[1].Skipped == nil || !strings.Contains(doc.Suites[0].Cases[1].Skipped.Message, "lab only")) {
			t.Errorf("suppressed case %+v", doc.Suites[0].Cases[1])
		}
	}
	// Nothing found: one passing case. Control characters from a message
	// never make the XML invalid.
	var b bytes.Buffer
	_ = JUnit(&b, Input{FilesChecked: 3}, false)
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil || doc.Tests != 1 || doc.Failures != 0 || !strings.Contains(doc.Suites[0].Cases[0].Name, "3 files") {
		t.Errorf("empty run: %v %+v", err, doc)
	}
	in := testInput()
	in.Findings[0].Message = "bad \x1b[31m\x00 bytes <&>"
	b.Reset()
	_ = JUnit(&b, in, false)
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Errorf("control characters broke the XML: %v", err)
	}
}

func TestSARIFBaselineSuppressionIsExternal(t *testing.T) {
	in := testInput()
	in.Findings[1].Suppression = &rules.Suppression{Kind: "baseline", Justification: "accepted in the baseline"}
	rep := BuildSARIF(in)
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_ = rep.PrettyWrite(&b)
	var doc struct {
		Runs []struct {
			Results []struct {
				Suppressions []struct{ Kind, Justification string }
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Runs[0].Results[1].Suppressions
	if len(s) != 1 || s[0].Kind != "external" || s[0].Justification != "accepted in the baseline" {
		t.Errorf("suppressions %+v", s)
	}
}
