package nginx

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// fanOut is ten 19-byte fragments that each include a glob of ten files
// that each include the same glob: the include tree has 10 × 10! paths.
func fanOut() map[string]string {
	files := map[string]string{}
	for i := range 10 {
		files["nginx/n"+string(rune('0'+i))+".conf"] = "include fan/*.inc;\n"
		files["nginx/fan/"+string(rune('0'+i))+".inc"] = "include fan/*.inc;\n"
	}
	return files
}

func countDirectives(trees []*Tree) int {
	n := 0
	for _, t := range trees {
		t.Walk(func(*Directive) bool { n++; return true })
	}
	return n
}

// TestIncludeFanOut: the expansion budget is shared by every tree of the
// workspace (the fan-out above exhausted 6 GB in 27 s, every fragment was
// expanded again as a root), a fragment that another includes is never
// built as a root of its own, and the budget is reported (E007) once per
// tree that hit it.
func TestIncludeFanOut(t *testing.T) {
	trees, probs := load(t, fanOut())
	var roots []string
	for _, tr := range trees {
		roots = append(roots, tr.Root().Path)
	}
	if len(trees) != 10 || strings.Contains(strings.Join(roots, " "), ".inc") {
		t.Errorf("roots %v: want the ten .conf fragments only", roots)
	}
	// The budget, and what the last include each tree followed brought.
	if n := countDirectives(trees); n > maxExpanded+len(trees)*10 {
		t.Errorf("%d directives expanded, budget %d", n, maxExpanded)
	}
	limits := 0
	for _, p := range probs {
		if p.Kind == source.ProblemLimit {
			limits++
			if p.Range.File == "" || p.Range.Start.Line != 1 || !strings.Contains(p.Message, "more than 524288 directives") {
				t.Errorf("problem %+v", p)
			}
		}
	}
	if limits == 0 || limits > len(trees) {
		t.Errorf("%d E007 problems for %d trees", limits, len(trees))
	}
}

// TestExpansionBudgetLimit: an include is followed while the directives
// expanded so far, itself included, are within the budget; one more and
// it is reported instead. The budget is lowered for the test; the logic
// is the same at maxExpanded.
func TestExpansionBudgetLimit(t *testing.T) {
	defer func(b int64) { expansionBudget = b }(expansionBudget)
	expansionBudget = 100
	for _, extra := range []int{0, 1} {
		// events, http, include a.conf, a.conf's 96 (+extra), include
		// b.conf: 100 (101) when b.conf's include is met.
		body := strings.Repeat("x 1;\n", 96+extra)
		trees, probs := load(t, map[string]string{
			"nginx/nginx.conf": "events {}\nhttp {\n  include a.conf;\n  include b.conf;\n}\n",
			"nginx/a.conf":     body,
			"nginx/b.conf":     "y 1;\n",
		})
		if len(trees) != 1 { // b.conf is included, followed or not
			t.Fatalf("extra %d: %d trees, problems %v", extra, len(trees), probs)
		}
		hasY := find(trees[0], "y", "") != nil
		if extra == 0 {
			if len(probs) != 0 || !hasY {
				t.Errorf("at the budget: problems %v, b.conf read %v", probs, hasY)
			}
			continue
		}
		if hasY || len(probs) != 1 || probs[0].Kind != source.ProblemLimit || probs[0].Range.Start.Line != 4 {
			t.Errorf("past the budget: problems %v, b.conf read %v", probs, hasY)
		}
	}
}

// TestNestingLimit: maxDepth nested blocks are read; one more is
// reported (E006) where it opens, in one file or through includes.
func TestNestingLimit(t *testing.T) {
	for _, n := range []int{maxDepth, maxDepth + 1} {
		_, probs := parseString(t, strings.Repeat("a {\n", n)+strings.Repeat("}\n", n))
		if n == maxDepth && len(probs) != 0 || n > maxDepth && (len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.Start.Line != n) {
			t.Errorf("%d blocks in one file: %v", n, probs)
		}
		// Through an include: half in nginx.conf (in http), the rest in
		// the included file.
		outer := n / 2
		inner := n - outer - 1 // http is one level
		_, probs = load(t, map[string]string{
			"nginx/nginx.conf": "events {}\nhttp {\n" + strings.Repeat("a {\n", outer) + "include b.conf;\n" + strings.Repeat("}\n", outer) + "}\n",
			"nginx/b.conf":     strings.Repeat("b {\n", inner) + "x 1;\n" + strings.Repeat("}\n", inner),
		})
		if n == maxDepth && len(probs) != 0 || n > maxDepth && (len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.File != "nginx/b.conf") {
			t.Errorf("%d blocks through an include: %v", n, probs)
		}
	}
}
