package gunicorn

import (
	"path"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// script reads a shell script: each simple command, with the variables
// the script has set before it (`X=1`, `export X=1`, `: "${X:=1}"`) on top
// of env, the environment it starts with.
func (l *loader) script(t *Tree, env Env) {
	words, _ := shellWords(t.File, 0, len(t.File.Content))
	env = append(Env(nil), env...)
	for _, cmd := range simpleCommands(words) {
		if set := assignments(cmd, env); len(set) > 0 {
			env = append(env, set...)
			t.Env = append(t.Env, set...)
			continue
		}
		l.run(t, Line{Args: cmd, Env: env})
	}
}

// assignments reads a command that only sets variables: `X=1 Y=2`,
// `export X=1`, `readonly X=1`, `: "${X:=1}"`, `: ${X:=1}`.
func assignments(cmd []Arg, env Env) []EnvVar {
	words := cmd
	switch words[0].Text {
	case "export", "readonly", "declare", "local", "typeset":
		words = words[1:]
	case ":":
		var out []EnvVar
		for _, w := range words[1:] {
			if name, def, ok := defaultAssign(w.Text); ok {
				if _, set := env.Get(name); !set {
					v, _ := expand(def, env)
					out = append(out, EnvVar{Name: name, Value: v, Range: w.Range})
				}
			}
		}
		return out
	}
	declare := len(words) < len(cmd)
	var out []EnvVar
	for _, w := range words {
		if declare && (strings.HasPrefix(w.Text, "-") || validName(w.Text)) {
			continue // export -n X, export X
		}
		k, v, ok := assignment(w.Text)
		if !ok {
			return nil // X=1 cmd: a command with its own environment
		}
		v, _ = expand(v, append(env, out...))
		out = append(out, EnvVar{Name: k, Value: v, Range: w.Range})
	}
	return out
}

// defaultAssign reads ${NAME:=default}.
func defaultAssign(w string) (name, def string, ok bool) {
	if !strings.HasPrefix(w, "${") || !strings.HasSuffix(w, "}") {
		return "", "", false
	}
	k, v, found := strings.Cut(w[2:len(w)-1], ":=")
	if !found || !validName(k) {
		return "", "", false
	}
	return k, v, true
}

// procfile reads a Procfile: one `name: command` per line.
func (l *loader) procfile(t *Tree) {
	f := t.File
	for i := 1; i <= f.LineCount(); i++ {
		line := string(f.Line(i))
		colon := strings.Index(line, ":")
		if colon <= 0 || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		start := f.LineStart(i) + colon + 1
		words, _ := shellWords(f, start, f.LineEnd(i))
		for _, cmd := range simpleCommands(words) {
			if set := assignments(cmd, t.Env); len(set) > 0 {
				t.Env = append(t.Env, set...)
				continue
			}
			l.run(t, Line{Args: cmd, Env: t.Env})
		}
	}
}

// ScanCommands finds app-server command lines and environment settings in
// a file of unknown structure (a compose file that did not parse as one):
// every line is read as shell words, and a command line may start at any
// word.
func ScanCommands(f *source.File) ([]Command, []EnvVar) {
	var cmds []Command
	var env Env
	for i := 1; i <= f.LineCount(); i++ {
		start, end := f.LineStart(i), f.LineEnd(i)
		for i < f.LineCount() && end > start && f.Content[end-1] == '\\' {
			i++
			end = f.LineEnd(i)
		}
		words, _ := shellWords(f, start, end)
		for _, w := range words {
			if m := envAssign(w.Text); m.Name != "" {
				env = append(env, EnvVar{Name: m.Name, Value: m.Value, Range: w.Range})
			}
		}
		for j := 0; j < len(words); j++ {
			t := words[j].Text
			if serverOfProgram(t) == "" && !isPython(t) && !strings.HasSuffix(t, "manage.py") {
				continue
			}
			found := Interpret(Line{Args: words[j:], Env: env})
			if len(found.Commands) > 0 {
				cmds = append(cmds, found.Commands...)
				break
			}
		}
	}
	return cmds, env
}

// envAssign reads a KEY=VALUE written in a list or a shell line
// (`- KEY=VALUE`, `"KEY=VALUE",`).
func envAssign(w string) EnvVar {
	w = strings.TrimSuffix(strings.Trim(strings.TrimPrefix(w, "-"), `"' `), ",")
	w = strings.Trim(w, `"'`)
	k, v, ok := assignment(w)
	if !ok || k != strings.ToUpper(k) {
		return EnvVar{}
	}
	return EnvVar{Name: k, Value: strings.Trim(v, `"'`)}
}

// followScripts reads the scripts that the loaded files run and that the
// repository holds, with the environment of what runs them, as trees
// whose Runner is that file. A script found on its own as well is read
// once, as run.
func (l *loader) followScripts() {
	for i := 0; i < len(l.trees); i++ {
		t := l.trees[i]
		for _, s := range t.Scripts {
			rel := ""
			if IsDockerfile(t.File.Path) {
				rel = l.inImage(t.File.Path, s.Text)
			}
			if rel == "" {
				rel = resolveScript(l.r, s.Text, t.File.Path)
			}
			if rel == "" || rel == t.File.Path {
				continue
			}
			if old, ok := l.byPath[rel]; ok {
				if old.Runner == "" && kindOf(rel) == kindScript {
					l.rerun(old, t)
				}
				continue
			}
			f, err := l.r.ReadFile(rel)
			if err != nil || !looksLikeScript(f) {
				continue
			}
			st := &Tree{File: f, Runner: t.File.Path}
			l.script(st, t.Env)
			l.add(st)
		}
	}
}

// rerun reads a script found on its own again, now with the environment
// of the file that runs it.
func (l *loader) rerun(old, runner *Tree) {
	fresh := &Tree{File: old.File, Runner: runner.File.Path}
	var kept []source.Problem
	for _, p := range l.problems {
		if p.Range.File != old.File.Path || p.Kind != source.ProblemNotAnalysed {
			kept = append(kept, p)
		}
	}
	l.problems = kept
	l.script(fresh, runner.Env)
	*old = *fresh
}

// looksLikeScript reports whether a file is a shell script: a shebang
// naming a shell, or a .sh name.
func looksLikeScript(f *source.File) bool {
	if strings.HasSuffix(f.Path, ".sh") {
		return true
	}
	first := string(f.Line(1))
	return strings.HasPrefix(first, "#!") && (strings.Contains(first, "sh") || strings.Contains(first, "bash"))
}

// resolveScript finds the repository file a program path written in from
// names: relative to from's directory, or (for an absolute path inside an
// image or on a host) the longest tail of the path that the repository
// holds, looked up from from's directory upwards.
func resolveScript(r source.Reader, prog, from string) string {
	prog = strings.TrimSpace(prog)
	if prog == "" || strings.ContainsAny(prog, "$*?") {
		return ""
	}
	dir := path.Dir(from)
	if !path.IsAbs(prog) {
		if p := path.Clean(path.Join(dir, prog)); isFile(r, p) {
			return p
		}
	}
	parts := strings.Split(strings.Trim(path.Clean(prog), "/"), "/")
	for i := range parts {
		tail := path.Join(parts[i:]...)
		for d := dir; ; d = path.Dir(d) {
			if p := path.Clean(path.Join(d, tail)); isFile(r, p) {
				return p
			}
			if d == "." || d == "/" || d == "" {
				break
			}
		}
	}
	return ""
}

func isFile(r source.Reader, p string) bool {
	if strings.HasPrefix(p, "../") || p == ".." {
		return false
	}
	st, err := r.Stat(p)
	return err == nil && !st.IsDir()
}

// ResolveScript finds the repository file that a program path written in
// the file from names (see resolveScript), or "".
func ResolveScript(r source.Reader, prog, from string) string { return resolveScript(r, prog, from) }

// ReadScript reads a script of the repository that another front end's
// file runs (a compose service's command), with the environment it starts
// with; nil when it cannot be read or is not a shell script. Its problems
// are those of the script read on its own.
func ReadScript(r source.Reader, rel string, env []EnvVar) *Tree {
	f, err := r.ReadFile(rel)
	if err != nil || !looksLikeScript(f) {
		return nil
	}
	l := &loader{r: r, byPath: map[string]*Tree{}, copies: map[string][]copied{}, workdirs: map[string]string{}}
	t := &Tree{File: f}
	l.script(t, env)
	return t
}

// Word is one word written in f at r (a YAML scalar, a JSON string): its
// own words, when it holds a script, get ranges of their own where the
// text is written verbatim.
func Word(f *source.File, text string, r source.Range) Arg {
	for _, off := range []int{r.Start.Offset, r.Start.Offset + 1} {
		if off >= 0 && off+len(text) <= len(f.Content) && string(f.Content[off:off+len(text)]) == text {
			return ArgAt(f, text, off)
		}
	}
	return ArgIn(text, r)
}

// Words splits a command written as one string (compose's `command:
// gunicorn -b ...`) into words as a shell would, without expanding
// anything.
func Words(f *source.File, text string, r source.Range) []Arg {
	return scriptWords(Word(f, text, r))
}
