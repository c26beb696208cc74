package nginx

import (
	"testing"

	pnginx "github.com/mtlslint/mtlslint/parsers/nginx"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

const cachedConfig = `events {}
http {
    server {
        listen 443 ssl;
        location / { proxy_pass http://127.0.0.1:8000; }
    }
}
`

func loadOne(t *testing.T) *pnginx.Tree {
	t.Helper()
	trees, _ := pnginx.Load(oneFileReader{source.NewFile("nginx.conf", []byte(cachedConfig))}, []string{"nginx.conf"})
	if len(trees) != 1 {
		t.Fatalf("%d trees", len(trees))
	}
	return trees[0]
}

// The route builder reuses the view the rules made of the same tree in
// the same run.
func TestRoutesReuseTheRulesView(t *testing.T) {
	tree := loadOne(t)
	probe := &rules.Analysis{Name: "probe", Scope: rules.ScopeTree, Requires: []*rules.Analysis{treeConfig, Routes},
		Build: func(p *rules.Pass) any {
			c := analyse(p)
			routes := p.ResultOf(Routes).([]*rules.Route)
			if len(routes) == 0 || len(routes) != len(c.routes) {
				t.Fatalf("%d routes, the view has %d", len(routes), len(c.routes))
			}
			for i, r := range routes {
				if r != c.routes[i].Route {
					t.Errorf("route %d was built again", i)
				}
			}
			return nil
		}}
	rules.Evaluate(probe, nil, tree, nil)
}
