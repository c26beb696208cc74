package prove

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
)

var proxyKinds = map[string]bool{parsers.KindNginx: true, parsers.KindHAProxy: true, parsers.KindApache: true, parsers.KindCaddy: true}

// TestFixturesConfigTest rewrites every proxy configuration of the
// fixture scenarios and runs each server's configuration test on the copy.
func TestFixturesConfigTest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every server's configuration test")
	}
	needServers(t, parsers.KindNginx, parsers.KindHAProxy, parsers.KindApache, parsers.KindCaddy)
	tmp := t.TempDir()
	var all []outcome
	for _, family := range []string{"nginx", "haproxy", "apache", "caddy", "crossfile"} {
		dirs, err := os.ReadDir(filepath.Join("..", "..", "fixtures", family))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			if !d.IsDir() {
				continue
			}
			dir := filepath.Join("..", "..", "fixtures", family, d.Name())
			outs := rewriteDir(t, dir, filepath.Join(tmp, family+"-"+d.Name()), proxyKinds)
			for _, o := range outs {
				if !o.Passed {
					t.Logf("%s/%s %s: %s", family, d.Name(), o.Root, o.Reason)
				}
			}
			all = append(all, outs...)
		}
	}
	t.Logf("fixtures:\n%s", summary(all))
}

func TestDebugOne(t *testing.T) {
	dir := os.Getenv("PROVE_DEBUG_DIR")
	if dir == "" {
		t.Skip()
	}
	for _, o := range rewriteDir(t, dir, t.TempDir(), proxyKinds) {
		t.Logf("%s %v %s\n%s", o.Root, o.Passed, o.Reason, o.Output)
		if o.Plan != nil {
			b, _ := os.ReadFile(o.Plan.Main)
			t.Logf("main %s:\n%s", o.Plan.Main, b)
			t.Logf("listeners %+v limits %v refusals %v src %v", o.Plan.Listeners, o.Plan.Limits, o.Plan.Refusals, o.Plan.SourceConditions)
		}
	}
}
