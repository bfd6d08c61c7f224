package sharing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
)

// KeyStore keeps the OpenPGP keys organizations upload themselves.
type KeyStore interface {
	// FindOrganizationKey returns the uploaded armored key, or ErrNotFound.
	FindOrganizationKey(ctx context.Context, org string) (string, error)
	// SaveOrganizationKey stores (replaces) an organization's key with its audit entry.
	SaveOrganizationKey(ctx context.Context, org, armored, fingerprint string, ev AuditEvent) error
}

// Keys resolves the OpenPGP key of each organization (SHARING.md §5): the one
// it uploaded, else the one in the registry. Keys are checked every time they
// are used, so a key that expired since it was registered is refused.
type Keys struct {
	Store    KeyStore
	Registry *Registry
	Now      func() time.Time
}

// ErrNoKey means an organization has no usable OpenPGP key.
var ErrNoKey = errors.New("no usable openpgp key")

// KeyOf returns the organization's current public key.
func (k *Keys) KeyOf(ctx context.Context, orgID string) (*pgp.PublicKey, error) {
	org, err := k.Registry.FindOrganizationByID(orgID)
	if err != nil {
		return nil, err
	}
	armored, err := k.Store.FindOrganizationKey(ctx, orgID)
	if errors.Is(err, ErrNotFound) {
		armored, err = org.PGPPublicKey, nil
	}
	if err != nil {
		return nil, err
	}
	if armored == "" {
		return nil, fmt.Errorf("organization %s has registered no OpenPGP key (registry pgp_public_key or PUT /api/v1/organizations/%s/pgp-key): %w", orgID, orgID, ErrNoKey)
	}
	pub, err := pgp.ParsePublicKeyAt([]byte(armored), k.Now())
	if err != nil {
		return nil, fmt.Errorf("organization %s: %v: %w", orgID, err, ErrNoKey)
	}
	return pub, nil
}

// Upload replaces an organization's key. The organization itself or an admin
// may do it; the key must pass every check of crypto/pgp (not expired or
// revoked, RSA ≥ 3072 bits, an encryption subkey).
func (k *Keys) Upload(ctx context.Context, caller *Organization, orgID string, armored []byte) (*pgp.PublicKey, error) {
	if caller.ID != orgID && caller.Role != RoleAdmin {
		return nil, fmt.Errorf("only %s itself or the hub's operators may set its key: %w", orgID, ErrForbidden)
	}
	if _, err := k.Registry.FindOrganizationByID(orgID); err != nil {
		return nil, err
	}
	pub, err := pgp.ParsePublicKeyAt(armored, k.Now())
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrInvalidArgument)
	}
	err = k.Store.SaveOrganizationKey(ctx, orgID, pub.Armored(), pub.Fingerprint(), AuditEvent{Actor: caller.ID, Action: AuditKeyUploaded, Subject: orgID,
		Detail: map[string]any{"fingerprint": pub.Fingerprint(), "version": pub.Version()}})
	if err != nil {
		return nil, err
	}
	return pub, nil
}

// CheckRegistryKeys parses every key in the registry so that a bad one stops
// the hub at start with the organization's name, not at the first design.
func CheckRegistryKeys(r *Registry, now time.Time) error {
	for _, o := range r.Organizations() {
		if o.PGPPublicKey == "" {
			continue
		}
		if _, err := pgp.ParsePublicKeyAt([]byte(o.PGPPublicKey), now); err != nil {
			return fmt.Errorf("registry: organization %s: %w", o.ID, err)
		}
	}
	return nil
}
