package django

import (
	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/rules"
)

// Starlette's TrustedHostMiddleware is a Host allow-list, as Django's
// ALLOWED_HOSTS is: starlette.middleware.trustedhost.TrustedHostMiddleware
// (app, allowed_hosts=None, www_redirect=True) answers 400 to a request
// whose Host (without its port) matches no pattern ("app.example.com",
// "*.example.com"); allowed_hosts None means ["*"], and "*" in the list
// lets every request through. It is installed three ways, each with
// allowed_hosts second or by name:
//
//	app.add_middleware(TrustedHostMiddleware, allowed_hosts=[...])
//	Middleware(TrustedHostMiddleware, allowed_hosts=[...])
//	TrustedHostMiddleware(app, allowed_hosts=[...])

// trustedHostWildcards reports each TrustedHostMiddleware of an app
// module that accepts every Host: "*" in a literal allowed_hosts, or no
// allowed_hosts at all. A list that is not a literal is left alone, as
// ALLOWED_HOSTS of unknown value is.
func trustedHostWildcards(t *python.Tree) []rules.Diagnostic {
	m := t.Module
	if m == nil {
		return nil
	}
	var out []rules.Diagnostic
	eachCall(m, func(c *python.Call) {
		if !installsTrustedHost(c) {
			return
		}
		if d, ok := trustedHostWildcard(m, c); ok {
			out = append(out, d)
		}
	})
	return out
}

// installsTrustedHost says whether a call installs TrustedHostMiddleware:
// the class called, or passed first to add_middleware or Middleware.
func installsTrustedHost(c *python.Call) bool {
	switch calleeName(c.Func) {
	case "TrustedHostMiddleware":
		return true
	case "add_middleware", "Middleware":
		return len(c.Args) > 0 && calleeName(c.Args[0]) == "TrustedHostMiddleware"
	}
	return false
}

func trustedHostWildcard(m *python.Module, c *python.Call) (rules.Diagnostic, bool) {
	key := rules.SettingKey(m.Range(c).String(), "TrustedHostMiddleware.allowed_hosts", false, "")
	hosts := argExpr(c, 1, "allowed_hosts")
	if hosts == nil || isNoneConst(hosts) {
		return rules.Diagnostic{Range: m.Range(c), Key: key,
			Message: "TrustedHostMiddleware without allowed_hosts (default ['*']): any Host header is accepted."}, true
	}
	seq, ok := hosts.(*python.SeqExpr)
	if !ok {
		return rules.Diagnostic{}, false
	}
	for _, e := range seq.Elts {
		if k, ok := e.(*python.Const); ok {
			if s, ok := k.Value.(python.Str); ok && string(s) == "*" {
				return rules.Diagnostic{Range: m.Range(k), Key: key,
					Message: "TrustedHostMiddleware allowed_hosts contains '*': any Host header is accepted."}, true
			}
		}
	}
	return rules.Diagnostic{}, false
}

func isNoneConst(e python.Expr) bool {
	k, ok := e.(*python.Const)
	if !ok {
		return false
	}
	_, none := k.Value.(python.NoneObj)
	return none
}
