package lint

import (
	"github.com/mtlslint/mtlslint/rules"
	apacherules "github.com/mtlslint/mtlslint/rules/apache"
	caddyrules "github.com/mtlslint/mtlslint/rules/caddy"
	"github.com/mtlslint/mtlslint/rules/deploy"
	"github.com/mtlslint/mtlslint/rules/django"
	envoyrules "github.com/mtlslint/mtlslint/rules/envoy"
	"github.com/mtlslint/mtlslint/rules/haproxy"
	k8srules "github.com/mtlslint/mtlslint/rules/k8s"
	"github.com/mtlslint/mtlslint/rules/nginx"
	"github.com/mtlslint/mtlslint/rules/openapi"
	"github.com/mtlslint/mtlslint/rules/terraform"
	traefikrules "github.com/mtlslint/mtlslint/rules/traefik"
)

// Family is one rule family: its rules and the model builders it provides.
type Family struct {
	Name   string
	Rules  []*rules.Rule
	Routes *rules.Analysis // the route builder; nil when the family builds no routes
	Apps   *rules.Analysis // the app builder; nil when the family builds no apps
}

// families lists every rule family, one line each.
var families = []Family{
	{Name: "load", Rules: rules.LoadRules},
	{Name: "apache", Rules: apacherules.Rules, Routes: apacherules.Routes},
	{Name: "caddy", Rules: caddyrules.Rules, Routes: caddyrules.Routes},
	{Name: "deploy", Rules: deploy.Rules},
	{Name: "django", Rules: django.Rules, Apps: django.Apps},
	{Name: "envoy", Rules: envoyrules.Rules, Routes: envoyrules.Routes},
	{Name: "haproxy", Rules: haproxy.Rules, Routes: haproxy.Routes},
	{Name: "k8s", Rules: k8srules.Rules, Routes: k8srules.Routes},
	{Name: "nginx", Rules: nginx.Rules, Routes: nginx.Routes},
	{Name: "openapi", Rules: openapi.Rules},
	{Name: "terraform", Rules: terraform.Rules, Routes: terraform.Routes},
	{Name: "traefik", Rules: traefikrules.Rules, Routes: traefikrules.Routes},
}
