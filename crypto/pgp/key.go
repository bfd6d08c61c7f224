// Package pgp holds the hub's OpenPGP operations with github.com/ProtonMail/go-crypto:
// key generation and, in later work, encryption to recipients and signing.
// Keys and messages are OpenPGP v4 (RFC 4880) with Curve25519, which the gpg
// 2.2 shipped by Debian 12 reads.
package pgp

import (
	"bytes"
	"fmt"
	"strings"

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

// GenerateKeyPair creates a v4 key: an Ed25519 primary key for signing and a
// Curve25519 (ECDH) subkey for encryption.
func GenerateKeyPair(name, email string) (*KeyPair, error) {
	// A user id is "name (comment) <email>": brackets in the name would be misread.
	name = strings.TrimSpace(strings.NewReplacer("(", "", ")", "", "<", "", ">", "").Replace(name))
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519}
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
