package gunicorn

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// iniEntry is one key = value of an INI file.
type iniEntry struct {
	section, key, value string
	start               int // offset of the value
	verbatim            bool
	line                source.Range
	keyRange            source.Range
}

// iniEntries reads an INI file: [section] headers, key = value or
// key: value, comments starting with # or ;. With continued set, indented
// lines continue the previous value (Python's configparser, which
// supervisord uses); uWSGI has no continuation lines.
func (l *loader) iniEntries(f *source.File, continued bool) []iniEntry {
	var out []iniEntry
	section := ""
	n := f.LineCount()
	for i := 1; i <= n; i++ {
		start, end := f.LineStart(i), f.LineEnd(i)
		raw := string(f.Content[start:end])
		text := strings.TrimSpace(raw)
		if text == "" || text[0] == '#' || text[0] == ';' {
			continue
		}
		if continued && len(out) > 0 && isBlank(raw[0]) && out[len(out)-1].section == section {
			e := &out[len(out)-1]
			e.value += " " + text
			e.verbatim = false
			e.line = source.Range{File: f.Path, Start: e.line.Start, End: f.Pos(end)}
			continue
		}
		if text[0] == '[' {
			if !strings.HasSuffix(text, "]") {
				l.syntax(f.LineRange(i), "section header is not closed: "+clip(text, 60))
				continue
			}
			section = strings.TrimSpace(text[1 : len(text)-1])
			continue
		}
		sep := strings.IndexAny(raw, "=:")
		if eq := strings.IndexByte(raw, '='); eq >= 0 && !continued {
			sep = eq // uWSGI: "key = value", the value may hold ':'
		}
		if sep < 0 {
			l.syntax(f.LineRange(i), "line is not key = value: "+clip(text, 60))
			continue
		}
		ks := start
		for ks < end && isBlank(f.Content[ks]) {
			ks++
		}
		key := strings.TrimSpace(raw[:sep])
		vs := start + sep + 1
		for vs < end && isBlank(f.Content[vs]) {
			vs++
		}
		value := strings.TrimRight(string(f.Content[vs:end]), " \t\r")
		if continued {
			// configparser strips inline comments after whitespace and ;
			if at := strings.Index(value, " ;"); at >= 0 {
				value = strings.TrimRight(value[:at], " \t")
			}
		}
		out = append(out, iniEntry{section: section, key: key, value: value, start: vs, verbatim: true,
			line: f.Range(ks, end), keyRange: f.Range(ks, ks+len(key))})
	}
	return out
}

var supervisorVar = source.LazyRegexp(`%\(([A-Za-z_][A-Za-z0-9_]*)\)[-#0 +]*[0-9]*[sd]`)

// supervisor reads supervisord programs: each [program:x] (and
// [fcgi-program:x]) section's command, with its environment= and, for a
// FastCGI program, the socket supervisord opens for it. supervisord's
// %(ENV_X)s expansions read its own environment; %(program_name)s and
// %(here)s are known.
func (l *loader) supervisor(t *Tree) {
	f := t.File
	if !strings.Contains(string(f.Content), "[program:") && !strings.Contains(string(f.Content), "[fcgi-program:") {
		l.uwsgi(t) // an .ini that is a uWSGI configuration
		return
	}
	entries := l.iniEntries(f, true)
	sections := map[string][]iniEntry{}
	var order []string
	for _, e := range entries {
		if !strings.HasPrefix(e.section, "program:") && !strings.HasPrefix(e.section, "fcgi-program:") {
			continue
		}
		if _, ok := sections[e.section]; !ok {
			order = append(order, e.section)
		}
		sections[e.section] = append(sections[e.section], e)
	}
	for _, sec := range order {
		_, name, _ := strings.Cut(sec, ":")
		var env Env
		for _, e := range sections[sec] {
			if e.key == "environment" {
				env = append(env, supervisorEnv(e)...)
			}
		}
		t.Env = append(t.Env, env...)
		known := Env{{Name: "program_name", Value: name}, {Name: "group_name", Value: name}, {Name: "process_num", Value: "0"}}
		for _, e := range sections[sec] {
			switch e.key {
			case "command":
				value := supervisorVar().ReplaceAllStringFunc(e.value, func(m string) string {
					k := supervisorVar().FindStringSubmatch(m)[1]
					if v, ok := known.Get(k); ok {
						return v.Value
					}
					if ek, ok := strings.CutPrefix(k, "ENV_"); ok {
						return "${" + ek + "}"
					}
					return m
				})
				var words []Arg
				var bad bool
				if value == e.value && e.verbatim {
					words, bad = shellWords(f, e.start, e.start+len(e.value))
				} else {
					tmp := source.NewFile(f.Path, []byte(value))
					ws, u := shellWords(tmp, 0, len(value))
					bad = u
					for _, w := range ws {
						words = append(words, ArgIn(w.Text, e.line))
					}
				}
				if bad {
					l.syntax(e.line, "command has an unterminated quote")
					continue
				}
				l.run(t, Line{Args: words, Env: env})
			case "socket":
				// An fcgi-program: supervisord opens the socket and hands
				// it to the program, which speaks FastCGI on it.
				addr := strings.TrimPrefix(strings.TrimPrefix(e.value, "tcp://"), "unix://")
				if strings.HasPrefix(e.value, "unix://") {
					addr = "unix:" + addr
				}
				t.Commands = append(t.Commands, Command{Server: "fastcgi", Range: e.line,
					Options: []Option{{Name: SetSocket, Value: python.KnownValue(python.Str(addr), e.line), Range: e.line, From: "supervisord"}}})
			}
		}
	}
}

// supervisorEnv reads environment=A="1",B="2": comma-separated
// assignments whose values may be quoted.
func supervisorEnv(e iniEntry) Env {
	var out Env
	v := e.value
	for len(v) > 0 {
		eq := strings.IndexByte(v, '=')
		if eq < 0 {
			break
		}
		k := strings.TrimSpace(v[:eq])
		rest := strings.TrimLeft(v[eq+1:], " ")
		var val string
		if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
			end := strings.IndexByte(rest[1:], rest[0])
			if end < 0 {
				val, rest = rest[1:], ""
			} else {
				val, rest = rest[1:end+1], rest[end+2:]
			}
		} else {
			comma := strings.IndexByte(rest, ',')
			if comma < 0 {
				val, rest = rest, ""
			} else {
				val, rest = rest[:comma], rest[comma:]
			}
		}
		if validName(k) {
			out = append(out, EnvVar{Name: k, Value: strings.TrimSpace(val), Range: e.line})
		}
		v = strings.TrimLeft(strings.TrimLeft(rest, " "), ",")
	}
	return out
}
