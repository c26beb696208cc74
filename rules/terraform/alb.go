package terraform

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/mtlslint/mtlslint/parsers/source"
	tf "github.com/mtlslint/mtlslint/parsers/terraform"
	"github.com/mtlslint/mtlslint/rules"
)

// The AWS Application Load Balancer as Terraform declares it: load
// balancers, listeners with their mutual-TLS mode, and the target groups
// each listener's actions forward to. Listeners come from aws_lb_listener
// resources (and their aws_lb_listener_rule resources) and from the
// `listeners` input of a module call in the shape of
// terraform-aws-modules/alb.

// Mutual-TLS modes of an ALB listener (mutual_authentication.mode).
const (
	modeOff         = "off"
	modePassthrough = "passthrough"
	modeVerify      = "verify"
	modeUnknown     = ""
)

// Headers the ALB sends to targets for mutual TLS (dash form, lower case).
const (
	hdrClientCert   = "x-amzn-mtls-clientcert" // passthrough: the whole chain, unverified
	hdrSerialNumber = "x-amzn-mtls-clientcert-serial-number"
	hdrIssuer       = "x-amzn-mtls-clientcert-issuer"
	hdrSubject      = "x-amzn-mtls-clientcert-subject"
	hdrValidity     = "x-amzn-mtls-clientcert-validity"
	hdrLeaf         = "x-amzn-mtls-clientcert-leaf"
	mtlsHeaderStem  = "x-amzn-mtls-"
)

// verifyHeaders are the headers the ALB sets in verify mode.
var verifyHeaders = []string{hdrSerialNumber, hdrIssuer, hdrSubject, hdrValidity, hdrLeaf}

// renameAttrs maps the listener attributes that rename an mTLS header to
// the header they rename.
var renameAttrs = map[string]string{
	"routing_http_request_x_amzn_mtls_clientcert_header_name":               hdrClientCert,
	"routing_http_request_x_amzn_mtls_clientcert_serial_number_header_name": hdrSerialNumber,
	"routing_http_request_x_amzn_mtls_clientcert_issuer_header_name":        hdrIssuer,
	"routing_http_request_x_amzn_mtls_clientcert_subject_header_name":       hdrSubject,
	"routing_http_request_x_amzn_mtls_clientcert_validity_header_name":      hdrValidity,
	"routing_http_request_x_amzn_mtls_clientcert_leaf_header_name":          hdrLeaf,
}

// unconfirmedStrip is said wherever a route's treatment of a client-sent
// X-Amzn-Mtls-* header rests on the undocumented question.
const unconfirmedStrip = ALBUnconfirmedStrip + ", so its treatment is unknown (T002 reports an app that relies on it)"

// loadBalancer is an aws_lb / aws_alb of type application, or an ALB
// module call.
type loadBalancer struct {
	Addr   string
	Obj    *tf.Object
	Module *tf.Module
	// DropInvalid is drop_invalid_header_fields; Default says what applies
	// when it is not set.
	DropInvalid    tf.Value
	HasDropInvalid bool
	DropDefault    *bool // nil: the default is not known (an unrecognised module)
	XFF            tf.Value
	HasXFF         bool
}

// admitsUnderscore reports whether headers with "_" in their names reach
// the targets, and whether that is known.
func (lb *loadBalancer) admitsUnderscore() (admits, known bool) {
	if lb == nil {
		return false, false
	}
	if lb.HasDropInvalid && !lb.DropInvalid.IsNull() {
		b, ok := lb.DropInvalid.Bool()
		return !b, ok
	}
	if lb.DropDefault != nil {
		return !*lb.DropDefault, true
	}
	return false, false
}

// listener is one ALB listener.
type listener struct {
	ID       string // stable: module dir + address
	Addr     string // aws_lb_listener.front, module.alb.listeners.https
	Module   *tf.Module
	Obj      *tf.Object
	LB       *loadBalancer
	Protocol string // HTTP, HTTPS; "" when unknown
	Port     string
	// Mode is the mutual-TLS mode ("" when unknown); ModeValue the mode
	// attribute when written, MTLS the mutual_authentication object.
	Mode      string
	ModeValue *tf.Value
	MTLS      *tf.Object
	TrustArn  string
	Expiry    *tf.Value // ignore_client_certificate_expiry, when set
	Renamed   map[string]tf.Value
	Targets   []target
	FromCall  bool // declared through a module call's listeners input
	L4        bool // a TLS listener: no HTTP, so no headers and no routes
	CallName  string
	HeaderRng source.Range // anchor: the listener's opening line
}

// modeRange is where the mode is written, or the listener when it is not.
func (l *listener) modeRange() source.Range {
	switch {
	case l.ModeValue != nil:
		return l.ModeValue.Range
	case l.MTLS != nil:
		return l.MTLS.Header
	}
	return l.HeaderRng
}

// verify maps the listener's mode onto the model's verify modes.
// passthrough maps to VerifyOptionalNoCA: a certificate is requested but
// never checked against a CA, so any self-made chain gets through, like
// nginx's optional_no_ca.
func (l *listener) verify() rules.VerifyMode {
	if l.Protocol == "HTTP" {
		return rules.VerifyOff
	}
	switch l.Mode {
	case modeVerify:
		return rules.VerifyRequired
	case modePassthrough:
		return rules.VerifyOptionalNoCA
	case modeOff:
		return rules.VerifyOff
	}
	return rules.VerifyUnknown
}

// target is where one action of a listener (or of one of its rules)
// forwards requests.
type target struct {
	Group string // target group: resource address, literal ARN, module key; "" when unknown
	Range source.Range
	Via   string // "default action", "aws_lb_listener_rule.api", "rule api"
	Hosts []string
	Paths []string
}

var (
	lbTypes       = []string{"aws_lb", "aws_alb"}
	listenerTypes = []string{"aws_lb_listener", "aws_alb_listener"}
	ruleTypes     = []string{"aws_lb_listener_rule", "aws_alb_listener_rule"}
	groupTypes    = map[string]bool{"aws_lb_target_group": true, "aws_alb_target_group": true}
)

// albView is the load balancers and listeners of one module.
type albView struct {
	lbs []*loadBalancer
	ls  []*listener
}

// treeALB extracts the load balancers and listeners of a module, once per
// module and run for every rule and the route builder.
var treeALB = &rules.Analysis{
	Name:  "terraform-alb",
	Doc:   "The ALB load balancers and listeners of a Terraform module (*albView; nil for other trees).",
	Scope: rules.ScopeTree,
	Build: func(p *rules.Pass) any {
		m, ok := p.Tree.(*tf.Module)
		if !ok {
			return (*albView)(nil)
		}
		lbs, ls := extractALB(m)
		return &albView{lbs, ls}
	},
}

// requiresALB is what the ALB rules require.
var requiresALB = []*rules.Analysis{treeALB}

// albOf returns the load balancers and listeners of a module of the
// workspace.
func albOf(p *rules.Pass, m *tf.Module) ([]*loadBalancer, []*listener) {
	v, _ := p.ResultFor(treeALB, m).(*albView)
	if v == nil {
		return nil, nil
	}
	return v.lbs, v.ls
}

// extractALB extracts the load balancers and listeners of a module.
func extractALB(m *tf.Module) (lbs []*loadBalancer, ls []*listener) {
	byAddr := map[string]*loadBalancer{}
	for _, r := range m.ResourcesOf(lbTypes...) {
		if t, ok := r.Attr("load_balancer_type"); ok {
			if s, known := t.Str(); known && s != "application" {
				continue
			}
		}
		lb := &loadBalancer{Addr: r.Address(), Obj: r.Object, Module: m, DropDefault: boolPtr(false)}
		lb.DropInvalid, lb.HasDropInvalid = r.Attr("drop_invalid_header_fields")
		lb.XFF, lb.HasXFF = r.Attr("xff_header_processing_mode")
		byAddr[lb.Addr] = lb
		lbs = append(lbs, lb)
	}
	for _, r := range m.ResourcesOf(listenerTypes...) {
		l := &listener{ID: m.Dir + "/" + r.Address(), Addr: r.Address(), Module: m, Obj: r.Object, HeaderRng: r.Header}
		known := true // the load balancer is an application one, or unknown
		if arn, ok := r.Attr("load_balancer_arn"); ok {
			for _, ref := range arn.Refs() {
				if lb := byAddr[ref.Type+"."+ref.Name]; lb != nil {
					l.LB = lb
				} else if isLB(ref.Type) && m.Resource(ref.Type, ref.Name) != nil {
					known = false // a network or gateway load balancer
				}
			}
		}
		if !known {
			continue
		}
		l.Protocol = "HTTP" // the provider's default for an ALB listener
		if p, ok := r.Attr("protocol"); ok && !p.IsNull() {
			l.Protocol = upperOrUnknown(p)
		}
		l.Port = strOf(r.Object, "port")
		l.readMTLS(r.Object)
		if l.Protocol != "" && l.Protocol != "HTTP" && l.Protocol != "HTTPS" {
			// TCP, TLS, UDP: a network load balancer, which sends no
			// headers; a TLS listener's mutual TLS still matters.
			if l.Protocol != "TLS" || len(r.Objects("mutual_authentication")) == 0 {
				continue
			}
			l.L4 = true
		}
		for attr := range renameAttrs {
			if v, ok := r.Attr(attr); ok && !v.IsNull() {
				if l.Renamed == nil {
					l.Renamed = map[string]tf.Value{}
				}
				l.Renamed[attr] = v
			}
		}
		for _, a := range r.Objects("default_action") {
			l.Targets = append(l.Targets, actionTargets(a, "default action")...)
		}
		ls = append(ls, l)
	}
	byListener := map[string]*listener{}
	for _, l := range ls {
		byListener[l.Addr] = l
	}
	for _, r := range m.ResourcesOf(ruleTypes...) {
		arn, ok := r.Attr("listener_arn")
		if !ok {
			continue
		}
		for _, ref := range arn.Refs() {
			l := byListener[ref.Type+"."+ref.Name]
			if l == nil {
				continue
			}
			hosts, paths := conditions(r.Object)
			for _, a := range r.Objects("action") {
				for _, t := range actionTargets(a, r.Address()) {
					t.Hosts, t.Paths = hosts, paths
					l.Targets = append(l.Targets, t)
				}
			}
		}
	}
	for _, c := range m.Calls {
		mlbs, mls := albModuleCall(m, c)
		lbs = append(lbs, mlbs...)
		ls = append(ls, mls...)
	}
	return lbs, ls
}

func isLB(typ string) bool { return typ == "aws_lb" || typ == "aws_alb" }

func boolPtr(b bool) *bool { return &b }

// readMTLS reads the listener's mutual_authentication. Without it the
// mode is off (the AWS default); a mode that is not set is off too.
func (l *listener) readMTLS(o *tf.Object) {
	mas := o.Objects("mutual_authentication")
	switch {
	case len(mas) == 0:
		l.Mode = modeOff
		return
	case len(mas) > 1 || mas[0].Maybe:
		l.Mode = modeUnknown
		l.MTLS = mas[0]
		return
	}
	ma := mas[0]
	l.MTLS = ma
	l.Mode = modeOff
	if v, ok := ma.Attr("mode"); ok {
		l.ModeValue = &v
		if !v.IsNull() {
			l.Mode = strings.ToLower(strOrUnknown(v))
		}
	}
	if v, ok := ma.Attr("ignore_client_certificate_expiry"); ok {
		l.Expiry = &v
	}
	if v, ok := ma.Attr("trust_store_arn"); ok {
		l.TrustArn = exprText(v)
	}
}

// actionTargets returns the target groups an action forwards to. An
// action whose type is not known, or whose target group is not, forwards
// somewhere unknown; redirect and fixed-response actions forward nowhere.
func actionTargets(a *tf.Object, via string) []target {
	typ := "forward"
	if t, ok := a.Attr("type"); ok && !t.IsNull() {
		typ = strOrUnknown(t)
	} else if len(a.Objects("redirect")) > 0 || len(a.Objects("fixed_response")) > 0 {
		typ = "redirect"
	}
	if a.Maybe {
		return []target{{Range: a.Header, Via: via}}
	}
	switch typ {
	case "forward":
	case "":
		return []target{{Range: a.Header, Via: via}}
	default:
		if len(a.Objects("forward")) == 0 && !hasAttr(a, "target_group_arn") && !hasAttr(a, "target_group_key") {
			return nil
		}
	}
	var out []target
	if v, ok := a.Attr("target_group_arn"); ok && !v.IsNull() {
		out = append(out, target{Group: groupOf(v), Range: v.Range, Via: via})
	}
	for _, fw := range a.Objects("forward") {
		for _, tg := range fw.Objects("target_group") {
			if v, ok := tg.Attr("arn"); ok {
				out = append(out, target{Group: groupOf(v), Range: v.Range, Via: via})
			}
		}
		if v, ok := fw.Attr("target_group_key"); ok {
			out = append(out, target{Group: keyGroup(v), Range: v.Range, Via: via})
		}
		if v, ok := fw.Attr("arn"); ok {
			out = append(out, target{Group: groupOf(v), Range: v.Range, Via: via})
		}
	}
	if v, ok := a.Attr("target_group_key"); ok {
		out = append(out, target{Group: keyGroup(v), Range: v.Range, Via: via})
	}
	for _, wf := range a.Objects("weighted_forward") {
		for _, tg := range wf.Objects("target_groups") {
			if v, ok := tg.Attr("target_group_key"); ok {
				out = append(out, target{Group: keyGroup(v), Range: v.Range, Via: via})
			}
		}
	}
	if len(out) == 0 && typ == "forward" {
		out = append(out, target{Range: a.Header, Via: via})
	}
	return out
}

func hasAttr(o *tf.Object, name string) bool {
	_, ok := o.Attr(name)
	return ok
}

// groupOf names the target group a target_group_arn expression denotes:
// the referenced aws_lb_target_group, or the literal ARN.
func groupOf(v tf.Value) string {
	for _, ref := range v.Refs() {
		if groupTypes[ref.Type] {
			return ref.Type + "." + ref.Name
		}
	}
	if len(v.Refs()) == 0 {
		if s, ok := v.Str(); ok {
			return s
		}
	}
	return ""
}

// keyGroup names a module's target group by its key; the module prefix is
// filled in by the caller's context (groupPrefix).
func keyGroup(v tf.Value) string {
	s, ok := v.Str()
	if !ok {
		return ""
	}
	return keyPrefix + s
}

// keyPrefix marks a module target group key until the call's name is
// known.
const keyPrefix = "\x00key:"

// conditions reads a listener rule's host and path conditions.
func conditions(o *tf.Object) (hosts, paths []string) {
	for _, c := range o.Objects("condition") {
		for _, h := range c.Objects("host_header") {
			hosts = append(hosts, listOf(h, "values")...)
		}
		for _, p := range c.Objects("path_pattern") {
			paths = append(paths, listOf(p, "values")...)
		}
	}
	for _, c := range o.Objects("conditions") {
		for _, h := range c.Objects("host_header") {
			hosts = append(hosts, listOf(h, "values")...)
		}
		for _, p := range c.Objects("path_pattern") {
			paths = append(paths, listOf(p, "values")...)
		}
	}
	return hosts, paths
}

func listOf(o *tf.Object, name string) []string {
	v, ok := o.Attr(name)
	if !ok || !v.Known() || v.V.IsNull() || !v.V.CanIterateElements() {
		return nil
	}
	var out []string
	for it := v.V.ElementIterator(); it.Next(); {
		_, el := it.Element()
		if el.IsKnown() && !el.IsNull() && el.Type() == cty.String {
			out = append(out, el.AsString())
		}
	}
	return out
}

// isALBModuleSource reports whether a module source is
// terraform-aws-modules/alb, whose defaults are then known.
func isALBModuleSource(src string) bool {
	s := strings.ToLower(src)
	return strings.Contains(s, "terraform-aws-modules/alb/aws") || strings.Contains(s, "terraform-aws-alb")
}

// albModuleCall reads the listeners that a module call passes literally
// in a `listeners` input shaped like terraform-aws-modules/alb's.
func albModuleCall(m *tf.Module, c *tf.Call) ([]*loadBalancer, []*listener) {
	lsObjs := c.Objects("listeners")
	registry := isALBModuleSource(c.Source)
	if len(lsObjs) == 0 && !registry {
		return nil, nil
	}
	lb := &loadBalancer{Addr: "module." + c.Name, Obj: c.Object, Module: m}
	lb.DropInvalid, lb.HasDropInvalid = c.Attr("drop_invalid_header_fields")
	lb.XFF, lb.HasXFF = c.Attr("xff_header_processing_mode")
	if registry {
		lb.DropDefault = boolPtr(true) // the module's default
	}
	defaultProtocol := ""
	if registry {
		defaultProtocol = "HTTP"
	}
	if v, ok := c.Attr("default_protocol"); ok {
		defaultProtocol = upperOrUnknown(v)
	}
	prefix := "module." + c.Name + ".target_groups."
	var ls []*listener
	for _, lo := range lsObjs {
		for _, e := range lo.Entries() {
			if !looksLikeListener(e.Object) {
				continue
			}
			addr := "module." + c.Name + ".listeners." + e.Key
			l := &listener{ID: m.Dir + "/" + addr, Addr: addr, Module: m, Obj: e.Object, LB: lb, HeaderRng: e.Header, FromCall: true, CallName: c.Name}
			l.Protocol = defaultProtocol
			if p, ok := e.Attr("protocol"); ok && !p.IsNull() {
				l.Protocol = upperOrUnknown(p)
			}
			if l.Protocol != "" && l.Protocol != "HTTP" && l.Protocol != "HTTPS" {
				continue
			}
			l.Port = strOf(e.Object, "port")
			l.readMTLS(e.Object)
			l.Targets = append(l.Targets, actionTargets(e.Object, "default action")...)
			for _, rs := range e.Objects("rules") {
				for _, re := range rs.Entries() {
					hosts, paths := conditions(re.Object)
					for _, a := range re.Objects("actions") {
						for _, t := range actionTargets(a, "rule "+re.Key) {
							t.Hosts, t.Paths = hosts, paths
							l.Targets = append(l.Targets, t)
						}
					}
				}
			}
			for i := range l.Targets {
				if strings.HasPrefix(l.Targets[i].Group, keyPrefix) {
					l.Targets[i].Group = prefix + strings.TrimPrefix(l.Targets[i].Group, keyPrefix)
				}
			}
			ls = append(ls, l)
		}
	}
	if len(ls) == 0 && !registry {
		return nil, nil
	}
	return []*loadBalancer{lb}, ls
}

// looksLikeListener reports whether a module input entry is a listener
// configuration rather than something else keyed by name.
func looksLikeListener(o *tf.Object) bool {
	for _, n := range o.AttrNames() {
		switch n {
		case "port", "protocol", "mutual_authentication", "forward", "redirect", "fixed_response", "certificate_arn":
			return true
		}
	}
	return false
}

func strOf(o *tf.Object, name string) string {
	v, ok := o.Attr(name)
	if !ok {
		return ""
	}
	s, _ := v.Str()
	return s
}

func strOrUnknown(v tf.Value) string {
	s, _ := v.Str()
	return s
}

func upperOrUnknown(v tf.Value) string { return strings.ToUpper(strOrUnknown(v)) }

// exprText is the value as a short text for messages: the literal, or
// "(not known statically)".
func exprText(v tf.Value) string {
	if s, ok := v.Str(); ok {
		return s
	}
	return "(not known statically)"
}

// describe is a listener as messages name it.
func (l *listener) describe() string {
	var b strings.Builder
	b.WriteString(l.Addr)
	var parts []string
	if l.Protocol != "" {
		parts = append(parts, l.Protocol)
	}
	if l.Port != "" {
		parts = append(parts, ":"+l.Port)
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, " "))
	}
	return b.String()
}

// viaVars says which variable defaults a value rests on, for messages.
func viaVars(v *tf.Value) string {
	if v == nil || len(v.Vars) == 0 {
		return ""
	}
	names := append([]string(nil), v.Vars...)
	sort.Strings(names)
	for i, n := range names {
		names[i] = "var." + n
	}
	return " (from the default of " + strings.Join(names, ", ") + ")"
}
