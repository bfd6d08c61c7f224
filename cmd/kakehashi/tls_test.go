package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeSelfSigned writes a throwaway certificate for 127.0.0.1 and returns
// the cert and key paths and a pool that trusts it.
func writeSelfSigned(t *testing.T, dir string) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kakehashi test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certPath, keyPath, pool
}

func TestServeTLSFromConfigFile(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath, pool := writeSelfSigned(t, dir)
	cfgPath := filepath.Join(dir, "kakehashi.yaml")
	cfg := "data: " + filepath.Join(dir, "data") + "\ntls_cert: " + certPath + "\ntls_key: " + keyPath + "\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startHub(t, "--demo", "--config", cfgPath)
	defer h.stop(t)
	if !strings.HasPrefix(h.base, "http://") {
		t.Fatalf("base %q", h.base)
	}
	url := "https://" + strings.TrimPrefix(h.base, "http://") + "/healthz"
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("HTTPS request: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("HTTPS /healthz: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if _, err := http.Get(h.base + "/healthz"); err == nil {
		t.Error("plain HTTP answered on the TLS port")
	}
}

func TestConfigFileUnknownKey(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	_ = os.WriteFile(p, []byte("adr: 127.0.0.1:1\n"), 0o600)
	e, _, errb := testEnv("")
	if code := run(t.Context(), []string{"serve", "--config", p}, e); code != exitUsage || !strings.Contains(errb.String(), "adr") {
		t.Errorf("unknown config key: exit %d, stderr %q; want 2 naming the key", code, errb)
	}
}
