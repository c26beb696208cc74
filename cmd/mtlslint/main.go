// Command mtlslint finds mutual-TLS and trusted-proxy-header
// misconfigurations in nginx, HAProxy, Django and gunicorn configurations,
// and checks the proxy and the app against each other.
//
// Usage:
//
//	mtlslint check [flags] [PATH...]   lint files and directories (default .)
//	mtlslint rules                      list the rules
//	mtlslint explain CODE               show a rule's documentation
//	mtlslint audit [flags] DIR...       audit many repositories (docs/audit.md)
//	mtlslint report --html F FILE...    report on audit results
//	mtlslint prove [flags] [PATH]       confirm findings against the repository's own proxy (docs/prove.md)
//	mtlslint graph [PATH...]            print the deployment model
//	mtlslint baseline [PATH...]         record the current findings (.mtlslint-baseline.json)
//	mtlslint config [PATH]              print the effective configuration and its origins
//	mtlslint lsp                        run the language server on standard input and output
//	mtlslint version                    print the version and the revision it was built from
//	mtlslint completion bash|zsh|fish   print a shell completion script
//
// Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or
// internal error.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// Exit codes.
const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
)

// version is set with -ldflags "-X main.version=…"; otherwise the module
// version from the build information is used.
var version = ""

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func main() {
	deferFirstCollection()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type command struct {
	name    string
	summary string
	run     func(args []string, env *env) int
}

// env is what a command reads and writes.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func (e *env) errorf(format string, args ...any) int {
	fmt.Fprintf(e.stderr, "mtlslint: "+format+"\n", args...)
	return exitError
}

var commands []command

func init() {
	commands = []command{
		{"check", "lint files and directories (the default command)", runCheck},
		{"rules", "list the rules: code, name, severity, summary", runRules},
		{"explain", "show the documentation of a rule", runExplain},
		{"audit", "audit every repository below directories, streaming JSON Lines", runAudit},
		{"report", "merge audit results into an HTML or Markdown report", runReport},
		{"prove", "run the repository's own proxy configuration on loopback and send each finding's request", runProve},
		{"graph", "print the deployment model: routes, apps and the links between them", runGraph},
		{"spec-diff", "report operations whose OpenAPI security lost mutual TLS between two versions", runSpecDiff},
		{"baseline", "record the current findings, so that check --baseline reports only new ones", runBaseline},
		{"config", "print the effective configuration and where each value came from", runConfig},
		{"lsp", "run the language server (editors start it; see docs/editors.md)", runLSP},
		{"version", "print the version and the revision it was built from", func(_ []string, e *env) int {
			fmt.Fprint(e.stdout, versionText())
			return exitClean
		}},
		{"completion", "print a shell completion script: completion bash|zsh|fish", runCompletion},
		{"help", "show this help", func(_ []string, e *env) int { usage(e.stdout); return exitClean }},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "mtlslint finds mutual-TLS and trusted-proxy-header misconfigurations.\n\nUsage:\n  mtlslint <command> [flags] [args]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun `mtlslint <command> -h` for a command's flags. Without a command, `check` runs.\n")
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(stderr, "mtlslint: internal error: %v\n%s", v, debug.Stack())
			code = exitError
		}
	}()
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			usage(stdout)
			return exitClean
		case "--version", "-version":
			fmt.Fprint(stdout, versionText())
			return exitClean
		case auditWorkerCommand:
			return runAuditWorker(e)
		}
		for _, c := range commands {
			if c.name == args[0] {
				return c.run(args[1:], e)
			}
		}
		if c := suggestCommand(args[0]); c != "" {
			return e.errorf("unknown command %q; did you mean %s? (mtlslint help lists the commands)", args[0], c)
		}
	}
	return runCheck(args, e)
}
