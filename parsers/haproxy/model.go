package haproxy

import (
	"regexp"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Proxy is a defaults, frontend, backend or listen section with what the
// rules need from it, inheritance from defaults resolved.
type Proxy struct {
	Section *Section
	Kind    string // "defaults", "frontend", "backend", "listen"
	Name    string
	// Defaults is the defaults section the proxy inherits from: the one
	// named with "from", or else the last defaults section before it.
	Defaults *Proxy
	// Binds are the proxy's bind lines (frontend and listen).
	Binds []*Bind
	// HTTPRequest are the proxy's own http-request rules, in order.
	HTTPRequest []*HTTPRule
	// UseBackends are the use_backend rules, in order.
	UseBackends []*UseBackend
	// DefaultBackend is the effective default_backend (inherited from
	// defaults when the proxy sets none), or nil.
	DefaultBackend *UseBackend
	// Servers are the proxy's server lines (backend and listen).
	Servers []*Server
	// modeLine is the proxy's own last "mode" line, noted while the
	// proxy is built: Mode is asked for every frontend by several rules,
	// and finding the line again took 2.4 % of the time of linting
	// corpus/haproxy.
	modeLine *Line
}

// IsFrontend reports whether the proxy accepts connections.
func (p *Proxy) IsFrontend() bool { return p.Kind == "frontend" || p.Kind == "listen" }

// IsBackend reports whether the proxy has servers.
func (p *Proxy) IsBackend() bool { return p.Kind == "backend" || p.Kind == "listen" }

// Lines returns the proxy's own lines whose keyword is kw.
func (p *Proxy) Lines(kw string) []*Line {
	var out []*Line
	for _, l := range p.Section.Lines {
		if l.Keyword() == kw {
			out = append(out, l)
		}
	}
	return out
}

// Effective returns the last line with keyword kw (and no modifier) in the
// proxy or, when it has none, in its defaults chain.
func (p *Proxy) Effective(kw string) *Line {
	for q, depth := p, 0; q != nil && depth < 32; q, depth = q.Defaults, depth+1 {
		var last *Line
		for _, l := range q.Section.Lines {
			if l.Mod() == "" && l.Keyword() == kw {
				last = l
			}
		}
		if last != nil {
			return last
		}
	}
	return nil
}

// Mode is the proxy's effective mode ("tcp" when nothing sets it, which is
// HAProxy's default) and the line that sets it (nil for the default).
func (p *Proxy) Mode() (string, *Line) {
	for q, depth := p, 0; q != nil && depth < 32; q, depth = q.Defaults, depth+1 {
		if l := q.modeLine; l != nil {
			return strings.ToLower(l.Arg(1)), l
		}
	}
	return "tcp", nil
}

// Option returns the effective "option <name>" line of the proxy and its
// defaults chain, and whether it is enabled ("no option <name>" disables).
// A nil line means the option is not set anywhere.
func (p *Proxy) Option(name string) (*Line, bool) {
	for q, depth := p, 0; q != nil && depth < 32; q, depth = q.Defaults, depth+1 {
		var last *Line
		for _, l := range q.Section.Lines {
			if l.Keyword() == "option" && l.Arg(1) == name {
				last = l
			}
		}
		if last != nil {
			return last, last.Mod() != "no"
		}
	}
	return nil, false
}

// AllHTTPRequest returns the http-request rules that run for the proxy:
// those of its defaults chain (outermost first), then its own.
func (p *Proxy) AllHTTPRequest() []*HTTPRule {
	var chain []*Proxy
	for q, depth := p.Defaults, 0; q != nil && depth < 32; q, depth = q.Defaults, depth+1 {
		chain = append([]*Proxy{q}, chain...)
	}
	var out []*HTTPRule
	for _, q := range chain {
		out = append(out, q.HTTPRequest...)
	}
	return append(out, p.HTTPRequest...)
}

// Condition is the "if"/"unless" part of a rule.
type Condition struct {
	Kind  string // "if" or "unless"
	Terms []Word // the words after if/unless
	Range source.Range
}

// Text is the condition as written, without if/unless.
func (c *Condition) Text() string {
	parts := make([]string, len(c.Terms))
	for i, w := range c.Terms {
		parts[i] = w.Value()
	}
	return strings.Join(parts, " ")
}

// HTTPRule is one "http-request" line.
type HTTPRule struct {
	Line   *Line
	Action string // "set-header", "add-header", "del-header", "deny", ...
	// Header is the header name of set-header, add-header, del-header,
	// replace-header and replace-value.
	Header *Word
	// Value is the value (a log-format expression) of set-header and
	// add-header.
	Value *Word
	// Match is the -m method of del-header ("str" when not given).
	Match string
	// Pattern is a del-header -m reg name pattern, compiled once here
	// (case-insensitively, as HAProxy matches names); nil when Match is
	// not "reg" or the pattern does not compile.
	Pattern *regexp.Regexp
	Cond    *Condition
}

// UseBackend is a use_backend or default_backend line.
type UseBackend struct {
	Line    *Line
	Backend string // the name as written (may be a log-format expression)
	Cond    *Condition
	Default bool // default_backend
}

// Server is a "server" line.
type Server struct {
	Line    *Line
	Name    string
	Address Word
}

// Bind is a "bind" line and its options.
type Bind struct {
	Line *Line
	// Addresses are the listening addresses of the first argument (split
	// on commas).
	Addresses []string
	// Options holds each option with its argument word ("crt" → the file);
	// options without an argument ("ssl") map to a zero Word.
	Options map[string]Word
	// OptionWords holds the option keyword words, for ranges.
	OptionWords map[string]Word
	// CrtList holds the SSL options of crt-list entries, when the list
	// was readable: each entry's options keyed as for Options.
	CrtList []CrtListEntry
}

// CrtListEntry is one line of a crt-list file.
type CrtListEntry struct {
	Line    *Line
	Cert    string
	Options map[string]Word
	SNI     []string
}

// Has reports whether the bind carries the option.
func (b *Bind) Has(name string) bool { _, ok := b.Options[name]; return ok }

// Opt returns the argument of an option and whether the option is set.
func (b *Bind) Opt(name string) (Word, bool) { w, ok := b.Options[name]; return w, ok }

// SSL reports whether the bind terminates TLS.
func (b *Bind) SSL() bool { return b.Has("ssl") }

// bindArgOptions are the bind options that take one argument; the others
// are flags.
var bindArgOptions = map[string]bool{
	"crt": true, "crt-list": true, "ca-file": true, "crl-file": true, "verify": true,
	"ca-ignore-err": true, "crt-ignore-err": true, "ssl-min-ver": true, "ssl-max-ver": true,
	"ciphers": true, "ciphersuites": true, "alpn": true, "npn": true, "curves": true,
	"ecdhe": true, "name": true, "id": true, "process": true, "thread": true, "maxconn": true,
	"backlog": true, "accept-netscaler-cip": true, "interface": true, "level": true,
	"severity-output": true, "mode": true, "uid": true, "gid": true, "user": true,
	"group": true, "mss": true, "namespace": true, "nice": true, "proto": true, "tcp-ut": true,
	"ca-sign-file": true, "ca-sign-pass": true, "ca-verify-file": true, "sigalgs": true,
	"client-sigalgs": true, "shards": true, "label": true, "guid-prefix": true,
	"idle-ping": true, "quic-cc-algo": true, "quic-socket": true, "expose-fd": true,
	"tls-ticket-keys": true, "default-crt": true, "nbconn": true, "ocsp-update": true,
	"verifyhost": true, "sni": true,
}

// parseOptions reads bind-style options from args[from:]: each option
// with its argument word, and each option's own keyword word.
func parseOptions(args []Word, from int) (map[string]Word, map[string]Word) {
	opts := map[string]Word{}
	kws := map[string]Word{}
	for k := from; k < len(args); k++ {
		name := args[k].Value()
		kws[name] = args[k]
		if bindArgOptions[name] && k+1 < len(args) {
			opts[name] = args[k+1]
			k++
			continue
		}
		opts[name] = Word{}
	}
	return opts, kws
}

// condition finds "if"/"unless" at or after index from.
func condition(l *Line, from int) (*Condition, int) {
	for k := from; k < len(l.Args()); k++ {
		if v := l.Args()[k].Value(); v == "if" || v == "unless" {
			c := &Condition{Kind: v, Terms: l.Args()[k+1:]}
			end := l.Args()[len(l.Args())-1].End()
			c.Range = l.File.Range(l.Args()[k].Start(), end)
			return c, k
		}
	}
	return nil, len(l.Args())
}

func parseHTTPRule(l *Line) *HTTPRule {
	r := &HTTPRule{Line: l, Action: l.Arg(1)}
	cond, ci := condition(l, 2)
	r.Cond = cond
	switch r.Action {
	case "set-header", "add-header", "del-header", "replace-header", "replace-value", "early-hint":
		if ci > 2 {
			w := l.Args()[2]
			r.Header = &w
		}
	}
	switch r.Action {
	case "set-header", "add-header":
		if ci > 3 {
			w := l.Args()[3]
			r.Value = &w
		}
	case "del-header":
		r.Match = "str"
		for k := 3; k+1 < ci; k++ {
			if l.Args()[k].Value() == "-m" {
				r.Match = l.Args()[k+1].Value()
			}
		}
		if r.Match == "reg" && r.Header != nil {
			r.Pattern, _ = regexp.Compile("(?i)" + r.Header.Value())
		}
	}
	return r
}

// buildProxies turns the sections into proxies, resolving defaults.
func buildProxies(sections []*Section) []*Proxy {
	var out []*Proxy
	named := map[string]*Proxy{}
	var lastDefaults *Proxy
	// The proxies come from one allocation; it has room for every
	// section, so it never grows and the pointers into it stay valid.
	all := make([]Proxy, 0, len(sections))
	for _, s := range sections {
		switch s.Kind {
		case "defaults", "frontend", "backend", "listen":
		default:
			continue
		}
		all = append(all, Proxy{Section: s, Kind: s.Kind, Name: s.Name})
		p := &all[len(all)-1]
		if s.From != "" {
			p.Defaults = named[s.From]
		} else if s.Kind != "defaults" {
			p.Defaults = lastDefaults
		}
		for _, l := range s.Lines {
			switch l.Keyword() {
			case "mode":
				if l.Mod() == "" {
					p.modeLine = l
				}
			case "bind":
				b := &Bind{Line: l}
				if len(l.Args()) > 1 {
					b.Addresses = strings.Split(l.Args()[1].Value(), ",")
				}
				b.Options, b.OptionWords = parseOptions(l.Args(), 2)
				p.Binds = append(p.Binds, b)
			case "http-request":
				p.HTTPRequest = append(p.HTTPRequest, parseHTTPRule(l))
			case "use_backend":
				u := &UseBackend{Line: l, Backend: l.Arg(1)}
				u.Cond, _ = condition(l, 2)
				p.UseBackends = append(p.UseBackends, u)
			case "default_backend":
				p.DefaultBackend = &UseBackend{Line: l, Backend: l.Arg(1), Default: true}
			case "server":
				sv := &Server{Line: l, Name: l.Arg(1)}
				if len(l.Args()) > 2 {
					sv.Address = l.Args()[2]
				}
				p.Servers = append(p.Servers, sv)
			}
		}
		if p.DefaultBackend == nil && p.Kind != "defaults" {
			for q, depth := p.Defaults, 0; q != nil && depth < 32; q, depth = q.Defaults, depth+1 {
				if q.DefaultBackend != nil {
					p.DefaultBackend = q.DefaultBackend
					break
				}
			}
		}
		if s.Kind == "defaults" {
			lastDefaults = p
			if s.Name != "" {
				named[s.Name] = p
			}
		}
		out = append(out, p)
	}
	return out
}

// BindOptionTakesArg reports whether a bind option takes an argument (the
// word after it), as HAProxy reads bind lines.
func BindOptionTakesArg(name string) bool { return bindArgOptions[name] }
