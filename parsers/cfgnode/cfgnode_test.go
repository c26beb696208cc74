package cfgnode_test

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// text returns what a range covers.
func text(f *source.File, r source.Range) string {
	return string(f.Content[r.Start.Offset:r.End.Offset])
}

func TestYAMLRanges(t *testing.T) {
	f := source.NewFile("a.yaml", []byte("a:\n  b: \"x y\"   # note\n  c: plain value # note\n  d: [1, 'two']\n  base: &base {k: v}\n  e:\n    <<: *base\n    own: 1\n"))
	docs, probs := cfgnode.ParseYAML(f)
	if len(probs) > 0 || len(docs) != 1 {
		t.Fatalf("docs %v, problems %v", docs, probs)
	}
	a := docs[0].Get("a")
	for key, want := range map[string]string{"b": `b: "x y"`, "c": "c: plain value"} {
		if got := text(f, a.Get(key).Line()); got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	if it := a.Get("d").Items; len(it) != 2 || text(f, it[1].Range) != "'two'" || !it[1].Quoted || it[0].Quoted {
		t.Errorf("list items %+v", it)
	}
	e := a.Get("e")
	if e.Get("own").Text() != "1" || e.Get("k").Text() != "v" || e.Fields[0].Key != "own" {
		t.Errorf("merge keys: %+v", e.Fields)
	}
	if a.GetFold("B") == nil || a.Get("B") != nil {
		t.Error("GetFold must ignore case, Get must not")
	}
}

func TestYAMLErrors(t *testing.T) {
	for _, tc := range []struct {
		content string
		line    int
	}{
		{"a:\n  b: [1\n  c: 2\n", 2},
		{"a: 1\n b: 2\n", 2},
		{"a:\n\t- b\n", 2},
		{"a: 1\nb: @x\nc: 2\n", 2},       // scanner: its line is 1-based already
		{"a: 1\nb:\n  - x\n  y: 2\n", 3}, // parser: the sequence y breaks
		{"a: 1\nb: {x: 1\n", 2},          // end of input
	} {
		_, probs := cfgnode.ParseYAML(source.NewFile("x.yaml", []byte(tc.content)))
		if len(probs) != 1 || probs[0].Kind != source.ProblemSyntax || probs[0].Range.Start.Line != tc.line {
			t.Errorf("%q: problems %+v, want a syntax problem on line %d", tc.content, probs, tc.line)
		}
	}
}

func TestTOMLRanges(t *testing.T) {
	f := source.NewFile("t.toml", []byte(`[entryPoints.websecure]
  address = ":443"
  [entryPoints.websecure.forwardedHeaders]
    insecure = true # note
    trustedIPs = ["10.0.0.0/8", "127.0.0.1/32"]
[[http.services.app.loadBalancer.servers]]
  url = "http://a:8000"
[[http.services.app.loadBalancer.servers]]
  url = "http://b:8000"
[tls.options.mtls]
  clientAuth = { caFiles = ["ca.pem"], clientAuthType = "RequireAnyClientCert" }
  desc = """
    clientAuthType = "x"
  """
  after = 1
`))
	root, probs := cfgnode.ParseTOML(f)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	fh := root.Path("entryPoints", "websecure", "forwardedHeaders")
	if got := text(f, fh.Get("insecure").Line()); got != "insecure = true" {
		t.Errorf("insecure: %q", got)
	}
	if ips := fh.Get("trustedIPs").Items; len(ips) != 2 || text(f, ips[1].Range) != `"127.0.0.1/32"` {
		t.Errorf("trustedIPs %+v", ips)
	}
	servers := root.Path("http", "services", "app", "loadBalancer", "servers").Items
	if len(servers) != 2 || servers[1].Get("url").Line().Start.Line != 9 {
		t.Errorf("servers %+v", servers)
	}
	ca := root.Path("tls", "options", "mtls", "clientAuth", "clientAuthType")
	if text(f, ca.Line()) != `clientAuthType = "RequireAnyClientCert"` {
		t.Errorf("inline table key: %q", text(f, ca.Line()))
	}
	if got := root.Path("tls", "options", "mtls", "after").Line().Start.Line; got != 15 {
		t.Errorf("key after a multi-line string on line %d, want 15", got)
	}
	if root.Path("entryPoints", "websecure").Fields[0].Key != "address" {
		t.Error("fields not in file order")
	}
}

func TestTOMLErrors(t *testing.T) {
	_, probs := cfgnode.ParseTOML(source.NewFile("t.toml", []byte("a = 1\nb = = 2\n")))
	if len(probs) != 1 || probs[0].Range.Start.Line != 2 {
		t.Errorf("problems %+v, want one on line 2", probs)
	}
}
