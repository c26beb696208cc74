package django_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
)

// TestForwardedAllowAllSeverityFollowsTheBind: forwarded_allow_ips = "*"
// matters only when something other than the local proxy reaches gunicorn.
func TestForwardedAllowAllSeverityFollowsTheBind(t *testing.T) {
	for _, tc := range []struct {
		bind string
		want rules.Severity
	}{{`"127.0.0.1:8000"`, rules.Low}, {`"unix:/run/app.sock"`, rules.Low}, {`"0.0.0.0:8000"`, rules.High}} {
		dir := t.TempDir()
		conf := "bind = " + tc.bind + "\nforwarded_allow_ips = \"*\"\n"
		if err := os.WriteFile(filepath.Join(dir, "gunicorn.conf.py"), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := lint.Run(context.Background(), lint.Options{Root: dir, NoConfig: true, Select: []string{"G002"}})
		if err != nil {
			t.Fatal(err)
		}
		var got []rules.Severity
		for _, d := range res.Findings {
			if d.Code == "G002" {
				got = append(got, d.Severity)
			}
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("bind %s: G002 severities %v, want [%v]", tc.bind, got, tc.want)
		}
	}
}
