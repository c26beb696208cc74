package k8s

import (
	"strings"
	"testing"

	kube "github.com/mtlslint/mtlslint/parsers/k8s"
)

func container(command, args []string, env map[string]string) *kube.Container {
	c := &kube.Container{}
	for _, s := range command {
		c.Command = append(c.Command, kube.Scalar{Value: s, Set: true})
	}
	for _, s := range args {
		c.Args = append(c.Args, kube.Scalar{Value: s, Set: true})
	}
	for k, v := range env {
		c.Env = append(c.Env, kube.EnvVar{Name: kube.Scalar{Value: k, Set: true}, Value: kube.Scalar{Value: v, Set: true}})
	}
	return c
}

func TestContainerServer(t *testing.T) {
	cases := []struct {
		name          string
		command, args []string
		env           map[string]string
		server, binds string
		settings      string
	}{
		{"gunicorn with --bind", []string{"gunicorn"}, []string{"shop.wsgi", "--bind", "0.0.0.0:8000"}, nil, "gunicorn", "0.0.0.0:8000", ""},
		{"gunicorn -b= and two binds", []string{"gunicorn", "-b", "127.0.0.1:9000", "--bind=unix:/run/g.sock", "shop.wsgi"}, nil, nil, "gunicorn", "127.0.0.1:9000 unix:/run/g.sock", ""},
		{"gunicorn default bind", []string{"gunicorn", "shop.wsgi"}, nil, nil, "gunicorn", "127.0.0.1:8000", ""},
		{"gunicorn with PORT", []string{"gunicorn", "shop.wsgi"}, nil, map[string]string{"PORT": "5000"}, "gunicorn", "0.0.0.0:5000", ""},
		{"GUNICORN_CMD_ARGS", []string{"gunicorn", "shop.wsgi"}, nil, map[string]string{"GUNICORN_CMD_ARGS": "--bind=0.0.0.0:8080 --workers=2"}, "gunicorn", "0.0.0.0:8080", ""},
		{"python -m gunicorn and --env", []string{"python3", "-m", "gunicorn", "--env", "DJANGO_SETTINGS_MODULE=shop.settings", "shop.wsgi", "-b", ":8000"}, nil, nil, "gunicorn", "0.0.0.0:8000", "shop.settings"},
		{"shell script", []string{"/bin/sh", "-c", "python manage.py migrate && exec gunicorn 'shop.wsgi' --bind 0.0.0.0:8000"}, nil, nil, "gunicorn", "0.0.0.0:8000", ""},
		{"one string", []string{"gunicorn shop.wsgi -b 0.0.0.0:80"}, nil, nil, "gunicorn", "0.0.0.0:80", ""},
		{"runserver", []string{"python", "manage.py", "runserver", "0.0.0.0:8000", "--settings=shop.dev"}, nil, nil, "runserver", "0.0.0.0:8000", ""},
		{"runserver default", []string{"./manage.py", "runserver", "--settings=shop.dev"}, nil, nil, "runserver", "127.0.0.1:8000", "shop.dev"},
		{"uwsgi", []string{"uwsgi", "--http", ":8000", "--module", "shop.wsgi"}, nil, nil, "uwsgi", "0.0.0.0:8000", ""},
		{"daphne", []string{"daphne", "-b", "0.0.0.0", "-p", "8001", "shop.asgi:application"}, nil, nil, "daphne", "0.0.0.0:8001", ""},
		{"uvicorn", []string{"uvicorn", "shop.asgi:application", "--host", "0.0.0.0"}, nil, nil, "uvicorn", "0.0.0.0:8000", ""},
		{"settings from env", []string{"/docker-entrypoint.sh"}, nil, map[string]string{"DJANGO_SETTINGS_MODULE": "shop.settings"}, "", "", "shop.settings"},
		{"args only", nil, []string{"--port", "80"}, nil, "", "", ""},
		{"nginx", []string{"nginx", "-g", "daemon off;"}, nil, nil, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := containerServer(container(c.command, c.args, c.env))
			var binds []string
			for _, b := range a.Binds {
				binds = append(binds, b.String())
			}
			if a.Server != c.server || strings.Join(binds, " ") != c.binds {
				t.Errorf("server %q binds %q, want %q %q", a.Server, binds, c.server, c.binds)
			}
			want := c.settings
			if v := c.env["DJANGO_SETTINGS_MODULE"]; v != "" {
				want = v
			}
			if c.name == "runserver" {
				want = "shop.dev"
			}
			if a.SettingsModule != want {
				t.Errorf("settings %q, want %q", a.SettingsModule, want)
			}
			if a.isDjango() != (c.server != "" || want != "") {
				t.Errorf("isDjango %v", a.isDjango())
			}
		})
	}
}

func TestShellCommands(t *testing.T) {
	got := shellCommands(`cd /app; python manage.py collectstatic --noinput && exec gunicorn "a b" x\ y | tee log`)
	var parts []string
	for _, c := range got {
		parts = append(parts, strings.Join(c, ","))
	}
	want := "cd,/app python,manage.py,collectstatic,--noinput exec,gunicorn,a b,x y tee,log"
	if strings.Join(parts, " ") != want {
		t.Errorf("got  %q\nwant %q", strings.Join(parts, " "), want)
	}
}
