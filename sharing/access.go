package sharing

import (
	"context"
	"errors"
	"fmt"
	"time"
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
	// Audit records failed authentications; nil: not recorded.
	Audit AuditAppender
	// Failures limits failed authentications per client address and per
	// credential (the organization a Basic user names); nil: no limit.
	Failures *Limiter
	// Requests limits each organization's requests of a kind (RequestIntake,
	// RequestRead); a kind without a limiter is not limited.
	Requests map[string]*Limiter
	// Now is the clock API keys expire by; nil: time.Now.
	Now func() time.Time
}

func (a *Access) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}

// Kinds of request counted per organization (Access.Request).
const (
	RequestIntake = "intake"
	RequestRead   = "read"
)

// Admit is asked before credentials are checked: a client address or a
// credential that failed too often recently is refused for the rest of the
// window, right or wrong, so that guessing is bounded. credential may be ""
// (a bearer token names no organization before it is verified).
func (a *Access) Admit(addr, credential string) error {
	for _, key := range []string{"addr " + addr, "cred " + credential} {
		if key == "cred " {
			continue
		}
		if wait, over := a.Failures.Exceeded(key); over {
			return &RateLimitedError{What: "failed authentications", RetryAfter: wait}
		}
	}
	return nil
}

// Failed records a failed authentication: it counts against the address and
// the credential, and it is audited (address, scheme and the user named, never
// the secret).
func (a *Access) Failed(ctx context.Context, addr, scheme, credential string, cause error) error {
	a.Failures.Add("addr " + addr)
	if credential != "" {
		a.Failures.Add("cred " + credential)
	}
	if a.Audit == nil {
		return nil
	}
	return a.Audit.AppendAudit(ctx, AuditEvent{Actor: "anonymous", Action: AuditAuthFailed, Subject: credential,
		Detail: map[string]any{"address": addr, "scheme": scheme, "reason": cause.Error()}})
}

// Request counts one request of the caller's organization of a kind; over the
// organization's allowance it is a *RateLimitedError.
func (a *Access) Request(caller *Organization, kind string) error {
	if caller == nil {
		return nil
	}
	if wait, ok := a.Requests[kind].Take(caller.ID); !ok {
		return &RateLimitedError{What: kind + " requests from your organization", RetryAfter: wait}
	}
	return nil
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
			_, _ = CheckAPIKey(ctx, a.APIKeys, "", secret, a.now())
			return nil, fmt.Errorf("basic user %q is not an organization: %w", user, ErrUnauthorized)
		}
		return nil, err
	}
	match, err := CheckAPIKey(ctx, a.APIKeys, org.ID, secret, a.now())
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
