package gunicorn

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

func TestScanCommands(t *testing.T) {
	f := source.NewFile("Dockerfile", []byte(`FROM python
ENV PORT=8000 DJANGO_SETTINGS_MODULE=proj.settings.prod
RUN pip install -r requirements.txt && \
    python manage.py collectstatic
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--forwarded-allow-ips=*", "proj.wsgi"]
`))
	cmds, env := ScanCommands(f)
	if len(cmds) != 1 || cmds[0].Server != "gunicorn" {
		t.Fatalf("commands %+v", cmds)
	}
	got := map[string]string{}
	for _, o := range cmds[0].Options {
		s, _ := o.Value.Str()
		got[o.Name] = s
	}
	if got["bind"] != "0.0.0.0:8000" || got["forwarded_allow_ips"] != "*" {
		t.Errorf("options %v", got)
	}
	if len(env) != 2 || env[1].Name != "DJANGO_SETTINGS_MODULE" || env[1].Value != "proj.settings.prod" {
		t.Errorf("env %+v", env)
	}
	p := source.NewFile("Procfile", []byte("web: python manage.py runserver 0.0.0.0:8000\nworker: uvicorn app:app --host 0.0.0.0 --port 9000 --proxy-headers\n"))
	cmds, _ = ScanCommands(p)
	if len(cmds) != 2 || cmds[0].Server != "runserver" || cmds[1].Server != "uvicorn" {
		t.Fatalf("commands %+v", cmds)
	}
	for i, want := range []string{"0.0.0.0:8000", "0.0.0.0:9000"} {
		if s, _ := cmds[i].Options[0].Value.Str(); s != want {
			t.Errorf("command %d binds %q, want %q", i, s, want)
		}
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

func FuzzScanCommands(f *testing.F) {
	for _, s := range []string{"CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\"]\n", "web: gunicorn -b :$PORT app:app\n", "ENV A=1 \\\n  B=2\n", "gunicorn --bind\n", "uwsgi --http :8000 --socket 0.0.0.0:9000\n", "x='unterminated gunicorn -b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		f := source.NewFile("Dockerfile", b)
		cmds, env := ScanCommands(f)
		for _, c := range cmds {
			if c.Range.End.Offset > len(b) || c.Range.Start.Offset > c.Range.End.Offset {
				t.Fatalf("command range %v out of bounds", c.Range)
			}
		}
		for _, e := range env {
			if e.Range.End.Offset > len(b) {
				t.Fatalf("env range %v out of bounds", e.Range)
			}
		}
	})
}
