package parsers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Format is one front end: how to recognise its files and how to load them
// into trees.
type Format struct {
	Kind string
	// Candidate reports, from the path alone, whether a file may be of
	// this format and is worth reading during discovery.
	Candidate func(rel string) bool
	// Detect decides from the path and the content.
	Detect func(rel string, content []byte) bool
	// Load parses the detected files, and whatever they include, into
	// trees. It reads only through r.
	Load func(r source.Reader, paths []string) ([]Tree, []source.Problem)
	// PerLoad, when set, returns the format to use for one workspace
	// load: a front end that parses a file to detect it gives a Detect
	// and a Load that share what was parsed, so that the file is parsed
	// once. Nothing outlives the load.
	PerLoad func() Format
	// Shared: the format reads files that another format owns too (the
	// Traefik labels of a compose file). It is asked about every
	// candidate, whichever format detected the file first.
	Shared bool
}

// detect returns the kinds that detect a file: the first format that is
// not shared, and every shared one.
func detect(formats []Format, rel string, content []byte) []string {
	var kinds []string
	owned := false
	for _, fm := range formats {
		if (fm.Shared || !owned) && fm.Detect(rel, content) {
			kinds = append(kinds, fm.Kind)
			owned = owned || !fm.Shared
		}
	}
	return kinds
}

// Options control discovery and loading.
type Options struct {
	// Paths are the files and directories to lint, relative to Root or
	// absolute inside it. Empty means Root itself.
	Paths []string
	// Root is the directory the workspace is confined to. Empty means the
	// current directory.
	Root string
	// MaxFileSize caps the size of any file read (0: DefaultMaxFileSize).
	MaxFileSize int64
	// MaxFiles caps how many directory entries discovery examines (0:
	// DefaultMaxFiles).
	MaxFiles int
	// Overlay maps root-relative paths to unsaved contents.
	Overlay map[string][]byte
	// Exclude lists globs (root-relative, "**" allowed) that discovery skips.
	Exclude []string
	// NoGitignore disables .gitignore handling.
	NoGitignore bool
	// Tracked, when set, is what git tracks: a tracked file is discovered
	// whatever .gitignore says, and the ignored entries it does not track
	// are counted (Workspace.IgnoredUntracked). Audits set it.
	Tracked *Tracked
	// Formats overrides the front ends (tests); nil means all.
	Formats []Format
	// Context loads the whole root too when Paths name files, so that
	// cross-file rules see the rest of the repository; findings are still
	// reported only for the named files (Workspace.Targets).
	Context bool
	// Skip, when set, is asked about every directory and file discovery
	// meets (root-relative paths); true skips it like an Exclude glob.
	// Nested configuration files use it for their own exclude lists.
	Skip func(rel string, isDir bool) bool
	// ForceExclude applies Exclude and Skip to files named explicitly too
	// (a pre-commit hook passes every changed file by name).
	ForceExclude bool
	// SkipUndetected silently skips files named explicitly that no format
	// detects, instead of reporting them.
	SkipUndetected bool
	// K8s are the Kubernetes front end's options (charts' environments
	// named in the configuration); they apply to the front end of kind
	// KindK8s.
	K8s k8s.Options
	// Jobs is how many candidate files are read and detected at once
	// (0: GOMAXPROCS; 1 when the caller already runs workspaces in
	// parallel).
	Jobs int
}

// DefaultMaxFiles caps the entries one workspace's discovery examines.
const DefaultMaxFiles = 200000

// Workspace is everything loaded from one root.
type Workspace struct {
	Root     string // absolute
	Reader   source.Reader
	Trees    []Tree
	Problems []source.Problem
	// Targets are the files named explicitly on the command line (nil when
	// a whole directory was linted). Findings outside them are dropped by
	// the driver, but the rest of the repository is still loaded for
	// context.
	Targets map[string]bool
	// Discovered lists every file detected as some format, by kind.
	Discovered map[string][]string
	// IgnoredUntracked counts the files and directories skipped because
	// .gitignore ignores them and git does not track them (only with
	// Options.Tracked).
	IgnoredUntracked int
}

// Files returns every file of every tree once, sorted by path.
func (w *Workspace) Files() []*source.File {
	seen := map[string]*source.File{}
	for _, t := range w.Trees {
		for _, f := range t.Files() {
			seen[f.Path] = f
		}
	}
	out := make([]*source.File, 0, len(seen))
	for _, f := range seen {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Identity returns the path of the file rel names with symbolic links
// resolved (rel itself when it is no link): two paths with one identity
// are one file.
func (w *Workspace) Identity(rel string) string {
	if w.Reader == nil {
		return rel
	}
	return source.Identity(w.Reader, rel)
}

// File returns the file at rel if the workspace read it.
func (w *Workspace) File(rel string) *source.File {
	f, err := w.Reader.ReadFile(rel)
	if err != nil {
		return nil
	}
	return f
}

var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, ".hg": true, ".svn": true, "__pycache__": true, ".venv": true, ".tox": true}

// Load discovers and loads the files below opts.Root.
func Load(ctx context.Context, opts Options) (*Workspace, error) {
	root := opts.Root
	if root == "" {
		root = "."
	}
	reader, err := NewFSReader(root, opts.MaxFileSize, opts.Overlay)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", root, err)
	}
	return LoadWith(ctx, reader, opts)
}

// LoadWith loads a workspace through an existing reader.
func LoadWith(ctx context.Context, reader *FSReader, opts Options) (*Workspace, error) {
	reader.ctx = ctx
	defer func() { reader.ctx = nil }()
	d := newDiscovery(ctx, reader, opts)
	d.reader = reader
	ws := d.ws
	paths := opts.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rel, ok := reader.Rel(p)
		if !ok {
			return nil, fmt.Errorf("%s is outside the root %s", p, reader.Root())
		}
		full := filepath.Join(reader.Root(), filepath.FromSlash(rel))
		st, err := os.Stat(full)
		if err != nil {
			if _, ok := opts.Overlay[rel]; ok {
				d.explicit(rel)
				continue
			}
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if st.IsDir() {
			d.walk(rel)
		} else {
			d.explicit(rel)
		}
	}
	if opts.Context && len(ws.Targets) > 0 {
		d.walk(".")
	}
	return d.load()
}

// ListReader is a reader that can list every file it holds: a git
// revision's tree, which has no directory on disk to walk.
type ListReader interface {
	source.Reader
	// Root is the absolute directory the paths are relative to.
	Root() string
	// Files lists every file, slash-separated and sorted.
	Files() []string
}

// LoadFiles discovers and loads the files a ListReader holds below
// opts.Paths (all of them when none is given), as Load does for a
// directory on disk: the same skipped directories, Exclude and Skip, the
// same front ends. .gitignore does not apply (a revision holds what was
// committed); Overlay and Context are not used.
func LoadFiles(ctx context.Context, r ListReader, opts Options) (*Workspace, error) {
	d := newDiscovery(ctx, r, opts)
	d.opts.NoGitignore = true
	under := func(rel string) bool {
		if len(opts.Paths) == 0 {
			return true
		}
		for _, p := range opts.Paths {
			if p = path.Clean(p); p == "." || rel == p || strings.HasPrefix(rel, p+"/") {
				return true
			}
		}
		return false
	}
	func() {
		defer d.detectPending()
		for _, rel := range r.Files() {
			if ctx.Err() != nil {
				return
			}
			if !under(rel) || d.seen[rel] || d.overlayHidden(rel) {
				continue
			}
			if d.count++; d.count > d.maxFiles {
				d.problem(rel, "skipped: more than %d files in the repository; the rest was not examined (raise --max-files)", d.maxFiles)
				return
			}
			d.consider(rel)
		}
	}()
	return d.load()
}

func newDiscovery(ctx context.Context, r source.Reader, opts Options) *discovery {
	formats := opts.Formats
	if formats == nil {
		formats = All()
	}
	formats = append([]Format(nil), formats...)
	for i, f := range formats {
		if f.PerLoad != nil {
			formats[i] = f.PerLoad()
		}
	}
	root := ""
	if rr, ok := r.(interface{ Root() string }); ok {
		root = rr.Root()
	}
	ws := &Workspace{Root: root, Reader: r, Discovered: map[string][]string{}}
	d := &discovery{ctx: ctx, src: r, opts: opts, formats: formats, ws: ws, byKind: map[string][]string{}, seen: map[string]bool{}}
	d.maxFiles = opts.MaxFiles
	if d.maxFiles <= 0 {
		d.maxFiles = DefaultMaxFiles
	}
	return d
}

// load hands what discovery found to the front ends.
func (d *discovery) load() (*Workspace, error) {
	ws := d.ws
	// Every format loads at once, each parsing up to jobs files at once;
	// the results are merged in the order of the format table, so the
	// workspace does not depend on the number of jobs.
	type loaded struct {
		paths []string
		trees []Tree
		probs []source.Problem
		ran   bool
	}
	results := make([]loaded, len(d.formats))
	for i, f := range d.formats {
		results[i].paths = oneAliasEach(d.src, d.byKind[f.Kind])
	}
	jobs := d.opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	shared := source.WithJobs(d.src, jobs)
	// The formats with the most files start first: a large one started
	// last would keep one core busy after the others are done.
	order := make([]int, len(d.formats))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(results[order[a]].paths) > len(results[order[b]].paths) })
	source.Each(jobs, len(d.formats), func(k int) {
		i := order[k]
		f, ps := d.formats[i], results[i].paths
		if len(ps) == 0 || d.ctx.Err() != nil {
			return
		}
		load := f.Load
		if f.Kind == KindK8s && len(d.opts.K8s.Charts) > 0 {
			load = LoadAs(func(r source.Reader, ps []string) ([]*k8s.File, []source.Problem) {
				trees, probs, _ := k8s.LoadStats(r, ps, d.opts.K8s)
				return trees, probs
			})
		}
		results[i].trees, results[i].probs = load(shared, ps)
		results[i].ran = true
	})
	for i, f := range d.formats {
		if results[i].ran {
			ws.Discovered[f.Kind] = results[i].paths
		}
		ws.Trees = append(ws.Trees, results[i].trees...)
		ws.Problems = append(ws.Problems, results[i].probs...)
	}
	ws.Problems = problemsOnceEach(d.src, ws.Trees, ws.Problems)
	sort.SliceStable(ws.Trees, func(i, j int) bool {
		if ws.Trees[i].Root().Path != ws.Trees[j].Root().Path {
			return ws.Trees[i].Root().Path < ws.Trees[j].Root().Path
		}
		return ws.Trees[i].Kind() < ws.Trees[j].Kind()
	})
	return ws, d.ctx.Err()
}

// oneAliasEach keeps one path per file among paths that name the same file
// through symbolic links (Debian's sites-enabled/shop.conf →
// ../sites-available/shop.conf): the file's real path when it is among
// them, else the first. A front end that follows includes still reads the
// link under the name the include gives it, and knows it for the same file
// through source.Identity.
func oneAliasEach(r source.Reader, paths []string) []string {
	if len(paths) < 2 {
		return paths
	}
	ids := make([]string, len(paths))
	chosen := map[string]string{}
	for i, p := range paths {
		ids[i] = source.Identity(r, p)
		if prev, ok := chosen[ids[i]]; !ok || (p == ids[i] && prev != ids[i]) {
			chosen[ids[i]] = p
		}
	}
	out := paths[:0:0]
	for i, p := range paths {
		if chosen[ids[i]] == p {
			out = append(out, p)
		}
	}
	return out
}

// problemsOnceEach reports a problem of a file reached under two names
// once, under the name the trees use: a syntax error in a site is found
// when the site is read as a file of its own and again through the include
// that names its link.
func problemsOnceEach(r source.Reader, trees []Tree, probs []source.Problem) []source.Problem {
	if len(probs) == 0 {
		return probs
	}
	inTree := map[string]bool{}
	byID := map[string]string{}
	for _, t := range trees {
		for _, f := range t.Files() {
			if !inTree[f.Path] {
				inTree[f.Path] = true
				if id := source.Identity(r, f.Path); id != f.Path || byID[id] == "" {
					byID[id] = f.Path
				}
			}
		}
	}
	type key struct {
		kind source.ProblemKind
		msg  string
		rng  source.Range
	}
	seen := make(map[key]bool, len(probs))
	out := make([]source.Problem, 0, len(probs)) // rarely fewer
	for _, p := range probs {
		if f := p.Range.File; f != "" && !inTree[f] {
			if q, ok := byID[source.Identity(r, f)]; ok && q != f {
				p.Range.File = q
			}
		}
		k := key{p.Kind, p.Message, p.Range}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

type discovery struct {
	ctx context.Context
	// src is what files are read through; reader is the directory on disk
	// that walk walks (nil for a ListReader).
	src      source.Reader
	reader   *FSReader
	opts     Options
	formats  []Format
	ws       *Workspace
	ignore   gitignore
	byKind   map[string][]string
	seen     map[string]bool
	count    int
	maxFiles int
	capped   bool
	// pending are the candidates a walk met, in the order met. Workers
	// read and detect them while the walk goes on (work); what they found
	// is recorded in that order when the walk ends.
	pending  []*candidate
	work     chan *candidate
	working  sync.WaitGroup
	failOnce sync.Once
	panicked any
}

type candidate struct {
	rel   string
	cands []Format
	// Set by a detection worker.
	kinds []string
	err   error
}

func (d *discovery) problem(rel, format string, args ...any) {
	d.ws.Problems = append(d.ws.Problems, source.Problem{
		Kind:    source.ProblemSkipped,
		Range:   source.Range{File: rel, Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 1}},
		Message: fmt.Sprintf(format, args...),
	})
}

func (d *discovery) excluded(rel string, isDir bool) bool {
	for _, g := range d.opts.Exclude {
		if ExcludeMatch(g, rel) {
			return true
		}
	}
	return d.opts.Skip != nil && d.opts.Skip(rel, isDir)
}

// ExcludeMatch reports whether an exclude glob matches a slash-separated
// relative path: the whole path ("**" spans directories), its base name,
// or, for "dir/**", the directory itself.
func ExcludeMatch(glob, rel string) bool {
	g := strings.TrimPrefix(glob, "./")
	return globMatch(g, rel) || globMatch(g, path.Base(rel)) || globMatch(strings.TrimSuffix(g, "/**"), rel)
}

// forceExcluded reports whether an explicitly named file, or a directory
// above it, is excluded.
func (d *discovery) forceExcluded(rel string) bool {
	if d.excluded(rel, false) {
		return true
	}
	for dir := path.Dir(rel); dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
		if d.excluded(dir, true) {
			return true
		}
	}
	return false
}

// explicit handles a file named on the command line: linted even under an
// unusual name.
func (d *discovery) explicit(rel string) {
	if d.ws.Targets == nil {
		d.ws.Targets = map[string]bool{}
	}
	if d.opts.ForceExclude && d.forceExcluded(rel) {
		return
	}
	d.ws.Targets[rel] = true
	if d.seen[rel] {
		return
	}
	d.seen[rel] = true
	f, err := d.src.ReadFile(rel)
	if err != nil {
		d.readProblem(rel, err)
		return
	}
	if kinds := detect(d.formats, rel, f.Content); len(kinds) > 0 {
		for _, k := range kinds {
			d.byKind[k] = append(d.byKind[k], rel)
		}
		return
	}
	if d.opts.SkipUndetected {
		return
	}
	d.problem(rel, "%s was named explicitly but is not a format mtlslint reads (nginx, Apache httpd, Caddy, HAProxy, Envoy, Traefik, Python, compose, Kubernetes, Terraform, OpenAPI)", rel)
}

func (d *discovery) readProblem(rel string, err error) {
	switch {
	case errors.Is(err, source.ErrTooLarge):
		d.problem(rel, "skipped: %v; raise --max-file-size to check it", err)
	case errors.Is(err, source.ErrBinary):
		d.problem(rel, "skipped: %v", err)
	case errors.Is(err, source.ErrOutsideRoot):
		d.ws.Problems = append(d.ws.Problems, source.Problem{Kind: source.ProblemIncludeOutside,
			Range:   source.Range{File: rel, Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 1}},
			Message: fmt.Sprintf("not read: %v", err)})
	default:
		d.problem(rel, "cannot read: %v", err)
	}
}

func (d *discovery) walk(start string) {
	defer d.detectPending()
	if !d.opts.NoGitignore {
		// .gitignore files of the directories above start apply too.
		dir := ""
		for _, seg := range strings.Split(start, "/") {
			if seg == "." {
				break
			}
			d.loadIgnore(dir)
			dir = path.Join(dir, seg)
		}
	}
	startFull := filepath.Join(d.reader.Root(), filepath.FromSlash(start))
	if start == "." {
		// The root may be a symbolic link (the user named it): a
		// trailing separator makes WalkDir enter it rather than report
		// the link alone. Links below the root are still not followed.
		startFull += string(filepath.Separator)
	}
	err := filepath.WalkDir(startFull, func(full string, e fs.DirEntry, err error) error {
		if d.ctx.Err() != nil {
			return d.ctx.Err()
		}
		rel, ok := d.reader.Rel(full)
		if !ok {
			return nil
		}
		if err != nil {
			d.problem(rel, "cannot read: %v", err)
			if e != nil && e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		d.count++
		if d.count > d.maxFiles {
			if !d.capped {
				d.capped = true
				d.problem(rel, "skipped: more than %d files in the repository; the rest was not examined (raise --max-files)", d.maxFiles)
			}
			return fs.SkipAll
		}
		if e.IsDir() {
			if rel != "." && (e.Name() == ".git" || d.excluded(rel, true) || d.hidden(rel, true, skipDirs[e.Name()])) {
				return fs.SkipDir
			}
			if !d.opts.NoGitignore {
				d.loadIgnore(rel)
			}
			return nil
		}
		if d.excluded(rel, false) || d.hidden(rel, false, false) || d.seen[rel] {
			return nil
		}
		if e.Type()&fs.ModeSymlink != 0 {
			// Symbolic links are read through the reader, which refuses
			// targets outside the root; links to directories are not
			// followed.
			if st, err := os.Stat(full); err == nil && st.IsDir() {
				return nil
			}
		} else if !e.Type().IsRegular() {
			return nil
		} else {
			d.reader.noteListed(rel)
		}
		d.consider(rel)
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		d.problem(start, "cannot walk: %v", err)
	}
	d.walkOverlay(start)
}

// hidden reports whether discovery skips rel because .gitignore ignores it
// (or it is a directory of dependencies, skipped). With Tracked, what git
// tracks is never hidden, and what is skipped is counted.
func (d *discovery) hidden(rel string, isDir, skipDir bool) bool {
	ignored := skipDir || !d.opts.NoGitignore && d.ignore.ignored(rel, isDir)
	if !ignored {
		return false
	}
	if t := d.opts.Tracked; t != nil {
		// Dependency directories stay skipped unless the index says git
		// tracks files in them.
		if !(skipDir && t.All) && t.IsTracked(rel, isDir) {
			return false
		}
		if !skipDir {
			d.ws.IgnoredUntracked++
		}
	}
	return true
}

// walkOverlay discovers the overlay files below start that do not exist on
// disk (a buffer an editor has not saved yet), as the walk would have,
// had they been written.
func (d *discovery) walkOverlay(start string) {
	if len(d.opts.Overlay) == 0 || d.ctx.Err() != nil {
		return
	}
	paths := make([]string, 0, len(d.opts.Overlay))
	for rel := range d.opts.Overlay {
		paths = append(paths, rel)
	}
	sort.Strings(paths)
	for _, rel := range paths {
		if d.seen[rel] || !(start == "." || rel == start || strings.HasPrefix(rel, start+"/")) {
			continue
		}
		if _, err := os.Lstat(filepath.Join(d.reader.Root(), filepath.FromSlash(rel))); err == nil {
			continue // on disk: the walk has decided about it
		}
		if d.overlayHidden(rel) {
			continue
		}
		d.consider(rel)
	}
}

// overlayHidden reports whether the walk would skip rel: it, or a
// directory above it, is excluded, ignored or never descended into.
func (d *discovery) overlayHidden(rel string) bool {
	if d.excluded(rel, false) || (!d.opts.NoGitignore && d.ignore.ignored(rel, false)) {
		return true
	}
	for dir := path.Dir(rel); dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
		if skipDirs[path.Base(dir)] || d.excluded(dir, true) || (!d.opts.NoGitignore && d.ignore.ignored(dir, true)) {
			return true
		}
	}
	return false
}

func (d *discovery) loadIgnore(dir string) {
	p := path.Join(dir, ".gitignore")
	if dir == "." || dir == "" {
		p, dir = ".gitignore", ""
	}
	// Through the reader: a .gitignore that links outside the root, to
	// /dev/zero, or is a named pipe is refused rather than read.
	f, err := d.reader.ReadFile(p)
	if err != nil || len(f.Content) > 1<<20 {
		return
	}
	d.ignore.add(dir, f.Content)
}

func (d *discovery) consider(rel string) {
	var cands []Format
	for _, fm := range d.formats {
		if fm.Candidate(rel) {
			cands = append(cands, fm)
		}
	}
	if len(cands) == 0 {
		return
	}
	d.seen[rel] = true
	c := &candidate{rel: rel, cands: cands}
	d.pending = append(d.pending, c)
	if d.work == nil {
		d.startDetection()
	}
	d.work <- c
}

// startDetection starts the workers that read and detect the candidates
// while the walk looks for more: the walk waits on the file system, the
// detection on the processor.
func (d *discovery) startDetection() {
	jobs := d.opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	d.work = make(chan *candidate, 256)
	for range jobs {
		d.working.Add(1)
		go func() {
			defer d.working.Done()
			defer func() {
				if v := recover(); v != nil {
					d.failOnce.Do(func() { d.panicked = v })
					for range d.work {
						// Drain: the walk must not wait on a dead worker.
					}
				}
			}()
			for c := range d.work {
				if d.ctx.Err() != nil {
					continue
				}
				f, err := d.src.ReadFile(c.rel)
				if err != nil {
					c.err = err
					continue
				}
				c.kinds = detect(c.cands, c.rel, f.Content)
			}
		}()
	}
}

// detectPending waits for the pending candidates' detection and records
// them in the order the walk met them.
func (d *discovery) detectPending() {
	if d.work == nil {
		return
	}
	close(d.work)
	d.working.Wait()
	d.work = nil
	if d.panicked != nil {
		panic(d.panicked)
	}
	for _, c := range d.pending {
		switch {
		case c.err != nil:
			d.readProblem(c.rel, c.err)
		default:
			for _, k := range c.kinds {
				d.byKind[k] = append(d.byKind[k], c.rel)
			}
		}
	}
	d.pending = d.pending[:0]
}
