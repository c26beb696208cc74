package gunicorn

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// instruction is one Dockerfile instruction: its keyword and the offsets
// of its arguments in the file.
type instruction struct {
	keyword    string // upper case
	start, end int    // the arguments, continuation lines included
	line       source.Range
	escape     byte // the escape character that continues a line
}

// dockerInstructions splits a Dockerfile into instructions: lines joined
// by the escape character (a `# escape=` directive chooses it), comment
// lines inside a continuation dropped, heredoc bodies skipped.
func dockerInstructions(f *source.File) []instruction {
	var out []instruction
	escape := byte('\\')
	n := f.LineCount()
	directives := true
	for i := 1; i <= n; i++ {
		start, end := f.LineStart(i), f.LineEnd(i)
		text := strings.TrimSpace(string(f.Content[start:end]))
		if directives && strings.HasPrefix(text, "#") {
			if k, v, ok := strings.Cut(strings.TrimSpace(text[1:]), "="); ok && strings.EqualFold(strings.TrimSpace(k), "escape") {
				if v = strings.TrimSpace(v); v == "`" {
					escape = '`'
				}
			}
			continue
		}
		directives = false
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		lead := start
		for lead < end && isBlank(f.Content[lead]) {
			lead++
		}
		kw := lead
		for kw < end && !isBlank(f.Content[kw]) {
			kw++
		}
		ins := instruction{keyword: strings.ToUpper(string(f.Content[lead:kw])), start: kw, end: end, escape: escape}
		first := i
		for i < n && continues(f.Content[ins.start:ins.end], escape) {
			i++
			// Comment lines inside a continuation are removed by Docker.
			if t := strings.TrimSpace(string(f.Line(i))); strings.HasPrefix(t, "#") || t == "" {
				ins.end = f.LineEnd(i)
				continue
			}
			ins.end = f.LineEnd(i)
		}
		ins.line = f.Range(f.LineStart(first), f.LineEnd(i))
		out = append(out, ins)
		// A heredoc (RUN <<EOF) runs until its terminator.
		if at := strings.Index(string(f.Content[ins.start:ins.end]), "<<"); at >= 0 {
			word := strings.TrimLeft(string(f.Content[ins.start+at+2:ins.end]), "-")
			word = strings.Trim(strings.Fields(word + " x")[0], `"'`)
			for i < n && word != "" && validName(word) {
				i++
				if strings.TrimSpace(string(f.Line(i))) == word {
					break
				}
			}
		}
	}
	return out
}

// RunCommands returns the commands of a Dockerfile's RUN instructions as
// one line each: continuation lines joined with a space, comment lines
// inside them dropped, as Docker does.
func RunCommands(f *source.File) []string {
	var out []string
	for _, ins := range dockerInstructions(f) {
		if ins.keyword != "RUN" {
			continue
		}
		var words []string
		for i, line := range strings.Split(string(f.Content[ins.start:ins.end]), "\n") {
			line = strings.TrimSpace(line)
			if i > 0 && strings.HasPrefix(line, "#") {
				continue
			}
			words = append(words, strings.TrimSuffix(line, string(ins.escape)))
		}
		out = append(out, strings.Join(words, " "))
	}
	return out
}

// continues reports whether a line ends with the escape character.
func continues(b []byte, escape byte) bool {
	t := strings.TrimRight(string(b), " \t\r")
	return strings.HasSuffix(t, string(escape))
}

// dockerStage is what a build stage has set so far.
type dockerStage struct {
	name       string
	env        Env // ENV, with ARG values substituted when it was set
	args       Env // ARG defaults, for substitution in ENV
	entrypoint *dockerCmd
	cmd        *dockerCmd
	// own: the stage sets CMD or ENTRYPOINT itself (rather than
	// inheriting them from the stage it builds on).
	own bool
}

// dockerCmd is a CMD or ENTRYPOINT: exec form (a JSON array) or shell
// form.
type dockerCmd struct {
	exec  []Arg
	shell bool
	ins   instruction
}

// dockerfile reads the stages of a Dockerfile: ARG and ENV (ENV values
// substitute ARG and earlier ENV values, as Docker does at build time), and
// what each stage's image runs: ENTRYPOINT with CMD appended in exec form,
// or a shell-form command run by /bin/sh -c, which expands the image's ENV
// at run time. Exec-form words are passed as written: Docker expands no
// variables in them.
func (l *loader) dockerfile(t *Tree) {
	f := t.File
	var stages []*dockerStage
	var global Env // ARGs before the first FROM
	var cur *dockerStage
	workdir := "/"
	for _, ins := range dockerInstructions(f) {
		words, _ := shellWords(f, ins.start, ins.end)
		switch ins.keyword {
		case "FROM":
			cur = &dockerStage{}
			for i, w := range words {
				if strings.EqualFold(w.Text, "AS") && i+1 < len(words) {
					cur.name = strings.ToLower(words[i+1].Text)
				}
			}
			if len(words) > 0 {
				base := strings.ToLower(words[0].Text)
				for _, s := range stages {
					if s.name != "" && s.name == base {
						cur.env = append(cur.env, s.env...)
						cur.entrypoint, cur.cmd = s.entrypoint, s.cmd
					}
				}
			}
			stages = append(stages, cur)
		case "ARG":
			for _, w := range words {
				k, v, ok := assignment(w.Text)
				if !ok {
					k = w.Text
				}
				e := EnvVar{Name: k, Value: v, Range: w.Range}
				if cur == nil {
					global = append(global, e)
				} else {
					cur.args = append(cur.args, e)
				}
			}
		case "ENV":
			if cur == nil {
				continue
			}
			scope := append(append(append(Env(nil), global...), cur.args...), cur.env...)
			for _, e := range envInstruction(words) {
				e.Value, _ = expand(e.Value, scope)
				cur.env = append(cur.env, e)
				scope = append(scope, e)
				t.Env = append(t.Env, e)
			}
		case "WORKDIR":
			if len(words) > 0 {
				workdir = path.Join(workdir, words[0].Text)
				if path.IsAbs(words[0].Text) {
					workdir = path.Clean(words[0].Text)
				}
				l.workdirs[t.File.Path] = workdir
			}
		case "COPY", "ADD":
			l.copyRule(t, f, ins, words, workdir)
		case "CMD", "ENTRYPOINT":
			if cur == nil {
				continue
			}
			c := &dockerCmd{ins: ins}
			if args, ok := execForm(f, ins.start, ins.end); ok {
				c.exec = args
			} else {
				c.shell = true
			}
			if ins.keyword == "CMD" {
				cur.cmd = c
			} else {
				if !cur.own {
					cur.cmd = nil // a new ENTRYPOINT resets an inherited CMD
				}
				cur.entrypoint = c
			}
			cur.own = true
		}
	}
	for _, s := range stages {
		if s.own {
			l.dockerRun(t, s)
		}
	}
}

// dockerRun interprets what a stage's image runs: ENTRYPOINT with CMD
// appended when both are in exec form (ENTRYPOINT ["gunicorn"] + CMD
// ["--bind", ...] is one command line); a shell-form ENTRYPOINT ignores
// CMD. An entrypoint that runs a script (or tini, gosu ...) passes CMD on,
// as `exec "$@"` does, so CMD is read as a command line of its own too.
func (l *loader) dockerRun(t *Tree, s *dockerStage) {
	ep, cmd := s.entrypoint, s.cmd
	switch {
	case ep == nil && cmd == nil:
	case ep == nil:
		l.runDocker(t, cmd, s.env)
	case ep.shell || cmd == nil:
		l.runDocker(t, ep, s.env)
	case !cmd.shell:
		found := Interpret(Line{Args: append(append([]Arg(nil), ep.exec...), cmd.exec...), Literal: true})
		if len(found.Commands) == 0 {
			found = Interpret(Line{Args: ep.exec, Literal: true})
			l.record(t, found)
			l.runDocker(t, cmd, s.env)
			return
		}
		l.record(t, found)
	default:
		l.runDocker(t, ep, s.env)
		l.runDocker(t, cmd, s.env)
	}
}

func (l *loader) runDocker(t *Tree, c *dockerCmd, env Env) {
	if !c.shell {
		l.run(t, Line{Args: c.exec, Literal: true})
		return
	}
	words, _ := shellWords(t.File, c.ins.start, c.ins.end)
	for _, cmd := range simpleCommands(words) {
		l.run(t, Line{Args: cmd, Env: env})
	}
}

// record adds what a command line was found to run.
func (l *loader) record(t *Tree, found Found) {
	t.Env = append(t.Env, found.Env...)
	t.Scripts = append(t.Scripts, found.Scripts...)
	for _, c := range found.Commands {
		l.unresolved(c)
		t.Commands = append(t.Commands, c)
	}
}

// envInstruction reads `ENV K=V K2=V2` and the legacy `ENV K V`.
func envInstruction(words []Arg) []EnvVar {
	if len(words) >= 2 && !strings.Contains(words[0].Text, "=") {
		v := words[1].Text
		last := words[1]
		for _, w := range words[2:] {
			v += " " + w.Text
			last = w
		}
		return []EnvVar{{Name: words[0].Text, Value: v, Range: span(words[0].Range, last.Range)}}
	}
	var out []EnvVar
	for _, w := range words {
		if k, v, ok := assignment(w.Text); ok {
			out = append(out, EnvVar{Name: k, Value: v, Range: w.Range})
		}
	}
	return out
}

// execForm parses a JSON array of strings between start and end (CMD
// ["gunicorn", ...]), giving each element the range of its text.
func execForm(f *source.File, start, end int) ([]Arg, bool) {
	text := string(f.Content[start:end])
	open := strings.Index(text, "[")
	if open < 0 || strings.TrimSpace(text[:open]) != "" {
		return nil, false
	}
	var arr []string
	body := strings.NewReplacer("\\\n", "", "\\\r\n", "").Replace(text[open:])
	if err := json.Unmarshal([]byte(body), &arr); err != nil {
		return nil, false
	}
	var out []Arg
	pos := start + open
	for _, a := range arr {
		quoted, _ := json.Marshal(a)
		idx := strings.Index(string(f.Content[pos:end]), string(quoted))
		if idx < 0 {
			out = append(out, ArgIn(a, f.Range(start, end)))
			continue
		}
		at := pos + idx + 1
		pos = pos + idx + len(quoted)
		if len(quoted) == len(a)+2 {
			out = append(out, ArgAt(f, a, at))
		} else {
			out = append(out, ArgIn(a, f.Range(at-1, pos)))
		}
	}
	return out, true
}

// copied is a COPY or ADD of the build context into the image: dest in
// the image holds src of the repository (a directory when dir is set).
type copied struct {
	dest, src string
	dir       bool
}

// copyRule records a COPY or ADD from the build context (not --from
// another stage or image), so that a script the image runs by its path in
// the image is found in the repository. The context is taken to be the
// Dockerfile's directory.
func (l *loader) copyRule(t *Tree, f *source.File, ins instruction, words []Arg, workdir string) {
	var args []string
	if ex, ok := execForm(f, ins.start, ins.end); ok {
		for _, a := range ex {
			args = append(args, a.Text)
		}
	} else {
		for _, w := range words {
			if strings.HasPrefix(w.Text, "--from") {
				return
			}
			if !strings.HasPrefix(w.Text, "--") {
				args = append(args, w.Text)
			}
		}
	}
	if len(args) < 2 {
		return
	}
	dest := args[len(args)-1]
	if !path.IsAbs(dest) {
		dest = path.Join(workdir, dest)
	}
	srcs := args[:len(args)-1]
	ctx := path.Dir(f.Path)
	destDir := strings.HasSuffix(args[len(args)-1], "/") || len(srcs) > 1 || args[len(args)-1] == "."
	for _, s := range srcs {
		src := path.Join(ctx, s)
		switch {
		case s == "." || strings.HasSuffix(s, "/"):
			l.copies[t.File.Path] = append(l.copies[t.File.Path], copied{dest: path.Clean(dest), src: src, dir: true})
		case destDir:
			l.copies[t.File.Path] = append(l.copies[t.File.Path], copied{dest: path.Join(dest, path.Base(s)), src: src})
			l.copies[t.File.Path] = append(l.copies[t.File.Path], copied{dest: path.Join(dest, path.Base(s)), src: src, dir: true})
		default:
			l.copies[t.File.Path] = append(l.copies[t.File.Path], copied{dest: path.Clean(dest), src: src})
			l.copies[t.File.Path] = append(l.copies[t.File.Path], copied{dest: path.Clean(dest), src: src, dir: true})
		}
	}
	l.workdirs[t.File.Path] = workdir
}

// inImage finds the repository file that an image built from the
// Dockerfile df holds at p, by its COPY and ADD instructions.
func (l *loader) inImage(df, p string) string {
	if !path.IsAbs(p) {
		p = path.Join(l.workdirs[df], p)
	}
	p = path.Clean(p)
	rules := l.copies[df]
	for i := len(rules) - 1; i >= 0; i-- {
		c := rules[i]
		switch {
		case !c.dir && c.dest == p:
			if isFile(l.r, path.Clean(c.src)) {
				return path.Clean(c.src)
			}
		case c.dir && strings.HasPrefix(p, c.dest+"/"):
			if q := path.Clean(path.Join(c.src, strings.TrimPrefix(p, c.dest+"/"))); isFile(l.r, q) {
				return q
			}
		}
	}
	return ""
}
