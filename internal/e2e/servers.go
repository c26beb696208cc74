package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/internal/supervise"
)

// Debian's servers, by absolute path: another python3 earlier on PATH may
// lack Django and gunicorn.
const (
	NginxBin   = "/usr/sbin/nginx"
	HAProxyBin = "/usr/sbin/haproxy"
	PythonBin  = "/usr/bin/python3"
	ApacheBin  = "/usr/sbin/apache2"
	CaddyBin   = "/usr/bin/caddy"
	// UWSGIBin is Debian's uWSGI; scenarios load its python3 plugin
	// (uwsgi-plugin-python3) with --plugin python3.
	UWSGIBin = "/usr/bin/uwsgi"
	// ApacheModules is where Debian installs httpd's modules; scenarios
	// load mod_ssl, mod_headers, mod_proxy(_http) and mod_wsgi from it.
	ApacheModules = "/usr/lib/apache2/modules"
)

// InstallHint says what provides the servers the suite starts.
const InstallHint = "apt-get install nginx-core haproxy python3-django gunicorn apache2 libapache2-mod-wsgi-py3 caddy uwsgi uwsgi-plugin-python3 python3-flask uvicorn python3-fastapi python3-djangorestframework"

// Bounds on every wait.
const (
	startTimeout = 15 * time.Second // until a server answers; stopping is bounded by supervise.StopGrace
)

// Versions describes the servers found on this machine.
type Versions struct {
	Nginx, HAProxy, Django, Gunicorn, Apache, Caddy string
	// UWSGI, Uvicorn, Flask, FastAPI: the servers and frameworks of the
	// scenarios whose app is not Django's; DRF: Django REST framework.
	UWSGI, Uvicorn, Flask, FastAPI, DRF string
}

// Probe reports the versions of the servers and, for each missing one, why.
// A missing HAProxy only matters to scenarios with a haproxy.cfg.
func Probe() (v Versions, missing map[string]string) {
	missing = map[string]string{}
	if out, err := exec.Command(NginxBin, "-v").CombinedOutput(); err != nil {
		missing["nginx"] = fmt.Sprintf("%s: %v", NginxBin, err)
	} else {
		v.Nginx = strings.TrimPrefix(strings.TrimSpace(string(out)), "nginx version: ")
	}
	if out, err := exec.Command(HAProxyBin, "-v").CombinedOutput(); err != nil {
		missing["haproxy"] = fmt.Sprintf("%s: %v", HAProxyBin, err)
	} else {
		// "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/"
		first, _, _ := strings.Cut(string(out), "\n")
		v.HAProxy = strings.TrimSpace(first)
		if f := strings.Fields(first); len(f) >= 3 {
			v.HAProxy = "HAProxy/" + f[2]
		}
	}
	if out, err := exec.Command(ApacheBin, "-v").CombinedOutput(); err != nil {
		missing["apache2"] = fmt.Sprintf("%s: %v", ApacheBin, err)
	} else {
		// "Server version: Apache/2.4.71 (Debian)"
		first, _, _ := strings.Cut(string(out), "\n")
		if f := strings.Fields(first); len(f) >= 3 {
			v.Apache = f[2]
		}
	}
	if _, err := os.Stat(ApacheModules + "/mod_wsgi.so"); err != nil {
		missing["libapache2-mod-wsgi-py3"] = fmt.Sprintf("%s/mod_wsgi.so: %v", ApacheModules, err)
	}
	if out, err := exec.Command(CaddyBin, "version").CombinedOutput(); err != nil {
		missing["caddy"] = fmt.Sprintf("%s: %v", CaddyBin, err)
	} else if f := strings.Fields(string(out)); len(f) > 0 {
		v.Caddy = "Caddy/" + strings.TrimPrefix(f[0], "v")
	}
	cmd := exec.Command(PythonBin, "-c", "import django, gunicorn; print(django.get_version(), gunicorn.__version__)")
	cmd.Env = baseEnv("/")
	if out, err := cmd.CombinedOutput(); err != nil {
		missing["python3-django gunicorn"] = fmt.Sprintf("%s cannot import django and gunicorn: %v %s", PythonBin, err, bytes.TrimSpace(out))
	} else if f := strings.Fields(string(out)); len(f) == 2 {
		v.Django, v.Gunicorn = "Django/"+f[0], "gunicorn/"+f[1]
	}
	if out, err := exec.Command(UWSGIBin, "--plugin", "python3", "--version").CombinedOutput(); err != nil {
		missing["uwsgi uwsgi-plugin-python3"] = fmt.Sprintf("%s --plugin python3: %v %s", UWSGIBin, err, bytes.TrimSpace(out))
	} else {
		v.UWSGI = "uWSGI/" + strings.TrimSpace(string(out))
	}
	cmd = exec.Command(PythonBin, "-c", "import flask, fastapi, uvicorn; from importlib.metadata import version; print(version('flask'), fastapi.__version__, uvicorn.__version__)")
	cmd.Env = baseEnv("/")
	if out, err := cmd.CombinedOutput(); err != nil {
		missing["python3-flask uvicorn python3-fastapi"] = fmt.Sprintf("%s cannot import flask, fastapi and uvicorn: %v %s", PythonBin, err, bytes.TrimSpace(out))
	} else if f := strings.Fields(string(out)); len(f) == 3 {
		v.Flask, v.FastAPI, v.Uvicorn = "Flask/"+f[0], "FastAPI/"+f[1], "uvicorn/"+f[2]
	}
	cmd = exec.Command(PythonBin, "-c", "import rest_framework; print(rest_framework.VERSION)")
	cmd.Env = baseEnv("/")
	if out, err := cmd.CombinedOutput(); err != nil {
		missing["python3-djangorestframework"] = fmt.Sprintf("%s cannot import rest_framework: %v %s", PythonBin, err, bytes.TrimSpace(out))
	} else {
		v.DRF = "djangorestframework/" + strings.TrimSpace(string(out))
	}
	return v, missing
}

// Process is a server the harness started, in its own process group.
type Process = supervise.Process

// start runs argv in its own process group, with output to log.
func start(name string, argv []string, dir string, env []string, log string, stop syscall.Signal) (*Process, error) {
	return supervise.Start(name, argv, dir, env, log, stop)
}

// Servers are the running processes of one deployment.
type Servers struct {
	Procs []*Process
}

// Up starts the app server, then the proxies the site configures
// (nginx.conf, haproxy.cfg, apache.conf, Caddyfile), and waits until each
// answers. A scenario whose app runs inside httpd (mod_wsgi) starts no app
// server. t.Cleanup stops them by PID, proxies first.
func Up(t testing.TB, d *Deployment) (*Servers, error) {
	s := &Servers{}
	if !d.Scenario.InProxy {
		if err := upApp(t, d, s); err != nil {
			return s, err
		}
	}
	return s, upProxies(t, d, s)
}

// upApp starts the Procfile's web process and waits until it answers.
func upApp(t testing.TB, d *Deployment, s *Servers) error {
	app, err := startApp(d)
	if err != nil {
		return err
	}
	s.track(t, app)
	return waitUntil(startTimeout, "the app to answer on "+d.AppAddr, []*Process{app}, func() error {
		r := fetch(context.Background(), Request{Addr: d.AppAddr, Host: "127.0.0.1"})
		if r.Err != nil {
			return r.Err
		}
		if r.Location != "" {
			return nil // a redirect (SECURE_SSL_REDIRECT): the app answers
		}
		if !r.FromApp || r.Report.Error != "" {
			return fmt.Errorf("unexpected answer: HTTP %d %s%s", r.Status, r.Report.Error, r.Body)
		}
		return nil
	})
}

// upProxies starts the proxies the site configures and waits until each
// listens.
func upProxies(t testing.TB, d *Deployment, s *Servers) error {
	var proxies []*Process
	add := func(name string, argv []string, stop syscall.Signal, env []string) error {
		p, err := start(name, argv, d.Site, env, filepath.Join(d.Run, name+".out"), stop)
		if err != nil {
			return err
		}
		s.track(t, p)
		proxies = append(proxies, p)
		return nil
	}
	if d.Has("nginx.conf") {
		if err := add("nginx", []string{NginxBin,
			"-c", filepath.Join(d.Site, "nginx.conf"),
			"-p", d.Run + "/",
			"-e", filepath.Join(d.Run, "nginx-startup.log"),
			"-g", "daemon off;",
		}, syscall.SIGTERM, baseEnv(d.Run)); err != nil {
			return err
		}
	}
	if d.Has("haproxy.cfg") {
		if err := add("haproxy", []string{HAProxyBin, "-db", "-f", filepath.Join(d.Site, "haproxy.cfg")}, syscall.SIGTERM, baseEnv(d.Run)); err != nil {
			return err
		}
	}
	if d.Has("apache.conf") {
		// The configuration sets its own ServerRoot, PidFile, ErrorLog
		// and DefaultRuntimeDir under {{TMP}}; SIGTERM stops httpd and its
		// children (mod_wsgi's daemon processes included).
		if err := add("apache2", []string{ApacheBin, "-f", filepath.Join(d.Site, "apache.conf"), "-DFOREGROUND"}, syscall.SIGTERM, baseEnv(d.Run)); err != nil {
			return err
		}
	}
	if d.Has("Caddyfile") {
		// Caddy keeps its data and autosaved configuration under
		// XDG_DATA_HOME / XDG_CONFIG_HOME; the Caddyfiles turn the admin
		// endpoint off.
		env := append(baseEnv(d.Run), "XDG_DATA_HOME="+filepath.Join(d.Run, "caddy-data"), "XDG_CONFIG_HOME="+filepath.Join(d.Run, "caddy-config"))
		if err := add("caddy", []string{CaddyBin, "run", "--config", filepath.Join(d.Site, "Caddyfile"), "--adapter", "caddyfile"}, syscall.SIGTERM, env); err != nil {
			return err
		}
	}
	for _, l := range d.Listeners {
		if l.Kind != PortTLS && l.Kind != PortPlain {
			continue
		}
		addr := fmt.Sprintf("127.0.0.1:%d", l.Port)
		if err := waitUntil(startTimeout, "a proxy to listen on "+addr+" ("+l.Name+")", proxies, supervise.Accepts(addr)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Servers) track(t testing.TB, p *Process) {
	s.Procs = append(s.Procs, p)
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Error(err)
		}
	})
}

// Logs returns the tail of every server's output, for a failure message.
func (s *Servers) Logs(d *Deployment) string {
	var b strings.Builder
	for _, p := range s.Procs {
		fmt.Fprintf(&b, "--- %s (%s)\n%s\n", p.Name, p.Log, p.Tail(25))
	}
	for _, name := range []string{"error.log", "nginx-startup.log", "apache-error.log"} {
		if t := supervise.Tail(filepath.Join(d.Run, name), 15); t != "" {
			fmt.Fprintf(&b, "--- %s\n%s\n", name, t)
		}
	}
	return b.String()
}

// startApp runs the Procfile's web command: gunicorn (stopped with
// SIGQUIT, which does not wait for requests), manage.py runserver
// --noreload (a single process, stopped with SIGTERM), uWSGI (stopped with
// SIGINT: SIGTERM makes uWSGI 2.0 reload) or uvicorn (SIGTERM).
func startApp(d *Deployment) (*Process, error) {
	args, err := procfileCommand(d.Site)
	if err != nil {
		return nil, err
	}
	var argv []string
	stop := syscall.SIGTERM
	switch filepath.Base(args[0]) {
	case "gunicorn":
		argv = append([]string{PythonBin, "-m", "gunicorn"}, args[1:]...)
		stop = syscall.SIGQUIT
	case "python", "python3":
		argv = append([]string{PythonBin}, args[1:]...)
		if slices.Contains(args, "runserver") && !slices.Contains(args, "--noreload") {
			return nil, errors.New("the Procfile runs runserver without --noreload: the reloader's child would outlive the stop")
		}
	case "uwsgi":
		argv = append([]string{UWSGIBin}, args[1:]...)
		stop = syscall.SIGINT
	case "uvicorn":
		argv = append([]string{PythonBin, "-m", "uvicorn"}, args[1:]...)
	default:
		return nil, fmt.Errorf("the Procfile's web command %q is not supported (gunicorn, uwsgi, uvicorn or python3 manage.py runserver)", args[0])
	}
	env := baseEnv(d.Run)
	env = append(env,
		"DJANGO_SETTINGS_MODULE=e2eapp.settings",
		"DJANGO_SECRET_KEY=e2e-only-"+d.Scenario.Name+"-a8f3c1d9e7b2",
	)
	for _, k := range sortedKeys(d.Scenario.Env) {
		env = append(env, k+"="+d.Scenario.Env[k])
	}
	return start("app", argv, d.Site, env, filepath.Join(d.Run, "app.out"), stop)
}

// baseEnv is a small, fixed environment: nothing from the caller's (such
// as FORWARDED_ALLOW_IPS or PYTHONPATH) changes what the servers do.
func baseEnv(home string) []string {
	return []string{
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + home,
		"LANG=C.UTF-8",
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONUNBUFFERED=1",
	}
}

// waitUntil polls probe until it succeeds, one of procs exits, or the
// timeout passes.
func waitUntil(timeout time.Duration, what string, procs []*Process, probe func() error) error {
	return supervise.WaitUntil(context.Background(), timeout, what, procs, probe)
}
