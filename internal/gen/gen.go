// Package gen writes synthetic organisations for benchmarks and tests: N
// repositories, each like a real service repository (an nginx.conf with
// two conf.d files, a haproxy.cfg, a Django settings package of three
// modules, a gunicorn.conf.py, a compose file and unrelated source files,
// about 15 KB of configuration), a quarter of them with real
// mutual-TLS and trusted-header defects. The output depends only on the
// seed: repository i is the same in an organisation of any size.
package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Defect is a vulnerability planted in a repository.
type Defect string

// The defects, after the rule catalogue.
const (
	// VerifyOptional: the API server verifies client certificates only
	// optionally, forwards the subject DN, and neither gates on nor
	// forwards $ssl_client_verify, so the app cannot tell anonymous
	// clients apart (and the client's own X-SSL-Client-Verify passes).
	VerifyOptional Defect = "nginx-verify-optional"
	// HeaderInheritance: an upload location defines its own
	// proxy_set_header, so the server-level X-SSL-* headers are not
	// inherited there and the client's copies reach the app.
	HeaderInheritance Defect = "nginx-header-inheritance"
	// HAProxyAddHeader: HAProxy adds X-SSL-Client-Verify (conditionally)
	// without deleting the client's copy first.
	HAProxyAddHeader Defect = "haproxy-add-header"
	// SchemeHeader: Django trusts X-Forwarded-Proto through
	// SECURE_PROXY_SSL_HEADER while nginx never sets it.
	SchemeHeader Defect = "django-scheme-header"
	// PublicBind: gunicorn binds 0.0.0.0 and compose publishes the port,
	// so clients can skip the proxy.
	PublicBind Defect = "gunicorn-public-bind"
)

// Defects lists every defect.
var Defects = []Defect{VerifyOptional, HeaderInheritance, HAProxyAddHeader, SchemeHeader, PublicBind}

// Options shape an organisation.
type Options struct {
	Seed uint64
	// Vulnerable is the fraction of vulnerable repositories (0: 0.25).
	Vulnerable float64
	// Root is prefixed to the absolute paths inside the configurations
	// (certificates, sockets, logs): "" writes /etc/nginx/..., a test
	// directory lets the real servers check the files.
	Root string
	// NoGit leaves out the .git directory that marks a repository.
	NoGit bool
}

// Repo describes one generated repository.
type Repo struct {
	Name    string   `json:"name"`
	Dir     string   `json:"-"`
	Defects []Defect `json:"defects,omitempty"`
	// Files and Bytes count what was written; ConfigBytes the
	// configuration files among them.
	Files       int `json:"files"`
	Bytes       int `json:"bytes"`
	ConfigBytes int `json:"config_bytes"`
}

// Vulnerable reports whether the repository has a defect.
func (r *Repo) Vulnerable() bool { return len(r.Defects) > 0 }

// Has reports whether the repository has defect d.
func (r *Repo) Has(d Defect) bool {
	for _, x := range r.Defects {
		if x == d {
			return true
		}
	}
	return false
}

// Org writes n repositories into dir (one directory each) and a
// manifest.json listing them with their defects.
func Org(dir string, n int, opts Options) ([]*Repo, error) {
	frac := opts.Vulnerable
	if frac == 0 {
		frac = 0.25
	}
	// Of every four consecutive repositories, a seeded choice of one is
	// vulnerable (at the default fraction): exactly a quarter of any
	// multiple of four, and repository i the same whatever n is.
	isVulnerable := func(i int) bool {
		if frac == 0.25 {
			return rand.New(rand.NewPCG(opts.Seed^0x5eed, uint64(i/4))).IntN(4) == i%4
		}
		return rand.New(rand.NewPCG(opts.Seed^0xf4ac, uint64(i))).Float64() < frac
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	repos := make([]*Repo, n)
	for i := range n {
		r, err := writeRepo(filepath.Join(dir, repoName(opts.Seed, i)), i, isVulnerable(i), opts, "")
		if err != nil {
			return nil, err
		}
		repos[i] = r
	}
	b, err := json.MarshalIndent(struct {
		Seed  uint64  `json:"seed"`
		Repos []*Repo `json:"repos"`
	}{opts.Seed, repos}, "", "  ")
	if err != nil {
		return nil, err
	}
	return repos, os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644)
}

// Monorepo writes one repository of about files files: services/<name>/
// directories, each a service as Org writes them.
func Monorepo(dir string, files int, opts Options) ([]*Repo, error) {
	if !opts.NoGit {
		if err := writeFile(filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n"); err != nil {
			return nil, err
		}
	}
	sub := opts
	sub.NoGit = true
	var repos []*Repo
	written := 0
	for i := 0; written < files; i++ {
		r, err := writeRepo(filepath.Join(dir, "services", repoName(opts.Seed, i)), i, i%4 == 3, sub, "services/")
		if err != nil {
			return nil, err
		}
		written += r.Files
		repos = append(repos, r)
	}
	return repos, nil
}

var (
	areas = []string{"billing", "payments", "ledger", "identity", "orders", "catalog", "search", "shipping",
		"inventory", "reports", "notify", "audit", "pricing", "profile", "support", "partner", "risk", "metrics"}
	kinds = []string{"api", "gateway", "portal", "service", "admin", "backend", "hub", "sync"}
)

func repoName(seed uint64, i int) string {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	return fmt.Sprintf("%s-%s-%05d", areas[r.IntN(len(areas))], kinds[r.IntN(len(kinds))], i)
}

// writeRepo writes one service repository.
func writeRepo(dir string, i int, vulnerable bool, opts Options, namePrefix string) (*Repo, error) {
	rnd := rand.New(rand.NewPCG(opts.Seed, uint64(i)))
	s := newService(rnd, i, filepath.Base(dir), opts.Root)
	repo := &Repo{Name: namePrefix + filepath.Base(dir), Dir: dir}
	if vulnerable {
		// One defect by rotation, so that every defect occurs, and each
		// other with some probability.
		first := Defects[i%len(Defects)]
		for _, d := range Defects {
			if d == first || rnd.Float64() < 0.3 {
				repo.Defects = append(repo.Defects, d)
			}
		}
		sort.Slice(repo.Defects, func(a, b int) bool { return repo.Defects[a] < repo.Defects[b] })
		for _, d := range repo.Defects {
			s.defects[d] = true
		}
	}
	files := s.files()
	if !opts.NoGit {
		files = append(files, file{".git/HEAD", "ref: refs/heads/main\n", false})
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(f.path)), f.content); err != nil {
			return nil, err
		}
		repo.Files++
		repo.Bytes += len(f.content)
		if f.config {
			repo.ConfigBytes += len(f.content)
		}
	}
	return repo, nil
}

func writeFile(p, content string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(content), 0o644)
}

// file is one file of a repository.
type file struct {
	path    string
	content string
	config  bool
}

// lines joins lines with newlines, ending with one.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }
