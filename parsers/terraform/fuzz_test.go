package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// seeds are the fixture files of the family, plus a few shapes the parser
// must survive.
func seeds(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	_ = filepath.WalkDir("../../fixtures/terraform", func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".tf") {
			if b, err := os.ReadFile(p); err == nil {
				out = append(out, b)
			}
		}
		return nil
	})
	for _, s := range []string{
		"", "{", "resource", `resource "a" "b" {`, "x = {a = {b = {c = [1, {d = var.e}]}}}",
		`locals { a = local.b
 b = local.a }`,
		`resource "x" "y" { dynamic "d" { for_each = [1, 2] content { v = d.value } } }`,
		"variable \"v\" { default = \"\xff\" }",
		"resource \"x\" \"y\" {\n  a = <<EOF\nunterminated\n",
		// What crashed or stalled the parser once, just past the limits.
		"x = " + strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1) + "\n",
		"resource \"x\" \"y\" {\n  a = <<-EOT\n" + strings.Repeat("l */ ${b}\n", maxHeredocLines+1) + "  EOT\n}\n",
	} {
		out = append(out, []byte(s))
	}
	return out
}

// FuzzLoad feeds arbitrary bytes to the front end: it must not panic, must
// position every problem inside the file, and everything it returns must
// be safe to walk.
func FuzzLoad(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		mods, probs := Load(mapReader{"main.tf": string(content)}, []string{"main.tf"})
		for _, p := range probs {
			if !p.Range.IsValid() || p.Range.Start.Offset > len(content) || p.Range.End.Offset < p.Range.Start.Offset {
				t.Fatalf("problem with a bad range: %+v", p)
			}
		}
		for _, m := range mods {
			visit := func(o *Object) {
				checkRange(t, o.Header, content)
				o.Walk(func(name string, v Value) {
					checkRange(t, v.Range, content)
					v.Str()
					v.Bool()
					v.Refs()
				})
				for _, name := range o.AttrNames() {
					for _, sub := range o.Objects(name) {
						sub.Entries()
					}
				}
			}
			for _, r := range m.Resources {
				visit(r.Object)
			}
			for _, c := range m.Calls {
				visit(c.Object)
			}
		}
	})
}

func checkRange(t *testing.T, r source.Range, content []byte) {
	t.Helper()
	if r.File == "" {
		return // value-backed objects may carry no range of their own
	}
	if !r.Start.IsValid() || r.Start.Offset > len(content) || r.End.Offset > len(content) {
		t.Fatalf("range outside the file: %+v (len %d)", r, len(content))
	}
}

// BenchmarkLoad measures parsing and evaluating the family's fixtures.
func BenchmarkLoad(b *testing.B) {
	files := seeds(b)
	var total int
	for _, f := range files {
		total += len(f)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			Load(mapReader{"main.tf": string(f)}, []string{"main.tf"})
		}
	}
	b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "files/s")
}
