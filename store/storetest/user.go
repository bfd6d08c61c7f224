package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// testUsers: usernames are unique, an update ends the user's sessions, every
// write is audited with it.
func testUsers(t *testing.T, open Open) {
	ctx := context.Background()
	us, s := fresh[sharing.UserStore](t, open)
	alice := sharing.User{Username: "alice", Organization: "carrier-a", Role: sharing.UserViewer, PasswordHash: "$argon2id$a", CreatedAt: at(1), UpdatedAt: at(1)}
	bob := sharing.User{Username: "bob", Organization: "carrier-b", Role: sharing.UserApprover, PasswordHash: "$argon2id$b", CreatedAt: at(2), UpdatedAt: at(2)}
	carol := sharing.User{Username: "carol", Organization: "carrier-a", Role: sharing.UserViewer, PasswordHash: "$argon2id$c", Disabled: true, CreatedAt: at(3), UpdatedAt: at(3)}
	for _, u := range []sharing.User{carol, bob, alice} {
		if err := us.CreateUser(ctx, u, ev("user.created", u.Username)); err != nil {
			t.Fatal(err)
		}
	}
	n := auditCount(t, s)
	if err := us.CreateUser(ctx, sharing.User{Username: "alice", Organization: "carrier-c", Role: sharing.UserViewer, CreatedAt: at(4), UpdatedAt: at(4)}, ev("user.created", "alice")); !errors.Is(err, sharing.ErrConflict) {
		t.Errorf("a taken username: err = %v, want ErrConflict", err)
	}
	if got := auditCount(t, s); got != n {
		t.Errorf("a refused user wrote %d audit entries", got-n)
	}
	got, err := us.FindUserByName(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(alice, got); d != "" {
		t.Errorf("alice (-want +got):\n%s", d)
	}
	_, err = us.FindUserByName(ctx, "mallory")
	mustNotFound(t, "unknown user", err)
	list, err := us.FindUsers(ctx, "carrier-a")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]sharing.User{alice, carol}, list); d != "" {
		t.Errorf("carrier-a's users (-want +got):\n%s", d)
	}
	all, err := us.FindUsers(ctx, "")
	if err != nil || len(all) != 3 || all[0].Username != "alice" || all[2].Username != "carol" {
		t.Errorf("everyone = %v, %v; want alice, bob, carol", all, err)
	}
	if none, err := us.FindUsers(ctx, "nobody"); err != nil || none == nil || len(none) != 0 {
		t.Errorf("users of an organization without any = %#v, %v; want an empty list", none, err)
	}

	sess := sharing.Session{ID: "sha256-of-token-1", Username: "alice", Organization: "carrier-a", CSRF: "csrf-1", CreatedAt: at(5), LastSeen: at(5)}
	if err := us.CreateSession(ctx, sess, ev("session.created", "alice")); err != nil {
		t.Fatal(err)
	}
	if err := us.CreateSession(ctx, sharing.Session{ID: "sha256-of-token-2", Username: "alice", Organization: "carrier-a", CSRF: "csrf-2", CreatedAt: at(6), LastSeen: at(6)}, ev("session.created", "alice")); err != nil {
		t.Fatal(err)
	}
	if err := us.TouchSession(ctx, sess.ID, at(7)); err != nil {
		t.Fatal(err)
	}
	gotS, err := us.FindSessionByID(ctx, sess.ID)
	sess.LastSeen = at(7)
	if err != nil || !cmp.Equal(sess, gotS) {
		t.Errorf("touched session = %+v, %v; want %+v", gotS, err, sess)
	}
	_, err = us.FindSessionByID(ctx, "no-such-session")
	mustNotFound(t, "unknown session", err)

	// Signing out without an audit event, then with one.
	n = auditCount(t, s)
	if err := us.DeleteSession(ctx, sess.ID, sharing.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	if got := auditCount(t, s); got != n {
		t.Errorf("deleting a session without an event appended %d entries", got-n)
	}
	_, err = us.FindSessionByID(ctx, sess.ID)
	mustNotFound(t, "deleted session", err)

	// An update (say, a new password) ends every session of the user.
	alice.PasswordHash, alice.Role, alice.UpdatedAt = "$argon2id$a2", sharing.UserApprover, at(8)
	if err := us.UpdateUser(ctx, alice, ev("user.updated", "alice")); err != nil {
		t.Fatal(err)
	}
	if got, err := us.FindUserByName(ctx, "alice"); err != nil || !cmp.Equal(alice, got) {
		t.Errorf("updated alice = %+v, %v; want %+v", got, err, alice)
	}
	_, err = us.FindSessionByID(ctx, "sha256-of-token-2")
	mustNotFound(t, "a session after its user's update", err)
	err = us.UpdateUser(ctx, sharing.User{Username: "mallory", Role: sharing.UserViewer, UpdatedAt: at(9)}, ev("user.updated", "mallory"))
	mustNotFound(t, "updating an unknown user", err)
	audited(t, s, "user.created", "user.created", "user.created", "session.created", "session.created", "user.updated")
}

// testAPIKeys: keys are listed unrevoked, revoked idempotently, and an
// unknown key is ErrNotFound.
func testAPIKeys(t *testing.T, open Open) {
	ctx := context.Background()
	ks, s := fresh[sharing.APIKeyStore](t, open)
	if keys, err := ks.FindAPIKeys(ctx, "carrier-a"); err != nil || keys == nil || len(keys) != 0 {
		t.Errorf("keys of an organization without any = %#v, %v; want an empty list", keys, err)
	}
	k1 := sharing.APIKey{ID: "apikey-0000000000000001", Organization: "carrier-a", Hash: "h1", CreatedAt: at(1), ExpiresAt: at(1).Add(90 * 24 * time.Hour)}
	k2 := sharing.APIKey{ID: "apikey-0000000000000002", Organization: "carrier-a", Hash: "h2", CreatedAt: at(2), ExpiresAt: at(2).Add(90 * 24 * time.Hour)}
	k3 := sharing.APIKey{ID: "apikey-0000000000000003", Organization: "carrier-b", Hash: "h3", CreatedAt: at(3), ExpiresAt: at(3).Add(time.Hour)}
	for _, k := range []sharing.APIKey{k2, k1, k3} {
		if err := ks.CreateAPIKey(ctx, k, ev("apikey.issued", k.ID)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ks.CreateAPIKey(ctx, k1, ev("apikey.issued", k1.ID)); !errors.Is(err, sharing.ErrConflict) {
		t.Errorf("a key id twice: err = %v, want ErrConflict", err)
	}
	got, err := ks.FindAPIKeys(ctx, "carrier-a")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]sharing.APIKey{k1, k2}, got); d != "" {
		t.Errorf("carrier-a's keys (-want +got):\n%s", d)
	}
	for range 2 {
		if err := ks.RevokeAPIKey(ctx, k1.ID, at(4), ev("apikey.revoked", k1.ID)); err != nil {
			t.Fatalf("revoke (twice is not an error): %v", err)
		}
	}
	err = ks.RevokeAPIKey(ctx, "apikey-ffffffffffffffff", at(4), ev("apikey.revoked", "x"))
	mustNotFound(t, "revoking an unknown key", err)
	if got, err := ks.FindAPIKeys(ctx, "carrier-a"); err != nil || !cmp.Equal([]sharing.APIKey{k2}, got) {
		t.Errorf("keys after revoking k1 = %+v, %v; want k2 only", got, err)
	}
	audited(t, s, "apikey.issued", "apikey.issued", "apikey.issued", "apikey.revoked", "apikey.revoked")
}

// testKeys: an uploaded key replaces the previous one, a registry change can
// drop it, and every change is recorded in order.
func testKeys(t *testing.T, open Open) {
	ctx := context.Background()
	ks, s := fresh[sharing.KeyStore](t, open)
	_, err := ks.FindOrganizationKey(ctx, "carrier-a")
	mustNotFound(t, "key never uploaded", err)
	if chs, err := ks.FindKeyChanges(ctx, "carrier-a"); err != nil || chs == nil || len(chs) != 0 {
		t.Errorf("changes of an organization without any = %#v, %v; want an empty list", chs, err)
	}
	ch1 := sharing.KeyChange{Organization: "carrier-a", At: at(1), Fingerprint: "FP1", Source: "api", Actor: "carrier-a"}
	ch2 := sharing.KeyChange{Organization: "carrier-a", At: at(2), Fingerprint: "FP2", Source: "api", Actor: "carrier-a"}
	ch3 := sharing.KeyChange{Organization: "carrier-a", At: at(3), Fingerprint: "FP3", Source: "registry", Actor: "operator"}
	other := sharing.KeyChange{Organization: "carrier-b", At: at(2), Fingerprint: "FPB", Source: "api", Actor: "carrier-b"}
	for _, c := range []struct {
		armored string
		ch      sharing.KeyChange
	}{{"KEY-1", ch1}, {"KEY-B", other}, {"KEY-2", ch2}} {
		if err := ks.SaveOrganizationKey(ctx, c.armored, c.ch, ev(sharing.AuditKeyUploaded, c.ch.Organization)); err != nil {
			t.Fatal(err)
		}
	}
	if k, err := ks.FindOrganizationKey(ctx, "carrier-a"); err != nil || k != "KEY-2" {
		t.Errorf("carrier-a's key = %q, %v; want the replacement KEY-2", k, err)
	}
	if err := ks.RecordRegistryKey(ctx, ch3, false, ev(sharing.AuditKeyChanged, "carrier-a")); err != nil {
		t.Fatal(err)
	}
	if k, err := ks.FindOrganizationKey(ctx, "carrier-a"); err != nil || k != "KEY-2" {
		t.Errorf("after a registry change that keeps it: key = %q, %v", k, err)
	}
	if err := ks.RecordRegistryKey(ctx, ch3, true, ev(sharing.AuditKeyChanged, "carrier-a")); err != nil {
		t.Fatal(err)
	}
	_, err = ks.FindOrganizationKey(ctx, "carrier-a")
	mustNotFound(t, "uploaded key dropped for the registry's", err)
	if k, err := ks.FindOrganizationKey(ctx, "carrier-b"); err != nil || k != "KEY-B" {
		t.Errorf("carrier-b's key = %q, %v", k, err)
	}
	got, err := ks.FindKeyChanges(ctx, "carrier-a")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]sharing.KeyChange{ch1, ch2, ch3, ch3}, got); d != "" {
		t.Errorf("carrier-a's key changes (-want +got):\n%s", d)
	}
	audited(t, s, sharing.AuditKeyUploaded, sharing.AuditKeyUploaded, sharing.AuditKeyUploaded, sharing.AuditKeyChanged, sharing.AuditKeyChanged)
}
