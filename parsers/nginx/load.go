package nginx

import (
	"bytes"
	"path"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Kind is the kind of the trees this package builds (parsers.KindNginx).
const Kind = "nginx"

// confDirs are directory names that hold nginx configuration fragments;
// their parent plays the configuration prefix (/etc/nginx).
var confDirs = map[string]bool{
	"conf.d": true, "sites-available": true, "sites-enabled": true, "snippets": true,
	"http.d": true, "vhosts.d": true, "vhosts": true, "servers": true, "default.d": true,
	"stream.d": true, "includes": true, "locations": true, "templates": true,
}

// Load parses the given files, follows their includes, and groups them into
// trees: every file with an http or events block is the root of a tree;
// every other file that no tree includes is the root of a fragment tree,
// analysed as the contents of http {}. A file included by another is
// analysed only in its includer's context. Problems are load and syntax
// errors with positions; a file that cannot be read or parsed yields a
// problem, never silence.
func Load(r source.Reader, paths []string) ([]*Tree, []source.Problem) {
	return loadWith(r, paths, Parse)
}

// loadWith is Load with the function that parses each file.
func loadWith(r source.Reader, paths []string, parse func(*source.File) ([]*Directive, []source.Problem)) ([]*Tree, []source.Problem) {
	l := newLoader(r, parse)
	paths = uniqueSorted(paths)
	parseAll(l, paths)

	var mains, others []string
	for _, p := range paths {
		if source.Cancelled(r) != nil {
			return nil, nil // the run was cancelled: stop working
		}
		pf := l.parse(p)
		if pf.err != nil {
			l.report(source.ReadProblem(p, pf.err))
			continue
		}
		if isMain(pf.dirs) {
			mains = append(mains, p)
		} else {
			others = append(others, p)
		}
	}

	// A file is known by its identity, so that a site reached through
	// the sites-enabled/ link that an include names is not a second root
	// under its sites-available/ path.
	id := func(p string) string { return source.Identity(r, p) }
	var trees []*Tree
	covered := map[string]bool{}
	mainDirs := map[string]bool{}
	for _, p := range mains {
		mainDirs[dirOf(p)] = true
	}
	for _, p := range mains {
		if source.Cancelled(r) != nil {
			return nil, nil // the run was cancelled: stop working
		}
		t, probs := buildTree(l, p, dirOf(p), false)
		trees = append(trees, t)
		for _, pr := range probs {
			l.report(pr)
		}
		t.cover(covered, id)
	}

	// Fragments: a file that another fragment includes is not a root of
	// its own. Who includes whom is read from each fragment's own include
	// directives, resolved as they would be with the fragment as a root,
	// so that every fragment is expanded once, as a root or where it is
	// included, never both.
	includedBy := map[string]bool{}
	var candidates []string
	for _, p := range others {
		if source.Cancelled(r) != nil {
			return nil, nil
		}
		if covered[id(p)] {
			continue
		}
		candidates = append(candidates, p)
		for _, f := range directIncludes(l, p, fragmentPrefix(p, mainDirs)) {
			if f != p {
				includedBy[id(f)] = true
			}
		}
	}
	for _, p := range source.RootOrder(candidates, source.IncludedByIdentity(candidates, includedBy, id)) {
		if source.Cancelled(r) != nil {
			return nil, nil
		}
		if covered[id(p)] {
			continue
		}
		t, probs := buildTree(l, p, fragmentPrefix(p, mainDirs), true)
		trees = append(trees, t)
		for _, pr := range probs {
			l.report(pr)
		}
		covered[id(p)] = true
		t.cover(covered, id)
	}
	sort.SliceStable(trees, func(i, j int) bool { return trees[i].root.Path < trees[j].root.Path })

	probs := l.problems
	sort.SliceStable(probs, func(i, j int) bool {
		if probs[i].Range.File != probs[j].Range.File {
			return probs[i].Range.File < probs[j].Range.File
		}
		return probs[i].Range.Start.Offset < probs[j].Range.Start.Offset
	})
	return trees, probs
}

// buildTree expands one root. A fragment is wrapped in a synthetic http
// block.
func buildTree(l *loader, root, prefix string, fragment bool) (*Tree, []source.Problem) {
	pf := l.parse(root)
	e := newExpander(l, pf.file, prefix)
	t := e.tree
	t.Fragment = fragment
	main := &Directive{Name: "", Block: true, Synthetic: true, File: pf.file, end: int32(len(pf.file.Content))}
	t.Main = main
	if fragment {
		http := &Directive{Name: "http", Block: true, Synthetic: true, File: pf.file, Parent: main, end: main.end}
		http.Children = e.expandFile(pf, http, nil, "")
		main.Children = []*Directive{http}
	} else {
		main.Children = e.expandFile(pf, main, nil, "")
	}
	indexChildren(main)
	return t, e.probs
}

// cover marks the files the tree includes, expanded or not, by their
// identity (a file reached through a symbolic link is one file).
func (t *Tree) cover(covered map[string]bool, id func(string) string) {
	for _, f := range t.files[1:] {
		covered[id(f.Path)] = true
	}
	for _, p := range t.unfollowed {
		covered[id(p)] = true
	}
}

// directIncludes lists the files that root's own include directives
// (not those of the files they include) resolve to when root is the root
// of a fragment tree. Nothing is expanded and nothing is reported: the
// tree that is built reports.
func directIncludes(l *loader, root, prefix string) []string {
	pf := l.parse(root)
	if pf.err != nil {
		return nil
	}
	e := newExpander(l, pf.file, prefix)
	e.tree.Fragment = true
	e.quiet = true
	var out []string
	var visit func([]*Directive)
	visit = func(ds []*Directive) {
		for _, d := range ds {
			if d.Name == "include" && !d.Block && len(d.Args) == 1 {
				files, _ := e.resolve(d, &Include{Pattern: d.Args[0].Value})
				out = append(out, files...)
			}
			visit(pf.children(d))
		}
	}
	visit(pf.dirs)
	return out
}

// parseAll parses the files, up to source.Jobs(l.r) at once (a caller
// that runs loads in parallel is not multiplied); the trees are built
// afterwards from the cache.
func parseAll(l *loader, paths []string) {
	source.Each(source.Jobs(l.r), len(paths), func(i int) {
		if source.Cancelled(l.r) == nil {
			l.parse(paths[i])
		}
	})
}

// isMain reports whether a file is a main configuration: it has an http,
// events, stream or mail block at the top level.
func isMain(dirs []*Directive) bool {
	for _, d := range dirs {
		if d.Block {
			switch d.Name {
			case "http", "events", "stream", "mail":
				return true
			}
		}
	}
	return false
}

// fragmentPrefix guesses the configuration prefix of a fragment: the
// nearest directory above it that holds a main configuration, else the
// parent of a conf.d-like directory, else the fragment's own directory.
func fragmentPrefix(p string, mainDirs map[string]bool) string {
	for d := dirOf(p); ; d = dirOf(d) {
		if mainDirs[d] {
			return d
		}
		if d == "" {
			break
		}
	}
	dir := dirOf(p)
	if confDirs[path.Base(dir)] {
		return dirOf(dir)
	}
	return dir
}

// dirOf is path.Dir with "" for the root.
func dirOf(p string) string {
	d := path.Dir(p)
	if d == "." || d == "/" {
		return ""
	}
	return d
}

func uniqueSorted(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		p = path.Clean(p)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// Candidate reports from the path alone whether a file may be nginx
// configuration and is worth reading during discovery.
func Candidate(rel string) bool {
	base := path.Base(rel)
	lower := strings.ToLower(base)
	if skipExt(lower) {
		return false
	}
	switch {
	case strings.HasPrefix(lower, "nginx"),
		strings.HasSuffix(lower, ".conf"),
		strings.HasSuffix(lower, ".nginx"),
		strings.HasSuffix(lower, ".nginxconf"),
		strings.HasSuffix(lower, ".vhost"),
		strings.HasSuffix(lower, ".conf.template"),
		strings.HasSuffix(lower, ".conf.sample"),
		strings.HasSuffix(lower, "_params"),
		lower == "mime.types":
		return true
	}
	for _, seg := range strings.Split(dirOf(rel), "/") {
		s := strings.ToLower(seg)
		if strings.Contains(s, "nginx") || confDirs[s] {
			return !strings.HasPrefix(base, ".") || strings.HasSuffix(lower, ".conf")
		}
	}
	return false
}

// skipExt lists extensions that are never nginx configuration, so that a
// Dockerfile, a certificate or a script next to nginx.conf is not read.
func skipExt(lower string) bool {
	if strings.Contains(lower, ".conf") {
		return false
	}
	for _, ext := range []string{".md", ".rst", ".txt", ".py", ".pyc", ".sh", ".bash", ".json", ".yml", ".yaml", ".toml", ".ini", ".cfg",
		".js", ".ts", ".html", ".htm", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".pem", ".crt", ".key", ".csr", ".der",
		".p12", ".pfx", ".gz", ".zip", ".tar", ".tgz", ".lua", ".go", ".rb", ".pl", ".php", ".j2", ".jinja", ".jinja2", ".tmpl", ".erb",
		".lock", ".log", ".pid", ".xml", ".env", ".dockerfile", ".bat", ".ps1"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	switch lower {
	case "dockerfile", "makefile", "license", "readme", "copying", "authors", ".gitignore", ".dockerignore", "entrypoint":
		return true
	}
	return false
}

// Detect decides from the path and the content whether a file is nginx
// configuration: mostly statements that name nginx directives, with at
// least one that only nginx has. Templates for other engines (Jinja, Go,
// ERB) are not configuration until rendered and are not detected.
func Detect(rel string, content []byte) bool {
	_, _, ok := detect(rel, content)
	return ok
}

// detect is Detect, with what it parsed.
func detect(rel string, content []byte) ([]*Directive, []source.Problem, bool) {
	if len(content) == 0 {
		return nil, nil, false
	}
	for _, marker := range []string{"{{", "{%", "<%"} {
		if bytes.Contains(content, []byte(marker)) {
			return nil, nil, false
		}
	}
	dirs, probs := Parse(source.NewFile(rel, content))
	known, total, strong := 0, 0, 0
	var visit func([]*Directive)
	visit = func(ds []*Directive) {
		for _, d := range ds {
			total++
			switch {
			case strongDirective(d):
				strong++
				known++
			case knownDirective(d.Name):
				known++
			}
			if len(d.Children) > 0 && !dataBlocks[d.Name] {
				visit(d.Children)
			}
		}
	}
	visit(dirs)
	var is bool
	switch {
	case total == 0:
		is = false
	case strong > 0:
		is = known*2 >= total
	default:
		// A small snippet ("server_tokens off;") has no directive that
		// only nginx has; accept it when every statement is an nginx
		// directive and the path says nginx.
		is = known == total && nginxPath(rel)
	}
	return dirs, probs, is
}

// nginxPath reports whether a path names nginx: a directory or file name
// containing "nginx", or a conf.d-like directory.
func nginxPath(rel string) bool {
	for _, seg := range strings.Split(rel, "/") {
		s := strings.ToLower(seg)
		if strings.Contains(s, "nginx") || confDirs[s] {
			return true
		}
	}
	return false
}

// dataBlocks hold key-value entries rather than directives.
var dataBlocks = map[string]bool{"map": true, "geo": true, "types": true, "split_clients": true, "charset_map": true, "match": true}

// strongDirective reports directives that only nginx configuration has.
func strongDirective(d *Directive) bool {
	if d.Block {
		switch d.Name {
		case "http", "events", "server", "location", "upstream", "map", "stream", "types", "geo", "limit_except":
			return true
		}
		return strings.HasSuffix(d.Name, "_by_lua_block")
	}
	for _, p := range []string{"proxy_", "fastcgi_", "uwsgi_", "scgi_", "grpc_", "ssl_"} {
		if strings.HasPrefix(d.Name, p) {
			return true
		}
	}
	switch d.Name {
	case "server_name", "listen", "try_files", "add_header", "worker_processes", "worker_connections", "client_max_body_size", "error_page", "access_log", "error_log", "keepalive_timeout", "sendfile", "gzip", "set_real_ip_from", "real_ip_header", "return", "rewrite":
		return len(d.Args) > 0
	}
	return false
}

func knownDirective(name string) bool {
	if knownNames[name] {
		return true
	}
	for _, p := range []string{"proxy_", "fastcgi_", "uwsgi_", "scgi_", "grpc_", "ssl_", "gzip", "limit_", "client_", "http2_", "http3_", "quic_", "open_file_cache", "lua_", "more_", "auth_", "keepalive", "large_client_", "log_", "real_ip", "resolver", "sub_filter", "secure_link", "userid", "charset", "expires", "memcached_", "mirror", "zone", "hash", "ip_hash", "least_", "random", "slice", "split_", "output_", "postpone_", "reset_", "satisfy", "send_", "server_", "tcp_", "types_", "underscores_in_headers", "variables_hash", "worker_", "msie_", "aio", "directio", "disable_symlinks", "etag", "if_modified_since", "ignore_invalid_headers", "internal", "lingering_", "max_ranges", "merge_slashes", "port_in_redirect", "absolute_redirect", "read_ahead", "recursive_error_pages", "request_pool_size", "ancient_browser", "modern_browser", "valid_referers", "stub_status", "perl", "js_", "njs_", "env", "pcre_jit", "thread_pool", "timer_resolution", "working_directory", "accept_mutex", "multi_accept", "use", "daemon", "master_process", "load_module", "lock_file", "include", "image_filter", "xslt_", "dav_", "autoindex", "index", "alias", "root", "default_type", "sendfile", "tcp_nopush", "chunked_transfer_encoding", "add_trailer", "allow", "deny", "access_by_", "content_by_", "rewrite_by_", "header_filter_by_", "body_filter_by_", "log_by_", "init_by_", "init_worker_by_", "set_by_", "balancer_by_", "ssl_certificate_by_", "brotli", "vhost_traffic_status", "pagespeed", "modsecurity", "geoip", "health_check", "status_zone", "sticky", "ntlm", "queue", "api", "state", "keyval", "otel_", "opentracing"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

var knownNames = map[string]bool{
	"http": true, "events": true, "server": true, "location": true, "upstream": true, "map": true, "geo": true, "stream": true, "mail": true,
	"types": true, "if": true, "set": true, "break": true, "return": true, "rewrite": true, "rewrite_log": true, "try_files": true,
	"error_page": true, "listen": true, "server_name": true, "user": true, "pid": true, "access_log": true, "error_log": true,
	"add_header": true, "uninitialized_variable_warn": true, "limit_except": true, "split_clients": true, "upstream_conf": true,
	"default": true, "hostnames": true, // map/geo parameters written like directives
}
