package django_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
	"github.com/mtlslint/mtlslint/rules/django"
)

// G001 decides a bind by the deployment model's direct paths. An engine
// that is handed the rules but not the app builders builds a model that
// knows no app, so no bind: G001 then judges from the file alone. A bind
// in a container is undecided there (medium, saying so), a host bind is
// reported at the rule's severity, a loopback bind not at all; through the
// whole pipeline the model decides the same Dockerfile bind, undecided too.
func TestBindPublicWithoutTheModelsApps(t *testing.T) {
	const settings = "SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")\n"
	for _, tc := range []struct {
		name, file, text string
		want             string // "" none, else severity and a part of the message
		wantPipeline     string
	}{
		{"container bind", "Dockerfile", "FROM python:3.12-slim\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"wsgi:application\"]\n",
			"medium in a container; undecided whether clients reach it", "medium undecided whether a client on the network connects to :8000 (container port)"},
		{"container loopback bind", "Dockerfile", "FROM python:3.12-slim\nCMD [\"gunicorn\", \"--bind\", \"127.0.0.1:8000\", \"wsgi:application\"]\n",
			"", ""},
		{"host bind", "gunicorn.conf.py", "bind = \"0.0.0.0:8000\"\nwsgi_app = \"wsgi:application\"\n",
			"critical so clients can skip the proxy", "critical listens on 0.0.0.0:8000 on the host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range map[string]string{"settings.py": settings, tc.file: tc.text} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, err := lint.Run(context.Background(), lint.Options{Root: dir, NoConfig: true, Select: []string{"G001"}})
			if err != nil {
				t.Fatal(err)
			}
			check := func(how string, fs []rules.Finding, want string) {
				t.Helper()
				var got []string
				for _, f := range fs {
					if f.Code == "G001" {
						got = append(got, f.Severity.String()+" "+f.Message+" "+f.Detail)
					}
				}
				switch {
				case want == "" && len(got) > 0:
					t.Errorf("%s: got %q, want no G001", how, got)
				case want != "" && (len(got) != 1 || !strings.HasPrefix(got[0], strings.Fields(want)[0]+" ") || !strings.Contains(got[0], strings.SplitN(want, " ", 2)[1])):
					t.Errorf("%s: got %q, want one G001 %q", how, got, want)
				}
			}
			check("pipeline", res.Findings, tc.wantPipeline)
			bare := &rules.Engine{Rules: []*rules.Rule{django.BindPublic}}
			check("engine without app builders", bare.Run(context.Background(), res.Workspace).Findings, tc.want)
		})
	}
}
