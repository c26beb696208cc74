package caddy

import (
	"crypto/sha256"
	"fmt"
	pathpkg "path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/compose"
	"github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/rules"
)

// The Caddy version decides what a client-certificate placeholder is on a
// TLS connection without a client certificate. Before 2.11.2
// getReqTLSReplacement found no certificate and left the placeholder
// unknown, so header_up sent its own text; since 2.11.2 (#7534, fixing
// #7530) it evaluates the fields of an empty certificate. On plain HTTP
// the placeholder stays unknown in every version (req.TLS is nil).
const (
	fixedVersion = "2.11.2"
	refFixed     = "caddyserver/caddy modules/caddyhttp/replacer.go, getReqTLSReplacement: client.* placeholders of an empty certificate since 2.11.2 (#7534, fixing #7530): https://github.com/caddyserver/caddy/pull/7534"
)

// release is how a Caddy version compares with fixedVersion.
type release int

const (
	releaseUnknown release = iota // no pin, a floating tag, or pins that disagree
	releaseOlder
	releaseFixed
)

// pin is the Caddy version the repository runs, as far as it says.
type pin struct {
	release release
	// where names the pins found ("caddy:2.6.2 in compose.yaml"), for
	// the condition's text.
	where []string
}

// deployedRelease is the Caddy release the settings name (--caddy-version,
// caddy-version), else the one the repository pins.
func deployedRelease(p *rules.Pass, caddyfile string) pin {
	if p.Settings != nil && p.Settings.CaddyVersion != "" {
		return pin{release: releaseOf(p.Settings.CaddyVersion), where: []string{"caddy-version " + p.Settings.CaddyVersion}}
	}
	return pinnedRelease(p.Workspace, caddyfile)
}

// pinnedRelease reads the Caddy versions the repository pins: caddy and
// caddy/caddy images in compose services and Kubernetes containers, the
// FROM of Dockerfiles beside the Caddyfile, at the root or built by a
// compose service, and `xcaddy build v…` in them. One release when every
// pin agrees, else unknown.
func pinnedRelease(ws *parsers.Workspace, caddyfile string) pin {
	var found []release
	var p pin
	add := func(r release, what, file string) {
		found = append(found, r)
		p.where = append(p.where, what+" in "+file)
	}
	dockerfiles := []string{pathpkg.Join(pathpkg.Dir(caddyfile), "Dockerfile"), "Dockerfile"}
	if ws == nil {
		return p
	}
	for _, t := range ws.Trees {
		switch t := t.(type) {
		case *compose.File:
			for _, s := range t.Services {
				if tag, ok := caddyImageTag(s.Image); ok {
					add(releaseOf(tag), s.Image, t.Root().Path)
				}
				if s.Dockerfile != "" {
					dockerfiles = append(dockerfiles, s.Dockerfile)
				}
			}
		case *k8s.File:
			c := t.Cluster()
			if c == nil || c.Files[0] != t {
				continue // each cluster once
			}
			for _, w := range c.Workloads() {
				for _, ct := range w.Containers {
					if tag, ok := caddyImageTag(ct.Image.Value); ok {
						add(releaseOf(tag), ct.Image.Value, ct.Image.Range.File)
					}
				}
			}
		}
	}
	if ws.Reader != nil {
		seen := map[string]bool{}
		for _, df := range dockerfiles {
			df = pathpkg.Clean(df)
			if seen[df] {
				continue
			}
			seen[df] = true
			f, err := ws.Reader.ReadFile(df)
			if err != nil {
				continue // no Dockerfile there
			}
			for _, m := range fromOrXcaddy.FindAllStringSubmatch(string(f.Content), -1) {
				switch {
				case m[1] != "":
					if tag, ok := caddyImageTag(m[1]); ok && !strings.Contains(tag, "builder") {
						add(releaseOf(tag), m[1], df)
					}
				case m[2] != "":
					add(releaseOf(m[2]), "xcaddy build "+m[2], df)
				}
			}
		}
	}
	if len(found) > 0 && !slices.Contains(found, releaseUnknown) {
		if r := found[0]; !slices.ContainsFunc(found, func(o release) bool { return o != r }) {
			p.release = r
		}
	}
	return p
}

// fromOrXcaddy matches a Dockerfile's FROM image and an xcaddy build of
// a version.
var fromOrXcaddy = regexp.MustCompile(`(?mi)^\s*FROM\s+(?:--\S+\s+)*(\S+)|\bxcaddy\s+build\s+(v?\d[\w.\-]*)`)

// caddyImageTag returns the tag of a caddy or caddy/caddy image reference
// ("" when it has none), and whether it is one.
func caddyImageTag(image string) (string, bool) {
	image = strings.Trim(strings.TrimSpace(image), `"'`)
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i] // a digest: the tag, if any, still names the version
	}
	name, tag := image, ""
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		name, tag = image[:i], image[i+1:]
	}
	for _, registry := range []string{"docker.io/", "index.docker.io/", "registry-1.docker.io/"} {
		name = strings.TrimPrefix(name, registry)
	}
	switch name {
	case "caddy", "library/caddy", "caddy/caddy":
		return tag, true
	}
	return "", false
}

// releaseOf compares a version tag ("2.6.2-alpine", "v2.11.2", "2.7")
// with fixedVersion: unknown for a floating tag that may name either
// ("latest", "2", "2.11").
func releaseOf(tag string) release {
	tag = strings.TrimPrefix(tag, "v")
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	var nums []int
	for _, s := range strings.Split(tag, ".") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return releaseUnknown
		}
		nums = append(nums, n)
	}
	fixed := []int{2, 11, 2}
	for i, want := range fixed {
		if i >= len(nums) {
			return releaseUnknown // the tag floats over this part
		}
		switch {
		case nums[i] < want:
			return releaseOlder
		case nums[i] > want:
			return releaseFixed
		}
	}
	return releaseFixed
}

// emptyCertText is what Caddy 2.11.2 and later send for a client
// certificate placeholder without a certificate: the field of an empty
// x509.Certificate, or "" where the placeholder is not one of those.
func emptyCertText(placeholder string) string {
	switch strings.TrimPrefix(strings.Trim(placeholder, "{}"), "http.request.tls.client.") {
	case "fingerprint":
		return fmt.Sprintf("%x", sha256.Sum256(nil))
	case "serial":
		return "<nil>" // a nil *big.Int's String
	case "certificate_pem":
		return "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
	}
	return "" // subject, issuer, certificate_der_base64, SANs
}

// noCertValue is a placeholder treatment's value without a client
// certificate, as the pinned Caddy decides it or, without one, both.
func noCertValue(placeholder string, p pin) rules.NoCertValue {
	n := rules.NoCertValue{Text: emptyCertText(placeholder)}
	switch p.release {
	case releaseFixed:
		n.Newer = true
	case releaseUnknown:
		newer := "it empty"
		if n.Text != "" {
			newer = fmt.Sprintf("%q", n.Text)
		}
		pinned := "the repository pins no Caddy version"
		if len(p.where) > 0 {
			pinned = "the Caddy versions named (" + strings.Join(p.where, ", ") + ") do not decide it"
		}
		n.OlderIf = fmt.Sprintf("Caddy is older than %s (undecided: Caddy before %s sends the placeholder text %s without a client certificate; %s and later send %s; %s)",
			fixedVersion, fixedVersion, placeholder, fixedVersion, newer, pinned)
		n.NewerIf = "Caddy is " + fixedVersion + " or later"
	}
	return n
}

// applyVersion sets, on every treatment of a client-certificate
// placeholder, what the pinned Caddy sends without a certificate.
func applyVersion(routes []*route, p pin) {
	for _, r := range routes {
		for h, t := range r.Headers {
			if t.Missing == "" || p.release == releaseOlder {
				continue
			}
			t.NoCert = noCertValue(t.Missing, p)
			r.Headers[h] = t
		}
	}
}
