package django

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/rules"
)

// The middlewares that rewrite a request from proxy headers before the
// app sees it, each with its parameters and defaults as its source
// declares them:
//
//   - werkzeug.middleware.proxy_fix.ProxyFix(app, x_for=1, x_proto=1,
//     x_host=0, x_port=0, x_prefix=0): each count is how many values of
//     the header it takes from the right (one per proxy), from any peer;
//   - uvicorn.middleware.proxy_headers.ProxyHeadersMiddleware(app,
//     trusted_hosts="127.0.0.1"): X-Forwarded-Proto and X-Forwarded-For
//     from the peers listed ("*": any);
//   - hypercorn.middleware.ProxyFixMiddleware(app, mode="legacy",
//     trusted_hops=1): X-Forwarded-For, -Proto and -Host ("legacy") or
//     Forwarded ("modern"), trusted_hops values from the right, from any
//     peer.

// proxyFixHeaders are ProxyFix's parameters in order after app, the header
// each trusts, its default count, and what the header decides.
var proxyFixHeaders = []struct {
	param, header string
	dflt          int
	address       bool
	value         string
}{
	{"x_for", "HTTP_X_FORWARDED_FOR", 1, true, ""},
	{"x_proto", "HTTP_X_FORWARDED_PROTO", 1, false, "https"},
	{"x_host", "HTTP_X_FORWARDED_HOST", 0, false, ""},
	{"x_port", "HTTP_X_FORWARDED_PORT", 0, false, ""},
	{"x_prefix", "HTTP_X_FORWARDED_PREFIX", 0, true, ""},
}

// proxyMiddlewareTrusts returns the proxy headers the middlewares wrapped
// around an app in the module trust.
func proxyMiddlewareTrusts(t *python.Tree) []rules.Trust {
	m := t.Module
	if m == nil {
		return nil
	}
	var out []rules.Trust
	eachCall(m, func(c *python.Call) { out = append(out, middlewareCall(m, c)...) })
	return out
}

// eachCall calls f with every call expression of the module.
func eachCall(m *python.Module, f func(*python.Call)) {
	for _, top := range m.Stmts {
		python.WalkStmts(top.Body, func(s python.Stmt) bool {
			for _, e := range python.StmtExprs(s) {
				python.WalkExpr(e, func(e python.Expr) bool {
					if c, ok := e.(*python.Call); ok {
						f(c)
					}
					return true
				})
			}
			return true
		})
	}
}

// middlewareCall reads one call of a proxy middleware.
func middlewareCall(m *python.Module, c *python.Call) []rules.Trust {
	r := m.Range(c)
	var out []rules.Trust
	switch calleeName(c.Func) {
	case "ProxyFix":
		for i, p := range proxyFixHeaders {
			n, ok := intArg(c, i+1, p.param, p.dflt)
			if !ok {
				n = max(p.dflt, 1) // not a literal: the header is trusted, how deep is not known
			}
			if n <= 0 {
				continue
			}
			out = append(out, rules.Trust{Header: p.header, Source: "werkzeug ProxyFix", Range: r, Value: p.value,
				Scheme: true, Address: p.address, Hops: n})
		}
	case "ProxyHeadersMiddleware":
		peers := []string{"127.0.0.1"}
		if s, ok := strArg(c, 1, "trusted_hosts"); ok {
			peers = splitList(s)
		} else if argExpr(c, 1, "trusted_hosts") != nil {
			peers = []string{"*"} // a list or a variable: taken as any peer
		}
		src := "uvicorn ProxyHeadersMiddleware"
		out = append(out,
			rules.Trust{Header: "HTTP_X_FORWARDED_PROTO", Value: "https", Source: src, Range: r, Scheme: true, PeerGated: true, Peers: peers},
			rules.Trust{Header: "HTTP_X_FORWARDED_FOR", Source: src, Range: r, Scheme: true, Address: true, PeerGated: true, Peers: peers, Hops: 1})
	case "ProxyFixMiddleware":
		hops, ok := intArg(c, 2, "trusted_hops", 1)
		if !ok {
			hops = 1
		}
		mode, ok := strArg(c, 1, "mode")
		if !ok && argExpr(c, 1, "mode") == nil {
			mode = "legacy"
		}
		src := "hypercorn ProxyFixMiddleware"
		switch mode {
		case "modern":
			out = append(out, rules.Trust{Header: "HTTP_FORWARDED", Source: src, Range: r, Scheme: true, Address: true, Hops: hops})
		default: // legacy, or not known: the legacy headers
			out = append(out,
				rules.Trust{Header: "HTTP_X_FORWARDED_FOR", Source: src, Range: r, Scheme: true, Address: true, Hops: hops},
				rules.Trust{Header: "HTTP_X_FORWARDED_PROTO", Value: "https", Source: src, Range: r, Scheme: true, Hops: hops},
				rules.Trust{Header: "HTTP_X_FORWARDED_HOST", Source: src, Range: r, Scheme: true, Hops: hops})
		}
	}
	return out
}

// calleeName is the last name of a called expression: ProxyFix for
// ProxyFix(...) and proxy_fix.ProxyFix(...).
func calleeName(e python.Expr) string {
	switch f := e.(type) {
	case *python.Name:
		return f.ID
	case *python.Attribute:
		return f.Attr
	}
	return ""
}

// argExpr returns the argument at position pos or keyword name, or nil.
func argExpr(c *python.Call, pos int, name string) python.Expr {
	for _, k := range c.Keywords {
		if k.Name == name {
			return k.Value
		}
	}
	if pos < len(c.Args) {
		return c.Args[pos]
	}
	return nil
}

// intArg returns an integer argument: its literal value, the default when
// it is not given, ok false when it is not a literal.
func intArg(c *python.Call, pos int, name string, dflt int) (int, bool) {
	e := argExpr(c, pos, name)
	if e == nil {
		return dflt, true
	}
	if k, ok := e.(*python.Const); ok {
		if i, ok := k.Value.(python.Int); ok && i.IsInt64() {
			return int(i.Int64()), true
		}
	}
	return 0, false
}

// strArg returns a literal string argument.
func strArg(c *python.Call, pos int, name string) (string, bool) {
	if k, ok := argExpr(c, pos, name).(*python.Const); ok {
		if s, ok := k.Value.(python.Str); ok {
			return strings.TrimSpace(string(s)), true
		}
	}
	return "", false
}
