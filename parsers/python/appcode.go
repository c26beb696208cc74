package python

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// ReadVia says through what the code reads a request value.
type ReadVia uint8

// Ways to read a request value.
const (
	ViaMETA             ReadVia = iota + 1 // request.META["HTTP_X"], .get
	ViaHeaders                             // request.headers["X"], .get
	ViaEnviron                             // request.environ / WSGI environ
	ViaRemoteUserHeader                    // RemoteUserMiddleware subclass's header
)

var viaNames = [...]string{"", "META", "headers", "environ", "RemoteUserMiddleware.header"}

func (v ReadVia) String() string { return viaNames[v] }

// ClassInfo is what a class does with requests.
type ClassInfo struct {
	Name   string
	Bases  []string
	Range  source.Range // the class statement's first line
	Header *Setting     // the header attribute of a RemoteUserMiddleware subclass
	// RemoteUser: a subclass of (Persistent)RemoteUserMiddleware.
	RemoteUser bool
	// Middleware: named *Middleware, or has __call__/process_request.
	Middleware  bool
	Login       []source.Range // calls to login()
	Logout      []source.Range // calls to logout()
	LoadsCert   bool           // parses a PEM certificate
	ChecksDN    bool           // compares subject/issuer names
	VerifiesSig bool           // verifies a signature or chain
}

// AppCode is what a module's code reads from requests.
type AppCode struct {
	// ReadSites are the module's reads of request headers and environ
	// values, and Sinks the protected work its functions reach, as the
	// data-flow analysis (flow.go) finds them across the project.
	ReadSites []*Read
	Sinks     []*Sink

	// Classes is what each class does with requests (login and logout,
	// certificate parsing and verification, a RemoteUserMiddleware's
	// header), for the rules that ask of a class rather than a read.
	Classes []ClassInfo
	// Funcs is the same per top-level function (middleware factories,
	// views): login/logout and certificate handling.
	Funcs []ClassInfo
}

// AnalyseApp collects what the classes and top-level functions of a
// module do with requests. The reads of request headers and how the code
// decides on them are the data-flow analysis's (flow.go), which fills
// ReadSites and Sinks.
func AnalyseApp(m *Module) *AppCode {
	a := &appAnalysis{m: m, out: &AppCode{}}
	a.stmts(m.AllStmts(), nil)
	return a.out
}

type appAnalysis struct {
	m   *Module
	out *AppCode
}

func (a *appAnalysis) stmts(stmts []Stmt, info *ClassInfo) {
	for _, s := range stmts {
		switch x := s.(type) {
		case *ClassDef:
			ci := ClassInfo{Name: x.Name, Range: a.m.lineRange(a.m.lines.Pos(x.Start).Line)}
			for _, b := range x.Bases {
				name := a.m.Text(b)
				ci.Bases = append(ci.Bases, name)
				if strings.HasSuffix(name, "RemoteUserMiddleware") {
					ci.RemoteUser = true
				}
			}
			ci.Middleware = strings.HasSuffix(x.Name, "Middleware") || ci.RemoteUser
			for _, st := range x.Body {
				switch y := st.(type) {
				case *Assign:
					for _, t := range y.Targets {
						if n, ok := t.(*Name); ok && n.ID == "header" {
							if c, ok := y.Value.(*Const); ok {
								if s, ok := c.Value.(Str); ok {
									ci.Header = &Setting{Value: string(s), Range: a.m.Range(c)}
								}
							}
						}
					}
				case *FuncDef:
					if y.Name == "__call__" || y.Name == "process_request" || y.Name == "process_view" {
						ci.Middleware = true
					}
				}
			}
			a.out.Classes = append(a.out.Classes, ci)
			idx := len(a.out.Classes) - 1
			for _, st := range x.Body {
				if f, ok := st.(*FuncDef); ok {
					a.stmts(f.Body, &a.out.Classes[idx])
				}
			}
			continue
		case *FuncDef:
			if info == nil {
				a.out.Funcs = append(a.out.Funcs, ClassInfo{Name: x.Name, Range: a.m.lineRange(a.m.lines.Pos(x.Start).Line)})
				a.stmts(x.Body, &a.out.Funcs[len(a.out.Funcs)-1])
			} else {
				a.stmts(x.Body, info)
			}
			continue
		}
		if info != nil {
			for e := range stmtExprs(s) {
				WalkExpr(e, func(e Expr) bool {
					a.note(e, info)
					return true
				})
			}
		}
		for _, body := range Bodies(s) {
			a.stmts(body, info)
		}
	}
}

// note records what a call or attribute inside a class or function does:
// a login or logout, parsing, verifying or reading the names of a
// certificate.
func (a *appAnalysis) note(e Expr, info *ClassInfo) {
	if c, ok := e.(*Call); ok {
		q := a.m.Text(c.Func)
		last := q[strings.LastIndex(q, ".")+1:]
		switch {
		case last == "login" && (q == "login" || strings.HasSuffix(q, "auth.login")):
			info.Login = append(info.Login, a.m.Range(c))
		case last == "logout" && (q == "logout" || strings.HasSuffix(q, "auth.logout")):
			info.Logout = append(info.Logout, a.m.Range(c))
		case strings.Contains(q, "load_pem_x509_certificate") || strings.Contains(q, "load_certificate") || strings.Contains(q, "load_der_x509_certificate"):
			info.LoadsCert = true
		case strings.Contains(strings.ToLower(last), "verify") || strings.Contains(q, "X509StoreContext") || strings.Contains(q, "X509Store"):
			info.VerifiesSig = true
		case last == "get_subject" || last == "get_issuer" || last == "rfc4514_string":
			info.ChecksDN = true
		}
	}
	if attr, ok := e.(*Attribute); ok && (attr.Attr == "subject" || attr.Attr == "issuer") {
		info.ChecksDN = true
	}
}

// Scope returns the class or top-level function a read's Scope names.
func (a *AppCode) Scope(name string) *ClassInfo {
	kind, n, _ := strings.Cut(name, ":")
	list := a.Funcs
	if kind == "class" {
		list = a.Classes
	}
	for i := range list {
		if list[i].Name == n {
			return &list[i]
		}
	}
	return nil
}
