package caddy

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

func allPaths(files map[string]string) []string {
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

func countDirectives(ds []*Directive) int {
	n := len(ds)
	for _, d := range ds {
		n += countDirectives(d.Children)
	}
	return n
}

// TestImportFanOut: ten Caddyfiles that import a glob of ten files that
// import the same glob (10 × 10! import paths), and snippets that each
// import the next twice (2^30 copies). The budget is shared by every tree
// of the load, a file another imports is never a root of its own, and the
// budget is reported (E007) once per tree that hit it.
func TestImportFanOut(t *testing.T) {
	files := map[string]string{}
	for i := range 10 {
		files[fmt.Sprintf("caddy/n%d/Caddyfile", i)] = "import ../fan/*.caddy\n"
		files[fmt.Sprintf("caddy/fan/%d.caddy", i)] = "import *.caddy\nx.example.com {\n\trespond 1\n}\n"
	}
	var snippets strings.Builder
	for i := range 30 {
		fmt.Fprintf(&snippets, "(s%d) {\n\timport s%d\n\timport s%d\n}\n", i, i+1, i+1)
	}
	files["snippets/Caddyfile"] = snippets.String() + "(s30) {\n\trespond 1\n}\na.example.com {\n\timport s0\n}\n"
	trees, probs := loadCaddy(t, files, allPaths(files)...)
	var roots []string
	n := 0
	for _, tr := range trees {
		roots = append(roots, tr.Root().Path)
		for _, s := range tr.Sites {
			n += countDirectives(s.Directives)
		}
	}
	if len(trees) != 11 || strings.Contains(strings.Join(roots, " "), ".caddy") {
		t.Errorf("roots %v: want the eleven Caddyfiles only", roots)
	}
	if n > maxExpanded+len(trees)*10 {
		t.Errorf("%d directives expanded, budget %d", n, maxExpanded)
	}
	limits := map[string]int{}
	for _, p := range probs {
		if p.Kind == source.ProblemLimit {
			limits[p.Range.File]++
			if !strings.Contains(p.Message, "more than 262144 directives") || len(p.Message) > 120 {
				t.Errorf("problem %+v", p)
			}
		}
	}
	if len(limits) == 0 || limits["snippets/Caddyfile"] != 1 {
		t.Errorf("E007 problems by file: %v", limits)
	}
}

// TestExpansionBudgetLimit: an import is followed while the directives
// expanded so far are within the budget; one more and it is reported
// instead. The budget is lowered for the test; the logic is the same at
// maxExpanded.
func TestExpansionBudgetLimit(t *testing.T) {
	defer func(b int64) { expansionBudget = b }(expansionBudget)
	expansionBudget = 100
	for _, extra := range []int{0, 1} {
		// The site's two imports, then a.caddy's 98 (+extra) when b's
		// import is met.
		files := map[string]string{
			"Caddyfile": "a.example.com {\n\timport a.caddy\n\timport b.caddy\n}\n",
			"a.caddy":   strings.Repeat("respond 1\n", 98+extra),
			"b.caddy":   "header_up X-B b\n",
		}
		trees, probs := loadCaddy(t, files, allPaths(files)...)
		if len(trees) != 1 { // b.caddy is imported, followed or not
			t.Fatalf("extra %d: %d trees, problems %v", extra, len(trees), probs)
		}
		ds := trees[0].Sites[0].Directives
		hasB := ds[len(ds)-1].Name == "header_up"
		if extra == 0 {
			if len(probs) != 0 || !hasB {
				t.Errorf("at the budget: problems %v, b.caddy read %v", probs, hasB)
			}
			continue
		}
		if hasB || len(probs) != 1 || probs[0].Kind != source.ProblemLimit || probs[0].Range.Start.Line != 3 {
			t.Errorf("past the budget: problems %v, b.caddy read %v", probs, hasB)
		}
	}
}

// TestNestingLimit: blocks maxDepth deep (the site's included) are read;
// one more is reported (E006) where it opens, in one file or through an
// import, and the rest of the file is read. Far deeper input is skipped
// without recursion.
func TestNestingLimit(t *testing.T) {
	nest := func(n int, inner string) string {
		return strings.Repeat("a {\n", n) + inner + strings.Repeat("}\n", n)
	}
	for _, n := range []int{maxDepth, maxDepth + 1} {
		files := map[string]string{"Caddyfile": "x.example.com {\n" + nest(n-1, "respond 1\n") + "}\ny.example.com {\n\trespond 2\n}\n"}
		trees, probs := loadCaddy(t, files, "Caddyfile")
		if n == maxDepth && len(probs) != 0 || n > maxDepth && (len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.Start.Line != n) {
			t.Errorf("%d blocks in one file: %v", n, probs)
		}
		if len(trees) != 1 || len(trees[0].Sites) != 2 {
			t.Errorf("%d blocks in one file: the site after them was not read", n)
		}
		outer := n / 2
		files = map[string]string{
			"Caddyfile": "x.example.com {\n" + nest(outer-1, "import b.caddy\n") + "}\n",
			"b.caddy":   nest(n-outer, "respond 1\n"),
		}
		_, probs = loadCaddy(t, files, "Caddyfile", "b.caddy")
		if n == maxDepth && len(probs) != 0 || n > maxDepth && (len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.File != "b.caddy") {
			t.Errorf("%d blocks through an import: %v", n, probs)
		}
	}
	_, probs := loadCaddy(t, map[string]string{"Caddyfile": "x {\n" + strings.Repeat("{\n", 200000) + strings.Repeat("}\n", 200001)}, "Caddyfile")
	if len(probs) == 0 {
		t.Error("200,000 nested blocks: no problem")
	}
}

// TestJSONNestingLimit: a JSON configuration MaxDepth levels deep is read
// whole; one level deeper is cut there (E006 at the first value cut) and
// the rest of the configuration is read. The rules' walks (subroutes in
// handlers in routes) then never go deeper than the limit.
func TestJSONNestingLimit(t *testing.T) {
	for _, n := range []int{yamlutil.MaxDepth, yamlutil.MaxDepth + 1, 5000} {
		// The object is level 1, x's value level 2, ...
		src := `{"apps": {"http": {"servers": {"a": {"listen": [":443"]}}}}, "x": ` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + "}\n"
		trees, probs := loadCaddy(t, map[string]string{"caddy.json": src}, "caddy.json")
		if len(trees) != 1 || trees[0].JSON == nil {
			t.Fatalf("%d levels: %d trees, problems %v", n, len(trees), probs)
		}
		if yamlutil.Deeper(trees[0].JSON, yamlutil.MaxDepth) != nil {
			t.Errorf("%d levels: the tree kept is deeper than the limit", n)
		}
		if n <= yamlutil.MaxDepth {
			if len(probs) != 0 {
				t.Errorf("%d levels (the limit): %v", n, probs)
			}
			continue
		}
		at := strings.Index(src, `"x": `) + 5 + yamlutil.MaxDepth - 1
		if len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.Start.Offset != at || len(probs[0].Message) > 120 {
			t.Errorf("%d levels: problems %v, want E006 at offset %d", n, probs, at)
		}
	}
}
