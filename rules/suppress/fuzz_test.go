package suppress

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// FuzzOutline checks that outlining and reading directives never panic on
// any input in any syntax, and that what they return is consistent:
// extents within the file, enclosing blocks before the line and ordered,
// directive ranges on their line, fixes inside the file.
func FuzzOutline(f *testing.F) {
	seeds := []string{
		"server {\n  listen 443; # mtlslint: ignore[N003] -- x\n}\n",
		"frontend fe  # mtlslint: ignore[H001]\n  bind :443\nbackend b\n",
		"class A:\n    x = '''\n# mtlslint: ignore[D001]\n'''\n  # mtlslint: ignore-file[D002] -- r\n",
		"a:\n  - b: \"#\" # mtlslint: ignore[K001] -- y # want M001\n",
		"resource \"x\" \"y\" { /* { */ // mtlslint: ignore[T001]\n}\n",
		"\xef\xbb\xbf{\"a\": \"#{\"}\r\n",
		"# mtlslint: ignore[\n# mtlslint: ignore[N003,,] --\n\"unterminated {\n",
	}
	for _, s := range seeds {
		f.Add(s, uint8(0))
	}
	kinds := []string{parsers.KindNginx, parsers.KindHAProxy, parsers.KindPython, parsers.KindK8s, parsers.KindTerraform, parsers.KindOpenAPI, ""}
	rule := &rules.Rule{Code: "M001", Name: "unused-suppression", Severity: rules.Low}
	f.Fuzz(func(t *testing.T, text string, k uint8) {
		kind := kinds[int(k)%len(kinds)]
		file := source.NewFile("f.conf", []byte(text))
		o := NewOutline(file, kind)
		n := file.LineCount()
		for l := 1; l <= n; l++ {
			from, to := o.Extent(l)
			if from != l || to < l || to > n {
				t.Fatalf("Extent(%d) = %d-%d of %d lines", l, from, to, n)
			}
			prev := 0
			for _, p := range o.Path(l) {
				if p <= prev || p >= l {
					t.Fatalf("Path(%d) = %v", l, o.Path(l))
				}
				prev = p
			}
			_ = o.Statement(l)
		}
		src := NewSources([]Source{{File: file, Kind: kind}}, nil)
		for _, d := range src.Directives(file.Path) {
			if d.Range.Start.Line != d.Range.End.Line || d.Range.End.Offset > len(file.Content) {
				t.Fatalf("directive range %+v", d.Range)
			}
			if d.From != 0 && (d.From > d.To || d.To > n) {
				t.Fatalf("directive covers %d-%d of %d", d.From, d.To, n)
			}
		}
		out := Apply(src, nil, Options{Rule: func(c string) *rules.Rule {
			if c == "M001" {
				return rule
			}
			return nil
		}})
		for _, d := range out {
			for _, fx := range d.Fixes {
				for _, e := range fx.Edits {
					if e.Range.Start.Offset < 0 || e.Range.End.Offset > len(file.Content) || e.Range.End.Offset < e.Range.Start.Offset {
						t.Fatalf("fix edit %+v outside the file", e.Range)
					}
				}
			}
		}
	})
}
