// Package pgp holds the hub's OpenPGP operations, built on
// github.com/ProtonMail/go-crypto: key generation, parsing and vetting of
// organizations' public keys, encryption of sensitive designs to several
// recipients at once, decryption of designs sent to the hub, and detached and
// inline signatures for exports (SHARING.md §5).
//
// Everything the hub emits is readable by the gpg 2.2 shipped by Debian 12:
// keys are OpenPGP v4 (RFC 4880 §5.5.2) with Ed25519/Curve25519, and messages
// use v3 public-key encrypted session key packets (RFC 9580 §5.1.1) followed by
// a version 1 Symmetrically Encrypted Integrity Protected Data packet with its
// Modification Detection Code (RFC 9580 §5.13.1, RFC 4880 §5.13), AES-256
// whenever every recipient lists it. Version 6 keys (RFC 9580 §5.5.2.3) are
// accepted from organizations; a message whose recipients are all v6 keys uses
// SEIPD v2 with AEAD (RFC 9580 §5.13.2) instead, which gpg 2.2 cannot read but
// neither can it read v6 keys. See docs/openpgp.md for the full rationale.
//
// The package imports nothing of the project: callers hand it bytes and
// readers and get back plain values and errors. Key vetting errors wrap
// ErrKeyRefused and carry a message meant for the organization that sent the
// key; decryption reports ErrNotForUs, ErrNotEncrypted and ErrIntegrity, and
// signature checks ErrBadSignature, so callers can tell them apart with
// errors.Is.
package pgp
