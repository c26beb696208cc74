package fix

import (
	"context"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

func edit(f *source.File, from, to int, text string) rules.Edit {
	return rules.Edit{Range: f.Range(from, to), NewText: text}
}

func TestChooseOverlapsDeterministically(t *testing.T) {
	f := source.NewFile("a.conf", []byte("0123456789\n"))
	d := func(code string, at int, safe bool, edits ...rules.Edit) rules.Finding {
		return rules.Finding{Code: code, Diagnostic: rules.Diagnostic{Range: f.Range(at, at+1), Fixes: []rules.Fix{{Description: code, Safe: safe, Edits: edits}}}}
	}
	diags := []rules.Finding{
		d("N005", 6, true, edit(f, 5, 8, "X")), // overlaps N001's second edit: deferred
		d("N001", 0, true, edit(f, 0, 2, "A"), edit(f, 6, 7, "B")),
		d("N002", 2, true, edit(f, 2, 2, "i")),                     // insertion at N001's end: fine
		d("N003", 3, true, edit(f, 2, 2, "j")),                     // second insertion at the same place: deferred
		d("N004", 4, false, edit(f, 9, 10, "U")),                   // unsafe
		d("N006", 8, true, edit(f, 8, 9, "x"), edit(f, 8, 9, "y")), // overlaps itself: never
	}
	for _, unsafe := range []bool{false, true} {
		// Any input order gives the same choice.
		for trial := 0; trial < 5; trial++ {
			shuffled := append([]rules.Finding{}, diags...)
			rand.New(rand.NewSource(int64(trial))).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			c := Choose(shuffled, unsafe)
			var applied, deferred []string
			for _, a := range c.Applied {
				applied = append(applied, a.Code)
			}
			for _, a := range c.Deferred {
				deferred = append(deferred, a.Code)
			}
			wantApplied := "N001 N002"
			if unsafe {
				wantApplied += " N004"
			}
			if strings.Join(applied, " ") != wantApplied || strings.Join(deferred, " ") != "N003 N005 N006" {
				t.Fatalf("unsafe=%v: applied %v, deferred %v", unsafe, applied, deferred)
			}
			got, err := Apply(f.Content, c.Edits["a.conf"])
			if err != nil {
				t.Fatal(err)
			}
			want := "Ai2345B789\n"
			if unsafe {
				want = "Ai2345B78U\n"
			}
			if string(got) != want {
				t.Fatalf("unsafe=%v: %q", unsafe, got)
			}
		}
	}
	sup := d("N007", 1, true, edit(f, 1, 2, "s"))
	sup.Suppression = &rules.Suppression{Kind: "inSource"}
	if c := Choose([]rules.Finding{sup}, true); len(c.Applied) != 0 {
		t.Error("a suppressed finding was fixed")
	}
}

func TestUnifiedDiffAppliesWithPatch(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch not installed")
	}
	rng := rand.New(rand.NewSource(1))
	words := []string{"server {\n", "}\n", "listen 443;\n", "vuln;\n", "guard;\n", "\n", "# c\n"}
	gen := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = words[rng.Intn(len(words))]
		}
		return out
	}
	for trial := 0; trial < 40; trial++ {
		a := gen(rng.Intn(30))
		b := append([]string{}, a...)
		for k := rng.Intn(5); k >= 0; k-- {
			switch pos := rng.Intn(len(b) + 1); rng.Intn(3) {
			case 0:
				b = append(b[:pos], append([]string{words[rng.Intn(len(words))]}, b[pos:]...)...)
			case 1:
				if pos < len(b) {
					b = append(b[:pos], b[pos+1:]...)
				}
			default:
				if pos < len(b) {
					b[pos] = "changed;\n"
				}
			}
		}
		as, bs := strings.Join(a, ""), strings.Join(b, "")
		if trial%7 == 0 && len(bs) > 0 {
			bs = strings.TrimSuffix(bs, "\n") // no newline at the end
		}
		diff := Unified("conf/x.conf", []byte(as), []byte(bs))
		if as == bs {
			if diff != "" {
				t.Fatalf("equal inputs gave a diff")
			}
			continue
		}
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "conf"), 0o755)
		os.WriteFile(filepath.Join(dir, "conf/x.conf"), []byte(as), 0o644)
		cmd := exec.Command("patch", "-p1", "--quiet", "--no-backup-if-mismatch", "-F0")
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(diff)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("trial %d: patch failed: %v\n%s\n%s", trial, err, out, diff)
		}
		got, _ := os.ReadFile(filepath.Join(dir, "conf/x.conf"))
		if string(got) != bs {
			t.Fatalf("trial %d: patched %q, want %q\n%s", trial, got, bs, diff)
		}
	}
}

func TestRunFixesUntilStable(t *testing.T) {
	defer linttest.Register()()
	dir := t.TempDir()
	orig := "server a {\n    guard;\n    vuln 1;\n    risky;\n    vuln 2;\n}\n"
	os.WriteFile(filepath.Join(dir, "a.toy"), []byte(orig), 0o644)
	opts := lint.Options{Root: dir, NoConfig: true}

	out, err := Run(context.Background(), opts, false)
	if err != nil {
		t.Fatal(err)
	}
	if out.Applied != 2 || string(out.Fixed["a.toy"]) != "server a {\n    guard;\n    safe 1;\n    risky;\n    safe 2;\n}\n" {
		t.Fatalf("safe fixes: applied %d, %q", out.Applied, out.Fixed["a.toy"])
	}
	if len(out.Result.Findings) != 1 || out.Result.Findings[0].Code != "Z902" {
		t.Errorf("remaining: %+v", out.Result.Findings)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.toy")); string(b) != orig {
		t.Error("Run wrote to disk")
	}

	out, err = Run(context.Background(), opts, true)
	if err != nil {
		t.Fatal(err)
	}
	if out.Applied != 3 || strings.Contains(string(out.Fixed["a.toy"]), "risky") || len(out.Result.Findings) != 0 {
		t.Errorf("unsafe fixes: applied %d, %q, remaining %d", out.Applied, out.Fixed["a.toy"], len(out.Result.Findings))
	}
	if d := Unified("a.toy", out.Original["a.toy"], out.Fixed["a.toy"]); !strings.Contains(d, "-    vuln 1;\n") || !strings.Contains(d, "+    safe 1;\n") || !strings.Contains(d, "-    risky;\n") || !strings.Contains(d, "@@ -1,6 +1,6 @@\n server a {\n") {
		t.Errorf("diff:\n%s", d)
	}
}

func TestRunStopsRepeatingAFixThatDoesNotResolve(t *testing.T) {
	defer linttest.Register()()
	stuck := &rules.Rule{Code: "Z960", Name: "stuck", Severity: rules.Low, Scope: rules.ScopeTree, Kinds: []string{linttest.Kind},
		Check: func(p *rules.Pass) {
			f := p.Tree.Root()
			i := strings.Index(string(f.Content), "stuck;")
			if i < 0 {
				return
			}
			p.Report(rules.Diagnostic{Range: f.Range(i, i+6), Message: "stuck", Key: rules.TestKey("stuck"),
				Fixes: []rules.Fix{{Description: "comment", Safe: true, Edits: []rules.Edit{{Range: f.Range(i, i), NewText: "# tried\n"}}}}})
		}}
	defer lint.Register(nil, lint.Family{Name: "stuck", Rules: []*rules.Rule{stuck}})()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.toy"), []byte("stuck;\nvuln 1;\n"), 0o644)
	out, err := Run(context.Background(), lint.Options{Root: dir, NoConfig: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	if out.Applied != 2 || string(out.Fixed["a.toy"]) != "# tried\nstuck;\nsafe 1;\n" {
		t.Errorf("applied %d: %q", out.Applied, out.Fixed["a.toy"])
	}
	if len(out.Unresolved) != 1 || out.Unresolved[0].Code != "Z960" {
		t.Errorf("unresolved: %+v", out.Unresolved)
	}
}
