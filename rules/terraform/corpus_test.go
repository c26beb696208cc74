package terraform

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	tf "github.com/mtlslint/mtlslint/parsers/terraform"
	"github.com/mtlslint/mtlslint/rules"
)

// corpusDir finds the shared corpus of real Terraform files: $MTLSLINT_CORPUS,
// else shared/corpus found by walking up from here, else /work/shared/corpus.
func corpusDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("MTLSLINT_CORPUS"); d != "" {
		return filepath.Join(d, "terraform")
	}
	dir, _ := filepath.Abs(".")
	for {
		c := filepath.Join(dir, "shared", "corpus", "terraform")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "/work/shared/corpus/terraform"
}

// passthroughAssignment finds `mode = "passthrough"` written out in a file,
// outside comments: an independent count of passthrough listeners.
var passthroughAssignment = regexp.MustCompile(`(?m)^[ \t]*mode[ \t]*=[ \t]*"passthrough"`)

// TestCorpus runs the front end and every rule of the family over real
// third-party configurations: nothing may panic or crash, and every
// listener that a text scan finds in passthrough mode must be flagged.
// Each file is loaded as its own module, since the corpus keeps several
// versions of one file side by side.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no corpus at %s", dir)
	}
	reader, err := parsers.NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	err = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && tf.Candidate(filepath.Base(p)) {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var (
		problems, listeners, routeCount, scanned, flagged int
		byCode                                            = map[string]int{}
	)
	for _, f := range files {
		mods, probs := tf.Load(reader, []string{f})
		problems += len(probs)
		for _, p := range probs {
			t.Logf("%s: %s %s", p.Range, p.Kind, p.Message)
		}
		var trees []parsers.Tree
		for _, m := range mods {
			trees = append(trees, m)
			_, ls := extractALB(m)
			listeners += len(ls)
			routeCount += len(rules.BuildRoutes(Routes, m))
		}
		eng := &rules.Engine{Rules: Rules, Routes: []*rules.Analysis{Routes}, Jobs: 1}
		res := eng.Run(context.Background(), &parsers.Workspace{Trees: trees})
		passthrough := 0
		for _, d := range res.Findings {
			if d.Code == rules.CodeRuleCrashed {
				t.Errorf("%s: %s", f, d.Message)
			}
			byCode[d.Code]++
			if d.Code == Passthrough.Code {
				passthrough++
			}
		}
		content, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		want := len(passthroughAssignment.FindAll(content, -1))
		scanned += want
		flagged += passthrough
		if passthrough != want {
			t.Errorf("%s: a text scan finds %d listener(s) in passthrough mode, T001 flags %d", f, want, passthrough)
		}
	}
	codes := make([]string, 0, len(byCode))
	for c, n := range byCode {
		codes = append(codes, c+"="+strconv.Itoa(n))
	}
	sort.Strings(codes)
	t.Logf("%d files, %d parse problems, %d listeners, %d routes; passthrough: %d by text scan, %d flagged; findings %s",
		len(files), problems, listeners, routeCount, scanned, flagged, strings.Join(codes, " "))
}
