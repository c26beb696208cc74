package gunicorn

import (
	"regexp"
	"strings"
	"sync"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// PinnedVersion is a package version pinned in a requirements or lock
// file.
type PinnedVersion struct {
	Version string
	Range   source.Range
}

var versionFiles = []string{
	"requirements*.txt", "requirements/*.txt", "*/requirements*.txt", "*/requirements/*.txt",
	"pyproject.toml", "*/pyproject.toml", "Pipfile.lock", "*/Pipfile.lock", "poetry.lock", "*/poetry.lock",
}

// pinPatterns are the expressions Version matches for one package name.
type pinPatterns struct {
	req, pyproj, pep621, pipfile, poetry *regexp.Regexp
}

// pinPatternCache keeps each package's pinPatterns: Version runs for every
// app of every workspace, and compiling five expressions each time showed
// in profiles of large monorepos.
var pinPatternCache sync.Map // package name -> *pinPatterns

func pinPatternsFor(pkg string) *pinPatterns {
	if p, ok := pinPatternCache.Load(pkg); ok {
		return p.(*pinPatterns)
	}
	name := regexp.QuoteMeta(pkg)
	p := &pinPatterns{
		req:     regexp.MustCompile(`(?mi)^\s*` + name + `(?:\[[^\]]*\])?\s*(==|>=|~=|===)\s*([0-9][0-9A-Za-z.]*)`),
		pyproj:  regexp.MustCompile(`(?mi)^\s*"?` + name + `"?\s*=\s*(?:\{[^}]*version\s*=\s*)?"(\^|~|==|>=|~=)?\s*([0-9][0-9A-Za-z.]*)`),
		pep621:  regexp.MustCompile(`(?i)"` + name + `(?:\[[^\]]*\])?\s*(==|>=|~=)\s*([0-9][0-9A-Za-z.]*)`),
		pipfile: regexp.MustCompile(`(?is)"` + name + `"\s*:\s*\{[^}]*?"version"\s*:\s*"==([0-9][0-9A-Za-z.]*)"`),
		poetry:  regexp.MustCompile(`(?im)^name\s*=\s*"` + name + `"\s*\r?\nversion\s*=\s*"([0-9][0-9A-Za-z.]*)"`),
	}
	actual, _ := pinPatternCache.LoadOrStore(pkg, p)
	return actual.(*pinPatterns)
}

// Version finds the version of a Python package (lower-case name) pinned
// in requirements*.txt, pyproject.toml, Pipfile.lock or poetry.lock below
// the root. An exact pin (==, or a lock entry) wins; a lower bound (>=,
// ~=, ^) is returned as its minimum. ok is false when nothing pins it.
func Version(r source.Reader, pkg string) (PinnedVersion, bool) {
	pins := pinPatternsFor(pkg)
	reqRe, pyprojRe, pep621Re, pipfileRe, poetryRe := pins.req, pins.pyproj, pins.pep621, pins.pipfile, pins.poetry
	var best PinnedVersion
	bestExact := false
	found := false
	consider := func(f *source.File, v string, start, end int, exact bool) {
		if found && (bestExact || !exact) {
			return
		}
		best = PinnedVersion{Version: v, Range: f.Range(start, end)}
		bestExact, found = exact, true
	}
	for _, pat := range versionFiles {
		paths, err := r.Glob(pat)
		if err != nil {
			continue
		}
		for _, p := range paths {
			f, err := r.ReadFile(p)
			if err != nil {
				continue
			}
			text := string(f.Content)
			switch {
			case strings.HasSuffix(p, ".txt"):
				for _, m := range reqRe.FindAllStringSubmatchIndex(text, -1) {
					consider(f, text[m[4]:m[5]], m[0], m[1], text[m[2]:m[3]] != ">=" && text[m[2]:m[3]] != "~=")
				}
			case strings.HasSuffix(p, "pyproject.toml"):
				for _, re := range []*regexp.Regexp{pyprojRe, pep621Re} {
					for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
						op := ""
						if m[2] >= 0 {
							op = text[m[2]:m[3]]
						}
						consider(f, text[m[4]:m[5]], m[0], m[1], op == "==" || op == "")
					}
				}
			case strings.HasSuffix(p, "Pipfile.lock"):
				if m := pipfileRe.FindStringSubmatchIndex(text); m != nil {
					consider(f, text[m[2]:m[3]], m[0], m[1], true)
				}
			case strings.HasSuffix(p, "poetry.lock"):
				if m := poetryRe.FindStringSubmatchIndex(text); m != nil {
					consider(f, text[m[2]:m[3]], m[0], m[1], true)
				}
			}
		}
	}
	return best, found
}

// Major returns the major version number, or -1.
func Major(version string) int {
	n := 0
	digits := false
	for _, c := range version {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
		digits = true
	}
	if !digits {
		return -1
	}
	return n
}
