package k8s

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
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

// lintDir runs the Kubernetes front end and rules on a directory.
func lintDir(t *testing.T, dir string) (*parsers.Workspace, *rules.Engine, rules.Result) {
	t.Helper()
	ws, err := parsers.Load(context.Background(), parsers.Options{
		Root:    dir,
		Formats: []parsers.Format{{Kind: kube.Kind, Candidate: kube.Candidate, Detect: kube.Detect, Load: parsers.LoadAs(kube.Load)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	eng := &rules.Engine{Rules: append(append([]*rules.Rule{}, rules.LoadRules...), Rules...), Routes: []*rules.Analysis{Routes}}
	return ws, eng, eng.RunWithModel(context.Background(), ws)
}

// setsOptional matches an auth-tls-verify-client annotation set to
// optional or optional_no_ca, quoted or not.
var setsOptional = regexp.MustCompile(`auth-tls-verify-client["']?:\s*["']?optional`)

// TestCorpus runs the front end and the rules over real Ingresses: no
// panic, no crashed rule, every finding positioned, and every Ingress that
// sets auth-tls-verify-client optional or optional_no_ca with a CA flagged
// exactly once on that annotation.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t, "k8s")
	ws, eng, res := lintDir(t, dir)

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
	// Every file that sets auth-tls-verify-client to optional or
	// optional_no_ca, kustomize patches included, has a high or critical
	// finding located in it. (A withdrawal, where an app is proven to
	// accept only SUCCESS, would also do; the corpus holds no app.)
	severe := map[string]bool{}
	for _, d := range res.Findings {
		if strings.HasPrefix(d.Code, "K") && d.Severity >= rules.High {
			severe[d.Range.File] = true
		}
	}
	optionalFiles, located := 0, 0
	for _, p := range ws.Discovered[kube.Kind] {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil || !setsOptional.Match(b) {
			continue
		}
		optionalFiles++
		if severe[p] {
			located++
		} else {
			t.Errorf("%s sets auth-tls-verify-client optional*, and no high or critical finding is located in it", p)
		}
	}
	_, _, stats := kube.LoadStats(ws.Reader, ws.Discovered[kube.Kind], kube.Options{})
	t.Logf("files setting optional/optional_no_ca: %d, with a high/critical finding in the file: %d", optionalFiles, located)
	t.Logf("rendered: %d kustomize environments, %d chart environments; not rendered (K007): %d %v", stats.Kustomizations, stats.Charts, len(stats.NotRendered), stats.NotRendered)
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
