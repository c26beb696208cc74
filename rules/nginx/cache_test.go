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

// The route builder reuses the analysis the rules made of the same tree.
func TestBuildRoutesReusesTheRulesAnalysis(t *testing.T) {
	tree := loadOne(t)
	c := configOf(tree)
	routes := Routes.BuildRoutes(tree, &rules.Settings{})
	if len(routes) == 0 || len(routes) != len(c.routes) {
		t.Fatalf("%d routes, the analysis has %d", len(routes), len(c.routes))
	}
	for i, r := range routes {
		if r != c.routes[i].Route {
			t.Errorf("route %d was built again", i)
		}
	}
}

// The analyses of past trees are dropped: an editor server makes a new
// tree on every edit.
func TestAnalysisCacheIsBounded(t *testing.T) {
	first := loadOne(t)
	configOf(first)
	for i := 0; i < 3*maxAnalysed(); i++ {
		configOf(loadOne(t))
	}
	analysed.Lock()
	defer analysed.Unlock()
	if n := len(analysed.byTree); n > maxAnalysed() || len(analysed.order) != n {
		t.Errorf("%d analyses kept (order %d), at most %d", n, len(analysed.order), maxAnalysed())
	}
	if _, ok := analysed.byTree[first]; ok {
		t.Errorf("the first tree's analysis is still kept")
	}
}
