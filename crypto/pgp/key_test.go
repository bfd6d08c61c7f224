package pgp

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
)

func TestGenerateKeyPairReadable(t *testing.T) {
	kp, err := GenerateKeyPair("Sakura Telecom", "carrier-a@demo.kakehashi.example")
	if err != nil {
		t.Fatal(err)
	}
	ents, err := openpgp.ReadArmoredKeyRing(strings.NewReader(kp.Public))
	if err != nil || len(ents) != 1 {
		t.Fatalf("read public key: %v", err)
	}
	if len(ents[0].Subkeys) == 0 || !ents[0].Subkeys[0].PublicKey.PubKeyAlgo.CanEncrypt() {
		t.Error("key has no encryption-capable subkey")
	}
	if ents[0].PrimaryKey.Version != 4 {
		t.Errorf("key version %d, want 4 for gpg 2.2", ents[0].PrimaryKey.Version)
	}
	sec, err := openpgp.ReadArmoredKeyRing(strings.NewReader(kp.Secret))
	if err != nil || sec[0].PrivateKey == nil {
		t.Fatalf("read secret key: %v", err)
	}
}

// TestGPGImportsGeneratedKey checks interop with the real gpg: the secret key
// that the demo world writes for each organization must import.
func TestGPGImportsGeneratedKey(t *testing.T) {
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg not installed (apt-get install gnupg); .ci/run installs it")
	}
	kp, err := GenerateKeyPair("Kaede Networks", "carrier-b@demo.kakehashi.example")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	f := filepath.Join(home, "k.asc")
	if err := os.WriteFile(f, []byte(kp.Secret), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(gpg, "--homedir", home, "--batch", "--import", f).CombinedOutput()
	if err != nil {
		t.Fatalf("gpg --import: %v\n%s", err, out)
	}
	out, err = exec.Command(gpg, "--homedir", home, "--batch", "--with-colons", "--list-secret-keys").CombinedOutput()
	if err != nil || !strings.Contains(string(out), kp.Fingerprint) {
		t.Fatalf("gpg does not list secret key %s: %v\n%s", kp.Fingerprint, err, out)
	}
}
