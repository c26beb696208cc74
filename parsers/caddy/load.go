package caddy

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// maxExpanded is the import-expansion budget of a load: the directives
// all its trees together may expand to. Imports of files and snippets
// that import each other fan out exponentially (a few small files reach
// billions of directives); each expanded directive is a copy of a few
// hundred bytes. Real Caddyfiles expand to hundreds. Past the budget,
// imports are not followed and E007 says where.
const maxExpanded = 1 << 18

// expansionBudget is maxExpanded; tests lower it to reach the limit with
// small inputs.
var expansionBudget int64 = maxExpanded

type parsedFile struct {
	file   *source.File
	blocks []*block
	err    error
}

type loader struct {
	r        source.Reader
	parsed   map[string]*parsedFile
	problems []source.Problem
	seen     map[string]bool
	// expanded counts the directives every tree of the load has expanded
	// to (maxExpanded).
	expanded int64
	globs    map[string][]string // glob results, by pattern
}

func (l *loader) report(p source.Problem) {
	key := string(p.Kind) + "|" + p.Range.String() + "|" + p.Message
	if !l.seen[key] {
		l.seen[key] = true
		l.problems = append(l.problems, p)
	}
}

func (l *loader) parse(rel string) *parsedFile {
	if pf, ok := l.parsed[rel]; ok {
		return pf
	}
	pf := &parsedFile{}
	l.parsed[rel] = pf
	f, err := l.r.ReadFile(rel)
	if err != nil {
		pf.err = err
		return pf
	}
	pf.file = f
	var probs []source.Problem
	pf.blocks, probs = parseFile(f)
	for _, p := range probs {
		l.report(p)
	}
	return pf
}

// IsJSON reports whether a file is read as Caddy's JSON configuration.
func IsJSON(rel string) bool { return strings.HasSuffix(strings.ToLower(rel), ".json") }

// Load parses the given files into trees: a Caddyfile with everything it
// imports (a file that another imports is analysed only there), or a JSON
// configuration. A file that cannot be read or parsed yields a problem
// with a position.
func Load(r source.Reader, paths []string) ([]*Tree, []source.Problem) {
	l := &loader{r: r, parsed: map[string]*parsedFile{}, seen: map[string]bool{}, globs: map[string][]string{}}
	sort.Strings(paths)
	var trees []*Tree
	var caddyfiles []string
	for _, p := range paths {
		if source.Cancelled(r) != nil {
			return nil, nil // the run was cancelled: stop working
		}
		if IsJSON(p) {
			if t := loadJSON(l, p); t != nil {
				trees = append(trees, t)
			}
			continue
		}
		caddyfiles = append(caddyfiles, p)
	}
	// A file that another imports is analysed only there. Who imports
	// whom is read from each file's own import lines, so that every file
	// is expanded once, as a root or where it is imported, never both.
	var readable []string
	imported := map[string]bool{}
	for _, p := range caddyfiles {
		if source.Cancelled(r) != nil {
			return nil, nil
		}
		pf := l.parse(p)
		if pf.err != nil {
			l.report(source.ReadProblem(p, pf.err))
			continue
		}
		readable = append(readable, p)
		for _, f := range directImports(l, p, pf) {
			if f != p {
				imported[f] = true
			}
		}
	}
	covered := map[string]bool{}
	for _, p := range source.RootOrder(readable, imported) {
		if source.Cancelled(r) != nil {
			return nil, nil
		}
		if covered[p] {
			continue
		}
		e := newExpander(l, p)
		e.build(l.parse(p))
		trees = append(trees, e.tree)
		for _, pr := range e.probs {
			l.report(pr)
		}
		for _, f := range e.tree.files {
			covered[f.Path] = true
		}
		for _, f := range e.unfollowed {
			covered[f] = true
		}
	}
	sort.SliceStable(trees, func(i, j int) bool { return trees[i].root.Path < trees[j].root.Path })
	probs := l.problems
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Range.Less(probs[j].Range) })
	return trees, probs
}

// expander builds one Caddyfile tree: snippets and imports expanded, as
// Caddy's parser does before the adapter sees the tokens.
type expander struct {
	l        *loader
	tree     *Tree
	snippets map[string]*block
	chain    []string
	inTree   map[string]bool
	capped   bool // the budget ran out: imports are no longer followed
	cycles   map[cycleKey]bool
	depth    int  // blocks open around the directives being expanded
	tooDeep  bool // blocks nested deeper than maxDepth were met
	// unfollowed are files imports name that were not expanded, the
	// budget being spent: they are imported, not roots of their own.
	unfollowed []string
	// quiet: resolve imports without reporting (directImports).
	quiet bool
	probs []source.Problem
}

func newExpander(l *loader, root string) *expander {
	pf := l.parse(root)
	// depth 1: a site's directives are inside its block, as the parser
	// counts them.
	return &expander{l: l, tree: &Tree{root: pf.file, files: []*source.File{pf.file}}, chain: []string{root}, inTree: map[string]bool{root: true}, cycles: map[cycleKey]bool{}, depth: 1}
}

// cycleKey is where an import is written and the file it would import
// again.
type cycleKey struct {
	at   source.Range
	file string
}

// directImports lists the files that the import lines of root itself
// (not those of the files it imports) name. Nothing is expanded and
// nothing is reported: the tree that is built reports.
func directImports(l *loader, root string, pf *parsedFile) []string {
	e := newExpander(l, root)
	e.quiet = true
	snippets := map[string]bool{}
	for _, b := range pf.blocks {
		if b.snippet != "" {
			snippets[b.snippet] = true
		}
	}
	var out []string
	var visit func([]*Directive, int)
	visit = func(ds []*Directive, depth int) {
		for _, d := range ds {
			if d.Name == "import" && len(d.Args) > 0 && !snippets[d.Arg(0)] {
				out = append(out, e.importFiles(d)...)
			}
			if depth < maxDepth {
				visit(d.Children, depth+1)
			}
		}
	}
	for _, b := range pf.blocks {
		visit(b.dirs, 0)
	}
	return out
}

func (e *expander) problem(kind source.ProblemKind, r source.Range, format string, args ...any) {
	if !e.quiet {
		e.probs = append(e.probs, source.Problem{Kind: kind, Range: r, Message: fmt.Sprintf(format, args...)})
	}
}

// spent reports whether imports are no longer followed, the load's budget
// being spent; the first import of the tree past it is reported (E007),
// and the files each names are recorded as imported.
func (e *expander) spent(imp *Directive) bool {
	if source.Cancelled(e.l.r) != nil {
		return true // the run was cancelled: stop working
	}
	if !e.capped && e.l.expanded > expansionBudget {
		e.capped = true
		e.probs = append(e.probs, source.ExpansionLimit(imp.Head, "imports", expansionBudget))
	}
	if e.capped && e.snippets[imp.Arg(0)] == nil {
		quiet := e.quiet
		e.quiet = true
		e.unfollowed = append(e.unfollowed, e.importFiles(imp)...)
		e.quiet = quiet
	}
	return e.capped
}

func (e *expander) build(pf *parsedFile) {
	e.snippets = map[string]*block{}
	e.blocks(pf.blocks)
}

// blocks turns a file's top-level blocks into sites, expanding top-level
// imports of files.
func (e *expander) blocks(bs []*block) {
	for _, b := range bs {
		if b.snippet != "" {
			if _, dup := e.snippets[b.snippet]; dup {
				e.problem(source.ProblemSyntax, b.head, "redeclaration of previously declared snippet %s", b.snippet)
			}
			e.snippets[b.snippet] = b
			continue
		}
		if len(b.keys) == 0 && !b.global && len(b.dirs) == 1 && b.dirs[0].Name == "import" {
			imp := b.dirs[0]
			if e.spent(imp) {
				continue
			}
			// Counted here: files of top-level imports only are
			// expanded without a directive copied.
			e.l.expanded++
			if sn := e.snippets[imp.Arg(0)]; sn != nil {
				e.siteSnippet(imp, sn)
				continue
			}
			for _, f := range e.importFiles(imp) {
				pf := e.l.parse(f)
				e.enter(f, pf)
				e.blocks(pf.blocks)
				e.leave()
			}
			continue
		}
		s := &Site{Keys: b.keys, Global: b.global, Range: b.rng, Head: b.head, File: e.tree.root}
		if len(b.keys) > 0 {
			s.File = fileOf(e.tree, b.keys[0].Range.File)
		}
		s.Directives = e.expand(b.dirs, nil, nil, nil, nil)
		e.tree.Sites = append(e.tree.Sites, s)
	}
}

// siteSnippet expands a top-level import of a snippet that holds site
// blocks ("(site) { https://{args[0]} { {block} } }"): each line of the
// snippet that opens a block is a site.
func (e *expander) siteSnippet(imp *Directive, sn *block) {
	args := imp.ArgTexts()[1:]
	for _, d := range sn.dirs {
		keys := append([]Token{{Text: d.Name, Range: d.NameRange}}, d.Args...)
		for i := range keys {
			keys[i].Text = replaceArgs(keys[i].Text, args)
		}
		s := &Site{Keys: keys, Range: d.Range, Head: d.Head, File: d.File}
		s.Directives = e.expand(d.Children, nil, imp, args, imp.Children)
		e.tree.Sites = append(e.tree.Sites, s)
	}
}

func fileOf(t *Tree, p string) *source.File {
	for _, f := range t.files {
		if f.Path == p {
			return f
		}
	}
	return t.root
}

func (e *expander) enter(f string, pf *parsedFile) {
	if !e.inTree[f] {
		e.inTree[f] = true
		e.tree.files = append(e.tree.files, pf.file)
	}
	e.chain = append(e.chain, f)
}

func (e *expander) leave() { e.chain = e.chain[:len(e.chain)-1] }

// expand copies directives under parent, replacing imports with what they
// import. args are the arguments of the import being expanded.
//
// blk is the block given to the import ("import name { ... }"), which
// replaces a {block} line.
func (e *expander) expand(src []*Directive, parent, via *Directive, args []string, blk []*Directive) []*Directive {
	var out []*Directive
	e.l.expanded += int64(len(src))
	for _, d := range src {
		if d.Name == "import" && len(d.Args) > 0 && d.NameRange.IsValid() {
			out = append(out, e.importInto(d, parent, args)...)
			continue
		}
		if d.Name == "{block}" && len(d.Args) == 0 && !d.Block {
			out = append(out, e.expand(blk, parent, via, nil, nil)...)
			continue
		}
		c := *d
		c.Parent, c.Children = parent, nil
		if via != nil {
			c.Via = via
		}
		if len(args) > 0 {
			c.Name = replaceArgs(c.Name, args)
			c.Args = append([]Token(nil), d.Args...)
			for i := range c.Args {
				c.Args[i].Text = replaceArgs(c.Args[i].Text, args)
			}
		}
		cp := &c
		if len(d.Children) > 0 {
			if e.depth >= maxDepth {
				// Deep through imports (each file is within the limit).
				if !e.tooDeep {
					e.tooDeep = true
					e.probs = append(e.probs, tooDeep(d.Head))
				}
			} else {
				e.depth++
				cp.Children = e.expand(d.Children, cp, via, args, blk)
				e.depth--
			}
		}
		out = append(out, cp)
	}
	return out
}

// importInto expands an import inside a block: a snippet, or files whose
// lines become directives here.
func (e *expander) importInto(imp, parent *Directive, outer []string) []*Directive {
	if e.spent(imp) {
		return nil
	}
	name := replaceArgs(imp.Arg(0), outer)
	args := make([]string, 0, len(imp.Args)-1)
	for _, a := range imp.Args[1:] {
		args = append(args, replaceArgs(a.Text, outer))
	}
	if sn := e.snippets[name]; sn != nil {
		key := "snippet:" + name
		if indexOf(e.chain, key) >= 0 {
			e.problem(source.ProblemIncludeCycle, imp.Head, "import %s imports itself", name)
			return nil
		}
		e.chain = append(e.chain, key)
		out := e.expand(sn.dirs, parent, imp, args, imp.Children)
		e.leave()
		return out
	}
	var out []*Directive
	for _, f := range e.importFiles(imp) {
		pf := e.l.parse(f)
		e.enter(f, pf)
		// Inside a block, an imported file holds directive lines.
		for _, b := range pf.blocks {
			out = append(out, e.expand(blockLines(pf.file, b), parent, imp, args, imp.Children)...)
		}
		e.leave()
	}
	return out
}

// blockLines reads back a block of an imported file as directive lines:
// the file was parsed as top-level blocks, where its first line looked
// like site addresses.
func blockLines(f *source.File, b *block) []*Directive {
	if len(b.keys) == 0 {
		return b.dirs
	}
	first := &Directive{Name: b.keys[0].Text, NameRange: b.keys[0].Range, Args: b.keys[1:], File: f, Head: b.head, Range: b.rng}
	if b.rng.End.Offset > b.head.End.Offset && len(b.dirs) > 0 {
		first.Block = true
		first.Children = b.dirs
		for _, c := range b.dirs {
			c.Parent = first
		}
		return []*Directive{first}
	}
	first.Range = b.head
	return append([]*Directive{first}, b.dirs...)
}

// importFiles resolves an import of files: a path or glob relative to the
// importing file's directory.
func (e *expander) importFiles(imp *Directive) []string {
	pattern := imp.Arg(0)
	if strings.Contains(pattern, "{$") || strings.Contains(pattern, "{env.") {
		e.problem(source.ProblemIncludeMissing, imp.Head, "import %q depends on an environment variable; what it imports was not checked", pattern)
		return nil
	}
	if path.IsAbs(pattern) {
		e.problem(source.ProblemIncludeOutside, imp.Head, "import %q points outside the scanned root and was not read; scan a directory that contains it", pattern)
		return nil
	}
	base := path.Dir(e.chain[len(e.chain)-1])
	if strings.HasPrefix(base, "snippet:") {
		base = path.Dir(imp.NameRange.File)
	}
	mapped := path.Clean(path.Join(base, pattern))
	if mapped == ".." || strings.HasPrefix(mapped, "../") {
		e.problem(source.ProblemIncludeOutside, imp.Head, "import %q resolves outside the scanned root and was not read", pattern)
		return nil
	}
	var files []string
	if strings.ContainsAny(mapped, "*?[") {
		files = e.glob(mapped)
		if len(files) == 0 {
			// Caddy accepts a glob that matches nothing.
			return nil
		}
	} else if _, err := e.l.r.Stat(mapped); err == nil {
		files = []string{mapped}
	} else {
		e.problem(source.ProblemIncludeMissing, imp.Head, "import %q: neither a snippet defined before it nor a file in the repository (looked for %s); what it imports was not checked", pattern, mapped)
		return nil
	}
	var out []string
	for _, f := range files {
		if indexOf(e.chain, f) >= 0 {
			if key := (cycleKey{imp.Head, f}); !e.cycles[key] {
				// Reported once, however often a fan-out meets it.
				e.cycles[key] = true
				e.problem(source.ProblemIncludeCycle, imp.Head, "import %q imports %s, which is already being imported here", pattern, f)
			}
			continue
		}
		if pf := e.l.parse(f); pf.err != nil {
			e.problem(source.ProblemSkipped, imp.Head, "import %q: %s was not analysed: %v", pattern, f, pf.err)
			continue
		}
		out = append(out, f)
	}
	return out
}

// glob returns the files a pattern matches, once per load: a fan-out meets
// the same glob again and again.
func (e *expander) glob(pattern string) []string {
	if ms, ok := e.l.globs[pattern]; ok {
		return ms
	}
	ms, _ := e.l.r.Glob(pattern)
	e.l.globs[pattern] = ms
	return ms
}

var argRef = source.LazyRegexp(`\{args(?:\[(\d+)\]|\.(\d+))\}`)

// replaceArgs replaces {args[N]} and {args.N} with the import's arguments.
func replaceArgs(s string, args []string) string {
	if !strings.Contains(s, "{args") {
		return s
	}
	return argRef().ReplaceAllStringFunc(s, func(m string) string {
		sub := argRef().FindStringSubmatch(m)
		n := sub[1] + sub[2]
		i := 0
		for _, c := range n {
			i = i*10 + int(c-'0')
			if i > 1000 {
				return m
			}
		}
		if i < len(args) {
			return args[i]
		}
		return ""
	})
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// loadJSON parses a JSON configuration into a tree.
func loadJSON(l *loader, p string) *Tree {
	f, err := l.r.ReadFile(p)
	if err != nil {
		l.report(source.ReadProblem(p, err))
		return nil
	}
	root, prob := parseJSON(f)
	if prob != nil {
		l.report(*prob)
		return nil
	}
	// The rules walk the document (subroutes in routes in handlers)
	// recursively: what nests deeper than the limit is cut, and E006
	// says where.
	if deep := yamlutil.Prune(root, yamlutil.MaxDepth); deep != nil {
		l.report(yamlutil.TooDeep(nodeRange(f, deep)))
	}
	return &Tree{JSON: root, root: f, files: []*source.File{f}}
}

// parseJSON parses JSON with the YAML parser, which keeps the line and
// column of every node.
func parseJSON(f *source.File) (root *yaml.Node, prob *source.Problem) {
	defer func() {
		if v := recover(); v != nil {
			root = nil
			prob = &source.Problem{Kind: source.ProblemSyntax, Range: f.Range(0, 0), Message: fmt.Sprintf("the JSON parser failed on this file: %v", v)}
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal(f.Content, &n); err != nil {
		// The message keeps the library's words, line included: it is
		// part of the finding's fingerprint.
		line, _ := yamlutil.ErrorLineIn(f, err)
		return nil, &source.Problem{Kind: source.ProblemSyntax, Range: f.LineRange(line), Message: "cannot parse the Caddy JSON configuration: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
		return nil, &source.Problem{Kind: source.ProblemSyntax, Range: f.Range(0, 0), Message: "a Caddy JSON configuration is an object"}
	}
	return n.Content[0], nil
}

// Candidate reports from the path alone whether a file may be a Caddy
// configuration.
func Candidate(rel string) bool {
	base := strings.ToLower(path.Base(rel))
	switch {
	case base == "caddyfile", strings.HasPrefix(base, "caddyfile."), strings.HasSuffix(base, ".caddyfile"),
		strings.HasSuffix(base, ".caddy"):
		return true
	case strings.HasSuffix(base, ".json"):
		return strings.Contains(strings.ToLower(rel), "caddy")
	}
	return false
}

// Detect decides from the path and the content: a JSON file with Caddy's
// top-level "apps" (or "admin") object, or a Caddyfile by its name.
func Detect(rel string, content []byte) bool {
	if IsJSON(rel) {
		t := bytes.TrimLeft(content, " \t\r\n\xef\xbb\xbf")
		return len(t) > 0 && t[0] == '{' && (bytes.Contains(content, []byte(`"apps"`)) && (bytes.Contains(content, []byte(`"http"`)) || bytes.Contains(content, []byte(`"tls"`))))
	}
	if len(content) == 0 {
		return false
	}
	for _, marker := range []string{"{{", "{%"} {
		if bytes.Contains(content, []byte(marker)) {
			return false
		}
	}
	return Candidate(rel)
}
