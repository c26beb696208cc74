package gunicorn

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// uwsgiSetting is one option of a uWSGI configuration file, in the order
// written.
type uwsgiSetting struct {
	key, value string
	rng        source.Range
}

// uwsgi reads a uWSGI configuration file: the [uwsgi] section of an .ini,
// the uwsgi: mapping of a YAML or JSON file, the <uwsgi> element of an
// XML file. The file describes one uWSGI instance, a Command of server
// uwsgi whose range is the file's first line.
func (l *loader) uwsgi(t *Tree) {
	f := t.File
	var settings []uwsgiSetting
	switch ext := path.Ext(f.Path); ext {
	case ".xml":
		settings = l.uwsgiXML(f)
	case ".yaml", ".yml", ".json":
		settings = l.uwsgiData(f)
	default:
		for _, e := range l.iniEntries(f, false) {
			if e.section == "uwsgi" {
				settings = append(settings, uwsgiSetting{e.key, e.value, e.line})
			}
		}
	}
	if len(settings) == 0 {
		return
	}
	c := Command{Server: "uwsgi", Range: f.LineRange(1)}
	var env Env
	defined := map[string]string{}
	for _, s := range settings {
		key := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s.key)), "_", "-")
		value, unresolved := uwsgiExpand(s.value, defined, env)
		defined[key] = value
		if key == "env" {
			if k, v, ok := assignment(value); ok {
				e := EnvVar{Name: k, Value: v, Range: s.rng}
				env = append(env, e)
				t.Env = append(t.Env, e)
			}
			continue
		}
		fl, known := serverFlags()["uwsgi"]["--"+key]
		if !known && strings.HasPrefix(key, "route") {
			fl, known = flag{SetRoute, true, ""}, true
		}
		if !known || fl.setting == "" {
			continue
		}
		name := fl.setting
		if name == "uwsgi_socket" {
			name = SetSocket
		}
		if name == SetConfig {
			continue // an included configuration is read on its own
		}
		if name == SetApp {
			if c.App == "" {
				c.App, c.AppRange = uwsgiApp(value), s.rng
			}
			continue
		}
		if name == SetRoute {
			l.route(s, value)
		}
		c.Options = append(c.Options, Option{Name: name, Value: python.KnownValue(python.Str(value), s.rng), Range: s.rng, From: "uwsgi config", Unresolved: unresolved})
	}
	l.unresolved(c)
	t.Commands = append(t.Commands, c)
}

var uwsgiRef = source.LazyRegexp(`%\(([A-Za-z0-9_-]+)\)|\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// uwsgiExpand substitutes %(option) with an option set earlier and
// $(VAR) with the environment; an unknown variable stays as written.
func uwsgiExpand(v string, defined map[string]string, env Env) (string, []string) {
	var unresolved []string
	out := uwsgiRef().ReplaceAllStringFunc(v, func(m string) string {
		g := uwsgiRef().FindStringSubmatch(m)
		if g[1] != "" {
			if d, ok := defined[strings.ReplaceAll(strings.ToLower(g[1]), "_", "-")]; ok {
				return d
			}
			return m
		}
		if e, ok := env.Get(g[2]); ok {
			return e.Value
		}
		unresolved = append(unresolved, g[2])
		return "$" + g[2]
	})
	return out, unresolved
}

// route notes a uWSGI routing rule that reads a request header: what it
// does with the request (a gate, a variable it sets) is not modelled.
func (l *loader) route(s uwsgiSetting, value string) {
	if !strings.Contains(value, "HTTP_") && !strings.Contains(value, "${") {
		return
	}
	l.problems = append(l.problems, source.Problem{Kind: source.ProblemNotAnalysed, Range: s.rng,
		Message: "uWSGI routing rule " + clip(s.key, 20) + " reads the request and is not analysed",
		Detail:  "What the rule does (refuse a request, set or remove a variable) is not part of the model: the app's trust in headers is judged as if the rule were not there. Rule: " + clip(value, 200)})
}

// uwsgiData reads the uwsgi: mapping of a YAML or JSON configuration.
func (l *loader) uwsgiData(f *source.File) []uwsgiSetting {
	docs, probs := cfgnode.ParseYAML(f)
	l.problems = append(l.problems, probs...)
	var out []uwsgiSetting
	for _, d := range docs {
		for _, field := range d.Get("uwsgi").Entries() {
			for _, item := range field.List() {
				if item.Kind == cfgnode.Scalar {
					r := item.Range
					if item == field {
						r = field.Line()
					}
					out = append(out, uwsgiSetting{field.Key, item.Value, r})
				}
			}
		}
	}
	return out
}

// uwsgiXML reads the children of the <uwsgi> element: <socket>:3031</socket>.
func (l *loader) uwsgiXML(f *source.File) []uwsgiSetting {
	d := xml.NewDecoder(bytes.NewReader(f.Content))
	d.Strict = true
	var out []uwsgiSetting
	depth := 0
	inUWSGI := false
	var key string
	var text strings.Builder
	start := 0
	for {
		before := int(d.InputOffset())
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			at := min(int(d.InputOffset()), len(f.Content))
			var se *xml.SyntaxError
			msg := err.Error()
			if errors.As(err, &se) {
				msg = se.Msg
			}
			l.syntax(f.LineRange(f.Pos(at).Line), "XML does not parse: "+clip(msg, 80))
			return out
		}
		switch x := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && x.Name.Local == "uwsgi":
				inUWSGI = true
			case depth == 2 && inUWSGI:
				key, start = x.Name.Local, before
				text.Reset()
			}
		case xml.CharData:
			if depth == 2 && inUWSGI {
				text.Write(x)
			}
		case xml.EndElement:
			if depth == 2 && inUWSGI && key != "" {
				out = append(out, uwsgiSetting{key, strings.TrimSpace(text.String()), f.Range(start, int(d.InputOffset()))})
				key = ""
			}
			if depth == 1 {
				inUWSGI = false
			}
			depth--
		}
	}
	return out
}
