// Package prove runs a repository's own proxy configuration on loopback, so
// that a finding can be confirmed by sending the request it describes.
//
// The configuration is never run as written, and never modified in place:
// Rewrite copies the files of one configuration tree (an nginx main file
// with its includes, a HAProxy file set, an httpd configuration, a
// Caddyfile) into a temporary directory and changes, with edits on the
// exact ranges the project's parsers report, only what is specific to a
// deployment:
//
//   - every listener (nginx listen, HAProxy bind, httpd Listen and
//     <VirtualHost>, Caddy site addresses) moves to a loopback port picked
//     free for the run;
//   - certificate, key, client CA, CRL and DH files point to a throw-away
//     PKI generated for the run, whose client CA replaces the
//     configuration's everywhere, so one CA is trusted consistently;
//   - every upstream (proxy_pass, upstream servers, HAProxy servers,
//     ProxyPass, reverse_proxy) points to mtlslint's recording stub app
//     (stub.go), one loopback port per upstream address;
//   - pid files, logs, temp and cache paths, sockets move into the run's
//     directory; resolvers, mailers and remote peers point to a loopback
//     port nothing listens on, so nothing leaves the machine;
//   - includes are resolved inside the copy, as the parsers resolve them.
//
// A configuration that would execute something (HAProxy program,
// lua-load, external-check; nginx load_module, perl, njs, Lua; httpd CGI,
// ExtFilterDefine, piped RewriteMap, mod_perl/mod_lua/mod_python; Caddy
// exec-like directives) is not started: the directive is named as the
// reason it is not testable here. mod_wsgi's script is replaced by the
// stub app, so the repository's Python code never runs either.
//
// Servers (supervise) run in their own process groups and are stopped by
// PID; the rewritten configuration is checked with the server's own
// configuration test first, and a failure is reported, never retried.
//
// Prove (prove.go, attack.go) is the engine of `mtlslint prove`: it runs
// the check, rewrites and starts the configurations the findings need,
// builds each finding's requests from the deployment model (the routes its
// key names, their request classes, the headers to spoof) and judges what
// the stub app received, with the app's own check where the model knows
// it: confirmed, not reproduced, or not testable with the reason.
package prove
