package pgp

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// KeyPair is an armored OpenPGP key pair.
type KeyPair struct {
	Public      string // armored public key block
	Secret      string // armored secret key block, unprotected
	Fingerprint string // upper-case hex
}

// GenerateKeyPair creates a v4 key (RFC 4880 §5.5.2): an Ed25519 primary key for signing and a
// Curve25519 (ECDH) subkey for encryption.
func GenerateKeyPair(name, email string) (*KeyPair, error) {
	// A user id is "name (comment) <email>": brackets in the name would be misread.
	name = strings.TrimSpace(strings.NewReplacer("(", "", ")", "", "<", "", ">", "").Replace(name))
	// The self-signature's preferences (RFC 4880 §5.2.3.7-9) list AES-256 and
	// SHA-256 first, so that messages to this key use them. SEIPD v2 is not
	// advertised: gpg 2.2 cannot read it.
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519,
		DefaultCipher: packet.CipherAES256, DefaultHash: crypto.SHA256}
	e, err := openpgp.NewEntity(name, "", email, cfg)
	if err != nil {
		return nil, fmt.Errorf("generate openpgp key for %s: %w", name, err)
	}
	var pub, sec bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err != nil {
		return nil, fmt.Errorf("armor public key: %w", err)
	}
	if err := e.Serialize(w); err != nil {
		return nil, fmt.Errorf("serialize public key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("armor public key: %w", err)
	}
	w, err = armor.Encode(&sec, openpgp.PrivateKeyType, nil)
	if err != nil {
		return nil, fmt.Errorf("armor secret key: %w", err)
	}
	if err := e.SerializePrivate(w, nil); err != nil {
		return nil, fmt.Errorf("serialize secret key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("armor secret key: %w", err)
	}
	return &KeyPair{Public: pub.String() + "\n", Secret: sec.String() + "\n", Fingerprint: strings.ToUpper(fmt.Sprintf("%x", e.PrimaryKey.Fingerprint))}, nil
}

// MinRSABits is the smallest RSA modulus accepted for a primary key or a
// usable subkey: 3072 bits, the size NIST SP 800-57 pairs with 128-bit
// security and the one RFC 9580 §12.4 recommends as a minimum for new keys.
const MinRSABits = 3072

// ErrKeyRefused is wrapped by every error that refuses a key: malformed,
// revoked, expired, too weak, unusable for encryption, several keys at once,
// or secret key material. The wrapping *KeyError says which and how to fix it.
var ErrKeyRefused = errors.New("openpgp key refused")

// KeyError explains why a key was refused, in words meant for the
// organization that sent it. It wraps ErrKeyRefused.
type KeyError struct {
	Fingerprint string // upper-case hex of the primary key, "" when unknown
	Reason      string // what is wrong and how to fix it
}

// Error returns the user-facing refusal message.
func (e *KeyError) Error() string {
	if e.Fingerprint == "" {
		return "openpgp key refused: " + e.Reason
	}
	return "openpgp key " + e.Fingerprint + " refused: " + e.Reason
}

// Unwrap returns ErrKeyRefused.
func (e *KeyError) Unwrap() error { return ErrKeyRefused }

// PublicKey is one organization's OpenPGP certificate (a transferable public
// key, RFC 9580 §10.1; RFC 4880 §11.1) that passed the hub's checks when it
// was parsed. It is immutable and safe for concurrent use.
type PublicKey struct {
	entity *openpgp.Entity
}

// Fingerprint returns the primary key's fingerprint in upper-case hex: 40
// digits for v4 keys (RFC 4880 §12.2), 64 for v6 keys (RFC 9580 §5.5.4.3).
func (k *PublicKey) Fingerprint() string { return fingerprint(k.entity) }

// KeyID returns the primary key's 64-bit key ID as 16 upper-case hex digits
// (RFC 9580 §5.5.4).
func (k *PublicKey) KeyID() string { return keyID(k.entity.PrimaryKey.KeyId) }

// KeyIDs returns the key IDs of the primary key and of every subkey, in the
// form Recipients reports, so that a caller can tell whether an encrypted
// message names this key.
func (k *PublicKey) KeyIDs() []string {
	ids := []string{keyID(k.entity.PrimaryKey.KeyId)}
	for _, s := range k.entity.Subkeys {
		ids = append(ids, keyID(s.PublicKey.KeyId))
	}
	return ids
}

// Version returns the key version: 4 (RFC 4880 §5.5.2) or 6 (RFC 9580 §5.5.2.3).
func (k *PublicKey) Version() int { return k.entity.PrimaryKey.Version }

// UserID returns the primary user ID ("Name <email>", RFC 9580 §5.11), or ""
// for a v6 key published without one.
func (k *PublicKey) UserID() string {
	if id := k.entity.PrimaryIdentity(); id != nil {
		return id.Name
	}
	return ""
}

// Armored returns the key as an ASCII-armored public key block (RFC 9580
// §6.2), without any secret material.
func (k *PublicKey) Armored() string {
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err == nil {
		err = k.entity.Serialize(w)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		// Serializing a parsed entity to memory cannot fail; a failure here is
		// a bug in go-crypto, not a condition callers could handle.
		panic(fmt.Sprintf("pgp: serialize public key %s: %v", k.Fingerprint(), err))
	}
	return b.String() + "\n"
}

// SecretKey is the hub's own key pair: it decrypts designs sent to the hub
// and signs exports. Its secret material must not be passphrase-protected,
// since the hub runs unattended (the operator protects the file instead).
type SecretKey struct {
	entity *openpgp.Entity
	public *PublicKey
}

// Public returns the public half of the key, with no secret material.
func (k *SecretKey) Public() *PublicKey { return k.public }

// Fingerprint returns the primary key's fingerprint in upper-case hex.
func (k *SecretKey) Fingerprint() string { return k.public.Fingerprint() }

// ArmoredPublic returns the armored public key block, as served at
// GET /api/v1/keys/hub.asc.
func (k *SecretKey) ArmoredPublic() string { return k.public.Armored() }

// ParsePublicKey parses and vets an organization's public key, armored (RFC
// 9580 §6.2) or binary, v4 or v6, checked against the current time. See
// ParsePublicKeyAt for the rules.
func ParsePublicKey(armoredOrBinary []byte) (*PublicKey, error) {
	return ParsePublicKeyAt(armoredOrBinary, time.Now())
}

// ParsePublicKeyAt parses an organization's public key and refuses, with a
// *KeyError wrapping ErrKeyRefused, a key that the hub cannot safely encrypt
// to at time now:
//
//   - secret key material (tags 5 and 7, RFC 9580 §5.5.1.3) given where a
//     public key is expected;
//   - more than one key in the block, or more than one armored block;
//   - a key version other than 4 (RFC 4880 §5.5.2) or 6 (RFC 9580 §5.5.2.3);
//   - a revoked primary key or primary user ID (RFC 9580 §5.2.1.11, §5.2.3.31);
//   - an expired primary key (key expiration time, RFC 9580 §5.2.3.13);
//   - DSA or ElGamal in the primary key or a usable subkey (deprecated by
//     RFC 9580 §9.1);
//   - RSA below MinRSABits in the primary key or a usable subkey;
//   - no usable encryption subkey: none flagged for encryption (key flags,
//     RFC 9580 §5.2.3.29), or all of them revoked or expired.
//
// Subkeys that are revoked or expired are ignored by the algorithm checks,
// since they will never be used.
func ParsePublicKeyAt(armoredOrBinary []byte, now time.Time) (*PublicKey, error) {
	e, secret, err := readOneKey(armoredOrBinary)
	if err != nil {
		return nil, err
	}
	if secret {
		return nil, &KeyError{Fingerprint: fingerprint(e), Reason: "this is a secret key (it holds private key material); " +
			"send only the public key, exported with `gpg --armor --export " + fingerprint(e) + "`, " +
			"and treat the secret key as compromised if it left your systems"}
	}
	if err := vet(e, now); err != nil {
		return nil, err
	}
	return &PublicKey{entity: e}, nil
}

// ParseSecretKey parses the hub's own secret key (an armored or binary
// transferable secret key, RFC 9580 §10.2). The key must hold unprotected
// secret material for its signing key and its encryption subkey and pass the
// same checks as ParsePublicKey at the current time.
func ParseSecretKey(armored []byte) (*SecretKey, error) {
	e, secret, err := readOneKey(armored)
	if err != nil {
		return nil, err
	}
	fp := fingerprint(e)
	if !secret || e.PrivateKey == nil {
		return nil, &KeyError{Fingerprint: fp, Reason: "this is a public key, but the hub needs its secret key " +
			"(a \"PGP PRIVATE KEY BLOCK\", exported with `gpg --armor --export-secret-keys " + fp + "`)"}
	}
	now := time.Now()
	if err := vet(e, now); err != nil {
		return nil, err
	}
	sign, ok := e.SigningKey(now)
	if !ok || sign.PrivateKey == nil || sign.PrivateKey.Dummy() {
		return nil, &KeyError{Fingerprint: fp, Reason: "the secret key of its signing key is missing (a stub exported from a smartcard?)"}
	}
	enc, ok := e.EncryptionKey(now)
	if !ok || enc.PrivateKey == nil || enc.PrivateKey.Dummy() {
		return nil, &KeyError{Fingerprint: fp, Reason: "the secret key of its encryption subkey is missing (a stub exported from a smartcard?)"}
	}
	if sign.PrivateKey.Encrypted || enc.PrivateKey.Encrypted {
		return nil, &KeyError{Fingerprint: fp, Reason: "the secret key is protected by a passphrase, which the unattended hub cannot enter; " +
			"remove it (`gpg --passwd " + fp + "` with an empty passphrase) and protect the key file instead"}
	}
	// Keep a public-only copy for Public and ArmoredPublic, so that secret
	// material can never leak through them.
	var pub bytes.Buffer
	if err := e.Serialize(&pub); err != nil {
		return nil, fmt.Errorf("serialize public part of %s: %w", fp, err)
	}
	pe, err := openpgp.ReadKeyRing(&pub)
	if err != nil || len(pe) != 1 {
		return nil, fmt.Errorf("reread public part of %s: %v", fp, err)
	}
	return &SecretKey{entity: e, public: &PublicKey{entity: pe[0]}}, nil
}

// readOneKey decodes a key block and returns its only key and whether it
// holds secret material.
func readOneKey(b []byte) (*openpgp.Entity, bool, error) {
	// Only leading whitespace is dropped: trailing octets of a binary key may
	// well look like whitespace.
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return nil, false, &KeyError{Reason: "the key is empty; paste the output of `gpg --armor --export FINGERPRINT`"}
	}
	if isArmored(b) {
		if n := armorBlocks(b); n > 1 {
			return nil, false, &KeyError{Reason: fmt.Sprintf("the text holds %d armored blocks; give exactly one key, "+
				"exported with `gpg --armor --export FINGERPRINT`", n)}
		}
	}
	body, typ, err := dearmor(b)
	if err != nil {
		return nil, false, &KeyError{Reason: "not an OpenPGP key: " + err.Error() + "; paste the output of `gpg --armor --export FINGERPRINT`"}
	}
	if typ != "" && typ != openpgp.PublicKeyType && typ != openpgp.PrivateKeyType {
		return nil, false, &KeyError{Reason: fmt.Sprintf("the armored block is a %q, not a %q", typ, openpgp.PublicKeyType)}
	}
	tags, err := scanPackets(body)
	if err != nil {
		return nil, false, &KeyError{Reason: "malformed key block: " + err.Error()}
	}
	var keys int
	secret := typ == openpgp.PrivateKeyType
	for _, t := range tags {
		switch t {
		case tagPublicKey, tagSecretKey:
			keys++
		}
		if t == tagSecretKey || t == tagSecretSubkey {
			secret = true
		}
	}
	if keys == 0 {
		return nil, false, &KeyError{Reason: "the block holds no key (signatures or a message?); paste the output of `gpg --armor --export FINGERPRINT`"}
	}
	ents, err := openpgp.ReadKeyRing(bytes.NewReader(body))
	if err != nil {
		return nil, false, &KeyError{Reason: "unsupported or malformed key: " + err.Error() +
			"; use a v4 or v6 key with Ed25519/Curve25519 or RSA of at least 3072 bits"}
	}
	if keys > 1 {
		fps := make([]string, 0, len(ents))
		for _, e := range ents {
			fps = append(fps, fingerprint(e))
		}
		return nil, false, &KeyError{Reason: fmt.Sprintf("the block holds %d keys (%s); give exactly one, "+
			"exported with `gpg --armor --export FINGERPRINT`", keys, strings.Join(fps, ", "))}
	}
	if len(ents) != 1 {
		return nil, false, &KeyError{Reason: "unsupported or malformed key"}
	}
	return ents[0], secret, nil
}

// vet applies the hub's key policy (see ParsePublicKeyAt) at time now.
func vet(e *openpgp.Entity, now time.Time) error {
	fp := fingerprint(e)
	refuse := func(format string, args ...any) error {
		return &KeyError{Fingerprint: fp, Reason: fmt.Sprintf(format, args...)}
	}
	pk := e.PrimaryKey
	if pk.Version != 4 && pk.Version != 6 {
		return refuse("version %d keys are not accepted; use a v4 (RFC 4880) or v6 (RFC 9580) key", pk.Version)
	}
	if err := vetAlgorithm(pk, "primary key"); err != "" {
		return refuse("%s", err)
	}
	if e.Revoked(now) {
		return refuse("the key is revoked%s; ask the organization for its current key", revocationReason(e.Revocations))
	}
	self, ident := e.PrimarySelfSignature()
	if self == nil {
		return refuse("the key has no valid self-signature binding a user ID; re-export it with `gpg --armor --export FINGERPRINT`")
	}
	if ident != nil && ident.Revoked(now) {
		return refuse("its primary user ID %q is revoked%s; ask the organization for its current key", ident.Name, revocationReason(ident.Revocations))
	}
	if pk.KeyExpired(self, now) || self.SigExpired(now) {
		return refuse("the key expired on %s; the owner can extend it with `gpg --quick-set-expire %s 2y` and send it again",
			expiry(pk.CreationTime, self), fp)
	}
	var encrypt, revoked, expired int
	var lastExpiry string
	for _, s := range e.Subkeys {
		if s.Revoked(now) {
			if s.Sig.FlagsValid && (s.Sig.FlagEncryptCommunications || s.Sig.FlagEncryptStorage) {
				revoked++
			}
			continue
		}
		if s.PublicKey.KeyExpired(s.Sig, now) || s.Sig.SigExpired(now) {
			if s.Sig.FlagsValid && (s.Sig.FlagEncryptCommunications || s.Sig.FlagEncryptStorage) {
				expired++
				lastExpiry = expiry(s.PublicKey.CreationTime, s.Sig)
			}
			continue
		}
		if err := vetAlgorithm(s.PublicKey, "subkey "+keyID(s.PublicKey.KeyId)); err != "" {
			return refuse("%s", err)
		}
		if s.Sig.FlagsValid && s.Sig.FlagEncryptCommunications && s.PublicKey.PubKeyAlgo.CanEncrypt() {
			encrypt++
		}
	}
	if _, ok := e.EncryptionKey(now); ok {
		return nil
	}
	switch {
	case encrypt == 0 && expired > 0:
		return refuse("its encryption subkey expired on %s; the owner can extend it with `gpg --quick-set-expire %s 2y '*'` and send the key again", lastExpiry, fp)
	case encrypt == 0 && revoked > 0:
		return refuse("all its encryption subkeys are revoked; the owner can add one with `gpg --quick-add-key %s cv25519 encr` and send the key again", fp)
	default:
		return refuse("the key has no encryption-capable subkey (a signing-only key?); the owner can add one with `gpg --quick-add-key %s cv25519 encr` and send the key again", fp)
	}
}

// vetAlgorithm returns why the algorithm of k is refused, or "".
func vetAlgorithm(k *packet.PublicKey, what string) string {
	switch k.PubKeyAlgo {
	case packet.PubKeyAlgoDSA, packet.PubKeyAlgoElGamal:
		return fmt.Sprintf("its %s uses %s, which is no longer accepted (RFC 9580 §9.1); "+
			"generate a new key with `gpg --quick-gen-key 'Name <email>' future-default` (Ed25519/Curve25519) or rsa3072", what, algorithmName(k.PubKeyAlgo))
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSAEncryptOnly, packet.PubKeyAlgoRSASignOnly:
		bits, err := k.BitLength()
		if err != nil {
			return fmt.Sprintf("its %s is an unreadable RSA key: %v", what, err)
		}
		if int(bits) < MinRSABits {
			return fmt.Sprintf("its %s is RSA with %d bits, below the %d bits required; "+
				"generate a new key with `gpg --quick-gen-key 'Name <email>' future-default` (Ed25519/Curve25519) or rsa3072", what, bits, MinRSABits)
		}
	}
	return ""
}

func algorithmName(a packet.PublicKeyAlgorithm) string {
	switch a {
	case packet.PubKeyAlgoDSA:
		return "DSA"
	case packet.PubKeyAlgoElGamal:
		return "ElGamal"
	}
	return fmt.Sprintf("algorithm %d", a)
}

// revocationReason formats the reason of the first revocation, if it gave one
// (RFC 9580 §5.2.3.31).
func revocationReason(revs []*packet.Signature) string {
	for _, r := range revs {
		if r.RevocationReasonText != "" {
			return fmt.Sprintf(" (reason: %q)", r.RevocationReasonText)
		}
	}
	return ""
}

// expiry formats the expiration time carried by a self-signature (RFC 9580
// §5.2.3.13 key expiration, relative to the key's creation, or the
// signature's own expiration, §5.2.3.18).
func expiry(created time.Time, sig *packet.Signature) string {
	t := time.Time{}
	if sig.KeyLifetimeSecs != nil && *sig.KeyLifetimeSecs != 0 {
		t = created.Add(time.Duration(*sig.KeyLifetimeSecs) * time.Second)
	}
	if sig.SigLifetimeSecs != nil && *sig.SigLifetimeSecs != 0 {
		if st := sig.CreationTime.Add(time.Duration(*sig.SigLifetimeSecs) * time.Second); t.IsZero() || st.Before(t) {
			t = st
		}
	}
	if t.IsZero() {
		return "an unknown date"
	}
	return t.UTC().Format(time.RFC3339)
}

func fingerprint(e *openpgp.Entity) string {
	return strings.ToUpper(fmt.Sprintf("%x", e.PrimaryKey.Fingerprint))
}

func keyID(id uint64) string { return fmt.Sprintf("%016X", id) }
