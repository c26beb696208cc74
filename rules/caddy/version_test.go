package caddy

import (
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source/sourcetest"
	"github.com/mtlslint/mtlslint/rules"
)

// TestReleaseOf: a tag is before or since 2.11.2 only when every part that
// decides it is given; a tag that floats over it is unknown.
func TestReleaseOf(t *testing.T) {
	for tag, want := range map[string]release{
		"2.6.2":          releaseOlder,
		"2.6.2-alpine":   releaseOlder,
		"2.7":            releaseOlder, // every 2.7.x
		"2.7-builder":    releaseOlder,
		"v2.11.1":        releaseOlder,
		"2.11.0-beta.1":  releaseOlder,
		"2.11.2":         releaseFixed,
		"2.11.2-alpine":  releaseFixed,
		"2.11.3":         releaseFixed,
		"2.12":           releaseFixed,
		"3":              releaseFixed,
		"1.0.4":          releaseOlder,
		"2.11":           releaseUnknown, // 2.11.0 to the newest 2.11
		"2":              releaseUnknown,
		"":               releaseUnknown,
		"latest":         releaseUnknown,
		"alpine":         releaseUnknown,
		"builder-alpine": releaseUnknown,
	} {
		if got := releaseOf(tag); got != want {
			t.Errorf("releaseOf(%q) = %d, want %d", tag, got, want)
		}
	}
}

// TestCaddyImageTag: the official images (library/caddy, caddy/caddy) with
// or without a registry, and no other image named like them.
func TestCaddyImageTag(t *testing.T) {
	for image, want := range map[string]string{
		"caddy:2.6.2":                         "2.6.2",
		"caddy":                               "",
		"docker.io/library/caddy:2.11.2":      "2.11.2",
		"caddy/caddy:2.7.6-alpine":            "2.7.6-alpine",
		"caddy:2.8@sha256:0123abcd":           "2.8",
		`"caddy:2.10.0"`:                      "2.10.0",
		"ghcr.io/example/caddy:2.6.2":         "-",
		"example/caddy-cloudflare:2.11.2":     "-",
		"localhost:5000/caddy":                "-",
		"registry.example.org:5000/caddy:2.6": "-",
	} {
		tag, ok := caddyImageTag(image)
		got := tag
		if !ok {
			got = "-"
		}
		if got != want {
			t.Errorf("caddyImageTag(%q) = %q, want %q", image, got, want)
		}
	}
}

// TestEmptyCertText: what 2.11.2 sends for each placeholder without a
// certificate, from the fields of an empty x509.Certificate.
func TestEmptyCertText(t *testing.T) {
	for placeholder, want := range map[string]string{
		"{http.request.tls.client.subject}":                "",
		"{http.request.tls.client.issuer}":                 "",
		"{http.request.tls.client.certificate_der_base64}": "",
		"{http.request.tls.client.fingerprint}":            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"{http.request.tls.client.serial}":                 "<nil>",
	} {
		if got := emptyCertText(placeholder); got != want {
			t.Errorf("emptyCertText(%q) = %q, want %q", placeholder, got, want)
		}
	}
}

// TestPinnedReleaseDockerfile: a Dockerfile's FROM (not the builder stage)
// and an xcaddy build pin the version; pins that disagree decide nothing.
func TestPinnedReleaseDockerfile(t *testing.T) {
	for _, tc := range []struct {
		dockerfile string
		want       release
	}{
		{"FROM caddy:2.6.2-alpine\nCOPY Caddyfile /etc/caddy/Caddyfile\n", releaseOlder},
		{"FROM caddy:2.11-builder AS build\nRUN xcaddy build v2.11.2 --with github.com/example/plugin\nFROM caddy:2.11.2\n", releaseFixed},
		{"FROM caddy:2-builder AS build\nRUN xcaddy build v2.10.0\nFROM --platform=linux/amd64 caddy:2.11.2\n", releaseUnknown},
		{"FROM caddy:latest\n", releaseUnknown},
		{"FROM debian:12\nRUN apt-get install -y caddy\n", releaseUnknown},
	} {
		ws := &parsers.Workspace{Reader: sourcetest.NewMapReader(map[string]string{"deploy/Dockerfile": tc.dockerfile})}
		if got := pinnedRelease(ws, "deploy/Caddyfile").release; got != tc.want {
			t.Errorf("%q: release %d, want %d", tc.dockerfile, got, tc.want)
		}
	}
	if got := pinnedRelease(nil, "Caddyfile").release; got != releaseUnknown {
		t.Errorf("no workspace: release %d, want unknown", got)
	}
}

// TestDeployedReleaseSetting: caddy-version beats the repository's pins.
func TestDeployedReleaseSetting(t *testing.T) {
	ws := &parsers.Workspace{Reader: sourcetest.NewMapReader(map[string]string{"Dockerfile": "FROM caddy:2.6.2\n"})}
	for setting, want := range map[string]release{"": releaseOlder, "2.11.2": releaseFixed, "2.11": releaseUnknown} {
		p := &rules.Pass{Workspace: ws, Settings: &rules.Settings{CaddyVersion: setting}}
		if got := deployedRelease(p, "Caddyfile").release; got != want {
			t.Errorf("caddy-version %q: release %d, want %d", setting, got, want)
		}
	}
}

// FuzzPinnedRelease: any Dockerfile text and image reference give a
// release without a panic, and a pin is decided only by a version tag.
func FuzzPinnedRelease(f *testing.F) {
	f.Add("FROM caddy:2.6.2-alpine\n", "caddy:2.11.2")
	f.Add("FROM caddy:2-builder AS b\nRUN xcaddy build v2.11.2\nFROM caddy:2.11.2\n", "caddy/caddy:2.7")
	f.Add("FROM --platform=$BUILDPLATFORM caddy@sha256:00\n", "docker.io/library/caddy:")
	f.Fuzz(func(t *testing.T, dockerfile, image string) {
		ws := &parsers.Workspace{Reader: sourcetest.NewMapReader(map[string]string{"Dockerfile": dockerfile})}
		p := pinnedRelease(ws, "Caddyfile")
		if p.release != releaseUnknown && len(p.where) == 0 {
			t.Errorf("release %d decided by no pin", p.release)
		}
		if tag, ok := caddyImageTag(image); !ok && tag != "" {
			t.Errorf("caddyImageTag(%q) = %q for an image that is not Caddy's", image, tag)
		}
	})
}
