package python

import (
	"cmp"
	"slices"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Settings modules are evaluated ahead of the loader's loop, several at
// once, in groups whose import closures share no module: evaluating one
// group can then neither read nor change what another group's evaluation
// sees (the evaluated namespaces imports reuse, the chain of modules
// being evaluated that cuts an import cycle), so each group's result is
// the one the loop would compute. Within a group the settings modules
// are evaluated in the paths' order, as the loop does, and what the
// group's evaluation reports is kept per settings module and replayed
// when the loop reaches it: the problems come out in the same order
// whatever the number of jobs.

// loadEvent is one thing the loader reports: a module read for the first
// time, a module evaluated, or problems of their own (an import chain
// too deep).
type loadEvent struct {
	rel      string
	module   *Module
	eval     *Evaluator
	problems []source.Problem
}

// importKey is one import as the importer is asked for it.
type importKey struct {
	from   string
	module string
	level  int
}

// report records e: at once, or in the log of a settings module
// evaluated ahead.
func (l *loader) report(e loadEvent) {
	if l.log != nil {
		*l.log = append(*l.log, e)
		return
	}
	l.problems = append(l.problems, e.problems...)
}

// replay takes over what a settings module's evaluation ahead reported,
// as if the loader had evaluated it now: a module first read there is
// now read (unless the loop has read it since), a module evaluated there
// is now evaluated.
func (l *loader) replay(events []loadEvent) {
	for _, e := range events {
		switch {
		case e.module != nil:
			if _, ok := l.parsed[e.rel]; ok {
				continue
			}
			l.parsed[e.rel] = e.module
			l.reported[e.rel] = true
		case e.eval != nil:
			l.evals[e.rel] = e.eval
			if l.reported["eval:"+e.rel] {
				continue
			}
			l.reported["eval:"+e.rel] = true
		}
		l.problems = append(l.problems, e.problems...)
	}
}

// evaluateAhead evaluates the settings modules among paths (roles[i] is
// paths[i]'s role, 0 when it was not read) in groups with disjoint
// import closures, up to source.Jobs(l.r) groups at once, and keeps what
// each reported for the loop (l.ahead). order, when set, gives the
// order in which the groups start (tests use it to show the result does
// not depend on it). It does nothing when a detected file was not read
// ahead (the loop then reads it, and reports in its own order).
func (l *loader) evaluateAhead(paths []string, roles []Role, order func(n int) []int) {
	var roots []string
	for i, rel := range paths {
		if l.preparsed[rel] == nil {
			return
		}
		if roles[i] == RoleSettings {
			roots = append(roots, rel)
		}
	}
	if len(roots) == 0 {
		return
	}
	mods := make(map[string]*Module, len(l.preparsed))
	for rel, m := range l.preparsed {
		mods[rel] = m
	}
	resolved := map[importKey]string{}
	graph := newImportClosure()
	for _, rel := range roots {
		graph.add(rel)
	}
	// The closures, level by level: the modules not detected are read and
	// parsed several at once, then every module's imports resolved.
	for start := 0; start < len(graph.nodes); {
		level := graph.nodes[start:]
		start = len(graph.nodes)
		var unread []string
		for _, rel := range level {
			if mods[rel] == nil {
				unread = append(unread, rel)
			}
		}
		parsed := make([]*Module, len(unread))
		source.ReadEach(l.r, unread, func(i int, f *source.File) { parsed[i] = Parse(f) })
		for i, m := range parsed {
			if m != nil {
				mods[unread[i]] = m
			}
		}
		imports := make([][]importKey, len(level))
		targets := make([][]string, len(level))
		source.Each(source.Jobs(l.r), len(level), func(i int) {
			m := mods[level[i]]
			if m == nil {
				return
			}
			// Every import the evaluator may follow: it enters every
			// compound statement but a def's or class's body.
			WalkStmts(m.AllStmts(), func(s Stmt) bool {
				switch x := s.(type) {
				case *ImportFrom:
					k := importKey{from: m.File.Path, module: x.Module, level: x.Level}
					imports[i] = append(imports[i], k)
					targets[i] = append(targets[i], l.resolve(k.from, k.module, k.level))
				case *FuncDef, *ClassDef:
					return false
				}
				return true
			})
		})
		for i, rel := range level {
			for j, k := range imports[i] {
				to := targets[i][j]
				resolved[k] = to
				if to != "" {
					graph.join(rel, to)
				}
			}
		}
	}
	if source.Cancelled(l.r) != nil {
		return
	}
	// A group is the settings modules whose closures meet, in the paths'
	// order; the largest groups start first.
	groupOf := map[int]int{}
	var groups [][]string
	size := map[int]int{}
	for _, rel := range graph.nodes {
		size[graph.find(rel)]++
	}
	var sizes []int
	for _, rel := range roots {
		id := graph.find(rel)
		g, ok := groupOf[id]
		if !ok {
			g = len(groups)
			groupOf[id] = g
			groups = append(groups, nil)
			sizes = append(sizes, size[id])
		}
		groups[g] = append(groups[g], rel)
	}
	starts := make([]int, len(groups))
	for i := range starts {
		starts[i] = i
	}
	if order != nil {
		starts = order(len(groups))
	} else {
		slices.SortStableFunc(starts, func(a, b int) int { return cmp.Compare(sizes[b], sizes[a]) })
	}
	logs := make([][][]loadEvent, len(groups))
	source.Each(source.Jobs(l.r), len(groups), func(i int) {
		g := starts[i]
		gl := &loader{r: l.r, parsed: map[string]*Module{}, evals: map[string]*Evaluator{}, active: map[string]bool{},
			reported: map[string]bool{}, preparsed: mods, resolved: resolved}
		logs[g] = make([][]loadEvent, len(groups[g]))
		for j, rel := range groups[g] {
			gl.log = &logs[g][j]
			gl.evaluate(rel)
		}
	})
	if source.Cancelled(l.r) != nil {
		return
	}
	l.ahead = make(map[string][]loadEvent, len(roots))
	for g, group := range groups {
		for j, rel := range group {
			l.ahead[rel] = logs[g][j]
		}
	}
}

// importClosure is a set of modules joined by imports (union-find over their
// paths), with the modules in the order they were found.
type importClosure struct {
	nodes  []string
	index  map[string]int
	parent []int
}

func newImportClosure() *importClosure { return &importClosure{index: map[string]int{}} }

func (c *importClosure) add(rel string) int {
	if i, ok := c.index[rel]; ok {
		return i
	}
	i := len(c.nodes)
	c.index[rel] = i
	c.nodes = append(c.nodes, rel)
	c.parent = append(c.parent, i)
	return i
}

func (c *importClosure) root(i int) int {
	for c.parent[i] != i {
		c.parent[i] = c.parent[c.parent[i]]
		i = c.parent[i]
	}
	return i
}

func (c *importClosure) find(rel string) int { return c.root(c.index[rel]) }

func (c *importClosure) join(a, b string) {
	ra, rb := c.root(c.add(a)), c.root(c.add(b))
	if ra != rb {
		c.parent[max(ra, rb)] = min(ra, rb)
	}
}
