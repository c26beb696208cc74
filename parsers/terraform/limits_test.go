package terraform

import (
	"strings"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// deepAttr builds "x = ..." nesting n levels (the resource block is one
// more).
var deepAttr = map[string]func(n int) string{
	"tuple":   func(n int) string { return "x = " + strings.Repeat("[", n) + strings.Repeat("]", n) },
	"object":  func(n int) string { return "x = " + strings.Repeat("{a = ", n) + "1" + strings.Repeat("}", n) },
	"parens":  func(n int) string { return "x = " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) },
	"not":     func(n int) string { return "x = " + strings.Repeat("!", n) + "true" },
	"minus":   func(n int) string { return "x = " + strings.Repeat("-", n) + "1" },
	"ternary": func(n int) string { return "x = " + strings.Repeat("a ? 1 : ", n) + "2" },
	"interp":  func(n int) string { return "x = " + strings.Repeat(`"${`, n) + "1" + strings.Repeat(`}"`, n) },
	"blocks":  func(n int) string { return strings.Repeat("b {\n", n) + strings.Repeat("}\n", n) },
}

// TestNestingLimit: an item of a block that nests maxNesting levels (the
// block included) is parsed; one level more is reported as E006 where the
// limit is passed, the item is left out, and the other items and
// resources are read.
func TestNestingLimit(t *testing.T) {
	for name, build := range deepAttr {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{maxNesting - 1, maxNesting} {
				src := "resource \"aws_lb\" \"a\" {\n  name = \"a\"\n  " + build(n) + "\n  tail = \"t\"\n}\nresource \"aws_lb\" \"b\" {\n  name = \"b\"\n}\n"
				mods, probs := Load(mapReader{"main.tf": src}, []string{"main.tf"})
				var deep, other []source.Problem
				for _, p := range probs {
					if p.Kind == source.ProblemTooDeep {
						deep = append(deep, p)
					} else {
						other = append(other, p)
					}
				}
				if len(other) > 0 {
					t.Errorf("depth %d: other problems %v", n+1, other)
				}
				if len(mods) != 1 || mods[0].Resource("aws_lb", "a") == nil || mods[0].Resource("aws_lb", "b") == nil {
					t.Fatalf("depth %d: resources not read", n+1)
				}
				a := mods[0].Resource("aws_lb", "a")
				if str(t, a.Object, "name") != "a" || str(t, a.Object, "tail") != "t" {
					t.Errorf("depth %d: the other attributes of the block were lost", n+1)
				}
				if n < maxNesting {
					if len(deep) != 0 {
						t.Errorf("depth %d (the limit): %v", n+1, deep)
					}
					continue
				}
				if len(deep) != 1 || deep[0].Range.Start.Line < 3 || !strings.Contains(deep[0].Message, "deeper than 1000") {
					t.Errorf("depth %d: E006 %v", n+1, deep)
				}
			}
		})
	}
}

// TestHostileNesting: 60,000 nested brackets overflowed the HCL parser's
// stack (fatal); now they cost a scan.
func TestHostileNesting(t *testing.T) {
	for name, build := range deepAttr {
		src := build(60000) + "\n"
		if name == "blocks" {
			src = "resource \"aws_lb\" \"a\" {\n" + src + "}\n"
		}
		_, probs := Load(mapReader{"main.tf": src}, []string{"main.tf"})
		if len(probs) == 0 || probs[0].Kind != source.ProblemTooDeep {
			t.Errorf("%s: %v", name, probs)
		}
	}
}

// TestLongHeredoc: the HCL parser joins a heredoc's lines one by one, in
// time quadratic in its length (a 7 MB heredoc took a minute). A heredoc
// of maxHeredocLines lines is read; a longer one has an unknown value,
// with M002 saying why, and the file around it is read.
func TestLongHeredoc(t *testing.T) {
	for _, n := range []int{maxHeredocLines, maxHeredocLines + 1} {
		for _, indent := range []string{"", "-"} {
			src := "resource \"aws_lb\" \"a\" {\n  doc = <<" + indent + "EOT\n" + strings.Repeat("line */ ${x}\n", n) + "  EOT\n  tail = \"t\"\n}\n"
			mods, probs := Load(mapReader{"main.tf": src}, []string{"main.tf"})
			a := mods[0].Resource("aws_lb", "a")
			if str(t, a.Object, "tail") != "t" {
				t.Errorf("%d lines: the attribute after the heredoc was lost", n)
			}
			v, ok := a.Attr("doc")
			if !ok || v.Range.Start.Line != 2 {
				t.Fatalf("%d lines: doc %v %v", n, v, ok)
			}
			if n == maxHeredocLines {
				if len(probs) != 0 {
					t.Errorf("%d lines (the limit): %v", n, probs)
				}
				continue
			}
			if v.Known() {
				t.Errorf("%d lines: the heredoc's value is known", n)
			}
			if len(probs) != 1 || probs[0].Kind != source.ProblemNotAnalysed || probs[0].Range.Start.Line != 2 {
				t.Errorf("%d lines: %v", n, probs)
			}
		}
	}
	start := time.Now()
	src := "resource \"aws_lb\" \"a\" {\n  x = <<EOT\n" + strings.Repeat(strings.Repeat("a", 99)+"\n", 70000) + "EOT\n}\n"
	Load(mapReader{"main.tf": src}, []string{"main.tf"})
	t.Logf("7 MB heredoc: %v", time.Since(start))
}
