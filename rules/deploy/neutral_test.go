package deploy_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// proxySyntax is what only one proxy's configuration says.
var proxySyntax = []string{"$ssl_", "${ssl_", "ssl_c_", "%[", "proxy_set_header", "http-request", "del-header", "add-header"}

// The cross-file rules read only the deployment model: they import no
// rule family, never branch on which proxy a route comes from, and never
// look for a proxy's syntax in a header's value (the route builders say
// what a value carries, and how to fix a route in its own syntax).
func TestProxyNeutral(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/mtlslint/mtlslint/") && p != "github.com/mtlslint/mtlslint/rules" && p != "github.com/mtlslint/mtlslint/parsers/source" {
				t.Errorf("%s imports %s: cross-file rules import only rules and parsers/source", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.KeyValueExpr:
				// A rule's documentation speaks of every proxy.
				if k, ok := x.Key.(*ast.Ident); ok && (k.Name == "Doc" || k.Name == "Summary") {
					return false
				}
			case *ast.SelectorExpr:
				if x.Sel.Name == "Proxy" {
					t.Errorf("%s reads which proxy a route comes from", fset.Position(x.Pos()))
				}
			case *ast.BasicLit:
				for _, syntax := range proxySyntax {
					if x.Kind == token.STRING && strings.Contains(x.Value, syntax) {
						t.Errorf("%s: %s is proxy syntax; the route builder says what a value carries and how to fix the route", fset.Position(x.Pos()), syntax)
					}
				}
			}
			return true
		})
	}
}
