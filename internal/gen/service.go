package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// service holds the random choices of one repository.
type service struct {
	name    string // repository name
	project string // Python package
	domain  string
	root    string // prefix of absolute paths
	defects map[Defect]bool

	// port and socket are where gunicorn listens: distinct per service,
	// as for services deployed side by side.
	port   int
	socket string

	workers, timeout, bodyMB, keepalive int
	apiPaths                            []string
	apps                                []string
	rateLimit                           int
	admins                              []string
}

var (
	tlds        = []string{"example.com", "example.net", "example.org", "corp.example", "internal.example"}
	apiSegments = []string{"v1/accounts", "v1/invoices", "v1/orders", "v1/customers", "v1/tokens", "v2/events",
		"v2/reports", "v1/webhooks", "v1/exports", "v2/search", "v1/sessions", "v1/keys", "v2/limits", "v1/files"}
	thirdParty = []string{"rest_framework", "django_filters", "corsheaders", "django_celery_beat", "django_extensions",
		"storages", "health_check", "django_prometheus", "guardian", "simple_history", "import_export", "taggit"}
)

func newService(r *rand.Rand, i int, name, root string) *service {
	area, _, _ := strings.Cut(name, "-")
	s := &service{
		name:      name,
		project:   strings.ReplaceAll(area, "-", "_") + "_site",
		domain:    area + "." + tlds[r.IntN(len(tlds))],
		root:      root,
		defects:   map[Defect]bool{},
		workers:   2 + r.IntN(7),
		timeout:   30 + 10*r.IntN(7),
		bodyMB:    1 + r.IntN(50),
		keepalive: 8 + 8*r.IntN(4),
		rateLimit: 5 + r.IntN(45),
		port:      10000 + i%50000,
		socket:    root + "/run/gunicorn/" + name + ".sock",
	}
	perm := r.Perm(len(apiSegments))
	for _, i := range perm[:4+r.IntN(5)] {
		s.apiPaths = append(s.apiPaths, apiSegments[i])
	}
	perm = r.Perm(len(thirdParty))
	for _, i := range perm[:3+r.IntN(6)] {
		s.apps = append(s.apps, thirdParty[i])
	}
	for j := range 2 + r.IntN(4) {
		s.admins = append(s.admins, fmt.Sprintf("10.%d.%d.0/24", 10+r.IntN(200), j*16+r.IntN(16)))
	}
	return s
}

func (s *service) p(path string) string { return s.root + path }

// upstream is where the proxies send requests: a UNIX socket, or the
// public TCP port when gunicorn binds one.
func (s *service) upstreamNginx() string {
	if s.defects[PublicBind] {
		return fmt.Sprintf("127.0.0.1:%d", s.port)
	}
	return "unix:" + s.socket
}

func (s *service) files() []file {
	return []file{
		{"nginx.conf", s.nginxConf(), true},
		{"conf.d/api.conf", s.apiConf(), true},
		{"conf.d/admin.conf", s.adminConf(), true},
		{"haproxy.cfg", s.haproxyCfg(), true},
		{s.project + "/settings/__init__.py", s.settingsInit(), true},
		{s.project + "/settings/base.py", s.settingsBase(), true},
		{s.project + "/settings/production.py", s.settingsProduction(), true},
		{"gunicorn.conf.py", s.gunicornConf(), true},
		{"docker-compose.yml", s.compose(), true},
		{s.project + "/__init__.py", "", false},
		{s.project + "/wsgi.py", s.wsgi(), false},
		{s.project + "/urls.py", s.urls(), false},
		{s.project + "/middleware.py", s.middleware(), false},
		{s.project + "/views.py", s.views(), false},
		{"requirements.txt", s.requirements(), false},
		{"Dockerfile", s.dockerfile(), false},
		{"README.md", s.readme(), false},
		{"static/js/app.js", s.appJS(), false},
		{".gitignore", lines("*.pyc", "__pycache__/", ".venv/", "/static/collected/", ".env"), false},
	}
}

func (s *service) nginxConf() string {
	return lines(
		"# nginx front end for "+s.name+".",
		"# Deployed to /etc/nginx/nginx.conf by the release pipeline.",
		"",
		"user www-data;",
		"worker_processes auto;",
		"pid "+s.p("/run/nginx.pid")+";",
		"error_log "+s.p("/var/log/nginx/error.log")+" warn;",
		"",
		"events {",
		"    worker_connections 2048;",
		"    multi_accept on;",
		"}",
		"",
		"http {",
		"    types {",
		"        text/html                 html htm;",
		"        text/css                  css;",
		"        application/javascript    js;",
		"        application/json          json;",
		"        image/png                 png;",
		"        image/svg+xml             svg;",
		"        font/woff2                woff2;",
		"    }",
		"    default_type application/octet-stream;",
		"",
		"    log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '",
		"                    '$status $body_bytes_sent \"$http_referer\" '",
		"                    '\"$http_user_agent\" rt=$request_time uct=$upstream_connect_time '",
		"                    'cert=\"$ssl_client_s_dn\" verify=$ssl_client_verify';",
		"    access_log "+s.p("/var/log/nginx/access.log")+" main;",
		"",
		"    sendfile on;",
		"    tcp_nopush on;",
		"    tcp_nodelay on;",
		"    keepalive_timeout 65;",
		"    types_hash_max_size 2048;",
		"    server_tokens off;",
		fmt.Sprintf("    client_max_body_size %dm;", s.bodyMB),
		"",
		"    gzip on;",
		"    gzip_vary on;",
		"    gzip_proxied any;",
		"    gzip_comp_level 5;",
		"    gzip_types text/plain text/css application/json application/javascript image/svg+xml;",
		"",
		"    # TLS defaults shared by every server.",
		"    ssl_protocols TLSv1.2 TLSv1.3;",
		"    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384;",
		"    ssl_prefer_server_ciphers off;",
		"    ssl_session_timeout 1h;",
		"    ssl_session_tickets off;",
		"",
		fmt.Sprintf("    limit_req_zone $binary_remote_addr zone=api:10m rate=%dr/s;", s.rateLimit),
		"",
		"    map $http_upgrade $connection_upgrade {",
		"        default upgrade;",
		"        ''      close;",
		"    }",
		"",
		"    upstream app {",
		"        server "+s.upstreamNginx()+" fail_timeout=0;",
		fmt.Sprintf("        keepalive %d;", s.keepalive),
		"    }",
		"",
		"    # Plain HTTP only redirects.",
		"    server {",
		"        listen 80 default_server;",
		"        server_name _;",
		"        location / {",
		"            return 301 https://$host$request_uri;",
		"        }",
		"    }",
		"",
		"    include conf.d/*.conf;",
		"}",
	)
}

// tlsHeaders are the proxy_set_header lines every proxying level repeats.
func (s *service) tlsHeaders(indent string) []string {
	var out []string
	add := func(l string) { out = append(out, indent+l) }
	add("proxy_set_header Host $host;")
	add("proxy_set_header X-Real-IP $remote_addr;")
	add("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;")
	if !s.defects[SchemeHeader] {
		add("proxy_set_header X-Forwarded-Proto $scheme;")
	}
	if !s.defects[VerifyOptional] {
		add("proxy_set_header X-SSL-Client-Verify $ssl_client_verify;")
	}
	add("proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;")
	add("proxy_set_header X-SSL-Client-Serial $ssl_client_serial;")
	add("proxy_set_header X-SSL-Client-Fingerprint $ssl_client_fingerprint;")
	return out
}

func (s *service) apiConf() string {
	verify := "on"
	if s.defects[VerifyOptional] {
		verify = "optional"
	}
	ls := []string{
		"# Public API: clients authenticate with certificates from the partner CA.",
		"server {",
		"    listen 443 ssl http2;",
		"    listen [::]:443 ssl http2;",
		"    server_name api." + s.domain + ";",
		"",
		"    ssl_certificate " + s.p("/etc/nginx/certs/api.crt") + ";",
		"    ssl_certificate_key " + s.p("/etc/nginx/certs/api.key") + ";",
		"    ssl_client_certificate " + s.p("/etc/nginx/certs/partner-ca.pem") + ";",
		"    ssl_crl " + s.p("/etc/nginx/certs/partner-ca.crl") + ";",
		"    ssl_verify_client " + verify + ";",
		"    ssl_verify_depth 2;",
		"",
		"    add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;",
		"    add_header X-Content-Type-Options nosniff always;",
		"    add_header Referrer-Policy same-origin always;",
		"",
	}
	ls = append(ls, s.tlsHeaders("    ")...)
	ls = append(ls,
		"    proxy_http_version 1.1;",
		"    proxy_set_header Connection \"\";",
		"",
		"    location = /healthz {",
		"        access_log off;",
		"        return 200 \"ok\\n\";",
		"    }",
		"",
		"    location /static/ {",
		"        alias "+s.p("/srv/"+s.name+"/static/")+";",
		"        expires 7d;",
		"    }",
		"",
		"    location / {",
		"        limit_req zone=api burst=20 nodelay;",
		"        proxy_pass http://app;",
		fmt.Sprintf("        proxy_read_timeout %ds;", s.timeout),
		"    }",
	)
	for _, p := range s.apiPaths {
		ls = append(ls,
			"",
			"    location /api/"+p+"/ {",
			"        limit_req zone=api burst=10;",
			fmt.Sprintf("        proxy_read_timeout %ds;", s.timeout+15),
			"        proxy_buffering off;",
			"        proxy_pass http://app;",
			"    }",
		)
	}
	ls = append(ls, "", "    location /api/v1/uploads/ {", fmt.Sprintf("        client_max_body_size %dm;", 4*s.bodyMB))
	if s.defects[HeaderInheritance] {
		// Its own proxy_set_header: nothing from the server level is
		// inherited here.
		ls = append(ls, "        proxy_set_header X-Request-Id $request_id;")
	} else {
		ls = append(ls, "        # Defining any proxy_set_header here drops the inherited ones:")
		ls = append(ls, "        # the full set is repeated.")
		ls = append(ls, s.tlsHeaders("        ")...)
		ls = append(ls, "        proxy_set_header Connection \"\";", "        proxy_set_header X-Request-Id $request_id;")
	}
	ls = append(ls,
		"        proxy_request_buffering off;",
		"        proxy_pass http://app;",
		"    }",
		"}",
	)
	return lines(ls...)
}

func (s *service) adminConf() string {
	ls := []string{
		"# Staff console: on its own port, staff certificates only.",
		"server {",
		"    listen 8443 ssl;",
		"    server_name admin." + s.domain + ";",
		"",
		"    ssl_certificate " + s.p("/etc/nginx/certs/admin.crt") + ";",
		"    ssl_certificate_key " + s.p("/etc/nginx/certs/admin.key") + ";",
		"    ssl_client_certificate " + s.p("/etc/nginx/certs/staff-ca.pem") + ";",
		"    ssl_crl " + s.p("/etc/nginx/certs/staff-ca.crl") + ";",
		"    ssl_verify_client on;",
		"",
	}
	for _, a := range s.admins {
		ls = append(ls, "    allow "+a+";")
	}
	ls = append(ls, "    deny all;", "")
	ls = append(ls, s.tlsHeaders("    ")...)
	ls = append(ls,
		"",
		"    location / {",
		"        proxy_pass http://app;",
		fmt.Sprintf("        proxy_read_timeout %ds;", 2*s.timeout),
		"    }",
		"",
		"    location /static/ {",
		"        alias "+s.p("/srv/"+s.name+"/static/")+";",
		"    }",
		"",
		"    location = /robots.txt {",
		"        return 200 \"User-agent: *\\nDisallow: /\\n\";",
		"    }",
		"}",
	)
	return lines(ls...)
}

func (s *service) haproxyCfg() string {
	server := "server app1 unix@" + s.socket + " check"
	if s.defects[PublicBind] {
		server = fmt.Sprintf("server app1 127.0.0.1:%d check", s.port)
	}
	ls := []string{
		"# HAProxy edge for " + s.name + " (partner traffic through the load balancer).",
		"global",
		"    log 127.0.0.1:514 local0",
		"    maxconn 20000",
		"    user haproxy",
		"    group haproxy",
		"    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets",
		"    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
		"",
		"defaults",
		"    mode http",
		"    log global",
		"    option httplog",
		"    option dontlognull",
		"    timeout connect 5s",
		"    timeout client 30s",
		fmt.Sprintf("    timeout server %ds", s.timeout),
		"    timeout http-request 10s",
		"",
		"frontend fe_http",
		"    bind :80",
		"    http-request redirect scheme https code 301",
		"",
		"frontend fe_https",
		"    bind :443 ssl crt " + s.p("/etc/haproxy/certs/site.pem") + " ca-file " + s.p("/etc/haproxy/certs/partner-ca.pem") + " crl-file " + s.p("/etc/haproxy/certs/partner-ca.crl") + " verify required",
		"    option forwardfor",
		"    http-request set-header X-Forwarded-Proto https",
	}
	if s.defects[HAProxyAddHeader] {
		ls = append(ls,
			"    http-request add-header X-SSL-Client-Verify SUCCESS if { ssl_c_used } { ssl_c_verify 0 }",
			"    http-request add-header X-SSL-Client-DN %{+Q}[ssl_c_s_dn] if { ssl_c_used }",
		)
	} else {
		ls = append(ls,
			"    # Drop whatever the client sent under these names, in either",
			"    # spelling (X-SSL-... and X_SSL_...), then set them.",
			"    http-request del-header ^x[-_]ssl[-_] -m reg",
			"    http-request set-header X-SSL-Client-Verify SUCCESS if { ssl_c_used } { ssl_c_verify 0 }",
			"    http-request set-header X-SSL-Client-DN %{+Q}[ssl_c_s_dn] if { ssl_c_used }",
		)
	}
	ls = append(ls,
		"    http-response set-header Strict-Transport-Security \"max-age=63072000\"",
		"    acl is_static path_beg /static/",
		"    acl is_health path /healthz",
	)
	for i, p := range s.apiPaths {
		ls = append(ls, fmt.Sprintf("    acl api_%d path_beg /api/%s/", i, p))
	}
	ls = append(ls,
		"    http-request return status 200 content-type text/plain string ok if is_health",
		"    use_backend be_static if is_static",
		"    default_backend be_app",
		"",
		"backend be_app",
		"    balance roundrobin",
		"    option httpchk GET /healthz",
		"    http-check expect status 200",
		"    "+server,
		"",
		"backend be_static",
		"    http-request set-path %[path,regsub(^/static/,/)]",
		"    server static1 127.0.0.1:8081 check",
	)
	return lines(ls...)
}

func (s *service) settingsInit() string {
	return lines(
		"\"\"\"Settings for "+s.name+": production unless DJANGO_SETTINGS_MODULE says otherwise.\"\"\"",
		"from .production import *  # noqa: F401,F403",
	)
}

func (s *service) settingsBase() string {
	ls := []string{
		"\"\"\"Settings shared by every environment of " + s.name + ".\"\"\"",
		"import os",
		"from pathlib import Path",
		"",
		"BASE_DIR = Path(__file__).resolve().parent.parent.parent",
		"",
		"INSTALLED_APPS = [",
		"    \"django.contrib.admin\",",
		"    \"django.contrib.auth\",",
		"    \"django.contrib.contenttypes\",",
		"    \"django.contrib.sessions\",",
		"    \"django.contrib.messages\",",
		"    \"django.contrib.staticfiles\",",
	}
	for _, a := range s.apps {
		ls = append(ls, "    \""+a+"\",")
	}
	ls = append(ls,
		"    \""+s.project+"\",",
		"]",
		"",
		"MIDDLEWARE = [",
		"    \"django.middleware.security.SecurityMiddleware\",",
		"    \"django.contrib.sessions.middleware.SessionMiddleware\",",
		"    \"django.middleware.common.CommonMiddleware\",",
		"    \"django.middleware.csrf.CsrfViewMiddleware\",",
		"    \"django.contrib.auth.middleware.AuthenticationMiddleware\",",
		"    \""+s.project+".middleware.ClientCertificateMiddleware\",",
		"    \"django.contrib.messages.middleware.MessageMiddleware\",",
		"    \"django.middleware.clickjacking.XFrameOptionsMiddleware\",",
		"]",
		"",
		"ROOT_URLCONF = \""+s.project+".urls\"",
		"WSGI_APPLICATION = \""+s.project+".wsgi.application\"",
		"",
		"TEMPLATES = [",
		"    {",
		"        \"BACKEND\": \"django.template.backends.django.DjangoTemplates\",",
		"        \"DIRS\": [BASE_DIR / \"templates\"],",
		"        \"APP_DIRS\": True,",
		"        \"OPTIONS\": {",
		"            \"context_processors\": [",
		"                \"django.template.context_processors.request\",",
		"                \"django.contrib.auth.context_processors.auth\",",
		"                \"django.contrib.messages.context_processors.messages\",",
		"            ],",
		"        },",
		"    },",
		"]",
		"",
		"DATABASES = {",
		"    \"default\": {",
		"        \"ENGINE\": \"django.db.backends.postgresql\",",
		"        \"NAME\": os.environ.get(\"DB_NAME\", \""+s.project+"\"),",
		"        \"USER\": os.environ.get(\"DB_USER\", \""+s.project+"\"),",
		"        \"PASSWORD\": os.environ.get(\"DB_PASSWORD\", \"\"),",
		"        \"HOST\": os.environ.get(\"DB_HOST\", \"db\"),",
		"        \"PORT\": int(os.environ.get(\"DB_PORT\", \"5432\")),",
		"        \"CONN_MAX_AGE\": 60,",
		"    }",
		"}",
		"",
		"CACHES = {",
		"    \"default\": {",
		"        \"BACKEND\": \"django.core.cache.backends.redis.RedisCache\",",
		"        \"LOCATION\": os.environ.get(\"REDIS_URL\", \"redis://redis:6379/1\"),",
		"    }",
		"}",
		"",
		"AUTH_PASSWORD_VALIDATORS = [",
		"    {\"NAME\": \"django.contrib.auth.password_validation.UserAttributeSimilarityValidator\"},",
		"    {\"NAME\": \"django.contrib.auth.password_validation.MinimumLengthValidator\", \"OPTIONS\": {\"min_length\": 12}},",
		"    {\"NAME\": \"django.contrib.auth.password_validation.CommonPasswordValidator\"},",
		"    {\"NAME\": \"django.contrib.auth.password_validation.NumericPasswordValidator\"},",
		"]",
		"",
		"LANGUAGE_CODE = \"en-us\"",
		"TIME_ZONE = \"UTC\"",
		"USE_I18N = True",
		"USE_TZ = True",
		"",
		"STATIC_URL = \"/static/\"",
		"STATIC_ROOT = BASE_DIR / \"static\" / \"collected\"",
		"DEFAULT_AUTO_FIELD = \"django.db.models.BigAutoField\"",
		"",
		"LOGGING = {",
		"    \"version\": 1,",
		"    \"disable_existing_loggers\": False,",
		"    \"formatters\": {",
		"        \"json\": {\"format\": \"%(asctime)s %(levelname)s %(name)s %(message)s\"},",
		"    },",
		"    \"handlers\": {",
		"        \"console\": {\"class\": \"logging.StreamHandler\", \"formatter\": \"json\"},",
		"    },",
		"    \"root\": {\"handlers\": [\"console\"], \"level\": \"INFO\"},",
		"    \"loggers\": {",
		"        \"django.security\": {\"handlers\": [\"console\"], \"level\": \"WARNING\", \"propagate\": False},",
		"    },",
		"}",
		"",
		"# The proxy verifies client certificates and forwards the result.",
		"CLIENT_CERT_VERIFY_HEADER = \"HTTP_X_SSL_CLIENT_VERIFY\"",
		"CLIENT_CERT_DN_HEADER = \"HTTP_X_SSL_CLIENT_DN\"",
	)
	if contains(s.apps, "rest_framework") {
		ls = append(ls,
			"",
			"REST_FRAMEWORK = {",
			"    \"DEFAULT_AUTHENTICATION_CLASSES\": [\"rest_framework.authentication.SessionAuthentication\"],",
			"    \"DEFAULT_PERMISSION_CLASSES\": [\"rest_framework.permissions.IsAuthenticated\"],",
			"    \"DEFAULT_PAGINATION_CLASS\": \"rest_framework.pagination.PageNumberPagination\",",
			"    \"PAGE_SIZE\": 50,",
			"}",
		)
	}
	return lines(ls...)
}

func (s *service) settingsProduction() string {
	ls := []string{
		"\"\"\"Production settings of " + s.name + ".\"\"\"",
		"import os",
		"",
		"from .base import *  # noqa: F401,F403",
		"",
		"DEBUG = False",
		"SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]",
		"ALLOWED_HOSTS = [\"api." + s.domain + "\", \"admin." + s.domain + "\"]",
		"CSRF_TRUSTED_ORIGINS = [\"https://api." + s.domain + "\", \"https://admin." + s.domain + ":8443\"]",
		"",
		"# TLS ends at the proxy, which sets X-Forwarded-Proto on every request.",
		"SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")",
		"SECURE_SSL_REDIRECT = True",
		"SECURE_HSTS_SECONDS = 63072000",
		"SECURE_HSTS_INCLUDE_SUBDOMAINS = True",
		"SECURE_HSTS_PRELOAD = True",
		"SECURE_CONTENT_TYPE_NOSNIFF = True",
		"SECURE_REFERRER_POLICY = \"same-origin\"",
		"SESSION_COOKIE_SECURE = True",
		"SESSION_COOKIE_HTTPONLY = True",
		"CSRF_COOKIE_SECURE = True",
		"X_FRAME_OPTIONS = \"DENY\"",
		"",
		"USE_X_FORWARDED_HOST = False",
		"",
		"EMAIL_BACKEND = \"django.core.mail.backends.smtp.EmailBackend\"",
		"EMAIL_HOST = os.environ.get(\"SMTP_HOST\", \"smtp." + s.domain + "\")",
		"EMAIL_USE_TLS = True",
		"SERVER_EMAIL = \"noreply@" + s.domain + "\"",
		"ADMINS = [(\"Ops\", \"ops@" + s.domain + "\")]",
	}
	return lines(ls...)
}

func (s *service) gunicornConf() string {
	bind := "unix:" + s.socket
	if s.defects[PublicBind] {
		bind = fmt.Sprintf("0.0.0.0:%d", s.port)
	}
	return lines(
		"# gunicorn configuration for "+s.name+".",
		"import multiprocessing",
		"",
		"bind = \""+bind+"\"",
		fmt.Sprintf("workers = %d", s.workers),
		"worker_class = \"gthread\"",
		"threads = 4",
		fmt.Sprintf("timeout = %d", s.timeout),
		"graceful_timeout = 30",
		"keepalive = 5",
		"max_requests = 2000",
		"max_requests_jitter = 200",
		"accesslog = \"-\"",
		"errorlog = \"-\"",
		"loglevel = \"info\"",
		"forwarded_allow_ips = \"127.0.0.1\"",
		"secure_scheme_headers = {\"X-FORWARDED-PROTO\": \"https\"}",
		"proc_name = \""+s.name+"\"",
		"",
		"",
		"def post_fork(server, worker):",
		"    server.log.info(\"worker %s ready (%d CPUs)\", worker.pid, multiprocessing.cpu_count())",
	)
}

func (s *service) compose() string {
	app := []string{
		"  app:",
		"    build: .",
		"    command: gunicorn -c gunicorn.conf.py " + s.project + ".wsgi:application",
		"    environment:",
		"      DJANGO_SETTINGS_MODULE: " + s.project + ".settings",
		"      DB_HOST: db",
		"    env_file: .env",
	}
	if s.defects[PublicBind] {
		app = append(app, "    ports:", fmt.Sprintf("      - \"%d:%d\"", s.port, s.port))
	} else {
		app = append(app, "    volumes:", "      - gunicorn-socket:/run/gunicorn")
	}
	app = append(app, "    depends_on:", "      - db", "      - redis")
	ls := []string{
		"services:",
		"  proxy:",
		"    image: nginx:1.26",
		"    ports:",
		"      - \"443:443\"",
		"      - \"80:80\"",
		"      - \"8443:8443\"",
		"    volumes:",
		"      - ./nginx.conf:/etc/nginx/nginx.conf:ro",
		"      - ./conf.d:/etc/nginx/conf.d:ro",
		"      - ./certs:/etc/nginx/certs:ro",
		"      - gunicorn-socket:/run/gunicorn",
		"    depends_on:",
		"      - app",
	}
	ls = append(ls, app...)
	ls = append(ls,
		"  db:",
		"    image: postgres:16",
		"    environment:",
		"      POSTGRES_DB: "+s.project,
		"      POSTGRES_USER: "+s.project,
		"      POSTGRES_PASSWORD_FILE: /run/secrets/db_password",
		"    volumes:",
		"      - db-data:/var/lib/postgresql/data",
		"  redis:",
		"    image: redis:7",
		"volumes:",
		"  db-data:",
		"  gunicorn-socket:",
	)
	return lines(ls...)
}

func (s *service) wsgi() string {
	return lines(
		"\"\"\"WSGI entry point of "+s.name+".\"\"\"",
		"import os",
		"",
		"from django.core.wsgi import get_wsgi_application",
		"",
		"os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \""+s.project+".settings\")",
		"application = get_wsgi_application()",
	)
}

func (s *service) urls() string {
	ls := []string{
		"from django.contrib import admin",
		"from django.urls import path",
		"",
		"from . import views",
		"",
		"urlpatterns = [",
		"    path(\"admin/\", admin.site.urls),",
		"    path(\"healthz\", views.health),",
	}
	for i, p := range s.apiPaths {
		ls = append(ls, fmt.Sprintf("    path(\"api/%s/\", views.resource, name=\"resource-%d\"),", p, i))
	}
	return lines(append(ls, "]")...)
}

func (s *service) middleware() string {
	return lines(
		"\"\"\"Authenticates partners by the client certificate the proxy verified.\"\"\"",
		"from django.conf import settings",
		"from django.contrib.auth import get_user_model",
		"",
		"",
		"class ClientCertificateMiddleware:",
		"    def __init__(self, get_response):",
		"        self.get_response = get_response",
		"",
		"    def __call__(self, request):",
		"        request.partner = None",
		"        verified = request.META.get(\"HTTP_X_SSL_CLIENT_VERIFY\") == \"SUCCESS\"",
		"        dn = request.META.get(\"HTTP_X_SSL_CLIENT_DN\", \"\")",
		"        if verified and dn and \",\" not in dn.split(\"CN=\", 1)[-1]:",
		"            request.partner = dn",
		"            user = get_user_model().objects.filter(username=dn).first()",
		"            if user is not None:",
		"                request.user = user",
		"        return self.get_response(request)",
	)
}

func (s *service) views() string {
	return lines(
		"from django.http import HttpResponseForbidden, JsonResponse",
		"",
		"",
		"def health(request):",
		"    return JsonResponse({\"status\": \"ok\"})",
		"",
		"",
		"def resource(request):",
		"    if request.partner is None:",
		"        return HttpResponseForbidden(\"client certificate required\")",
		"    return JsonResponse({\"partner\": request.partner, \"path\": request.path})",
	)
}

func (s *service) requirements() string {
	return lines("Django==4.2.16", "gunicorn==22.0.0", "psycopg[binary]==3.2.3", "redis==5.2.0", "djangorestframework==3.15.2")
}

func (s *service) dockerfile() string {
	return lines(
		"FROM python:3.12-slim",
		"WORKDIR /srv/"+s.name,
		"COPY requirements.txt .",
		"RUN pip install --no-cache-dir -r requirements.txt",
		"COPY . .",
		"RUN python manage.py collectstatic --noinput",
		"CMD [\"gunicorn\", \"-c\", \"gunicorn.conf.py\", \""+s.project+".wsgi:application\"]",
	)
}

func (s *service) readme() string {
	return lines(
		"# "+s.name,
		"",
		"Partner-facing service. Partners authenticate with client certificates",
		"issued by the partner CA; staff use the console on port 8443.",
		"",
		"## Running locally",
		"",
		"    docker compose up --build",
		"",
		"## Deployment",
		"",
		"nginx terminates TLS and verifies client certificates; gunicorn serves",
		"the Django application behind it.",
	)
}

func (s *service) appJS() string {
	return lines(
		"'use strict';",
		"",
		"// Minimal console helpers for "+s.name+".",
		"document.addEventListener('DOMContentLoaded', () => {",
		"  for (const el of document.querySelectorAll('[data-confirm]')) {",
		"    el.addEventListener('click', (ev) => {",
		"      if (!window.confirm(el.dataset.confirm)) ev.preventDefault();",
		"    });",
		"  }",
		"});",
	)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
