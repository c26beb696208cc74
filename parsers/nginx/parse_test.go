package nginx

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// flat renders directives as "name arg arg" lines (values), with block
// contents indented, so expectations read like configuration.
func flat(ds []*Directive, indent string) []string {
	var out []string
	for _, d := range ds {
		line := indent + d.Name
		for _, a := range d.Args {
			line += " [" + a.Value + "]"
		}
		if d.Block {
			line += " {"
			if d.Opaque {
				line += "opaque"
			}
		}
		out = append(out, line)
		out = append(out, flat(d.Children, indent+"  ")...)
	}
	return out
}

func parseString(t *testing.T, src string) ([]*Directive, []source.Problem) {
	t.Helper()
	return Parse(source.NewFile("t.conf", []byte(src)))
}

func TestTokenizer(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"words", "a b c;", []string{"a [b] [c]"}},
		{"quotes", `a "b c" 'd\'e' "f\"g";`, []string{`a [b c] [d'e] [f"g]`}},
		{"escapes in bare words", `a x\ny \t \\ \q;`, []string{"a [x\ny] [\t] [\\] [\\q]"}},
		{"brace inside a word", "server_name a}b;", []string{"server_name [a}b]"}},
		{"hash inside a word", "a b#c;", []string{"a [b#c]"}},
		{"comment after a directive", "a b; # c d;\ne f;", []string{"a [b]", "e [f]"}},
		{"comment between words", "a b # c;\n d;", []string{"a [b] [d]"}},
		{"variables verbatim", `log_format x '$a' "${b}x" ${c}y;`, []string{"log_format [x] [$a] [${b}x] [${c}y]"}},
		{"if condition", `if ($a = "b") { return 403; }`, []string{"if [($a] [=] [b] [)] {", "  return [403]"}},
		{"if with quoted paren", `if ($ssl_client_verify != "SUCCESS") { return 403; }`, []string{"if [($ssl_client_verify] [!=] [SUCCESS] [)] {", "  return [403]"}},
		{"crlf", "a b;\r\nc {\r\n d e;\r\n}\r\n", []string{"a [b]", "c {", "  d [e]"}},
		{"quoted semicolon and braces", `a "x;{}" 'y}';`, []string{"a [x;{}] [y}]"}},
		{"escaped semicolon stays escaped", `a b\;c;`, []string{`a [b\;c]`}},
		{"multi-line quoted", "a \"x\ny\";", []string{"a [x\ny]"}},
		{"empty quoted", `proxy_set_header X-A "";`, []string{"proxy_set_header [X-A] []"}},
		{"nested blocks", "http { server { location / { proxy_pass http://u; } } }", []string{"http {", "  server {", "    location [/] {", "      proxy_pass [http://u]"}},
		{"lua block opaque", "content_by_lua_block { local t = {a = \"}\"} -- }\n ngx.say('{') local s = [[ } ]] --[==[ } ]==] }\nnext d;",
			[]string{"content_by_lua_block {opaque", "next [d]"}},
		{"set_by_lua_block", "set_by_lua_block $x { return 1 }\ny z;", []string{"set_by_lua_block [$x] {opaque", "y [z]"}},
		{"map entries", "map $http_x $y { default 0; ~^a 1; '' 2; }", []string{"map [$http_x] [$y] {", "  default [0]", "  ~^a [1]", "   [2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, probs := parseString(t, tt.src)
			if len(probs) > 0 {
				t.Fatalf("unexpected problems: %v", probs)
			}
			if got := flat(ds, ""); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestArgRawAndQuote(t *testing.T) {
	ds, _ := parseString(t, `a 'x y' "z\"" w;`)
	args := ds[0].Args
	want := []struct {
		raw   string
		quote byte
	}{{`'x y'`, '\''}, {`"z\""`, '"'}, {"w", 0}}
	for i, w := range want {
		if args[i].Raw != w.raw || args[i].Quote != w.quote {
			t.Errorf("arg %d: raw %q quote %q, want %q %q", i, args[i].Raw, args[i].Quote, w.raw, w.quote)
		}
	}
}

func TestPositions(t *testing.T) {
	src := "http {\n  server {\n    listen 443 ssl;  # tls\n    location /a {\n      proxy_pass http://u;\n    }\n  }\n}\n"
	f := source.NewFile("nginx.conf", []byte(src))
	ds, probs := Parse(f)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	server := ds[0].Children[0]
	listen := server.Children[0]
	loc := server.Children[1]
	check := func(what string, r source.Range, startLine, startCol, endLine, endCol int) {
		t.Helper()
		if r.File != "nginx.conf" || r.Start.Line != startLine || r.Start.Col != startCol || r.End.Line != endLine || r.End.Col != endCol {
			t.Errorf("%s: got %d:%d-%d:%d, want %d:%d-%d:%d", what, r.Start.Line, r.Start.Col, r.End.Line, r.End.Col, startLine, startCol, endLine, endCol)
		}
		if got := string(f.Content[r.Start.Offset:r.End.Offset]); r.Start.Offset > r.End.Offset || got == "" {
			t.Errorf("%s: empty or inverted range %q", what, got)
		}
	}
	check("http range", ds[0].Range(), 1, 1, 8, 2)
	check("http head", ds[0].Head(), 1, 1, 1, 7)
	check("server range", server.Range(), 2, 3, 7, 4)
	check("listen", listen.Range(), 3, 5, 3, 20)
	check("listen name", listen.NameRange(), 3, 5, 3, 11)
	check("listen arg 443", listen.Args[0].Range(), 3, 12, 3, 15)
	check("listen arg ssl", listen.Args[1].Range(), 3, 16, 3, 19)
	check("location head", loc.Head(), 4, 5, 4, 18)
	check("location arg", loc.Args[0].Range(), 4, 14, 4, 16)
	check("proxy_pass", loc.Children[0].Range(), 5, 7, 5, 27)
	if got := string(f.Content[listen.Range().Start.Offset:listen.Range().End.Offset]); got != "listen 443 ssl;" {
		t.Errorf("listen text %q", got)
	}
}

func TestPositionsCRLFAndBOM(t *testing.T) {
	src := "\xEF\xBB\xBFa b;\r\nc \"d\";\r\n"
	f := source.NewFile("x.conf", []byte(src))
	ds, probs := Parse(f)
	if len(ds) != 2 || ds[0].Name != "a" {
		t.Fatalf("directives: %v", flat(ds, ""))
	}
	if len(probs) != 1 || probs[0].Kind != source.ProblemSyntax || probs[0].Range.Start.Line != 1 || !strings.Contains(probs[0].Message, "byte order mark") {
		t.Fatalf("want one E001 about the BOM at line 1, got %v", probs)
	}
	if r := ds[0].NameRange(); r.Start.Offset != 3 || r.Start.Col != 4 {
		t.Errorf("first name starts at offset %d col %d, want 3 and 4", r.Start.Offset, r.Start.Col)
	}
	if r := ds[1].Args[0].Range(); r.Start.Line != 2 || r.Start.Col != 3 || r.End.Col != 6 {
		t.Errorf("quoted arg range %v-%v", r.Start, r.End)
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		line     int
		col      int
		contains string
		want     []string // what is still parsed
	}{
		{"unterminated quote", "a b;\nc \"d;\n", 2, 3, "quoted string", []string{"a [b]", "c [d;\n]"}},
		{"missing semicolon at eof", "a b;\nc d", 2, 4, "expecting", []string{"a [b]", "c [d]"}},
		{"unclosed block", "http {\n  a b;\n", 1, 1, "not closed", []string{"http {", "  a [b]"}},
		{"stray close", "a b;\n}\nc d;\n", 2, 1, "unexpected \"}\"", []string{"a [b]", "c [d]"}},
		{"missing semicolon before close", "s {\n  a b\n}\nc d;", 2, 6, "not terminated", []string{"s {", "  a [b]", "c [d]"}},
		{"text after quote", "a \"b\"c;\nd e;", 1, 6, "after a quoted string", []string{"a [b] [c]", "d [e]"}},
		{"lone semicolon", ";\na b;", 1, 1, "no directive", []string{"a [b]"}},
		{"nameless block", "{ a b; }\nc d;", 1, 1, "no directive", []string{"c [d]"}},
		{"unclosed lua", "x { y; }\ncontent_by_lua_block { if a then", 2, 1, "Lua block", []string{"x {", "  y", "content_by_lua_block {opaque"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, probs := parseString(t, tt.src)
			if len(probs) == 0 {
				t.Fatal("no problem reported")
			}
			p := probs[0]
			if p.Kind != source.ProblemSyntax || p.Range.Start.Line != tt.line || p.Range.Start.Col != tt.col || !strings.Contains(p.Message, tt.contains) {
				t.Errorf("got %s at %d:%d %q; want E001 at %d:%d containing %q", p.Kind, p.Range.Start.Line, p.Range.Start.Col, p.Message, tt.line, tt.col, tt.contains)
			}
			if got := flat(ds, ""); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("recovered\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestTooLongWord(t *testing.T) {
	_, probs := parseString(t, "a "+strings.Repeat("x", maxWordLen)+";")
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "too long") {
		t.Fatalf("got %v", probs)
	}
	_, probs = parseString(t, "a "+strings.Repeat("x", maxWordLen-1)+";")
	if len(probs) != 0 {
		t.Fatalf("a word below the limit: %v", probs)
	}
}

func TestDeepNesting(t *testing.T) {
	src := strings.Repeat("a {", maxDepth+50) + strings.Repeat("}", maxDepth+50)
	ds, probs := parseString(t, src)
	if len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || !strings.Contains(probs[0].Message, "nested more than") {
		t.Fatalf("got %v", probs)
	}
	depth := 0
	for d := ds; len(d) > 0; d = d[0].Children {
		depth++
	}
	if depth != maxDepth+1 {
		t.Errorf("kept %d levels, want %d", depth, maxDepth+1)
	}
}

func TestInvalidUTF8(t *testing.T) {
	ds, probs := parseString(t, "# caf\xE9\nserver_name caf\xE9.example;\n")
	if len(ds) != 1 || ds[0].Arg(0) != "caf\xE9.example" {
		t.Fatalf("directive not kept byte for byte: %v", flat(ds, ""))
	}
	if len(probs) != 1 || probs[0].Kind != source.ProblemNotAnalysed || probs[0].Range.Start.Line != 1 || probs[0].Range.Start.Col != 6 {
		t.Fatalf("want one positioned note at 1:6, got %v", probs)
	}
}

func TestErrorCap(t *testing.T) {
	_, probs := parseString(t, strings.Repeat("}\n", 50))
	if len(probs) != maxErrors+1 || !strings.Contains(probs[maxErrors].Message, "30 more") {
		t.Fatalf("got %d problems, last %q", len(probs), probs[len(probs)-1].Message)
	}
}

func TestDirectiveString(t *testing.T) {
	ds, _ := parseString(t, `proxy_set_header X-A "b c"; location = /x { }`)
	if got := ds[0].String(); got != `proxy_set_header X-A "b c";` {
		t.Errorf("got %q", got)
	}
	if got := ds[1].String(); got != `location = /x {` {
		t.Errorf("got %q", got)
	}
}

func TestUnterminatedQuoteInBlockReportsOnce(t *testing.T) {
	ds, probs := parseString(t, "server {\n    server_name \"a;\n}\n")
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "quoted string") || probs[0].Range.Start.Line != 2 {
		t.Fatalf("want only the quote error, got %v", probs)
	}
	if len(ds) != 1 || ds[0].Name != "server" || ds[0].Range().End.Offset != len("server {\n    server_name \"a;\n}\n") {
		t.Fatalf("server block not kept to the end of the file: %v", flat(ds, ""))
	}
}

// The first byte that is not UTF-8 is reported where it is, once; text in
// UTF-8, multi-byte characters included, is not.
func TestInvalidUTF8Positions(t *testing.T) {
	tests := []struct {
		src  string
		want string // the problem's range, "" for none
	}{
		{"server_name café.example; # ünïcödé\n", ""},
		{strings.Repeat("a", 40) + " b;\n", ""},
		{"server_name caf\xe9;\n", "t.conf:1:16"},
		{"# é\nroot /srv/\xff\xfe;\n", "t.conf:2:11"},
		{"add_header X \"\xe2\x82\";\n", "t.conf:1:15"},
	}
	for _, tt := range tests {
		_, probs := parseString(t, tt.src)
		var got []string
		for _, p := range probs {
			if p.Kind == source.ProblemNotAnalysed {
				got = append(got, p.Range.String())
			}
		}
		if tt.want == "" && len(got) != 0 || tt.want != "" && !reflect.DeepEqual(got, []string{tt.want}) {
			t.Errorf("%q: problems at %v, want %q", tt.src, got, tt.want)
		}
	}
}
