package haproxy

import "sync"

// The first words HAProxy accepts in the global section and in proxy
// sections (defaults, frontend, backend, listen), in any release from 1.5
// to 3.x: the union of the "global" keyword lists and the proxy keyword
// matrices of every release's doc/configuration.txt, the keywords that
// the manual leaves out of the matrix on purpose, the global keywords
// defined in section 3 but missing from its list, and those HAProxy 2.6
// registers at run time (haproxy -dKcfg). A word outside them is refused by
// every release ("unknown keyword"), so a configuration that holds one does
// not load, whatever the deployed version. Removed keywords (reqadd, block,
// ...) are kept: H012 reports those with the release that removed them.

// globalKeywordList and proxyKeywordList are the lists, for suggestions.
var globalKeywordList = []string{
	"51degrees-allow-unmatched", "51degrees-cache-size", "51degrees-data-file",
	"51degrees-difference", "51degrees-drift", "51degrees-property-name-list",
	"51degrees-property-separator", "51degrees-use-performance-graph",
	"51degrees-use-predictive-graph", "acme.scheduler", "alias", "anonkey", "backing-file", "backlog",
	"bind", "busy-polling", "ca-base", "chroot", "close-spread-time", "cluster-secret", "command",
	"cpu-affinity", "cpu-map", "cpu-policy", "cpu-set", "crt", "crt-base", "daemon", "debug",
	"debug.counters", "default-bind", "default-path", "default-server", "description",
	"deviceatlas-json-file", "deviceatlas-log-level", "deviceatlas-properties-cookie",
	"deviceatlas-separator", "dgram-bind", "disabled", "dns-accept-family", "enable", "enabled",
	"errorfile", "expose-deprecated-directives", "expose-experimental-directives", "external-check",
	"fd-hard-limit", "force-cfg-parser-pause", "format", "gid", "grace", "group",
	"h1-accept-payload-with-any-method", "h1-case-adjust", "h1-case-adjust-file",
	"h1-do-not-close-on-insecure-transfer-encoding", "h2-workaround-bogus-websocket-clients",
	"hard-stop-after", "harden.reject-privileged-ports.quic", "harden.reject-privileged-ports.tcp",
	"http-err-codes", "http-errors", "http-fail-codes", "httpclient.resolvers.disabled",
	"httpclient.resolvers.id", "httpclient.resolvers.prefer", "httpclient.retries",
	"httpclient.ssl.ca-file", "httpclient.ssl.verify", "httpclient.timeout.connect",
	"insecure-fork-wanted", "insecure-setuid-wanted", "issuer", "issuers-chain-path",
	"jwt.decrypt_alg_list", "jwt.decrypt_enc_list", "key", "key-base", "limited-quic", "load",
	"localpeer", "log", "log-forward", "log-send-hostname", "log-tag", "lua-load",
	"lua-load-per-thread", "lua-prepend-path", "mailer", "mailers", "master-worker",
	"max-spread-checks", "max-threads-per-group", "maxcompcpuusage", "maxcomprate", "maxconn",
	"maxconnrate", "maxlen", "maxpipes", "maxsessrate", "maxsslconn", "maxsslrate", "maxzlibmem",
	"mworker-max-reloads", "nbproc", "nbthread", "no", "no-memory-trimming", "no-quic", "node",
	"noepoll", "noevports", "nogetaddrinfo", "nokqueue", "noktls", "nopoll", "noreuseport",
	"nosplice", "numa-cpu-mapping", "ocsp", "ocsp-update", "ocsp-update.disable",
	"ocsp-update.httpproxy", "ocsp-update.maxdelay", "ocsp-update.mindelay", "ocsp-update.mode",
	"peer", "peers", "pidfile", "pp2-never-send-local", "prealloc-fd", "presetenv",
	"profiling.memory", "profiling.tasks", "program", "quick-exit", "quiet", "resetenv", "ring",
	"sctl", "server", "server-state-base", "server-state-file", "set-dumpable", "set-var",
	"set-var-fmt", "setcap", "setenv", "shm-stats-file", "shm-stats-file-max-objects", "size",
	"spread-checks", "ssl-default-bind-ciphers", "ssl-default-bind-ciphersuites",
	"ssl-default-bind-client-sigalgs", "ssl-default-bind-curves", "ssl-default-bind-options",
	"ssl-default-bind-sigalgs", "ssl-default-server-ciphers", "ssl-default-server-ciphersuites",
	"ssl-default-server-client-sigalgs", "ssl-default-server-curves", "ssl-default-server-options",
	"ssl-default-server-sigalgs", "ssl-dh-param-file", "ssl-engine", "ssl-load-extra-del-ext",
	"ssl-load-extra-files", "ssl-mode-async", "ssl-passphrase-cmd", "ssl-propquery", "ssl-provider",
	"ssl-provider-path", "ssl-security-level", "ssl-server-verify", "ssl-skip-self-issued-ca",
	"stats", "stats-file", "stress-level", "strict-limits", "thread-group", "thread-groups",
	"thread-hard-limit", "timeout", "trace", "tune.applet.zero-copy-forwarding", "tune.buffers.limit",
	"tune.buffers.reserve", "tune.bufsize", "tune.bufsize.large", "tune.bufsize.small",
	"tune.chksize", "tune.cli.max-payload-size", "tune.comp.maxlevel", "tune.defaults.purge",
	"tune.disable-fast-forward", "tune.disable-zero-copy-forwarding", "tune.epoll.mask-events",
	"tune.events.max-events-at-once", "tune.fail-alloc", "tune.fd.edge-triggered", "tune.fd.tables",
	"tune.glitches.kill.cpu-usage", "tune.h1.be.glitches-threshold", "tune.h1.fe.glitches-threshold",
	"tune.h1.zero-copy-fwd-recv", "tune.h1.zero-copy-fwd-send", "tune.h2.be.glitches-threshold",
	"tune.h2.be.initial-window-size", "tune.h2.be.max-concurrent-streams",
	"tune.h2.be.max-frames-at-once", "tune.h2.be.rxbuf", "tune.h2.fe.glitches-threshold",
	"tune.h2.fe.initial-window-size", "tune.h2.fe.max-concurrent-streams",
	"tune.h2.fe.max-frames-at-once", "tune.h2.fe.max-rst-at-once", "tune.h2.fe.max-total-streams",
	"tune.h2.fe.rxbuf", "tune.h2.header-table-size", "tune.h2.initial-window-size",
	"tune.h2.log-errors", "tune.h2.max-concurrent-streams", "tune.h2.max-frame-size",
	"tune.h2.zero-copy-fwd-send", "tune.http.cookielen", "tune.http.logurilen", "tune.http.maxhdr",
	"tune.idle-pool.shared", "tune.idletimer", "tune.listener.default-shards",
	"tune.listener.multi-queue", "tune.lua.bool-sample-conversion", "tune.lua.burst-timeout",
	"tune.lua.forced-yield", "tune.lua.log.loggers", "tune.lua.log.stderr", "tune.lua.maxmem",
	"tune.lua.openlibs", "tune.lua.service-timeout", "tune.lua.session-timeout",
	"tune.lua.task-timeout", "tune.max-checks-per-thread", "tune.max-rules-at-once", "tune.maxaccept",
	"tune.maxpollevents", "tune.maxrewrite", "tune.memory.hot-size", "tune.notsent-lowat.server",
	"tune.pattern.cache-size", "tune.peers.max-updates-at-once", "tune.pipesize",
	"tune.pool-high-fd-ratio", "tune.pool-low-fd-ratio", "tune.pt.zero-copy-forwarding",
	"tune.quic.be.cc.cubic-min-losses", "tune.quic.be.cc.hystart", "tune.quic.be.cc.max-frame-loss",
	"tune.quic.be.cc.max-win-size", "tune.quic.be.cc.reorder-ratio", "tune.quic.be.max-idle-timeout",
	"tune.quic.be.sec.glitches-threshold", "tune.quic.be.stream.data-ratio",
	"tune.quic.be.stream.max-concurrent", "tune.quic.be.stream.rxbuf", "tune.quic.be.tx.pacing",
	"tune.quic.be.tx.udp-gso", "tune.quic.cc-hystart", "tune.quic.cc.cubic.min-losses",
	"tune.quic.disable-tx-pacing", "tune.quic.disable-udp-gso", "tune.quic.fe.cc.cubic-min-losses",
	"tune.quic.fe.cc.hystart", "tune.quic.fe.cc.max-frame-loss", "tune.quic.fe.cc.max-win-size",
	"tune.quic.fe.cc.reorder-ratio", "tune.quic.fe.max-idle-timeout",
	"tune.quic.fe.sec.glitches-threshold", "tune.quic.fe.sec.retry-threshold",
	"tune.quic.fe.sock-per-conn", "tune.quic.fe.stream.data-ratio",
	"tune.quic.fe.stream.max-concurrent", "tune.quic.fe.stream.max-total",
	"tune.quic.fe.stream.rxbuf", "tune.quic.fe.tx.pacing", "tune.quic.fe.tx.udp-gso",
	"tune.quic.frontend.conn-tx-buffers.limit", "tune.quic.frontend.default-max-window-size",
	"tune.quic.frontend.glitches-threshold", "tune.quic.frontend.max-data-size",
	"tune.quic.frontend.max-idle-timeout", "tune.quic.frontend.max-streams-bidi",
	"tune.quic.frontend.max-tx-mem", "tune.quic.frontend.stream-data-ratio", "tune.quic.listen",
	"tune.quic.max-frame-loss", "tune.quic.mem.tx-max", "tune.quic.reorder-ratio",
	"tune.quic.retry-threshold", "tune.quic.socket-owner", "tune.quic.zero-copy-fwd-send",
	"tune.rcvbuf.backend", "tune.rcvbuf.client", "tune.rcvbuf.frontend", "tune.rcvbuf.server",
	"tune.recv_enough", "tune.renice.runtime", "tune.renice.startup", "tune.ring.queues",
	"tune.runqueue-depth", "tune.sched.low-latency", "tune.sndbuf.backend", "tune.sndbuf.client",
	"tune.sndbuf.frontend", "tune.sndbuf.server", "tune.ssl.cachesize",
	"tune.ssl.capture-buffer-size", "tune.ssl.capture-cipherlist-size",
	"tune.ssl.certificate-compression", "tune.ssl.default-dh-param", "tune.ssl.force-private-cache",
	"tune.ssl.hard-maxrecord", "tune.ssl.keylog", "tune.ssl.keyupdate-rate-limit",
	"tune.ssl.lifetime", "tune.ssl.maxrecord", "tune.ssl.ocsp-update.maxdelay",
	"tune.ssl.ocsp-update.mindelay", "tune.ssl.ssl-ctx-cache-size", "tune.stick-counters",
	"tune.streams-elasticity", "tune.takeover-other-tg-connections", "tune.vars.check-max-size",
	"tune.vars.global-max-size", "tune.vars.proc-max-size", "tune.vars.reqres-max-size",
	"tune.vars.sess-max-size", "tune.vars.txn-max-size", "tune.zlib.memlevel", "tune.zlib.windowsize",
	"uid", "ulimit-n", "unix-bind", "unsetenv", "user", "userlist", "warn-blocked-traffic-after",
	"wurfl-cache-size", "wurfl-data-file", "wurfl-engine-mode", "wurfl-information-list",
	"wurfl-information-list-separator", "wurfl-patch-file", "wurfl-useragent-priority",
	"zero-warning",
}

// globalKeywords and proxyKeywords are the sets, built on first use.
var globalKeywords = sync.OnceValue(func() map[string]bool { return setOf(globalKeywordList...) })

var proxyKeywordList = []string{
	"acl", "appsession", "backlog", "balance", "be-unpublished", "bind", "bind-process", "block",
	"capture", "clitcpka-cnt", "clitcpka-idle", "clitcpka-intvl", "clitimeout", "compression",
	"contimeout", "cookie", "crt", "declare", "default-server", "default_backend", "description",
	"disabled", "dispatch", "dynamic-cookie-key", "email-alert", "enabled", "error-log-format",
	"errorfile", "errorfiles", "errorloc", "errorloc302", "errorloc303", "external-check", "filter",
	"filter-sequence", "force-be-switch", "force-persist", "fullconn", "grace", "guid",
	"hash-balance-factor", "hash-key", "hash-preserve-affinity", "hash-type", "http-after-response",
	"http-check", "http-error", "http-request", "http-response", "http-reuse",
	"http-send-name-header", "id", "ignore-persist", "load-server-state-from-file", "log",
	"log-format", "log-format-sd", "log-steps", "log-tag", "max-keep-alive-queue",
	"max-session-srv-conns", "maxconn", "mode", "monitor", "monitor-net", "monitor-uri", "option",
	"persist", "quic-initial", "rate-limit", "redirect", "redisp", "redispatch", "reqadd", "reqallow",
	"reqdel", "reqdeny", "reqiallow", "reqidel", "reqideny", "reqipass", "reqirep", "reqisetbe",
	"reqitarpit", "reqpass", "reqrep", "reqsetbe", "reqtarpit", "retries", "retry-on", "rspadd",
	"rspdel", "rspdeny", "rspidel", "rspideny", "rspirep", "rsprep", "server",
	"server-state-file-name", "server-template", "source", "srvtcpka-cnt", "srvtcpka-idle",
	"srvtcpka-intvl", "srvtimeout", "ssl-f-use", "stats", "stick", "stick-table", "tcp-check",
	"tcp-request", "tcp-response", "timeout", "transparent", "unique-id-format", "unique-id-header",
	"use-fcgi-app", "use-server", "use_backend",
}

var proxyKeywords = sync.OnceValue(func() map[string]bool { return setOf(proxyKeywordList...) })

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
