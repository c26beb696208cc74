package apache

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// deployedRoots are the ServerRoots of common distributions and images. An
// absolute path under one of them is mapped onto the repository, with the
// tree's ServerRoot playing it.
var deployedRoots = []string{
	"/etc/apache2/",                   // Debian, Ubuntu, SUSE
	"/etc/httpd/",                     // RHEL, Fedora, Alpine
	"/usr/local/apache2/",             // the httpd container image
	"/usr/local/etc/apache24/",        // FreeBSD
	"/opt/homebrew/etc/httpd/",        // Homebrew
	"/usr/local/etc/httpd/",           // Homebrew (Intel)
	"/opt/rh/httpd24/root/etc/httpd/", // Software Collections
	"/private/etc/apache2/",           // macOS
	"/opt/bitnami/apache/",            // Bitnami images
	"/usr/local/apache/",              // cPanel
}

// maxExpanded is the include-expansion budget of a load: the directives
// all its trees together may expand to. Includes that include each other
// through wildcards fan out exponentially (a few small files reach
// billions of directives); each expanded directive is a copy of a few
// hundred bytes, so the budget keeps a workspace's trees near 200 MB. A
// distribution's whole configuration expands to a few thousand. Past
// the budget, includes are not followed and E007 says where.
const maxExpanded = 1 << 19

// expansionBudget is maxExpanded; tests lower it to reach the limit with
// small inputs.
var expansionBudget int64 = maxExpanded

// enabledDirs map Debian's *-enabled directories (symbolic links made at
// deployment time) to the *-available ones a repository holds.
var enabledDirs = map[string]string{"sites-enabled": "sites-available", "conf-enabled": "conf-available", "mods-enabled": "mods-available"}

type expander struct {
	l *loader
	// declaredRoot is the main file's ServerRoot argument ("/srv/httpd/"),
	// mapped like the distributions' roots.
	declaredRoot string
	tree         *Tree
	chain        []string
	chainInc     []*Directive
	inTree       map[string]bool
	capped       bool // the budget ran out: includes are no longer followed
	cycles       map[cycleKey]bool
	depth        int  // sections open around the directives being expanded
	tooDeep      bool // sections nested deeper than maxDepth were met
	// unfollowed are files includes name that were not expanded, the
	// budget being spent: they are included, not fragments of their own.
	unfollowed []string
	probs      []source.Problem
}

// cycleKey is where an Include is written and the file it would include
// again: the cycle is reported once, however many times the expansion
// meets it.
type cycleKey struct {
	at   source.Range
	file string
}

func (e *expander) expand(src []*Directive, parent, via *Directive) []*Directive {
	out := make([]*Directive, 0, len(src))
	e.l.expanded += int64(len(src))
	for _, d := range src {
		c := *d
		c.Parent, c.Via, c.Children = parent, via, nil
		cp := &c
		out = append(out, cp)
		if d.Section {
			cp.Inactive = negated(d)
			if e.depth >= maxDepth {
				// Deep through includes (each file is within the limit).
				if !e.tooDeep {
					e.tooDeep = true
					e.probs = append(e.probs, tooDeep(d.Head))
				}
				continue
			}
			e.depth++
			cp.Children = e.expand(d.Children, cp, nil)
			e.depth--
			continue
		}
		if d.Is("Include") || d.Is("IncludeOptional") {
			out = append(out, e.include(cp, parent)...)
		}
	}
	return out
}

// negated reports a conditional section whose condition is negated
// (<IfModule !mod_ssl.c>, <IfDefine !SSL>). mtlslint takes the modules,
// parameters and versions a configuration tests for to be present, so the
// contents of a positive condition are analysed and those of a negated one
// are not.
func negated(d *Directive) bool {
	return conditional(d.Name) && strings.HasPrefix(d.Arg(0), "!")
}

func (e *expander) problem(kind source.ProblemKind, at *Directive, format string, args ...any) {
	e.probs = append(e.probs, source.Problem{Kind: kind, Range: at.Range, Message: fmt.Sprintf(format, args...)})
}

// include resolves one Include or IncludeOptional.
func (e *expander) include(inc, parent *Directive) []*Directive {
	if len(inc.Args) != 1 {
		e.problem(source.ProblemSyntax, inc, "%s takes exactly one file name, directory or wildcard", inc.Name)
		return nil
	}
	pattern := inc.Args[0].Value
	info := &Include{Pattern: pattern}
	inc.Include = info
	if source.Cancelled(e.l.r) != nil {
		return nil // the run was cancelled: stop working
	}
	if !e.capped && e.l.expanded > expansionBudget {
		e.capped = true
		e.probs = append(e.probs, source.ExpansionLimit(inc.Range, "includes", expansionBudget))
	}
	if e.capped {
		// Resolved all the same, so that the files it names are known to
		// be included (not fragments of their own), but not expanded.
		e.unfollowed = append(e.unfollowed, e.files(inc, info, false)...)
		info.Problem = "not followed: expansion limit reached"
		return nil
	}
	files := e.files(inc, info, true)
	var out []*Directive
	for _, f := range files {
		if i := indexOf(e.chain, f); i >= 0 {
			key := cycleKey{inc.Range, f}
			if e.cycles[key] {
				continue // a fan-out meets the same cycle again and again
			}
			e.cycles[key] = true
			rel := []source.Related{{Range: e.tree.root.Range(0, 0), Message: f + " is the root of this configuration"}}
			if i > 0 {
				rel = []source.Related{{Range: e.chainInc[i-1].Range, Message: "where " + f + " was included"}}
			}
			e.probs = append(e.probs, source.Problem{Kind: source.ProblemIncludeCycle, Range: inc.Range,
				Message: fmt.Sprintf("%s %q includes %s, which is already being included here; httpd would recurse until it gives up", inc.Name, pattern, f), Related: rel})
			continue
		}
		pf := e.l.parse(f)
		if pf.err != nil {
			e.readProblem(inc, pattern, f, pf.err)
			continue
		}
		if !e.inTree[f] {
			e.inTree[f] = true
			e.tree.files = append(e.tree.files, pf.file)
		}
		e.chain = append(e.chain, f)
		e.chainInc = append(e.chainInc, inc)
		out = append(out, e.expand(pf.dirs, parent, inc)...)
		e.chain = e.chain[:len(e.chain)-1]
		e.chainInc = e.chainInc[:len(e.chainInc)-1]
	}
	return out
}

// files resolves an Include to the files it names, recording in info what
// it resolved to or why not; report says whether what does not resolve
// is a problem (not when only the files are wanted).
func (e *expander) files(inc *Directive, info *Include, report bool) []string {
	problem := e.problem
	if !report {
		problem = func(source.ProblemKind, *Directive, string, ...any) {}
	}
	optional := inc.Is("IncludeOptional")
	pattern := info.Pattern
	if strings.Contains(pattern, "${") {
		info.Problem = "depends on a variable"
		problem(source.ProblemIncludeMissing, inc, "%s %q depends on a variable defined outside the repository (Define or the environment); its files were not checked", inc.Name, pattern)
		return nil
	}
	mapped, ok := e.mapPath(pattern)
	if !ok {
		info.Problem = "outside the scanned root"
		problem(source.ProblemIncludeOutside, inc, "%s %q points outside the scanned root and was not read; scan a directory that contains it", inc.Name, pattern)
		return nil
	}
	info.Resolved = mapped
	files := e.resolve(mapped)
	if len(files) == 0 {
		if alt, ok := e.available(mapped); ok {
			if files = e.resolve(alt); len(files) > 0 {
				info.Resolved = alt
			}
		}
	}
	if len(files) == 0 {
		info.Problem = "no file matches"
		if !optional {
			problem(source.ProblemIncludeMissing, inc, "Include %q matches no file in the repository (looked for %s); its directives were not checked", pattern, displayPath(mapped))
		}
		return nil
	}
	info.Files = files
	return files
}

func (e *expander) readProblem(inc *Directive, pattern, f string, err error) {
	switch {
	case errors.Is(err, source.ErrOutsideRoot):
		e.problem(source.ProblemIncludeOutside, inc, "%s %q: %s resolves outside the scanned root and was not read", inc.Name, pattern, f)
	case errors.Is(err, fs.ErrNotExist):
		e.problem(source.ProblemIncludeMissing, inc, "%s %q: %s is not in the repository; its directives were not checked", inc.Name, pattern, f)
	default:
		e.problem(source.ProblemSkipped, inc, "%s %q: %s was not analysed: %v", inc.Name, pattern, f, err)
	}
}

// resolve returns the files a mapped path names, in httpd's order: a file,
// every file below a directory (sorted, subdirectories included), or the
// files a wildcard matches (sorted per directory; names starting with "."
// only when the pattern's segment does too).
func (e *expander) resolve(mapped string) []string {
	if cached, ok := e.l.resolved[mapped]; ok {
		return cached // a fan-out meets the same include again and again
	}
	out := e.resolveUncached(mapped)
	e.l.resolved[mapped] = out
	return out
}

func (e *expander) resolveUncached(mapped string) []string {
	if strings.ContainsAny(mapped, "*?[") {
		matches, err := e.l.r.Glob(mapped)
		if err != nil {
			return nil
		}
		psegs := strings.Split(mapped, "/")
		var out []string
		for _, m := range matches {
			if !hiddenMismatch(psegs, strings.Split(m, "/")) {
				out = append(out, m)
			}
		}
		sort.Strings(out)
		return out
	}
	st, err := e.l.r.Stat(mapped)
	if err != nil {
		return nil
	}
	if !st.IsDir() {
		return []string{mapped}
	}
	var out []string
	pat := mapped
	for depth := 0; depth < 4; depth++ {
		pat = path.Join(pat, "*")
		ms, _ := e.l.r.Glob(pat)
		for _, m := range ms {
			if !strings.Contains(m[len(mapped):], "/.") {
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out
}

// mapPath maps an Include argument onto a repository path (or glob);
// ok is false when it lies outside the root.
func (e *expander) mapPath(p string) (string, bool) {
	if strings.HasPrefix(p, "/") {
		if e.declaredRoot != "" {
			if rest, ok := strings.CutPrefix(p, e.declaredRoot); ok {
				return e.join(rest)
			}
		}
		for _, dr := range deployedRoots {
			if rest, ok := strings.CutPrefix(p, dr); ok {
				return e.join(rest)
			}
		}
		return "", false
	}
	return e.join(p)
}

func (e *expander) join(rel string) (string, bool) {
	m := path.Clean(path.Join(e.tree.ServerRoot, rel))
	if m == ".." || strings.HasPrefix(m, "../") {
		return "", false
	}
	return m, true
}

// available maps a path through sites-enabled/ (conf-enabled/,
// mods-enabled/) onto sites-available/ when the repository holds only the
// latter.
func (e *expander) available(p string) (string, bool) {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		avail, ok := enabledDirs[s]
		if !ok {
			continue
		}
		if st, err := e.l.r.Stat(strings.Join(segs[:i+1], "/")); err == nil && st.IsDir() {
			return "", false
		}
		segs[i] = avail
		return strings.Join(segs, "/"), true
	}
	return "", false
}

func hiddenMismatch(pat, name []string) bool {
	if len(pat) != len(name) {
		return false
	}
	for i := range pat {
		if strings.HasPrefix(name[i], ".") && !strings.HasPrefix(pat[i], ".") {
			return true
		}
	}
	return false
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func displayPath(p string) string {
	if p == "" || p == "." {
		return "the repository root"
	}
	return p
}
