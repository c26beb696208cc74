package haproxy

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/mtlslint/mtlslint/parsers/source"
)

func lexOne(t *testing.T, text string) ([]Word, *lexProblem) {
	t.Helper()
	f := source.NewFile("t.cfg", []byte(text))
	return newLexer(f).line(0, len(text))
}

func values(ws []Word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Value()
	}
	return out
}

func TestLexValues(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`a b   c`, []string{"a", "b", "c"}},
		{`"a b" 'c d'`, []string{"a b", "c d"}},
		{`"a"'b'c`, []string{"abc"}},
		{`a\ b \#c \\d`, []string{"a b", "#c", `\d`}},
		{`\x41\x4a`, []string{"AJ"}},
		{`\1 \q`, []string{`\1`, `\q`}},
		{`trailing\`, []string{`trailing\`}},
		{`a#comment b`, []string{"a"}},
		{`a "#not" '#not'`, []string{"a", "#not", "#not"}},
		{`'no \x escapes "here"'`, []string{`no \x escapes "here"`}},
		{`"keep \"dq\" and \t tab"`, []string{"keep \"dq\" and \t tab"}},
		{`"it's"`, []string{"it's"}},
		{`\'x \"y`, []string{"'x", `"y`}},
		{`$HOME "$HOME" '$HOME'`, []string{"$HOME", "${HOME}", "$HOME"}},
		{`"${CA_FILE}" "${X-def ault}" "${W[*]}"`, []string{"${CA_FILE}", "${X-def ault}", "${W[*]}"}},
		{`"\$notvar" \$lit`, []string{"$notvar", `\$lit`}},
		{`a "" b`, []string{"a", "", "b"}},
		{"a\tb\vc\fd", []string{"a", "b", "c", "d"}},
		{"a\rb c", []string{"a"}},
		{"a \rb", []string{"a", "b"}},
		{"café \xff", []string{"café", "\xff"}},
	}
	for _, c := range cases {
		ws, p := lexOne(t, c.in)
		if p != nil {
			t.Errorf("%q: unexpected error %s at %d", c.in, p.msg, p.off)
			continue
		}
		if got := values(ws); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLexRanges(t *testing.T) {
	text := `set-header "X A"  a\ b${x}`
	ws, p := lexOne(t, text)
	if p != nil {
		t.Fatal(p.msg)
	}
	want := []struct {
		raw        string
		start, end int
	}{{"set-header", 0, 10}, {`"X A"`, 11, 16}, {`a\ b${x}`, 18, 26}}
	if len(ws) != len(want) {
		t.Fatalf("got %d words", len(ws))
	}
	for i, w := range want {
		if ws[i].Raw() != w.raw || ws[i].Start() != w.start || ws[i].End() != w.end {
			t.Errorf("word %d: got %q [%d,%d), want %q [%d,%d)", i, ws[i].Raw(), ws[i].Start(), ws[i].End(), w.raw, w.start, w.end)
		}
	}
	if !ws[1].Quoted() || ws[0].Quoted() {
		t.Errorf("quoted flags wrong: %v %v", ws[0].Quoted(), ws[1].Quoted())
	}
}

func TestLexEnv(t *testing.T) {
	ws, p := lexOne(t, `ca-file "${CA_DIR-/etc/ssl}/ca.pem" "${LIST[*]}"`)
	if p != nil {
		t.Fatal(p.msg)
	}
	if !ws[1].Symbolic() || ws[0].Symbolic() {
		t.Fatalf("symbolic flags wrong")
	}
	e := ws[1].Env()[0]
	if e.Name != "CA_DIR" || !e.HasDefault || e.Default != "/etc/ssl" || e.Range.Start.Offset != 9 || e.Range.End.Offset != 27 {
		t.Errorf("env ref: %+v", e)
	}
	if ws[1].Value() != "${CA_DIR-/etc/ssl}/ca.pem" {
		t.Errorf("value %q", ws[1].Value())
	}
	if !ws[2].Env()[0].Expand {
		t.Errorf("word expansion not recorded")
	}
}

func TestLexErrors(t *testing.T) {
	words := strings.Repeat("a ", 64)
	cases := []struct {
		in  string
		off int
		msg string
	}{
		{`a "b c`, 2, "unmatched quote"},
		{`a 'b c`, 2, "unmatched quote"},
		{`a "b" 'c`, 6, "unmatched quote"},
		{`x\xZ1`, 1, "hexadecimal"},
		{`x\x4`, 1, "hexadecimal"},
		{`"${A"`, 2, "unmatched brace"},
		{`"${A-def"`, 2, "unmatched brace"},
		{`"${1A}"`, 3, "forbidden first char"},
		{`"$5"`, 2, "forbidden first char"},
		{`"$"`, 2, "forbidden first char"},
		{`"${.NOPE}"`, 3, "forbidden first char"},
		{`"${A[x]}"`, 4, "word expansion"},
		{words + "b", 128, "too many words"},
		{strings.Repeat("a ", 63) + "b ", 128, "too many words"},
	}
	for _, c := range cases {
		_, p := lexOne(t, c.in)
		if p == nil {
			t.Errorf("%q: no error, want %s", c.in, c.msg)
			continue
		}
		if !strings.Contains(p.msg, c.msg) || p.off != c.off {
			t.Errorf("%q: got %q at %d, want %q at %d", c.in, p.msg, p.off, c.msg, c.off)
		}
	}
	if _, p := lexOne(t, strings.Repeat("a ", 63)+"b"); p != nil {
		t.Errorf("64 words must be accepted: %s", p.msg)
	}
	if _, p := lexOne(t, "\"$5\" '$5' $5"); p == nil {
		t.Errorf("$5 inside double quotes must be refused")
	}
	if _, p := lexOne(t, "'$5' $5"); p != nil {
		t.Errorf("$5 outside double quotes is literal: %s", p.msg)
	}
}

const sample = `# sample
global
    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
    ssl-default-bind-ciphers ECDHE+AESGCM

defaults base
    mode http
    timeout client 5s
    http-request del-header X-SSL-Client-Verify

defaults
    mode tcp

frontend fe_tls from base
    bind :443,:8443 ssl crt /etc/haproxy/site.pem ca-file "${CA_FILE}" verify optional
    bind :80
.if defined(DEBUG)
    http-request set-header X-Debug 1
.else
    http-request set-header X-SSL-Client-Verify %[ssl_c_verify] if { ssl_c_used }
.endif
    http-request add-header X-Forwarded-Proto https if { ssl_fc }
    http-request del-header ^x[-_]ssl[-_] -m reg
    use_backend be_admin if { path_beg /admin }
    default_backend be_app

frontend fe_plain
    bind 127.0.0.1:8080
    default_backend be_app

backend be_app
    server app1 127.0.0.1:8000 check
    server app2 unix@/run/app.sock

backend be_admin from base
    server a [::1]:9000
`

func TestParseModel(t *testing.T) {
	f := source.NewFile("haproxy.cfg", []byte(sample))
	pf, probs := ParseFile(f)
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	c := Build([]*File{pf})
	if len(c.Globals) != 1 || len(c.Proxies) != 6 {
		t.Fatalf("got %d globals, %d proxies", len(c.Globals), len(c.Proxies))
	}
	fe := c.Proxies[2]
	if fe.Name != "fe_tls" || fe.Defaults == nil || fe.Defaults.Name != "base" {
		t.Fatalf("fe_tls defaults: %+v", fe.Defaults)
	}
	if mode, l := fe.Mode(); mode != "http" || l == nil || l.Num() != 7 {
		t.Errorf("fe_tls mode %q from %v", mode, l)
	}
	plain := c.Proxies[3]
	if mode, l := plain.Mode(); mode != "tcp" || l == nil || l.Num() != 12 {
		t.Errorf("fe_plain inherits the last (anonymous) defaults: mode %q", mode)
	}
	if mode, _ := c.Backend("be_admin").Mode(); mode != "http" {
		t.Errorf("be_admin from base: mode %q", mode)
	}
	if len(fe.Binds) != 2 {
		t.Fatalf("binds: %d", len(fe.Binds))
	}
	b := fe.Binds[0]
	if !b.SSL() || !reflect.DeepEqual(b.Addresses, []string{":443", ":8443"}) {
		t.Errorf("bind 0: %+v", b)
	}
	if v, _ := b.Opt("verify"); v.Value() != "optional" || v.Range().Start.Line != 15 {
		t.Errorf("verify: %+v", v)
	}
	if ca, _ := b.Opt("ca-file"); !ca.Symbolic() || ca.Value() != "${CA_FILE}" {
		t.Errorf("ca-file: %+v", ca)
	}
	if v, ok := c.BindOption(b, "ssl-min-ver"); !ok || v.Value() != "TLSv1.2" || v.Range().Start.Line != 3 {
		t.Errorf("ssl-min-ver from global: %+v %v", v, ok)
	}
	if v, ok := c.BindCiphers(b); !ok || v.Value() != "ECDHE+AESGCM" {
		t.Errorf("ciphers from global: %+v", v)
	}
	rules := fe.AllHTTPRequest()
	if len(rules) != 5 {
		t.Fatalf("rules: %d", len(rules))
	}
	if rules[0].Action != "del-header" || rules[0].Line.Section.Name != "base" {
		t.Errorf("inherited rule first: %+v", rules[0])
	}
	r := rules[2]
	if r.Action != "set-header" || r.Header.Value() != "X-SSL-Client-Verify" || r.Value.Value() != "%[ssl_c_verify]" ||
		r.Cond == nil || r.Cond.Kind != "if" || r.Cond.Text() != "{ ssl_c_used }" {
		t.Errorf("set-header rule: %+v %+v", r, r.Cond)
	}
	if !r.Line.Conditional() || r.Line.Cond()[0].Directive.Keyword() != ".else" || !rules[1].Line.Conditional() || rules[1].Line.Cond()[0].Expr != "defined(DEBUG)" {
		t.Errorf("conditional branches not kept")
	}
	if rules[4].Match != "reg" || rules[3].Line.Conditional() {
		t.Errorf("del-header -m reg: %+v", rules[4])
	}
	if len(fe.UseBackends) != 1 || fe.UseBackends[0].Backend != "be_admin" || fe.DefaultBackend.Backend != "be_app" {
		t.Errorf("backend selection: %+v %+v", fe.UseBackends, fe.DefaultBackend)
	}
	be := c.Backend("be_app")
	if len(be.Servers) != 2 || be.Servers[1].Address.Value() != "unix@/run/app.sock" {
		t.Errorf("servers: %+v", be.Servers)
	}
	if l, on := fe.Option("forwardfor"); l != nil || on {
		t.Errorf("no forwardfor expected")
	}
}

func TestParseProblems(t *testing.T) {
	cases := []struct {
		in    string
		lines []int
	}{
		{"global\n  a \"b\n  c\n", []int{2}},
		{"global\n  a\n  b", []int{3}},
		{"global\n  a\x00b\n  c \"d\n", []int{2}},
		{".if 1\nglobal\n", []int{2}},
		{".endif\n.else\n.elif 1\n", []int{1, 2, 3}},
		{"global\n[scope]\n[bad] x\n[nobracket\n", []int{3, 4}},
		{"", nil},
		{"\n\n", nil},
	}
	for _, c := range cases {
		_, probs := ParseFile(source.NewFile("t.cfg", []byte(c.in)))
		var got []int
		for _, p := range probs {
			if p.Kind != source.ProblemSyntax || !p.Range.IsValid() {
				t.Errorf("%q: bad problem %+v", c.in, p)
			}
			got = append(got, p.Range.Start.Line)
		}
		if !reflect.DeepEqual(got, c.lines) {
			t.Errorf("%q: problems on lines %v, want %v", c.in, got, c.lines)
		}
	}
}

func TestSectionsAndOrphans(t *testing.T) {
	in := "maxconn 10\nglobal\n  daemon\ndefaults from base\nlisten l from d\n  bind :80\nno option httplog\n"
	pf, _ := ParseFile(source.NewFile("t.cfg", []byte(in)))
	if len(pf.Orphans) != 1 || pf.Orphans[0].Keyword() != "maxconn" {
		t.Errorf("orphans: %+v", pf.Orphans)
	}
	if len(pf.Sections) != 3 || pf.Sections[1].Name != "" || pf.Sections[1].From != "base" || pf.Sections[2].From != "d" {
		t.Errorf("sections: %+v %+v", pf.Sections[1], pf.Sections[2])
	}
	last := pf.Sections[2].Lines[1]
	if last.Mod() != "no" || last.Keyword() != "option" || last.Arg(1) != "httplog" {
		t.Errorf("modifier: %+v", last)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name, content string
		want          bool
	}{
		{"haproxy.cfg", "global\n  daemon\n", true},
		{"etc/haproxy/haproxy.cfg", "frontend f\n  bind :80\n", true},
		{"conf.d/10-app.cfg", "backend b\n  server s 127.0.0.1:80\n", true},
		{"setup.cfg", "[metadata]\nname = x\n[options]\npackages = find:\n", false},
		{"tox.cfg", "[tox]\nenvlist = py3\n", false},
		{"haproxy.cfg", "", false},
		{"app.conf", "frontend f\n  bind :80\n", false},
		{"random.cfg", "listen here\nsomething else\n", false},
	}
	for _, c := range cases {
		if got := Detect(c.name, []byte(c.content)); got != c.want {
			t.Errorf("Detect(%s) = %v, want %v", c.name, got, c.want)
		}
	}
}

// memReader is a source.Reader over an in-memory tree.
type memReader map[string]string

func (m memReader) ReadFile(p string) (*source.File, error) {
	if s, ok := m[p]; ok {
		return source.NewFile(p, []byte(s)), nil
	}
	return nil, os.ErrNotExist
}

func (m memReader) Glob(pattern string) ([]string, error) {
	var out []string
	for p := range m {
		if ok, _ := filepath.Match(pattern, p); ok {
			out = append(out, p)
		}
	}
	sortStrings(out)
	return out, nil
}

func (m memReader) Stat(p string) (os.FileInfo, error) { return nil, os.ErrNotExist }

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestLoadFileSets(t *testing.T) {
	r := memReader{
		"etc/haproxy/haproxy.cfg":           "global\n  daemon\ndefaults d\n  mode http\n",
		"etc/haproxy/conf.d/20-b.cfg":       "backend b from d\n  server s 127.0.0.1:8000\n",
		"etc/haproxy/conf.d/10-a.cfg":       "frontend a from d\n  bind :80\n  default_backend b\n",
		"etc/haproxy/conf.d/Z-upper.cfg":    "backend z\n",
		"etc/haproxy/conf.d/.hidden.cfg":    "backend hidden\n",
		"other/one.cfg":                     "frontend one\n  bind :81\n",
		"other/two.cfg":                     "frontend two\n  bind :82\n",
		"deploy/haproxy.d/b.cfg":            "backend b2\n",
		"deploy/haproxy.d/a.cfg":            "frontend f2\n  bind :83\n",
		"etc/haproxy/conf.d/not-config.txt": "x",
	}
	paths := []string{"etc/haproxy/haproxy.cfg", "etc/haproxy/conf.d/20-b.cfg", "etc/haproxy/conf.d/10-a.cfg", "other/one.cfg", "other/two.cfg", "deploy/haproxy.d/b.cfg", "deploy/haproxy.d/a.cfg"}
	configs, probs := Load(r, paths)
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	var got []string
	for _, c := range configs {
		var names []string
		for _, f := range c.Files() {
			names = append(names, f.Path)
		}
		got = append(got, strings.Join(names, ","))
	}
	want := []string{
		"deploy/haproxy.d/a.cfg,deploy/haproxy.d/b.cfg",
		"etc/haproxy/haproxy.cfg,etc/haproxy/conf.d/10-a.cfg,etc/haproxy/conf.d/20-b.cfg,etc/haproxy/conf.d/Z-upper.cfg",
		"other/one.cfg",
		"other/two.cfg",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("file sets:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	main := configs[1]
	fe := main.Frontends()[0]
	if fe.Defaults == nil || fe.Defaults.Name != "d" {
		t.Fatalf("defaults across files not resolved")
	}
	if mode, _ := main.Backend("b").Mode(); mode != "http" {
		t.Errorf("backend b mode %q", mode)
	}
}

// fixtureSeeds returns the contents of the test configurations and the
// fixture scenarios, for the fuzz corpus and the benchmark.
func fixtureSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, dir := range []string{"testdata", filepath.Join(repoRoot(t), "fixtures", "haproxy")} {
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && strings.HasSuffix(p, ".cfg") {
				if b, err := os.ReadFile(p); err == nil {
					out = append(out, b)
				}
			}
			return nil
		})
	}
	return append(out, []byte(sample))
}

func FuzzParse(f *testing.F) {
	for _, s := range fixtureSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("\xef\xbb\xbfglobal\n" + strings.Repeat(".if defined(X)\n", maxNestedConds) + strings.Repeat(".endif\n", maxNestedConds)))
	f.Fuzz(func(t *testing.T, b []byte) {
		sf := source.NewFile("fuzz.cfg", b)
		pf, probs := ParseFile(sf)
		for _, p := range probs {
			if !p.Range.IsValid() || p.Range.End.Offset < p.Range.Start.Offset || p.Range.End.Offset > len(b) {
				t.Fatalf("bad problem range %+v", p.Range)
			}
		}
		ParseCrtList(sf)
		c := Build([]*File{pf})
		for _, s := range c.Sections {
			for _, l := range s.Lines {
				for _, w := range l.Words {
					if w.Start() < 0 || w.End() > len(b) || string(b[w.Start():w.End()]) != w.Raw() {
						t.Fatalf("word range does not cover its raw text: %+v", w)
					}
					if r := w.Range(); r.Start.Offset != w.Start() || r.End.Offset != w.End() || r.Start.Line != l.Num() || r.End.Line != l.Num() {
						t.Fatalf("word range %+v is not [%d,%d) on line %d", r, w.Start(), w.End(), l.Num())
					}
					// A word with no quote, escape or variable is its
					// text as written.
					if raw := w.Raw(); !strings.ContainsAny(raw, "\\\"'$") && w.Value() != raw {
						t.Fatalf("plain word %q has the value %q", raw, w.Value())
					}
				}
				if mod := len(l.Words) - len(l.Args()); mod != 0 && (mod != 1 || l.Mod() == "") {
					t.Fatalf("line %d: %d words, %d args, modifier %q", l.Num(), len(l.Words), len(l.Args()), l.Mod())
				}
			}
		}
		for _, p := range c.Proxies {
			p.Mode()
			p.AllHTTPRequest()
			p.Option("forwardfor")
		}
	})
}

func BenchmarkParse(b *testing.B) {
	seeds := fixtureSeeds(b)
	if dir := corpusDir(); dir != "" {
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && strings.HasSuffix(p, ".cfg") {
				if c, err := os.ReadFile(p); err == nil {
					seeds = append(seeds, c)
				}
			}
			return nil
		})
	}
	total := 0
	for _, s := range seeds {
		total += len(s)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range seeds {
			pf, _ := ParseFile(source.NewFile("bench.cfg", s))
			Build([]*File{pf})
		}
	}
	b.ReportMetric(float64(len(seeds)*b.N)/b.Elapsed().Seconds(), "files/s")
}

func TestCrtList(t *testing.T) {
	r := memReader{
		"etc/haproxy/haproxy.cfg": "frontend fe\n    bind :443 ssl crt-list /etc/haproxy/list.txt\n",
		"etc/haproxy/list.txt":    "# comment\n/c/a.pem [verify optional ca-file ca.pem] a.example.com !b.example.com\n/c/b.pem\n\n/c/c.pem [ verify required ] *.example.org\n",
	}
	configs, _ := Load(r, []string{"etc/haproxy/haproxy.cfg"})
	if len(configs) != 1 || len(configs[0].Files()) != 2 {
		t.Fatalf("crt-list not attached: %+v", configs)
	}
	es := configs[0].Frontends()[0].Binds[0].CrtList
	if len(es) != 3 {
		t.Fatalf("entries: %+v", es)
	}
	if v := es[0].Options["verify"]; v.Value() != "optional" || v.Range().Start.Line != 2 || es[0].Options["ca-file"].Value() != "ca.pem" ||
		!reflect.DeepEqual(es[0].SNI, []string{"a.example.com", "!b.example.com"}) {
		t.Errorf("entry 0: %+v", es[0])
	}
	if es[1].Cert != "/c/b.pem" || len(es[1].Options) != 0 {
		t.Errorf("entry 1: %+v", es[1])
	}
	if es[2].Options["verify"].Value() != "required" || es[2].SNI[0] != "*.example.org" {
		t.Errorf("entry 2: %+v", es[2])
	}
}

// TestWordSize keeps a word at one pointer and two offsets, and a line
// at its words, three pointers and a packed line number: a configuration
// holds hundreds of thousands of words and tens of thousands of lines.
func TestWordSize(t *testing.T) {
	ptr := unsafe.Sizeof(uintptr(0))
	if got, want := unsafe.Sizeof(Word{}), ptr+8; got > want {
		t.Errorf("Word is %d bytes, want at most %d", got, want)
	}
	if got, want := unsafe.Sizeof(Line{}), unsafe.Sizeof([]Word(nil))+3*ptr+8; got > want {
		t.Errorf("Line is %d bytes, want at most %d", got, want)
	}
}
