package django

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/python"
)

// Django REST framework runs every authentication class of a view in
// turn; one that returns None leaves the request to the next, and when
// none authenticates the request goes on with an anonymous user. Whether
// the view then runs is for its permission classes to say: DRF's default,
// AllowAny, lets it run (rest_framework/settings.py DEFAULTS:
// DEFAULT_PERMISSION_CLASSES is ['rest_framework.permissions.AllowAny'];
// APIView.check_permissions, rest_framework/views.py, refuses only when
// a permission's has_permission is false). So the anonymous way an authentication class
// opens (python.SinkAnonymous) reaches a view only where a view that uses
// the class allows anonymous requests.

// drfView is a view's DRF classes: the last names of its authentication
// and permission classes, each set only when the view names them.
type drfView struct {
	name              string   // the class's ("" for a function)
	bases             []string // the last names of its bases
	auth, perms       []string
	authSet, permsSet bool
	// view: a DRF view (a class deriving from an APIView or a ViewSet,
	// naming its classes, an @api_view function); other classes are kept
	// as the bases views may derive from.
	view bool
}

// drfPolicy is what DRF does with a request no authentication class
// authenticates, for one app: its defaults and its views.
type drfPolicy struct {
	// unknown says why the defaults could not be read statically.
	unknown                   string
	defaultAuth, defaultPerms []string
	views                     []drfView
	// byName indexes the classes of views by name (the first of a name).
	byName map[string]int
}

// drfDefaults are DRF's own, when the settings name none.
var drfDefaults = map[string][]string{
	"DEFAULT_AUTHENTICATION_CLASSES": {"SessionAuthentication", "BasicAuthentication"},
	"DEFAULT_PERMISSION_CLASSES":     {"AllowAny"},
}

// newDRFPolicy reads REST_FRAMEWORK from a settings module (none: DRF's
// defaults) and the views of the workspace.
func newDRFPolicy(st *python.Tree, views []drfView) *drfPolicy {
	p := &drfPolicy{defaultAuth: drfDefaults["DEFAULT_AUTHENTICATION_CLASSES"], defaultPerms: drfDefaults["DEFAULT_PERMISSION_CLASSES"], views: views,
		byName: map[string]int{}}
	for i, v := range views {
		if _, dup := p.byName[v.name]; v.name != "" && !dup {
			p.byName[v.name] = i
		}
	}
	if st == nil || st.Settings == nil {
		return p
	}
	b := st.Settings.Get("REST_FRAMEWORK")
	if b == nil {
		return p
	}
	d, ok := b.Value.Dict()
	if !ok {
		p.unknown = "REST_FRAMEWORK is not known statically"
		return p
	}
	for key, into := range map[string]*[]string{"DEFAULT_AUTHENTICATION_CLASSES": &p.defaultAuth, "DEFAULT_PERMISSION_CLASSES": &p.defaultPerms} {
		v, found := d.Lookup(python.Str(key))
		if !found {
			continue
		}
		seq, ok := v.Seq()
		if !ok {
			p.unknown = "REST_FRAMEWORK's " + key + " is not known statically"
			continue
		}
		*into = nil
		for _, e := range seq.Elems {
			s, ok := e.Str()
			if !ok {
				s = "?"
			}
			*into = append(*into, s[strings.LastIndex(s, ".")+1:])
		}
	}
	return p
}

// anonymous reports whether the anonymous way out of the authenticate
// method fn ("Class.authenticate") reaches a view, and what about that
// was not known.
func (p *drfPolicy) anonymous(fn string) (bool, string) {
	if p == nil {
		return false, ""
	}
	if p.unknown != "" {
		return true, p.unknown
	}
	class := strings.TrimSuffix(fn, ".authenticate")
	used := false
	for i := range p.views {
		auth, perms, view := p.resolve(i)
		if !view || !contains(auth, class) {
			continue
		}
		used = true
		if open, unknown := allowsAnonymous(perms); open {
			return true, unknown
		}
	}
	if used {
		return false, ""
	}
	// no view says: the defaults
	return allowsAnonymous(p.defaultPerms)
}

// resolve returns class i's authentication and permission classes, taken
// from the project's base classes of the same name, else the defaults,
// and whether it is a DRF view.
func (p *drfPolicy) resolve(i int) (auth, perms []string, view bool) {
	var authDone, permsDone bool
	v := p.views[i]
	for depth := 0; depth < 8; depth++ {
		view = view || v.view
		if v.authSet && !authDone {
			auth, authDone = v.auth, true
		}
		if v.permsSet && !permsDone {
			perms, permsDone = v.perms, true
		}
		next, ok := p.base(v)
		if !ok {
			break
		}
		v = next
	}
	if !authDone {
		auth = p.defaultAuth
	}
	if !permsDone {
		perms = p.defaultPerms
	}
	return auth, perms, view
}

// base returns the first base class of v that the project defines.
func (p *drfPolicy) base(v drfView) (drfView, bool) {
	for _, b := range v.bases {
		if i, ok := p.byName[b]; ok {
			return p.views[i], true
		}
	}
	return drfView{}, false
}

// allowsAnonymous reports whether permission classes let a request with
// an anonymous user through: none, or only AllowAny and the classes that
// let anonymous requests read (GET, HEAD, OPTIONS); every class must
// allow. A class that is not known statically is said.
func allowsAnonymous(perms []string) (bool, string) {
	for _, p := range perms {
		switch p {
		case "AllowAny", "IsAuthenticatedOrReadOnly", "DjangoModelPermissionsOrAnonReadOnly":
		case "?":
			return true, "a permission class that is not known statically"
		default:
			return false, ""
		}
	}
	return true, ""
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// drfViews lists the DRF views of the workspace: classes deriving from an
// APIView or a ViewSet (or from such a class of the project), classes
// naming authentication or permission classes, and @api_view functions
// with their @authentication_classes / @permission_classes decorators;
// with them the project's other derived classes, which views may derive
// from.
func drfViews(ws *parsers.Workspace) []drfView {
	var out []drfView
	for _, t := range ws.Trees {
		pt, ok := t.(*python.Tree)
		if !ok || pt.Module == nil || pt.Role == python.RoleSettings {
			continue
		}
		for _, top := range pt.Module.Stmts {
			python.WalkStmts(top.Body, func(s python.Stmt) bool {
				switch x := s.(type) {
				case *python.ClassDef:
					if v, ok := classView(x); ok {
						out = append(out, v)
					}
				case *python.FuncDef:
					if v, ok := functionView(x); ok {
						out = append(out, v)
					}
					return false
				}
				return true
			})
		}
	}
	return out
}

func classView(c *python.ClassDef) (drfView, bool) {
	v := drfView{name: c.Name}
	drf := false
	for _, b := range c.Bases {
		n := calleeName(b)
		v.bases = append(v.bases, n)
		drf = drf || strings.HasSuffix(n, "APIView") || strings.HasSuffix(n, "ViewSet")
	}
	for _, s := range c.Body {
		a, ok := s.(*python.Assign)
		if !ok || len(a.Targets) != 1 {
			continue
		}
		n, ok := a.Targets[0].(*python.Name)
		if !ok {
			continue
		}
		switch n.ID {
		case "authentication_classes":
			v.auth, v.authSet = classNames(a.Value), true
		case "permission_classes":
			v.perms, v.permsSet = classNames(a.Value), true
		}
	}
	v.view = drf || v.authSet || v.permsSet
	return v, len(v.bases) > 0 || v.view
}

func functionView(f *python.FuncDef) (drfView, bool) {
	var v drfView
	drf := false
	for _, d := range f.Decorators {
		c, ok := d.(*python.Call)
		if !ok {
			continue
		}
		var arg python.Expr
		if len(c.Args) > 0 {
			arg = c.Args[0]
		}
		switch calleeName(c.Func) {
		case "api_view":
			drf = true
		case "authentication_classes":
			v.auth, v.authSet = classNames(arg), true
		case "permission_classes":
			v.perms, v.permsSet = classNames(arg), true
		}
	}
	v.view = drf
	return v, drf
}

// classNames are the last names of a list or tuple of classes; "?" for
// what is not a name.
func classNames(e python.Expr) []string {
	seq, ok := e.(*python.SeqExpr)
	if !ok {
		return []string{"?"}
	}
	var out []string
	for _, el := range seq.Elts {
		n := calleeName(el)
		if n == "" {
			n = "?"
		}
		out = append(out, n)
	}
	return out
}
