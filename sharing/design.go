package sharing

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// DesignVault encrypts sensitive designs at intake (SHARING.md §5): the
// artifacts an incident lists in sensitive_design_refs are encrypted, as one
// multi-recipient OpenPGP message, to every organization entitled to them,
// and only the encrypted artifact is ever stored.
type DesignVault struct {
	Hub  *pgp.SecretKey // the hub's own key: designs encrypted to it are decrypted and re-encrypted
	Keys *Keys
	// MACKey keys the fingerprint that stands for a design's plaintext in
	// digests (idempotency, version conflicts), so no hash of the plaintext
	// is stored.
	MACKey []byte
	// Extra lists organizations entitled to every design besides the
	// submitter and the regulator (e.g. a verification committee).
	Extra []string
	// ShareWith lets the submission's share_with organizations receive designs too.
	ShareWith bool
	Now       func() time.Time
}

// designRefs returns the ids of the artifacts the bundle's incidents list as sensitive designs.
func designRefs(b *stix.Bundle) map[string]bool {
	refs := map[string]bool{}
	for _, o := range b.Objects {
		if o.Type != "incident" {
			continue
		}
		if t, ok, err := o.TelecomExtension(); err == nil && ok {
			for _, id := range t.SensitiveDesignRefs {
				refs[id] = true
			}
		}
	}
	return refs
}

// entitled lists who may read a submitter's designs: the submitter, the
// regulator, the configured extra organizations and, when allowed, share_with.
func (v *DesignVault) entitled(submitter *Organization, shareWith []string) []string {
	ids := []string{submitter.ID}
	for _, o := range v.Keys.Registry.Organizations() {
		if o.Role == RoleRegulator {
			ids = append(ids, o.ID)
		}
	}
	ids = append(ids, v.Extra...)
	if v.ShareWith {
		ids = append(ids, shareWith...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// sealed is a design after the vault: the artifact to store and the keyed
// fingerprint of what was submitted.
type sealed struct {
	props map[string]any
	mac   string
}

// Seal encrypts every design of the bundle in place (the bundle's artifact
// objects are replaced by their encrypted form) and returns, per artifact id,
// the keyed fingerprint of the submitted object. Problems the submitter can
// fix come back as violations.
func (v *DesignVault) Seal(ctx context.Context, b *stix.Bundle, submitter *Organization, shareWith []string) (map[string]string, []stix.Violation, error) {
	refs := designRefs(b)
	if len(refs) == 0 {
		return nil, nil, nil
	}
	var recipients []*pgp.PublicKey
	var violations []stix.Violation
	for _, id := range v.entitled(submitter, shareWith) {
		k, err := v.Keys.KeyOf(ctx, id)
		if err != nil {
			if errors.Is(err, ErrNoKey) || errors.Is(err, ErrNotFound) {
				violations = append(violations, stix.Violation{Path: "", Message: "sensitive designs cannot be encrypted: " + err.Error()})
				continue
			}
			return nil, nil, err
		}
		recipients = append(recipients, k)
	}
	if len(violations) > 0 {
		return nil, violations, nil
	}
	macs := map[string]string{}
	for i, o := range b.Objects {
		if !refs[o.ID] || o.Type != "artifact" {
			continue
		}
		path := fmt.Sprintf("/objects/%d", i)
		s, msg, err := v.seal(o.Props, recipients)
		if err != nil {
			return nil, nil, fmt.Errorf("encrypt design %s: %w", o.ID, err)
		}
		if msg != "" {
			violations = append(violations, stix.Violation{Path: path, Message: msg})
			continue
		}
		o.Props = s.props
		o.Raw = nil
		macs[o.ID] = s.mac
	}
	return macs, violations, nil
}

// seal encrypts one artifact. A non-empty message is the submitter's problem.
func (v *DesignVault) seal(props map[string]any, recipients []*pgp.PublicKey) (sealed, string, error) {
	canonical, err := stix.Canonical(props)
	if err != nil {
		return sealed{}, "", err
	}
	m := hmac.New(sha256.New, v.MACKey)
	m.Write(canonical)
	mac := "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
	payload, ok := props["payload_bin"].(string)
	if !ok {
		return sealed{}, "a sensitive design must carry its content inline as payload_bin, so the hub can encrypt it to the entitled organizations; a url cannot be protected", nil
	}
	data, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return sealed{}, "payload_bin is not base64", nil
	}
	out := stix.CloneProps(props)
	// Only a design the submitter declares encrypted (mime_type
	// application/pgp-encrypted) or sends armored is read as an OpenPGP
	// message: arbitrary binary designs can start with bytes that look like
	// an OpenPGP packet, and must simply be encrypted.
	mime, _ := props["mime_type"].(string)
	declared := mime == "application/pgp-encrypted" || bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN PGP MESSAGE-----"))
	switch {
	case declared && pgp.IsEncryptedMessage(data):
		plain, err := pgp.Decrypt(bytes.NewReader(data), v.Hub)
		switch {
		case errors.Is(err, pgp.ErrNotForUs):
			// Encrypted to other keys: passed through as is to the entitled channels.
			data = nil
		case errors.Is(err, pgp.ErrIntegrity):
			return sealed{}, "the design is an OpenPGP message to the hub that fails its integrity check (tampered or corrupted); send it again", nil
		case err != nil:
			return sealed{}, "the design looks like an OpenPGP message the hub cannot read: " + err.Error(), nil
		default:
			data, err = encrypt(plain, recipients)
			clear(plain)
			if err != nil {
				return sealed{}, "", err
			}
			out["payload_bin"] = base64.StdEncoding.EncodeToString(data)
		}
	default:
		enc, err := encrypt(data, recipients)
		if err != nil {
			return sealed{}, "", err
		}
		out["payload_bin"] = base64.StdEncoding.EncodeToString(enc)
	}
	out["mime_type"] = "application/pgp-encrypted"
	out["encryption_algorithm"] = "mime-type-indicated"
	// Hashes and a decryption key of the plaintext would give it away.
	delete(out, "hashes")
	delete(out, "decryption_key")
	return sealed{props: out, mac: mac}, "", nil
}

func encrypt(plain []byte, recipients []*pgp.PublicKey) ([]byte, error) {
	var buf bytes.Buffer
	if err := pgp.EncryptTo(&buf, bytes.NewReader(plain), recipients, pgp.EncryptOptions{}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
