package gen

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// digest hashes every file below dir (path and content).
func digest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		h.Write([]byte(rel + "\x00"))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := Org(a, 12, Options{Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := Org(b, 12, Options{Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := Org(c, 12, Options{Seed: 8}); err != nil {
		t.Fatal(err)
	}
	if digest(t, a) != digest(t, b) {
		t.Error("the same seed wrote different organisations")
	}
	if digest(t, a) == digest(t, c) {
		t.Error("different seeds wrote the same organisation")
	}
	// Repository i does not depend on the size of the organisation.
	small := t.TempDir()
	repos, err := Org(small, 3, Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, filepath.Join(small, repos[1].Name)) != digest(t, filepath.Join(a, repos[1].Name)) {
		t.Error("repository 1 differs between organisations of 3 and 12")
	}
}

func TestShape(t *testing.T) {
	dir := t.TempDir()
	repos, err := Org(dir, 40, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	vulnerable := 0
	seen := map[Defect]int{}
	for _, r := range repos {
		if r.Vulnerable() {
			vulnerable++
		}
		for _, d := range r.Defects {
			seen[d]++
		}
		if r.ConfigBytes < 12000 || r.ConfigBytes > 18000 {
			t.Errorf("%s: %d bytes of configuration, want about 15 KB", r.Name, r.ConfigBytes)
		}
		for _, f := range []string{".git/HEAD", "nginx.conf", "conf.d/api.conf", "conf.d/admin.conf", "haproxy.cfg", "gunicorn.conf.py", "docker-compose.yml", "requirements.txt"} {
			if _, err := os.Stat(filepath.Join(dir, r.Name, f)); err != nil {
				t.Errorf("%s: %v", r.Name, err)
			}
		}
		settings, _ := filepath.Glob(filepath.Join(dir, r.Name, "*_site", "settings", "*.py"))
		if len(settings) != 3 {
			t.Errorf("%s: settings package of %d modules, want 3", r.Name, len(settings))
		}
	}
	if vulnerable != 10 {
		t.Errorf("%d of 40 vulnerable, want a quarter", vulnerable)
	}
	for _, d := range Defects {
		if seen[d] == 0 {
			t.Errorf("no repository has %s", d)
		}
	}
}

// TestDefectsAreInTheFiles checks that each defect is in the files as
// the catalogue describes it, and absent from the secure look-alikes.
func TestDefectsAreInTheFiles(t *testing.T) {
	dir := t.TempDir()
	repos, err := Org(dir, 40, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	read := func(r *Repo, name string) string {
		b, err := os.ReadFile(filepath.Join(dir, r.Name, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, r := range repos {
		api, ha, gun := read(r, "conf.d/api.conf"), read(r, "haproxy.cfg"), read(r, "gunicorn.conf.py")
		upload := api[strings.Index(api, "location /api/v1/uploads/"):]
		checks := []struct {
			d    Defect
			vuln bool
		}{
			{VerifyOptional, strings.Contains(api, "ssl_verify_client optional;") && !strings.Contains(api, "$ssl_client_verify")},
			{HeaderInheritance, !strings.Contains(upload, "X-SSL-Client-DN") && strings.Contains(upload, "proxy_set_header")},
			{HAProxyAddHeader, strings.Contains(ha, "add-header X-SSL-Client-Verify") && !strings.Contains(ha, "del-header ^x[-_]ssl[-_] -m reg")},
			{SchemeHeader, !strings.Contains(api, "X-Forwarded-Proto")},
			{PublicBind, strings.Contains(gun, `bind = "0.0.0.0:`) && strings.Contains(read(r, "docker-compose.yml"), "ports:\n      - \"1")},
		}
		for _, c := range checks {
			if c.vuln != r.Has(c.d) {
				t.Errorf("%s: %s in the files = %v, in the manifest = %v", r.Name, c.d, c.vuln, r.Has(c.d))
			}
		}
		if !strings.Contains(read(r, filepath.Join(strings.Split(r.Name, "-")[0]+"_site", "settings", "production.py")), `SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")`) {
			t.Errorf("%s: the settings do not trust X-Forwarded-Proto", r.Name)
		}
	}
}

func TestMonorepo(t *testing.T) {
	dir := t.TempDir()
	repos, err := Monorepo(dir, 500, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	perService := repos[0].Files
	if n < 500 || n >= 500+perService+1 || len(repos) != (500+perService-1)/perService {
		t.Errorf("%d files in %d services, want about 500", n, len(repos))
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "HEAD")); err != nil {
		t.Error(err)
	}
}

// The real servers accept what the generator writes: the benchmarks
// measure configurations nginx, HAProxy and Python would load.

func TestPythonCompiles(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("Debian's python3 is not installed")
	}
	dir := t.TempDir()
	if _, err := Org(dir, 8, Options{Seed: 2}); err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".py") {
			files = append(files, p)
		}
		return err
	})
	// Compile only (no import): -m py_compile parses and writes bytecode.
	cmd := exec.Command(py, append([]string{"-m", "py_compile"}, files...)...)
	cmd.Env = append(os.Environ(), "PYTHONPYCACHEPREFIX="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("py_compile: %v\n%s", err, out)
	}
}

func TestNginxAndHAProxyAccept(t *testing.T) {
	nginx, haproxy := "/usr/sbin/nginx", "/usr/sbin/haproxy"
	if _, err := os.Stat(nginx); err != nil {
		t.Skip("nginx is not installed")
	}
	if _, err := os.Stat(haproxy); err != nil {
		t.Skip("haproxy is not installed")
	}
	root := t.TempDir()
	writePKI(t, root)
	for _, d := range []string{"run/gunicorn", "var/log/nginx"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	repos, err := Org(dir, 8, Options{Seed: 4, Root: root, Vulnerable: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range repos {
		repo := filepath.Join(dir, r.Name)
		cmd := exec.Command(nginx, "-t", "-q", "-p", root+"/", "-c", filepath.Join(repo, "nginx.conf"), "-e", filepath.Join(root, "error.log"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s (%v): nginx -t: %v\n%s", r.Name, r.Defects, err, out)
		}
		cmd = exec.Command(haproxy, "-c", "-q", "-f", filepath.Join(repo, "haproxy.cfg"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s (%v): haproxy -c: %v\n%s", r.Name, r.Defects, err, out)
		}
	}
}

// writePKI writes the certificates, keys and CRLs the configurations
// name, below root.
func writePKI(t *testing.T, root string) {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	now := time.Now()
	ca := func(name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte, []byte) {
		k := key()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := x509.ParseCertificate(der)
		crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(time.Hour)}, cert, k)
		if err != nil {
			t.Fatal(err)
		}
		return cert, k, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl})
	}
	leaf := func(caCert *x509.Certificate, caKey *ecdsa.PrivateKey, name string) ([]byte, []byte) {
		k := key()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kd, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})
	}
	partner, partnerKey, partnerPEM, partnerCRL := ca("partner CA")
	_, _, staffPEM, staffCRL := ca("staff CA")
	crt, k := leaf(partner, partnerKey, "api.example.com")
	files := map[string][]byte{
		"etc/nginx/certs/api.crt": crt, "etc/nginx/certs/api.key": k,
		"etc/nginx/certs/admin.crt": crt, "etc/nginx/certs/admin.key": k,
		"etc/nginx/certs/partner-ca.pem": partnerPEM, "etc/nginx/certs/partner-ca.crl": partnerCRL,
		"etc/nginx/certs/staff-ca.pem": staffPEM, "etc/nginx/certs/staff-ca.crl": staffCRL,
		"etc/haproxy/certs/site.pem":       append(append([]byte{}, crt...), k...),
		"etc/haproxy/certs/partner-ca.pem": partnerPEM, "etc/haproxy/certs/partner-ca.crl": partnerCRL,
	}
	for name, b := range files {
		if err := writeFile(filepath.Join(root, name), string(b)); err != nil {
			t.Fatal(err)
		}
	}
}
