package pgp

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// DefaultMaxPlaintext bounds what Decrypt returns, and what DecryptTo writes
// unless told otherwise: 64 MiB, four times the 16 MiB design limit of issue
// 7, so that a compressed message cannot expand without bound (RFC 9580 §5.6
// compressed data, the "decompression bomb").
const DefaultMaxPlaintext = 64 << 20

// Sentinel errors of message operations; test them with errors.Is.
var (
	// ErrNotForUs means the message is encrypted, but not to the hub's key
	// (or only to a passphrase): the caller passes it through as it is.
	ErrNotForUs = errors.New("openpgp message is not encrypted to the hub's key")
	// ErrNotEncrypted means the input is not an OpenPGP encrypted message.
	ErrNotEncrypted = errors.New("not an encrypted openpgp message")
	// ErrIntegrity means the message names the hub's key but failed an
	// integrity check: a wrong Modification Detection Code (RFC 9580
	// §5.13.1), a failed AEAD tag (§5.13.2), an undecryptable session key or
	// garbled packets inside the encryption. The message was tampered with
	// or corrupted, and any plaintext already written must be discarded.
	ErrIntegrity = errors.New("openpgp message failed its integrity check (tampered or corrupted)")
	// ErrTooLarge means the plaintext exceeds the configured maximum.
	ErrTooLarge = errors.New("openpgp plaintext too large")
)

// EncryptOptions tunes EncryptTo. The zero value writes a binary, unsigned
// message checked against the current time.
type EncryptOptions struct {
	// Armor writes ASCII armor ("-----BEGIN PGP MESSAGE-----", RFC 9580
	// §6.2) instead of binary packets.
	Armor bool
	// Signer, when set, signs the message inside the encryption (one-pass
	// signature, RFC 9580 §5.4 and §10.3), so recipients see who sent it.
	Signer *SecretKey
	// FileName goes into the literal data packet (RFC 9580 §5.9); gpg uses
	// it only with --use-embedded-filename. Empty by default.
	FileName string
	// Now is the clock against which recipient keys must still be valid
	// (a key accepted at registration may have expired since); nil means
	// time.Now.
	Now func() time.Time
}

func (o EncryptOptions) now() func() time.Time {
	if o.Now != nil {
		return o.Now
	}
	return time.Now
}

// copyBufferSize is the size of the writes into go-crypto's encryptor. It
// bounds memory: go-crypto's partial-length writer (RFC 9580 §4.2.1.4) and
// CFB stream writer each hold or allocate about one write's worth.
const copyBufferSize = 32 << 10

// EncryptTo reads the plaintext from r and writes to w one OpenPGP message
// that every recipient can decrypt with its own key: one public-key encrypted
// session key packet per recipient (RFC 9580 §5.1) and one encrypted data
// packet. It streams in constant memory whatever the size of r.
//
// Format: when any recipient has a v4 key, the message is the one gpg 2.2
// reads: v3 PKESK packets and a SEIPD v1 packet with MDC (RFC 4880 §5.13,
// RFC 9580 §5.13.1), with AES-256 when every recipient lists it among its
// preferred ciphers (RFC 9580 §5.2.3.14), else AES-128 (the cipher every
// implementation must have, RFC 9580 §9.3). When every recipient is a v6 key,
// it is SEIPD v2 with AEAD (RFC 9580 §5.13.2) as those keys' preferences
// allow. The plaintext is not compressed. Duplicate recipients are merged.
//
// A recipient whose key is no longer valid at opts.Now (expired or revoked
// since it was parsed) makes EncryptTo fail with a *KeyError before anything
// is written. Any other error may come after part of the message was
// written to w, which the caller must then discard.
func EncryptTo(w io.Writer, r io.Reader, recipients []*PublicKey, opts EncryptOptions) error {
	if len(recipients) == 0 {
		return errors.New("encrypt: no recipients")
	}
	now := opts.now()
	seen := map[string]bool{}
	to := make([]*openpgp.Entity, 0, len(recipients))
	allV6 := true
	for i, k := range recipients {
		if k == nil {
			return fmt.Errorf("encrypt: recipient %d is nil", i)
		}
		if seen[k.Fingerprint()] {
			continue
		}
		seen[k.Fingerprint()] = true
		if _, ok := k.entity.EncryptionKey(now()); !ok {
			return &KeyError{Fingerprint: k.Fingerprint(), Reason: "the key can no longer encrypt (it expired or was revoked since it was registered); ask the organization for its current key"}
		}
		if k.Version() != 6 {
			allV6 = false
		}
		to = append(to, k.entity)
	}
	cfg := newConfig(now)
	if allV6 {
		// gpg 2.2 reads neither v6 keys nor SEIPD v2, so nothing is lost;
		// go-crypto uses AEAD only if every key's features allow it.
		cfg.AEADConfig = &packet.AEADConfig{}
	}
	var signer *openpgp.Entity
	if opts.Signer != nil {
		signer = opts.Signer.entity
	}
	out, closeArmor, err := maybeArmor(w, opts.Armor, openpgp.MessageType)
	if err != nil {
		return err
	}
	hints := &openpgp.FileHints{IsBinary: true, FileName: opts.FileName}
	pt, err := openpgp.Encrypt(out, to, signer, hints, cfg)
	if err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	if err := copyChunked(pt, r); err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	if err := pt.Close(); err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	return closeArmor()
}

// SignAndEncrypt signs the plaintext read from r with signer and encrypts it
// to recipients, as EncryptTo with EncryptOptions.Signer (RFC 9580 §10.3: a
// one-pass signed message inside the encrypted data).
func SignAndEncrypt(w io.Writer, r io.Reader, signer *SecretKey, recipients []*PublicKey, armored bool) error {
	if signer == nil {
		return errors.New("sign and encrypt: no signer")
	}
	return EncryptTo(w, r, recipients, EncryptOptions{Armor: armored, Signer: signer})
}

// DecryptOptions tunes DecryptTo. The zero value allows DefaultMaxPlaintext
// bytes and does not require a signature.
type DecryptOptions struct {
	// MaxSize bounds the plaintext; 0 means DefaultMaxPlaintext.
	MaxSize int64
	// Signer, when set, requires the message to carry a valid signature by
	// this key (RFC 9580 §5.2.4); otherwise ErrBadSignature is returned.
	// Without it, signatures inside the message are ignored.
	Signer *PublicKey
}

// Decrypt decrypts a message (armored or binary) encrypted to the hub's key
// and returns the whole plaintext, at most DefaultMaxPlaintext bytes. Because
// the plaintext is returned only once the Modification Detection Code or AEAD
// tag has been checked at the end of the message, a caller never sees
// unauthenticated bytes. See DecryptTo for the errors.
func Decrypt(r io.Reader, hub *SecretKey) ([]byte, error) {
	var b bytes.Buffer
	if err := DecryptTo(&b, r, hub, DecryptOptions{}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// DecryptTo decrypts a message (armored or binary) encrypted to the hub's key
// and streams the plaintext to w in constant memory.
//
// The integrity of the message (RFC 9580 §5.13.1 MDC, §5.13.2 AEAD) can only
// be known at its end, after most of the plaintext has been written to w:
// when DecryptTo returns an error, whatever it wrote is unauthenticated and
// the caller MUST discard it. Errors, to test with errors.Is:
//
//   - ErrNotEncrypted: the input is not an encrypted OpenPGP message;
//   - ErrNotForUs: it is encrypted, but not to the hub's key (pass it on as is);
//   - ErrIntegrity: it names the hub's key but was tampered with or corrupted,
//     or lacks integrity protection altogether (SED packets, RFC 9580 §5.7);
//   - ErrTooLarge: the plaintext exceeds opts.MaxSize;
//   - ErrBadSignature: opts.Signer is set and the message is not validly
//     signed by it;
//   - any error of w or r, wrapped.
func DecryptTo(w io.Writer, r io.Reader, hub *SecretKey, opts DecryptOptions) error {
	if hub == nil {
		return errors.New("decrypt: no hub key")
	}
	limit := opts.MaxSize
	if limit <= 0 {
		limit = DefaultMaxPlaintext
	}
	body, err := openMessage(r)
	if err != nil {
		return err
	}
	rec := &headRecorder{r: body, max: 64 << 10}
	keyring := openpgp.EntityList{hub.entity}
	if opts.Signer != nil {
		keyring = append(keyring, opts.Signer.entity)
	}
	cfg := newConfig(time.Now)
	decompressed := limit + 1
	cfg.MaxDecompressedMessageSize = &decompressed
	md, err := openpgp.ReadMessage(rec, keyring, nil, cfg)
	if err != nil {
		return classifyOpenError(err, rec.buf.Bytes(), hub)
	}
	if !md.IsEncrypted {
		return fmt.Errorf("%w: the message is only signed or literal data", ErrNotEncrypted)
	}
	lw := &limitWriter{w: w, n: limit}
	if _, err := io.CopyBuffer(lw, struct{ io.Reader }{md.UnverifiedBody}, make([]byte, copyBufferSize)); err != nil {
		switch {
		case lw.err != nil && errors.Is(lw.err, ErrTooLarge):
			return fmt.Errorf("decrypt: %w: more than %d bytes", ErrTooLarge, limit)
		case lw.err != nil:
			return fmt.Errorf("decrypt: write plaintext: %w", lw.err)
		case errors.Is(err, pgperrors.ErrMessageTooLarge):
			return fmt.Errorf("decrypt: %w: decompresses to more than %d bytes", ErrTooLarge, limit)
		case rec.err != nil:
			return fmt.Errorf("decrypt: read message: %w", rec.err)
		}
		return fmt.Errorf("decrypt: %w: %v", ErrIntegrity, err)
	}
	if opts.Signer != nil {
		if err := checkSignedBy(md, opts.Signer); err != nil {
			return fmt.Errorf("decrypt: %w", err)
		}
	}
	return nil
}

// classifyOpenError turns an error of openpgp.ReadMessage into one of the
// package's sentinels, looking at the recipients recorded from the head of
// the message to tell "not for us" from "for us but damaged".
func classifyOpenError(err error, head []byte, hub *SecretKey) error {
	ids, encrypted, _ := scanRecipients(head)
	ours := false
	for _, id := range ids {
		for _, own := range hub.public.KeyIDs() {
			if id == own {
				ours = true
			}
		}
	}
	var unsupported pgperrors.UnsupportedError
	switch {
	case errors.As(err, &unsupported) && strings.Contains(err.Error(), "integrity protected"):
		return fmt.Errorf("decrypt: %w: the message has no integrity protection (SED packet without MDC, RFC 9580 §5.7) and is refused", ErrIntegrity)
	case ours:
		return fmt.Errorf("decrypt: %w: the message is encrypted to the hub's key but cannot be decrypted: %v", ErrIntegrity, err)
	case !encrypted:
		return fmt.Errorf("decrypt: %w: %v", ErrNotEncrypted, err)
	case errors.Is(err, pgperrors.ErrKeyIncorrect):
		if len(ids) == 0 {
			return fmt.Errorf("decrypt: %w: it is encrypted to a passphrase only", ErrNotForUs)
		}
		return fmt.Errorf("decrypt: %w: it is encrypted to key IDs %s", ErrNotForUs, strings.Join(ids, ", "))
	}
	return fmt.Errorf("decrypt: read message: %w", err)
}

// IsEncryptedMessage reports whether b is an OpenPGP encrypted message,
// armored or binary: its first packet is a public-key or symmetric-key
// encrypted session key (RFC 9580 §5.1, §5.3) or encrypted data (§5.13).
func IsEncryptedMessage(b []byte) bool {
	body, typ, err := dearmor(b)
	if err != nil || (typ != "" && typ != openpgp.MessageType) {
		return false
	}
	p, err := packet.NewReader(bytes.NewReader(body)).Next()
	if err != nil {
		return false
	}
	switch p.(type) {
	case *packet.EncryptedKey, *packet.SymmetricKeyEncrypted, *packet.SymmetricallyEncrypted, *packet.AEADEncrypted:
		return true
	}
	return false
}

// Recipients returns the key IDs (16 upper-case hex digits, as
// PublicKey.KeyIDs) named by the public-key encrypted session key packets of
// an encrypted message (RFC 9580 §5.1), in order. An anonymous recipient
// (gpg --throw-keyids, RFC 9580 §5.1.1) appears as "0000000000000000". A
// message encrypted to a passphrase only has no recipients and no error.
func Recipients(b []byte) ([]string, error) {
	body, typ, err := dearmor(b)
	if err != nil {
		return nil, fmt.Errorf("recipients: %w: %v", ErrNotEncrypted, err)
	}
	if typ != "" && typ != openpgp.MessageType {
		return nil, fmt.Errorf("recipients: %w: armored block is a %q", ErrNotEncrypted, typ)
	}
	ids, encrypted, err := scanRecipients(body)
	if !encrypted {
		if err == nil {
			err = errors.New("no encrypted data packet")
		}
		return nil, fmt.Errorf("recipients: %w: %v", ErrNotEncrypted, err)
	}
	return ids, nil
}

// scanRecipients reads session key packets up to the encrypted data packet;
// encrypted reports whether one was reached.
func scanRecipients(body []byte) (ids []string, encrypted bool, err error) {
	pr := packet.NewReader(bytes.NewReader(body))
	for {
		p, err := pr.Next()
		if err != nil {
			return ids, false, err
		}
		switch p := p.(type) {
		case *packet.EncryptedKey:
			ids = append(ids, keyID(p.KeyId))
		case *packet.SymmetricKeyEncrypted:
		case *packet.SymmetricallyEncrypted, *packet.AEADEncrypted:
			return ids, true, nil
		default:
			return ids, false, fmt.Errorf("unexpected %T before the encrypted data", p)
		}
	}
}

func newConfig(now func() time.Time) *packet.Config {
	return &packet.Config{
		DefaultHash:            crypto.SHA256,
		DefaultCipher:          packet.CipherAES256,
		DefaultCompressionAlgo: packet.CompressionNone,
		Time:                   now,
	}
}

// maybeArmor wraps w in an armor encoder when asked; the returned function
// closes the encoder (writing the checksum and footer) or does nothing.
func maybeArmor(w io.Writer, armored bool, blockType string) (io.Writer, func() error, error) {
	if !armored {
		return w, func() error { return nil }, nil
	}
	aw, err := armor.Encode(w, blockType, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("armor: %w", err)
	}
	return aw, func() error {
		if err := aw.Close(); err != nil {
			return fmt.Errorf("armor: %w", err)
		}
		_, err := io.WriteString(w, "\n")
		return err
	}, nil
}

// copyChunked copies r to w in copyBufferSize writes. It hides
// io.WriterTo/io.ReaderFrom so that, for instance, a bytes.Reader cannot hand
// go-crypto the whole input in one Write (which it would buffer whole).
func copyChunked(w io.Writer, r io.Reader) error {
	_, err := io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{r}, make([]byte, copyBufferSize))
	return err
}

// headRecorder keeps the first max bytes read through it: the session key
// packets, which tell after a failure whether the message was meant for us.
type headRecorder struct {
	r   io.Reader
	buf bytes.Buffer
	max int
	err error
}

func (h *headRecorder) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if room := h.max - h.buf.Len(); room > 0 {
		h.buf.Write(p[:min(n, room)])
	}
	if err != nil && err != io.EOF {
		h.err = err
	}
	return n, err
}

// limitWriter fails with ErrTooLarge once more than n bytes are written.
type limitWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		l.err = ErrTooLarge
		return 0, l.err
	}
	n, err := l.w.Write(p)
	l.n -= int64(n)
	if err != nil {
		l.err = err
	}
	return n, err
}
