package apache

import (
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/source/sourcetest"
)

func loadMap(files map[string]string) ([]*Tree, []source.Problem) {
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return Load(sourcetest.NewMapReader(files), paths)
}

// TestIncludeFanOut: ten fragments that each include a wildcard of ten
// files that each include the same wildcard (10 × 10! include paths).
// The expansion budget is shared by every tree of the load, a fragment
// that another includes is never built as a root of its own, a cycle met
// again and again is reported once per include, and the budget (E007)
// once per tree that hit it.
func TestIncludeFanOut(t *testing.T) {
	files := map[string]string{}
	for i := range 10 {
		files["apache/n"+string(rune('0'+i))+".conf"] = "Include fan/*.inc\n"
		files["apache/fan/"+string(rune('0'+i))+".inc"] = "Include fan/*.inc\n"
	}
	trees, probs := loadMap(files)
	var roots []string
	n := 0
	for _, tr := range trees {
		roots = append(roots, tr.Root().Path)
		tr.Walk(func(*Directive) bool { n++; return true })
	}
	if len(trees) != 10 || strings.Contains(strings.Join(roots, " "), ".inc") {
		t.Errorf("roots %v: want the ten .conf fragments only", roots)
	}
	if n > maxExpanded+len(trees)*10 {
		t.Errorf("%d directives expanded, budget %d", n, maxExpanded)
	}
	limits, cycles := 0, map[string]int{}
	for _, p := range probs {
		switch p.Kind {
		case source.ProblemLimit:
			limits++
			if p.Range.File == "" || !strings.Contains(p.Message, "more than 524288 directives") || len(p.Message) > 120 {
				t.Errorf("problem %+v", p)
			}
		case source.ProblemIncludeCycle:
			cycles[p.Range.String()]++
		}
	}
	if limits == 0 || limits > len(trees) {
		t.Errorf("%d E007 problems for %d trees", limits, len(trees))
	}
	for at, n := range cycles {
		if n > 10 {
			t.Errorf("the cycle at %s reported %d times", at, n)
		}
	}
}

// TestExpansionBudgetLimit: an Include is followed while the directives
// expanded so far are within the budget; one more and it is reported
// instead. The budget is lowered for the test; the logic is the same at
// maxExpanded.
func TestExpansionBudgetLimit(t *testing.T) {
	defer func(b int64) { expansionBudget = b }(expansionBudget)
	expansionBudget = 100
	for _, extra := range []int{0, 1} {
		// The two Includes, then a.conf's 98 (+extra) when b.conf's
		// Include is met.
		trees, probs := loadMap(map[string]string{
			"apache2/apache2.conf": "Include a.conf\nInclude b.conf\n",
			"apache2/a.conf":       strings.Repeat("X 1\n", 98+extra),
			"apache2/b.conf":       "Y 1\n",
		})
		if len(trees) != 1 { // b.conf is included, followed or not
			t.Fatalf("extra %d: %d trees, problems %v", extra, len(trees), probs)
		}
		hasY := false
		trees[0].Walk(func(d *Directive) bool { hasY = hasY || d.Name == "Y"; return true })
		if extra == 0 {
			if len(probs) != 0 || !hasY {
				t.Errorf("at the budget: problems %v, b.conf read %v", probs, hasY)
			}
			continue
		}
		if hasY || len(probs) != 1 || probs[0].Kind != source.ProblemLimit || probs[0].Range.Start.Line != 2 {
			t.Errorf("past the budget: problems %v, b.conf read %v", probs, hasY)
		}
	}
}

// TestNestingLimit: maxDepth nested sections are read; one more is
// reported (E006) where it opens, in one file or through includes, and
// the directives after it are read.
func TestNestingLimit(t *testing.T) {
	nest := func(n int, inner string) string {
		return strings.Repeat("<IfModule m>\n", n) + inner + strings.Repeat("</IfModule>\n", n)
	}
	for _, n := range []int{maxDepth, maxDepth + 1} {
		trees, probs := loadMap(map[string]string{"apache2/apache2.conf": nest(n, "X 1\n") + "After 1\n"})
		if n == maxDepth && len(probs) != 0 || n > maxDepth && (len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.Start.Line != n) {
			t.Errorf("%d sections in one file: %v", n, probs)
		}
		after := false
		trees[0].Walk(func(d *Directive) bool { after = after || d.Name == "After"; return true })
		if !after {
			t.Errorf("%d sections in one file: the directive after them was not read", n)
		}
		outer := n / 2
		_, probs = loadMap(map[string]string{
			"apache2/apache2.conf": nest(outer, "Include b.conf\n"),
			"apache2/b.conf":       nest(n-outer, "X 1\n"),
		})
		if n == maxDepth && len(probs) != 0 || n > maxDepth && (len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.File != "apache2/b.conf") {
			t.Errorf("%d sections through an include: %v", n, probs)
		}
	}
	// Far deeper than the limit: nothing below it is kept.
	ds, probs := Parse(source.NewFile("httpd.conf", []byte(nest(100000, "X 1\n"))))
	depth := 0
	for len(ds) > 0 {
		depth++
		ds = ds[0].Children
	}
	if depth != maxDepth || len(probs) != 1 {
		t.Errorf("100,000 sections: %d kept, problems %v", depth, probs)
	}
}
