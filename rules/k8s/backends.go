package k8s

import (
	"strings"

	kube "github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/rules"
)

// ServiceUpstream is the upstream of a route that sends to a Service of
// the cluster, for the route builders of front ends whose custom
// resources name Services (an Istio VirtualService, a Traefik
// IngressRoute): the Service's cluster address and port, and the app
// servers its pods run, which link the route to the app. service is a
// name in the namespace of from, or a cluster DNS name
// ("web.shop.svc.cluster.local"). The pass's rule or analysis requires
// Clusters.
func ServiceUpstream(p *rules.Pass, c *kube.Cluster, from *kube.Object, service, port string) rules.Upstream {
	name, ns := service, from.NamespaceOrDefault()
	if parts := strings.Split(service, "."); len(parts) > 1 {
		name, ns = parts[0], parts[1]
	}
	u := rules.Upstream{Name: "svc/" + ns + "/" + name + ":" + port, Servers: []rules.Endpoint{{Host: name + "." + ns + ".svc.cluster.local", Port: port}}}
	a := analysisOf(p, c)
	if a == nil {
		return u
	}
	for _, s := range c.Services() {
		if s.Obj.Name.Value != name || (s.Obj.Namespace.Value != "" && s.Obj.Namespace.Value != ns && from.Namespace.Value != "") {
			continue
		}
		for _, w := range a.workloads(s) {
			// who besides the front end reaches the pods decides the
			// app's direct path, as for an Ingress's backends
			reach := a.reach(w)
			for _, ws := range WorkloadServers(w) {
				ws.Reach, ws.ReachVia, ws.ReachPort, ws.ReachWhy, ws.ReachRange, ws.ReachKey = reach.Reach, reach.ReachVia, reach.ReachPort, reach.ReachWhy, reach.ReachRange, reach.ReachKey
				u.Workloads = append(u.Workloads, ws)
			}
		}
	}
	return u
}

// WorkloadServers returns the app servers a workload's containers run
// that look like a Django app, as model workloads: what a proxy in front
// of the workload's pods (an Istio sidecar) reaches.
func WorkloadServers(w *kube.Workload) []rules.Workload {
	var out []rules.Workload
	for i := range w.Containers {
		if srv := containerServer(&w.Containers[i]); srv.isDjango() {
			out = append(out, rules.Workload{
				Name:           strings.ToLower(w.Obj.Kind) + " " + w.Obj.NamespacedName(),
				Server:         srv.Server,
				Binds:          srv.Binds,
				SettingsModule: srv.SettingsModule,
				Range:          srv.Range,
			})
		}
	}
	return out
}
