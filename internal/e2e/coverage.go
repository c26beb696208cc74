package e2e

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/rules"
)

// AttackCodes lists, for each attack, the rule codes whose finding
// describes the mechanism the attack exploits. The suite checks both
// directions on every scenario: an attack that works must be covered by a
// finding with one of its codes at the attack's MinSeverity or above, and a
// finding with one of its codes must not sit on a scenario where the
// attack failed. A code therefore belongs to an attack only when the
// mechanism it names always lets that attack through; rules that no
// attack exercises (ciphers, revocation, deploy settings) are not listed
// and are outside the check.
//
// An entry is a rule code ("N004"), or a code restricted to findings about
// one kind of header ("N006:identity", "N006:scheme"), for rules whose
// findings name the header in their Key ("route:...|header:<name>") and
// whose mechanism lets a different attack through depending on the header.
//
// A family adds its codes here when its rules land.
var AttackCodes = map[AttackID][]string{
	// N002 verify off while client-certificate variables are forwarded;
	// N003 optional with neither a gate nor the verification result
	// forwarded; H003 %[ssl_c_verify] forwarded with verify optional: 0
	// without a certificate too.
	NoCert: {"N002", "N003", "H003"},
	// An identity header lost by inheritance (N001) or never processed in
	// tcp mode (H007) never reaches the app: a valid client has nothing
	// to show.
	ValidCert: {"N001:identity", "H007"},
	// N004 optional_no_ca with the DN forwarded; H004 ignore-err that
	// breaks the chain of trust.
	UntrustedCert: {"N004", "H004"},
	// The client's own copy of an identity header reaches the app: lost by
	// inheritance (N001), set from client data (N005), not set on another
	// route to the same upstream (N006, H011), appended to (H001), set
	// only under a condition (H002), or tcp mode (H007).
	SpoofDash: {"N001:identity", "N005:identity", "N006:identity", "H001:identity", "H002:identity", "H007", "H011:identity"},
	// The underscore spelling of an identity header reaches gunicorn,
	// which maps it like the dash one: N007 underscores_in_headers on /
	// ignore_invalid_headers off; H010 del-header by exact name.
	SpoofUnderscore: {"N007", "H010"},
	// The same mechanisms for X-Forwarded-Proto, and H008 set only
	// if { ssl_fc } on a frontend with a plain-HTTP bind.
	ForwardedProto: {"N001:scheme", "N005:scheme", "N006:scheme", "H001:scheme", "H008"},
	// G001 the app server listens on a non-loopback address.
	DirectApp: {"G001"},
}

// CheckStatus is how the static and runtime verdicts of one attack on one
// scenario compare.
type CheckStatus int

const (
	// Agree: breach covered by a finding, or no breach and no finding.
	Agree CheckStatus = iota
	// Missed: the attack works, and no finding at the required severity
	// with one of its codes says so.
	Missed
	// Refuted: a finding with one of the attack's codes, on a scenario
	// where the attack failed.
	Refuted
	// Unchecked: no static result, or the runtime verdict is unknown.
	Unchecked
)

// Check is the comparison for one attack on one scenario.
type Check struct {
	Attack   AttackID
	Verdict  Verdict
	Status   CheckStatus
	Findings []Finding // the scenario's findings with one of the attack's codes
}

// Compare checks a scenario's runtime outcomes against its findings.
// Findings are nil (not empty) when the static side did not run.
func Compare(outcomes []Outcome, findings []Finding, ran bool) []Check {
	var out []Check
	for _, o := range outcomes {
		at, _ := AttackByID(o.Attack)
		c := Check{Attack: o.Attack, Verdict: o.Verdict}
		for _, f := range findings {
			if matches(AttackCodes[o.Attack], f) {
				c.Findings = append(c.Findings, f)
			}
		}
		switch {
		case !ran || o.Verdict == Broken:
			c.Status = Unchecked
		case o.Verdict == Breached:
			c.Status = Missed
			for _, f := range c.Findings {
				if f.Severity >= at.MinSeverity {
					c.Status = Agree
				}
			}
		case o.Verdict == Held && len(c.Findings) > 0:
			c.Status = Refuted
		default:
			c.Status = Agree
		}
		out = append(out, c)
	}
	return out
}

// matches reports whether a finding has one of the entries' codes (and,
// for a qualified entry, is about that kind of header).
func matches(entries []string, f Finding) bool {
	for _, e := range entries {
		code, kind, qualified := strings.Cut(e, ":")
		if code != f.Code {
			continue
		}
		if !qualified {
			return true
		}
		switch kind {
		case "identity":
			if f.Header != "" && rules.IsIdentityHeader(f.Header) {
				return true
			}
		case "scheme":
			if f.Header != "" && rules.IsSchemeHeader(f.Header) && !rules.IsIdentityHeader(f.Header) {
				return true
			}
		}
	}
	return false
}

// Describe renders the static column of one check.
func (c Check) Describe() string {
	at, _ := AttackByID(c.Attack)
	fs := describeFindings(c.Findings)
	switch c.Status {
	case Missed:
		msg := fmt.Sprintf("MISSED: no %s+ finding among %s", at.MinSeverity, codesOrNone(c.Attack))
		if fs != "" {
			msg += " (only " + fs + ")"
		}
		return msg
	case Refuted:
		return "REFUTED: " + fs + " but the attack failed"
	case Unchecked:
		if fs != "" {
			return fs
		}
		return "not checked"
	}
	if c.Verdict == NotApplicable && fs != "" {
		return fs + " (not exercised here)"
	}
	if fs == "" {
		return "—"
	}
	return "✓ " + fs
}

func codesOrNone(id AttackID) string {
	codes := AttackCodes[id]
	if len(codes) == 0 {
		return "its codes (none listed yet)"
	}
	return strings.Join(codes, "/")
}

func describeFindings(fs []Finding) string {
	var parts []string
	for _, f := range fs {
		p := fmt.Sprintf("%s %s @%s:%d", f.Code, f.Severity, f.File, f.Line)
		if f.Header != "" {
			p += " (" + f.Header + ")"
		}
		parts = append(parts, p)
	}
	sort.Strings(parts)
	return strings.Join(slices.Compact(parts), ", ")
}

// Unmapped returns the findings whose codes no attack lists: rules outside
// the runtime check.
func Unmapped(findings []Finding) []Finding {
	var out []Finding
	for _, f := range findings {
		mapped := false
		for _, entries := range AttackCodes {
			mapped = mapped || matches(entries, f)
		}
		if !mapped {
			out = append(out, f)
		}
	}
	return out
}
