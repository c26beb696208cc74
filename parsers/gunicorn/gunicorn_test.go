package gunicorn

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// load reads files (name → content) as one workspace of app-server files
// and describes what it found, one line per command: "file: server
// option=value ... @line", then "file: env NAME=VALUE", "file: script
// PATH", "file: runner PATH" and problems "problem KIND file:line".
func load(t *testing.T, files map[string]string) []string {
	t.Helper()
	var paths []string
	for p, c := range files {
		if Detect(p, []byte(c)) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	trees, probs := Load(readerOf(files), paths)
	var out []string
	for _, tr := range trees {
		name := tr.File.Path
		for _, c := range tr.Commands {
			parts := []string{name + ": " + c.Server}
			for _, o := range c.Options {
				parts = append(parts, fmt.Sprintf("%s=%s", o.Name, o.Str()))
			}
			if c.Default {
				parts = append(parts, "(default)")
			}
			if c.App != "" {
				parts = append(parts, "app "+c.App)
			}
			out = append(out, strings.Join(parts, " "))
		}
		for _, e := range tr.Env {
			out = append(out, fmt.Sprintf("%s: env %s=%s", name, e.Name, e.Value))
		}
		for _, s := range tr.Scripts {
			out = append(out, name+": script "+s.Text)
		}
		if tr.Runner != "" {
			out = append(out, name+": runner "+tr.Runner)
		}
	}
	for _, p := range probs {
		out = append(out, fmt.Sprintf("problem %s %s:%d", p.Kind, p.Range.File, p.Range.Start.Line))
	}
	return out
}

func check(t *testing.T, files map[string]string, want ...string) {
	t.Helper()
	got := load(t, files)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestDockerfile(t *testing.T) {
	check(t, map[string]string{"Dockerfile": `FROM python
ENV PORT=8000 DJANGO_SETTINGS_MODULE=proj.settings.prod
RUN pip install -r requirements.txt && \
    python manage.py collectstatic
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--forwarded-allow-ips=*", "proj.wsgi"]
`}, "Dockerfile: gunicorn bind=0.0.0.0:8000 forwarded_allow_ips=* app proj.wsgi",
		"Dockerfile: env PORT=8000", "Dockerfile: env DJANGO_SETTINGS_MODULE=proj.settings.prod")

	// ARG reaches ENV at build time; a shell-form CMD expands ENV at run
	// time; exec form expands nothing.
	check(t, map[string]string{"Dockerfile": `ARG APP_PORT=9000
FROM python:3.12
ARG BIND_HOST=0.0.0.0
ENV LISTEN=${BIND_HOST}:${APP_PORT}
CMD gunicorn --bind $LISTEN app:app
`}, "Dockerfile: gunicorn bind=0.0.0.0:9000 app app:app", "Dockerfile: env LISTEN=0.0.0.0:9000")
	check(t, map[string]string{"Dockerfile": `FROM python:3.12
ENV PORT=8000
CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "$PORT"]
`}, "Dockerfile: uvicorn bind=0.0.0.0:$PORT app app:app", "Dockerfile: env PORT=8000")

	// ENTRYPOINT and CMD in exec form are one command line.
	check(t, map[string]string{"Dockerfile": `FROM python:3.12
ENTRYPOINT ["gunicorn"]
CMD ["--bind", "0.0.0.0:8000", "app:app"]
`}, "Dockerfile: gunicorn bind=0.0.0.0:8000 app app:app")

	// A multi-stage build: the final stage inherits what it builds on.
	check(t, map[string]string{"Dockerfile": `FROM python:3.12 AS base
ENV FORWARDED_ALLOW_IPS=*
FROM base AS web
CMD exec uvicorn app:app --uds /run/app.sock
`}, "Dockerfile: uvicorn bind=unix:/run/app.sock app app:app", "Dockerfile: env FORWARDED_ALLOW_IPS=*")

	// An entrypoint script of the repository is read with the image's
	// environment; CMD passes through it.
	check(t, map[string]string{
		"Dockerfile": `FROM python:3.12
ENV WEB_BIND=0.0.0.0:8080
COPY docker/entrypoint /entrypoint
ENTRYPOINT ["/entrypoint"]
CMD ["web"]
`,
		"docker/entrypoint": "#!/bin/sh\nset -e\npython manage.py migrate --noinput\nexec gunicorn --bind \"$WEB_BIND\" proj.wsgi\n",
	}, "Dockerfile: env WEB_BIND=0.0.0.0:8080", "Dockerfile: script /entrypoint",
		"docker/entrypoint: gunicorn bind=0.0.0.0:8080 app proj.wsgi", "docker/entrypoint: runner Dockerfile")
}

func TestShellScripts(t *testing.T) {
	check(t, map[string]string{"bin/start.sh": `#!/bin/bash
: "${PORT:=8000}"
export HOST=0.0.0.0
if [ "$DEBUG" = 1 ]; then exec python manage.py runserver; fi
exec gosu app gunicorn -b "$HOST:$PORT" -k uvicorn.workers.UvicornWorker proj.asgi
`}, "bin/start.sh: runserver (default) app manage.py",
		"bin/start.sh: gunicorn bind=0.0.0.0:8000 worker_class=uvicorn.workers.UvicornWorker app proj.asgi",
		"bin/start.sh: env PORT=8000", "bin/start.sh: env HOST=0.0.0.0")
	// sh -c scripts, python -m, env wrappers.
	check(t, map[string]string{"run.sh": `env FORWARDED_ALLOW_IPS='*' sh -c "python3 -m uvicorn app:app --host 0.0.0.0 --forwarded-allow-ips=10.0.0.2"
daphne -b 0.0.0.0 -p 9000 --proxy-headers proj.asgi:application
hypercorn -b unix:/run/h.sock -p /run/h.pid app:app
`}, "run.sh: uvicorn forwarded_allow_ips=10.0.0.2 bind=0.0.0.0:8000 app app:app",
		"run.sh: daphne proxy_headers=true bind=0.0.0.0:9000 app proj.asgi:application",
		"run.sh: hypercorn bind=unix:/run/h.sock app app:app",
		"run.sh: env FORWARDED_ALLOW_IPS=*")
	// An address from a variable nothing sets is reported.
	check(t, map[string]string{"start.sh": "exec gunicorn --bind \"$BIND\" app:app\n"},
		"start.sh: gunicorn bind=$BIND app app:app", "problem not-analysed start.sh:1")
}

func TestProcfile(t *testing.T) {
	check(t, map[string]string{"Procfile": "web: python manage.py runserver 0.0.0.0:8000\nworker: uvicorn app:app --host 0.0.0.0 --port 9000 --proxy-headers\n"},
		"Procfile: runserver bind=0.0.0.0:8000 app manage.py", "Procfile: uvicorn proxy_headers=true bind=0.0.0.0:9000 app app:app")
}

func TestSystemd(t *testing.T) {
	check(t, map[string]string{
		"deploy/systemd/web.service": `[Unit]
Description=web

[Service]
Environment="BIND=0.0.0.0:8000" DJANGO_SETTINGS_MODULE=proj.settings
EnvironmentFile=-/srv/web/deploy/web.env
ExecStart=/srv/web/.venv/bin/gunicorn \
    --bind ${BIND} \
    $EXTRA proj.wsgi
`,
		"deploy/web.env": "# gunicorn\nEXTRA=--forwarded-allow-ips=*\n",
	}, "deploy/systemd/web.service: gunicorn bind=0.0.0.0:8000 forwarded_allow_ips=* app proj.wsgi",
		"deploy/systemd/web.service: env BIND=0.0.0.0:8000", "deploy/systemd/web.service: env DJANGO_SETTINGS_MODULE=proj.settings",
		"deploy/systemd/web.service: env EXTRA=--forwarded-allow-ips=*")
	// A socket unit's ListenStream is where gunicorn listens.
	check(t, map[string]string{
		"systemd/app.service": "[Service]\nExecStart=/usr/bin/gunicorn -c /etc/app/gunicorn.conf.py\n",
		"systemd/app.socket":  "[Socket]\nListenStream=8000\nListenStream=/run/app.sock\n",
	}, "systemd/app.service: gunicorn config=/etc/app/gunicorn.conf.py bind=[::]:8000 bind=unix:/run/app.sock")
	// An EnvironmentFile outside the repository leaves the address open.
	check(t, map[string]string{"app.service": "[Service]\nEnvironmentFile=/etc/app/env\nExecStart=/usr/bin/uvicorn app:app --host $HOST\n"},
		"app.service: uvicorn bind=$HOST:8000 app app:app", "problem not-analysed app.service:3")
	check(t, map[string]string{"bad.service": "[Unit\n[Service]\nExecStart=/usr/bin/gunicorn 'app:app\nnot a setting\n"},
		"problem syntax bad.service:1", "problem syntax bad.service:4", "problem syntax bad.service:3")
}

func TestSupervisor(t *testing.T) {
	check(t, map[string]string{"deploy/supervisor/web.conf": `[program:web]
command=/srv/app/venv/bin/uwsgi --http-socket 0.0.0.0:%(ENV_PORT)s --module app:app
environment=PORT="9000",UWSGI_PROTOCOL="http"
directory=/srv/app

[program:worker]
command=celery -A proj worker
`}, "deploy/supervisor/web.conf: uwsgi bind=0.0.0.0:9000 protocol=http app app:app",
		"deploy/supervisor/web.conf: env PORT=9000", "deploy/supervisor/web.conf: env UWSGI_PROTOCOL=http")
}

func TestUWSGIConfigs(t *testing.T) {
	check(t, map[string]string{"uwsgi.ini": `[uwsgi]
module = proj.wsgi:application
base = 127.0.0.1
socket = %(base):3031
http-socket = :8000
env = DJANGO_SETTINGS_MODULE=proj.settings
route-if = equal:${HTTP_X_SSL_CLIENT_VERIFY};SUCCESS continue:
`}, "uwsgi.ini: uwsgi socket=127.0.0.1:3031 bind=:8000 route=equal:${HTTP_X_SSL_CLIENT_VERIFY};SUCCESS continue: app proj.wsgi:application",
		"uwsgi.ini: env DJANGO_SETTINGS_MODULE=proj.settings", "problem not-analysed uwsgi.ini:7")
	check(t, map[string]string{"deploy/uwsgi.yaml": "uwsgi:\n  socket:\n    - 0.0.0.0:3031\n    - /run/app.sock\n  protocol: http\n"},
		"deploy/uwsgi.yaml: uwsgi socket=0.0.0.0:3031 socket=/run/app.sock protocol=http")
	check(t, map[string]string{"app.xml": "<uwsgi>\n  <uwsgi-socket>:3031</uwsgi-socket>\n  <master/>\n</uwsgi>\n"},
		"app.xml: uwsgi socket=:3031")
	check(t, map[string]string{"bad.xml": "<uwsgi>\n  <socket>:3031</sock>\n</uwsgi>\n"}, "problem syntax bad.xml:2")
	// uwsgi on a command line, with an option from its environment.
	check(t, map[string]string{"run.sh": "UWSGI_HTTP_SOCKET=0.0.0.0:9090 uwsgi --ini deploy/uwsgi.ini\n"},
		"run.sh: uwsgi config=deploy/uwsgi.ini bind=0.0.0.0:9090", "run.sh: env UWSGI_HTTP_SOCKET=0.0.0.0:9090")
}

func TestScanCommands(t *testing.T) {
	f := source.NewFile("docker-compose.yml", []byte("services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 app:app\n    environment:\n      - FORWARDED_ALLOW_IPS=*\n"))
	cmds, env := ScanCommands(f)
	if len(cmds) != 1 || cmds[0].Server != "gunicorn" || cmds[0].Options[0].Str() != "0.0.0.0:8000" {
		t.Fatalf("commands %+v", cmds)
	}
	if len(env) != 1 || env[0].Name != "FORWARDED_ALLOW_IPS" || env[0].Value != "*" {
		t.Errorf("env %+v", env)
	}
}

func TestRanges(t *testing.T) {
	content := "CMD [\"sh\", \"-c\", \"exec gunicorn --bind 0.0.0.0:8000 app:app\"]\n"
	trees, _ := Load(readerOf(map[string]string{"Dockerfile": "FROM x\n" + content}), []string{"Dockerfile"})
	o := trees[0].Commands[0].Options[0]
	f := trees[0].File
	if got := string(f.Content[o.Range.Start.Offset:o.Range.End.Offset]); got != "--bind 0.0.0.0:8000" {
		t.Errorf("bind range covers %q", got)
	}
}

func TestVersion(t *testing.T) {
	for files, want := range map[string]string{
		"requirements.txt\ngunicorn==20.1.0":                                  "20.1.0",
		"pyproject.toml\n[tool.poetry.dependencies]\ngunicorn = \"^21.2\"":    "21.2",
		"poetry.lock\n[[package]]\nname = \"gunicorn\"\nversion = \"22.0.0\"": "22.0.0",
		"requirements/prod.txt\nGunicorn>=19.9":                               "19.9",
	} {
		name, content, _ := cut(files)
		v, ok := Version(readerOf(map[string]string{name: content}), "gunicorn")
		if !ok || v.Version != want {
			t.Errorf("%s: got %q (%v), want %q", name, v.Version, ok, want)
		}
	}
	if _, ok := Version(readerOf(map[string]string{"requirements.txt": "django==3.2"}), "gunicorn"); ok {
		t.Error("found a version where none is pinned")
	}
	if Major("21.2.0") != 21 || Major("x") != -1 {
		t.Error("Major")
	}
}

// FuzzLoad reads arbitrary content as each kind of app-server file: no
// panic, every range inside the file that holds it.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{"CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\"]\n", "web: gunicorn -b :$PORT app:app\n", "ENV A=1 \\\n  B=2\n",
		"gunicorn --bind\n", "uwsgi --http :8000 --socket 0.0.0.0:9000\n", "x='unterminated gunicorn -b",
		"[Service]\nExecStart=@/usr/bin/gunicorn g -b ${B} \\\n  app\n", "[uwsgi]\nsocket = %(x)\n", "<uwsgi><socket>:1</socket></uwsgi>",
		"[program:x]\ncommand=daphne -e tcp:80:interface=0.0.0.0 a:b\nenvironment=A=\"1\",B=2\n", "uwsgi:\n  http: [':80']\n"} {
		f.Add([]byte(s))
	}
	names := []string{"Dockerfile", "Procfile", "run.sh", "web.service", "web.socket", "supervisord.conf", "uwsgi.ini", "uwsgi.yaml", "uwsgi.xml"}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, name := range names {
			files := map[string]string{name: string(b)}
			trees, probs := Load(readerOf(files), []string{name})
			for _, tr := range trees {
				for _, c := range tr.Commands {
					for _, r := range append([]source.Range{c.Range}, rangesOf(c.Options)...) {
						if r.File == name && (r.End.Offset > len(b) || r.Start.Offset > r.End.Offset) {
							t.Fatalf("%s: range %v out of bounds", name, r)
						}
					}
				}
				for _, e := range tr.Env {
					if e.Range.File == name && e.Range.End.Offset > len(b) {
						t.Fatalf("%s: env range %v out of bounds", name, e.Range)
					}
				}
			}
			for _, p := range probs {
				if p.Range.File != name || p.Message == "" {
					t.Fatalf("%s: problem %+v", name, p)
				}
			}
		}
	})
}

func rangesOf(opts []Option) []source.Range {
	var out []source.Range
	for _, o := range opts {
		out = append(out, o.Range)
	}
	return out
}

// BenchmarkVersion finds gunicorn's pin in a small project, as G001 does
// once per app of a workspace.
func BenchmarkVersion(b *testing.B) {
	r := readerOf(map[string]string{
		"requirements.txt":       "django==4.2\ngunicorn==21.2.0\n",
		"service/pyproject.toml": "[project]\ndependencies = [\"gunicorn>=20.1\"]\n",
	})
	b.ReportAllocs()
	for range b.N {
		if _, ok := Version(r, "gunicorn"); !ok {
			b.Fatal("no pin found")
		}
	}
}
