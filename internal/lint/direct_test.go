package lint

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// A bind on every interface inside a container whose publication the
// repository does not show is undecided: X004 and G001 both report it at
// medium, and deselecting the one does not bring the other back at critical.
func TestContainerBindUndecidedWhateverIsIgnored(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "django", "bind-in-image-vulnerable"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ignore []string
		want   string // the rule that reports the bind
	}{
		{nil, "X004"},
		{[]string{"X004"}, "G001"},
	} {
		res, err := Run(context.Background(), Options{Root: root, NoConfig: true, Ignore: tc.ignore})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range res.Findings {
			if f.Code != "X004" && f.Code != "G001" {
				continue
			}
			if f.Severity > rules.Medium {
				t.Errorf("ignore %v: %s at %s on an undecided container bind: %s", tc.ignore, f.Code, f.Severity, f.Message)
			}
			if f.Code == tc.want {
				found = true
			}
		}
		if !found {
			t.Errorf("ignore %v: no %s finding on the container bind (undecided is reported, not dropped)", tc.ignore, tc.want)
		}
	}
}
