package python

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The whole-program side of the data-flow analysis: the modules of the
// project with their functions, classes and imports, resolved across
// modules, and which functions are entry points (called by the
// framework, not by other code of the project).

type project struct {
	r      source.Reader
	parsed map[string]*Module // shared with the loader: a module is parsed once
	// evals are the loader's evaluated modules, reused for constants.
	evals map[string]*Evaluator
	// resolved caches import resolution by directory, module and level.
	resolved map[string]string
	mods     map[string]*modInfo
	order    []*modInfo
	// active guards against import cycles while namespaces are evaluated.
	active map[string]bool
	reads  map[siteKey]*Read
	sinks  map[siteKey]*Sink
	// readOrder and sinkOrder keep creation order for deterministic output.
	readOrder []*Read
	sinkOrder []*Sink
	// called marks functions some other code of the project calls by
	// name; the others are entry points.
	called map[*funcInfo]bool
	// analysed marks functions the analysis went through.
	analysed map[*funcInfo]bool
}

type siteKey struct {
	file       string
	start, end int
	kind       SinkKind
}

type modInfo struct {
	p       *project
	m       *Module
	path    string
	ns      *Namespace
	funcs   map[string]*funcInfo
	classes map[string]*classInfo
	imports map[string]importRef
	allFns  []*funcInfo
	app     *AppCode
	// importCache keeps what each import resolved to.
	importCache map[importRef]aval
	// topActive guards topValue against a name defined by itself.
	topActive map[string]bool
	// fromTree: the module is one of the loaded trees (not only a helper
	// another module imports).
	fromTree bool
	// entries: the module's functions are analysed as entry points (a
	// tree, or a module that calls into one).
	entries bool
}

// importRef is a name bound by an import: a module (attr "") or a name
// in one.
type importRef struct {
	module string
	level  int
	attr   string
}

type classInfo struct {
	mod     *modInfo
	def     *ClassDef
	name    string
	methods map[string]*funcInfo
	// attrs are the class body's assignments; selfAttrs the assignments
	// to self.X in __init__.
	attrs     map[string]Expr
	selfAttrs map[string]Expr
}

type funcInfo struct {
	mod   *modInfo
	def   *FuncDef
	class *classInfo
	outer *funcInfo
	qual  string
}

func newProject(r source.Reader, parsed map[string]*Module) *project {
	if parsed == nil {
		parsed = map[string]*Module{}
	}
	return &project{r: r, parsed: parsed, resolved: map[string]string{}, mods: map[string]*modInfo{}, active: map[string]bool{},
		reads: map[siteKey]*Read{}, sinks: map[siteKey]*Sink{}, called: map[*funcInfo]bool{}, analysed: map[*funcInfo]bool{}}
}

// addModule indexes a parsed module.
func (p *project) addModule(m *Module, app *AppCode, fromTree bool) *modInfo {
	if mi, ok := p.mods[m.File.Path]; ok {
		return p.addIndexed(mi, app, fromTree)
	}
	return p.addIndexed(p.indexModule(m, app, fromTree), app, fromTree)
}

// addTrees indexes the modules of trees with app code, several at once
// (indexing reads only the module), and adds them in the trees' order.
func (p *project) addTrees(trees []*Tree) {
	indexed := make([]*modInfo, len(trees))
	source.Each(source.Jobs(p.r), len(trees), func(i int) {
		if t := trees[i]; t.App != nil {
			indexed[i] = p.indexModule(t.Module, t.App, true)
		}
	})
	for i, t := range trees {
		if t.App == nil {
			continue
		}
		if mi, ok := p.mods[t.Module.File.Path]; ok {
			p.addIndexed(mi, t.App, true)
		} else {
			p.addIndexed(indexed[i], t.App, true)
		}
	}
}

// indexModule is a module's index, not yet added to the project.
func (p *project) indexModule(m *Module, app *AppCode, fromTree bool) *modInfo {
	if app == nil {
		app = &AppCode{}
	}
	mi := &modInfo{p: p, m: m, path: m.File.Path, funcs: map[string]*funcInfo{}, classes: map[string]*classInfo{},
		imports: map[string]importRef{}, app: app, fromTree: fromTree, entries: fromTree}
	mi.index(m.AllStmts())
	return mi
}

// addIndexed adds an indexed module to the project; when the project
// has it already, a tree's module becomes an entry module.
func (p *project) addIndexed(mi *modInfo, app *AppCode, fromTree bool) *modInfo {
	if have, ok := p.mods[mi.path]; ok {
		if fromTree {
			have.fromTree, have.entries = true, true
			if app != nil {
				have.app = app
			}
		}
		return have
	}
	p.mods[mi.path] = mi
	p.order = append(p.order, mi)
	return mi
}

// module returns the project module at a root-relative path, parsing it
// when no tree holds it yet.
func (p *project) module(rel string) *modInfo {
	if mi, ok := p.mods[rel]; ok {
		return mi
	}
	m, ok := p.parsed[rel]
	if !ok {
		if p.r == nil {
			return nil
		}
		f, err := p.r.ReadFile(rel)
		if err != nil {
			return nil
		}
		m = Parse(f)
		p.parsed[rel] = m
	}
	return p.addModule(m, nil, false)
}

// resolve finds the file of an imported module, as the loader does.
func (p *project) resolve(fromPath, module string, level int) string {
	if p.r == nil {
		return ""
	}
	key := fmt.Sprintf("%s|%s|%d", pathDir(fromPath), module, level)
	if rel, ok := p.resolved[key]; ok {
		return rel
	}
	l := &loader{r: p.r}
	rel := l.resolve(fromPath, module, level)
	p.resolved[key] = rel
	return rel
}

// index records the module's top-level functions, classes and imports
// (also inside top-level if/try blocks).
func (mi *modInfo) index(stmts []Stmt) {
	for _, s := range stmts {
		switch x := s.(type) {
		case *FuncDef:
			fi := &funcInfo{mod: mi, def: x, qual: x.Name}
			mi.funcs[x.Name] = fi
			mi.allFns = append(mi.allFns, fi)
		case *ClassDef:
			ci := &classInfo{mod: mi, def: x, name: x.Name, methods: map[string]*funcInfo{}, attrs: map[string]Expr{}, selfAttrs: map[string]Expr{}}
			for _, st := range x.Body {
				switch y := st.(type) {
				case *FuncDef:
					fi := &funcInfo{mod: mi, def: y, class: ci, qual: x.Name + "." + y.Name}
					ci.methods[y.Name] = fi
					mi.allFns = append(mi.allFns, fi)
					if y.Name == "__init__" {
						ci.collectSelfAttrs(y.Body)
					}
				case *Assign:
					for _, t := range y.Targets {
						if n, ok := t.(*Name); ok {
							ci.attrs[n.ID] = y.Value
						}
					}
				}
			}
			mi.classes[x.Name] = ci
		case *Import, *ImportFrom:
			for _, b := range importBindings(s) {
				mi.imports[b.name] = b.ref
			}
		case *If, *Try:
			for _, b := range Bodies(s) {
				mi.index(b)
			}
		}
	}
}

func (ci *classInfo) collectSelfAttrs(body []Stmt) {
	WalkStmts(body, func(s Stmt) bool {
		if a, ok := s.(*Assign); ok {
			for _, t := range a.Targets {
				if at, ok := t.(*Attribute); ok {
					if n, ok := at.Value.(*Name); ok && n.ID == "self" {
						ci.selfAttrs[at.Attr] = a.Value
					}
				}
			}
		}
		_, isDef := s.(*FuncDef)
		return !isDef
	})
}

type importBinding struct {
	name string
	ref  importRef
}

// importBindings returns the names an import statement binds (a star
// import binds none the analysis follows).
func importBindings(s Stmt) []importBinding {
	var out []importBinding
	switch x := s.(type) {
	case *Import:
		for _, a := range x.Names {
			if a.As != "" {
				out = append(out, importBinding{a.As, importRef{module: a.Name}})
			} else {
				first := strings.SplitN(a.Name, ".", 2)[0]
				out = append(out, importBinding{first, importRef{module: first}})
			}
		}
	case *ImportFrom:
		for _, a := range x.Names {
			if a.Name == "*" {
				continue
			}
			name := a.As
			if name == "" {
				name = a.Name
			}
			out = append(out, importBinding{name, importRef{module: x.Module, level: x.Level, attr: a.Name}})
		}
	}
	return out
}

// namespace evaluates the module's top-level statements for its
// constants (once).
func (mi *modInfo) namespace() *Namespace {
	if mi.ns == nil {
		p := mi.p
		if ev := p.evals[mi.path]; ev != nil {
			mi.ns = ev.NS
			return mi.ns
		}
		p.active[mi.path] = true
		mi.ns = Evaluate(mi.m, func(from *Module, module string, level int) (*Namespace, []*source.File, bool) {
			rel := p.resolve(from.File.Path, module, level)
			if rel == "" || p.active[rel] {
				return nil, nil, false
			}
			other := p.module(rel)
			if other == nil {
				return nil, nil, false
			}
			return other.namespace(), nil, true
		}).NS
		delete(p.active, mi.path)
	}
	return mi.ns
}

// lookup resolves a name at module level: a function or class of the
// module, an imported name, a constant, an external name.
func (mi *modInfo) lookup(name string, depth int) aval {
	if fi, ok := mi.funcs[name]; ok {
		return avFunc{fn: fi}
	}
	if ci, ok := mi.classes[name]; ok {
		return avClass{cls: ci}
	}
	if ref, ok := mi.imports[name]; ok && depth < 8 {
		if v := mi.importValue(ref, depth); v != nil {
			return v
		}
	}
	if b := mi.namespace().Get(name); b != nil {
		v := special(fromValue(b.Value))
		if _, unknown := v.(avUnknown); unknown && depth < 8 {
			if r, ok := mi.topValue(name, depth); ok {
				return r
			}
		}
		return v
	}
	if ref, ok := mi.imports[name]; ok {
		q := strings.Repeat(".", ref.level) + ref.module
		if ref.attr != "" {
			q = strings.TrimPrefix(q+"."+ref.attr, ".")
		}
		return special(avExt{qual: q})
	}
	return avExt{qual: "builtins." + name}
}

// topValue evaluates the last module-level assignment to name with the
// analysis, for what the evaluator leaves unknown but the analysis knows:
// getattr(settings, "X", default), settings.X, re.compile("pattern").
func (mi *modInfo) topValue(name string, depth int) (aval, bool) {
	var last Expr
	for _, s := range mi.m.AllStmts() {
		if a, ok := s.(*Assign); ok && len(a.Targets) == 1 {
			if n, ok := a.Targets[0].(*Name); ok && n.ID == name {
				last = a.Value
			}
		}
	}
	if last == nil || mi.topActive[name] {
		return nil, false
	}
	if mi.topActive == nil {
		mi.topActive = map[string]bool{}
	}
	mi.topActive[name] = true
	defer delete(mi.topActive, name)
	in := &interp{p: mi.p, calledNested: map[*FuncDef]bool{}}
	fr := &frame{fn: &funcInfo{mod: mi, def: &FuncDef{Name: "<module>"}, qual: "<module>"}, mod: mi, depth: maxDepth}
	switch v := in.valueOf(fr, last).(type) {
	case avOperand, avRegex, avConst:
		return v, true
	}
	return nil, false
}

// funcNamed returns the function of the project a name calls at module
// level (defined here or imported), without evaluating anything.
func (mi *modInfo) funcNamed(name string) *funcInfo {
	if fi, ok := mi.funcs[name]; ok {
		return fi
	}
	if ref, ok := mi.imports[name]; ok && ref.attr != "" {
		if v, ok := mi.importValue(ref, 0).(avFunc); ok {
			return v.fn
		}
	}
	return nil
}

// importValue resolves an import into the project: a module, or a
// function, class or constant of one. It returns nil for a module outside
// the project.
func (mi *modInfo) importValue(ref importRef, depth int) aval {
	if v, ok := mi.importCache[ref]; ok {
		return v
	}
	v := mi.resolveImport(ref, depth)
	if mi.importCache == nil {
		mi.importCache = map[importRef]aval{}
	}
	mi.importCache[ref] = v
	return v
}

func (mi *modInfo) resolveImport(ref importRef, depth int) aval {
	p := mi.p
	if ref.attr == "" {
		if rel := p.resolve(mi.path, ref.module, ref.level); rel != "" {
			if other := p.module(rel); other != nil {
				return avModule{mod: other}
			}
		}
		return nil
	}
	// from package import submodule
	sub := ref.module
	if sub != "" {
		sub += "."
	}
	if rel := p.resolve(mi.path, sub+ref.attr, ref.level); rel != "" {
		if other := p.module(rel); other != nil {
			return avModule{mod: other}
		}
	}
	if rel := p.resolve(mi.path, ref.module, ref.level); rel != "" && rel != mi.path {
		if other := p.module(rel); other != nil {
			return other.lookup(ref.attr, depth+1)
		}
	}
	return nil
}

// special maps the external names the analysis knows to their meaning.
func special(v aval) aval {
	e, ok := v.(avExt)
	if !ok {
		return v
	}
	switch e.qual {
	case "django.conf.settings":
		return avSettings{}
	case "flask.request", "quart.request", "werkzeug.local.request", "sanic.request":
		return avRequest{}
	case "flask.g", "quart.g":
		return avAttrStore{name: "g"}
	case "flask.session", "quart.session":
		return avAttrStore{name: "session"}
	}
	return v
}

// mro returns the class and its project bases, depth first (Python's
// order for the single inheritance and mixins app code uses).
func (ci *classInfo) mro() []*classInfo {
	var out []*classInfo
	seen := map[*classInfo]bool{}
	var walk func(c *classInfo)
	walk = func(c *classInfo) {
		if seen[c] || len(out) > 32 {
			return
		}
		seen[c] = true
		out = append(out, c)
		for _, b := range c.bases() {
			walk(b)
		}
	}
	walk(ci)
	return out
}

// attr looks up a class body's assignment, on the class and its bases.
func (ci *classInfo) attr(name string) (Expr, *classInfo, bool) {
	for _, c := range ci.mro() {
		if e, ok := c.attrs[name]; ok {
			return e, c, true
		}
	}
	return nil, nil, false
}

// method looks a method up on the class and its bases.
func (ci *classInfo) method(name string) *funcInfo {
	for _, c := range ci.mro() {
		if fi, ok := c.methods[name]; ok {
			return fi
		}
	}
	return nil
}

// selfAttr looks up what __init__ assigns to self.name, on the class and
// its bases.
func (ci *classInfo) selfAttr(name string) (Expr, *classInfo, bool) {
	for _, c := range ci.mro() {
		if e, ok := c.selfAttrs[name]; ok {
			return e, c, true
		}
	}
	return nil, nil, false
}

// bases returns the class's bases that are classes of the project.
func (ci *classInfo) bases() []*classInfo {
	var out []*classInfo
	for _, b := range ci.def.Bases {
		if c, ok := ci.mod.resolveExpr(b).(avClass); ok && c.cls != ci {
			out = append(out, c.cls)
		}
	}
	return out
}

// baseNames returns the dotted names of the class's bases, through its
// project bases (external ones as written or imported).
func (ci *classInfo) baseNames(seen map[*classInfo]bool) []string {
	if seen[ci] {
		return nil
	}
	seen[ci] = true
	var out []string
	for _, b := range ci.def.Bases {
		switch v := ci.mod.resolveExpr(b).(type) {
		case avClass:
			out = append(out, v.cls.name)
			out = append(out, v.cls.baseNames(seen)...)
		case avExt:
			out = append(out, v.qual)
		default:
			out = append(out, ci.mod.m.Text(b))
		}
	}
	return out
}

// resolveExpr resolves a dotted name at module level.
func (mi *modInfo) resolveExpr(e Expr) aval {
	switch x := e.(type) {
	case *Name:
		return mi.lookup(x.ID, 0)
	case *Attribute:
		switch base := mi.resolveExpr(x.Value).(type) {
		case avModule:
			return base.mod.lookup(x.Attr, 0)
		case avExt:
			return special(avExt{qual: base.qual + "." + x.Attr})
		}
	}
	return avUnknown{text: mi.m.Text(e)}
}

// markCalls marks the functions the module's code calls by name.
func (mi *modInfo) markCalls() {
	for _, fi := range mi.allFns {
		mi.markIn(fi, fi.def.Body)
	}
}

func (mi *modInfo) markIn(fi *funcInfo, body []Stmt) {
	visit := func(e Expr) {
		WalkExpr(e, func(e Expr) bool {
			c, ok := e.(*Call)
			if !ok {
				return true
			}
			switch f := c.Func.(type) {
			case *Name:
				if fn := mi.funcNamed(f.ID); fn != nil {
					mi.p.called[fn] = true
				}
			case *Attribute:
				if n, ok := f.Value.(*Name); ok && (n.ID == "self" || n.ID == "cls") && fi.class != nil {
					if m := fi.class.method(f.Attr); m != nil {
						mi.p.called[m] = true
					}
				} else if n, ok := f.Value.(*Name); ok {
					if ref, ok := mi.imports[n.ID]; ok {
						if m, ok := mi.importValue(ref, 0).(avModule); ok {
							if fn := m.mod.funcs[f.Attr]; fn != nil {
								mi.p.called[fn] = true
							}
						}
					}
				}
			}
			return true
		})
	}
	WalkStmts(body, func(s Stmt) bool {
		for e := range stmtExprs(s) {
			visit(e)
		}
		return true
	})
}

// frameworkMethods are called by Django, DRF, Flask or Starlette, not by
// the project: always entry points.
var frameworkMethods = map[string]bool{"__call__": true, "process_request": true, "process_view": true, "dispatch": true,
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true, "options": true,
	"authenticate": true, "has_permission": true, "has_object_permission": true, "dispatch_request": true,
	"__acall__": true, "test_func": true}

// entries returns the functions to analyse as entry points, in order.
func (p *project) entries() []*funcInfo {
	var out []*funcInfo
	for _, mi := range p.order {
		if !mi.entries {
			continue
		}
		for _, fi := range mi.allFns {
			if !p.called[fi] || fi.class != nil && frameworkMethods[fi.def.Name] {
				out = append(out, fi)
			}
		}
	}
	return out
}

// finish attaches the facts to the modules: each read and sink to the
// module it is in, each read's decisions.
func (p *project) finish() {
	p.mergeHandlers()
	for _, s := range p.sinkOrder {
		s.Paths = simplify(s.Paths)
		for _, path := range s.Paths {
			for _, r := range path.Reads {
				if len(path.TestsOn(r)) == 0 && !path.FlowsFrom(r) {
					continue
				}
				d := r.decision(s)
				d.Paths = append(d.Paths, path)
			}
		}
	}
	for _, r := range p.readOrder {
		if mi := p.mods[r.Range.File]; mi != nil {
			mi.app.ReadSites = append(mi.app.ReadSites, r)
		}
	}
	for _, s := range p.sinkOrder {
		if mi := p.mods[s.Range.File]; mi != nil {
			mi.app.Sinks = append(mi.app.Sinks, s)
		}
	}
	for _, mi := range p.order {
		sortReads(mi.app.ReadSites)
		sort.SliceStable(mi.app.Sinks, func(i, j int) bool {
			return mi.app.Sinks[i].Range.Start.Offset < mi.app.Sinks[j].Range.Start.Offset
		})
	}
}

func (r *Read) decision(s *Sink) *Decision {
	for i := range r.Decisions {
		if r.Decisions[i].Sink == s {
			return &r.Decisions[i]
		}
	}
	r.Decisions = append(r.Decisions, Decision{Sink: s})
	return &r.Decisions[len(r.Decisions)-1]
}

// scopeOf names the class or top-level function a function belongs to,
// as HeaderRead.Scope does.
func scopeOf(fi *funcInfo) (fn, class, scope string) {
	if fi == nil {
		return "", "", "module"
	}
	top := fi
	for top.outer != nil {
		top = top.outer
	}
	if top.class != nil {
		return fi.qual, top.class.name, "class:" + top.class.name
	}
	return fi.qual, "", "func:" + top.def.Name
}

// sweep keeps every read the analysis did not reach: in statements the
// parser rejected (found by their tokens), in code no analysed path goes
// through, and the header of a RemoteUserMiddleware subclass. The reads
// written in each module are found by their shape several modules at
// once (that reads the module alone); they are kept in the modules'
// order.
func (p *project) sweep() {
	written := make([][]writtenRead, len(p.order))
	source.Each(source.Jobs(p.r), len(p.order), func(i int) {
		if mi := p.order[i]; mi.entries {
			written[i] = writtenReads(mi.m)
		}
	})
	for i, mi := range p.order {
		if !mi.entries {
			continue
		}
		for _, ts := range mi.m.Stmts {
			if ts.Err != "" {
				p.scanTokens(mi, ts)
			}
		}
		for _, w := range written[i] {
			p.unreached(mi, w.e, w.key, w.via)
		}
		for _, ci := range mi.classes {
			p.remoteUser(ci)
		}
	}
}

// writtenRead is a read recognised by its shape (syntacticRead).
type writtenRead struct {
	e, key Expr
	via    ReadVia
}

// writtenReads are m's reads recognised by their shape, in the order of
// the source.
func writtenReads(m *Module) []writtenRead {
	var out []writtenRead
	WalkStmts(m.AllStmts(), func(s Stmt) bool {
		for e := range stmtExprs(s) {
			WalkExpr(e, func(e Expr) bool {
				if key, via, ok := syntacticRead(e); ok {
					out = append(out, writtenRead{e: e, key: key, via: via})
				}
				return true
			})
		}
		return true
	})
	return out
}

// syntacticRead recognises a read by its shape alone: X.META.get("K"),
// X.headers["K"], "K" in X.environ (X not os).
func syntacticRead(e Expr) (Expr, ReadVia, bool) {
	container := func(x Expr) (ReadVia, bool) {
		attr, ok := x.(*Attribute)
		if !ok {
			return 0, false
		}
		via, ok := map[string]ReadVia{"META": ViaMETA, "headers": ViaHeaders, "environ": ViaEnviron}[attr.Attr]
		if n, isName := attr.Value.(*Name); isName && n.ID == "os" {
			return 0, false
		}
		return via, ok
	}
	switch x := e.(type) {
	case *Subscript:
		if via, ok := container(x.Value); ok {
			return x.Index, via, true
		}
	case *Call:
		if attr, ok := x.Func.(*Attribute); ok && attr.Attr == "get" && len(x.Args) > 0 {
			if via, ok := container(attr.Value); ok {
				return x.Args[0], via, true
			}
		}
	case *Compare:
		if len(x.Ops) == 1 && (x.Ops[0] == "in" || x.Ops[0] == "not in") {
			if via, ok := container(x.Rights[0]); ok {
				return x.Left, via, true
			}
		}
	}
	return nil, 0, false
}

// unreached keeps a read no analysed path went through.
func (p *project) unreached(mi *modInfo, e, keyExpr Expr, via ReadVia) {
	rng := mi.m.Range(e)
	k := siteKey{file: rng.File, start: rng.Start.Offset, end: rng.End.Offset}
	if p.reads[k] != nil {
		return
	}
	rd := &Read{Via: via, Range: rng, Unanalysed: "no path the analysis follows reaches this code"}
	rd.Func, rd.Class, rd.Scope = enclosing(mi, rng.Start.Offset)
	if c, ok := keyExpr.(*Const); ok {
		if s, ok := c.Value.(Str); ok {
			rd.Keys = []Operand{Lit(string(s))}
		}
	}
	if len(rd.Keys) == 0 {
		if ops, ok := keyOperands(mi.exprValue(keyExpr)); ok {
			rd.Keys = ops
		} else {
			rd.Unresolved = "the key " + mi.m.Text(keyExpr) + " is not known statically"
		}
	}
	p.reads[k] = rd
	p.readOrder = append(p.readOrder, rd)
}

// exprValue evaluates a module-level expression (a constant key).
func (mi *modInfo) exprValue(e Expr) aval {
	in := &interp{p: mi.p, calledNested: map[*FuncDef]bool{}}
	return in.valueOf(&frame{fn: &funcInfo{mod: mi}, mod: mi}, e)
}

// enclosing names the function and class around an offset.
func enclosing(mi *modInfo, off int) (fn, class, scope string) {
	var best *funcInfo
	for _, fi := range mi.allFns {
		if fi.def.Start <= off && off < fi.def.End {
			best = fi
		}
	}
	if best != nil {
		return scopeOf(best)
	}
	for _, ci := range mi.classes {
		if ci.def.Start <= off && off < ci.def.End {
			return "", ci.name, "class:" + ci.name
		}
	}
	return "", "", "module"
}

// scanTokens finds the reads of a statement the parser rejected by their
// tokens: .META / .headers / .environ followed by .get("K") or ["K"].
func (p *project) scanTokens(mi *modInfo, ts *TopStmt) {
	m := mi.m
	src := m.File.Content
	text := func(i int) string {
		if i < 0 || i >= len(m.Tokens) {
			return ""
		}
		return string(src[m.Tokens[i].Start:m.Tokens[i].End])
	}
	for i := ts.First; i <= ts.Last && i < len(m.Tokens); i++ {
		t := m.Tokens[i]
		via, ok := map[string]ReadVia{"META": ViaMETA, "headers": ViaHeaders, "environ": ViaEnviron}[text(i)]
		if t.Kind != TokName || !ok || text(i-1) != "." || text(i-2) == "os" {
			continue
		}
		start := m.Tokens[max(i-2, 0)].Start
		j := m.nextSig(i)
		key, end := -1, -1
		switch text(j) {
		case ".":
			if text(m.nextSig(j)) == "get" && text(m.nextSig(m.nextSig(j))) == "(" {
				open := m.nextSig(m.nextSig(j))
				key = m.nextSig(open)
				if m.partner(open) > open {
					end = m.Tokens[m.partner(open)].End
				}
			}
		case "[":
			key = m.nextSig(j)
			if m.partner(j) > j {
				end = m.Tokens[m.partner(j)].End
			}
		}
		if key < 0 || end < 0 || key >= len(m.Tokens) {
			continue
		}
		rng := m.File.Range(start, end)
		k := siteKey{file: rng.File, start: start, end: end}
		if p.reads[k] != nil {
			continue
		}
		rd := &Read{Via: via, Range: rng, Unanalysed: ts.Err}
		rd.Func, rd.Class, rd.Scope = enclosing(mi, start)
		if m.Tokens[key].Kind == TokString {
			if v, _, reason := decodeStringToken(text(key)); reason == "" {
				rd.Keys = []Operand{Lit(v)}
			}
		}
		if len(rd.Keys) == 0 {
			rd.Unresolved = "the key is not a string literal"
		}
		p.reads[k] = rd
		p.readOrder = append(p.readOrder, rd)
	}
}

// remoteUser records the header of a RemoteUserMiddleware subclass:
// Django logs in whoever it names, on every request.
func (p *project) remoteUser(ci *classInfo) {
	remote := false
	for _, b := range ci.baseNames(map[*classInfo]bool{}) {
		remote = remote || strings.HasSuffix(b, "RemoteUserMiddleware")
	}
	if !remote {
		return
	}
	e, _, ok := ci.attr("header")
	c, isConst := e.(*Const)
	if !ok || !isConst {
		return
	}
	s, isStr := c.Value.(Str)
	if !isStr {
		return
	}
	rng := ci.mod.m.Range(c)
	k := siteKey{file: rng.File, start: rng.Start.Offset, end: rng.End.Offset}
	rd := p.reads[k]
	if rd == nil {
		rd = &Read{Via: ViaRemoteUserHeader, Range: rng, Keys: []Operand{Lit(string(s))}, Class: ci.name, Scope: "class:" + ci.name}
		p.reads[k] = rd
		p.readOrder = append(p.readOrder, rd)
	}
	sk := siteKey{file: rng.File, start: rng.Start.Offset, end: rng.End.Offset, kind: SinkLogin}
	if p.sinks[sk] == nil {
		// Django leaves the request anonymous when the header is absent
		// (KeyError) and RemoteUserBackend when it is empty ("if not
		// remote_user: return"): only a non-empty value logs in.
		present := &Test{Read: rd, Op: TestTruthy, Range: rng, Text: string(s)}
		sink := &Sink{Kind: SinkLogin, Range: rng, Func: ci.name, Detail: "RemoteUserMiddleware logs in the user the header names",
			Paths: []*Path{{Tests: []*Test{present}, Flows: []*Read{rd}, Reads: []*Read{rd}}}}
		p.sinks[sk] = sink
		p.sinkOrder = append(p.sinkOrder, sink)
	}
}

// addCallers adds the modules near the trees that import one of them by
// a name it defines (views.py calling the helpers of auth.py): the
// requests they handle reach the helpers' reads. Only the directory of a
// tree, its subdirectories, its parent and the parent's subdirectories
// are looked at, and only files that mention such a name after "import".
func (p *project) addCallers() {
	var names []string
	dirs := map[string]bool{}
	for _, mi := range p.order {
		if !mi.fromTree || len(mi.funcs)+len(mi.classes) == 0 {
			continue
		}
		for n := range mi.funcs {
			names = append(names, n)
		}
		for n := range mi.classes {
			names = append(names, n)
		}
		// "from . import certs": the module's own name
		base := strings.TrimSuffix(mi.path[strings.LastIndexByte(mi.path, '/')+1:], ".py")
		if base == "__init__" {
			base = pathDir(mi.path)
			base = base[strings.LastIndexByte(base, '/')+1:]
		}
		names = append(names, base)
		d := pathDir(mi.path)
		dirs[d] = true
		dirs[pathDir(d)] = true
	}
	if p.r == nil || len(names) == 0 {
		return
	}
	sort.Strings(names)
	var pats []string
	for d := range dirs {
		prefix := ""
		if d != "." {
			prefix = d + "/"
		}
		pats = append(pats, prefix+"*.py", prefix+"*/*.py")
	}
	sort.Strings(pats)
	// Listing directories reads the file system only: the patterns are
	// expanded several at once, their matches taken in the patterns' order.
	matched := make([][]string, len(pats))
	source.Each(source.Jobs(p.r), len(pats), func(i int) { matched[i], _ = p.r.Glob(pats[i]) })
	var candidates []string
	seen := map[string]bool{}
	for _, matches := range matched {
		for _, rel := range matches {
			if seen[rel] || p.mods[rel] != nil || !Candidate(rel) {
				continue
			}
			seen[rel] = true
			candidates = append(candidates, rel)
		}
	}
	// Reading, scanning and parsing a candidate depend on the file alone:
	// they run in parallel; the modules are added in the order above.
	callers := make([]*Module, len(candidates))
	source.ReadEach(p.r, candidates, func(i int, f *source.File) {
		if !importsAny(f.Content, names) {
			return
		}
		if m, ok := p.parsed[candidates[i]]; ok {
			callers[i] = m
		} else {
			callers[i] = Parse(f)
		}
	})
	for i, rel := range candidates {
		if callers[i] == nil {
			continue
		}
		if _, ok := p.parsed[rel]; !ok {
			p.parsed[rel] = callers[i]
		}
		if mi := p.module(rel); mi != nil {
			mi.entries = true
		}
	}
}

func pathDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return "."
}

// importsAny reports whether content imports one of names: an "import"
// line that mentions it as a word.
func importsAny(content []byte, names []string) bool {
	text := string(content)
	for text != "" {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if !strings.Contains(line, "import") {
			continue
		}
		for _, n := range names {
			if i := strings.Index(line, n); i >= 0 && wordAt(line, i, len(n)) {
				return true
			}
		}
	}
	return false
}

func wordAt(s string, i, n int) bool {
	isWord := func(c byte) bool { return c == '_' || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' }
	return (i == 0 || !isWord(s[i-1])) && (i+n == len(s) || !isWord(s[i+n]))
}

// mergeHandlers makes the places where one function lets the request on
// to the next handler (or returns its view's response) one sink: every
// "return self.get_response(request)" of a middleware leads to the same
// view, so a check on one of them only matters if the others do not reach
// it too.
func (p *project) mergeHandlers() {
	first := map[string]*Sink{}
	var kept []*Sink
	for _, s := range p.sinkOrder {
		if s.Kind != SinkNext && s.Kind != SinkView {
			kept = append(kept, s)
			continue
		}
		k := s.Range.File + "|" + s.Func + "|" + s.Kind.String()
		if f, ok := first[k]; ok {
			f.Paths = append(f.Paths, s.Paths...)
			continue
		}
		first[k] = s
		kept = append(kept, s)
	}
	p.sinkOrder = kept
}

// simplify drops the tests a sink does not depend on: when both outcomes
// of a test lead to the sink (a check that only guards setting an
// attribute, before a get_response reached either way), the test is
// removed (x && a || x && !a is x; x || !x && a is x || a), and a path
// whose tests include all of another's, with the same flows, goes.
func simplify(paths []*Path) []*Path {
	// A test's literal is asked for again for every pair of paths: it is
	// built once per test (tests are not changed here).
	type literal struct {
		key     testKey
		negated bool
	}
	lits := map[*Test]literal{}
	lit := func(t *Test) literal {
		if l, ok := lits[t]; ok {
			return l
		}
		l := literal{t.key(), t.Negated}
		lits[t] = l
		return l
	}
	// negLit is lit(t.negate()): negating changes only Negated (and
	// Chosen, which the key leaves out).
	negLit := func(t *Test) literal {
		l := lit(t)
		l.negated = !l.negated
		return l
	}
	set := func(ts []*Test) map[literal]bool {
		m := make(map[literal]bool, len(ts))
		for _, t := range ts {
			m[lit(t)] = true
		}
		return m
	}
	same := func(a, b *Path) bool {
		if len(a.Flows) != len(b.Flows) || strings.Join(a.Unknown, "|") != strings.Join(b.Unknown, "|") {
			return false
		}
		for _, r := range a.Flows {
			if !containsRead(b.Flows, r) {
				return false
			}
		}
		return true
	}
	// subset reports whether every literal of a is in b, but skip when
	// skipping.
	subset := func(a []*Test, b map[literal]bool, skip literal, skipping bool) bool {
		for _, t := range a {
			if l := lit(t); (!skipping || l != skip) && !b[l] {
				return false
			}
		}
		return true
	}
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(paths); i++ {
			for j := 0; j < len(paths); j++ {
				if i == j || !same(paths[i], paths[j]) {
					continue
				}
				p, q := paths[i], paths[j]
				ps := set(p.Tests)
				if subset(q.Tests, ps, literal{}, false) && len(q.Tests) <= len(p.Tests) {
					// q is weaker: p adds nothing
					q.Reads = unionReads(q.Reads, p.Reads)
					paths = append(paths[:i], paths[i+1:]...)
					changed = true
					i--
					break
				}
				// consensus: q = R && l, p has !l and R: !l is redundant in p
				for _, l := range q.Tests {
					neg := negLit(l)
					if ps[neg] && subset(q.Tests, ps, lit(l), true) {
						var kept []*Test
						for _, t := range p.Tests {
							if lit(t) != neg {
								kept = append(kept, t)
							}
						}
						np := *p
						np.Tests = kept
						np.Reads = unionReads(p.Reads, q.Reads)
						paths[i] = &np
						changed = true
						break
					}
				}
				if changed {
					break
				}
			}
			if changed {
				break
			}
		}
	}
	return paths
}

func unionReads(a, b []*Read) []*Read {
	out := append([]*Read(nil), a...)
	for _, r := range b {
		if !containsRead(out, r) {
			out = append(out, r)
		}
	}
	return out
}
