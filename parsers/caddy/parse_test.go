package caddy

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/source/sourcetest"
)

func loadCaddy(t *testing.T, files map[string]string, paths ...string) ([]*Tree, []source.Problem) {
	t.Helper()
	trees, probs := Load(sourcetest.NewMapReader(files), paths)
	for _, tr := range trees {
		for _, s := range tr.Sites {
			checkDirs(t, tr, s.Directives)
		}
	}
	return trees, probs
}

// checkDirs verifies that every range lies inside its file and that a
// token's range holds its text for unquoted tokens.
func checkDirs(t testing.TB, tr *Tree, ds []*Directive) {
	t.Helper()
	for _, d := range ds {
		f := d.File
		if f == nil {
			t.Fatalf("directive %q without a file", d.Name)
		}
		for _, r := range []source.Range{d.Range, d.Head, d.NameRange} {
			if r.File != f.Path || r.End.Offset > len(f.Content) || r.End.Offset < r.Start.Offset {
				t.Fatalf("bad range %v for %q", r, d.Name)
			}
		}
		for _, a := range d.Args {
			if a.Quote == 0 && a.Range.File == f.Path && !strings.Contains(a.Text, "{args") && string(f.Content[a.Range.Start.Offset:a.Range.End.Offset]) != a.Text && d.Via == nil {
				t.Fatalf("token %q does not match its range %q", a.Text, f.Content[a.Range.Start.Offset:a.Range.End.Offset])
			}
		}
		checkDirs(t, tr, d.Children)
	}
}

func TestSitesAndBlocks(t *testing.T) {
	trees, probs := loadCaddy(t, map[string]string{"Caddyfile": `{
	admin off
}

(mtls) {
	tls /c/server.pem /c/server.key {
		client_auth {
			mode {args[0]}
			trusted_ca_cert_file /c/ca.pem
		}
	}
}

app.example.com, api.example.com:8443 {
	import mtls request
	@api path /api/*   # comment
	reverse_proxy @api 127.0.0.1:8000 {
		header_up X-SSL-Client-DN {tls_client_subject}
		header_up "X-Quoted" "a \"b\""
		header_up -X-Ssl-*
	}
}
`}, "Caddyfile")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	tr := trees[0]
	if len(tr.Sites) != 2 || !tr.Sites[0].Global || tr.Global() == nil {
		t.Fatalf("sites: %+v", tr.Sites)
	}
	s := tr.Sites[1]
	if len(s.Keys) != 2 || s.Keys[0].Text != "app.example.com" || s.Keys[1].Text != "api.example.com:8443" {
		t.Fatalf("keys: %+v", s.Keys)
	}
	tls := s.Find("tls")
	if len(tls) != 1 || tls[0].Via == nil || tls[0].Via.Name != "import" {
		t.Fatalf("tls from the snippet: %+v", tls)
	}
	mode := tls[0].First("client_auth").First("mode")
	if mode.Arg(0) != "request" || mode.Via == nil {
		t.Fatalf("mode after argument replacement: %+v", mode)
	}
	rp := s.Find("reverse_proxy")[0]
	if rp.Arg(0) != "@api" || !rp.Block || len(rp.Children) != 3 {
		t.Fatalf("reverse_proxy: %+v", rp)
	}
	if got := rp.Children[1].ArgTexts(); strings.Join(got, "|") != `X-Quoted|a "b"` {
		t.Errorf("quoted args: %q", got)
	}
	if rp.Children[0].Head.Start.Line != 18 || rp.Range.End.Line != 21 {
		t.Errorf("ranges: %v %v", rp.Children[0].Head, rp.Range)
	}
	if m := s.Find("@api"); len(m) != 1 || m[0].Arg(1) != "/api/*" {
		t.Errorf("matcher: %+v", m)
	}
}

func TestImportFilesAndErrors(t *testing.T) {
	trees, probs := loadCaddy(t, map[string]string{
		"Caddyfile":              "import sites/*.caddy\n",
		"sites/a.caddy":          "a.example.com {\n\timport ../snippets/headers.caddy\n\treverse_proxy app:8000\n}\n",
		"snippets/headers.caddy": "header_up X-A b\n",
		"bad/Caddyfile":          "x.example.com {\n\treverse_proxy app {\n}\n",
		"loop/Caddyfile":         "x {\n\timport Caddyfile\n}\n",
		"missing/Caddyfile":      "x {\n\timport nothere\n}\n",
	}, "Caddyfile", "sites/a.caddy", "snippets/headers.caddy", "bad/Caddyfile", "loop/Caddyfile", "missing/Caddyfile")
	var root *Tree
	for _, tr := range trees {
		if tr.Root().Path == "Caddyfile" {
			root = tr
		}
	}
	if root == nil || len(root.Sites) != 1 || root.Sites[0].Keys[0].Text != "a.example.com" {
		t.Fatalf("trees: %+v", trees)
	}
	if h := root.Sites[0].Directives[0]; h.Name != "header_up" || h.Via == nil || h.File.Path != "snippets/headers.caddy" {
		t.Fatalf("imported file: %+v", h)
	}
	for _, want := range []string{"is not closed", "already being imported", "neither a snippet"} {
		found := false
		for _, p := range probs {
			if strings.Contains(p.Message, want) && p.Range.IsValid() {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem %q in %v", want, probs)
		}
	}
}

func TestLexer(t *testing.T) {
	f := source.NewFile("Caddyfile", []byte("a \"b c\" `d\\e` f\\\n  g #h\nx <<END\n\tline1\n\t  line2\n\tEND y\n"))
	toks, errs := tokenize(f)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, tk.Text)
	}
	if strings.Join(got, "|") != "a|b c|d\\e|f|g|x|line1\n  line2|y" {
		t.Fatalf("tokens: %q", got)
	}
	if toks[4].line != 1 || toks[5].line != 2 || toks[7].line != toks[6].endLine {
		t.Errorf("lines: %+v", toks)
	}
}

func TestJSON(t *testing.T) {
	trees, probs := loadCaddy(t, map[string]string{
		"caddy.json": `{"apps": {"http": {"servers": {"srv0": {"listen": [":443"]}}}}}`,
		"bad.json":   `{"apps": `,
	}, "caddy.json", "bad.json")
	if len(trees) != 1 || trees[0].JSON == nil {
		t.Fatalf("trees: %v", trees)
	}
	if len(probs) != 1 || probs[0].Range.File != "bad.json" {
		t.Fatalf("problems: %v", probs)
	}
	if !Detect("deploy/caddy.json", []byte(`{"apps": {"http": {}}}`)) || Detect("package.json", []byte(`{"name": "x"}`)) {
		t.Error("detection")
	}
}

// A syntax error in a Caddy JSON file is reported on the line that has it:
// the YAML parser's marks are 0-based for its parser's errors.
func TestJSONSyntaxErrorLine(t *testing.T) {
	for _, tc := range []struct {
		src  string
		line int
	}{
		{"{\n  \"apps\": {\n    \"http\": {}\n    \"tls\": {}\n  }\n}\n", 2}, // missing comma: the parser names the object it is missing from
		{"{\n  \"apps\": {\n    \"http\": @\n  }\n}\n", 3},                   // scanner
		{"{\n  \"apps\": {\n    \"http\": {}\n", 2},                          // end of input: the object left open
		{"{\n  \"apps\": {}\n  \"x\": 1\n}\n", 3},                            // missing comma at the top: the parser names the key after it
	} {
		_, probs := loadCaddy(t, map[string]string{"caddy.json": tc.src}, "caddy.json")
		if len(probs) != 1 || probs[0].Kind != source.ProblemSyntax || probs[0].Range.Start.Line != tc.line {
			t.Errorf("%q: problems %v, want a syntax problem on line %d", tc.src, probs, tc.line)
		}
	}
}
