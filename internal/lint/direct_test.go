package lint

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// A bind on every interface inside a container whose publication the
// repository does not show is undecided: X004 reports it at medium and
// supersedes G001 on the same line; with X004 ignored, G001 reports it
// (a rule replaces findings only where it is enabled), at medium too.
func TestContainerBindUndecidedWhateverIsIgnored(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "django", "bind-in-image-vulnerable"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		selected, ignore []string
		want             string // the rule that reports the bind; "" none
	}{
		{nil, nil, "X004"},
		{nil, []string{"G001"}, "X004"},
		{nil, []string{"X004"}, "G001"},
		{nil, []string{"X"}, "G001"},
		{nil, []string{"X004", "G001"}, ""},
		{[]string{"G001"}, nil, "G001"},
	} {
		res, err := Run(context.Background(), Options{Root: root, NoConfig: true, Select: tc.selected, Ignore: tc.ignore})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			if f.Code != "X004" && f.Code != "G001" {
				continue
			}
			got = append(got, f.Code)
			if f.Severity > rules.Medium {
				t.Errorf("select %v ignore %v: %s at %s on an undecided container bind: %s", tc.selected, tc.ignore, f.Code, f.Severity, f.Message)
			}
		}
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("select %v ignore %v: %v on the bind, with both rules ignored", tc.selected, tc.ignore, got)
		case tc.want != "" && (len(got) != 1 || got[0] != tc.want):
			t.Errorf("select %v ignore %v: got %v, want one %s finding (undecided is reported, not dropped)", tc.selected, tc.ignore, got, tc.want)
		}
	}
}

// A Dockerfile binds gunicorn to 0.0.0.0 and the
// Kubernetes manifests decide who reaches it. A ClusterIP Service with a
// NetworkPolicy that admits only the ingress controller is no finding
// whatever is ignored; a NodePort Service is X004 naming the node port,
// with the Service's type as a related location; ignoring X004 brings back
// G001's finding of the same direct path, and in the secure deployment
// nothing.
func TestKubernetesDirectPathWhateverIsIgnored(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		ignore   []string
		want     string // code and a part of its message; "" none on the bind
	}{
		{"image-k8s-isolated-secure", nil, ""},
		{"image-k8s-isolated-secure", []string{"X004"}, ""},
		{"image-k8s-nodeport-vulnerable", nil, "X004 :30080 (NodePort)"},
		{"image-k8s-nodeport-vulnerable", []string{"X004"}, "G001 :30080 (NodePort)"},
		{"image-k8s-no-netpol-vulnerable", nil, "X004 (no NetworkPolicy)"},
	} {
		root, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "crossfile", tc.scenario))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), Options{Root: root, NoConfig: true, Ignore: tc.ignore})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			if filepath.Base(f.Range.File) == "Dockerfile" && (f.Code == "X004" || f.Code == "G001") {
				got = append(got, f.Code+" "+f.Message)
				if tc.want == "" || !strings.HasPrefix(tc.want, f.Code) || !strings.Contains(f.Message, strings.SplitN(tc.want, " ", 2)[1]) {
					t.Errorf("%s ignore %v: unexpected %s %s: %s", tc.scenario, tc.ignore, f.Code, f.Severity, f.Message)
				}
				if f.Severity < rules.High {
					t.Errorf("%s ignore %v: %s at %s, want high or critical", tc.scenario, tc.ignore, f.Code, f.Severity)
				}
			}
		}
		if tc.want != "" && len(got) != 1 {
			t.Errorf("%s ignore %v: got %q, want one %s", tc.scenario, tc.ignore, got, tc.want)
		}
	}
}

// Where a nested configuration ignores X004, G001 reports the bind below
// it, whichever directory the run starts from: X004 running for the rest
// of the repository replaces nothing where it is not enabled.
func TestSupersedingRuleIgnoredByNestedConfiguration(t *testing.T) {
	src := filepath.Join("..", "..", "fixtures", "django", "bind-in-image-vulnerable")
	dir := t.TempDir()
	svc := filepath.Join(dir, "svc")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Dockerfile", "settings.py"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(svc, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(svc, ".mtlslint.toml"), []byte("ignore = [\"X004\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, root := range []string{dir, svc} {
		res, err := Run(context.Background(), Options{Root: root})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			if f.Code == "X004" || f.Code == "G001" {
				got = append(got, f.Code+" "+filepath.Base(f.Range.File))
			}
		}
		if len(got) != 1 || got[0] != "G001 Dockerfile" {
			t.Errorf("run from %s: got %v, want G001 on the Dockerfile", root, got)
		}
	}
}
