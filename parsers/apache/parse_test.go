package apache

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

func parse(t *testing.T, text string) ([]*Directive, []source.Problem, *source.File) {
	t.Helper()
	f := source.NewFile("httpd.conf", []byte(text))
	ds, probs := Parse(f)
	checkRanges(t, f, ds)
	return ds, probs, f
}

// checkRanges verifies that every range lies inside its file, and that an
// argument's Raw is the text of its range.
func checkRanges(t testing.TB, f *source.File, ds []*Directive) {
	t.Helper()
	for _, d := range ds {
		for _, r := range []source.Range{d.Range, d.Head, d.NameRange} {
			if r.Start.Offset < 0 || r.End.Offset > len(f.Content) || r.End.Offset < r.Start.Offset {
				t.Fatalf("range %v outside the file (%d bytes)", r, len(f.Content))
			}
		}
		for _, a := range d.Args {
			if got := string(f.Content[a.Range.Start.Offset:a.Range.End.Offset]); got != a.Raw {
				t.Fatalf("arg raw %q does not match its range %q", a.Raw, got)
			}
		}
		if d.Head.Start.Offset != d.Range.Start.Offset || d.Head.End.Offset > d.Range.End.Offset {
			t.Fatalf("head %v not inside range %v", d.Head, d.Range)
		}
		checkRanges(t, f, d.Children)
	}
}

func TestParseWordsAndQuotes(t *testing.T) {
	ds, probs, _ := parse(t, `RequestHeader set X-SSL-Client-DN "%{SSL_CLIENT_S_DN}s"
Header  always  set 'X-A' "a \"b\" \\c" unquoted\\d
`)
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	if len(ds) != 2 {
		t.Fatalf("got %d directives", len(ds))
	}
	if got := ds[0].ArgValues(); strings.Join(got, "|") != "set|X-SSL-Client-DN|%{SSL_CLIENT_S_DN}s" {
		t.Errorf("args: %q", got)
	}
	if got := ds[1].ArgValues(); strings.Join(got, "|") != `always|set|X-A|a "b" \c|unquoted\d` {
		t.Errorf("args: %q", got)
	}
	if ds[1].Args[2].Quote != '\'' || ds[0].Args[2].Quote != '"' {
		t.Errorf("quotes not recorded")
	}
	if ds[0].Args[2].Range.Start.Col != 35 {
		t.Errorf("column of the value: %d", ds[0].Args[2].Range.Start.Col)
	}
}

func TestParseContinuationAndComments(t *testing.T) {
	ds, probs, _ := parse(t, "# a comment \\\ncontinued as comment\n  ProxyPass /app \\\n      http://127.0.0.1:8000/app\r\n\n\t# indented comment\nServerName x\n")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	if len(ds) != 2 || !ds[0].Is("proxypass") || !ds[1].Is("ServerName") {
		t.Fatalf("directives: %v", ds)
	}
	a := ds[0].Args[1]
	if a.Value != "http://127.0.0.1:8000/app" || a.Range.Start.Line != 4 {
		t.Errorf("continued argument: %+v", a)
	}
	if ds[0].Head.Start.Line != 3 || ds[0].Head.End.Line != 4 {
		t.Errorf("head spans %v", ds[0].Head)
	}
}

func TestParseSections(t *testing.T) {
	ds, probs, _ := parse(t, `<VirtualHost *:443>
    SSLVerifyClient optional
    <Location /api>
        <If "%{SSL_CLIENT_VERIFY} != 'SUCCESS'">
            Require all denied
        </If>
    </location>
    <Directory>
    </Directory>
</VirtualHost>
`)
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	vh := ds[0]
	if !vh.Section || vh.Name != "VirtualHost" || vh.Arg(0) != "*:443" || vh.Range.End.Line != 10 {
		t.Fatalf("virtual host: %+v", vh)
	}
	loc := vh.Children[1]
	if !loc.Is("Location") || loc.Arg(0) != "/api" || loc.Range.End.Line != 7 {
		t.Fatalf("location: %+v", loc)
	}
	iff := loc.Children[0]
	if !iff.Is("If") || iff.Arg(0) != "%{SSL_CLIENT_VERIFY} != 'SUCCESS'" {
		t.Fatalf("if: %q", iff.ArgValues())
	}
	if d := vh.Children[2]; len(d.Args) != 0 || !d.Is("Directory") {
		t.Fatalf("empty section: %+v", d)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"<VirtualHost *:80>\nServerName a\n", "was not closed"},
		{"<IfModule !mod_ssl.c>\nServerName a\n", "was not closed"},
		{"</Location>\n", "without matching"},
		{"<Location />\n</Directory>\n</Location>\n", "expected </Location> but saw </Directory>"},
		{"<VirtualHost *:80\n</VirtualHost>\n", "missing closing '>'"},
		{"SSLVerifyClient optional # want A001\n", "does not start a comment"},
	} {
		_, probs, _ := parse(t, tc.text)
		found := false
		for _, p := range probs {
			if strings.Contains(p.Message, tc.want) && p.Kind == source.ProblemSyntax && p.Range.IsValid() {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want a problem containing %q, got %v", tc.text, tc.want, probs)
		}
	}
}

// httpd ignores what follows a closing tag on its line and accepts a
// conditional section left open at the end of the file (2.4.71).
func TestParseClosingTagQuirks(t *testing.T) {
	_, probs, _ := parse(t, "<IfModule mod_ssl.c>\n<VirtualHost *:443>\nServerName a\n</VirtualHost> </IfModule>\n")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
}

func TestParseRecoversAfterMismatch(t *testing.T) {
	ds, _, _ := parse(t, "<VirtualHost *:443>\n<Location />\n</VirtualHost>\nServerName after\n")
	if len(ds) != 2 || !ds[1].Is("ServerName") {
		t.Fatalf("after recovery: %v", ds)
	}
}
