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
	"regexp"
	"strings"
	"time"
)

// Marker is the "app" field of every answer of the test app: it tells an
// answer of the app from one of a proxy.
const Marker = "mtlslint-e2e"

const requestTimeout = 5 * time.Second

// Header is one request header, written to the wire exactly as given (Go's
// HTTP client would canonicalise X_SSL_Client_DN into X_ssl_client_dn).
type Header struct{ Name, Value string }

// request is one HTTP/1.1 request, written by hand over the connection.
type request struct {
	addr    string           // "127.0.0.1:8443" or "unix:/path"
	from    string           // source IP ("" = the kernel's choice, 127.0.0.1 on loopback)
	tls     *tls.Config      // nil: plain HTTP
	host    string           // Host header
	headers []Header         // sent verbatim, in order
	client  *tls.Certificate // the certificate offered when asked; nil: none
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

// url is the URL the request asks for, as the server sees it.
func (r request) url() string {
	scheme := "http"
	if r.tls != nil {
		scheme = "https"
	}
	return scheme + "://" + r.host + requestPath
}

// fetch sends one GET request. Every step is bounded by requestTimeout.
func fetch(ctx context.Context, r request) Response {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	network, address := "tcp", r.addr
	if p, ok := strings.CutPrefix(r.addr, "unix:"); ok {
		network, address = "unix", p
	}
	var d net.Dialer
	if r.from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(r.from)}
	}
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return Response{DialErr: err, Err: err}
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	if r.tls != nil {
		cfg := r.tls.Clone()
		cert := r.client
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
			return Response{Err: fmt.Errorf("TLS handshake: %w", err)}
		}
		conn = tc
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: mtlslint-e2e\r\nAccept: application/json\r\nConnection: close\r\n", requestPath, r.host)
	for _, h := range r.headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return Response{Err: fmt.Errorf("writing the request: %w", err)}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return Response{Err: fmt.Errorf("reading the response: %w", err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Response{Status: resp.StatusCode, Err: fmt.Errorf("reading the body: %w", err)}
	}
	out := Response{Status: resp.StatusCode, URL: r.url()}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		out.Location = resp.Header.Get("Location")
	}
	if json.Unmarshal(body, &out.Report) == nil && out.Report.App == Marker {
		out.FromApp = true
	} else {
		out.Report = AppReport{}
		out.Body = pageText(string(body))
	}
	return out
}

var tag = regexp.MustCompile(`<[^>]*>`)

// pageText returns the message of an error page: its text without the
// title and the server signature, e.g. "No required SSL certificate was
// sent" from nginx or "Contradictory scheme headers" from gunicorn.
func pageText(html string) string {
	var parts []string
	seen := map[string]bool{}
	for i, seg := range tag.Split(html, -1) {
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
