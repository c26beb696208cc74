package lint

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// A bind on every interface inside a container whose publication the
// repository does not show is undecided: X004 reports it at medium, G001
// agrees when it is selected alone, and ignoring X004 does not bring G001
// back on the same line (X004 supersedes it whatever is disabled).
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
		{nil, []string{"X004"}, ""},
		{nil, []string{"X"}, ""},
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
			t.Errorf("select %v ignore %v: %v on the bind; the ignored X004 supersedes G001", tc.selected, tc.ignore, got)
		case tc.want != "" && (len(got) != 1 || got[0] != tc.want):
			t.Errorf("select %v ignore %v: got %v, want one %s finding (undecided is reported, not dropped)", tc.selected, tc.ignore, got, tc.want)
		}
	}
}

// A Dockerfile binds gunicorn to 0.0.0.0 and the
// Kubernetes manifests decide who reaches it. A ClusterIP Service with a
// NetworkPolicy that admits only the ingress controller is no finding
// whatever is ignored; a NodePort Service is X004 naming the node port,
// with the Service's type as a related location, and ignoring X004 brings
// back neither G001 on the bind.
func TestKubernetesDirectPathWhateverIsIgnored(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		ignore   []string
		want     string // code and a part of its message; "" none on the bind
	}{
		{"image-k8s-isolated-secure", nil, ""},
		{"image-k8s-isolated-secure", []string{"X004"}, ""},
		{"image-k8s-nodeport-vulnerable", nil, "X004 :30080 (NodePort)"},
		{"image-k8s-nodeport-vulnerable", []string{"X004"}, ""},
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
