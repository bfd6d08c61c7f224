package sharing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
)

// KeyStore keeps the OpenPGP keys organizations upload themselves and the
// record of every key change.
type KeyStore interface {
	// FindOrganizationKey returns the uploaded armored key, or ErrNotFound.
	FindOrganizationKey(ctx context.Context, org string) (string, error)
	// SaveOrganizationKey stores (replaces) an organization's uploaded key,
	// records the change and its audit entry, in one transaction.
	SaveOrganizationKey(ctx context.Context, armored string, ch KeyChange, ev AuditEvent) error
	// RecordRegistryKey records that the registry file's key of an
	// organization changed, with its audit entry. With dropUploaded the
	// organization's uploaded key is removed, so that the newer registry key
	// is the one in use.
	RecordRegistryKey(ctx context.Context, ch KeyChange, dropUploaded bool, ev AuditEvent) error
	// FindKeyChanges returns an organization's key changes, oldest first
	// (an empty list when there are none).
	FindKeyChanges(ctx context.Context, org string) ([]KeyChange, error)
}

// Sources of a key change.
const (
	KeySourceAPI      = "api"      // the organization uploaded it (PUT …/pgp-key)
	KeySourceRegistry = "registry" // the operators changed the registry file
)

// KeyChange is one change of an organization's OpenPGP key (SHARING.md §5).
// Fingerprint is empty when the registry no longer holds a key.
type KeyChange struct {
	Organization string    `json:"organization"`
	At           time.Time `json:"at"`
	Fingerprint  string    `json:"fingerprint"`
	Source       string    `json:"source"`
	Actor        string    `json:"actor"`
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

// Upload replaces the caller's own key. Only the organization itself may:
// the hub's operators change keys through the registry file (SyncRegistry),
// so that nobody at the hub can quietly redirect another organization's
// designs to a key of their own. The answer for any other organization is the
// same whether it exists or not. The key must pass every check of crypto/pgp
// (not expired or revoked, RSA ≥ 3072 bits, an encryption subkey).
func (k *Keys) Upload(ctx context.Context, caller *Organization, orgID string, armored []byte) (*pgp.PublicKey, error) {
	if caller.ID != orgID {
		return nil, fmt.Errorf("an organization may replace only its own OpenPGP key; the hub's operators change keys in the registry file (docs/operator-guide.md): %w", ErrForbidden)
	}
	pub, err := pgp.ParsePublicKeyAt(armored, k.Now())
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrInvalidArgument)
	}
	ch := KeyChange{Organization: orgID, At: k.Now().UTC(), Fingerprint: pub.Fingerprint(), Source: KeySourceAPI, Actor: caller.Actor()}
	err = k.Store.SaveOrganizationKey(ctx, pub.Armored(), ch, AuditEvent{Actor: caller.Actor(), Action: AuditKeyUploaded, Subject: orgID,
		Detail: map[string]any{"fingerprint": pub.Fingerprint(), "version": pub.Version()}})
	if err != nil {
		return nil, err
	}
	return pub, nil
}

// Show returns an organization's current key to a caller who may know that
// the organization exists: the organization itself, and the regulator (which
// sees every carrier's obligations anyway). For anyone else it is ErrNotFound,
// the same answer an unknown organization gets, so that the endpoint does not
// list the membership (SHARING.md §1).
func (k *Keys) Show(ctx context.Context, caller *Organization, orgID string) (*pgp.PublicKey, error) {
	if caller == nil || (caller.ID != orgID && caller.Role != RoleRegulator) {
		return nil, fmt.Errorf("key of %q: %w", orgID, ErrNotFound)
	}
	return k.KeyOf(ctx, orgID)
}

// Changes returns the key changes of the caller's own organization: each
// organization sees every change of its key, whoever made it.
func (k *Keys) Changes(ctx context.Context, caller *Organization, orgID string) ([]KeyChange, error) {
	if caller.ID != orgID {
		return nil, fmt.Errorf("key changes of another organization: %w", ErrNotFound)
	}
	return k.Store.FindKeyChanges(ctx, orgID)
}

// SyncRegistry records, at start, every organization whose key in the
// registry file differs from the one last recorded from it: the operators'
// way to change a key. A changed registry key replaces a key the
// organization uploaded earlier (the newer key wins); the first record of an
// organization's registry key keeps any uploaded key. It returns how many
// changes it recorded.
func (k *Keys) SyncRegistry(ctx context.Context) (int, error) {
	n := 0
	for _, o := range k.Registry.Organizations() {
		fp := ""
		if o.PGPPublicKey != "" {
			pub, err := pgp.ParsePublicKeyAt([]byte(o.PGPPublicKey), k.Now())
			if err != nil {
				return n, fmt.Errorf("registry: organization %s: %w", o.ID, err)
			}
			fp = pub.Fingerprint()
		}
		changes, err := k.Store.FindKeyChanges(ctx, o.ID)
		if err != nil {
			return n, err
		}
		var last *KeyChange
		for i := range changes {
			if changes[i].Source == KeySourceRegistry {
				last = &changes[i]
			}
		}
		if (last == nil && fp == "") || (last != nil && last.Fingerprint == fp) {
			continue
		}
		ch := KeyChange{Organization: o.ID, At: k.Now().UTC(), Fingerprint: fp, Source: KeySourceRegistry, Actor: "registry"}
		// A new registry key replaces an uploaded one; a key taken out of the
		// registry leaves the organization's own upload in place.
		if err := k.Store.RecordRegistryKey(ctx, ch, last != nil && fp != "", AuditEvent{Actor: "registry", Action: AuditKeyChanged, Subject: o.ID,
			Detail: map[string]any{"fingerprint": fp, "source": KeySourceRegistry}}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
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
