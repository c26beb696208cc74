package k8s

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/rules"
)

// corpusDir finds the shared corpus of real third-party configurations:
// $MTLSLINT_CORPUS, else shared/corpus above this package, else
// /work/shared/corpus. The test is skipped when none exists.
func corpusDir(t *testing.T, sub string) string {
	t.Helper()
	var candidates []string
	if env := os.Getenv("MTLSLINT_CORPUS"); env != "" {
		candidates = append(candidates, env)
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			candidates = append(candidates, filepath.Join(dir, "shared", "corpus"))
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	candidates = append(candidates, "/work/shared/corpus")
	for _, c := range candidates {
		d := filepath.Join(c, sub)
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	t.Skipf("no corpus directory %s found", sub)
	return ""
}

// TestCorpus runs the front end and the rules over real Ingresses: no
// panic, no crashed rule, every finding positioned, and every Ingress that
// sets auth-tls-verify-client optional or optional_no_ca with a CA flagged
// exactly once on that annotation.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t, "k8s")
	ws, err := parsers.Load(context.Background(), parsers.Options{
		Root:    dir,
		Formats: []parsers.Format{{Kind: kube.Kind, Candidate: kube.Candidate, Detect: kube.Detect, Load: parsers.LoadAs(kube.Load)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	eng := &rules.Engine{Rules: append(append([]*rules.Rule{}, rules.LoadRules...), Rules...), Routes: []*rules.Analysis{Routes}}
	res := eng.RunWithModel(context.Background(), ws)

	counts := map[string]int{}
	k001 := map[string]int{} // file:line -> findings
	for _, d := range res.Findings {
		counts[d.Code]++
		if d.Code == rules.CodeRuleCrashed {
			t.Errorf("rule crashed: %s", d.Message)
		}
		if !d.Range.IsValid() {
			t.Errorf("finding without a position: %+v", d)
		}
		if d.Code == "K001" {
			k001[d.Range.String()]++
		}
	}

	ingresses, optional, flagged := 0, 0, 0
	for _, tr := range ws.Trees {
		f := tr.(*kube.File)
		for _, o := range f.Objects {
			if o.Ingress == nil {
				continue
			}
			ingresses++
			auth := readAuthTLS(o.Ingress)
			if !auth.hasCA() || (auth.name != "optional" && auth.name != "optional_no_ca") {
				continue
			}
			optional++
			switch n := k001[auth.verify.Line().String()]; n {
			case 1:
				flagged++
			default:
				t.Errorf("%s: %s sets %s, reported %d times", auth.verify.Line(), o.Ref(), auth.name, n)
			}
		}
	}
	// Patches the front end does not analyse may weaken verification too.
	inPatches := 0
	for _, p := range res.Findings {
		if p.Code != NotAnalysed.Code {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p.Range.File))); err == nil && strings.Contains(string(b), "auth-tls-verify-client: optional") {
			inPatches++
		}
	}
	var byCode []string
	for _, r := range eng.Rules {
		if counts[r.Code] > 0 {
			byCode = append(byCode, r.Code+"="+strconv.Itoa(counts[r.Code]))
		}
	}
	t.Logf("corpus %s: %d files, %d manifest trees, %d Ingresses, %d routes", dir, len(ws.Discovered[kube.Kind]), len(ws.Trees), ingresses, len(res.Model.Routes))
	t.Logf("Ingresses with a CA and auth-tls-verify-client optional/optional_no_ca: %d, flagged by K001: %d; kustomize patches setting optional*, not analysed (K007): %d", optional, flagged, inPatches)
	t.Logf("findings: %s", strings.Join(byCode, " "))
	if ingresses == 0 {
		t.Error("no Ingress read from the corpus")
	}
}
