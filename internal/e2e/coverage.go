package e2e

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/rules"
)

// AttackCodes lists, for each mechanism, the rule codes whose finding
// describes the mechanism the attack exploits. The suite checks both
// directions on every scenario: an attack that works must be covered by a
// finding with one of its codes at the attack's MinSeverity or above, and a
// finding with one of its codes must not sit on a scenario where the
// attack failed. A code therefore belongs to an attack only when the
// mechanism it names always lets that attack through; rules that no
// attack exercises (ciphers, revocation, deploy settings) are not listed
// and are outside the check.
//
// An entry is a rule code ("N004"), or a code with conditions on what the
// finding is about, for rules whose one code covers mechanisms that let
// different attacks through ("X001:identity,lockout"). The conditions read
// the header the finding's Key names and that route in the model:
//
//	identity        the header carries the client's identity
//	scheme          the header carries the scheme (and not an identity)
//	lockout         an identity header the route does not set from TLS
//	                state (passthrough or blanked), on the listener valid
//	                clients use: they arrive with nothing to show (unless
//	                the app reads a server-set environ variable first)
//	verify=MODE     the route's listener verifies clients in MODE
//	                (off, optional, optional_no_ca, required)
//	primary         the route is on the listener valid clients use
//	underscore      the route lets the header through spelt with "_",
//	                to an app server that maps it like the dash spelling
//	loop            the header is a scheme header that the route on the
//	                listener valid clients use does not set, in front of
//	                an app that redirects what it does not see as HTTPS:
//	                every request is redirected to itself
//	sev=LEVEL       the finding has severity LEVEL: for rules whose
//	                severity says which consequence they found (X002:
//	                critical where a comparison admits attackers, medium
//	                where it only locks valid clients out)
//
// A family adds its codes here when its rules land.
var AttackCodes = map[Mechanism][]string{
	// The proxy lets a client without a certificate reach the app, which
	// cannot tell it from a verified one: N002 verify off while
	// client-certificate variables are forwarded (low: no other server on
	// the port asks for a certificate), N003 optional with
	// neither a gate nor the verification result forwarded, X006 the same
	// seen from the app that trusts the headers, H003 %[ssl_c_verify] is
	// 0 without a certificate too, and X002 the same seen from the app
	// that accepts "0" (critical, on a verify optional route).
	// A001 and C002 are httpd's optional and Caddy's verify_if_given
	// without a gate (an identity header then carries "(null)" or the
	// placeholder's own text).
	NoCert: {"N002:sev=low", "N003", "X006", "H003", "X002:sev=critical,verify=optional", "A001", "C002"},
	// A valid client arrives with nothing to show: an identity header the
	// route on its listener does not set (lost by inheritance, N001/X001),
	// tcp mode, where HAProxy sets no header at all (H007), or a value the
	// app's comparison never accepts on the route valid clients use (X002
	// at medium: nginx's SUCCESS against == "0", HAProxy's 0 against
	// == "SUCCESS"); or every request redirected to itself because that
	// route does not set the scheme header the app trusts (X003).
	// C006: a header_up delete removes the identity header its block
	// sets, so valid clients arrive without it.
	ValidCert: {"N001:lockout", "X001:lockout", "H007", "X002:sev=medium,primary", "X003:loop", "C006"},
	// A certificate from another CA is accepted and its subject
	// forwarded: N004 optional_no_ca, X002 the app takes that DN as the
	// identity, H004 ignore-err that breaks the chain of trust.
	// A002 httpd's optional_no_ca, C001 Caddy's request / require modes.
	// N002 at high: a server that verifies nothing shares its port with
	// one that asks for certificates, so a client handshaking with that
	// server's name (SNI) and asking for this one (Host) arrives with the
	// subject of a certificate nobody here verified.
	UntrustedCert: {"N004", "N002:sev=high", "X002:sev=critical,verify=optional_no_ca", "H004", "A002", "C001"},
	// The client's own copy of an identity header reaches the app: lost by
	// inheritance (N001), set from client data (N005), not set on another
	// route to the same upstream (N006, H011), appended to (H001), set
	// only under a condition (H002), tcp mode (H007); X001 is the
	// cross-file finding for all of them.
	// A005-A007 and C004-C005 are the same mechanisms in httpd and Caddy.
	SpoofDash: {"N001:identity", "N005:identity", "N006:identity", "X001:identity",
		"H001:identity", "H002:identity", "H007", "H011:identity",
		"A005:identity", "A006:identity", "A007:identity", "C004:identity", "C005:identity"},
	// The underscore spelling of an identity header reaches gunicorn,
	// which maps it like the dash one: N007 underscores_in_headers on /
	// ignore_invalid_headers off, H010 del-header by exact name, X005 the
	// cross-file finding. Where the route does not even overwrite the dash
	// spelling (HAProxy add-header, a conditional set), X001/H001/H002 name
	// the client's copy reaching the app; on a route that admits "_" in
	// front of such an app server that copy may be spelt either way.
	// A008 and C009: httpd and Caddy forward the underscore spellings
	// by default (withdrawn by X005 where the app server drops them).
	SpoofUnderscore: {"N007", "H010", "X005", "X001:identity,underscore", "H001:identity,underscore", "H002:identity,underscore",
		"A008:underscore", "C009:underscore"},
	// The same mechanisms for X-Forwarded-Proto; H008 set only
	// if { ssl_fc } on a frontend with a plain-HTTP bind; X003 the
	// cross-file finding (high: a route where the client claims a scheme;
	// X003 at medium is the TLS route that sends no scheme header, a
	// lock-out, not a way in).
	// C007: trusted_proxies that admit clients keep their
	// X-Forwarded-Proto.
	ForwardedProto: {"N001:scheme", "N005:scheme", "N006:scheme", "X003:scheme,sev=high", "H001:scheme", "H008", "C007"},
	// The app server listens beyond loopback: G001, and X004 the
	// cross-file finding.
	DirectApp: {"G001", "X004"},
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

// Check is the comparison for one mechanism on one scenario, over every
// attack that exploits it.
type Check struct {
	Mechanism Mechanism
	Verdict   Verdict   // breached if an attack breached, else broken if one broke, held if every attack held
	Findings  []Finding // the scenario's findings with one of the mechanism's codes
	Status    CheckStatus
}

// Compare checks a scenario's runtime outcomes against its findings, per
// mechanism: a finding describes a way in, which any attack of that
// mechanism may exploit. primary is the port of the listener valid
// clients use (0 if none); ran is false when the static side did not run.
func Compare(outcomes []Outcome, findings []Finding, primary int, ran bool) []Check {
	var out []Check
	for _, at := range Mechanisms {
		c := Check{Mechanism: at.Mechanism, Verdict: NotApplicable}
		for _, o := range outcomes {
			if o.Mechanism != at.Mechanism {
				continue
			}
			// A breach one attack proved stands whatever a harness
			// failure left unknown about another; a failure leaves the
			// mechanism unknown only where nothing breached it.
			switch {
			case o.Verdict == Breached || c.Verdict == Breached:
				c.Verdict = Breached
			case o.Verdict == Broken || c.Verdict == Broken:
				c.Verdict = Broken
			case o.Verdict == Held:
				c.Verdict = Held
			}
		}
		for _, f := range findings {
			if matches(AttackCodes[at.Mechanism], f, primary) {
				c.Findings = append(c.Findings, f)
			}
		}
		switch {
		case !ran || c.Verdict == Broken:
			c.Status = Unchecked
		case c.Verdict == Breached:
			c.Status = Missed
			for _, f := range c.Findings {
				if f.Severity >= at.MinSeverity {
					c.Status = Agree
				}
			}
		case c.Verdict == Held && len(c.Findings) > 0:
			c.Status = Refuted
		default:
			c.Status = Agree
		}
		out = append(out, c)
	}
	return out
}

// Covers reports whether a finding describes the mechanism of an attack
// (AttackCodes) at the severity the attack needs. primary is the port of
// the listener valid clients use.
func Covers(id Mechanism, f Finding, primary int) bool {
	at, ok := InfoOf(id)
	return ok && f.Severity >= at.MinSeverity && matches(AttackCodes[id], f, primary)
}

// MechanismsOf returns the mechanisms a finding describes
// (AttackCodes), whatever its severity. primary is the port of the
// listener valid clients use (0 when unknown: the entries that need it do
// not match).
func MechanismsOf(f Finding, primary int) []Mechanism {
	var out []Mechanism
	for _, at := range Mechanisms {
		if matches(AttackCodes[at.Mechanism], f, primary) {
			out = append(out, at.Mechanism)
		}
	}
	return out
}

// matches reports whether a finding has one of the entries' codes and
// meets that entry's conditions. primary is the port of the listener valid
// clients use.
func matches(entries []string, f Finding, primary int) bool {
	for _, e := range entries {
		code, conds, _ := strings.Cut(e, ":")
		if code != f.Code {
			continue
		}
		ok := true
		for _, c := range strings.Split(conds, ",") {
			if c != "" && !condition(c, f, primary) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// conditions are the names an AttackCodes entry may use after the colon.
var conditions = []string{"identity", "scheme", "lockout", "verify=", "primary", "underscore", "loop", "sev="}

func condition(c string, f Finding, primary int) bool {
	switch {
	case c == "identity":
		return f.Header != "" && rules.IsIdentityHeader(f.Header)
	case c == "scheme":
		return f.Header != "" && rules.IsSchemeHeader(f.Header) && !rules.IsIdentityHeader(f.Header)
	case c == "lockout":
		return f.Header != "" && rules.IsIdentityHeader(f.Header) && f.Route != nil && f.Route.TLS && !f.Route.EnvFirst &&
			f.Route.Port == primary && (f.Route.Action == rules.Passthrough.String() || f.Route.Action == rules.Blanked.String())
	case strings.HasPrefix(c, "verify="):
		return f.Route != nil && f.Route.Verify == strings.TrimPrefix(c, "verify=")
	case c == "primary":
		return f.Route != nil && f.Route.TLS && f.Route.Port == primary
	case c == "loop":
		return f.Header != "" && rules.IsSchemeHeader(f.Header) && f.Route != nil && f.Route.TLS &&
			f.Route.Port == primary && f.Route.Action == rules.Passthrough.String() && f.Route.Redirects
	case c == "underscore":
		return f.Header != "" && f.Route != nil && f.Route.Underscore
	case strings.HasPrefix(c, "sev="):
		return f.Severity.String() == strings.TrimPrefix(c, "sev=")
	}
	return false
}

// Describe renders the static column of one check.
func (c Check) Describe() string {
	at, _ := InfoOf(c.Mechanism)
	fs := describeFindings(c.Findings)
	switch c.Status {
	case Missed:
		msg := fmt.Sprintf("MISSED: no %s+ finding among %s", at.MinSeverity, codesOrNone(c.Mechanism))
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

func codesOrNone(id Mechanism) string {
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

// Unmapped returns the findings that no attack's entry matches: rules
// outside the runtime check.
func Unmapped(findings []Finding, primary int) []Finding {
	var out []Finding
	for _, f := range findings {
		mapped := false
		for _, entries := range AttackCodes {
			mapped = mapped || matches(entries, f, primary)
		}
		if !mapped {
			out = append(out, f)
		}
	}
	return out
}
