package e2e

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is what one scenario produced.
type Result struct {
	Scenario  *Scenario
	Outcomes  []Outcome
	Findings  []Finding // nil when the static side did not run
	StaticErr error
	Checks    []Check
	Primary   int // port of the listener valid clients use
	Duration  time.Duration
	Err       error // the scenario could not be run
}

func (r *Result) check(m Mechanism) (Check, bool) {
	for _, c := range r.Checks {
		if c.Mechanism == m {
			return c, true
		}
	}
	return Check{}, false
}

func (r *Result) staticCell(o Outcome) string {
	if r.StaticErr != nil {
		return "not run"
	}
	c, ok := r.check(o.Mechanism)
	if !ok {
		return ""
	}
	return c.Describe()
}

// TextTable renders scenario × attack × runtime × static for a terminal.
func TextTable(results []*Result) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "SCENARIO\tATTACK\tRUNTIME\tSTATIC")
	for _, r := range results {
		if r == nil {
			continue
		}
		name := fmt.Sprintf("%s (%.1fs)", r.Scenario.Name, r.Duration.Seconds())
		if r.Err != nil {
			fmt.Fprintf(w, "%s\t-\tNOT RUN: %s\t\n", name, oneLine(r.Err.Error()))
			continue
		}
		for i, o := range r.Outcomes {
			if i > 0 {
				name = ""
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", name, o.Attack, o.Summary, r.staticCell(o))
		}
	}
	w.Flush()
	return b.String()
}

// Markdown renders the report the README links to. It holds nothing that
// changes from run to run (no ports, paths or timings), so it only changes
// when a verdict does.
func Markdown(results []*Result, v Versions) string {
	var b strings.Builder
	b.WriteString("# Verified against real servers\n\n")
	b.WriteString("Every scenario below is a small deployment (a proxy configuration, a Django app and its gunicorn settings) under\n")
	b.WriteString("[`internal/e2e/scenarios/`](../internal/e2e/scenarios/). The test suite starts the real servers on loopback with\n")
	b.WriteString("certificates it generates, sends the attacks derived from the request classes of its routes, and runs mtlslint on\n")
	b.WriteString("the same files. It fails when an attack that works is not reported by a high or critical finding that names its\n")
	b.WriteString("mechanism, when a finding names a mechanism every attack of which failed, or when the servers stop behaving as\n")
	b.WriteString("recorded.\n\n")
	fmt.Fprintf(&b, "Servers: %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s (Debian 12 packages). This file is written by `go test ./internal/e2e -run E2E -v`.\n\n",
		orUnknown(v.Nginx), orUnknown(v.HAProxy), orUnknown(v.Apache), orUnknown(v.Caddy), orUnknown(v.Django), orUnknown(v.Gunicorn),
		orUnknown(v.UWSGI), orUnknown(v.Uvicorn), orUnknown(v.Flask), orUnknown(v.FastAPI), orUnknown(v.DRF))

	b.WriteString("## Attacks\n\n")
	b.WriteString("An attack is a request class (`tls` with `no-cert`, `valid-cert` or `untrusted-cert`, and `sni-not-host` where the TLS\n")
	b.WriteString("server name and the Host differ; `plain-http`; `direct` to the app server's port), sent to every listener and path\n")
	b.WriteString("the model's classes name, and what the client adds to it (`spoof-dash`, `spoof-underscore`, `spoof-scheme`). Each\n")
	b.WriteString("exploits one mechanism, which the findings describe:\n\n")
	b.WriteString("| mechanism | attacks: the client | breach when | rule codes |\n|---|---|---|---|\n")
	for _, a := range Mechanisms {
		codes := strings.Join(AttackCodes[a.Mechanism], ", ")
		if codes == "" {
			codes = "—"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s (needs a %s+ finding) | %s |\n", a.Mechanism, cell(a.Does), cell(a.Breach), a.MinSeverity, codes)
	}

	b.WriteString("\n## Results\n\n")
	b.WriteString("Runtime: **BREACH** means the attack worked; `held` lists what stopped it. Static: ✓ names the finding that covers a\n")
	b.WriteString("breach of the attack's mechanism; — means no finding about that mechanism, as it should be where every attack of it failed.\n\n")
	b.WriteString("| scenario | attack | runtime | static |\n|---|---|---|---|\n")
	for _, r := range results {
		if r == nil {
			continue
		}
		first := fmt.Sprintf("**%s**<br>%s", r.Scenario.Name, cell(r.Scenario.Title))
		if r.Err != nil {
			fmt.Fprintf(&b, "| %s | — | not run: %s | |\n", first, cell(r.Err.Error()))
			continue
		}
		for i, o := range r.Outcomes {
			name := ""
			if i == 0 {
				name = first
			}
			runtime := cell(o.Summary)
			if o.Verdict == Breached {
				label, rest, _ := strings.Cut(runtime, ":")
				runtime = "**" + label + "**:" + rest
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", name, o.Attack, runtime, cell(r.staticCell(o)))
		}
	}

	if d := Disagreements(results); len(d) > 0 {
		b.WriteString("\n## Disagreements\n\nWhat the last run found wrong; the suite fails until each is resolved (a rule fixed, or a recorded fact corrected).\n\n")
		for _, x := range d {
			fmt.Fprintf(&b, "- %s\n", cell(x))
		}
	}

	var other []string
	for _, r := range results {
		if r == nil || r.StaticErr != nil {
			continue
		}
		if fs := Unmapped(r.Findings, r.Primary); len(fs) > 0 {
			other = append(other, fmt.Sprintf("| %s | %s |", r.Scenario.Name, cell(describeFindings(fs))))
		}
	}
	if len(other) > 0 {
		b.WriteString("\n## Other findings\n\nFindings of rules that no attack exercises (outside the runtime check).\n\n| scenario | findings |\n|---|---|\n")
		b.WriteString(strings.Join(other, "\n") + "\n")
	}
	return b.String()
}

// Disagreements lists, in words, every check that failed: static against
// runtime, and runtime against the recorded fact.
func Disagreements(results []*Result) []string {
	var out []string
	for _, r := range results {
		if r == nil {
			continue
		}
		for _, c := range r.Checks {
			if c.Status == Missed || c.Status == Refuted {
				out = append(out, fmt.Sprintf("%s / %s: %s", r.Scenario.Name, c.Mechanism, c.Describe()))
			}
		}
		for _, o := range r.Outcomes {
			if m := r.FactMismatch(o); m != "" {
				out = append(out, fmt.Sprintf("%s / %s: %s", r.Scenario.Name, o.Attack, m))
			}
		}
		for _, name := range r.Unsent() {
			out = append(out, fmt.Sprintf("%s / %s: listed as a breach, but no attack of that name applies to this deployment", r.Scenario.Name, name))
		}
	}
	sort.Strings(out)
	return out
}

// FactMismatch says how an outcome differs from what the scenario records,
// or returns "".
func (r *Result) FactMismatch(o Outcome) string {
	want := Held
	if slices.Contains(r.Scenario.Breaches, o.Attack) {
		want = Breached
	}
	switch {
	case o.Verdict == Broken:
		return o.Summary
	case o.Verdict != want:
		return fmt.Sprintf("the servers disagree with the recorded fact: want %s, got %s (recorded: %s)", want, o.Summary, r.Scenario.Fact)
	}
	return ""
}

// Unsent returns the breaches the scenario lists that no attack of the run
// has the name of: the deployment does not offer that class.
func (r *Result) Unsent() []string {
	if r.Err != nil {
		return nil
	}
	var out []string
	for _, name := range r.Scenario.Breaches {
		if !slices.ContainsFunc(r.Outcomes, func(o Outcome) bool { return o.Attack == name }) {
			out = append(out, name)
		}
	}
	return out
}

// Complete reports whether every scenario ran and every attack has a
// verdict: only then is the report worth writing down.
func Complete(results []*Result) bool {
	for _, r := range results {
		if r == nil || r.Err != nil {
			return false
		}
		for _, o := range r.Outcomes {
			if o.Verdict == Broken {
				return false
			}
		}
	}
	return true
}

func orUnknown(s string) string {
	if s == "" {
		return "(not installed)"
	}
	return s
}

func cell(s string) string {
	return strings.ReplaceAll(oneLine(s), "|", `\|`)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
