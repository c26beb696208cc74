// Package e2e proves mtlslint's findings against real servers: for each
// scenario it starts Debian's nginx or HAProxy and a Django app under
// gunicorn (or runserver) on loopback, runs a fixed set of attacks, runs
// mtlslint on the same files, and checks that both agree. `go test
// ./internal/e2e -run E2E -v` prints scenario × attack × runtime × static
// and writes the same table to docs/verified.md.
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
//  3. Add an entry to Scenarios with the attacks that work (Breaches) and
//     what was observed (Fact).
//  4. Add the codes of the rules that describe an attack's mechanism to
//     AttackCodes.
//
// Servers are found at their Debian paths; without them the suite skips
// (under CI=true it fails) and says what to install.
package e2e
