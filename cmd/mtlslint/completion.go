package main

import (
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"
)

// runCompletion prints a completion script for bash, zsh or fish: the
// commands, and each command's flags as its own -h lists them.
func runCompletion(args []string, e *env) int {
	fs := flag.NewFlagSet("completion", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: mtlslint completion bash|zsh|fish\n\nPrints a completion script. Install it with, for example:\n"+
			"  mtlslint completion bash > ~/.local/share/bash-completion/completions/mtlslint\n"+
			"  mtlslint completion zsh > \"${fpath[1]}/_mtlslint\"\n"+
			"  mtlslint completion fish > ~/.config/fish/completions/mtlslint.fish\n")
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if len(rest) != 1 {
		return e.errorf("usage: mtlslint completion bash|zsh|fish")
	}
	flags := commandFlags()
	switch rest[0] {
	case "bash":
		fmt.Fprint(e.stdout, bashCompletion(flags))
	case "zsh":
		fmt.Fprint(e.stdout, zshCompletion(flags))
	case "fish":
		fmt.Fprint(e.stdout, fishCompletion(flags))
	default:
		return e.errorf("no completion for %q (want bash, zsh or fish)", rest[0])
	}
	return exitClean
}

// commandFlags collects each command's flag names by asking it for its
// help: the script stays in step with the flags the commands define.
func commandFlags() map[string][]string {
	out := map[string][]string{}
	for _, c := range commands {
		if c.name == "help" || c.name == "version" || c.name == "completion" {
			continue
		}
		var help strings.Builder
		probe := &env{stdin: strings.NewReader(""), stdout: &help, stderr: &help}
		c.run([]string{"-h"}, probe)
		var names []string
		for _, line := range strings.Split(help.String(), "\n") {
			f := strings.Fields(line)
			if len(f) > 0 && strings.HasPrefix(line, "  -") {
				name := strings.TrimPrefix(f[0], "-")
				if len(name) == 1 {
					names = append(names, "-"+name) // -o, -q
				} else {
					names = append(names, "--"+name)
				}
			}
		}
		sort.Strings(names)
		out[c.name] = names
	}
	return out
}

func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return names
}

func bashCompletion(flags map[string][]string) string {
	var b strings.Builder
	b.WriteString("# bash completion for mtlslint (mtlslint completion bash)\n_mtlslint() {\n")
	b.WriteString("    local cur cmd\n    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n    cmd=\"${COMP_WORDS[1]}\"\n")
	fmt.Fprintf(&b, "    if [ \"$COMP_CWORD\" -eq 1 ] && [[ \"$cur\" != -* ]]; then\n        COMPREPLY=($(compgen -W %q -- \"$cur\") $(compgen -f -- \"$cur\"))\n        return\n    fi\n", strings.Join(commandNames(), " "))
	b.WriteString("    case \"$cmd\" in\n")
	for _, c := range sortedKeys(flags) {
		fmt.Fprintf(&b, "    %s) [[ \"$cur\" == -* ]] && COMPREPLY=($(compgen -W %q -- \"$cur\")) || COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n", c, strings.Join(flags[c], " "))
	}
	fmt.Fprintf(&b, "    completion) COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\")) ;;\n")
	fmt.Fprintf(&b, "    *) [[ \"$cur\" == -* ]] && COMPREPLY=($(compgen -W %q -- \"$cur\")) || COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n", strings.Join(flags["check"], " "))
	b.WriteString("    esac\n}\ncomplete -F _mtlslint mtlslint\n")
	return b.String()
}

func zshCompletion(flags map[string][]string) string {
	var b strings.Builder
	b.WriteString("#compdef mtlslint\n# zsh completion for mtlslint (mtlslint completion zsh)\n_mtlslint() {\n")
	fmt.Fprintf(&b, "    if (( CURRENT == 2 )); then\n        compadd -- %s\n        _files\n        return\n    fi\n", strings.Join(commandNames(), " "))
	b.WriteString("    case $words[2] in\n")
	for _, c := range sortedKeys(flags) {
		fmt.Fprintf(&b, "    %s) compadd -- %s; _files ;;\n", c, strings.Join(flags[c], " "))
	}
	b.WriteString("    completion) compadd -- bash zsh fish ;;\n")
	fmt.Fprintf(&b, "    *) compadd -- %s; _files ;;\n", strings.Join(flags["check"], " "))
	b.WriteString("    esac\n}\ncompdef _mtlslint mtlslint\n")
	return b.String()
}

func fishCompletion(flags map[string][]string) string {
	var b strings.Builder
	b.WriteString("# fish completion for mtlslint (mtlslint completion fish)\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "complete -c mtlslint -n __fish_use_subcommand -a %s -d %q\n", c.name, c.summary)
	}
	for _, c := range sortedKeys(flags) {
		for _, f := range flags[c] {
			opt := "-l " + strings.TrimPrefix(f, "--")
			if !strings.HasPrefix(f, "--") {
				opt = "-s " + strings.TrimPrefix(f, "-")
			}
			fmt.Fprintf(&b, "complete -c mtlslint -n '__fish_seen_subcommand_from %s' %s\n", c, opt)
		}
	}
	b.WriteString("complete -c mtlslint -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	return b.String()
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
