package sharing

import (
	"context"
	"errors"
	"fmt"
)

// TokenStore is the persistence of revoked access tokens.
type TokenStore interface {
	// RevokeToken records a revoked token id; revoking twice is not an error.
	RevokeToken(ctx context.Context, jti string, ev AuditEvent) error
	// IsTokenRevoked reports whether the token id was revoked.
	IsTokenRevoked(ctx context.Context, jti string) (bool, error)
}

// Access turns verified credentials into the calling organization. It is the
// one place that decides who a caller is; what the caller may then do is
// decided by the service it calls, which takes the caller (docs/architecture.md).
type Access struct {
	Registry *Registry
	Tokens   TokenStore
	APIKeys  APIKeyStore // nil: HTTP Basic is refused
}

// TokenCaller returns the organization of a token whose signature and times
// were verified (crypto/token): the token must not be revoked, and its
// organization must still exist with the role the token names. Every failure
// wraps ErrUnauthorized.
func (a *Access) TokenCaller(ctx context.Context, orgID, role, jti string) (*Organization, error) {
	revoked, err := a.Tokens.IsTokenRevoked(ctx, jti)
	if err != nil {
		return nil, err
	}
	if revoked {
		return nil, fmt.Errorf("token %s revoked: %w", jti, ErrUnauthorized)
	}
	org, err := a.Registry.FindOrganizationByID(orgID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("token of unknown organization %s: %w", orgID, ErrUnauthorized)
		}
		return nil, err
	}
	if string(org.Role) != role {
		return nil, fmt.Errorf("token role %s but organization %s is %s: %w", role, org.ID, org.Role, ErrUnauthorized)
	}
	return org, nil
}

// BasicCaller checks HTTP Basic credentials (RFC 7617): the user is the
// organization id, the password one of its unrevoked API keys. Every failure
// wraps ErrUnauthorized; an unknown organization costs the same work as a
// known one, so that timing does not tell which ids exist.
func (a *Access) BasicCaller(ctx context.Context, user, secret string) (*Organization, error) {
	if a.APIKeys == nil {
		return nil, fmt.Errorf("basic authentication is not configured: %w", ErrUnauthorized)
	}
	org, err := a.Registry.FindOrganizationByID(user)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			_, _ = CheckAPIKey(ctx, a.APIKeys, "", secret)
			return nil, fmt.Errorf("basic user %q is not an organization: %w", user, ErrUnauthorized)
		}
		return nil, err
	}
	match, err := CheckAPIKey(ctx, a.APIKeys, org.ID, secret)
	if err != nil {
		return nil, err
	}
	if !match {
		return nil, fmt.Errorf("no matching api key for %s: %w", org.ID, ErrUnauthorized)
	}
	return org, nil
}

// MayOperate reports whether the caller is one of the hub's operators (the
// metrics and the review queue).
func MayOperate(caller *Organization) bool { return caller != nil && caller.Role == RoleAdmin }

// MaySubmit reports whether the caller's role may submit (INTERFACES.md §6).
func MaySubmit(caller *Organization) bool {
	if caller == nil {
		return false
	}
	for _, r := range SubmitterRoles {
		if caller.Role == r {
			return true
		}
	}
	return false
}
