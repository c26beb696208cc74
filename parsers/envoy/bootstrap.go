package envoy

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Listener is one listener.
type Listener struct {
	Name    string
	Address Address
	Chains  []*FilterChain
	Range   source.Range // the listener's opening line
}

// Address is a socket address (host and port) or a pipe.
type Address struct {
	Host, Port, Pipe string
	Range            source.Range
}

// FilterChain is one filter chain of a listener (the default filter chain
// included).
type FilterChain struct {
	// ServerNames is filter_chain_match.server_names: the SNI values that
	// select the chain (empty: any).
	ServerNames []*cfgnode.Node
	// SourcePrefixRanges is filter_chain_match.source_prefix_ranges: the
	// client addresses that select the chain (empty: any).
	SourcePrefixRanges []string
	TLS                *TLSContext // nil: plain text
	HCM                *HCM        // nil: not an HTTP chain
	Default            bool        // the listener's default_filter_chain
	Range              source.Range
}

// TLSContext is a DownstreamTlsContext.
type TLSContext struct {
	// RequireClientCertificate is require_client_certificate (nil when
	// absent: false).
	RequireClientCertificate *cfgnode.Node
	// Validation is the validation context (nil when none: Envoy then
	// requests no client certificate).
	Validation *Validation
	Range      source.Range // the transport socket or tls_context
}

// Validation is how presented client certificates are validated.
type Validation struct {
	TrustedCA *cfgnode.Node // trusted_ca (its filename, or the inline data)
	// Pinned: verify_certificate_spki or verify_certificate_hash, which
	// accept only the listed certificates.
	Pinned bool
	// SANMatchers are match_typed_subject_alt_names / match_subject_alt_names.
	SANMatchers []*cfgnode.Node
	// AcceptUntrusted is trust_chain_verification: ACCEPT_UNTRUSTED.
	AcceptUntrusted *cfgnode.Node
	// SDS names a validation context fetched through SDS: its CA is not
	// in the file.
	SDS   string
	Range source.Range
}

// HCM is an HTTP connection manager.
type HCM struct {
	// ForwardClientCertDetails is forward_client_cert_details (nil:
	// SANITIZE, the default).
	ForwardClientCertDetails *cfgnode.Node
	// SetCurrentClientCertDetails is set_current_client_cert_details.
	SetCurrentClientCertDetails *cfgnode.Node
	// ForwardClientCertMatcher is forward_client_cert_matcher, which
	// chooses the XFCC handling per request.
	ForwardClientCertMatcher *cfgnode.Node
	UseRemoteAddress         *cfgnode.Node
	// HeadersWithUnderscores is
	// common_http_protocol_options.headers_with_underscores_action (nil:
	// ALLOW, the default).
	HeadersWithUnderscores *cfgnode.Node
	RouteConfig            *RouteConfig // inline route_config
	// RDS names a route configuration fetched through RDS (or scoped
	// routes): not in the file.
	RDS   string
	Range source.Range // the filter's opening line
}

// RouteConfig is a route configuration.
type RouteConfig struct {
	Name         string
	VirtualHosts []*VirtualHost
	Headers      HeaderOps
	// MostSpecificWins is most_specific_header_mutations_wins: route
	// level headers are applied last instead of first.
	MostSpecificWins bool
	Range            source.Range
}

// VirtualHost is one virtual host.
type VirtualHost struct {
	Name    string
	Domains []string
	// RequireTLS is require_tls (NONE, EXTERNAL_ONLY, ALL; "" when
	// absent): Envoy redirects plain requests to https.
	RequireTLS *cfgnode.Node
	Routes     []*Route
	Headers    HeaderOps
	Range      source.Range
}

// Route is one route of a virtual host.
type Route struct {
	// Match describes the match ("prefix /api/", "path /x", "regex …").
	Match string
	// PathKind and PathValue are the path match: "prefix", "path",
	// "path_separated_prefix", "safe_regex" ("" when none: any path).
	PathKind, PathValue string
	// CaseSensitive is match.case_sensitive (default true).
	CaseSensitive bool
	// HeaderMatches are match.headers: every one must match.
	HeaderMatches []*HeaderMatch
	// QueryParameters counts match.query_parameters.
	QueryParameters int
	// TLSPresented and TLSValidated are match.tls_context.presented and
	// .validated (nil when not tested).
	TLSPresented, TLSValidated *bool
	// Other names a match field whose effect is not read (runtime_fraction,
	// grpc, dynamic_metadata, filter_state, path_match_policy).
	Other []string
	// Cluster is the cluster the route sends to ("" when it does not:
	// a redirect, a direct response, a cluster chosen by a header).
	Cluster      string
	ClusterRange source.Range
	// Terminal says why a route sends nothing upstream ("redirect",
	// "direct_response"), or how its cluster is chosen when not by name
	// ("cluster_header").
	Terminal string
	Headers  HeaderOps
	Range    source.Range
}

// HeaderMatch is one entry of a route's match.headers.
type HeaderMatch struct {
	Name string
	// Kind is how the value is matched: "exact", "prefix", "suffix",
	// "contains", "safe_regex", "present", "range" (as written, or through
	// string_match), and Value the pattern.
	Kind, Value string
	Invert      bool
	// Absent is present_match false: the header must be absent.
	Absent bool
	Range  source.Range
}

// HeaderOps are the request headers one level adds and removes.
type HeaderOps struct {
	Add    []*HeaderAdd
	Remove []*cfgnode.Node
}

// HeaderAdd is one entry of request_headers_to_add.
type HeaderAdd struct {
	Name, Value *cfgnode.Node
	// AppendAction is append_action (nil: APPEND_IF_EXISTS_OR_ADD), and
	// Append the deprecated append flag (nil: true).
	AppendAction, Append *cfgnode.Node
	KeepEmptyValue       bool
	Range                source.Range
}

// Action is the append action in effect, as Envoy's header parser
// resolves append and append_action.
func (h *HeaderAdd) Action() string {
	if h.Append != nil {
		if v, ok := h.Append.Bool(); ok && !v {
			return "OVERWRITE_IF_EXISTS_OR_ADD"
		}
		return "APPEND_IF_EXISTS_OR_ADD"
	}
	if e := Enum(h.AppendAction); e != "" {
		return e
	}
	return "APPEND_IF_EXISTS_OR_ADD"
}

// Cluster is one upstream cluster.
type Cluster struct {
	Name      string
	Endpoints []Address
	Range     source.Range
}

// Enum is an enum field's value in upper case: Envoy's loader accepts
// enum names in any case ("sanitize_set").
func Enum(n *cfgnode.Node) string { return strings.ToUpper(strings.TrimSpace(n.Text())) }

// decoder reads the documented fields of each message and reports the
// fields and enum values Envoy would reject.
type decoder struct {
	f     *source.File
	probs []source.Problem
}

func (d *decoder) problem(r source.Range, format string, args ...any) {
	d.probs = append(d.probs, source.Problem{Kind: source.ProblemNotAnalysed, Range: r, Message: fmt.Sprintf(format, args...)})
}

// field returns a message field by its proto name or its JSON (lower
// camel case) name, as Envoy's loader accepts both.
func field(n *cfgnode.Node, name string) *cfgnode.Node {
	if v := n.Get(name); v != nil {
		return v
	}
	if c := camel(name); c != name {
		return n.Get(c)
	}
	return nil
}

func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

func (d *decoder) bootstrap(t *File, root *cfgnode.Node) {
	if sr := field(root, "static_resources"); sr != nil {
		for _, l := range field(sr, "listeners").List() {
			t.Listeners = append(t.Listeners, d.listener(l))
		}
		for _, c := range field(sr, "clusters").List() {
			t.Clusters = append(t.Clusters, d.cluster(c))
		}
	}
	// An xDS resource file (LDS/CDS through the file system), its
	// resources bare or wrapped in a Resource (name, resource).
	for _, res := range field(root, "resources").List() {
		if inner := field(res, "resource"); inner.IsSet() && field(res, "@type") == nil {
			res = inner
		}
		typ := res.Get("@type").Text()
		switch {
		case strings.HasSuffix(typ, ".Listener"):
			t.Listeners = append(t.Listeners, d.listener(res))
		case strings.HasSuffix(typ, ".Cluster"):
			t.Clusters = append(t.Clusters, d.cluster(res))
		}
	}
	// A bare list of listeners (a control plane's dump of its LDS output).
	if root.Kind == cfgnode.List {
		for _, l := range root.Items {
			if field(l, "filter_chains").IsSet() && field(l, "address").IsSet() {
				t.Listeners = append(t.Listeners, d.listener(l))
			}
		}
	}
}

func (d *decoder) listener(n *cfgnode.Node) *Listener {
	l := &Listener{Name: field(n, "name").Text(), Range: n.Opening(), Address: address(field(n, "address"))}
	for _, c := range field(n, "filter_chains").List() {
		l.Chains = append(l.Chains, d.chain(c, false))
	}
	if c := field(n, "default_filter_chain"); c.IsSet() {
		l.Chains = append(l.Chains, d.chain(c, true))
	}
	return l
}

// address reads an Address message: socket_address or pipe.
func address(n *cfgnode.Node) Address {
	a := Address{Range: n.Line()}
	if sa := field(n, "socket_address"); sa != nil {
		a.Host = field(sa, "address").Text()
		a.Port = field(sa, "port_value").Text()
		if a.Port == "" {
			a.Port = field(sa, "named_port").Text()
		}
		a.Range = sa.Line()
	}
	if p := field(n, "pipe"); p != nil {
		a.Pipe = field(p, "path").Text()
	}
	return a
}

func (d *decoder) chain(n *cfgnode.Node, def bool) *FilterChain {
	c := &FilterChain{Default: def, Range: n.Opening()}
	if m := field(n, "filter_chain_match"); m != nil {
		c.ServerNames = field(m, "server_names").List()
		for _, r := range field(m, "source_prefix_ranges").List() {
			p := field(r, "address_prefix").Text()
			if l := field(r, "prefix_len").Text(); l != "" {
				p += "/" + l
			}
			c.SourcePrefixRanges = append(c.SourcePrefixRanges, p)
		}
	}
	if ts := field(n, "transport_socket"); ts.IsSet() {
		if cfg := typedConfig(ts); cfg != nil && (strings.HasSuffix(cfg.Get("@type").Text(), "DownstreamTlsContext") || strings.Contains(field(ts, "name").Text(), "tls")) {
			c.TLS = d.tlsContext(cfg, ts.Opening())
		}
	} else if tc := field(n, "tls_context"); tc.IsSet() {
		c.TLS = d.tlsContext(tc, tc.Opening()) // v2
	}
	for _, flt := range field(n, "filters").List() {
		name := field(flt, "name").Text()
		cfg := typedConfig(flt)
		typ := cfg.Get("@type").Text()
		if strings.HasSuffix(typ, ".HttpConnectionManager") || name == "envoy.filters.network.http_connection_manager" || name == "envoy.http_connection_manager" {
			c.HCM = d.hcm(cfg, flt.Opening())
		}
	}
	return c
}

// typedConfig returns a filter's or socket's typed_config (or the v2
// config).
func typedConfig(n *cfgnode.Node) *cfgnode.Node {
	if c := field(n, "typed_config"); c != nil {
		return c
	}
	return field(n, "config")
}

func (d *decoder) tlsContext(n *cfgnode.Node, at source.Range) *TLSContext {
	d.known(n, "DownstreamTlsContext", downstreamTLSFields)
	t := &TLSContext{RequireClientCertificate: field(n, "require_client_certificate"), Range: at}
	ctx := field(n, "common_tls_context")
	d.known(ctx, "CommonTlsContext", commonTLSFields)
	switch {
	case field(ctx, "validation_context").IsSet():
		t.Validation = d.validation(field(ctx, "validation_context"))
	case field(ctx, "validation_context_sds_secret_config").IsSet():
		s := field(ctx, "validation_context_sds_secret_config")
		t.Validation = &Validation{SDS: field(s, "name").Text(), Range: s.Line()}
	case field(ctx, "combined_validation_context").IsSet():
		cv := field(ctx, "combined_validation_context")
		t.Validation = d.validation(field(cv, "default_validation_context"))
		t.Validation.Range = cv.Line()
		if s := field(cv, "validation_context_sds_secret_config"); s.IsSet() {
			t.Validation.SDS = field(s, "name").Text()
		}
	}
	return t
}

func (d *decoder) validation(n *cfgnode.Node) *Validation {
	d.known(n, "CertificateValidationContext", validationFields)
	v := &Validation{Range: n.Opening()}
	if ca := field(n, "trusted_ca"); ca.IsSet() {
		v.TrustedCA = ca
		for _, k := range []string{"filename", "inline_string", "inline_bytes", "environment_variable"} {
			if x := field(ca, k); x.IsSet() {
				v.TrustedCA = x
				break
			}
		}
	}
	v.Pinned = len(field(n, "verify_certificate_spki").List()) > 0 || len(field(n, "verify_certificate_hash").List()) > 0
	v.SANMatchers = append(field(n, "match_typed_subject_alt_names").List(), field(n, "match_subject_alt_names").List()...)
	if tc := field(n, "trust_chain_verification"); Enum(tc) == "ACCEPT_UNTRUSTED" {
		v.AcceptUntrusted = tc
	}
	return v
}

func (d *decoder) hcm(n *cfgnode.Node, at source.Range) *HCM {
	d.known(n, "HttpConnectionManager", hcmFields)
	h := &HCM{
		ForwardClientCertDetails:    field(n, "forward_client_cert_details"),
		SetCurrentClientCertDetails: field(n, "set_current_client_cert_details"),
		ForwardClientCertMatcher:    field(n, "forward_client_cert_matcher"),
		UseRemoteAddress:            field(n, "use_remote_address"),
		Range:                       at,
	}
	if v := h.ForwardClientCertDetails; v.IsSet() && !forwardModes[Enum(v)] {
		d.problem(v.Line(), "forward_client_cert_details %q is not one of Envoy's values (SANITIZE, FORWARD_ONLY, APPEND_FORWARD, SANITIZE_SET, ALWAYS_FORWARD_ONLY): Envoy rejects the configuration, and its XFCC handling was not analysed", v.Text())
		h.ForwardClientCertDetails = nil
	}
	d.known(h.SetCurrentClientCertDetails, "SetCurrentClientCertDetails", setCurrentFields)
	if po := field(n, "common_http_protocol_options"); po != nil {
		h.HeadersWithUnderscores = field(po, "headers_with_underscores_action")
	}
	if rc := field(n, "route_config"); rc.IsSet() {
		h.RouteConfig = d.routeConfig(rc)
	}
	if rds := field(n, "rds"); rds.IsSet() {
		h.RDS = field(rds, "route_config_name").Text()
		if h.RDS == "" {
			h.RDS = "(RDS)"
		}
	} else if sr := field(n, "scoped_routes"); sr.IsSet() {
		h.RDS = "(scoped routes)"
	}
	return h
}

var forwardModes = map[string]bool{"SANITIZE": true, "FORWARD_ONLY": true, "APPEND_FORWARD": true, "SANITIZE_SET": true, "ALWAYS_FORWARD_ONLY": true}

func (d *decoder) routeConfig(n *cfgnode.Node) *RouteConfig {
	rc := &RouteConfig{Name: field(n, "name").Text(), Range: n.Opening(), Headers: d.headerOps(n)}
	rc.MostSpecificWins, _ = field(n, "most_specific_header_mutations_wins").Bool()
	for _, vh := range field(n, "virtual_hosts").List() {
		v := &VirtualHost{Name: field(vh, "name").Text(), Range: vh.Opening(), Headers: d.headerOps(vh), RequireTLS: field(vh, "require_tls")}
		for _, dom := range field(vh, "domains").List() {
			v.Domains = append(v.Domains, dom.Text())
		}
		for _, r := range field(vh, "routes").List() {
			v.Routes = append(v.Routes, d.route(r))
		}
		rc.VirtualHosts = append(rc.VirtualHosts, v)
	}
	return rc
}

func (d *decoder) route(n *cfgnode.Node) *Route {
	r := &Route{Range: n.Opening(), Headers: d.headerOps(n)}
	m := field(n, "match")
	for _, k := range []string{"prefix", "path", "path_separated_prefix"} {
		if v := field(m, k); v.IsSet() {
			r.Match = k + " " + v.Text()
		}
	}
	if re := field(m, "safe_regex"); re.IsSet() {
		r.Match = "regex " + field(re, "regex").Text()
	}
	if r.Match == "" {
		r.Match = "any path"
	}
	d.routeMatch(r, m)
	switch {
	case field(n, "route").IsSet():
		ra := field(n, "route")
		if c := field(ra, "cluster"); c.IsSet() {
			r.Cluster, r.ClusterRange = c.Text(), c.Line()
		} else if wc := field(ra, "weighted_clusters"); wc.IsSet() {
			// The first cluster stands for the route; the builder reads
			// all of them through Clusters.
			for _, c := range field(wc, "clusters").List() {
				if r.Cluster == "" {
					r.Cluster, r.ClusterRange = field(c, "name").Text(), field(c, "name").Line()
				}
			}
		} else {
			r.Terminal = "cluster_header"
		}
	case field(n, "redirect").IsSet():
		r.Terminal = "redirect"
	case field(n, "direct_response").IsSet():
		r.Terminal = "direct_response"
	default:
		r.Terminal = "no action"
	}
	return r
}

// routeMatch reads the parts of a route's match the request classes
// follow.
func (d *decoder) routeMatch(r *Route, m *cfgnode.Node) {
	r.CaseSensitive = true
	if v, ok := field(m, "case_sensitive").Bool(); ok {
		r.CaseSensitive = v
	}
	for _, k := range []string{"prefix", "path", "path_separated_prefix"} {
		if v := field(m, k); v.IsSet() {
			r.PathKind, r.PathValue = k, v.Text()
		}
	}
	if re := field(m, "safe_regex"); re.IsSet() {
		r.PathKind, r.PathValue = "safe_regex", field(re, "regex").Text()
	}
	for _, h := range field(m, "headers").List() {
		hm := &HeaderMatch{Name: strings.ToLower(field(h, "name").Text()), Range: h.Opening()}
		hm.Invert, _ = field(h, "invert_match").Bool()
		switch {
		case field(h, "string_match").IsSet():
			sm := field(h, "string_match")
			for _, k := range []string{"exact", "prefix", "suffix", "contains"} {
				if v := field(sm, k); v.IsSet() {
					hm.Kind, hm.Value = k, v.Text()
				}
			}
			if re := field(sm, "safe_regex"); re.IsSet() {
				hm.Kind, hm.Value = "safe_regex", field(re, "regex").Text()
			}
		case field(h, "present_match").IsSet():
			hm.Kind = "present"
			if v, ok := field(h, "present_match").Bool(); ok && !v {
				hm.Absent = true
			}
		case field(h, "safe_regex_match").IsSet():
			hm.Kind, hm.Value = "safe_regex", field(field(h, "safe_regex_match"), "regex").Text()
		case field(h, "range_match").IsSet():
			hm.Kind = "range"
		default:
			for _, k := range []string{"exact_match", "prefix_match", "suffix_match", "contains_match"} {
				if v := field(h, k); v.IsSet() {
					hm.Kind, hm.Value = strings.TrimSuffix(k, "_match"), v.Text()
				}
			}
			if hm.Kind == "" {
				hm.Kind = "present" // no matcher: the header is present
			}
		}
		r.HeaderMatches = append(r.HeaderMatches, hm)
	}
	r.QueryParameters = len(field(m, "query_parameters").List())
	if tc := field(m, "tls_context"); tc.IsSet() {
		if v, ok := field(tc, "presented").Bool(); ok {
			r.TLSPresented = &v
		}
		if v, ok := field(tc, "validated").Bool(); ok {
			r.TLSValidated = &v
		}
	}
	for _, k := range []string{"runtime_fraction", "grpc", "dynamic_metadata", "filter_state", "path_match_policy", "cel_matcher"} {
		if field(m, k).IsSet() {
			r.Other = append(r.Other, k)
		}
	}
}

func (d *decoder) headerOps(n *cfgnode.Node) HeaderOps {
	var ops HeaderOps
	for _, h := range field(n, "request_headers_to_add").List() {
		d.known(h, "HeaderValueOption", headerOptionFields)
		hv := field(h, "header")
		d.known(hv, "HeaderValue", headerValueFields)
		a := &HeaderAdd{Name: field(hv, "key"), Value: field(hv, "value"), AppendAction: field(h, "append_action"), Append: field(h, "append"), Range: h.Opening()}
		if a.Value == nil {
			a.Value = field(hv, "raw_value")
		}
		a.KeepEmptyValue, _ = field(h, "keep_empty_value").Bool()
		if a.Name.Text() == "" {
			continue
		}
		ops.Add = append(ops.Add, a)
	}
	ops.Remove = field(n, "request_headers_to_remove").List()
	return ops
}

func (d *decoder) cluster(n *cfgnode.Node) *Cluster {
	c := &Cluster{Name: field(n, "name").Text(), Range: n.Opening()}
	for _, e := range field(field(n, "load_assignment"), "endpoints").List() {
		for _, lb := range field(e, "lb_endpoints").List() {
			if a := address(field(field(lb, "endpoint"), "address")); a.Host != "" || a.Pipe != "" {
				c.Endpoints = append(c.Endpoints, a)
			}
		}
	}
	for _, h := range field(n, "hosts").List() { // v2
		if a := address(h); a.Host != "" || a.Pipe != "" {
			c.Endpoints = append(c.Endpoints, a)
		}
	}
	return c
}

// known reports the fields of a message that its proto does not define:
// Envoy refuses to load such a configuration, so the setting a typo meant
// to make is not in effect either.
func (d *decoder) known(n *cfgnode.Node, message string, fields map[string]bool) {
	if n == nil || n.Kind != cfgnode.Map {
		return
	}
	for _, f := range n.Fields {
		if f.Key == "@type" || fields[f.Key] || fields[snake(f.Key)] {
			continue
		}
		d.problem(f.KeyRange, "%s has no field %q: Envoy rejects the configuration; the setting was not analysed", message, f.Key)
	}
}

// snake converts a JSON (lower camel case) field name to its proto name.
func snake(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
