package nginx

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// deployedPrefixes are the directories where nginx's configuration is
// deployed. An absolute include under one of them is mapped onto the
// repository, with the directory of the main nginx.conf playing the prefix.
var deployedPrefixes = []string{
	"/etc/nginx/",
	"/usr/local/nginx/conf/",
	"/usr/local/etc/nginx/",
	"/opt/homebrew/etc/nginx/",
	"/usr/local/openresty/nginx/conf/",
	"/etc/openresty/",
	// linuxserver.io's SWAG image keeps its configuration prefix here.
	"/config/nginx/",
}

// maxExpanded is the include-expansion budget of a workspace: the
// directives all its trees together may expand to. Includes that fan out
// (ten files that each include a glob of files that include the same
// glob) expand exponentially: a few hundred bytes reach billions of
// directives. Every expanded directive is a copy of a few hundred bytes,
// so the budget keeps a workspace's configuration trees near 200 MB. The
// largest repository of the nginx corpus expands to 4,000 directives, an
// ingress controller rendering thousands of hosts to tens of thousands.
// Past the budget, includes are not followed and E007 says where.
const maxExpanded = 1 << 19

// expansionBudget is maxExpanded; tests lower it to reach the limit with
// small inputs.
var expansionBudget int64 = maxExpanded

// parsedFile is one file read and parsed once per load.
type parsedFile struct {
	file  *source.File
	dirs  []*Directive
	err   error
	stock string // stock name when file is a stock copy

	// taken is set once a tree has taken the parsed directives themselves
	// (expandFile); later expansions of the file copy them.
	taken atomic.Bool
	// parsedChildren keeps the children as parsed of the blocks whose
	// children the taking tree changed: includes spliced in, or a block
	// nested too deep left empty. Trees are built one after another, so
	// the taking tree has finished writing it when another reads it.
	parsedChildren map[*Directive][]*Directive
}

// children returns d's children as parsed.
func (pf *parsedFile) children(d *Directive) []*Directive {
	if cs, ok := pf.parsedChildren[d]; ok {
		return cs
	}
	return d.Children
}

// loader reads and parses files once, and collects problems once.
type loader struct {
	r         source.Reader
	parseFile func(*source.File) ([]*Directive, []source.Problem)

	// expanded counts the directives every tree of the workspace has
	// expanded to (maxExpanded). Trees are built one after another today
	// (parsedFile.taken relies on it); the count is atomic all the same.
	expanded atomic.Int64

	mu       sync.Mutex
	parsed   map[string]*parsedFile
	globs    map[string][]string // glob results, by pattern
	problems []source.Problem
	seen     map[problemKey]bool
}

// problemKey is what makes a problem the same as another: its kind, where
// it starts (as Range.String shows it) and its message.
type problemKey struct {
	kind      source.ProblemKind
	file      string
	line, col int // 0 when the range has no valid start
	message   string
}

func newLoader(r source.Reader, parse func(*source.File) ([]*Directive, []source.Problem)) *loader {
	return &loader{r: r, parseFile: parse, parsed: map[string]*parsedFile{}, globs: map[string][]string{}, seen: map[problemKey]bool{}}
}

func (l *loader) report(p source.Problem) {
	key := problemKey{kind: p.Kind, file: p.Range.File, message: p.Message}
	if p.Range.IsValid() {
		key.line, key.col = p.Range.Start.Line, p.Range.Start.Col
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	l.problems = append(l.problems, p)
}

// parse reads and parses rel through the reader, once.
func (l *loader) parse(rel string) *parsedFile {
	l.mu.Lock()
	if pf, ok := l.parsed[rel]; ok {
		l.mu.Unlock()
		return pf
	}
	l.mu.Unlock()
	pf := &parsedFile{}
	f, err := l.r.ReadFile(rel)
	if err != nil {
		pf.err = err
	} else {
		pf.file = f
		var probs []source.Problem
		pf.dirs, probs = l.parseFile(f)
		for _, p := range probs {
			l.report(p)
		}
	}
	l.mu.Lock()
	if prev, ok := l.parsed[rel]; ok { // parsed concurrently meanwhile
		pf = prev
	} else {
		l.parsed[rel] = pf
	}
	l.mu.Unlock()
	return pf
}

// parseStock parses the stock copy of a distribution file, once.
func (l *loader) parseStock(name string) *parsedFile {
	key := "\x00stock:" + name
	l.mu.Lock()
	if pf, ok := l.parsed[key]; ok {
		l.mu.Unlock()
		return pf
	}
	l.mu.Unlock()
	f := stockFile(name)
	if f == nil {
		return nil
	}
	dirs, _ := Parse(f) // stock files parse cleanly; see TestStockFilesParse
	pf := &parsedFile{file: f, dirs: dirs, stock: name}
	l.mu.Lock()
	l.parsed[key] = pf
	l.mu.Unlock()
	return pf
}

// expander builds one tree: it copies the parsed directives of the files in
// the order nginx reads them, following includes.
type expander struct {
	l        *loader
	tree     *Tree
	prefix   string
	chain    []string     // files on the current include chain, root first
	chainInc []*Directive // the include directive that opened each file of chain[1:]
	inTree   map[string]bool
	capped   bool // the budget ran out: includes are no longer followed
	cycles   map[cycleKey]bool
	depth    int  // blocks open around the directives being expanded
	tooDeep  bool // blocks nested deeper than maxDepth were met
	// probs are the include problems of this tree; they are reported only
	// if the tree is kept (a fragment included by another is not).
	probs []source.Problem
	// quiet: the expander only resolves includes (directIncludes), and
	// what it would report is not kept, so it is not formatted.
	quiet bool
}

func newExpander(l *loader, root *source.File, prefix string) *expander {
	t := &Tree{root: root, files: []*source.File{root}, Prefix: prefix}
	return &expander{l: l, tree: t, prefix: prefix, chain: []string{root.Path}, inTree: map[string]bool{root.Path: true}, cycles: map[cycleKey]bool{}}
}

// cycleKey is where an include directive is written and the file it
// would include again: the cycle is reported once, however many times the
// expansion meets it (every copy of the directive is a new Directive).
type cycleKey struct {
	in   *source.File
	at   int
	file string
}

// expandFile expands the directives of one parsed file into parent. Most
// files are expanded once in a load, so the first expansion takes the
// parsed directives themselves and only sets where they are in the tree
// (copying every directive was a tenth of the CPU of a run); later
// expansions of the file copy them.
func (e *expander) expandFile(pf *parsedFile, parent, via *Directive, stock string) []*Directive {
	out := e.expand(pf, pf.dirs, parent, via, stock, pf.taken.CompareAndSwap(false, true))
	if out == nil {
		out = []*Directive{}
	}
	return out
}

// expand expands src, directives of pf, into parent: each directive itself
// when take is set, a copy otherwise. Taken directives whose block gains
// no included directive keep their parsed children slice.
func (e *expander) expand(pf *parsedFile, src []*Directive, parent, via *Directive, stock string, take bool) []*Directive {
	var out []*Directive
	if !take {
		out = make([]*Directive, 0, len(src))
	}
	e.l.expanded.Add(int64(len(src)))
	stocked := stockFields(stock)
	for i, d := range src {
		children := pf.children(d)
		cp := d
		if take {
			// A directive is taken at its first expansion, before
			// anything set its rare fields.
			d.Parent, d.Via, d.rare = parent, via, stocked
		} else {
			c := *d
			// The include and the index are set again for this tree.
			c.Parent, c.Via, c.rare = parent, via, stocked
			cp = &c
		}
		if out != nil {
			out = append(out, cp)
		}
		cp.Children = nil
		if len(children) > 0 {
			if e.depth >= maxDepth {
				// Deep through includes (each file is within the limit).
				if !e.tooDeep {
					e.tooDeep = true
					// d as parsed is where it is written (a taken d's
					// Via and Stock are this tree's).
					e.probs = append(e.probs, source.Problem{Kind: source.ProblemTooDeep, Range: d.Range(),
						Message: fmt.Sprintf("not analysed: blocks nested more than %d deep through includes", maxDepth),
						Detail:  "The contents of this block were not analysed."})
				}
				if take {
					pf.keepChildren(d, children)
				}
				continue
			}
			e.depth++
			cp.Children = e.expand(pf, children, cp, nil, stock, take)
			e.depth--
			if take && (len(cp.Children) != len(children) || &cp.Children[0] != &children[0]) {
				pf.keepChildren(d, children)
			}
		}
		if d.Name == "include" && !d.Block {
			if more := e.include(cp, parent, stock); len(more) > 0 {
				if out == nil { // taken, and the first include that brings directives
					out = append(make([]*Directive, 0, len(src)+len(more)), src[:i+1]...)
				}
				out = append(out, more...)
			}
		}
	}
	if take && out == nil {
		return src
	}
	return out
}

// keepChildren records the parsed children of a taken block whose
// children in the tree differ.
func (pf *parsedFile) keepChildren(d *Directive, children []*Directive) {
	if pf.parsedChildren == nil {
		pf.parsedChildren = map[*Directive][]*Directive{}
	}
	pf.parsedChildren[d] = children
}

func (e *expander) problem(code source.ProblemKind, at *Directive, format string, args ...any) {
	w := at.Written()
	e.probs = append(e.probs, source.Problem{Kind: code, Range: w.Range(), Message: fmt.Sprintf(format, args...)})
}

// includeProblem reports a problem with an include: a short message that
// names the include (its pattern shortened from the left when long), a
// detail, and the text earlier releases reported (legacy, for baselines),
// which explain formats only when the problem is kept.
func (e *expander) includeProblem(code source.ProblemKind, at *Directive, pattern, what string, explain func() (detail, legacy string)) {
	if e.quiet {
		return
	}
	detail, legacy := explain()
	w := at.Written()
	shown := pattern
	if n := len([]rune(shown)); n > 50 {
		shown = "…" + string([]rune(shown)[n-49:])
	}
	e.probs = append(e.probs, source.Problem{Kind: code, Range: w.Range(),
		Message: fmt.Sprintf("include %q %s", shown, what), Detail: detail, LegacyMessage: legacy})
}

// include resolves one include directive and returns the directives it
// brings into parent.
func (e *expander) include(inc, parent *Directive, stock string) []*Directive {
	if len(inc.Args) != 1 {
		e.problem(source.ProblemSyntax, inc, "invalid number of arguments in \"include\" directive: it takes exactly one file name or glob")
		return nil
	}
	info := &Include{Pattern: inc.Args[0].Value}
	inc.more().include = info
	if source.Cancelled(e.l.r) != nil {
		return nil // the run was cancelled: stop working
	}
	if !e.capped && e.l.expanded.Load() > expansionBudget {
		e.capped = true
		e.probs = append(e.probs, source.ExpansionLimit(inc.Written().Range(), "includes", expansionBudget))
	}
	if e.capped {
		// Resolved all the same, so that the files it names are known to
		// be included (not fragments of their own), but not expanded.
		files, _ := e.resolve(inc, info)
		e.tree.unfollowed = append(e.tree.unfollowed, files...)
		info.Problem = "not followed: expansion limit reached"
		return nil
	}
	files, pf := e.resolve(inc, info)
	if pf != nil {
		return e.includeStock(inc, parent, pf)
	}
	return e.follow(inc, parent, files)
}

// resolve finds the files an include names, recording what it resolved to
// (or why not) in info; pf is a stock file standing in for a missing one.
func (e *expander) resolve(inc *Directive, info *Include) (files []string, pf *parsedFile) {
	pattern := info.Pattern
	mapped, deployedRel, ok := e.mapPath(pattern)
	if !ok {
		info.Problem = "outside the scanned root"
		e.includeProblem(source.ProblemIncludeOutside, inc, pattern, "points outside the scanned root and was not read", func() (string, string) {
			return "Scan a directory that contains it.",
				fmt.Sprintf("include %q points outside the scanned root and was not read; scan a directory that contains it", pattern)
		})
		return nil, nil
	}
	info.Resolved = mapped

	if hasGlob(mapped) {
		var err error
		files, err = e.glob(mapped)
		if errors.Is(err, source.ErrOutsideRoot) {
			info.Problem = "outside the scanned root"
			e.includeProblem(source.ProblemIncludeOutside, inc, pattern, "leads outside the scanned root and was not read", func() (string, string) {
				return fmt.Sprintf("%v.", err), ""
			})
			return nil, nil
		}
		for _, alt := range e.alternatives(mapped, deployedRel) {
			if len(files) > 0 {
				break
			}
			if files, _ = e.glob(alt); len(files) > 0 {
				info.Resolved = alt
			}
		}
		if len(files) == 0 {
			// nginx accepts a glob that matches nothing (Debian's stock
			// modules-enabled/*.conf and conf.d/*.conf are empty); only a
			// file named without a wildcard must exist.
			info.Problem = "no file matches"
			return nil, nil
		}
	} else {
		switch _, err := e.l.r.Stat(mapped); {
		case err == nil:
			files = []string{mapped}
		case errors.Is(err, source.ErrOutsideRoot):
			info.Problem = "outside the scanned root"
			e.includeProblem(source.ProblemIncludeOutside, inc, pattern, "resolves outside the scanned root and was not read", func() (string, string) {
				return fmt.Sprintf("%v.", err),
					fmt.Sprintf("include %q resolves outside the scanned root (%v) and was not read", pattern, err)
			})
			return nil, nil
		default:
			for _, alt := range e.alternatives(mapped, deployedRel) {
				if _, err := e.l.r.Stat(alt); err == nil {
					files = []string{alt}
					info.Resolved = alt
					break
				}
			}
			if files == nil {
				if pf := e.l.parseStock(deployedRel); pf != nil {
					info.Stock = pf.stock
					return nil, pf
				}
				info.Problem = "not found"
				if errors.Is(err, fs.ErrNotExist) {
					e.includeProblem(source.ProblemIncludeMissing, inc, pattern, "names a file not in the repository", func() (string, string) {
						return fmt.Sprintf("%s is not in the repository; its directives were not checked.", displayPath(mapped)),
							fmt.Sprintf("include %q: %s is not in the repository; its directives were not checked", pattern, displayPath(mapped))
					})
				} else {
					e.includeProblem(source.ProblemSkipped, inc, pattern, "names a file that cannot be read", func() (string, string) {
						return fmt.Sprintf("Cannot read %s: %v.", displayPath(mapped), err),
							fmt.Sprintf("include %q: cannot read %s: %v", pattern, displayPath(mapped), err)
					})
				}
				return nil, nil
			}
		}
	}
	info.Files = files
	return files, nil
}

// follow expands the files an include resolved to, in order.
func (e *expander) follow(inc, parent *Directive, files []string) []*Directive {
	pattern := inc.Include().Pattern
	var out []*Directive
	for _, f := range files {
		if i := indexOf(e.chain, f); i >= 0 {
			w := inc.Written()
			key := cycleKey{w.File, w.Range().Start.Offset, f}
			if e.cycles[key] {
				continue // a fan-out meets the same cycle again and again
			}
			e.cycles[key] = true
			msg := fmt.Sprintf("include %q includes %s, which is already being included here", pattern, f)
			legacy := msg + "; nginx would recurse until it runs out of file descriptors"
			var rel []source.Related
			if i > 0 {
				opener := e.chainInc[i-1].Written()
				rel = append(rel, source.Related{Range: opener.Range(), Message: "where " + f + " was included"})
			} else {
				rel = append(rel, source.Related{Range: e.tree.root.Range(0, 0), Message: f + " is the root of this configuration"})
			}
			e.probs = append(e.probs, source.Problem{Kind: source.ProblemIncludeCycle, Range: w.Range(), Message: msg, Related: rel,
				Detail: "nginx would recurse until it runs out of file descriptors.", LegacyMessage: legacy})
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
		out = append(out, e.expandFile(pf, parent, inc, "")...)
		e.chain = e.chain[:len(e.chain)-1]
		e.chainInc = e.chainInc[:len(e.chainInc)-1]
	}
	return out
}

func (e *expander) includeStock(inc, parent *Directive, pf *parsedFile) []*Directive {
	key := pf.file.Path
	if indexOf(e.chain, key) >= 0 {
		return nil // stock files do not include themselves
	}
	if !e.inTree[key] {
		e.inTree[key] = true
		e.tree.stock = append(e.tree.stock, pf.file)
	}
	e.chain = append(e.chain, key)
	e.chainInc = append(e.chainInc, inc)
	out := e.expandFile(pf, parent, inc, pf.stock)
	e.chain = e.chain[:len(e.chain)-1]
	e.chainInc = e.chainInc[:len(e.chainInc)-1]
	return out
}

func (e *expander) readProblem(inc *Directive, pattern, f string, err error) {
	switch {
	case errors.Is(err, source.ErrOutsideRoot):
		e.includeProblem(source.ProblemIncludeOutside, inc, pattern, "names a file outside the scanned root", func() (string, string) {
			return fmt.Sprintf("%s resolves outside the scanned root and was not read.", f),
				fmt.Sprintf("include %q: %s resolves outside the scanned root and was not read", pattern, f)
		})
	case errors.Is(err, fs.ErrNotExist):
		e.includeProblem(source.ProblemIncludeMissing, inc, pattern, "names a file not in the repository", func() (string, string) {
			return fmt.Sprintf("%s is not in the repository; its directives were not checked.", f),
				fmt.Sprintf("include %q: %s is not in the repository; its directives were not checked", pattern, f)
		})
	default:
		e.includeProblem(source.ProblemSkipped, inc, pattern, "names a file that was not analysed", func() (string, string) {
			return fmt.Sprintf("%s was not analysed: %v.", f, err),
				fmt.Sprintf("include %q: %s was not analysed: %v", pattern, f, err)
		})
	}
}

// mapPath maps an include argument onto a repository path (or glob).
// deployedRel is the path relative to the configuration prefix, used to
// find a stock file. ok is false when the path is outside the root.
func (e *expander) mapPath(p string) (mapped, deployedRel string, ok bool) {
	if strings.HasPrefix(p, "/") {
		for _, dp := range deployedPrefixes {
			if strings.HasPrefix(p, dp) {
				deployedRel = path.Clean(p[len(dp):])
				return e.join(deployedRel)
			}
		}
		return "", "", false
	}
	deployedRel = path.Clean(p)
	return e.join(deployedRel)
}

func (e *expander) join(rel string) (string, string, bool) {
	m := path.Clean(path.Join(e.prefix, rel))
	if m == ".." || strings.HasPrefix(m, "../") {
		return "", "", false
	}
	return m, rel, true
}

// alternatives are other places an include target may be in the
// repository when it is not where the prefix says: sites-available/ for
// sites-enabled/, and, for a fragment that nothing includes, the fragment's
// own directory for conf.d/ (docker-compose setups mount the directory that
// holds the fragment as /etc/nginx/conf.d).
func (e *expander) alternatives(mapped, deployedRel string) []string {
	var out []string
	if alt, ok := e.sitesAvailable(mapped); ok {
		out = append(out, alt)
	}
	if e.tree.Fragment {
		if rest, ok := strings.CutPrefix(deployedRel, "conf.d/"); ok {
			alt := path.Join(dirOf(e.tree.root.Path), rest)
			if alt != mapped {
				out = append(out, alt)
			}
		}
	}
	return out
}

// sitesAvailable maps a path through sites-enabled/ onto sites-available/
// when the repository has only the latter (sites-enabled/ holds symbolic
// links made at deployment time).
func (e *expander) sitesAvailable(p string) (string, bool) {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s != "sites-enabled" {
			continue
		}
		dir := strings.Join(segs[:i+1], "/")
		if _, err := e.l.r.Stat(dir); err == nil {
			return "", false
		}
		segs[i] = "sites-available"
		avail := strings.Join(segs[:i+1], "/")
		if st, err := e.l.r.Stat(avail); err != nil || !st.IsDir() {
			return "", false
		}
		return strings.Join(segs, "/"), true
	}
	return "", false
}

// glob returns the files matching pattern in glob(3) order: sorted byte by
// byte (nginx does not set a locale), and a name starting with "." is
// matched only by a pattern segment that starts with "." too.
func (e *expander) glob(pattern string) ([]string, error) {
	e.l.mu.Lock()
	cached, ok := e.l.globs[pattern]
	e.l.mu.Unlock()
	if ok {
		return cached, nil // a fan-out meets the same glob again and again
	}
	matches, err := e.l.r.Glob(pattern)
	if err != nil {
		return nil, err
	}
	out := filterGlob(pattern, matches)
	e.l.mu.Lock()
	e.l.globs[pattern] = out
	e.l.mu.Unlock()
	return out, nil
}

func filterGlob(pattern string, matches []string) []string {
	psegs := strings.Split(pattern, "/")
	var out []string
	for _, m := range matches {
		if hiddenMismatch(psegs, strings.Split(m, "/")) {
			continue
		}
		out = append(out, m)
	}
	sort.Strings(out)
	return out
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

func hasGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

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

// RepoPath maps a path as the configuration names it (absolute under a
// deployed prefix such as /etc/nginx/, or relative to the configuration
// prefix) onto the repository, as includes are resolved. ok is false when
// the path is outside the scanned root or under no known prefix.
func (t *Tree) RepoPath(p string) (string, bool) {
	e := &expander{prefix: t.Prefix}
	m, _, ok := e.mapPath(p)
	return m, ok
}
