package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/report"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// runGraph prints the deployment model: every route with how it treats the
// headers that matter, every app with what it trusts and where it listens,
// and which routes reach which apps. It shows why a cross-file finding
// fires.
func runGraph(args []string, e *env) int {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f checkFlags
	f.registerConfig(fs)
	f.registerLimits(fs)
	f.registerOutput(fs, "text, json, mermaid, dot, svg", "model or the picture")
	all := fs.Bool("all-headers", false, "list every header a route sets, not only identity and scheme headers")
	linkPrefix := fs.String("link-prefix", "", "with --format svg or dot: put `URL` before each node's link (file#Lline), e.g. a repository's blob URL")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: mtlslint graph [flags] [PATH...]\n\nPrints the deployment model (routes, apps, links) with the findings on it:\n--format text (default), json, or a picture: mermaid, dot (Graphviz) or svg.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	format := f.format
	switch format {
	case "", "text", "json", "mermaid", "dot", "svg":
	default:
		return e.errorf("unknown format %q (want text, json, mermaid, dot or svg)", format)
	}
	f.format = "text" // options checks check's formats
	defer useCPUs(f.jobs)()

	opts, err := f.options(paths)
	if err != nil {
		return e.errorf("%v", err)
	}
	opts.WithModel = true
	res, err := lint.Run(context.Background(), opts)
	if err != nil {
		return e.errorf("%v", err)
	}
	m := res.Model
	if m == nil {
		m = &rules.Model{}
	}
	gopt := graph.Options{Link: graph.RelativeLink(*linkPrefix)}
	err = writeTo(e, f.output, func(w io.Writer) error {
		switch format {
		case "json":
			return graphJSON(w, m)
		case "mermaid":
			return graph.Mermaid(w, graph.Build(m, graph.FromDiagnostics(res.Findings)))
		case "dot":
			return graph.DOT(w, graph.Build(m, graph.FromDiagnostics(res.Findings)), gopt)
		case "svg":
			return graph.SVG(w, graph.Build(m, graph.FromDiagnostics(res.Findings)), gopt)
		}
		graphText(w, m, *all)
		return nil
	})
	if err != nil {
		return e.errorf("%v", err)
	}
	return exitClean
}

type graphLink struct {
	Route string `json:"route"`
	App   string `json:"app"`
	How   string `json:"how"`
}

// graphDirect is a direct path in the JSON graph: a route of its own, from
// a client straight to an app server's port.
type graphDirect struct {
	App   string             `json:"app"`
	Desc  string             `json:"desc"`
	Class rules.RequestClass `json:"class"`
	Via   string             `json:"via"`
	Reach rules.Reach        `json:"reach"`
	Bind  rules.Endpoint     `json:"bind"`
	At    source.Range       `json:"at"`
	Why   string             `json:"why"`
}

// graphRoute is a route in the JSON graph with the request classes that
// travel it, always listed: those its builder followed, else those of its
// listener (Model.Classes). Route's own field leaves a nil list (derive
// from the listener) and an empty one (no request takes the route) both
// out, which a reader of the JSON could not tell apart.
type graphRoute struct {
	*rules.Route
	Classes []rules.RequestClass `json:"classes"`
}

func graphJSON(w io.Writer, m *rules.Model) error {
	doc := struct {
		Version int           `json:"version"`
		Routes  []graphRoute  `json:"routes"`
		Apps    []*rules.App  `json:"apps"`
		Links   []graphLink   `json:"links"`
		Direct  []graphDirect `json:"direct"`
	}{Version: 1, Routes: []graphRoute{}, Apps: m.Apps, Links: []graphLink{}, Direct: []graphDirect{}}
	for _, r := range m.Routes {
		doc.Routes = append(doc.Routes, graphRoute{Route: r, Classes: append([]rules.RequestClass{}, m.Classes(r)...)})
	}
	for _, a := range m.Apps {
		open, _ := m.DirectPaths(a)
		for _, p := range open {
			doc.Direct = append(doc.Direct, graphDirect{App: a.ID, Desc: p.String(), Class: p.Class, Via: p.Via, Reach: p.Reach, Bind: p.Bind.Endpoint, At: p.At, Why: p.Why})
		}
	}
	if doc.Apps == nil {
		doc.Apps = []*rules.App{}
	}
	for _, l := range m.Links {
		doc.Links = append(doc.Links, graphLink{l.Route.ID, l.App.ID, l.How})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func graphText(w io.Writer, m *rules.Model, all bool) {
	if len(m.Routes) == 0 && len(m.Apps) == 0 {
		fmt.Fprintln(w, "No routes and no apps found.")
		return
	}
	line(w, "Routes (%d)", len(m.Routes))
	for _, r := range m.Routes {
		l := r.Listener
		tls := "plain"
		if l.TLS {
			tls = "tls verify=" + l.Verify.String()
			if r.Gated {
				tls += " gated"
			}
		}
		line(w, "  %s  [%s]", r.Desc, r.ID)
		line(w, "      listen %s (%s)  %s", l.Endpoint, tls, r.Range)
		for _, c := range graph.Classes(r) {
			line(w, "      requests: %s", c)
		}
		var servers []string
		for _, s := range r.Upstream.Servers {
			servers = append(servers, s.String())
		}
		line(w, "      upstream %s %s", r.Upstream.Name, strings.Join(servers, " "))
		names := make([]string, 0, len(r.Headers))
		for n := range r.Headers {
			if all || rules.IsTrustedHeader(n) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			h := r.Headers[n]
			line(w, "      %-28s %-12s %s", h.Name, h.Action, h.Value)
		}
		under := ""
		if r.AdmitsUnderscore {
			under = "; client headers with '_' reach the upstream"
		}
		line(w, "      other headers: %s%s", r.Default, under)
	}
	var direct []rules.DirectPath
	var directApp []*rules.App
	for _, a := range m.Apps {
		open, _ := m.DirectPaths(a)
		for _, p := range open {
			direct, directApp = append(direct, p), append(directApp, a)
		}
	}
	if len(direct) > 0 {
		// A client that connects to the app server's port is a route of
		// its own, around every proxy: every header is the client's.
		fmt.Fprintln(w)
		line(w, "Direct paths (%d)", len(direct))
		for i, p := range direct {
			line(w, "  %s  [direct:%s]", p, directApp[i].ID)
			line(w, "      requests: %s", p.Class)
			line(w, "      server %s %s (%s) %s", serverOf(directApp[i]), p.Bind.Endpoint, p.Bind.Source, p.Bind.Range)
			if p.At != p.Bind.Range {
				line(w, "      opened at %s", p.At)
			}
			for _, f := range p.Facts {
				if f.Range != p.At && f.Range != p.Bind.Range {
					line(w, "      decided by %s: %s", f.Range, f.Message)
				}
			}
			line(w, "      every header: the client's")
		}
	}
	fmt.Fprintln(w)
	line(w, "Apps (%d)", len(m.Apps))
	for _, a := range m.Apps {
		line(w, "  %s  server=%s  %s", a.ID, a.Server, a.Range.File)
		if len(a.Names) > 0 {
			line(w, "      names %s", strings.Join(a.Names, ", "))
		}
		for _, b := range a.Binds {
			where := ""
			if b.Service != "" {
				where = " in compose service " + b.Service
				if len(b.Published) == 0 {
					where += ", not published"
				}
				for _, p := range b.Published {
					where += fmt.Sprintf(", published on %s (%s)", p.Host, p.Range)
				}
			}
			line(w, "      bind %s (%s) %s%s", b.Endpoint, b.Source, b.Range, where)
		}
		for _, t := range a.Trusts {
			line(w, "      trusts %s %s (%s) %s", t.Header, t.Check(), t.Source, t.Range)
		}
	}
	fmt.Fprintln(w)
	line(w, "Links (%d)", len(m.Links))
	for _, l := range m.Links {
		line(w, "  %s -> %s (%s)", l.Route.ID, l.App.ID, l.How)
	}
}

// serverOf names a's server as a field of the text model, "unknown" when
// not known (rules.ServerNameOf writes "the app server", for prose).
func serverOf(a *rules.App) string {
	if a.Server == "" {
		return "unknown"
	}
	return a.Server
}

// line writes one line of the model in text: every string in it comes
// from the input (names, values, paths), so the line is made printable as
// a whole (the format strings themselves hold no control character).
func line(w io.Writer, format string, args ...any) {
	fmt.Fprintln(w, report.Printable(fmt.Sprintf(format, args...)))
}
