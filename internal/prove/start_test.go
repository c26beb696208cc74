package prove

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/internal/supervise"
)

// answer is what came back to a test request.
type answer struct {
	Status int
	Body   string
	Err    error
}

// get sends one GET over a fresh connection, with TLS (offering cert when
// asked) when tlsConf is set, and with the headers written as given.
func get(addr string, tlsConf *tls.Config, cert *tls.Certificate, host string, headers ...[2]string) answer {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return answer{Err: err}
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if tlsConf != nil {
		cfg := tlsConf.Clone()
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if cert == nil {
				return &tls.Certificate{}, nil
			}
			return cert, nil
		}
		tc := tls.Client(conn, cfg)
		if err := tc.Handshake(); err != nil {
			return answer{Err: err}
		}
		conn = tc
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GET /whoami HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", host)
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return answer{Err: err}
	}
	return readAnswer(conn)
}

// readAnswer reads one HTTP response.
func readAnswer(conn net.Conn) answer {
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return answer{Err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return answer{Status: resp.StatusCode, Body: string(body)}
}

// servableTempDir is a temporary directory that servers whose workers run
// as nobody can traverse (t.TempDir's parent is private to the user).
func servableTempDir(t *testing.T) string {
	base, err := os.MkdirTemp("", "mtlslint-prove-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	return base
}

// onlyLoopback fails when a server listens anywhere but on 127.0.0.1.
func onlyLoopback(t *testing.T, what string, pgid int) {
	t.Helper()
	addrs, err := supervise.Listening(pgid)
	if err != nil {
		t.Fatal(err)
	}
	if len(addrs) == 0 {
		t.Errorf("%s listens nowhere", what)
	}
	for _, a := range addrs {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("%s listens on %s", what, a)
		}
	}
}
