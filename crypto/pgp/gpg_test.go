package pgp

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGPGDecryptsOurMessage: a message encrypted by us to three recipients
// decrypts with `gpg --decrypt` and each recipient's secret key to the exact
// original bytes, binary and armored, up to the 16 MiB design limit.
func TestGPGDecryptsOurMessage(t *testing.T) {
	newGPG(t) // skip early without gpg
	var keys []*SecretKey
	var homes []*gpgHome
	for _, name := range []string{"Sakura Telecom", "MIC Regulator", "Kaede Networks"} {
		sk, kp := newSecret(t, name)
		g := newGPG(t)
		g.importKey(kp.Secret)
		keys, homes = append(keys, sk), append(homes, g)
	}
	hub, _ := newSecret(t, "Kakehashi Hub")
	for _, g := range homes {
		g.importKey(hub.ArmoredPublic())
	}
	recipients := []*PublicKey{keys[0].Public(), keys[1].Public(), keys[2].Public()}
	tests := []struct {
		name string
		size int
		opts EncryptOptions
	}{
		{name: "small armored", size: 1234, opts: EncryptOptions{Armor: true}},
		{name: "16 MiB binary", size: 16 << 20},
		{name: "signed by the hub, armored", size: 70 << 10, opts: EncryptOptions{Armor: true, Signer: hub}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := randomBytes(tt.size, uint64(tt.size))
			var msg bytes.Buffer
			if err := EncryptTo(&msg, bytes.NewReader(plain), recipients, tt.opts); err != nil {
				t.Fatal(err)
			}
			for i, g := range homes {
				g := g.in(t)
				in := g.file("design.pgp", msg.Bytes())
				out := filepath.Join(g.home, "design.out")
				_ = os.Remove(out)
				g.run(nil, "--output", out, "--decrypt", in)
				got, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, plain) {
					t.Fatalf("recipient %d: gpg decrypted %d bytes that differ from the %d sent", i, len(got), len(plain))
				}
			}
		})
	}
	// gpg checks the hub's signature inside the encryption.
	g := homes[0]
	var msg bytes.Buffer
	if err := EncryptTo(&msg, strings.NewReader("signed export"), recipients, EncryptOptions{Armor: true, Signer: hub}); err != nil {
		t.Fatal(err)
	}
	_, status, err := g.try(msg.Bytes(), "--status-fd", "2", "--decrypt")
	if err != nil || !bytes.Contains(status, []byte("[GNUPG:] VALIDSIG "+hub.Fingerprint())) || !bytes.Contains(status, []byte("[GNUPG:] DECRYPTION_OKAY")) {
		t.Fatalf("gpg --decrypt of a signed message: %v\n%s", err, status)
	}
}

// TestGPGVerifiesHubSignatures: detached and inline signatures by the hub
// verify with `gpg --verify` against the hub's published public key.
func TestGPGVerifiesHubSignatures(t *testing.T) {
	g := newGPG(t)
	hub, _ := newSecret(t, "Kakehashi Hub")
	g.importKey(hub.ArmoredPublic())
	data := []byte(`{"type":"bundle","id":"bundle--5e1f","objects":[]}` + "\n")
	dataPath := g.file("export.json", data)
	for _, armored := range []bool{true, false} {
		var sig bytes.Buffer
		if err := SignDetached(&sig, bytes.NewReader(data), hub, armored); err != nil {
			t.Fatal(err)
		}
		sigPath := g.file("export.json.sig", sig.Bytes())
		_, status, err := g.try(nil, "--status-fd", "2", "--verify", sigPath, dataPath)
		if err != nil || !bytes.Contains(status, []byte("[GNUPG:] VALIDSIG "+hub.Fingerprint())) {
			t.Fatalf("armored=%v: gpg --verify of a detached signature: %v\n%s", armored, err, status)
		}
		// And gpg catches a changed byte.
		bad := g.file("export-bad.json", append(bytes.Clone(data[:len(data)-2]), '}', '\n', '\n'))
		if _, status, err := g.try(nil, "--status-fd", "2", "--verify", sigPath, bad); err == nil || !bytes.Contains(status, []byte("BADSIG")) {
			t.Errorf("armored=%v: gpg accepted a detached signature over changed data: %v\n%s", armored, err, status)
		}

		var msg bytes.Buffer
		if err := SignMessage(&msg, bytes.NewReader(data), hub, armored); err != nil {
			t.Fatal(err)
		}
		out, status, err := g.try(msg.Bytes(), "--status-fd", "2", "--decrypt")
		if err != nil || !bytes.Contains(status, []byte("[GNUPG:] VALIDSIG "+hub.Fingerprint())) || !bytes.Equal(out, data) {
			t.Fatalf("armored=%v: gpg --decrypt of an inline-signed message: %v\n%s", armored, err, status)
		}
		if _, status, err := g.try(msg.Bytes(), "--status-fd", "2", "--verify"); err != nil || !bytes.Contains(status, []byte("GOODSIG")) {
			t.Fatalf("armored=%v: gpg --verify of an inline-signed message: %v\n%s", armored, err, status)
		}
	}
}

// TestDecryptGPGMessage: a message made by `gpg --encrypt -r <hub>` is
// decrypted by Decrypt; gpg messages to other keys are ErrNotForUs, and
// tampered ones ErrIntegrity.
func TestDecryptGPGMessage(t *testing.T) {
	g := newGPG(t)
	hub, _ := newSecret(t, "Kakehashi Hub")
	other, otherKP := newSecret(t, "Carrier C")
	g.importKey(hub.ArmoredPublic())
	g.importKey(otherKP.Public)
	plain := randomBytes(3<<20+17, 11)
	text := []byte(strings.Repeat("ネットワーク設計書 design of the core network\n", 5000)) // compresses
	tests := []struct {
		name  string
		plain []byte
		args  []string
		want  error
	}{
		{name: "binary", plain: plain, args: []string{"--encrypt", "-r", hub.Fingerprint()}},
		{name: "armored, compressible", plain: text, args: []string{"--armor", "--encrypt", "-r", hub.Fingerprint()}},
		{name: "zlib compressed", plain: text, args: []string{"--compress-algo", "zlib", "--encrypt", "-r", hub.Fingerprint()}},
		{name: "to the hub and another key", plain: plain, args: []string{"--encrypt", "-r", other.Fingerprint(), "-r", hub.Fingerprint()}},
		{name: "hidden recipient", plain: text, args: []string{"--throw-keyids", "--encrypt", "-r", hub.Fingerprint()}},
		{name: "to another key only", plain: text, args: []string{"--encrypt", "-r", other.Fingerprint()}, want: ErrNotForUs},
		{name: "to a passphrase only", plain: text, args: []string{"--passphrase", "secret", "--symmetric"}, want: ErrNotForUs},
		{name: "signed only", plain: text, args: []string{"--local-user", other.Fingerprint(), "--sign"}, want: ErrNotEncrypted},
	}
	// gpg needs the secret of "other" to sign.
	g.importKey(mustSecretArmor(t, other))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := g.in(t)
			in := g.file("in", tt.plain)
			msg := g.run(nil, append(append([]string{"--output", "-"}, tt.args...), in)...)
			if tt.want != ErrNotEncrypted && !IsEncryptedMessage(msg) {
				t.Error("IsEncryptedMessage = false")
			}
			got, err := Decrypt(bytes.NewReader(msg), hub)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.plain) {
				t.Fatalf("decrypted %d bytes that differ from the %d gpg encrypted", len(got), len(tt.plain))
			}
			// Tampering with the gpg message is detected, never accepted.
			bad := bytes.Clone(msg)
			if bad[0]&0x80 == 0 { // armored: tamper with the binary form instead
				bad = g.run(nil, "--dearmor", "--output", "-", g.file("a.asc", msg))
			}
			bad[len(bad)*2/3] ^= 0x01
			if _, err := Decrypt(bytes.NewReader(bad), hub); !errors.Is(err, ErrIntegrity) {
				t.Fatalf("tampered gpg message: err = %v, want ErrIntegrity", err)
			}
		})
	}
}

// mustSecretArmor returns the armored secret key of k.
func mustSecretArmor(t *testing.T, k *SecretKey) string {
	t.Helper()
	return string(armoredSecret(t, k.entity))
}

// TestVerifyGPGSignatures: signatures made by gpg verify with VerifyDetached
// against the signer's key and fail with ErrBadSignature against another.
func TestVerifyGPGSignatures(t *testing.T) {
	g := newGPG(t)
	fpr := g.genKey("Liaison <liaison@test.example>", "ed25519", "sign")
	signer := mustParsePubFromGPG(t, g, fpr, true)
	hub, _ := newSecret(t, "Kakehashi Hub")
	data := []byte("export body\n")
	sig := g.run(nil, "--local-user", fpr, "--output", "-", "--armor", "--detach-sign", g.file("d", data))
	if err := VerifyDetached(bytes.NewReader(data), bytes.NewReader(sig), signer); err != nil {
		t.Fatalf("gpg signature: %v", err)
	}
	if err := VerifyDetached(bytes.NewReader(data), bytes.NewReader(sig), hub.Public()); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("gpg signature checked against the hub's key: %v, want ErrBadSignature", err)
	}
	if err := VerifyDetached(strings.NewReader("export body!\n"), bytes.NewReader(sig), signer); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("changed data: %v, want ErrBadSignature", err)
	}
}

// mustParsePubFromGPG exports fpr from gpg and parses it; sign-only keys
// are vetted as signers would be (they are refused for encryption), so the
// key is read without vetting when signOnly is set.
func mustParsePubFromGPG(t *testing.T, g *gpgHome, fpr string, signOnly bool) *PublicKey {
	t.Helper()
	pub := g.run(nil, "--armor", "--export", fpr)
	if signOnly {
		e, _, err := readOneKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return &PublicKey{entity: e}
	}
	return mustParse(t, pub)
}

// TestParseGPGGeneratedKeys: keys made by gpg --quick-gen-key are accepted
// or refused by ParsePublicKey.
func TestParseGPGGeneratedKeys(t *testing.T) {
	g := newGPG(t)
	tests := []struct {
		name  string
		algo  string // primary
		sub   string // encryption subkey added with --quick-add-key; "" for none
		want  string // "" accepts
		usage string
	}{
		{name: "ed25519/cv25519", algo: "ed25519", sub: "cv25519"},
		{name: "future-default", algo: "future-default", usage: "default"},
		{name: "rsa3072", algo: "rsa3072", sub: "rsa3072"},
		{name: "rsa2048", algo: "rsa2048", sub: "rsa2048", want: "RSA with 2048 bits"},
		{name: "rsa3072 primary, rsa2048 subkey", algo: "rsa3072", sub: "rsa2048", want: "is RSA with 2048 bits"},
		{name: "dsa/elgamal", algo: "dsa2048", sub: "elg2048", want: "uses DSA"},
		{name: "signing only", algo: "ed25519", want: "no encryption-capable subkey"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := g.in(t)
			uid := "Org " + string(rune('A'+i)) + " <org" + string(rune('a'+i)) + "@test.example>"
			usage := tt.usage
			if usage == "" {
				usage = "sign"
			}
			fpr := g.genKey(uid, tt.algo, usage)
			if tt.sub != "" {
				g.run(nil, "--quick-add-key", fpr, tt.sub, "encr", "never")
			}
			pub := g.run(nil, "--armor", "--export", fpr)
			k, err := ParsePublicKey(pub)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if k.Fingerprint() != fpr {
					t.Errorf("fingerprint %s, gpg says %s", k.Fingerprint(), fpr)
				}
			} else if err == nil || !errors.Is(err, ErrKeyRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want refusal containing %q", err, tt.want)
			} else {
				t.Log(err)
			}
			sec := g.run(nil, "--armor", "--export-secret-keys", fpr)
			if _, err := ParsePublicKey(sec); err == nil || !strings.Contains(err.Error(), "this is a secret key") {
				t.Errorf("gpg secret key export: err = %v, want the secret-key refusal", err)
			}
			if tt.want == "" {
				// The accepted key encrypts, and gpg decrypts.
				var msg bytes.Buffer
				if err := EncryptTo(&msg, strings.NewReader("to "+tt.name), []*PublicKey{k}, EncryptOptions{Armor: true}); err != nil {
					t.Fatal(err)
				}
				if out := g.run(msg.Bytes(), "--decrypt"); string(out) != "to "+tt.name {
					t.Errorf("gpg decrypted %q", out)
				}
			}
		})
	}
}

// TestGPGDecryptsMixedV4V6: gpg 2.2 cannot generate or read v6 keys, but a
// message to a v4 and a v6 recipient (SEIPD v1) still decrypts with gpg for
// the v4 one, and with go-crypto for the v6 one.
func TestGPGDecryptsMixedV4V6(t *testing.T) {
	g := newGPG(t)
	v4, kp := newSecret(t, "Sakura Telecom")
	g.importKey(kp.Secret)
	v6, err := ParseSecretKey(armoredSecret(t, newEntity(t, v6Config())))
	if err != nil {
		t.Fatal(err)
	}
	plain := randomBytes(1<<20, 46)
	var msg bytes.Buffer
	if err := EncryptTo(&msg, bytes.NewReader(plain), []*PublicKey{v6.Public(), v4.Public()}, EncryptOptions{}); err != nil {
		t.Fatal(err)
	}
	if out := g.run(msg.Bytes(), "--decrypt"); !bytes.Equal(out, plain) {
		t.Fatalf("gpg decrypted %d bytes that differ from the %d sent", len(out), len(plain))
	}
	if got, err := Decrypt(bytes.NewReader(msg.Bytes()), v6); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("v6 recipient: %v", err)
	}
}
