package sharing

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// APIKey is a long-lived secret for HTTP Basic authentication, for TAXII
// clients that speak only Basic (TAXII 2.1 §1.6.9: clients MUST implement
// Basic, servers SHOULD). The user name is the organization id and the
// password is the key. The hub keeps only the key's SHA-256: the key is
// 32 random bytes, so a plain hash is enough (no password stretching needed).
type APIKey struct {
	ID           string // "apikey-" + 16 hex digits; names the key for revocation
	Organization string
	Hash         string // hex SHA-256 of the key
	CreatedAt    time.Time
	ExpiresAt    time.Time
	RevokedAt    *time.Time
}

// NewAPIKey makes a key for org valid for ttl and returns it with the
// secret, which is shown once and never stored.
func NewAPIKey(org string, now time.Time, ttl time.Duration) (APIKey, string, error) {
	if ttl <= 0 {
		return APIKey{}, "", fmt.Errorf("api key lifetime %s must be positive", ttl)
	}
	var id [8]byte
	var secret [32]byte
	if _, err := rand.Read(id[:]); err != nil {
		return APIKey{}, "", fmt.Errorf("generate key id: %w", err)
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return APIKey{}, "", fmt.Errorf("generate key: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(secret[:])
	return APIKey{ID: "apikey-" + hex.EncodeToString(id[:]), Organization: org, Hash: hashAPIKey(s), CreatedAt: now.UTC(), ExpiresAt: now.UTC().Add(ttl)}, s, nil
}

func hashAPIKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Matches reports, in constant time, whether secret is this key and the key
// is neither revoked nor expired at now.
func (k APIKey) Matches(secret string, now time.Time) bool {
	ok := subtle.ConstantTimeCompare([]byte(hashAPIKey(secret)), []byte(k.Hash)) == 1
	return ok && k.RevokedAt == nil && now.Before(k.ExpiresAt)
}

// IsAPIKeyID reports whether s names an API key (as opposed to a token jti),
// so that `kakehashi token revoke` takes either.
func IsAPIKeyID(s string) bool {
	return len(s) == len("apikey-")+16 && s[:7] == "apikey-"
}

// APIKeyStore is the persistence of API keys. FindAPIKeys returns an empty
// list (not an error) for an organization without keys; RevokeAPIKey returns
// ErrNotFound for an unknown key id and succeeds when revoking twice.
type APIKeyStore interface {
	// CreateAPIKey stores a key (its hash) and the audit event in one transaction.
	CreateAPIKey(ctx context.Context, k APIKey, ev AuditEvent) error
	// FindAPIKeys returns the unrevoked keys of an organization.
	FindAPIKeys(ctx context.Context, org string) ([]APIKey, error)
	// RevokeAPIKey revokes a key and records the audit event.
	RevokeAPIKey(ctx context.Context, id string, at time.Time, ev AuditEvent) error
}

// CheckAPIKey reports whether secret is one of org's unrevoked keys. Every
// key is compared (in constant time), so the time taken does not say which
// key nearly matched.
func CheckAPIKey(ctx context.Context, s APIKeyStore, org, secret string, now time.Time) (bool, error) {
	keys, err := s.FindAPIKeys(ctx, org)
	if err != nil {
		return false, err
	}
	ok := false
	for _, k := range keys {
		if k.Matches(secret, now) {
			ok = true
		}
	}
	return ok, nil
}
