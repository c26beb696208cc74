package e2e

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ScenarioNamed returns the scenario of that name, or nil.
func ScenarioNamed(name string) *Scenario {
	for _, s := range Scenarios {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// TreeState maps every entry below dir to its mode and, for a file, a
// digest of its content: two states compare equal when nothing below dir
// was written, added or removed (a run that must leave a repository as
// it found it).
func TreeState(dir string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		state := info.Mode().String()
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			state += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		out[p] = state
		return nil
	})
	return out, err
}

// MaterializeAsRepository writes a scenario below base as a user's
// repository would hold it: its configuration under base/repo, naming
// certificates of a PKI of its own under base/user-certs (the paths a
// deployment uses, which prove's rewrite replaces).
func MaterializeAsRepository(s *Scenario, base string) (*Deployment, error) {
	pki, err := NewPKI(filepath.Join(base, "user-certs"))
	if err != nil {
		return nil, err
	}
	return Materialize(s, filepath.Join(base, "repo"), pki.Dir)
}
