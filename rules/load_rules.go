package rules

import "github.com/mtlslint/mtlslint/parsers/source"

// Codes of the load and parse problems every front end reports, and of
// the findings about mtlslint itself.
const (
	CodeSyntax              = "E001" // the file does not parse
	CodeIncludeMissing      = "E002" // an include resolves to nothing
	CodeIncludeOutside      = "E003" // an include points outside the scanned root
	CodeSkipped             = "E004" // binary, too large, unreadable
	CodeIncludeCycle        = "E005" // an include includes itself
	CodeTooDeep             = "E006" // nesting deeper than the front end's limit
	CodeLimit               = "E007" // a work limit was reached (include expansion, alternatives)
	CodeRejected            = "E008" // the server refuses the configuration
	CodeUndefinedBackend    = "E009" // a backend the configuration does not define
	CodeUnusedSuppression   = "M001"
	CodeNotAnalysed         = "M002" // a statement the front end could not analyse
	CodeSuppressionNoReason = "M003"
	CodeRuleCrashed         = "M004"
)

// LoadRules document the problems that front ends report while loading and
// parsing, and the findings about mtlslint itself. They have no Check: the
// engine turns each source.Problem into a diagnostic of the rule that
// documents its kind (Rule.Problem), and the suppression pass reports
// M001/M003.
var LoadRules = []*Rule{
	{
		Code: CodeSyntax, Problem: source.ProblemSyntax, Name: "syntax-error", Severity: High, Scope: ScopeLoad,
		Summary: "The file does not parse, so nothing in it was checked.",
		Doc: Doc{
			What: "Reports a syntax error that stops the front end from reading the file (or part of it).",
			Why:  "A file that cannot be parsed cannot be checked. Reporting it keeps an unreadable configuration from passing as clean.",
			Fix:  "Fix the syntax error at the reported position. The server itself (nginx -t, haproxy -c) would usually refuse the file too.",
		},
	},
	{
		Code: CodeIncludeMissing, Problem: source.ProblemIncludeMissing, Name: "include-unresolved", Severity: Medium, Scope: ScopeLoad,
		Summary: "An include matches no file in the repository, so its directives were not checked.",
		Doc: Doc{
			What: "Reports an `include` whose path or glob matches no file in the scanned tree, after mapping deployed locations (such as /etc/nginx/) onto the repository. A glob that the server accepts matching nothing is not reported: nginx's `include conf.d/*.conf;` and Apache httpd's `IncludeOptional` load nothing and carry on.",
			Why:  "Directives in the missing file (often the `proxy_set_header` lines that overwrite identity headers) are invisible to the analysis, so findings about that level may be missing or wrong.",
			Fix:  "Scan the directory that holds the included files too, or map the deployed path with the configuration file.",
		},
	},
	{
		Code: CodeIncludeOutside, Problem: source.ProblemIncludeOutside, Name: "include-outside-root", Severity: Medium, Scope: ScopeLoad,
		Summary: "An include points outside the scanned root and was not read.",
		Doc: Doc{
			What: "Reports an include (or a symbolic link) that resolves outside the scanned directory.",
			Why:  "mtlslint reads only the repository it was pointed at, so an audit of untrusted repositories never reads the host's files. What the include contains is unknown.",
			Fix:  "Scan from a directory that contains the included files.",
		},
	},
	{
		Code: CodeSkipped, Problem: source.ProblemSkipped, Name: "file-skipped", Severity: Medium, Scope: ScopeLoad,
		Summary: "A file was not analysed: binary, larger than the size cap, unreadable, or a symlink loop.",
		Doc: Doc{
			What: "Reports a file that discovery or an include selected but that could not be analysed, with the reason.",
			Why:  "A skipped file is not a clean file; its findings are unknown.",
			Fix:  "Raise the size cap (--max-file-size) for large generated configurations, fix permissions, or exclude the file explicitly.",
		},
	},
	{
		Code: CodeIncludeCycle, Problem: source.ProblemIncludeCycle, Name: "include-cycle", Severity: Medium, Scope: ScopeLoad,
		Summary: "An include includes a file that is already being included.",
		Doc: Doc{
			What: "Reports an include that leads back to a file on the current include chain.",
			Why:  "nginx refuses such a configuration; the cycle was cut to continue the analysis.",
			Fix:  "Remove the include that closes the cycle.",
		},
	},
	{
		Code: CodeTooDeep, Problem: source.ProblemTooDeep, Name: "nesting-too-deep", Severity: Medium, Scope: ScopeLoad,
		Summary: "Brackets, blocks or expressions nest deeper than mtlslint follows; that part was not analysed.",
		Doc: Doc{
			What:    "Reports the position where a file nests deeper than the front end's limit: brackets and expressions in Python, HCL, YAML, JSON and TOML, blocks in nginx and Caddyfiles, sections in Apache httpd, `.if` blocks in HAProxy. The nested part is not analysed; the rest of the file is (a TOML file so nested is not decoded at all: its library takes minutes on it).",
			Why:     "Following arbitrarily deep nesting costs memory and stack in proportion to it, so a few kilobytes of brackets could stop the whole run. Real configurations nest a few levels; the limits are far above them, and near what the servers and Python themselves accept. What the nested part sets is unknown, so findings that depend on it may be missing.",
			Example: "SETTING = [[[[[[ ... ]]]]]]   # thousands of levels",
			Fix:     "Flatten the structure. If a real configuration needs this depth, report it with the file.",
		},
	},
	{
		Code: CodeLimit, Problem: source.ProblemLimit, Name: "work-limit-reached", Severity: Medium, Scope: ScopeLoad,
		Summary: "A work limit was reached (include expansion, combinations of values); the rest of that work was not done.",
		Doc: Doc{
			What:    "Reports where the analysis of a repository stopped expanding: nginx and httpd includes or Caddy imports that expand to more directives than the workspace's budget (globs and snippets that include each other fan out exponentially), YAML aliases of aliases beyond the limit, or combinations of alternative values beyond the evaluator's limit.",
			Why:     "An include graph of a few small files can expand to billions of directives, and each combination of alternatives multiplies the work. The budget keeps one repository from taking the whole run's time and memory; what was not expanded is unknown, so findings that depend on it may be missing.",
			Example: "# each of fan/*.inc contains the same line:\ninclude fan/*.inc;",
			Fix:     "Remove includes that include each other. If a real configuration is this large, report it with the file.",
		},
	},
	{
		Code: CodeRejected, Problem: source.ProblemRejected, Name: "rejected-by-server", Severity: High, Scope: ScopeLoad,
		Summary: "The server refuses to load the configuration: a keyword no release knows, or two proxies of one name.",
		Doc: Doc{
			What:    "Reports what the server's own configuration check refuses in a configuration that parses: for HAProxy, a keyword that no release from 1.5 on knows in a global, defaults, frontend, backend or listen section, and a frontend, backend or listen section named like an earlier one it would clash with (frontends share one name space, backends another, a listen section is in both).",
			Why:     "`haproxy -c` fails and the service does not start with this file, so the routes and headers mtlslint reads from it are not what runs: the deployed configuration is an older one, or none. A misspelt keyword (`default_frontend` for `default_backend`) is also a line whose intent never takes effect.",
			Example: "frontend fe\n    bind :443 ssl crt /etc/haproxy/site.pem\n    default_frontend app   # unknown keyword\n\nbackend app\n    server a 127.0.0.1:8000\n\nbackend app            # same name as the backend above\n    server b 127.0.0.1:8001",
			Fix:     "Correct the keyword (the message suggests the nearest known one) or rename one of the proxies, then check with `haproxy -c -f FILE`.",
			References: []string{
				"HAProxy configuration manual, 4.1 Proxy keywords matrix: https://docs.haproxy.org/2.6/configuration.html#4.1",
				"HAProxy configuration manual, 3 Global parameters: https://docs.haproxy.org/2.6/configuration.html#3",
			},
		},
	},
	{
		Code: CodeUndefinedBackend, Problem: source.ProblemUndefinedBackend, Name: "backend-undefined", Severity: Medium, Scope: ScopeLoad,
		Summary: "use_backend or default_backend names a backend the configuration does not define.",
		Doc: Doc{
			What:       "Reports a `use_backend` or `default_backend` whose backend name is fixed (no `%[...]`, no environment variable) and that no backend or listen section of the configuration defines.",
			Why:        "`haproxy -c` refuses the configuration (\"unable to find required use_backend\"), so it does not run as written; the requests the rule was meant to route are not modelled. The backend may be defined in a file that is loaded with this one by another `-f` option and that mtlslint did not group with it: the finding says so, which is why it is medium.",
			Fix:        "Define the backend, correct its name, or scan the configuration with the files it is loaded with (a conf.d/ beside haproxy.cfg is grouped automatically).",
			References: []string{"HAProxy configuration manual, use_backend: https://docs.haproxy.org/2.6/configuration.html#4.2-use_backend"},
		},
	},
	{
		Code: CodeUnusedSuppression, Name: "unused-suppression", Severity: Low, Scope: ScopeLoad,
		Summary: "A suppression comment suppresses nothing.",
		Doc: Doc{
			What: "Reports a `mtlslint: ignore[...]` comment whose codes match no finding where it applies.",
			Why:  "Stale suppressions hide the next real finding on that line.",
			Fix:  "Remove the comment (the fix does).",
		},
	},
	{
		Code: CodeNotAnalysed, Problem: source.ProblemNotAnalysed, Name: "statement-not-analysed", Severity: Info, Scope: ScopeLoad,
		Summary: "A statement could not be analysed; what it sets is unknown.",
		Doc: Doc{
			What: "Reports a statement that the front end could not parse or evaluate (for example Python syntax newer than the parser understands), with the reason.",
			Why:  "Its effect is unknown to the analysis; nothing is guessed about it.",
			Fix:  "Nothing to fix in most cases; rewrite the statement in a simpler form if the value matters.",
		},
	},
	{
		Code: CodeSuppressionNoReason, Name: "suppression-without-reason", Severity: Low, Scope: ScopeLoad,
		Summary: "A suppression comment gives no reason.",
		Doc: Doc{
			What: "Reports a `mtlslint: ignore[...]` comment without `-- reason`. The suppression still applies.",
			Why:  "A reviewer cannot tell an accepted risk from a silenced alarm.",
			Fix:  "Add `-- <why this is safe>` after the codes.",
		},
	},
	{
		Code: CodeRuleCrashed, Name: "rule-crashed", Severity: High, Scope: ScopeLoad,
		Summary: "A rule failed on this input; its findings are missing.",
		Doc: Doc{
			What: "Reports an internal error of one rule. The other rules ran.",
			Why:  "The failed rule's findings are unknown, so the input is not known to be clean.",
			Fix:  "Report the bug with the input that triggers it.",
		},
	},
}
