package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
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

func TestParsePublicKey(t *testing.T) {
	now := time.Now()
	binary := func(t *testing.T, e *openpgp.Entity) []byte {
		var b bytes.Buffer
		if err := e.Serialize(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	tests := []struct {
		name string
		key  func(t *testing.T) []byte
		now  time.Time // zero: now
		want string    // substring of the refusal; "" accepts
	}{
		{name: "v4 ed25519 armored", key: func(t *testing.T) []byte { return armoredPublic(t, newEntity(t, nil)) }},
		{name: "v4 ed25519 binary", key: func(t *testing.T) []byte { return binary(t, newEntity(t, nil)) }},
		{name: "v6 ed25519/x25519", key: func(t *testing.T) []byte {
			return armoredPublic(t, newEntity(t, &packet.Config{V6Keys: true, Algorithm: packet.PubKeyAlgoEd25519}))
		}},
		{name: "key with lifetime, before expiry", now: now.Add(30 * time.Minute), key: func(t *testing.T) []byte {
			return armoredPublic(t, newEntity(t, &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: 3600}))
		}},
		{name: "expired primary key", now: now.Add(2 * time.Hour), want: "the key expired on", key: func(t *testing.T) []byte {
			return armoredPublic(t, newEntity(t, &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: 3600}))
		}},
		{name: "expired encryption subkey", now: now.Add(2 * time.Hour), want: "its encryption subkey expired on", key: func(t *testing.T) []byte {
			e := newEntity(t, nil)
			life := uint32(3600)
			e.Subkeys[0].Sig.KeyLifetimeSecs = &life
			// SerializePrivate re-signs the subkey binding with the lifetime.
			var b bytes.Buffer
			if err := e.SerializePrivate(&b, nil); err != nil {
				t.Fatal(err)
			}
			ents, err := openpgp.ReadKeyRing(&b)
			if err != nil {
				t.Fatal(err)
			}
			return armoredPublic(t, ents[0])
		}},
		{name: "revoked key", want: `the key is revoked (reason: "superseded by carrier-a-2026")`, key: func(t *testing.T) []byte {
			e := newEntity(t, nil)
			if err := e.RevokeKey(packet.KeySuperseded, "superseded by carrier-a-2026", nil); err != nil {
				t.Fatal(err)
			}
			return armoredPublic(t, e)
		}},
		{name: "revoked encryption subkey", want: "all its encryption subkeys are revoked", key: func(t *testing.T) []byte {
			e := newEntity(t, nil)
			if err := e.RevokeSubkey(&e.Subkeys[0], packet.KeyCompromised, "laptop lost", nil); err != nil {
				t.Fatal(err)
			}
			return armoredPublic(t, e)
		}},
		{name: "signing-only key", want: "no encryption-capable subkey", key: func(t *testing.T) []byte {
			e := newEntity(t, nil)
			e.Subkeys = nil
			return armoredPublic(t, e)
		}},
		{name: "rsa 2048", want: "RSA with 2048 bits, below the 3072 bits required", key: func(t *testing.T) []byte {
			return armoredPublic(t, newEntity(t, &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048}))
		}},
		{name: "two armored keys concatenated", want: "2 armored blocks", key: func(t *testing.T) []byte {
			return append(armoredPublic(t, newEntity(t, nil)), armoredPublic(t, newEntity(t, nil))...)
		}},
		{name: "two binary keys concatenated", want: "the block holds 2 keys", key: func(t *testing.T) []byte {
			return append(binary(t, newEntity(t, nil)), binary(t, newEntity(t, nil))...)
		}},
		{name: "secret key", want: "this is a secret key", key: func(t *testing.T) []byte { return armoredSecret(t, newEntity(t, nil)) }},
		{name: "secret key binary", want: "this is a secret key", key: func(t *testing.T) []byte {
			var b bytes.Buffer
			if err := newEntity(t, nil).SerializePrivate(&b, nil); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}},
		{name: "empty", want: "the key is empty", key: func(t *testing.T) []byte { return []byte(" \n") }},
		{name: "not openpgp", want: "not an OpenPGP key", key: func(t *testing.T) []byte { return []byte("ssh-ed25519 AAAAC3Nz carrier-a") }},
		{name: "armored message instead of key", want: `is a "PGP MESSAGE"`, key: func(t *testing.T) []byte {
			var b bytes.Buffer
			if err := EncryptTo(&b, strings.NewReader("x"), []*PublicKey{mustParse(t, armoredPublic(t, newEntity(t, nil)))}, EncryptOptions{Armor: true}); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.now
			if at.IsZero() {
				at = now
			}
			k, err := ParsePublicKeyAt(tt.key(t), at)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if len(k.Fingerprint()) != 40 && len(k.Fingerprint()) != 64 || strings.ToUpper(k.Fingerprint()) != k.Fingerprint() {
					t.Errorf("fingerprint %q is not upper-case hex of a v4 or v6 key", k.Fingerprint())
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want refusal containing %q", tt.want)
			}
			if !errors.Is(err, ErrKeyRefused) {
				t.Errorf("error %v does not wrap ErrKeyRefused", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestPublicKeyAccessors(t *testing.T) {
	e := newEntity(t, nil)
	k := mustParse(t, armoredPublic(t, e))
	if k.Version() != 4 || k.UserID() != "Test Org <org@test.example>" {
		t.Errorf("version %d user id %q", k.Version(), k.UserID())
	}
	if want := fmt.Sprintf("%016X", e.PrimaryKey.KeyId); k.KeyID() != want || k.KeyIDs()[0] != want || len(k.KeyIDs()) != 2 {
		t.Errorf("key ids %s %v, want %s first of 2", k.KeyID(), k.KeyIDs(), want)
	}
	again, err := ParsePublicKey([]byte(k.Armored()))
	if err != nil || again.Fingerprint() != k.Fingerprint() {
		t.Fatalf("Armored does not round-trip: %v", err)
	}
	v6 := mustParse(t, armoredPublic(t, newEntity(t, &packet.Config{V6Keys: true, Algorithm: packet.PubKeyAlgoEd25519})))
	if v6.Version() != 6 || len(v6.Fingerprint()) != 64 {
		t.Errorf("v6 key: version %d fingerprint %s", v6.Version(), v6.Fingerprint())
	}
}

func TestParseSecretKey(t *testing.T) {
	sk, kp := newSecret(t, "Kakehashi Hub")
	if sk.Fingerprint() != kp.Fingerprint || sk.Public().Fingerprint() != kp.Fingerprint {
		t.Errorf("fingerprint %s, want %s", sk.Fingerprint(), kp.Fingerprint)
	}
	pub := sk.ArmoredPublic()
	if strings.Contains(pub, "PRIVATE") {
		t.Fatal("ArmoredPublic holds a private key block")
	}
	if _, err := ParsePublicKey([]byte(pub)); err != nil {
		t.Errorf("ArmoredPublic does not parse as a public key: %v", err)
	}
	if sk.Public().entity.PrivateKey != nil {
		t.Error("Public() carries secret material")
	}

	protected := newEntity(t, nil)
	if err := protected.EncryptPrivateKeys([]byte("hunter2"), nil); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, _ := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	if err := protected.SerializePrivateWithoutSigning(w, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	tests := []struct {
		name string
		key  []byte
		want string
	}{
		{name: "public key given", key: []byte(kp.Public), want: "the hub needs its secret key"},
		{name: "passphrase protected", key: b.Bytes(), want: "protected by a passphrase"},
		{name: "garbage", key: []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nnope\n-----END PGP PRIVATE KEY BLOCK-----\n"), want: "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSecretKey(tt.key)
			if err == nil || !errors.Is(err, ErrKeyRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrKeyRefused containing %q", err, tt.want)
			}
		})
	}
}

// FuzzParsePublicKey: no input makes ParsePublicKey panic, and what it
// accepts round-trips through Armored.
func FuzzParsePublicKey(f *testing.F) {
	kp, err := GenerateKeyPair("Fuzz", "fuzz@test.example")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(kp.Public))
	f.Add([]byte(kp.Secret))
	f.Add([]byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----\n"))
	f.Add([]byte{0x99, 0x00, 0x01, 0x04})
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParsePublicKey(b)
		if err != nil {
			return
		}
		if _, err := ParsePublicKey([]byte(k.Armored())); err != nil {
			t.Fatalf("accepted key does not round-trip: %v", err)
		}
	})
}
