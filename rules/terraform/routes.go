package terraform

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
	tf "github.com/mtlslint/mtlslint/parsers/terraform"
	"github.com/mtlslint/mtlslint/rules"
)

// Routes is the Terraform route builder: the ALB listeners of a module as
// routes, one per listener and target group that a default action or a
// listener rule forwards to.
var Routes = rules.NewRouteBuilder("terraform-routes", requiresALB, func(p *rules.Pass) []*rules.Route {
	m, ok := p.Tree.(*tf.Module)
	if !ok {
		return nil
	}
	var out []*rules.Route
	_, ls := albOf(p, m)
	for _, l := range ls {
		out = append(out, routesOf(l)...)
	}
	return out
})

// routeIDPrefix is the part of a route ID that names its listener.
func routeIDPrefix(l *listener) string { return "alb:" + l.ID + "|" }

// routesOf builds a listener's routes.
func routesOf(l *listener) []*rules.Route {
	if l.L4 {
		return nil
	}
	headers := listenerHeaders(l)
	admits, _ := l.LB.admitsUnderscore()
	var out []*rules.Route
	seen := map[string]bool{}
	for _, t := range l.Targets {
		group := t.Group
		if group == "" {
			group = "(not known statically)"
		}
		id := routeIDPrefix(l) + t.Via + "|" + group
		if seen[id] {
			continue
		}
		seen[id] = true
		r := &rules.Route{
			ID:    id,
			Proxy: "alb",
			Desc:  fmt.Sprintf("%s, %s → target group %s", l.describe(), t.Via, group),
			Hosts: t.Hosts,
			Path:  strings.Join(t.Paths, " "),
			Listener: rules.Listener{
				Endpoint:    rules.Endpoint{Port: l.Port},
				TLS:         l.Protocol == "HTTPS",
				Verify:      l.verify(),
				CA:          l.TrustArn,
				Range:       l.HeaderRng,
				VerifyRange: l.modeRange(),
			},
			Upstream:         rules.Upstream{Name: group, Range: t.Range, Workloads: ecsWorkloads(l, t.Group)},
			Headers:          headers,
			Default:          rules.Passthrough,
			AdmitsUnderscore: admits,
			Range:            l.HeaderRng,
			SetHint:          setHint,
		}
		out = append(out, r)
	}
	return out
}

// setHint says how a route gets a header the app can trust, in the ALB's
// terms: the ALB sets only its own X-Amzn-Mtls-* headers (from a verified
// certificate in verify mode) and forwards every other request header as
// the client sent it.
func setHint(header string, _ rules.Fact) string {
	if IsALBMTLSHeader(header) {
		return "set `mutual_authentication { mode = \"verify\" }` on the listener, so that the ALB sets it from a verified certificate"
	}
	return fmt.Sprintf("the ALB forwards a client's %s as sent: have the app read the X-Amzn-Mtls-Clientcert-* headers of a listener with `mutual_authentication { mode = \"verify\" }`", rules.DisplayHeader(header))
}

// albFacts are what the ALB's mutual-TLS headers carry.
var albFacts = map[string]rules.Fact{
	hdrClientCert: rules.FactCert, hdrLeaf: rules.FactCert, hdrSubject: rules.FactSubjectDN,
	hdrIssuer: rules.FactIssuerDN, hdrSerialNumber: rules.FactSerial,
}

// listenerHeaders is how a listener treats the headers it is known to
// touch: the mutual-TLS headers by mode, and the X-Forwarded-* headers the
// ALB adds. Every other header passes through.
func listenerHeaders(l *listener) map[string]rules.HeaderTreatment {
	hs := map[string]rules.HeaderTreatment{}
	set := func(name string, a rules.HeaderAction, value, note string, rng source.Range) {
		hs[strings.ToLower(name)] = rules.HeaderTreatment{Name: name, Action: a, Value: value, Note: note, Range: rng}
	}
	// The names the ALB sends under: the standard ones, or the renamed.
	sendAs := map[string]string{}
	renameUnknown := map[string]bool{}
	for attr, h := range renameAttrs {
		sendAs[h] = h
		if v, ok := l.Renamed[attr]; ok {
			if s, known := v.Str(); known && s != "" {
				sendAs[h] = strings.ToLower(s)
			} else {
				renameUnknown[h] = true
			}
		}
	}
	mode := l.Mode
	if l.Protocol == "HTTP" {
		mode = modeOff
	}
	mtlsHeaders(hs, mode, sendAs, renameUnknown, l.modeRange(), unconfirmedStrip)
	// X-Forwarded-For follows the load balancer's xff_header_processing_mode
	// (append by default).
	var xff rules.HeaderTreatment
	switch {
	case l.LB == nil:
		xff = rules.HeaderTreatment{Name: "X-Forwarded-For", Action: rules.Unknown, Note: "the load balancer is not declared in this module"}
	case l.LB.HasXFF && !l.LB.XFF.IsNull():
		s, known := l.LB.XFF.Str()
		xff = ALBForwardedFor(s, known, "xff_header_processing_mode")
	default:
		xff = ALBForwardedFor("append", true, "xff_header_processing_mode")
	}
	hs["x-forwarded-for"] = xff
	for _, h := range []string{"X-Forwarded-Proto", "X-Forwarded-Port"} {
		set(h, rules.Unknown, "", ALBForwardedNote, source.Range{})
	}
	return hs
}

// mtlsHeaders adds to hs how a listener in mode treats the ALB's
// mutual-TLS headers: sendAs maps each header to the name the ALB sends
// it under, renameUnknown the headers renamed to a name not known
// statically.
func mtlsHeaders(hs map[string]rules.HeaderTreatment, mode string, sendAs map[string]string, renameUnknown map[string]bool, modeRange source.Range, stripNote string) {
	set := func(name string, a rules.HeaderAction, value, note string, rng source.Range) {
		hs[strings.ToLower(name)] = rules.HeaderTreatment{Name: name, Action: a, Value: value, Note: note, Range: rng}
	}
	passthrough := func(name string) {
		set(name, rules.Unknown, "", stripNote, source.Range{})
	}
	name := func(h string) string {
		if n, ok := sendAs[h]; ok {
			return n
		}
		return h
	}
	all := append([]string{hdrClientCert}, verifyHeaders...)
	for _, h := range all {
		switch {
		case mode == modeUnknown:
			set(h, rules.Unknown, "", "the listener's mutual-TLS mode is not known statically", modeRange)
		case mode == modePassthrough && h == hdrClientCert:
			set(name(h), rules.SetTLS, "client certificate chain (URL-encoded PEM)",
				"passthrough mode: the chain the client presented, NOT verified by the ALB", modeRange)
		case mode == modeVerify && h != hdrClientCert:
			set(name(h), rules.SetTLS, "verified client certificate", "verify mode: only for a certificate that chains to the trust store", modeRange)
		default:
			passthrough(h)
		}
		if t, ok := hs[name(h)]; ok && t.Action == rules.SetTLS {
			t.Fact = albFacts[h]
			hs[name(h)] = t
		}
		if name(h) != h {
			passthrough(h) // the standard name is no longer the one the ALB sets
		}
		if renameUnknown[h] {
			set(h, rules.Unknown, "", "the listener renames this header to a name not known statically", source.Range{})
		}
	}
}

// ALB listener modes and what they mean, for the other front ends that
// configure an Application Load Balancer (the AWS Load Balancer
// Controller's Ingress annotations): the same facts and wording as the
// Terraform routes.
const (
	ALBModeOff         = modeOff
	ALBModePassthrough = modePassthrough
	ALBModeVerify      = modeVerify
	// ALBUnconfirmedStrip says that AWS does not document whether the ALB
	// removes a client-sent X-Amzn-Mtls-* header.
	ALBUnconfirmedStrip = "AWS does not document whether the ALB removes a client-sent X-Amzn-Mtls-* header"
	// ALBForwardedNote says how the ALB treats X-Forwarded-Proto and
	// X-Forwarded-Port.
	ALBForwardedNote = "the ALB adds it; whether it replaces a client-sent copy is not documented"
)

// ALBMTLSHeaders is how an ALB listener with the given protocol (HTTP or
// HTTPS) and mutual-TLS mode (off, passthrough, verify; "" when not known)
// treats the X-Amzn-Mtls-* headers, under their standard names; reporter
// names the rule that reports an app relying on a header whose treatment
// is unknown.
func ALBMTLSHeaders(protocol, mode string, modeRange source.Range, reporter string) map[string]rules.HeaderTreatment {
	hs := map[string]rules.HeaderTreatment{}
	if protocol == "HTTP" {
		mode = modeOff
	}
	mtlsHeaders(hs, mode, nil, nil, modeRange, ALBUnconfirmedStrip+", so its treatment is unknown ("+reporter+" reports an app that relies on it)")
	return hs
}

// ALBForwardedFor is how an ALB treats X-Forwarded-For under an
// xff header processing mode (append, the default; preserve; remove),
// setting naming where the mode is set; known is false when the mode is
// not known statically.
func ALBForwardedFor(mode string, known bool, setting string) rules.HeaderTreatment {
	h := rules.HeaderTreatment{Name: "X-Forwarded-For"}
	if !known {
		h.Action, h.Note = rules.Unknown, setting+" is not known statically"
		return h
	}
	switch mode {
	case "append":
		h.Action, h.Note = rules.Appended, "the ALB appends the client address ("+setting+" append, the default)"
	case "preserve":
		h.Action, h.Note = rules.Passthrough, setting+" preserve: the client's header is sent unchanged"
	case "remove":
		h.Action, h.Note = rules.Blanked, setting+" remove"
	default:
		h.Action, h.Note = rules.Unknown, fmt.Sprintf("%s %q is not a mode the ALB knows", setting, mode)
	}
	return h
}

// ALBVerify maps a listener's protocol and mode onto the model's verify
// modes (passthrough is VerifyOptionalNoCA: a certificate is asked for
// and never checked against a CA).
func ALBVerify(protocol, mode string) rules.VerifyMode {
	return (&listener{Protocol: protocol, Mode: mode}).verify()
}

// IsALBMTLSHeader reports whether a header (any spelling) is one of the
// ALB's X-Amzn-Mtls-* headers.
func IsALBMTLSHeader(header string) bool {
	return strings.HasPrefix(rules.HeaderName(header), mtlsHeaderStem)
}
