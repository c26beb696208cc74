package terraform

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/zclconf/go-cty/cty"

	"github.com/mtlslint/mtlslint/parsers/source"
	tf "github.com/mtlslint/mtlslint/parsers/terraform"
	"github.com/mtlslint/mtlslint/rules"
)

// The ECS services behind a target group, as workloads of the routes that
// forward to it: where their container listens, and who besides the load
// balancer can connect to it, from their security groups. A bind to
// 0.0.0.0 in the container is the only way the load balancer reaches the
// task; whether anyone else does is the security groups' to say.

var (
	sgRuleTypes     = []string{"aws_security_group_rule"}
	sgIngressTypes  = []string{"aws_vpc_security_group_ingress_rule"}
	ecsServiceTypes = []string{"aws_ecs_service"}
	openCIDRs       = []string{"0.0.0.0/0", "::/0"}
)

// ecsWorkloads returns the ECS services of the module that register their
// tasks in the target group, as workloads.
func ecsWorkloads(l *listener, group string) []rules.Workload {
	if group == "" || l.Module == nil {
		return nil
	}
	m := l.Module
	var out []rules.Workload
	for _, svc := range m.ResourcesOf(ecsServiceTypes...) {
		for _, lb := range svc.Objects("load_balancer") {
			v, ok := lb.Attr("target_group_arn")
			if !ok || groupOf(v) != group {
				continue
			}
			port := strOf(lb, "container_port")
			w := rules.Workload{Name: svc.Address(), Range: lb.Range}
			if port != "" {
				w.Binds = []rules.Endpoint{{Host: "0.0.0.0", Port: port}}
			}
			w.Reach, w.ReachWhy, w.ReachRange = ecsReach(m, l.LB, svc, port)
			if w.Reach >= rules.ReachNetwork {
				w.ReachVia, w.ReachPort = "security group", port
			}
			out = append(out, w)
		}
	}
	return out
}

// ecsReach reads who can connect to an ECS service's container port: its
// network_configuration's security groups and their ingress rules (inline
// and as separate rule resources). Anything not known (a security group
// given by id, a port range or source from a variable) leaves it unknown.
func ecsReach(m *tf.Module, lb *loadBalancer, svc *tf.Resource, port string) (rules.Reach, string, source.Range) {
	nets := svc.Objects("network_configuration")
	if len(nets) != 1 || nets[0].Maybe || port == "" {
		return rules.ReachUnknown, "", source.Range{}
	}
	net := nets[0]
	sgv, ok := net.Attr("security_groups")
	if !ok {
		return rules.ReachUnknown, "", source.Range{}
	}
	var groups []*tf.Resource
	for _, ref := range sgv.Refs() {
		if g := m.Resource(ref.Type, ref.Name); g != nil && ref.Type == "aws_security_group" {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 || sgv.Known() {
		return rules.ReachUnknown, "", source.Range{} // ids written out: the groups are not in the module
	}
	if !sgv.V.CanIterateElements() || sgv.V.LengthInt() != len(groups) {
		// A group beside the module's ones (an id, a variable, a data
		// source) may admit anyone: its rules are not in the module.
		return rules.ReachUnknown, "", source.Range{}
	}
	public := false
	if v, ok := net.Attr("assign_public_ip"); ok {
		b, known := v.Bool()
		if !known {
			return rules.ReachUnknown, "", source.Range{}
		}
		public = b
	}
	lbGroups := map[string]bool{}
	if lb != nil && lb.Obj != nil {
		if v, ok := lb.Obj.Attr("security_groups"); ok {
			for _, ref := range v.Refs() {
				lbGroups[ref.Type+"."+ref.Name] = true
			}
		}
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return rules.ReachUnknown, "", source.Range{}
	}
	reach := rules.ReachProxyOnly
	why, at := fmt.Sprintf("the security groups of %s admit port %s only from the load balancer's security groups", svc.Address(), port), net.Header
	for _, g := range groups {
		for _, in := range ingressRules(m, g) {
			covers, known := in.covers(p)
			if !known {
				return rules.ReachUnknown, "", source.Range{}
			}
			if !covers {
				continue
			}
			r, what := in.sources(lbGroups)
			if r == rules.ReachUnknown {
				return rules.ReachUnknown, "", source.Range{}
			}
			if r == rules.ReachPublic && !public {
				r = rules.ReachNetwork
			}
			if r > reach {
				reach, at = r, in.obj.Header
				why = fmt.Sprintf("%s admits %s to port %s", g.Address(), what, port)
				if r == rules.ReachPublic {
					why = fmt.Sprintf("%s admits %s to port %s, and the tasks have public addresses (assign_public_ip)", g.Address(), what, port)
				}
			}
		}
	}
	return reach, why, at
}

// ingress is one ingress rule of a security group: an inline `ingress`
// block, or an aws_security_group_rule / aws_vpc_security_group_ingress_rule
// resource that names the group.
type ingress struct {
	obj *tf.Object
	// vpc: an aws_vpc_security_group_ingress_rule, whose attributes are
	// named differently (cidr_ipv4, referenced_security_group_id,
	// ip_protocol).
	vpc bool
}

func ingressRules(m *tf.Module, g *tf.Resource) []ingress {
	var out []ingress
	for _, o := range g.Objects("ingress") {
		out = append(out, ingress{obj: o})
	}
	names := func(o *tf.Object) bool {
		v, ok := o.Attr("security_group_id")
		return ok && slices.Contains(v.Refs(), tf.Ref{Type: g.Type, Name: g.Name})
	}
	for _, r := range m.ResourcesOf(sgRuleTypes...) {
		if t := strOf(r.Object, "type"); t == "ingress" && names(r.Object) {
			out = append(out, ingress{obj: r.Object})
		}
	}
	for _, r := range m.ResourcesOf(sgIngressTypes...) {
		if names(r.Object) {
			out = append(out, ingress{obj: r.Object, vpc: true})
		}
	}
	return out
}

// covers reports whether the rule admits TCP to port p.
func (in ingress) covers(p int) (covers, known bool) {
	proto := "ip_protocol"
	if !in.vpc {
		proto = "protocol"
	}
	if in.obj.Maybe {
		return false, false
	}
	switch strOf(in.obj, proto) {
	case "-1", "all":
		return true, true
	case "tcp", "6", "TCP":
	case "":
		return false, false
	default:
		return false, true // udp, icmp
	}
	from, err1 := strconv.Atoi(strOf(in.obj, "from_port"))
	to, err2 := strconv.Atoi(strOf(in.obj, "to_port"))
	if err1 != nil || err2 != nil {
		return false, false
	}
	return from <= p && p <= to, true
}

// sources reads whom the rule admits: only the load balancer's security
// groups (proxy only), address ranges (the internet when one is open to
// all, else the network), other groups, the group itself, prefix lists.
func (in ingress) sources(lbGroups map[string]bool) (rules.Reach, string) {
	cidrAttrs := []string{"cidr_blocks", "ipv6_cidr_blocks"}
	groupAttrs := []string{"security_groups", "source_security_group_id"}
	if in.vpc {
		cidrAttrs = []string{"cidr_ipv4", "cidr_ipv6"}
		groupAttrs = []string{"referenced_security_group_id"}
	}
	reach, what := rules.ReachProxyOnly, "the load balancer"
	for _, a := range cidrAttrs {
		v, ok := in.obj.Attr(a)
		if !ok || v.IsNull() {
			continue
		}
		cidrs := stringsOf(v)
		if cidrs == nil {
			return rules.ReachUnknown, ""
		}
		for _, c := range cidrs {
			if slices.Contains(openCIDRs, c) {
				return rules.ReachPublic, c
			}
			reach, what = rules.ReachNetwork, c
		}
	}
	for _, a := range []string{"self", "prefix_list_ids"} {
		if v, ok := in.obj.Attr(a); ok && !v.IsNull() {
			if b, known := v.Bool(); a == "self" && known && !b {
				continue
			}
			reach, what = rules.ReachNetwork, a
		}
	}
	for _, a := range groupAttrs {
		v, ok := in.obj.Attr(a)
		if !ok || v.IsNull() {
			continue
		}
		refs := v.Refs()
		if len(refs) == 0 {
			return rules.ReachUnknown, ""
		}
		for _, ref := range refs {
			if !lbGroups[ref.Type+"."+ref.Name] {
				reach, what = rules.ReachNetwork, ref.Type+"."+ref.Name
			}
		}
	}
	return reach, what
}

// stringsOf returns a known string or list of strings, or nil.
func stringsOf(v tf.Value) []string {
	if s, ok := v.Str(); ok {
		return []string{s}
	}
	if !v.Known() || !v.V.CanIterateElements() {
		return nil
	}
	out := []string{}
	for it := v.V.ElementIterator(); it.Next(); {
		_, el := it.Element()
		if el.IsNull() || !el.Type().Equals(cty.String) {
			return nil
		}
		out = append(out, el.AsString())
	}
	return out
}
