package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Marker is the "app" field of every answer of the test app: it tells an
// answer of the app from one of a proxy.
const Marker = "mtlslint-e2e"

const requestTimeout = 5 * time.Second

// Header is one request header, written to the wire exactly as given (Go's
// HTTP client would canonicalise X_SSL_Client_DN into X_ssl_client_dn).
type Header struct{ Name, Value string }

// Request is one HTTP/1.1 GET request, written by hand over the
// connection so that header names reach the server exactly as spelt.
type Request struct {
	Addr    string           // "127.0.0.1:8443" or "unix:/path"
	From    string           // source IP ("" = the kernel's choice, 127.0.0.1 on loopback)
	TLS     *tls.Config      // nil: plain HTTP
	Host    string           // Host header
	Path    string           // request target ("" = /whoami)
	Headers []Header         // sent verbatim, in order
	Client  *tls.Certificate // the certificate offered when asked; nil: none
}

// AppReport is what the test app answers: what it saw and what it decided.
type AppReport struct {
	App           string            `json:"app"`
	Authenticated bool              `json:"authenticated"`
	Identity      *string           `json:"identity"`
	Secure        bool              `json:"secure"`
	Scheme        string            `json:"scheme"`
	RemoteAddr    string            `json:"remote_addr"`
	Headers       map[string]string `json:"headers"`
	Error         string            `json:"error"` // set by the app's error handlers
}

// Response is what came back.
type Response struct {
	// DialErr: no connection at all (nothing listens there).
	DialErr error
	// Err: the connection was made but no HTTP answer came (TLS handshake
	// refused, or with TLS 1.3 an alert on the first read).
	Err     error
	Status  int
	FromApp bool // the body is the test app's JSON
	Report  AppReport
	Body    string // the start of the body when not from the app
	// URL is what the client asked for: scheme, Host header and path.
	URL string
	// Location is the redirect target of a 3xx answer.
	Location string
}

// requestPath is what every request asks for.
const requestPath = "/whoami"

func (r Request) path() string {
	if r.Path == "" {
		return requestPath
	}
	return r.Path
}

// url is the URL the request asks for, as the server sees it.
func (r Request) url() string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.path()
}

// Answer is the raw answer to one request.
type Answer struct {
	// DialErr: no connection at all (nothing listens there).
	DialErr error
	// Err: the connection was made but no HTTP answer came (TLS handshake
	// refused, or with TLS 1.3 an alert on the first read).
	Err      error
	Status   int
	Location string // the redirect target of a 3xx answer
	Body     []byte // at most 64 KiB
}

// Exchange sends one request and reads the answer. Every step is bounded
// by requestTimeout.
func Exchange(ctx context.Context, r Request) Answer {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	network, address := "tcp", r.Addr
	if p, ok := strings.CutPrefix(r.Addr, "unix:"); ok {
		network, address = "unix", p
	}
	var d net.Dialer
	if r.From != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(r.From)}
	}
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return Answer{DialErr: err, Err: err}
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	if r.TLS != nil {
		cfg := r.TLS.Clone()
		cert := r.Client
		// GetClientCertificate, unlike Certificates, sends the certificate
		// even when its issuer is not in the server's list of accepted CAs:
		// the untrusted certificate really reaches the proxy.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if cert == nil {
				return &tls.Certificate{}, nil
			}
			return cert, nil
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return Answer{Err: fmt.Errorf("TLS handshake: %w", err)}
		}
		conn = tc
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: mtlslint-e2e\r\nAccept: application/json\r\nConnection: close\r\n", r.path(), r.Host)
	for _, h := range r.Headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return Answer{Err: fmt.Errorf("writing the request: %w", err)}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return Answer{Err: fmt.Errorf("reading the response: %w", err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Answer{Status: resp.StatusCode, Err: fmt.Errorf("reading the body: %w", err)}
	}
	out := Answer{Status: resp.StatusCode, Body: body}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		out.Location = resp.Header.Get("Location")
	}
	return out
}

// fetch sends one request and reads the test app's report from the answer.
func fetch(ctx context.Context, r Request) Response {
	a := Exchange(ctx, r)
	if a.DialErr != nil || a.Err != nil && a.Status == 0 {
		return Response{DialErr: a.DialErr, Err: a.Err}
	}
	if a.Err != nil {
		return Response{Status: a.Status, Err: a.Err}
	}
	out := Response{Status: a.Status, URL: r.url(), Location: a.Location}
	body := a.Body
	if json.Unmarshal(body, &out.Report) == nil && out.Report.App == Marker {
		out.FromApp = true
	} else {
		out.Report = AppReport{}
		out.Body = PageText(string(body))
	}
	return out
}

var tag = source.LazyRegexp(`<[^>]*>`)

// PageText returns the message of an error page: its text without the
// title and the server signature, e.g. "No required SSL certificate was
// sent" from nginx or "Contradictory scheme headers" from gunicorn.
func PageText(html string) string {
	var parts []string
	seen := map[string]bool{}
	for i, seg := range tag().Split(html, -1) {
		seg = strings.Join(strings.Fields(seg), " ")
		if seg == "" || seen[seg] || strings.HasPrefix(seg, "nginx/") {
			continue
		}
		seen[seg] = true
		if i > 0 && len(seen) == 1 && strings.Contains(html, "<title>") {
			continue // the title
		}
		parts = append(parts, seg)
	}
	text := strings.Join(parts, " / ")
	if len(text) > 100 {
		text = text[:100] + "…"
	}
	return text
}
