package haproxy

import (
	"fmt"
	"strings"
	"sync"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Rejected reports what "haproxy -c" refuses in a configuration that the
// model of it would otherwise take at its word: a keyword no release knows
// in a global or proxy section, two proxies of one name (frontends among
// themselves, backends among themselves, a listen section with either),
// and a use_backend or default_backend naming a backend the configuration
// does not define. A configuration HAProxy refuses does not run, so what it
// would do is no finding; it must not pass as clean either.
//
// Lines inside .if blocks are left out: HAProxy reads them only when the
// condition holds. A backend name that depends on the environment or on
// the request (${VAR}, %[...]) is not checked.
func Rejected(c *Config) []source.Problem {
	var out []source.Problem
	for _, s := range c.Sections {
		known, list := proxyKeywords(), proxyKeywordList
		switch s.Kind {
		case "global":
			known, list = globalKeywords(), globalKeywordList
		case "defaults", "frontend", "backend", "listen":
		default:
			continue
		}
		for _, l := range s.Lines {
			kw := l.Keyword()
			if kw == "" || l.Conditional() || l.Args()[0].Symbolic() || known[kw] {
				continue
			}
			msg := fmt.Sprintf("unknown keyword %q in the %s section", kw, s.Kind)
			if near := suggest(kw, s.Kind == "global", list); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			}
			out = append(out, source.Problem{Kind: source.ProblemRejected, Range: l.Args()[0].Range(), Message: msg,
				Detail: "No HAProxy release from 1.5 on knows this keyword: haproxy -c refuses the configuration, so it does not run as written."})
		}
	}
	out = append(out, duplicateProxies(c)...)
	return append(out, undefinedBackends(c)...)
}

// suggestions remembers the known keyword nearest to each unknown one,
// by section kind ("global" or a proxy) and keyword, for every
// configuration of the process: a misspelt keyword is usually misspelt
// the same way in many files (one made-up keyword of the HAProxy corpus
// is in 374 of its configurations), and comparing it with every known
// keyword each time took 2.6 % of the time of linting that corpus. What
// is remembered is bounded by maxSuggestions, for a long-running editor
// server.
var (
	suggestionsMu sync.Mutex
	suggestions   = map[suggestionKey]string{}
)

type suggestionKey struct {
	keyword string
	global  bool
}

const maxSuggestions = 4096

// suggest returns the keyword of list nearest to kw ("" when none is
// near enough), list being the global or the proxy keywords.
func suggest(kw string, global bool, list []string) string {
	key := suggestionKey{kw, global}
	suggestionsMu.Lock()
	near, ok := suggestions[key]
	suggestionsMu.Unlock()
	if ok {
		return near
	}
	near = source.Nearest(kw, list, len(kw)/3+2)
	suggestionsMu.Lock()
	if len(suggestions) < maxSuggestions {
		suggestions[key] = near
	}
	suggestionsMu.Unlock()
	return near
}

// duplicateProxies reports a proxy named like an earlier one it would
// clash with: HAProxy looks frontends and backends up by name, each in
// its own name space, and a listen section is both.
func duplicateProxies(c *Config) []source.Problem {
	var out []source.Problem
	seen := make(map[string][]*Proxy, len(c.Proxies)) // by name, in order
	for _, p := range c.Proxies {
		if p.Kind == "defaults" || p.Name == "" || p.Section.Header.Conditional() {
			continue
		}
		for _, q := range seen[p.Name] {
			if q.Name != p.Name || !(p.IsFrontend() && q.IsFrontend() || p.IsBackend() && q.IsBackend()) {
				continue
			}
			h, first := p.Section.Header, q.Section.Header
			where := fmt.Sprintf("on line %d", first.Num())
			if first.File != h.File {
				where = fmt.Sprintf("at %s:%d", first.File.Path, first.Num())
			}
			out = append(out, source.Problem{Kind: source.ProblemRejected, Range: h.Range(),
				Message: fmt.Sprintf("%s %q has the same name as the %s declared %s", p.Kind, p.Name, q.Kind, where),
				Detail:  "HAProxy looks frontends up by name, and backends: two of one name (a listen section is both) make haproxy -c refuse the configuration, so it does not run as written.",
				Related: []source.Related{{Range: q.Section.Header.Range(), Message: fmt.Sprintf("the first %s %q", q.Kind, q.Name)}}})
			break
		}
		seen[p.Name] = append(seen[p.Name], p)
	}
	return out
}

// undefinedBackends reports a use_backend or default_backend line whose
// backend the configuration does not define. HAProxy refuses it, unless a
// file loaded with this one (another -f) defines the backend: that is
// what the message leaves open.
func undefinedBackends(c *Config) []source.Problem {
	var out []source.Problem
	reported := map[*Line]bool{}
	check := func(u *UseBackend) {
		if u == nil || reported[u.Line] || u.Line.Conditional() || len(u.Line.Args()) < 2 {
			return
		}
		w := u.Line.Args()[1]
		if w.Symbolic() || strings.Contains(w.Value(), "%[") || c.Backend(u.Backend) != nil {
			return
		}
		reported[u.Line] = true
		out = append(out, source.Problem{Kind: source.ProblemUndefinedBackend, Range: w.Range(),
			Message: fmt.Sprintf("%s names backend %q, which this configuration does not define", u.Line.Keyword(), u.Backend),
			Detail:  "No backend or listen section defines it: haproxy -c refuses the configuration, unless another file loaded with it (another -f) defines the backend."})
	}
	for _, p := range c.Frontends() {
		for _, u := range p.UseBackends {
			check(u)
		}
		check(p.DefaultBackend) // its own, or the one its defaults section sets
	}
	return out
}
