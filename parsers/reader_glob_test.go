package parsers

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Glob answers from the directory listings it keeps what a walk of the
// disk would: files only (a directory, or a link to one inside the root,
// is not a match), links to files included, nothing through a link that
// leads outside the root; and, as Stat, the same answer on every call of
// one reader.
func TestGlobFromListings(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"requirements.txt":             "gunicorn==21.2\n",
		"app/requirements-dev.txt":     "x\n",
		"app/requirements/base.txt":    "x\n",
		"app/pkg/views.py":             "x\n",
		"app/pkg/sub/deep.py":          "x\n",
		"other/docker-compose.yml":     "x\n",
		"other/requirements.txt/x.txt": "a directory named like a file\n",
	})
	for _, link := range []struct{ target, name string }{
		{"pkg", "app/pkglink"},                          // a directory inside the root
		{"views.py", "app/pkg/alias.py"},                // a file inside the root
		{"/etc", "app/outside"},                         // a directory outside
		{"../requirements.txt", "app/requirements.txt"}, // a file one level up
	} {
		if err := os.Symlink(link.target, filepath.Join(dir, link.name)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		pattern string
		want    []string
	}{
		{"requirements*.txt", []string{"requirements.txt"}},
		{"*/requirements*.txt", []string{"app/requirements-dev.txt", "app/requirements.txt"}},
		{"*/requirements/*.txt", []string{"app/requirements/base.txt"}},
		{"app/*/*.py", []string{"app/pkg/alias.py", "app/pkg/views.py", "app/pkglink/alias.py", "app/pkglink/views.py"}},
		{"app/pkg/*.py", []string{"app/pkg/alias.py", "app/pkg/views.py"}},
		{"*/docker-compose*.yml", []string{"other/docker-compose.yml"}},
		{"other/requirements.txt", nil},
		{"missing/*.py", nil},
	}
	for round := 0; round < 2; round++ {
		for _, c := range cases {
			got, err := r.Glob(c.pattern)
			if err != nil {
				t.Errorf("Glob(%q): %v", c.pattern, err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("round %d: Glob(%q) = %q, want %q", round, c.pattern, got, c.want)
			}
		}
		if got, err := r.Glob("app/outside/*"); err == nil || got != nil {
			t.Errorf("round %d: Glob through a link outside the root = %q, %v; want an error", round, got, err)
		}
		// Changes on disk after the first answer are not seen.
		if err := os.WriteFile(filepath.Join(dir, "app/pkg/new.py"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
