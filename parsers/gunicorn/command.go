package gunicorn

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// word is a shell word with its byte range in the file.
type word struct {
	text       string
	start, end int
}

// ScanCommands finds app-server command lines and environment settings
// in a Dockerfile, Procfile, shell script or compose file.
func ScanCommands(f *source.File) ([]Command, []EnvVar) {
	var cmds []Command
	var env []EnvVar
	for _, line := range logicalLines(f) {
		words := shellWords(f.Content, line[0], line[1])
		if len(words) == 0 {
			continue
		}
		// Dockerfile ENV / ARG and compose-style KEY=VALUE / KEY: VALUE
		first := strings.ToUpper(words[0].text)
		if first == "ENV" {
			env = append(env, envWords(f, words[1:])...)
		}
		if first == "CMD" || first == "ENTRYPOINT" || first == "RUN" {
			if ws, ok := execForm(f, line[0], line[1]); ok {
				words = append(words[:1], ws...)
			}
		}
		for i := 0; i < len(words); i++ {
			if c, n := command(f, words, i); n > 0 {
				cmds = append(cmds, c)
				i += n - 1
			}
		}
		// environment variables in "export X=Y", "X=Y cmd", compose lists
		for _, w := range words {
			if m := envAssign.FindStringSubmatch(w.text); m != nil && first != "ENV" {
				env = append(env, EnvVar{Name: m[1], Value: strings.Trim(m[2], `"'`), Range: f.Range(w.start, w.end)})
			}
		}
	}
	return cmds, env
}

var envAssign = regexp.MustCompile(`^-?\s*"?([A-Z][A-Z0-9_]*)=(.*?)"?,?$`)

// logicalLines returns [start, end) offsets of lines joined by trailing
// backslashes.
func logicalLines(f *source.File) [][2]int {
	var out [][2]int
	n := f.LineCount()
	for i := 1; i <= n; i++ {
		start := f.LineStart(i)
		end := f.LineEnd(i)
		for i < n && end > start && f.Content[end-1] == '\\' {
			i++
			end = f.LineEnd(i)
		}
		out = append(out, [2]int{start, end})
	}
	return out
}

// shellWords splits text into words, honouring quotes; comments end the
// line; separators (; && || |) are words of their own.
func shellWords(src []byte, start, end int) []word {
	var out []word
	i := start
	for i < end {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
			continue
		case c == '\\' && i+1 < end && (src[i+1] == '\n' || src[i+1] == '\r'):
			i += 2
			continue
		case c == '#' && (i == start || src[i-1] == ' ' || src[i-1] == '\t'):
			return out
		case c == ';' || c == '|' || c == '&':
			j := i + 1
			for j < end && (src[j] == '|' || src[j] == '&') {
				j++
			}
			out = append(out, word{text: string(src[i:j]), start: i, end: j})
			i = j
			continue
		}
		var b strings.Builder
		ws := i
		for i < end {
			c := src[i]
			if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '|' || c == '&' {
				break
			}
			if c == '"' || c == '\'' {
				j := i + 1
				for j < end && src[j] != c {
					if c == '"' && src[j] == '\\' && j+1 < end {
						j++
					}
					j++
				}
				b.Write(src[i+1 : min(j, end)])
				i = min(j+1, end)
				continue
			}
			if c == '\\' && i+1 < end {
				b.WriteByte(src[i+1])
				i += 2
				continue
			}
			b.WriteByte(c)
			i++
		}
		out = append(out, word{text: b.String(), start: ws, end: i})
	}
	return out
}

// execForm parses a Dockerfile exec-form array (CMD ["gunicorn", ...]).
func execForm(f *source.File, start, end int) ([]word, bool) {
	text := string(f.Content[start:end])
	open := strings.Index(text, "[")
	if open < 0 || strings.TrimSpace(text[:open]) == "" {
		return nil, false
	}
	head := strings.ToUpper(strings.TrimSpace(text[:open]))
	if head != "CMD" && head != "ENTRYPOINT" && head != "RUN" {
		return nil, false
	}
	var arr []string
	body := strings.ReplaceAll(text[open:], "\\\n", "")
	if err := json.Unmarshal([]byte(body), &arr); err != nil {
		return nil, false
	}
	var out []word
	pos := start + open
	for _, a := range arr {
		quoted, _ := json.Marshal(a)
		idx := strings.Index(string(f.Content[pos:end]), string(quoted))
		ws, we := pos, pos
		if idx >= 0 {
			ws, we = pos+idx+1, pos+idx+len(quoted)-1
			pos = pos + idx + len(quoted)
		}
		// "sh -c 'gunicorn ...'": split the script into words again
		if strings.Contains(a, " ") {
			for _, w := range strings.Fields(a) {
				out = append(out, word{text: w, start: ws, end: we})
			}
			continue
		}
		out = append(out, word{text: a, start: ws, end: we})
	}
	return out, true
}

func envWords(f *source.File, words []word) []EnvVar {
	var out []EnvVar
	if len(words) == 2 && !strings.Contains(words[0].text, "=") {
		return []EnvVar{{Name: words[0].text, Value: words[1].text, Range: f.Range(words[0].start, words[1].end)}}
	}
	for _, w := range words {
		if k, v, ok := strings.Cut(w.text, "="); ok {
			out = append(out, EnvVar{Name: k, Value: v, Range: f.Range(w.start, w.end)})
		}
	}
	return out
}

var servers = map[string]string{"gunicorn": "gunicorn", "uvicorn": "uvicorn", "daphne": "daphne", "hypercorn": "hypercorn", "uwsgi": "uwsgi"}

// flagNames maps command-line flags to gunicorn setting names.
var flagNames = map[string]string{
	"-b": "bind", "--bind": "bind", "--forwarded-allow-ips": "forwarded_allow_ips", "--proxy-allow-from": "proxy_allow_ips",
	"--header-map": "header_map", "-k": "worker_class", "--worker-class": "worker_class", "-c": "config", "--config": "config",
	"--proxy-protocol": "proxy_protocol",
	// uvicorn / hypercorn / daphne
	"--host": "host", "--port": "port", "-p": "port", "--uds": "bind", "-u": "bind", "--fd": "bind",
	// uWSGI
	"--http": "bind", "--http-socket": "bind", "--socket": "socket", "-s": "socket", "--uwsgi-socket": "socket",
}

// boolFlags take no value.
var boolFlags = map[string]bool{"--proxy-protocol": true, "--reload": true, "--preload": true, "--proxy-headers": true, "--no-proxy-headers": true}

// command recognises an app-server command starting at words[i]; n is
// how many words it spans (0: none).
func command(f *source.File, words []word, i int) (Command, int) {
	w := words[i].text
	base := w[strings.LastIndex(w, "/")+1:]
	server := servers[base]
	if base == "python" || strings.HasPrefix(base, "python3") {
		if i+2 < len(words) && words[i+1].text == "-m" {
			server = servers[words[i+2].text]
			if server != "" {
				i++
			}
		}
	}
	if server == "" && (strings.HasSuffix(w, "manage.py") || base == "django-admin") && i+1 < len(words) && words[i+1].text == "runserver" {
		server = "runserver"
	}
	if server == "" {
		return Command{}, 0
	}
	start := i
	j := i + 1
	if server == "runserver" {
		j++
	}
	c := Command{Server: server}
	var host, port *Option
	for ; j < len(words); j++ {
		t := words[j].text
		if t == ";" || t == "&&" || t == "||" || t == "|" || t == "&" {
			break
		}
		if !strings.HasPrefix(t, "-") {
			if server == "runserver" && len(c.Options) == 0 {
				c.Options = append(c.Options, opt("bind", t, f, words[j], "command line"))
			}
			continue
		}
		flag, val, inline := strings.Cut(t, "=")
		name, known := flagNames[flag]
		if !known || boolFlags[flag] {
			if known && flag == "--proxy-protocol" {
				c.Options = append(c.Options, opt("proxy_protocol", "true", f, words[j], "command line"))
			}
			continue
		}
		var vw word
		if inline {
			vw = words[j]
		} else if j+1 < len(words) {
			j++
			vw = words[j]
			val = vw.text
		} else {
			break
		}
		o := opt(name, val, f, vw, "command line")
		o.Range = f.Range(words[j-boolToInt(!inline)].start, vw.end)
		switch name {
		case "host":
			host = &o
		case "port":
			if server == "daphne" || server == "uvicorn" || server == "hypercorn" {
				port = &o
			}
		default:
			c.Options = append(c.Options, o)
		}
	}
	if host != nil || port != nil {
		h, p := "127.0.0.1", "8000"
		r := source.Range{}
		if host != nil {
			h, _ = host.Value.Str()
			r = host.Range
		}
		if port != nil {
			p, _ = port.Value.Str()
			if !r.IsValid() {
				r = port.Range
			}
		}
		if strings.Contains(h, ":") && !strings.HasPrefix(h, "[") {
			h = "[" + h + "]"
		}
		c.Options = append(c.Options, Option{Name: "bind", Value: python.KnownValue(python.Str(h+":"+p), r), Range: r, From: "command line"})
	}
	c.Range = f.Range(words[start].start, words[j-1].end)
	c.Default = true
	for _, o := range c.Options {
		if o.Name == "bind" || o.Name == "socket" {
			c.Default = false
		}
	}
	return c, j - start
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func opt(name, val string, f *source.File, w word, from string) Option {
	r := f.Range(w.start, w.end)
	return Option{Name: name, Value: python.KnownValue(python.Str(val), r), Range: r, From: from}
}
