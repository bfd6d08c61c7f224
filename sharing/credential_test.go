package sharing

import (
	"context"
	"errors"
	"testing"
	"time"
)

// credentialStore keeps what Credentials writes in memory: the audit log it
// reads back, revoked token ids and API keys.
type credentialStore struct {
	log     []AuditEntry
	revoked map[string]bool
	keys    map[string]APIKey
}

func (s *credentialStore) AppendAudit(_ context.Context, ev AuditEvent) error {
	var prev *AuditEntry
	if n := len(s.log); n > 0 {
		prev = &s.log[n-1]
	}
	e, err := NewAuditEntry(prev, ev, time.Now())
	if err != nil {
		return err
	}
	s.log = append(s.log, e)
	return nil
}

func (s *credentialStore) RevokeToken(ctx context.Context, jti string, ev AuditEvent) error {
	s.revoked[jti] = true
	return s.AppendAudit(ctx, ev)
}

func (s *credentialStore) CreateAPIKey(ctx context.Context, k APIKey, ev AuditEvent) error {
	s.keys[k.ID] = k
	return s.AppendAudit(ctx, ev)
}

func (s *credentialStore) FindAPIKeys(_ context.Context, org string) ([]APIKey, error) {
	var out []APIKey
	for _, k := range s.keys {
		if k.Organization == org && k.RevokedAt == nil {
			out = append(out, k)
		}
	}
	return out, nil
}

func (s *credentialStore) RevokeAPIKey(ctx context.Context, id string, at time.Time, ev AuditEvent) error {
	k, ok := s.keys[id]
	if !ok {
		return ErrNotFound
	}
	k.RevokedAt = &at
	s.keys[id] = k
	return s.AppendAudit(ctx, ev)
}

func (s *credentialStore) FindAuditEvents(_ context.Context, actions []string) ([]AuditEntry, error) {
	var out []AuditEntry
	for _, e := range s.log {
		for _, a := range actions {
			if e.Action == a {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

func TestCredentials(t *testing.T) {
	ctx := context.Background()
	reg, err := NewRegistry([]*Organization{{ID: "hub-admin", Role: RoleAdmin, Name: "Hub", Identity: "identity--00000000-0000-4000-8000-000000000001"}, {ID: "carrier-a", Role: RoleCarrier, Name: "A", Identity: "identity--00000000-0000-4000-8000-000000000002"}})
	if err != nil {
		t.Fatal(err)
	}
	store := &credentialStore{revoked: map[string]bool{}, keys: map[string]APIKey{}}
	n := 0
	c := &Credentials{Store: store, Registry: reg, MaxTTL: 48 * time.Hour,
		Sign: func(org, role string, ttl time.Duration) (string, string, time.Time, error) {
			n++
			return "signed-" + org, "00000000-0000-4000-8000-00000000000" + string(rune('0'+n)), time.Now().Add(ttl), nil
		}}
	operator := &Organization{ID: "hub-admin", Role: RoleAdmin, Person: &Person{Username: "op", Role: UserOperator}}

	for name, caller := range map[string]*Organization{
		"carrier token":      {ID: "carrier-a", Role: RoleCarrier},
		"approver":           {ID: "carrier-a", Role: RoleCarrier, Person: &Person{Username: "ap", Role: UserApprover}},
		"admin org, no role": {ID: "hub-admin", Role: RoleAdmin, Person: &Person{Username: "v", Role: UserViewer}},
		"nobody":             nil,
	} {
		if _, err := c.Issue(ctx, caller, "carrier-a", 0); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s issues: %v", name, err)
		}
		if _, err := c.List(ctx, caller); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s lists: %v", name, err)
		}
	}
	if len(store.log) != 0 {
		t.Fatalf("refusals wrote %d audit entries", len(store.log))
	}

	tok, err := c.Issue(ctx, operator, "carrier-a", 0)
	if err != nil || tok.Secret != "signed-carrier-a" || tok.ExpiresAt.Sub(time.Now()) > DefaultTokenTTL {
		t.Fatalf("issue: %+v %v", tok, err)
	}
	key, err := c.IssueAPIKey(ctx, operator, "carrier-a", 0)
	if err != nil || key.ExpiresAt.Sub(key.IssuedAt) != 48*time.Hour || !checkKey(store, key) {
		t.Fatalf("issue key: %+v %v", key, err)
	}
	if _, err := c.Issue(ctx, operator, "carrier-a", 49*time.Hour); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("over MaxTTL: %v", err)
	}
	if _, err := c.Issue(ctx, operator, "nobody", 0); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("unknown organization: %v", err)
	}
	list, err := c.List(ctx, operator)
	if err != nil || len(list) != 2 || list[0].ID != key.ID || list[1].ID != tok.ID || list[1].IssuedBy != "hub-admin/op" {
		t.Fatalf("list: %+v %v", list, err)
	}
	for _, id := range []string{tok.ID, key.ID} {
		if _, err := c.Revoke(ctx, operator, id); err != nil {
			t.Fatalf("revoke %s: %v", id, err)
		}
		if _, err := c.Revoke(ctx, operator, id); !errors.Is(err, ErrConflict) {
			t.Errorf("revoke %s twice: %v", id, err)
		}
	}
	if !store.revoked[tok.ID] || store.keys[key.ID].RevokedAt == nil {
		t.Error("not revoked in the store")
	}
	list, _ = c.List(ctx, operator)
	if !list[0].Revoked || !list[1].Revoked {
		t.Errorf("list after revoke: %+v", list)
	}
	// A token id the log does not know (signed after a restored backup) is
	// revocable; a non-id or an unknown key id is not found.
	if _, err := c.Revoke(ctx, operator, "11111111-2222-4333-8444-555555555555"); err != nil {
		t.Errorf("unlogged token id: %v", err)
	}
	for _, id := range []string{"typo", "apikey-0000000000000000"} {
		if _, err := c.Revoke(ctx, operator, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoke %s: %v", id, err)
		}
	}
	for _, e := range store.log {
		if e.Actor != "hub-admin/op" {
			t.Errorf("audit entry %d %s by %q", e.Seq, e.Action, e.Actor)
		}
	}
}

// checkKey reports whether the issued key's secret matches what the store keeps.
func checkKey(s *credentialStore, k Issued) bool {
	ok, err := CheckAPIKey(context.Background(), s, k.Organization, k.Secret, time.Now())
	return err == nil && ok
}
