package e2e

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Client identities the attacks use. The untrusted client claims to be the
// administrator: whatever a proxy forwards from its certificate is chosen
// by the attacker.
const (
	ValidClientCN     = "alice"
	UntrustedClientCN = "admin"
)

// PKI is the set of certificates one test run uses: a CA that the proxies
// trust for client certificates (it also signs the server certificate), an
// untrusted CA, and a client certificate from each.
type PKI struct {
	Dir string // CERT_DIR: every file below is written here

	CAPool          *x509.CertPool // verifies the proxies' server certificate
	ValidClient     tls.Certificate
	UntrustedClient tls.Certificate
}

// Files written to PKI.Dir, named in scenario configurations as
// {{CERT_DIR}}/<name>.
const (
	FileCA              = "ca.pem"               // trusted client CA
	FileServerCert      = "server.pem"           // server certificate (localhost, 127.0.0.1)
	FileServerKey       = "server.key"           // its key
	FileServerBundle    = "server-bundle.pem"    // certificate + key (HAProxy crt)
	FileClientCert      = "client.pem"           // CN=alice from ca.pem
	FileClientKey       = "client.key"           // its key
	FileUntrustedCA     = "untrusted-ca.pem"     // a CA no proxy trusts
	FileUntrustedClient = "untrusted-client.pem" // CN=admin from untrusted-ca.pem
	FileUntrustedKey    = "untrusted-client.key" // its key
	FileCRL             = "crl.pem"              // an empty revocation list signed by ca.pem
	FileCABundle        = "ca-bundle.pem"        // ca.pem with its key (HAProxy ca-sign-file)
	FileDHParams        = "dhparam.pem"          // RFC 7919 ffdhe2048, a published group
	FileTicketKey       = "ticket.key"           // 80 random bytes (nginx ssl_session_ticket_key)
	FileTicketKeys      = "tls-ticket-keys"      // three base64 keys, one a line (HAProxy tls-ticket-keys)
)

// ffdhe2048 is the Diffie-Hellman group of RFC 7919, appendix A.1: a
// published constant, so no run spends seconds generating parameters.
const ffdhe2048 = `-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----
`

type issuer struct {
	cert *x509.Certificate
	key  crypto.Signer
	der  []byte
}

// NewPKI generates the certificates and writes them to dir. The server
// certificate is for localhost, 127.0.0.1 and 127.0.0.2, and for the extra
// DNS names given (a configuration's server names, wildcards included).
func NewPKI(dir string, names ...string) (*PKI, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ca, err := newCA("mtlslint e2e client CA")
	if err != nil {
		return nil, err
	}
	rogue, err := newCA("mtlslint e2e untrusted CA")
	if err != nil {
		return nil, err
	}
	serverDER, serverKey, err := ca.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    append([]string{"localhost"}, names...),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(127, 0, 0, 2)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return nil, err
	}
	clientDER, clientKey, err := ca.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: ValidClientCN},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, err
	}
	rogueDER, rogueKey, err := rogue.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: UntrustedClientCN},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, err
	}

	serverKeyPEM, err := keyPEM(serverKey)
	if err != nil {
		return nil, err
	}
	clientKeyPEM, err := keyPEM(clientKey)
	if err != nil {
		return nil, err
	}
	rogueKeyPEM, err := keyPEM(rogueKey)
	if err != nil {
		return nil, err
	}
	caKeyPEM, err := keyPEM(ca.key)
	if err != nil {
		return nil, err
	}
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:     big.NewInt(1),
		ThisUpdate: time.Now().Add(-time.Hour),
		NextUpdate: time.Now().Add(24 * time.Hour),
	}, ca.cert, ca.key)
	if err != nil {
		return nil, fmt.Errorf("signing the revocation list: %w", err)
	}
	ticket := make([]byte, 80)
	if _, err := rand.Read(ticket); err != nil {
		return nil, err
	}
	var ticketKeys []byte
	for i := 0; i < 3; i++ {
		k := make([]byte, 48)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		ticketKeys = append(ticketKeys, base64.StdEncoding.EncodeToString(k)+"\n"...)
	}
	files := map[string][]byte{
		FileCA:              certPEM(ca.der),
		FileServerCert:      certPEM(serverDER),
		FileServerKey:       serverKeyPEM,
		FileServerBundle:    append(certPEM(serverDER), serverKeyPEM...),
		FileClientCert:      certPEM(clientDER),
		FileClientKey:       clientKeyPEM,
		FileUntrustedCA:     certPEM(rogue.der),
		FileUntrustedClient: certPEM(rogueDER),
		FileUntrustedKey:    rogueKeyPEM,
		FileCRL:             pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl}),
		FileCABundle:        append(certPEM(ca.der), caKeyPEM...),
		FileDHParams:        []byte(ffdhe2048),
		FileTicketKey:       ticket,
		FileTicketKeys:      ticketKeys,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return nil, err
		}
	}

	p := &PKI{Dir: dir, CAPool: x509.NewCertPool()}
	p.CAPool.AddCert(ca.cert)
	p.ValidClient = tls.Certificate{Certificate: [][]byte{clientDER}, PrivateKey: clientKey}
	p.UntrustedClient = tls.Certificate{Certificate: [][]byte{rogueDER}, PrivateKey: rogueKey}
	return p, nil
}

func newCA(name string) (*issuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"mtlslint e2e"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &issuer{cert: cert, key: key, der: der}, nil
}

// issue signs a leaf certificate for tmpl (subject, names, usages).
func (ca *issuer) issue(tmpl *x509.Certificate) ([]byte, crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = serial()
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("issuing %s: %w", tmpl.Subject.CommonName, err)
	}
	return der, key, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return n.Add(n, big.NewInt(1))
}

func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func keyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
