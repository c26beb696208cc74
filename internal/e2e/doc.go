// Package e2e proves mtlslint's findings against real servers: for each
// scenario it starts Debian's nginx or HAProxy and a Django app under
// gunicorn (or runserver) on loopback, sends the attacks derived from the
// request classes of the routes mtlslint's model builds for it (an
// Attack: a class plus what the client adds, the vocabulary `mtlslint
// prove` sends its requests in too), runs mtlslint on the same files, and
// checks that both agree. `go test ./internal/e2e -run E2E -v` prints
// scenario × attack × runtime × static and writes the same table to
// docs/verified.md.
//
// Adding a scenario:
//
//  1. Create scenarios/<name>/ with the proxy configuration (nginx.conf,
//     haproxy.cfg, or both) and any file that replaces the template app's
//     under app/: gunicorn.conf.py, Procfile (the web: line says how the
//     app is started: gunicorn, or python3 manage.py runserver ADDR
//     --noreload), e2eapp/identity.py (how the app decides who the client
//     is), e2eapp/settings.py, requirements.txt, .mtlslint.toml. A template
//     file the deployment does not have (gunicorn.conf.py where runserver
//     serves the app) goes in the entry's Without.
//  2. Use placeholders for everything that differs per run: {{CERT_DIR}}
//     (ca.pem, server.pem, server.key, server-bundle.pem, ...: see
//     pki.go), {{TMP}} (pid, logs, temp paths), {{SITE}} (the rendered
//     scenario), and ports: {{APP_PORT}}, {{PROXY_PORT}} (the main TLS
//     listener; {{PROXY2_PORT}}, {{TLS_..._PORT}} for more),
//     {{PLAIN_PORT}} (plain HTTP; {{HTTP_..._PORT}} for more). Any other
//     {{X_PORT}} gets a free port but is not attacked.
//  3. Add an entry to Scenarios with the names of the attacks that work
//     (Breaches: "tls no-cert", "tls valid-cert spoof-underscore",
//     "plain-http spoof-scheme", "direct", ...) and what was observed
//     (Fact). A first run lists every attack the deployment gets, with
//     its verdict.
//  4. Add the codes of the rules that describe a mechanism to
//     AttackCodes.
//
// Servers are found at their Debian paths; without them the suite skips
// (under CI=true it fails) and says what to install.
package e2e
