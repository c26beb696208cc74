package apache

import (
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// confDirs hold configuration fragments; their parent plays the ServerRoot
// (/etc/apache2, /etc/httpd).
var confDirs = map[string]bool{
	"sites-available": true, "sites-enabled": true, "conf-available": true, "conf-enabled": true,
	"mods-available": true, "mods-enabled": true, "conf.d": true, "conf.modules.d": true,
	"vhosts.d": true, "extra": true, "other": true, "vhosts": true,
}

// mainNames are the names distributions give the main configuration.
var mainNames = map[string]bool{"apache2.conf": true, "httpd.conf": true, "apache.conf": true}

// parsedFile is one file read and parsed once per load.
type parsedFile struct {
	file *source.File
	dirs []*Directive
	err  error
}

// loader reads and parses files once and collects problems once.
type loader struct {
	r        source.Reader
	mu       sync.Mutex
	parsed   map[string]*parsedFile
	problems []source.Problem
	seen     map[string]bool
	// expanded counts the directives every tree of the load has expanded
	// to (maxExpanded).
	expanded int64
	// resolved are the files each mapped include path names.
	resolved map[string][]string
	// parseFile parses one file (Parse, or a session's parse).
	parseFile func(*source.File) ([]*Directive, []source.Problem)
}

func (l *loader) report(p source.Problem) {
	key := string(p.Kind) + "|" + p.Range.String() + "|" + p.Message
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.seen[key] {
		l.seen[key] = true
		l.problems = append(l.problems, p)
	}
}

func (l *loader) parse(rel string) *parsedFile {
	l.mu.Lock()
	pf, ok := l.parsed[rel]
	l.mu.Unlock()
	if ok {
		return pf
	}
	pf = &parsedFile{}
	if f, err := l.r.ReadFile(rel); err != nil {
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
	l.parsed[rel] = pf
	l.mu.Unlock()
	return pf
}

// Load parses the given files, follows their includes and groups them into
// trees: every main configuration (apache2.conf, httpd.conf, or a file
// with ServerRoot, or with LoadModule and Listen) is the root of a tree; every other file
// that no tree includes is the root of a fragment tree. A file that cannot
// be read or parsed yields a problem with a position, never silence.
func Load(r source.Reader, paths []string) ([]*Tree, []source.Problem) {
	return loadWith(r, paths, Parse)
}

// loadWith is Load with the function that parses each file.
func loadWith(r source.Reader, paths []string, parse func(*source.File) ([]*Directive, []source.Problem)) ([]*Tree, []source.Problem) {
	l := &loader{r: r, parsed: map[string]*parsedFile{}, seen: map[string]bool{}, resolved: map[string][]string{}, parseFile: parse}
	paths = uniqueSorted(paths)
	var mains, others []string
	for _, p := range paths {
		if source.Cancelled(r) != nil {
			return nil, nil // the run was cancelled: stop working
		}
		pf := l.parse(p)
		if pf.err != nil {
			l.report(source.ReadProblem(p, pf.err))
			continue
		}
		if isMain(p, pf.dirs) {
			mains = append(mains, p)
		} else {
			others = append(others, p)
		}
	}
	// A file is known by its identity, so that a site reached through
	// the sites-enabled/ link that an include names is not a second root
	// under its sites-available/ path.
	id := func(p string) string { return source.Identity(r, p) }
	var trees []*Tree
	covered := map[string]bool{}
	for _, p := range mains {
		if source.Cancelled(r) != nil {
			return nil, nil
		}
		t, unfollowed, probs := buildTree(l, p, false)
		trees = append(trees, t)
		for _, pr := range probs {
			l.report(pr)
		}
		cover(covered, t.files[1:], unfollowed, id)
	}
	// Fragments: one that another fragment includes is not a root. Who
	// includes whom is read from each fragment's own Include directives,
	// resolved as with the fragment as the root, so that every fragment
	// is expanded once, as a root or where it is included, never both.
	var candidates []string
	includedBy := map[string]bool{}
	for _, p := range others {
		if covered[id(p)] {
			continue
		}
		candidates = append(candidates, p)
		for _, f := range directIncludes(l, p) {
			if f != p {
				includedBy[id(f)] = true
			}
		}
	}
	for _, p := range source.RootOrder(candidates, source.IncludedByIdentity(candidates, includedBy, id)) {
		if source.Cancelled(r) != nil {
			return nil, nil
		}
		if covered[id(p)] {
			continue
		}
		t, unfollowed, probs := buildTree(l, p, true)
		trees = append(trees, t)
		for _, pr := range probs {
			l.report(pr)
		}
		cover(covered, t.files, unfollowed, id)
	}
	sort.SliceStable(trees, func(i, j int) bool { return trees[i].root.Path < trees[j].root.Path })
	probs := l.problems
	sort.SliceStable(probs, func(i, j int) bool {
		if probs[i].Range.File != probs[j].Range.File {
			return probs[i].Range.File < probs[j].Range.File
		}
		return probs[i].Range.Start.Offset < probs[j].Range.Start.Offset
	})
	return trees, probs
}

// isMain reports whether a file is a main configuration: named so, or
// setting ServerRoot, or loading modules and listening (a Debian
// mods-available/*.load file only loads a module and is included).
func isMain(p string, dirs []*Directive) bool {
	if mainNames[strings.ToLower(path.Base(p))] {
		return true
	}
	loads, listens := false, false
	for _, d := range dirs {
		switch {
		case d.Is("ServerRoot"):
			return true
		case d.Is("LoadModule"):
			loads = true
		case d.Is("Listen"):
			listens = true
		}
	}
	return loads && listens
}

// serverRootOf guesses the repository directory that plays httpd's
// ServerRoot: the parent of a conf/ directory (httpd.conf in
// /etc/httpd/conf/), of a fragment directory (sites-available/), or the
// file's own directory (/etc/apache2/apache2.conf).
func serverRootOf(p string) string {
	dir := dirOf(p)
	switch b := path.Base(dir); {
	case b == "conf":
		return dirOf(dir)
	case confDirs[b]:
		return dirOf(dir)
	}
	return dir
}

// buildTree builds the tree of root; unfollowed are the files its
// includes name that were not expanded (the budget being spent).
func buildTree(l *loader, root string, fragment bool) (t *Tree, unfollowed []string, probs []source.Problem) {
	e := newExpander(l, root, fragment)
	e.tree.Main.Children = e.expand(l.parse(root).dirs, e.tree.Main, nil)
	return e.tree, e.unfollowed, e.probs
}

func newExpander(l *loader, root string, fragment bool) *expander {
	pf := l.parse(root)
	t := &Tree{root: pf.file, files: []*source.File{pf.file}, Fragment: fragment, ServerRoot: serverRootOf(root)}
	t.Main = &Directive{Section: true, Synthetic: true, File: pf.file,
		Range: pf.file.Range(0, len(pf.file.Content)), Head: pf.file.Range(0, 0), NameRange: pf.file.Range(0, 0)}
	e := &expander{l: l, tree: t, chain: []string{root}, inTree: map[string]bool{root: true}, cycles: map[cycleKey]bool{}}
	for _, d := range pf.dirs {
		if d.Is("ServerRoot") && strings.HasPrefix(d.Arg(0), "/") {
			e.declaredRoot = strings.TrimSuffix(d.Arg(0), "/") + "/"
			break
		}
	}
	return e
}

// directIncludes lists the files that root's own Include directives (not
// those of the files they include) name when root is the root of a
// fragment tree. Nothing is expanded and nothing is reported: the tree
// that is built reports.
func directIncludes(l *loader, root string) []string {
	e := newExpander(l, root, true)
	var out []string
	var visit func([]*Directive, int)
	visit = func(ds []*Directive, depth int) {
		for _, d := range ds {
			if (d.Is("Include") || d.Is("IncludeOptional")) && len(d.Args) == 1 {
				out = append(out, e.files(d, &Include{Pattern: d.Args[0].Value}, false)...)
			}
			if depth < maxDepth {
				visit(d.Children, depth+1)
			}
		}
	}
	visit(l.parse(root).dirs, 0)
	return out
}

// cover marks files as belonging to a tree, expanded or not.
func cover(covered map[string]bool, files []*source.File, unfollowed []string, id func(string) string) {
	for _, f := range files {
		covered[id(f.Path)] = true
	}
	for _, p := range unfollowed {
		covered[id(p)] = true
	}
}

func dirOf(p string) string {
	d := path.Dir(p)
	if d == "." || d == "/" {
		return ""
	}
	return d
}

func uniqueSorted(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		p = path.Clean(p)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
