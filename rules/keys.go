package rules

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Key says what a finding is about: a route and a header, a directive, a
// bind. Two findings about the same thing have equal keys, which is how
// the engine keeps one finding per defect, how a rule replaces the
// findings of the rules it Supersedes, and what a baseline fingerprint
// rests on (so a key's text must not change without a new fingerprint
// version).
//
// Keys are made only by the constructors below, one per kind of subject:
// two rules that speak of the same subject call the same constructor, so
// renaming one cannot silently break the other.
type Key struct {
	kind KeyKind
	text string
	// What the key names, for readers that need the subject (the
	// real-server harness): a route ID, a header (dash form), the range
	// of a directive; for a read in app code, the check and the header
	// as read (META form).
	route, header, directive string
	check                    AppCheck
	meta                     string
}

// KeyKind is the constructor a key was made with.
type KeyKind string

// The kinds of keys, one per constructor.
const (
	KeyAppRead         KeyKind = "app-read"
	KeyAppReadRoute    KeyKind = "app-read-route"
	KeyAppServerOption KeyKind = "app-server-option"
	KeyConfigLine      KeyKind = "config-line"
	KeyCrash           KeyKind = "crash"
	KeyDirective       KeyKind = "directive"
	KeyEntrance        KeyKind = "entrance"
	KeyHost            KeyKind = "host"
	KeyListener        KeyKind = "listener"
	KeyListenerSpec    KeyKind = "listener-spec"
	KeyObject          KeyKind = "object"
	KeyProblem         KeyKind = "problem"
	KeyPublicBind      KeyKind = "public-bind"
	KeyPublish         KeyKind = "publish"
	KeyResource        KeyKind = "resource"
	KeyRoute           KeyKind = "route"
	KeyRouteHeader     KeyKind = "route-header"
	KeyRouter          KeyKind = "router"
	KeySchemeHeaders   KeyKind = "scheme-headers"
	KeyServer          KeyKind = "server"
	KeySetting         KeyKind = "setting"
	KeySocket          KeyKind = "socket"
	KeySpec            KeyKind = "spec"
	KeySpecOperation   KeyKind = "spec-operation"
	KeySuppression     KeyKind = "suppression"
	KeyTargetBypass    KeyKind = "target-bypass"
	KeyTest            KeyKind = "test"
	KeyTrust           KeyKind = "trust"
	KeyUnderscore      KeyKind = "underscore"
	KeyVerify          KeyKind = "verify"
	KeyWritten         KeyKind = "written"
)

// String is the key's stable text (as in the JSON output).
func (k Key) String() string { return k.text }

// Kind is the constructor the key was made with.
func (k Key) Kind() KeyKind { return k.kind }

// IsZero reports whether the key is unset.
func (k Key) IsZero() bool { return k.text == "" }

// Route is the ID of the route the key is about, if any.
func (k Key) Route() string { return k.route }

// Header is the header (dash form) the key is about, if any.
func (k Key) Header() string { return k.header }

// Directive is the range ("file:line:col") of the directive the key is
// about, if any.
func (k Key) Directive() string { return k.directive }

// AppRead is, for a key about a read of a header in app code, what the
// finding says of it and the header as read (META form).
func (k Key) AppRead() (AppCheck, string) { return k.check, k.meta }

// MarshalText writes the key's text.
func (k Key) MarshalText() ([]byte, error) { return []byte(k.text), nil }

// MarshalBinary writes every part of the key, so that a finding keeps its
// key whole across a process boundary (an audit's worker processes send
// their findings back as JSON, where a key is otherwise only its text).
func (k Key) MarshalBinary() ([]byte, error) {
	var b []byte
	for _, s := range k.parts() {
		b = binary.AppendUvarint(b, uint64(len(*s)))
		b = append(b, *s...)
	}
	return b, nil
}

// UnmarshalBinary reads what MarshalBinary writes.
func (k *Key) UnmarshalBinary(b []byte) error {
	var d Key
	for _, s := range d.parts() {
		n, size := binary.Uvarint(b)
		if size <= 0 || n > uint64(len(b)-size) {
			return errors.New("rules.Key: truncated encoding")
		}
		*s, b = string(b[size:size+int(n)]), b[size+int(n):]
	}
	if len(b) != 0 {
		return errors.New("rules.Key: trailing bytes")
	}
	*k = d
	return nil
}

// parts are the key's fields in their encoding order.
func (k *Key) parts() []*string {
	return []*string{(*string)(&k.kind), &k.text, &k.route, &k.header, &k.directive, (*string)(&k.check), &k.meta}
}

func key(kind KeyKind, text string) Key { return Key{kind: kind, text: text} }

// joinAspect appends "|aspect" unless aspect is empty.
func joinAspect(s, aspect string) string {
	if aspect == "" {
		return s
	}
	return s + "|" + aspect
}

// RouteHeaderKey: how one route treats one header. Proxy-side rules and
// the cross-file rules share it, so that the cross-file finding replaces
// the proxy-side one for the same defect.
func RouteHeaderKey(routeID, header string) Key {
	h := HeaderName(header)
	return Key{kind: KeyRouteHeader, text: "route:" + routeID + "|header:" + h, route: routeID, header: h}
}

// RouteKey: one aspect of a route ("unverified").
func RouteKey(routeID, aspect string) Key {
	return Key{kind: KeyRoute, text: "route:" + routeID + "|" + aspect, route: routeID}
}

// VerifyKey: a client-verification directive (nginx ssl_verify_client,
// an HAProxy bind's verify, an Ingress's auth-tls-verify-client): the
// proxy-side rule and the cross-file rule about the same directive share
// it.
func VerifyKey(directive source.Range) Key {
	return Key{kind: KeyVerify, text: "verify-at:" + directive.String(), directive: directive.String()}
}

// UnderscoreKey: a directive that lets client header names with "_"
// through (nginx underscores_in_headers on).
func UnderscoreKey(directive source.Range) Key {
	return Key{kind: KeyUnderscore, text: "underscore-at:" + directive.String(), directive: directive.String()}
}

// DirectiveKey: one rule's finding about one written directive (an aspect
// of it, when the rule reports several).
func DirectiveKey(code string, directive source.Range, aspect string) Key {
	return Key{kind: KeyDirective, text: joinAspect(code+"|at:"+directive.String(), aspect), directive: directive.String()}
}

// WrittenKey: one rule's finding about one written directive, in the text
// the httpd and Caddy families key it by ("A003|file:line:col"; a
// DirectiveKey puts "at:" before the position).
func WrittenKey(code string, directive source.Range) Key {
	return Key{kind: KeyWritten, text: code + "|" + directive.String(), directive: directive.String()}
}

// RouterKey: one rule's finding about one Traefik router, by the ID of its
// route.
func RouterKey(code, routeID string) Key {
	return Key{kind: KeyRouter, text: code + "|router:" + routeID, route: routeID}
}

// ServerKey: one rule's finding about one server block (an nginx server
// by its stable ID), and an aspect of it.
func ServerKey(code, serverID, aspect string) Key {
	return key(KeyServer, joinAspect(code+"|server:"+serverID, aspect))
}

// SocketKey: one rule's finding about the servers that share an
// address:port (one of them, when serverID is set).
func SocketKey(code, socket, serverID string) Key {
	s := code + "|socket:" + socket
	if serverID != "" {
		s += "|server:" + serverID
	}
	return key(KeySocket, s)
}

// ConfigLineKey: a finding about one line of a configuration file (an
// HAProxy bind, section header or keyword line), by what the line is, and
// an aspect of it.
func ConfigLineKey(what string, file string, line int, aspect string) Key {
	return key(KeyConfigLine, joinAspect(what+":"+file+":"+strconv.Itoa(line), aspect))
}

// ObjectKey: one aspect of a Kubernetes object, named by the file it is
// defined in, its kind, namespace and name (the same object often appears
// once per environment, and each copy is a finding).
func ObjectKey(file, kind, namespacedName, aspect string) Key {
	return key(KeyObject, objectText(file, kind, namespacedName)+"|"+aspect)
}

func objectText(file, kind, namespacedName string) string {
	return file + "#" + strings.ToLower(kind) + ":" + namespacedName
}

// EntranceKey: a way requests reach a Kubernetes Service: through an
// Ingress, for a host and path.
func EntranceKey(serviceRef, ingressFile, ingressKind, ingressName, host, path string) Key {
	return key(KeyEntrance, "service:"+serviceRef+"|via:"+objectText(ingressFile, ingressKind, ingressName)+":"+host+":"+path)
}

// HostKey: a host name as one Ingress configures it.
func HostKey(host, ingressFile, ingressKind, ingressName string) Key {
	return key(KeyHost, "host:"+host+"|"+objectText(ingressFile, ingressKind, ingressName))
}

// ListenerKey: one aspect of a load balancer's listener (an ALB listener
// by its address).
func ListenerKey(listenerID, aspect string) Key {
	return key(KeyListener, "alb-listener:"+listenerID+"|"+aspect)
}

// TargetBypassKey: a target group reachable around a listener.
func TargetBypassKey(group, listenerID, via string) Key {
	return key(KeyTargetBypass, "alb-target:"+group+"|bypass:"+listenerID+"|"+via)
}

// ResourceKey: one aspect of a cloud resource of a Terraform module (what
// names the kind of setting: "alb", "apigw", "gcp-mtls", ...).
func ResourceKey(what, moduleDir, address, aspect string) Key {
	return key(KeyResource, what+":"+moduleDir+"/"+address+"|"+aspect)
}

// SpecOperationKey: an operation of an OpenAPI document compared with an
// earlier version of it.
func SpecOperationKey(specPath, operation string) Key {
	return key(KeySpecOperation, "spec-diff:"+specPath+"|"+operation)
}

// SpecKey: one aspect of a written part of an OpenAPI document (a
// security list, a security scheme).
func SpecKey(at source.Range, aspect string) Key {
	if aspect == "scheme" {
		return key(KeySpec, "openapi:scheme:"+at.String())
	}
	return key(KeySpec, "openapi:"+at.String()+"|"+aspect)
}

// ListenerSpecKey: a proxy listener that serves operations of an OpenAPI
// document.
func ListenerSpecKey(listener, specPath string) Key {
	return key(KeyListenerSpec, "listener:"+listener+"|openapi:"+specPath)
}

// AppCheck is what an app-side finding says about one read of a header.
type AppCheck string

// The app-side checks that app rules and cross-file rules share.
const (
	CheckWeak      AppCheck = "weak"      // a check that admits unverified clients (D019, X002)
	CheckZero      AppCheck = "zero"      // == "0" without a certificate-used flag (D020, X002)
	CheckDual      AppCheck = "dual"      // an environ value and its HTTP_ twin (D021)
	CheckPEM       AppCheck = "pem"       // a PEM read for its DN only (D022)
	CheckLogin     AppCheck = "login"     // a login without logout (D023)
	CheckSemantics AppCheck = "semantics" // compared unlike what a route emits (X002)
)

// AppReadKey: what one rule says about one read of a header in app code
// (the read's range, and the header in META form).
func AppReadKey(read source.Range, check AppCheck, meta string) Key {
	s := "app:" + read.String() + "|" + string(check)
	if meta != "" {
		s += ":" + meta
	}
	return Key{kind: KeyAppRead, text: s, check: check, meta: meta}
}

// AppReadRouteKey: a read of a header judged against one route.
func AppReadRouteKey(read source.Range, check AppCheck, meta, routeID string) Key {
	k := AppReadKey(read, check, meta)
	return Key{kind: KeyAppReadRoute, text: k.text + "|" + routeID, route: routeID, check: check, meta: meta}
}

// TrustKey: a header an app trusts through its settings (the settings
// module file, and the header in META form). A deployment-scope finding
// with the same key replaces the single-file one.
func TrustKey(settingsFile, meta string) Key {
	return Key{kind: KeyTrust, text: "trust:" + settingsFile + "|header:" + MetaName(meta), header: HeaderName(meta)}
}

// SettingKey: one Django setting as a settings module binds it (the
// binding statement), or leaves it unset, and an aspect of it.
func SettingKey(where, name string, unset bool, aspect string) Key {
	s := "setting:" + where + "|" + name
	if unset {
		s += ":unset"
	}
	return key(KeySetting, joinAspect(s, aspect))
}

// PublicBindKey: an app server listening beyond loopback: the
// single-file rule (G001) and the cross-file one (X004) share it.
func PublicBindKey(file string, ep Endpoint) Key {
	return key(KeyPublicBind, "bind:"+file+"|"+ep.String())
}

// PublishKey: a container port published on the host.
func PublishKey(at source.Range) Key { return key(KeyPublish, "publish:"+at.String()) }

// AppServerOptionKey: an app-server option as written (gunicorn's
// forwarded_allow_ips, header_map).
func AppServerOptionKey(at source.Range, option string) Key {
	return key(KeyAppServerOption, "gunicorn:"+at.String()+"|"+option)
}

// SchemeHeadersKey: an app server's scheme headers judged against one
// route.
func SchemeHeadersKey(at source.Range, routeID string) Key {
	return Key{kind: KeySchemeHeaders, text: "scheme-headers:" + at.String() + "|" + routeID, route: routeID}
}

// SuppressionKey: a finding about a suppression comment (aspect
// "unused", "no-reason"), by the codes it names and what else
// distinguishes it.
func SuppressionKey(aspect, codes string, more ...string) Key {
	return key(KeySuppression, strings.Join(append([]string{"suppression", aspect, codes}, more...), "|"))
}

// ProblemKey: a load or parse problem, by where it is and what it says.
func ProblemKey(p source.Problem) Key {
	return key(KeyProblem, "problem:"+p.Range.String()+":"+p.Message)
}

// crashKey: a rule (or the model for the result) that failed, anchored in
// a file.
func crashKey(what, file string) Key {
	s := "crash:" + what
	if file != "" {
		s += ":" + file
	}
	return key(KeyCrash, s)
}

// TestKey is a key for engine tests and the stand-in families of tests
// (kind "test").
func TestKey(text string) Key { return key(KeyTest, text) }
