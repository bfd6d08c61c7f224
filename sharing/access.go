package sharing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
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

// Admit is asked before credentials are checked: a client address that
// failed too often recently is refused for the rest of the window, right or
// wrong, so that guessing from it is bounded.
func (a *Access) Admit(ctx context.Context, addr string) error {
	if wait, over := a.Failures.Exceeded(ctx, addrKey(addr)); over {
		return &RateLimitedError{What: "failed authentications from your address", RetryAfter: wait}
	}
	return nil
}

// addrKey is the failure counter of a client address. IPv6 clients are
// counted per /64, the smallest network an ISP gives a customer, so that
// one client cannot spread its guesses over its own addresses.
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.Is6() || ip.Is4In6() {
		return "addr " + addr
	}
	p, _ := ip.Prefix(64)
	return "addr " + p.String()
}

// credentialKey bounds what an attacker-chosen user name costs: a short hash.
func credentialKey(credential string) string {
	sum := sha256.Sum256([]byte(credential))
	return "cred " + hex.EncodeToString(sum[:12])
}

// Failed records a failed authentication against the address and the
// credential (the organization a Basic user names), and audits it (address,
// scheme and the user named, never the secret). It returns a
// *RateLimitedError when that credential has failed too often, from any
// address, so that a distributed guess is bounded too — the caller answers
// that instead of 401. Failures never lock out the right secret: only the
// address limit (Admit) refuses before checking.
func (a *Access) Failed(ctx context.Context, addr, scheme, credential string, cause error) error {
	a.Failures.Add(ctx, addrKey(addr))
	if a.Audit != nil {
		subject := storableText(credential, 64)
		if err := a.Audit.AppendAudit(ctx, AuditEvent{Actor: "anonymous", Action: AuditAuthFailed, Subject: subject,
			Detail: map[string]any{"address": addr, "scheme": scheme, "reason": storableText(cause.Error(), 0)}}); err != nil {
			return err
		}
	}
	if credential == "" {
		return nil
	}
	if wait, ok := a.Failures.Take(ctx, credentialKey(credential)); !ok {
		return &RateLimitedError{What: "failed authentications for this user", RetryAfter: wait}
	}
	return nil
}

// Request counts one request of a kind from the caller's organization, or,
// for a caller without credentials (the public channel), from its address;
// over the allowance it is a *RateLimitedError.
func (a *Access) Request(ctx context.Context, caller *Organization, addr, kind string) error {
	key, who := "anon "+addrKey(addr), "your network" // IPv6 per /64, as failed sign-ins
	if caller != nil {
		key, who = caller.ID, "your organization"
	}
	if wait, ok := a.Requests[kind].Take(ctx, key); !ok {
		return &RateLimitedError{What: kind + " requests from " + who, RetryAfter: wait}
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
func MayOperate(caller *Organization) bool {
	return caller != nil && caller.Role == RoleAdmin && caller.mayAct(UserOperator)
}

// MaySubmit reports whether the caller's role may submit (INTERFACES.md §6).
// A console user must be at least a reporter.
func MaySubmit(caller *Organization) bool {
	if caller == nil || !caller.mayAct(UserReporter) {
		return false
	}
	for _, r := range SubmitterRoles {
		if caller.Role == r {
			return true
		}
	}
	return false
}
