package traefik

import (
	"fmt"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/cfgnode"
	"github.com/mtlslint/mtlslint/parsers/k8s"
)

// CRDKinds are Traefik's custom resources this package reads from
// manifests; parsers/k8s recognises files holding them
// (k8s.DetectKinds).
var CRDKinds = map[string]bool{"IngressRoute": true, "Middleware": true, "TLSOption": true}

// KubeRoute is a router that an IngressRoute defines: its service is a
// Kubernetes Service.
type KubeRoute struct {
	Router  *Router
	Obj     *k8s.Object // the IngressRoute
	Service string      // the Service's name (in Obj's namespace unless it says)
	Port    string
}

// CRDs is the Traefik configuration of one cluster of manifests: the
// routers, middlewares and TLS options of its custom resources, and the
// static configuration the Traefik deployment's container arguments give.
type CRDs struct {
	Installation *Installation
	Routes       []*KubeRoute
}

// ReadCRDs decodes the Traefik custom resources (traefik.io and the older
// traefik.containo.us group) among a cluster's objects.
func ReadCRDs(objs []*k8s.Object) *CRDs {
	d := &Dynamic{Provider: "kubernetescrd"}
	c := &CRDs{Installation: &Installation{Files: []*File{{Dynamic: []*Dynamic{d}}}}}
	for _, o := range objs {
		if o.Node == nil || o.File == nil {
			continue
		}
		if o.Workload != nil && c.Installation.Static == nil {
			c.Installation.Static = workloadStatic(o)
			continue
		}
		if !strings.HasPrefix(o.APIVersion, "traefik.io/") && !strings.HasPrefix(o.APIVersion, "traefik.containo.us/") {
			continue
		}
		spec := cfgnode.FromYAML(o.File, o.Node).Get("spec")
		name := o.Name.Value
		switch o.Kind {
		case "Middleware":
			d.Middlewares = append(d.Middlewares, readMiddleware(name, spec))
		case "TLSOption":
			d.TLSOptions = append(d.TLSOptions, readTLSOption(name, spec))
		case "IngressRoute":
			c.readIngressRoute(d, o, spec)
		}
	}
	return c
}

// readIngressRoute turns each of an IngressRoute's routes into a router
// per service it sends to.
func (c *CRDs) readIngressRoute(d *Dynamic, o *k8s.Object, spec *cfgnode.Node) {
	tls := spec.Get("tls")
	for i, rt := range spec.Get("routes").List() {
		var mws []*cfgnode.Node
		for _, m := range rt.Get("middlewares").List() {
			mws = append(mws, m.Get("name"))
		}
		for j, s := range rt.Get("services").List() {
			r := &Router{
				Name:        fmt.Sprintf("%s-%d-%d", o.Name.Value, i, j),
				Rule:        rt.Get("match"),
				Service:     s.Get("name"),
				EntryPoints: spec.Get("entryPoints").List(),
				Middlewares: mws,
				Priority:    rt.Get("priority"),
				Range:       rt.Opening(),
			}
			if tls != nil {
				r.TLS, r.TLSOptions = tls, tls.Path("options", "name")
			}
			d.Routers = append(d.Routers, r)
			c.Routes = append(c.Routes, &KubeRoute{Router: r, Obj: o, Service: s.Get("name").Text(), Port: s.Get("port").Text()})
		}
	}
}

// workloadStatic reads the static configuration from the arguments of a
// workload's Traefik container (--entrypoints.websecure.address=:8443, …),
// nil when it runs none.
func workloadStatic(o *k8s.Object) *Static {
	for _, c := range o.Workload.Containers {
		if !strings.Contains(c.Image.Value, "traefik") {
			continue
		}
		var flags []pathEntry
		for _, a := range append(append([]k8s.Scalar(nil), c.Command...), c.Args...) {
			if e, ok := flag(a.Value, a.Range); ok {
				flags = append(flags, e)
			}
		}
		return readStatic(fromPaths(flags), c.Range)
	}
	return nil
}
