package sharing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Kinds of machine credential (Credential.Kind).
const (
	CredentialToken  = "token"   // a JWT for Authorization: Bearer (crypto/token)
	CredentialAPIKey = "api-key" // a secret for HTTP Basic (TAXII 2.1 §1.6.9)
)

// Credential is an issued API token or API key as the operators list it:
// who it is for and until when, never the secret (which is shown once, at
// issue, and of which the hub keeps at most a hash).
type Credential struct {
	ID           string // the token's jti or the key's id: what revocation names
	Kind         string // CredentialToken or CredentialAPIKey
	Organization string
	IssuedAt     time.Time
	IssuedBy     string    // the audit actor who issued it ("operator" for the CLI, "org/username" in the console)
	ExpiresAt    time.Time // zero when the issue predates the hub recording it
	Revoked      bool
}

// Expired reports whether the credential's lifetime is over at now.
func (c Credential) Expired(now time.Time) bool {
	return !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt)
}

// Issued is a freshly issued credential with its secret: the token or the
// key. Show Secret once and forget it.
type Issued struct {
	Credential
	Secret string
}

// CredentialStore is what Credentials needs: revocation of tokens and API
// keys, the keys' hashes, and the audit log, which is the record of every
// token issued (tokens themselves are not stored: they are signed). The
// contracts are those of TokenStore, APIKeyStore and AuditStore.
type CredentialStore interface {
	AuditAppender
	RevokeToken(ctx context.Context, jti string, ev AuditEvent) error
	CreateAPIKey(ctx context.Context, k APIKey, ev AuditEvent) error
	FindAPIKeys(ctx context.Context, org string) ([]APIKey, error)
	RevokeAPIKey(ctx context.Context, id string, at time.Time, ev AuditEvent) error
	FindAuditEvents(ctx context.Context, actions []string) ([]AuditEntry, error)
}

// Credentials issues, lists and revokes the machine credentials of the
// organizations: API tokens (JWT) and API keys (HTTP Basic). Only the hub's
// operators may (the console's operators, the CLI as CommandLine); every act
// is audited with the caller's Actor.
type Credentials struct {
	Store    CredentialStore
	Registry *Registry
	// Sign issues a token for an organization and role, valid for ttl; it
	// returns the token, its jti and its expiry (crypto/token.Signer.Issue).
	Sign func(org, role string, ttl time.Duration) (raw, jti string, expires time.Time, err error)
	// MaxTTL caps every lifetime (max_token_ttl); it is also an API key's
	// default lifetime. Zero: 90 days.
	MaxTTL time.Duration
	Now    func() time.Time
}

// DefaultTokenTTL is a token's lifetime when the operator names none.
const DefaultTokenTTL = 24 * time.Hour

func (s *Credentials) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Credentials) maxTTL() time.Duration {
	if s.MaxTTL <= 0 {
		return 90 * 24 * time.Hour
	}
	return s.MaxTTL
}

// MaxTTLOrDefault is the longest lifetime a credential may have.
func (s *Credentials) MaxTTLOrDefault() time.Duration { return s.maxTTL() }

// lifetime applies the default and the cap to a requested lifetime.
func (s *Credentials) lifetime(ttl time.Duration, kind string) (time.Duration, error) {
	switch {
	case ttl < 0:
		return 0, fmt.Errorf("lifetime %s must be positive: %w", ttl, ErrInvalidArgument)
	case ttl > s.maxTTL():
		return 0, fmt.Errorf("lifetime %s is longer than max_token_ttl %s; issue a shorter one and renew it: %w", ttl, s.maxTTL(), ErrInvalidArgument)
	case ttl == 0 && kind == CredentialAPIKey:
		return s.maxTTL(), nil
	case ttl == 0:
		return DefaultTokenTTL, nil
	}
	return ttl, nil
}

func (s *Credentials) operator(caller *Organization) error {
	if !MayOperate(caller) {
		return fmt.Errorf("only the hub's operators issue and revoke API tokens and keys: %w", ErrForbidden)
	}
	return nil
}

func (s *Credentials) organization(id string) (*Organization, error) {
	org, err := s.Registry.FindOrganizationByID(id)
	if err != nil {
		return nil, fmt.Errorf("no organization %q in the registry: %w", id, ErrInvalidArgument)
	}
	return org, nil
}

// Issue signs an API token for an organization, valid for ttl (0: 24 h; at
// most MaxTTL), and records the issue in the audit log.
func (s *Credentials) Issue(ctx context.Context, caller *Organization, orgID string, ttl time.Duration) (Issued, error) {
	if err := s.operator(caller); err != nil {
		return Issued{}, err
	}
	org, err := s.organization(orgID)
	if err != nil {
		return Issued{}, err
	}
	if ttl, err = s.lifetime(ttl, CredentialToken); err != nil {
		return Issued{}, err
	}
	raw, jti, expires, err := s.Sign(org.ID, string(org.Role), ttl)
	if err != nil {
		return Issued{}, err
	}
	// The token is valid from now on: if the audit append fails, revoke it
	// rather than leave a working token the log does not know.
	err = s.Store.AppendAudit(ctx, AuditEvent{Actor: caller.Actor(), Action: AuditTokenIssue, Subject: jti,
		Detail: map[string]any{"org": org.ID, "role": string(org.Role), "expires": expires.UTC().Format(time.RFC3339)}})
	if err != nil {
		return Issued{}, errors.Join(err, s.Store.RevokeToken(ctx, jti, AuditEvent{Actor: caller.Actor(), Action: AuditTokenRevoke, Subject: jti,
			Detail: map[string]any{"reason": "issue not recorded"}}))
	}
	return Issued{Credential: Credential{ID: jti, Kind: CredentialToken, Organization: org.ID, IssuedAt: s.now(), IssuedBy: caller.Actor(),
		ExpiresAt: expires.UTC()}, Secret: raw}, nil
}

// IssueAPIKey makes an HTTP Basic API key for an organization (docs/taxii.md),
// valid for ttl (0: MaxTTL). Only the key's SHA-256 is stored; the key and
// the audit entry are written in one transaction.
func (s *Credentials) IssueAPIKey(ctx context.Context, caller *Organization, orgID string, ttl time.Duration) (Issued, error) {
	if err := s.operator(caller); err != nil {
		return Issued{}, err
	}
	org, err := s.organization(orgID)
	if err != nil {
		return Issued{}, err
	}
	if ttl, err = s.lifetime(ttl, CredentialAPIKey); err != nil {
		return Issued{}, err
	}
	k, secret, err := NewAPIKey(org.ID, s.now(), ttl)
	if err != nil {
		return Issued{}, err
	}
	if err := s.Store.CreateAPIKey(ctx, k, AuditEvent{Actor: caller.Actor(), Action: AuditTokenIssue, Subject: k.ID,
		Detail: map[string]any{"org": org.ID, "role": string(org.Role), "kind": CredentialAPIKey, "expires": k.ExpiresAt.Format(time.RFC3339)}}); err != nil {
		return Issued{}, err
	}
	return Issued{Credential: Credential{ID: k.ID, Kind: CredentialAPIKey, Organization: org.ID, IssuedAt: k.CreatedAt, IssuedBy: caller.Actor(),
		ExpiresAt: k.ExpiresAt}, Secret: secret}, nil
}

// Revoke revokes a token (by jti) or an API key (by id); it takes effect at
// once. An API key id the hub never issued, or an id that is no token id,
// is ErrNotFound, so that a typo does not look like a revocation; revoking
// twice is ErrConflict.
func (s *Credentials) Revoke(ctx context.Context, caller *Organization, id string) (Credential, error) {
	if err := s.operator(caller); err != nil {
		return Credential{}, err
	}
	all, err := s.issued(ctx)
	if err != nil {
		return Credential{}, err
	}
	i := slices.IndexFunc(all, func(c Credential) bool { return c.ID == id })
	var c Credential
	switch {
	case i >= 0:
		c = all[i]
	case jtiPattern.MatchString(id):
		// A token the log does not know still verifies if the hub signed it
		// after the backup its database was restored from
		// (docs/operator-guide.md): it must stay revocable.
		c = Credential{ID: id, Kind: CredentialToken}
	default:
		return Credential{}, fmt.Errorf("no token or API key %q was issued by this hub: %w", id, ErrNotFound)
	}
	if c.Revoked {
		return c, fmt.Errorf("%s %s is already revoked: %w", c.Kind, id, ErrConflict)
	}
	if c.Kind == CredentialAPIKey {
		err = s.Store.RevokeAPIKey(ctx, id, s.now(), AuditEvent{Actor: caller.Actor(), Action: AuditTokenRevoke, Subject: id,
			Detail: map[string]any{"kind": CredentialAPIKey, "org": c.Organization}})
	} else {
		err = s.Store.RevokeToken(ctx, id, AuditEvent{Actor: caller.Actor(), Action: AuditTokenRevoke, Subject: id,
			Detail: map[string]any{"org": c.Organization}})
	}
	if err != nil {
		return Credential{}, err
	}
	c.Revoked = true
	return c, nil
}

// List returns every token and API key the hub issued, newest first, with
// whether it was revoked; the operators' view (never a secret).
func (s *Credentials) List(ctx context.Context, caller *Organization) ([]Credential, error) {
	if err := s.operator(caller); err != nil {
		return nil, err
	}
	all, err := s.issued(ctx)
	if err != nil {
		return nil, err
	}
	slices.Reverse(all)
	return all, nil
}

// jtiPattern is a token id (crypto/token: a UUID).
var jtiPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// issueDetail is what a token.issued audit entry says.
type issueDetail struct {
	Org     string `json:"org"`
	Kind    string `json:"kind"`
	Expires string `json:"expires"`
}

// issued reads the credentials from the audit log, oldest first: every
// issue is audited (since the first release), so the log is their record.
// An API key's expiry and revocation come from its stored row when the
// entry predates them.
func (s *Credentials) issued(ctx context.Context) ([]Credential, error) {
	entries, err := s.Store.FindAuditEvents(ctx, []string{AuditTokenIssue, AuditTokenRevoke})
	if err != nil {
		return nil, err
	}
	var out []Credential
	at := map[string]int{}
	keyOrgs := map[string]bool{}
	for _, e := range entries {
		if e.Action == AuditTokenRevoke {
			if i, ok := at[e.Subject]; ok {
				out[i].Revoked = true
			}
			continue
		}
		var d issueDetail
		if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
			continue // not one of ours; the chain check reports tampering
		}
		c := Credential{ID: e.Subject, Kind: CredentialToken, Organization: d.Org, IssuedAt: e.At, IssuedBy: e.Actor}
		if d.Kind == CredentialAPIKey || IsAPIKeyID(e.Subject) {
			c.Kind = CredentialAPIKey
			keyOrgs[d.Org] = true
		}
		if t, err := time.Parse(time.RFC3339, d.Expires); err == nil {
			c.ExpiresAt = t.UTC()
		}
		at[c.ID] = len(out)
		out = append(out, c)
	}
	// Keys: revoked unless the store still lists them as unrevoked (a key
	// revoked before revocations named it in the log), expiry from the row.
	for org := range keyOrgs {
		keys, err := s.Store.FindAPIKeys(ctx, org)
		if err != nil {
			return nil, err
		}
		live := map[string]APIKey{}
		for _, k := range keys {
			live[k.ID] = k
		}
		for i := range out {
			if out[i].Kind != CredentialAPIKey || out[i].Organization != org {
				continue
			}
			k, ok := live[out[i].ID]
			out[i].Revoked = out[i].Revoked || !ok
			if ok {
				out[i].ExpiresAt = k.ExpiresAt
			}
		}
	}
	return out, nil
}
