package pgp

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// newSecret generates a v4 Ed25519/Curve25519 key pair and parses it as the
// hub would.
func newSecret(t testing.TB, name string) (*SecretKey, *KeyPair) {
	t.Helper()
	kp, err := GenerateKeyPair(name, strings.ToLower(strings.ReplaceAll(name, " ", "-"))+"@test.example")
	if err != nil {
		t.Fatal(err)
	}
	sk, err := ParseSecretKey([]byte(kp.Secret))
	if err != nil {
		t.Fatalf("ParseSecretKey(%s): %v", name, err)
	}
	return sk, kp
}

// newEntity generates a go-crypto entity with cfg (nil: v4 Ed25519).
func newEntity(t testing.TB, cfg *packet.Config) *openpgp.Entity {
	t.Helper()
	if cfg == nil {
		cfg = &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA}
	}
	e, err := openpgp.NewEntity("Test Org", "", "org@test.example", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// v6Config makes an RFC 9580 v6 Ed25519/X25519 key that advertises SEIPD v2
// (AEAD), as v6 keys from other implementations do.
func v6Config() *packet.Config {
	return &packet.Config{V6Keys: true, Algorithm: packet.PubKeyAlgoEd25519, AEADConfig: &packet.AEADConfig{}}
}

func armoredPublic(t testing.TB, e *openpgp.Entity) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func armoredSecret(t testing.TB, e *openpgp.Entity) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SerializePrivate(w, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mustParse(t testing.TB, b []byte) *PublicKey {
	t.Helper()
	k, err := ParsePublicKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	_, _ = r.Read(b)
	return b
}

// gpgHome is a throw-away gpg home directory.
type gpgHome struct {
	t    testing.TB
	gpg  string
	home string
}

// newGPG returns a fresh gpg home, or skips the test when gpg is missing. The
// directory sits directly under os.TempDir because gpg-agent's socket path
// must stay under ~100 bytes.
func newGPG(t testing.TB) *gpgHome {
	t.Helper()
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg not installed (apt-get install gnupg); .ci/run installs it")
	}
	home, err := os.MkdirTemp("", "kgpg")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	g := &gpgHome{t: t, gpg: gpg, home: home}
	t.Cleanup(func() {
		// Stop the agent this home started, then remove the home.
		if conf, err := exec.LookPath("gpgconf"); err == nil {
			_ = exec.Command(conf, "--homedir", home, "--kill", "all").Run()
		}
		_ = os.RemoveAll(home)
	})
	return g
}

// in returns the same home reporting failures to t (a subtest).
func (g *gpgHome) in(t testing.TB) *gpgHome {
	c := *g
	c.t = t
	return &c
}

// run runs gpg with args in this home and fails the test on error.
func (g *gpgHome) run(stdin []byte, args ...string) []byte {
	g.t.Helper()
	out, stderr, err := g.try(stdin, args...)
	if err != nil {
		g.t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// try runs gpg with args and returns stdout, stderr and the error.
func (g *gpgHome) try(stdin []byte, args ...string) ([]byte, []byte, error) {
	all := append([]string{"--homedir", g.home, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", "--trust-model", "always"}, args...)
	cmd := exec.Command(g.gpg, all...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}

// importKey imports an armored key (public or secret).
func (g *gpgHome) importKey(armored string) {
	g.t.Helper()
	g.run([]byte(armored), "--import")
}

// file writes b to a file in the home and returns its path.
func (g *gpgHome) file(name string, b []byte) string {
	g.t.Helper()
	p := filepath.Join(g.home, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		g.t.Fatal(err)
	}
	return p
}

// genKey makes a key with gpg --quick-gen-key and returns its fingerprint.
func (g *gpgHome) genKey(uid, algo, usage string) string {
	g.t.Helper()
	g.run(nil, "--quick-gen-key", uid, algo, usage, "never")
	out := g.run(nil, "--with-colons", "--list-keys", uid)
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Split(line, ":"); f[0] == "fpr" {
			return f[9]
		}
	}
	g.t.Fatalf("no fingerprint for %s in\n%s", uid, out)
	return ""
}
