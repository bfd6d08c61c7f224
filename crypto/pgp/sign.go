package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
)

// ErrBadSignature means a signature does not verify: the data was changed,
// the signature was made by another key, or it is malformed or expired.
var ErrBadSignature = errors.New("openpgp signature does not verify")

// maxSignatureSize bounds a detached signature read into memory; real ones
// are a few hundred bytes (RFC 9580 §5.2).
const maxSignatureSize = 1 << 20

// SignDetached writes a detached signature (RFC 9580 §5.2, signature type
// 0x00 "binary document", §5.2.1.1) by the hub's key over data, armored
// ("-----BEGIN PGP SIGNATURE-----", RFC 9580 §6.2) or binary. It verifies
// with `gpg --verify SIG DATA`.
func SignDetached(w io.Writer, data io.Reader, key *SecretKey, armored bool) error {
	if key == nil {
		return errors.New("sign: no key")
	}
	cfg := newConfig(time.Now)
	var err error
	if armored {
		out, closeArmor, aerr := maybeArmor(w, true, openpgp.SignatureType)
		if aerr != nil {
			return aerr
		}
		if err = openpgp.DetachSign(out, key.entity, struct{ io.Reader }{data}, cfg); err == nil {
			err = closeArmor()
		}
	} else {
		err = openpgp.DetachSign(w, key.entity, struct{ io.Reader }{data}, cfg)
	}
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	return nil
}

// SignMessage writes an inline-signed message (RFC 9580 §10.3: one-pass
// signature, literal data, signature) carrying the data read from r, armored
// or binary, streaming in constant memory. `gpg --decrypt` (or `gpg
// --verify`) checks it and prints the content.
func SignMessage(w io.Writer, r io.Reader, key *SecretKey, armored bool) error {
	if key == nil {
		return errors.New("sign: no key")
	}
	out, closeArmor, err := maybeArmor(w, armored, openpgp.MessageType)
	if err != nil {
		return err
	}
	in, err := openpgp.Sign(out, key.entity, &openpgp.FileHints{IsBinary: true}, newConfig(time.Now))
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	if err := copyChunked(in, r); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	if err := in.Close(); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	return closeArmor()
}

// VerifyDetached checks a detached signature (armored or binary, RFC 9580
// §5.2.4) over data against the signer's key. It returns an error wrapping
// ErrBadSignature when the signature is malformed, made by another key, or
// does not match the data; other errors are I/O errors reading data.
func VerifyDetached(data, sig io.Reader, signer *PublicKey) error {
	if signer == nil {
		return errors.New("verify: no signer key")
	}
	raw, err := io.ReadAll(io.LimitReader(sig, maxSignatureSize+1))
	if err != nil {
		return fmt.Errorf("verify: read signature: %w", err)
	}
	if len(raw) > maxSignatureSize {
		return fmt.Errorf("verify: %w: signature larger than %d bytes", ErrBadSignature, maxSignatureSize)
	}
	body, typ, err := dearmor(raw)
	if err != nil {
		return fmt.Errorf("verify: %w: %v", ErrBadSignature, err)
	}
	if typ != "" && typ != openpgp.SignatureType {
		return fmt.Errorf("verify: %w: armored block is a %q, not a %q", ErrBadSignature, typ, openpgp.SignatureType)
	}
	dr := &errReader{r: data}
	_, _, err = openpgp.VerifyDetachedSignature(openpgp.EntityList{signer.entity}, dr, bytes.NewReader(body), newConfig(time.Now))
	switch {
	case dr.err != nil:
		return fmt.Errorf("verify: read data: %w", dr.err)
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return fmt.Errorf("verify: %w: not made by key %s", ErrBadSignature, signer.Fingerprint())
	case err != nil:
		return fmt.Errorf("verify: %w: %v", ErrBadSignature, err)
	}
	return nil
}

// VerifyMessage reads an inline-signed message (RFC 9580 §10.3, armored or
// binary, not encrypted), writes its content to w and checks that it is
// signed by signer. As with DecryptTo, the signature is only known at the end:
// when VerifyMessage returns an error, the caller MUST discard what it wrote.
func VerifyMessage(w io.Writer, r io.Reader, signer *PublicKey) error {
	if signer == nil {
		return errors.New("verify: no signer key")
	}
	body, err := openMessage(r)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	md, err := openpgp.ReadMessage(body, openpgp.EntityList{signer.entity}, nil, newConfig(time.Now))
	if err != nil {
		if errors.Is(err, pgperrors.ErrKeyIncorrect) {
			return fmt.Errorf("verify: the message is encrypted; use DecryptTo with DecryptOptions.Signer")
		}
		return fmt.Errorf("verify: %w: %v", ErrBadSignature, err)
	}
	if _, err := io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{md.UnverifiedBody}, make([]byte, copyBufferSize)); err != nil {
		return fmt.Errorf("verify: %w: %v", ErrBadSignature, err)
	}
	if err := checkSignedBy(md, signer); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}

// checkSignedBy checks, after the body was read to EOF, that the message
// carried a good signature by signer.
func checkSignedBy(md *openpgp.MessageDetails, signer *PublicKey) error {
	switch {
	case !md.IsSigned:
		return fmt.Errorf("%w: the message is not signed", ErrBadSignature)
	case md.SignedBy == nil || md.SignedBy.Entity == nil || fingerprint(md.SignedBy.Entity) != signer.Fingerprint():
		return fmt.Errorf("%w: not signed by key %s (signer key ID %s)", ErrBadSignature, signer.Fingerprint(), keyID(md.SignedByKeyId))
	case md.SignatureError != nil:
		return fmt.Errorf("%w: %v", ErrBadSignature, md.SignatureError)
	}
	return nil
}

// errReader remembers the first non-EOF error of r, so that I/O failures
// are not mistaken for bad signatures.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}
