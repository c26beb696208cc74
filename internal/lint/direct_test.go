package lint

import (
	"context"
	"path/filepath"
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
