package e2e

// Scenarios is the table of runtime scenarios: one entry per directory
// under scenarios/. Breaches lists, by name (Attack.Name), the attacks
// that work on the real servers; every other attack derived for the
// deployment must fail. Fact says what was observed, in words.
var Scenarios = []*Scenario{
	// nginx: client verification modes.
	{
		Name:  "verify-on-secure",
		Title: "ssl_verify_client on; identity headers set at server level and inherited",
		Fact:  "no cert / untrusted cert: nginx 400; valid: SUCCESS; spoofed headers overwritten; underscore headers dropped",
	},
	{
		Name:     "verify-optional-nogate-vulnerable",
		Title:    "ssl_verify_client optional, no gate, verification result not forwarded; the app relies on nginx",
		Breaches: []string{"tls no-cert"},
		Fact:     "no cert: the request reaches the app, which cannot tell it from a verified one",
	},
	{
		Name:  "verify-optional-gate-secure",
		Title: "ssl_verify_client optional with `if ($ssl_client_verify != SUCCESS) { return 403; }`",
		Fact:  "no cert: nginx 403; untrusted cert: nginx 400",
	},
	{
		Name:  "verify-optional-success-secure",
		Title: "ssl_verify_client optional, verification result forwarded, the app checks == 'SUCCESS'",
		Fact:  "no cert: the app sees NONE and refuses; dash spoof overwritten; underscore spoof dropped by nginx",
	},
	{
		Name:     "verify-optional-no-ca-vulnerable",
		Title:    "ssl_verify_client optional_no_ca with the DN forwarded; the app trusts the DN",
		Breaches: []string{"tls untrusted-cert"},
		Fact:     "untrusted cert reaches the app: verify FAILED:..., DN = attacker's choice",
	},

	// nginx: proxy_set_header inheritance.
	{
		Name:     "inherit-on-vulnerable",
		Title:    "ssl_verify_client on; the location's own proxy_set_header drops the server's identity headers",
		Breaches: []string{"tls valid-cert", "tls valid-cert spoof-dash"},
		Fact:     "valid clients locked out; a valid client sending X-SSL-Client-Verify: SUCCESS + X-SSL-Client-DN: CN=admin is admin",
	},
	{
		Name:     "inherit-optional-vulnerable",
		Title:    "ssl_verify_client optional and the inheritance trap",
		Breaches: []string{"tls valid-cert", "tls no-cert spoof-dash", "tls valid-cert spoof-dash"},
		Fact:     "no certificate + spoofed headers: accepted (full bypass)",
	},
	{
		Name:     "inherit-proxy-params-vulnerable",
		Title:    "the inheritance trap through `include proxy_params` in the location",
		Breaches: []string{"tls valid-cert", "tls valid-cert spoof-dash"},
		Fact:     "as the trap: proxy_params' four proxy_set_header lines replace the server's",
	},
	{
		Name:     "inherit-runserver-vulnerable",
		Title:    "the inheritance trap in front of Django's runserver",
		Breaches: []string{"tls valid-cert", "tls valid-cert spoof-dash"},
		Without:  []string{"gunicorn.conf.py"},
		Fact:     "as the trap under gunicorn",
	},

	// nginx: header names with underscores.
	{
		Name:     "underscores-dn-vulnerable",
		Title:    "underscores_in_headers on, headers set correctly; the app trusts the DN alone",
		Breaches: []string{"tls no-cert spoof-underscore", "tls valid-cert spoof-underscore"},
		Fact:     "no certificate: nginx sends no DN header, the client's X_SSL_Client_DN arrives alone as HTTP_X_SSL_CLIENT_DN",
	},
	{
		Name:     "underscores-dn-django-asgi-vulnerable",
		Title:    "the same; the Django app runs under uvicorn (ASGI)",
		Breaches: []string{"tls no-cert spoof-underscore", "tls valid-cert spoof-underscore"},
		Without:  []string{"gunicorn.conf.py"},
		Fact:     "uvicorn passes X_SSL_Client_DN as it came; Django's ASGI handler maps it to HTTP_X_SSL_CLIENT_DN: alone without a certificate, joined after nginx's value with one",
	},
	{
		Name:    "underscores-dn-fastapi-secure",
		Title:   "the same nginx; a FastAPI app under uvicorn takes the DN alone, through a Header() parameter",
		Without: withoutDjango,
		Fact:    "Starlette's headers keep the name as sent: a client's X_SSL_Client_DN never stands in for X-SSL-Client-DN, without a certificate or with one",
	},
	{
		Name:     "underscores-dn-flask-uvicorn-wsgi-vulnerable",
		Title:    "the same nginx; a Flask app under uvicorn --interface wsgi takes the DN alone",
		Breaches: []string{"tls no-cert spoof-underscore", "tls valid-cert spoof-underscore"},
		Without:  withoutDjango,
		Fact:     "uvicorn's WSGI adapter maps X_SSL_Client_DN to HTTP_X_SSL_CLIENT_DN like X-SSL-Client-DN: alone without a certificate, joined after nginx's value with one",
	},
	{
		Name:     "underscores-verified-app-vulnerable",
		Title:    "underscores_in_headers on, headers set correctly; the app checks == 'SUCCESS'",
		Breaches: []string{"tls valid-cert spoof-underscore"},
		Fact:     "no cert + X_SSL_Client_Verify: SUCCESS: gunicorn joins NONE,SUCCESS and the app refuses; but a valid cert + X_SSL_Client_DN: CN=admin alone: the app sees verify SUCCESS and DN CN=alice,CN=admin (nginx's value first) and accepts it",
	},
	{
		Name:     "underscores-inherit-vulnerable",
		Title:    "underscores_in_headers on and the inheritance trap",
		Breaches: []string{"tls valid-cert", "tls no-cert spoof-dash", "tls valid-cert spoof-dash", "tls no-cert spoof-underscore", "tls valid-cert spoof-underscore"},
		Fact:     "X_SSL_CLIENT_VERIFY: SUCCESS accepted under gunicorn",
	},
	{
		Name:     "ignore-invalid-headers-off-vulnerable",
		Title:    "ignore_invalid_headers off, headers set correctly; the app checks == 'SUCCESS'",
		Breaches: []string{"tls valid-cert spoof-underscore"},
		Fact:     "as underscores_in_headers on: a valid cert + X_SSL_Client_DN: CN=admin gives the DN CN=alice,CN=admin",
	},
	{
		Name:     "ignore-invalid-headers-off-inherit-vulnerable",
		Title:    "ignore_invalid_headers off and the inheritance trap",
		Breaches: []string{"tls valid-cert", "tls no-cert spoof-dash", "tls valid-cert spoof-dash", "tls no-cert spoof-underscore", "tls valid-cert spoof-underscore"},
		Fact:     "dash and underscore spoofs both accepted",
	},

	// nginx: where the identity comes from, and other paths to the app.
	{
		Name:     "identity-from-http-map-vulnerable",
		Title:    "X-SSL-Client-DN from a map over $http_x_ssl_client_dn",
		Breaches: []string{"tls valid-cert spoof-dash"},
		Fact:     "a valid client sending X-SSL-Client-DN: CN=admin is admin",
	},
	{
		Name:     "plain-http-vulnerable",
		Title:    "a plain-HTTP server proxies to the same app and sets no identity or scheme header",
		Breaches: []string{"plain-http spoof-dash", "plain-http spoof-scheme"},
		Fact:     "spoofed headers reach the app over plain HTTP; gunicorn trusts X-Forwarded-Proto from nginx's 127.0.0.1",
	},
	{
		Name:  "plain-http-blanked-secure",
		Title: "the plain-HTTP server blanks the identity headers and sets X-Forwarded-Proto $scheme",
		Fact:  "empty values send nothing and drop the client's copy; X-Forwarded-Ssl: on next to nginx's X-Forwarded-Proto: http makes gunicorn 20.1 answer 400 (contradictory scheme headers)",
	},
	{
		Name:  "plain-http-ssl-vars-secure",
		Title: "both servers set the identity headers from $ssl_* variables (empty over plain HTTP)",
		Fact:  "plain-HTTP server with proxy_set_header X-SSL-Client-Verify $ssl_client_verify: nginx sends no header and still removes the client's copy",
	},

	// HAProxy.
	{
		Name:  "haproxy-verify-required-secure",
		Title: "HAProxy verify required; identity headers deleted by regex, then set from the TLS state",
		Fact:  "no cert: TLS alert; untrusted: unknown ca; valid: accepted",
	},
	{
		Name:     "haproxy-verify-zero-vulnerable",
		Title:    "HAProxy verify optional, `set-header X-SSL-Client-Verify %[ssl_c_verify]`; the app accepts == '0'",
		Breaches: []string{"tls no-cert", "tls no-cert spoof-underscore", "tls valid-cert spoof-underscore"},
		Fact:     "no cert: the app sees X-SSL-Client-Verify 0, as for a valid cert, and accepts the anonymous client; HAProxy sends X-SSL-Client-DN with an empty value then (it does not omit it as nginx does), so a client's X_SSL_Client_DN: CN=admin reaches the app joined as CN=admin, and is accepted",
	},
	{
		Name:     "haproxy-add-header-vulnerable",
		Title:    "HAProxy verify required, identity headers added with add-header; the app accepts == '0'",
		Breaches: []string{"tls valid-cert spoof-dash", "tls valid-cert spoof-underscore"},
		Fact:     "both copies reach the app joined, the client's first: X-SSL-Client-Verify SUCCESS,0 is refused, but a valid client sending X-SSL-Client-DN: CN=admin (either spelling) is accepted as CN=admin,/CN=alice",
	},
	{
		Name:     "haproxy-conditional-set-vulnerable",
		Title:    "HAProxy verify optional, identity headers set only `if { ssl_c_used } { ssl_c_verify 0 }`, never deleted",
		Breaches: []string{"tls no-cert spoof-dash", "tls no-cert spoof-underscore", "tls valid-cert spoof-underscore"},
		Fact:     "no cert: the condition is false, HAProxy leaves the client's headers alone, and X-SSL-Client-Verify: SUCCESS + X-SSL-Client-DN: CN=admin (dashes or underscores) is accepted as CN=admin",
	},
	{
		Name:     "haproxy-del-header-exact-vulnerable",
		Title:    "HAProxy verify optional, `del-header X-SSL-Client-Verify` (exact name) before the conditional set",
		Breaches: []string{"tls no-cert spoof-underscore", "tls valid-cert spoof-underscore"},
		Fact:     "the dash spoof is deleted; X_SSL_Client_Verify: SUCCESS + X_SSL_Client_DN: CN=admin without a certificate passes HAProxy and gunicorn 20.1 maps it to HTTP_X_SSL_CLIENT_*: accepted as CN=admin",
	},
	{
		Name:     "haproxy-none-then-success-vulnerable",
		Title:    "HAProxy verify optional, `set-header X-SSL-Client-Verify NONE`, then SUCCESS `if { ssl_c_used } { ssl_c_verify 0 }`; gunicorn 20.1",
		Breaches: []string{"tls valid-cert spoof-underscore"},
		Fact:     "safe against the dash spoof (overwritten with NONE), not against the underscore spelling: without a cert SUCCESS,NONE is refused, but a valid client sending X_SSL_Client_DN: CN=admin alone is accepted as CN=admin,/CN=alice (the client's copy first)",
	},
	{
		Name:    "haproxy-none-then-success-secure",
		Title:   "the same HAProxy configuration in front of Django's runserver",
		Without: []string{"gunicorn.conf.py"},
		Fact:    "runserver drops headers spelt with underscores: every spoof fails, the dash spelling being overwritten with NONE",
	},

	// Which requests reach the app: terminal actions, ACLs and routing.
	{
		Name:  "haproxy-acme-redirect-secure",
		Title: "HAProxy :443 verify required and a plain port that redirects every request but ACME challenges (`redirect scheme https if !{ ssl_fc } !acme`); X-Forwarded-Proto https only `if { ssl_fc }`",
		Fact:  "every plain request to the app's paths is answered 301 by HAProxy before routing, so the client's X-Forwarded-Proto never reaches the app; over TLS the header is https and the identity headers are HAProxy's",
	},
	{
		Name:     "haproxy-acme-redirect-vulnerable",
		Title:    "the same frontend, but the redirect covers only /account/",
		Breaches: []string{"plain-http spoof-scheme"},
		Fact:     "a plain request to /whoami is not redirected and reaches the app with the client's X-Forwarded-Proto: https, and is_secure() turns True",
	},
	{
		Name:  "haproxy-verify-acl-gate-secure",
		Title: "HAProxy verify optional, `http-request deny unless { ssl_c_used } { ssl_c_verify 0 }`; the app accepts X-SSL-Client-Verify == '0' (%[ssl_c_verify])",
		Fact:  "a client without a certificate is answered 403 by HAProxy, so the 0 the app accepts comes only with a verified certificate",
	},
	{
		Name:     "haproxy-verify-acl-gate-vulnerable",
		Title:    "the same, but `http-request deny if { ssl_c_used } !{ ssl_c_verify 0 }`",
		Breaches: []string{"tls no-cert"},
		Fact:     "the deny refuses only a certificate that failed: a client without one passes with X-SSL-Client-Verify 0 and is accepted (with an empty DN)",
	},
	{
		Name:  "haproxy-host-routing-secure",
		Title: "HAProxy verify required; `use_backend be_app if { hdr(host) -i localhost }`, whose backend sets the identity headers; every other Host denied",
		Fact:  "every request for localhost gets HAProxy's own identity headers (the client's copies in any spelling deleted first); other Hosts get 403",
	},
	{
		Name:     "haproxy-host-routing-vulnerable",
		Title:    "HAProxy verify required; only Host mtls.example.com goes to the backend that sets the identity headers, the default backend sets none",
		Breaches: []string{"tls valid-cert", "tls valid-cert spoof-dash", "tls valid-cert spoof-underscore"},
		Fact:     "a valid client asking for Host localhost takes the default backend, which sets no identity header: without headers of its own it is refused (locked out), with its own X-SSL-Client-Verify: SUCCESS and X-SSL-Client-DN: CN=admin (in either spelling) it is accepted as CN=admin",
	},
	{
		Name:  "haproxy-underscore-lookup-secure",
		Title: "HAProxy NONE then SUCCESS `if { ssl_c_used } { ssl_c_verify 0 }`, underscores pass; gunicorn 20.1; the app compares == 'SUCCESS' and looks the DN up",
		Fact:  "gunicorn joins a client's underscore copy with HAProxy's value, the client's first: SUCCESS,NONE without a certificate fails the exact comparison, CN=admin,/CN=alice fails the lookup",
	},
	{
		Name:     "haproxy-underscore-first-cn-vulnerable",
		Title:    "the same HAProxy configuration; the app compares == 'SUCCESS' and takes the first CN= of the DN",
		Breaches: []string{"tls valid-cert spoof-underscore"},
		Fact:     "a valid client sending X_SSL_Client_DN: CN=admin arrives as CN=admin,/CN=alice and the first CN= is the client's: accepted as CN=admin",
	},
	{
		Name:  "nginx-underscore-lookup-secure",
		Title: "nginx underscores_in_headers on, verify optional; gunicorn 20.1; the app compares == 'SUCCESS' and looks the DN up",
		Fact:  "gunicorn joins nginx's value first: NONE,SUCCESS without a certificate fails the exact comparison, CN=alice,CN=admin fails the lookup",
	},
	{
		Name:     "nginx-underscore-presence-vulnerable",
		Title:    "nginx underscores_in_headers on, verify optional; gunicorn 20.1; the app takes X-SSL-Client-DN whenever it is present",
		Breaches: []string{"tls no-cert spoof-underscore", "tls valid-cert spoof-underscore"},
		Fact:     "without a certificate nginx sends no DN header (the value is empty), so a client's X_SSL_Client_DN: CN=admin arrives alone and is accepted",
	},
	{
		Name:  "nginx-location-prefix-stop-secure",
		Title: "nginx verify optional, identity headers at server level; `location ^~ /who` passes upstream and a later `location ~ ^/whoami` defines its own proxy_set_header",
		Fact:  "the ^~ prefix is the longest match for /whoami, so nginx never searches the regex locations: every request gets the inherited headers, and spoofed copies are overwritten",
	},
	{
		Name:     "nginx-location-regex-wins-vulnerable",
		Title:    "the same with a plain prefix `location /who`",
		Breaches: []string{"tls valid-cert", "tls no-cert spoof-dash", "tls valid-cert spoof-dash"},
		Fact:     "nginx remembers the prefix and searches the regexes: ~ ^/whoami wins and drops the inherited headers, so a valid client arrives without them and a client without a certificate is accepted with its own X-SSL-Client-Verify: SUCCESS",
	},
	{
		Name:  "nginx-named-location-try-files-secure",
		Title: "nginx verify optional, identity headers at server level; `try_files $uri @app` and `location @app` defines no proxy_set_header",
		Fact:  "try_files enters the named location, which inherits the server's headers: spoofed copies are overwritten",
	},
	{
		Name:     "nginx-named-location-try-files-vulnerable",
		Title:    "the same, but the named location adds `proxy_set_header X-Request-Id`",
		Breaches: []string{"tls valid-cert", "tls no-cert spoof-dash", "tls valid-cert spoof-dash"},
		Fact:     "requests enter the named location through try_files; it drops the inherited headers, so a valid client arrives without them and a client without a certificate is accepted with its own headers",
	},
	{
		Name:  "nginx-sni-host-421-secure",
		Title: "one port: a default server with ssl_reject_handshake, admin.example verifying against the client CA, the partner portal (SNI localhost) against the partners' CA; attackers handshake as localhost and ask for Host admin.example",
		Host:  "admin.example",
		SNI:   "localhost",
		Fact:  "SNI localhost with Host admin.example: nginx 421 with no certificate and with a certificate the partners' CA verified, because admin.example verifies client certificates itself; valid clients (SNI admin.example) get SUCCESS",
	},
	{
		Name:     "nginx-sni-host-unverified-vulnerable",
		Title:    "the look-alike: admin.example is also served on a second port, shared with the partner portal (SNI localhost, optional_no_ca), where it asks for no certificate itself; the app admits any client whose DN is present",
		Host:     "admin.example",
		SNI:      "localhost",
		Breaches: []string{"tls untrusted-cert sni-not-host"},
		Fact:     "SNI localhost with Host admin.example on the shared port: no 421 (admin.example does not verify there), and a certificate from any CA reaches the app with its DN (CN=admin) and verify FAILED:...; without a certificate no DN arrives and the app refuses",
	},
	{
		Name:  "nginx-map-gate-secure",
		Title: "ssl_verify_client optional_no_ca; `map $ssl_client_verify $mtls_refused { default 1; SUCCESS 0; }` and `if ($mtls_refused) { return 403; }`; the app admits any client whose DN is present",
		Fact:  "no certificate (NONE) and a certificate from another CA (FAILED:...) get 403 from the map gate; valid clients get SUCCESS",
	},
	{
		Name:     "nginx-map-gate-vulnerable",
		Title:    "the look-alike: the map refuses only NONE (`default 0; NONE 1;`)",
		Breaches: []string{"tls untrusted-cert"},
		Fact:     "no certificate: 403; a certificate from any CA passes the gate with FAILED:... and its DN (CN=admin) admits it",
	},

	// Django and gunicorn.
	{
		Name:     "spsh-no-forwarded-proto-vulnerable",
		Title:    "SECURE_PROXY_SSL_HEADER trusts X-Forwarded-Proto, which neither nginx server sets; a plain-HTTP listener",
		Breaches: []string{"plain-http spoof-scheme"},
		Fact:     "over plain HTTP a client's X-Forwarded-Proto: https makes is_secure() True; so do X-Forwarded-Ssl: on and X-Forwarded-Protocol: ssl (Django falls back to gunicorn's wsgi.url_scheme, which gunicorn takes from its secure_scheme_headers sent by nginx's 127.0.0.1)",
	},
	{
		Name:  "gunicorn-forwarded-allow-all-loopback-secure",
		Title: "gunicorn forwarded_allow_ips = \"*\" on 127.0.0.1; nginx sets X-Forwarded-Proto $scheme on both servers",
		Fact:  "\"*\" changes nothing while only nginx reaches gunicorn (its 127.0.0.1 is trusted by default anyway): X-Forwarded-Proto is overwritten with http, X-Forwarded-Ssl: on or X-Forwarded-Protocol: ssl next to it makes gunicorn answer 400 (contradictory scheme headers); 127.0.0.2 is refused",
	},
	{
		Name:     "gunicorn-forwarded-allow-all-public-vulnerable",
		Title:    "gunicorn forwarded_allow_ips = \"*\" bound to 0.0.0.0",
		Breaches: []string{"direct"},
		Fact:     "through nginx as with the default; straight from 127.0.0.2 the spoofed identity is accepted and X-Forwarded-Proto: https makes is_secure() True",
	},
	{
		Name:     "gunicorn-bind-public-vulnerable",
		Title:    "gunicorn bound to 0.0.0.0 behind nginx ssl_verify_client on",
		Breaches: []string{"direct"},
		Fact:     "straight from 127.0.0.2, without a certificate, X-SSL-Client-Verify: SUCCESS + X-SSL-Client-DN: CN=admin is accepted; is_secure() stays False (127.0.0.2 is not in the default forwarded_allow_ips)",
	},
	{
		Name:     "optional-no-ca-dn-presence-vulnerable",
		Title:    "ssl_verify_client optional_no_ca, verify result and DN forwarded; the app admits any client whose DN is present",
		Breaches: []string{"tls untrusted-cert"},
		Fact:     "no cert: nginx sends no DN header, so the app refuses; a certificate from any CA reaches the app with its DN (CN=admin) and verify FAILED:..., and the DN's presence admits it",
	},

	// Cross-file: the contract between proxy and app.
	{
		Name:     "header-name-mismatch-vulnerable",
		Title:    "nginx sets X-SSL-Client-Verify and X-SSL-Client-DN; the app reads X-Client-Verify and X-Client-DN",
		Spoof:    [2]string{"X-Client-Verify", "X-Client-DN"},
		Breaches: []string{"tls valid-cert", "tls valid-cert spoof-dash"},
		Fact:     "valid clients are locked out (the app never sees X-Client-Verify); a valid client sending X-Client-Verify: SUCCESS + X-Client-DN: CN=admin is admin: nginx passes the names it does not set",
	},
	{
		Name:     "haproxy-zero-app-expects-success-vulnerable",
		Title:    "HAProxy verify required forwards %[ssl_c_verify]; the app accepts only == 'SUCCESS'",
		Breaches: []string{"tls valid-cert"},
		Fact:     "a valid client arrives with X-SSL-Client-Verify 0 and is refused; nobody else gets in",
	},
	{
		Name:     "nginx-success-app-expects-zero-vulnerable",
		Title:    "nginx forwards $ssl_client_verify; the app accepts only == '0'",
		Breaches: []string{"tls valid-cert"},
		Fact:     "a valid client arrives with X-SSL-Client-Verify SUCCESS and is refused; nginx never sends 0, so nobody else gets in",
	},
	{
		Name:     "runserver-public-vulnerable",
		Title:    "nginx ssl_verify_client on in front of runserver 0.0.0.0",
		Breaches: []string{"direct"},
		Without:  []string{"gunicorn.conf.py"},
		Fact:     "through nginx as with verify on; straight from 127.0.0.2, runserver accepts X-SSL-Client-Verify: SUCCESS + X-SSL-Client-DN: CN=admin",
	},
	{
		Name:     "seed-no-forwarded-proto-ssl-redirect-vulnerable",
		Title:    "nginx never sets X-Forwarded-Proto; SECURE_PROXY_SSL_HEADER and SECURE_SSL_REDIRECT on; a plain-HTTP server too",
		Breaches: []string{"tls valid-cert", "plain-http spoof-scheme"},
		Fact:     "over TLS Django sees no X-Forwarded-Proto, falls back to gunicorn's http and answers 301 to the URL requested: a redirect loop that locks every client out; over plain HTTP a client's X-Forwarded-Proto: https (or X-Forwarded-Ssl: on, X-Forwarded-Protocol: ssl) makes is_secure() True and the page is served over HTTP",
	},
	{
		Name:     "nginx-and-haproxy-vulnerable",
		Title:    "nginx (verify on) and HAProxy (verify optional, identity headers set only if verified, never deleted) front one app",
		Breaches: []string{"tls no-cert spoof-dash", "tls no-cert spoof-underscore", "tls valid-cert spoof-underscore"},
		Fact:     "nginx holds; through HAProxy without a certificate the client's X-SSL-Client-Verify: SUCCESS + X-SSL-Client-DN: CN=admin (dashes or underscores) is accepted",
	},
	{
		Name:  "nginx-and-haproxy-secure",
		Title: "the same, HAProxy deleting the identity headers by regex first",
		Fact:  "both proxies hold; the app accepts CN=alice from nginx and /CN=alice from HAProxy",
	},
	// Apache httpd 2.4 (mod_ssl, mod_headers, mod_proxy_http, mod_wsgi).
	{
		Name:    "apache-require-wsgi-secure",
		Title:   "httpd SSLVerifyClient require; RequestHeader set from %{SSL_CLIENT_VERIFY}s and %{SSL_CLIENT_S_DN}s; the app in mod_wsgi",
		InProxy: true,
		Without: []string{"Procfile", "gunicorn.conf.py"},
		Fact:    "no cert / untrusted cert: refused in the handshake; dash spoofs overwritten; httpd leaves X_SSL_Client_* out of the WSGI environ it builds, so the underscore spoof never reaches the app",
	},
	{
		Name:     "apache-require-proxy-underscore-vulnerable",
		Title:    "the same headers, the app behind mod_proxy_http on gunicorn 20.1",
		Breaches: []string{"tls valid-cert spoof-underscore"},
		Fact:     "mod_proxy_http forwards X_SSL_Client_DN as it came and gunicorn 20.1 joins it with httpd's value: a valid client sending X_SSL_Client_DN: CN=admin is seen as CN=admin,CN=alice",
	},
	{
		Name:     "apache-optional-nogate-vulnerable",
		Title:    "httpd SSLVerifyClient optional without a gate, only X-SSL-Client-DN forwarded; the app admits any DN header (runserver)",
		Breaches: []string{"tls no-cert"},
		Without:  []string{"gunicorn.conf.py"},
		Fact:     "no certificate: %{SSL_CLIENT_S_DN}s is the literal (null), so the header is present and the app admits the anonymous client",
	},
	{
		Name:     "apache-optional-dn-truthy-vulnerable",
		Title:    "httpd SSLVerifyClient optional without a gate, only X-SSL-Client-DN forwarded; the app admits any non-empty DN (runserver)",
		Breaches: []string{"tls no-cert"},
		Without:  []string{"gunicorn.conf.py"},
		Fact:     "no certificate: mod_headers writes (null) for the unset SSL_CLIENT_S_DN, which is not empty, and the app admits the anonymous client",
	},
	{
		Name:    "apache-optional-dn-null-secure",
		Title:   "the same; the app refuses an empty DN and httpd's (null)",
		Without: []string{"gunicorn.conf.py"},
		Fact:    "no certificate: the DN arrives as (null) and is refused; a valid client is admitted by its DN; untrusted certificate: refused in the handshake",
	},
	{
		Name:    "apache-optional-gate-secure",
		Title:   "httpd SSLVerifyClient optional with <If \"%{SSL_CLIENT_VERIFY} != 'SUCCESS'\"> Require all denied",
		Without: []string{"gunicorn.conf.py"},
		Fact:    "no certificate: httpd answers 403 before proxying; untrusted certificate: refused in the handshake",
	},
	{
		Name:     "apache-no-ca-vulnerable",
		Title:    "httpd SSLVerifyClient optional_no_ca, verify and DN forwarded to a mod_wsgi app that refuses only NONE",
		Breaches: []string{"tls untrusted-cert"},
		InProxy:  true,
		Without:  []string{"Procfile", "gunicorn.conf.py"},
		Fact:     "a certificate from any CA is accepted: X-SSL-Client-Verify FAILED:..., X-SSL-Client-DN CN=admin, and the app takes it",
	},
	{
		Name:     "apache-wsgi-dual-source-vulnerable",
		Title:    "httpd optional + SSLOptions +StdEnvVars; the mod_wsgi app reads SSL_CLIENT_S_DN or else X-SSL-Client-DN",
		Breaches: []string{"tls no-cert spoof-dash"},
		InProxy:  true,
		Without:  []string{"Procfile", "gunicorn.conf.py"},
		Fact:     "without a certificate mod_ssl exports SSL_CLIENT_VERIFY=NONE but no SSL_CLIENT_S_DN, so the app falls back to the client's X-SSL-Client-DN: CN=admin",
	},
	{
		Name:    "apache-wsgi-env-secure",
		Title:   "the same configuration; the app reads only SSL_CLIENT_VERIFY == SUCCESS and SSL_CLIENT_S_DN from the environ",
		InProxy: true,
		Without: []string{"Procfile", "gunicorn.conf.py"},
		Fact:    "request headers never stand in for environ variables set by mod_ssl: every spoof fails",
	},
	{
		Name:     "apache-location-gap-vulnerable",
		Title:    "httpd require; RequestHeader in <Location /api> only, /whoami proxied from the virtual host (runserver)",
		Breaches: []string{"tls valid-cert", "tls valid-cert spoof-dash"},
		Without:  []string{"gunicorn.conf.py"},
		Fact:     "requests for /whoami get no RequestHeader: valid clients are locked out and a valid client sending X-SSL-Client-Verify: SUCCESS + X-SSL-Client-DN: CN=admin is admin",
	},
	{
		Name:    "apache-location-gap-secure",
		Title:   "the same with the RequestHeader lines at the virtual-host level (runserver)",
		Without: []string{"gunicorn.conf.py"},
		Fact:    "mod_headers merges the virtual host's lines into every <Location>: the spoofs are overwritten",
	},

	// Caddy 2.6.2.
	{
		Name:  "caddy-verify-secure",
		Title: "Caddy client_auth require_and_verify; request_header -*Ssl* (every spelling), then header_up from {tls_client_subject}",
		Fact:  "no cert / untrusted cert: refused in the handshake; the spoofed headers, dashes or underscores, deleted before the proxy sets its own",
	},
	{
		Name:     "caddy-require-unverified-vulnerable",
		Title:    "Caddy client_auth mode require (a certificate, unverified), DN forwarded; the app admits any DN (runserver)",
		Breaches: []string{"tls untrusted-cert"},
		Without:  []string{"gunicorn.conf.py"},
		Fact:     "no certificate: refused in the handshake; a certificate from an unknown CA is accepted and its subject CN=admin forwarded",
	},
	{
		Name:     "caddy-verify-if-given-dn-truthy-vulnerable",
		Title:    "the same; the app admits any non-empty DN (runserver)",
		Breaches: []string{"tls no-cert"},
		Without:  []string{"gunicorn.conf.py"},
		Fact:     "no certificate: X-SSL-Client-DN is the unreplaced {http.request.tls.client.subject}, which is not empty, and the app admits the anonymous client",
	},
	{
		Name:    "caddy-verify-if-given-dn-placeholder-secure",
		Title:   "the same; the app refuses an empty DN and the unreplaced placeholder (runserver)",
		Without: []string{"gunicorn.conf.py"},
		Fact:    "no certificate: the placeholder arrives and is refused; a valid client is admitted by its DN; untrusted certificate refused",
	},
	{
		Name:     "caddy-verify-if-given-vulnerable",
		Title:    "Caddy client_auth mode verify_if_given, DN forwarded from {tls_client_subject}; the app admits any DN (runserver)",
		Breaches: []string{"tls no-cert"},
		Without:  []string{"gunicorn.conf.py"},
		Fact:     "no certificate: Caddy leaves the placeholder unreplaced and sends X-SSL-Client-DN: {http.request.tls.client.subject}, which the app admits; untrusted certificate refused",
	},
	{
		Name:     "caddy-delete-after-set-vulnerable",
		Title:    "Caddy header_up -X-Ssl-* next to the header_up sets in one reverse_proxy (runserver)",
		Breaches: []string{"tls valid-cert"},
		Without:  []string{"gunicorn.conf.py"},
		Fact:     "Caddy applies the block's delete after its sets: the verified client arrives without X-SSL-Client-Verify and X-SSL-Client-DN and is refused",
	},
	{
		Name:    "caddy-delete-first-secure",
		Title:   "the same headers deleted with request_header at site level, before reverse_proxy (runserver)",
		Without: []string{"gunicorn.conf.py"},
		Fact:    "the client's copies are deleted, the proxy's set: valid clients admitted, spoofs overwritten",
	},
	{
		Name:     "caddy-trusted-proxies-vulnerable",
		Title:    "a plain-HTTP Caddy site whose reverse_proxy has trusted_proxies private_ranges",
		Breaches: []string{"plain-http spoof-scheme"},
		Fact:     "from 127.0.0.1 the client is a trusted proxy: its X-Forwarded-Proto: https is kept and gunicorn sets wsgi.url_scheme https (is_secure() True)",
	},
	{
		Name:  "caddy-trusted-proxies-secure",
		Title: "the same plain-HTTP site without trusted_proxies",
		Fact:  "Caddy writes X-Forwarded-Proto: http; X-Forwarded-Ssl: on next to it makes gunicorn 20.1 answer 400 (contradictory scheme headers)",
	},
	{
		Name:  "caddy-plain-redir-secure",
		Title: "a plain-HTTP Caddy site whose reverse_proxy deletes nothing, with a redir written after it",
		Fact:  "Caddy runs redir before reverse_proxy: every plain request, spoofed headers or not, gets a 301 to https; nothing reaches the app over plain HTTP",
	},
	{
		Name:     "caddy-plain-path-vulnerable",
		Title:    "a plain-HTTP Caddy site that redirects in a catch-all handle, but sends /whoami* to the app from another handle",
		Breaches: []string{"plain-http spoof-dash", "plain-http spoof-underscore"},
		Fact:     "plain requests to /whoami reach the app with the client's X-SSL-Client-Verify: SUCCESS and X-SSL-Client-DN (or X_SSL_Client_*, which gunicorn 20.1 maps to the same keys): accepted",
	},

	// App code: how the app decides on the header it reads (the data-flow
	// model of parsers/python), each against the proxy in front of it.
	{
		Name:  "app-strict-logged-secure",
		Title: "ssl_verify_client optional; the app compares the result with SUCCESS through a variable it also logs",
		Fact:  "no cert: the app sees NONE, logs it and refuses; logging the value is not trusting it",
	},
	{
		Name:     "app-refuses-failed-only-vulnerable",
		Title:    "ssl_verify_client optional; the app refuses only == 'FAILED'",
		Breaches: []string{"tls no-cert"},
		Fact:     "no cert: the app sees NONE, which is not FAILED, and accepts the client",
	},
	{
		Name:  "app-refuses-none-only-secure",
		Title: "ssl_verify_client optional with a CA; the app refuses only == 'NONE'",
		Fact:  "no cert: NONE, refused; an untrusted certificate: nginx 400 before the app; only SUCCESS gets through",
	},
	{
		Name:     "app-inverted-check-vulnerable",
		Title:    "ssl_verify_client optional; `if not verify == 'SUCCESS':` signs the integration account in",
		Breaches: []string{"tls no-cert"},
		Fact:     "no cert: NONE is not SUCCESS, so the anonymous client is signed in as erp-integration",
	},
	{
		Name:  "app-negated-check-secure",
		Title: "ssl_verify_client optional; `if not verify == 'SUCCESS': return None`",
		Fact:  "no cert: refused; the negated equality refuses everything but SUCCESS",
	},
	{
		Name:     "app-header-constant-presence-vulnerable",
		Title:    "ssl_verify_client optional; the header name in a module constant, tested for presence",
		Breaches: []string{"tls no-cert"},
		Fact:     "no cert: the constant names X-SSL-Client-Verify, which arrives as NONE: present, so accepted",
	},
	{
		Name:  "app-header-constant-strict-secure",
		Title: "ssl_verify_client optional; the header name and SUCCESS in module constants, compared exactly",
		Fact:  "no cert: NONE is not the constant SUCCESS: refused",
	},
	{
		Name:     "app-settings-header-haproxy-lockout-vulnerable",
		Title:    "HAProxy verify required forwards %[ssl_c_verify]; the app reads the header named in its settings and accepts only SUCCESS",
		Breaches: []string{"tls valid-cert"},
		Fact:     "a valid client arrives with 0 under the settings' header name and is refused; nobody else gets in",
	},
	{
		Name:  "app-settings-header-nginx-secure",
		Title: "ssl_verify_client optional; the app reads the header named in its settings and accepts only SUCCESS",
		Fact:  "no cert: NONE under the settings' header name: refused",
	},
	{
		Name:     "app-match-failed-literal-vulnerable",
		Title:    "ssl_verify_client optional_no_ca; a match statement refuses NONE, '' and the literal FAILED",
		Breaches: []string{"tls untrusted-cert"},
		Fact:     "an untrusted certificate arrives as FAILED:<reason>, matches no case and its DN is accepted",
	},
	{
		Name:  "app-match-strict-secure",
		Title: "ssl_verify_client optional_no_ca; a match statement lets only SUCCESS continue",
		Fact:  "an untrusted certificate arrives as FAILED:<reason> and falls into `case _`: refused",
	},
	{
		Name:     "app-walrus-presence-vulnerable",
		Title:    "ssl_verify_client optional; `if not (verify := ...)`, a presence test in an assignment expression",
		Breaches: []string{"tls no-cert"},
		Fact:     "no cert: NONE is truthy, so accepted",
	},
	{
		Name:  "app-walrus-strict-secure",
		Title: "ssl_verify_client optional; `if (verify := ...) != 'SUCCESS'` refuses",
		Fact:  "no cert: NONE: refused",
	},
	{
		Name:  "app-dn-presence-optional-secure",
		Title: "ssl_verify_client optional with a CA, only the DN forwarded; the app admits a client whose DN is present",
		Fact:  "no cert: nginx sends no DN header (empty value) and drops the client's copy: refused; an untrusted certificate: nginx 400",
	},
	{
		Name:     "app-verify-and-dn-no-ca-vulnerable",
		Title:    "ssl_verify_client optional_no_ca; `if verify != 'SUCCESS' and not dn` refuses",
		Breaches: []string{"tls untrusted-cert"},
		Fact:     "an untrusted certificate arrives as FAILED:<reason> with its DN, which is not empty: accepted",
	},
	{
		Name:  "app-verify-or-dn-no-ca-secure",
		Title: "ssl_verify_client optional_no_ca; `if verify != 'SUCCESS' or not dn` refuses",
		Fact:  "an untrusted certificate arrives as FAILED:<reason>: refused",
	},
	{
		Name:  "app-helper-module-secure",
		Title: "ssl_verify_client optional; the check is a helper in another module reading request.headers",
		Fact:  "no cert: the helper sees NONE: refused",
	},
	// Flask under uWSGI and FastAPI under uvicorn, started by the
	// Procfile; the Django template app is left out.
	{
		Name:    "flask-uwsgi-loopback-secure",
		Title:   "uWSGI --http-socket 127.0.0.1 serving Flask; the app reads request.headers and accepts only SUCCESS",
		Without: withoutDjango,
		Fact:    "127.0.0.2 → app port: connection refused; through nginx: as verify-on-secure",
	},
	{
		Name:     "flask-uwsgi-public-vulnerable",
		Title:    "uWSGI --http-socket 0.0.0.0 serving Flask behind nginx `ssl_verify_client on`",
		Breaches: []string{"direct"},
		Without:  withoutDjango,
		Fact:     "127.0.0.2 → app port with X-SSL-Client-Verify: SUCCESS and X-SSL-Client-DN: CN=admin: accepted as CN=admin",
	},
	{
		Name:    "flask-uwsgi-optional-strict-secure",
		Title:   "ssl_verify_client optional; a Flask app under uWSGI accepts only X-SSL-Client-Verify == SUCCESS",
		Without: withoutDjango,
		Fact:    "no cert: the app sees NONE and refuses; an untrusted certificate: nginx 400",
	},
	{
		Name:     "flask-uwsgi-optional-presence-vulnerable",
		Title:    "ssl_verify_client optional; a Flask app under uWSGI accepts any non-empty X-SSL-Client-Verify",
		Breaches: []string{"tls no-cert"},
		Without:  withoutDjango,
		Fact:     "no cert: nginx sends NONE, which is not empty: accepted",
	},
	{
		Name:    "fastapi-uvicorn-loopback-secure",
		Title:   "uvicorn --host 127.0.0.1 serving FastAPI; Header() parameters, only SUCCESS accepted",
		Without: withoutDjango,
		Fact:    "127.0.0.2 → app port: connection refused; through nginx: as verify-on-secure",
	},
	{
		Name:     "fastapi-uvicorn-public-vulnerable",
		Title:    "uvicorn --host 0.0.0.0 serving FastAPI behind nginx `ssl_verify_client on`",
		Breaches: []string{"direct"},
		Without:  withoutDjango,
		Fact:     "127.0.0.2 → app port with the identity headers: accepted; its X-Forwarded-Proto is ignored (127.0.0.2 is not in uvicorn's forwarded_allow_ips)",
	},
	{
		Name:    "fastapi-uvicorn-optional-strict-secure",
		Title:   "ssl_verify_client optional; a FastAPI app under uvicorn accepts only x_ssl_client_verify == SUCCESS",
		Without: withoutDjango,
		Fact:    "no cert: the app sees NONE and refuses; an untrusted certificate: nginx 400",
	},
	{
		Name:    "fastapi-asgi-scope-strict-secure",
		Title:   "ssl_verify_client optional; an ASGI middleware reads dict(scope[\"headers\"]) and passes on only b\"SUCCESS\"",
		Without: withoutDjango,
		Fact:    "no cert: the scope's x-ssl-client-verify line is NONE: 403 from the middleware; an untrusted certificate: nginx 400",
	},
	{
		Name:     "fastapi-asgi-scope-presence-vulnerable",
		Title:    "ssl_verify_client optional; an ASGI middleware loops over scope[\"headers\"] and passes on whenever the x-ssl-client-verify line is there",
		Breaches: []string{"tls no-cert"},
		Without:  withoutDjango,
		Fact:     "no cert: nginx sends the line with NONE, which is there: passed on",
	},
	{
		Name:    "fastapi-uvicorn-socket-secure",
		Title:   "uvicorn --uds on a UNIX socket that only nginx uses",
		AppAddr: "unix:{{TMP}}/app.sock",
		Without: withoutDjango,
		Fact:    "no port around nginx; through nginx: as verify-on-secure",
	},
	{
		Name:     "flask-uwsgi-proxyfix-plain-vulnerable",
		Title:    "Flask under uWSGI wrapped in werkzeug's ProxyFix(x_proto=1); the plain-HTTP listener does not set X-Forwarded-Proto",
		Breaches: []string{"plain-http spoof-scheme"},
		Without:  withoutDjango,
		Fact:     "over plain HTTP a client's X-Forwarded-Proto: https makes request.is_secure True",
	},
	{
		Name:    "flask-uwsgi-proxyfix-plain-secure",
		Title:   "as flask-uwsgi-proxyfix-plain, with X-Forwarded-Proto set from $scheme on both listeners",
		Without: withoutDjango,
		Fact:    "over plain HTTP nginx replaces the client's X-Forwarded-Proto with http: request.is_secure False",
	},
	{
		Name:     "fastapi-uvicorn-plain-proto-vulnerable",
		Title:    "FastAPI under uvicorn's default --proxy-headers (from 127.0.0.1, nginx); the plain-HTTP listener does not set X-Forwarded-Proto",
		Breaches: []string{"plain-http spoof-scheme"},
		Without:  withoutDjango,
		Fact:     "over plain HTTP a client's X-Forwarded-Proto: https becomes the request's scheme",
	},
	{
		Name:    "fastapi-uvicorn-plain-proto-secure",
		Title:   "as fastapi-uvicorn-plain-proto, with X-Forwarded-Proto set from $scheme on both listeners",
		Without: withoutDjango,
		Fact:    "over plain HTTP nginx replaces the client's X-Forwarded-Proto with http",
	},
	{
		Name:    "fastapi-uvicorn-no-proxy-headers-secure",
		Title:   "as fastapi-uvicorn-plain-proto-vulnerable (the plain-HTTP listener does not set X-Forwarded-Proto), with uvicorn --no-proxy-headers",
		Without: withoutDjango,
		Fact:    "over plain HTTP a client's X-Forwarded-Proto: https reaches uvicorn, which ignores it: the request's scheme stays http",
	},
	// Django REST framework: authentication classes and the permission
	// classes in force.
	{
		Name:     "drf-default-allowany-vulnerable",
		Title:    "ssl_verify_client optional; a DRF authentication class returns None unless SUCCESS, DRF's default AllowAny",
		Breaches: []string{"tls no-cert"},
		Fact:     "no cert: the class returns None, no other class authenticates, AllowAny lets the view run without a user",
	},
	{
		Name:  "drf-default-isauthenticated-secure",
		Title: "as drf-default-allowany, with DEFAULT_PERMISSION_CLASSES IsAuthenticated",
		Fact:  "no cert: the class returns None and IsAuthenticated refuses (DRF 403, not the app's report)",
	},
	{
		Name:     "drf-view-allowany-vulnerable",
		Title:    "DEFAULT_PERMISSION_CLASSES IsAuthenticated, but the view sets permission_classes = [AllowAny]",
		Breaches: []string{"tls no-cert"},
		Fact:     "no cert: the view's AllowAny replaces the default, and the view runs without a user",
	},
	{
		Name:  "drf-auth-raises-secure",
		Title: "DRF's default AllowAny; the authentication class raises AuthenticationFailed unless SUCCESS",
		Fact:  "no cert: DRF runs authentication before the view and the exception refuses the request (401/403)",
	},
}

// withoutDjango lists the template app's Django files, which a scenario
// whose app is Flask or FastAPI does not have.
var withoutDjango = []string{"gunicorn.conf.py", "manage.py", "e2eapp/__init__.py", "e2eapp/identity.py",
	"e2eapp/settings.py", "e2eapp/urls.py", "e2eapp/views.py", "e2eapp/wsgi.py"}
