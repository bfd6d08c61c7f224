package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/crypto/password"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// usersOn builds the users service over a real database, with a clock the
// test moves.
func usersOn(t *testing.T) (*sharing.Users, *DB, *time.Time) {
	t.Helper()
	db, _ := openTest(t)
	reg, err := sharing.NewRegistry([]*sharing.Organization{
		{ID: "carrier-a", Role: sharing.RoleCarrier, Name: "Sakura Telecom", Identity: "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11"},
		{ID: "carrier-b", Role: sharing.RoleCarrier, Name: "Kaede Networks", Identity: "identity--7e1ce2c7-6b2d-4d8f-8b64-7a2c2eac3c22"},
		{ID: "hub-admin", Role: sharing.RoleAdmin, Name: "Hub operators", Identity: "identity--8f2df3d8-7c3e-4e90-9c75-8b3d3fbd4d33"},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	u := &sharing.Users{
		Store: db, Registry: reg, Now: clock,
		Access:  &sharing.Access{Registry: reg, Audit: db, Failures: sharing.NewLimiter(5, time.Minute), Now: clock},
		Hashing: password.Params{Memory: 8 * 1024, Time: 1, Threads: 1},
	}
	u.Access.Failures.Now = clock
	return u, db, &now
}

const pw = "a long enough password"

func TestUsersSignInResumeSignOut(t *testing.T) {
	ctx := context.Background()
	u, db, now := usersOn(t)
	if _, err := u.Add(ctx, sharing.CommandLine, "carrier-a", "yamada", sharing.UserReporter, pw); err != nil {
		t.Fatal(err)
	}
	s, token, err := u.SignIn(ctx, "192.0.2.1", "yamada", pw)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID == token || s.CSRF == "" {
		t.Fatalf("session stores the token itself or has no CSRF token: %+v", s)
	}
	caller, got, err := u.Resume(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if caller.ID != "carrier-a" || caller.Person == nil || caller.Person.Username != "yamada" || got.CSRF != s.CSRF {
		t.Fatalf("Resume = %+v %+v", caller, got)
	}
	if caller.Actor() != "carrier-a/yamada" {
		t.Fatalf("Actor = %q", caller.Actor())
	}
	reg, _ := u.Registry.FindOrganizationByID("carrier-a")
	if reg.Person != nil {
		t.Fatal("Resume changed the registry's organization")
	}
	if err := u.SignOut(ctx, caller, token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := u.Resume(ctx, token); !errors.Is(err, sharing.ErrUnauthorized) {
		t.Fatalf("after sign-out: %v", err)
	}
	// The audit log names the person and the organization.
	events, err := db.FindAuditEvents(ctx, []string{sharing.AuditSignIn, sharing.AuditSignOut, sharing.AuditUserAdded})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{sharing.AuditUserAdded: "operator", sharing.AuditSignIn: "carrier-a/yamada", sharing.AuditSignOut: "carrier-a/yamada"}
	if len(events) != 3 {
		t.Fatalf("audit events = %d, want 3", len(events))
	}
	for _, e := range events {
		if want[e.Action] != e.Actor {
			t.Errorf("%s actor %q, want %q", e.Action, e.Actor, want[e.Action])
		}
	}
	_ = now
}

func TestUsersSessionExpiry(t *testing.T) {
	ctx := context.Background()
	u, _, now := usersOn(t)
	u.IdleTimeout, u.MaxAge = 30*time.Minute, 2*time.Hour
	if _, err := u.Add(ctx, sharing.CommandLine, "carrier-a", "yamada", sharing.UserViewer, pw); err != nil {
		t.Fatal(err)
	}
	_, idle, _ := u.SignIn(ctx, "192.0.2.1", "yamada", pw)
	_, active, _ := u.SignIn(ctx, "192.0.2.1", "yamada", pw)
	// Keep one session in use every 20 minutes; leave the other idle.
	for i := 0; i < 5; i++ {
		*now = now.Add(20 * time.Minute)
		if _, _, err := u.Resume(ctx, active); err != nil {
			t.Fatalf("active session at +%d min: %v", (i+1)*20, err)
		}
	}
	if _, _, err := u.Resume(ctx, idle); !errors.Is(err, sharing.ErrUnauthorized) {
		t.Fatalf("idle session after 100 min: %v, want ErrUnauthorized", err)
	}
	*now = now.Add(20 * time.Minute) // 2 h since sign-in
	if _, _, err := u.Resume(ctx, active); err != nil {
		t.Fatalf("at exactly the absolute limit: %v", err)
	}
	*now = now.Add(time.Second)
	if _, _, err := u.Resume(ctx, active); !errors.Is(err, sharing.ErrUnauthorized) {
		t.Fatalf("past the absolute limit: %v, want ErrUnauthorized", err)
	}
}

func TestUsersSignInFailures(t *testing.T) {
	ctx := context.Background()
	u, db, now := usersOn(t)
	if _, err := u.Add(ctx, sharing.CommandLine, "carrier-a", "yamada", sharing.UserReporter, pw); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Add(ctx, sharing.CommandLine, "carrier-a", "suzuki", sharing.UserReporter, pw); err != nil {
		t.Fatal(err)
	}
	if err := u.Disable(ctx, sharing.CommandLine, "suzuki"); err != nil {
		t.Fatal(err)
	}
	// Unknown user, wrong password and disabled user give the same answer.
	for _, c := range []struct{ user, pw string }{{"nobody", pw}, {"yamada", "wrong password!!"}, {"suzuki", pw}} {
		_, _, err := u.SignIn(ctx, "192.0.2.9", c.user, c.pw)
		if err != sharing.ErrSignIn {
			t.Fatalf("%s: %v, want ErrSignIn", c.user, err)
		}
	}
	// A username that failed five times is refused from any address,
	// and the failures are audited without the password.
	for i := 0; i < 4; i++ { // with the one above: five
		_, _, _ = u.SignIn(ctx, fmt.Sprintf("198.51.100.%d", i), "yamada", "wrong password!!")
	}
	_, _, err := u.SignIn(ctx, "198.51.100.200", "yamada", "wrong password!!")
	var rl *sharing.RateLimitedError
	if !errors.As(err, &rl) {
		t.Fatalf("sixth failure for yamada: %v, want rate limited", err)
	}
	// Over its allowance the username waits, right password or not, from
	// a fresh address too: guesses spread over addresses are bounded.
	if _, _, err := u.SignIn(ctx, "203.0.113.50", "yamada", pw); !errors.As(err, &rl) {
		t.Fatalf("right password while over the allowance: %v, want rate limited", err)
	}
	*now = now.Add(time.Minute)
	if _, _, err := u.SignIn(ctx, "203.0.113.50", "yamada", pw); err != nil {
		t.Fatalf("right password after the window: %v", err)
	}
	events, _ := db.FindAuditEvents(ctx, []string{sharing.AuditAuthFailed})
	// Seven checked and failed; the eighth was refused before its
	// password was checked.
	if len(events) != 7 {
		t.Fatalf("%d failed sign-ins audited, want 7", len(events))
	}
	for _, e := range events {
		if e.Detail == "" || strings.Contains(e.Detail, "wrong password!!") {
			t.Fatalf("audit detail %q shows the password", e.Detail)
		}
	}
}

// TestUsersAcrossOrganizations: an approver manages its own organization's
// people only; another organization's users do not exist for it.
func TestUsersAcrossOrganizations(t *testing.T) {
	ctx := context.Background()
	u, _, _ := usersOn(t)
	must := func(_ sharing.User, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(u.Add(ctx, sharing.CommandLine, "carrier-a", "boss-a", sharing.UserApprover, pw))
	must(u.Add(ctx, sharing.CommandLine, "carrier-b", "noc-b", sharing.UserReporter, pw))
	must(u.Add(ctx, sharing.CommandLine, "carrier-a", "noc-a", sharing.UserReporter, pw))
	_, tok, _ := u.SignIn(ctx, "192.0.2.1", "boss-a", pw)
	bossA, _, err := u.Resume(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	_, tok, _ = u.SignIn(ctx, "192.0.2.1", "noc-a", pw)
	nocA, _, _ := u.Resume(ctx, tok)

	must(u.Add(ctx, bossA, "carrier-a", "carrier-a.new", sharing.UserViewer, pw))
	// An approver's names are its organization's: a name outside that
	// namespace is refused before the store is asked whether it is taken,
	// so a taken name never tells about another organization's people.
	if _, err := u.Add(ctx, bossA, "carrier-a", "noc-b", sharing.UserViewer, pw); !errors.Is(err, sharing.ErrInvalidArgument) {
		t.Errorf("approver adds a name outside its namespace (another organization's user): %v, want ErrInvalidArgument", err)
	}
	if _, err := u.Add(ctx, sharing.CommandLine, "carrier-b", "carrier-a.spy", sharing.UserViewer, pw); !errors.Is(err, sharing.ErrInvalidArgument) {
		t.Errorf("a name in another organization's namespace: %v, want ErrInvalidArgument", err)
	}
	if _, err := u.Add(ctx, bossA, "carrier-b", "spy", sharing.UserReporter, pw); !errors.Is(err, sharing.ErrForbidden) {
		t.Errorf("approver adds to another organization: %v", err)
	}
	if err := u.Disable(ctx, bossA, "noc-b"); !errors.Is(err, sharing.ErrNotFound) {
		t.Errorf("approver disables another organization's user: %v, want ErrNotFound", err)
	}
	if err := u.SetPassword(ctx, bossA, "noc-b", "another long password"); !errors.Is(err, sharing.ErrNotFound) {
		t.Errorf("approver resets another organization's password: %v, want ErrNotFound", err)
	}
	if _, err := u.Add(ctx, nocA, "carrier-a", "self-made", sharing.UserApprover, pw); !errors.Is(err, sharing.ErrForbidden) {
		t.Errorf("reporter adds a user: %v", err)
	}
	if err := u.SetPassword(ctx, nocA, "noc-a", "my new long password"); !errors.Is(err, sharing.ErrForbidden) {
		t.Errorf("own password without the current one: %v, want ErrForbidden", err)
	}
	if err := u.SetPassword(ctx, bossA, "boss-a", "my new long password"); !errors.Is(err, sharing.ErrForbidden) {
		t.Errorf("an approver's own password without the current one: %v, want ErrForbidden", err)
	}
	if err := u.ChangeOwnPassword(ctx, nocA, "192.0.2.1", pw, "my new long password"); err != nil {
		t.Errorf("own password with the current one: %v", err)
	}
	list, err := u.List(ctx, bossA)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.Organization != "carrier-a" {
			t.Errorf("approver lists %s of %s", x.Username, x.Organization)
		}
	}
	if _, err := u.Add(ctx, sharing.CommandLine, "carrier-a", "op", sharing.UserOperator, pw); !errors.Is(err, sharing.ErrInvalidArgument) {
		t.Errorf("operator in a carrier: %v", err)
	}
	if _, err := u.Add(ctx, sharing.CommandLine, "carrier-a", "noc-a", sharing.UserViewer, pw); !errors.Is(err, sharing.ErrConflict) {
		t.Errorf("taken username: %v", err)
	}
	if _, err := u.Add(ctx, sharing.CommandLine, "carrier-a", "short", sharing.UserViewer, "short"); !errors.Is(err, sharing.ErrInvalidArgument) {
		t.Errorf("short password: %v", err)
	}
}

// TestPasswordChangeEndsSessions: a new password or a disabled user ends
// every open session of that user.
func TestPasswordChangeEndsSessions(t *testing.T) {
	ctx := context.Background()
	u, _, _ := usersOn(t)
	if _, err := u.Add(ctx, sharing.CommandLine, "carrier-a", "yamada", sharing.UserReporter, pw); err != nil {
		t.Fatal(err)
	}
	_, tok, _ := u.SignIn(ctx, "192.0.2.1", "yamada", pw)
	if err := u.SetPassword(ctx, sharing.CommandLine, "yamada", "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := u.Resume(ctx, tok); !errors.Is(err, sharing.ErrUnauthorized) {
		t.Fatalf("session after password change: %v", err)
	}
	if _, _, err := u.SignIn(ctx, "192.0.2.1", "yamada", pw); err != sharing.ErrSignIn {
		t.Fatalf("old password: %v", err)
	}
	_, tok, err := u.SignIn(ctx, "192.0.2.1", "yamada", "a brand new password")
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Disable(ctx, sharing.CommandLine, "yamada"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := u.Resume(ctx, tok); !errors.Is(err, sharing.ErrUnauthorized) {
		t.Fatalf("session after disable: %v", err)
	}
}

// TestShortIdleTimeoutKeepsSessionInUse: with an idle timeout shorter than
// the touch interval, a session used every half timeout stays open.
func TestShortIdleTimeoutKeepsSessionInUse(t *testing.T) {
	ctx := context.Background()
	u, _, now := usersOn(t)
	u.IdleTimeout, u.MaxAge = 4*time.Second, time.Hour
	if _, err := u.Add(ctx, sharing.CommandLine, "carrier-a", "yamada", sharing.UserViewer, pw); err != nil {
		t.Fatal(err)
	}
	_, tok, _ := u.SignIn(ctx, "192.0.2.1", "yamada", pw)
	for i := 0; i < 10; i++ {
		*now = now.Add(2 * time.Second)
		if _, _, err := u.Resume(ctx, tok); err != nil {
			t.Fatalf("in use at +%ds: %v", (i+1)*2, err)
		}
	}
	*now = now.Add(5 * time.Second)
	if _, _, err := u.Resume(ctx, tok); !errors.Is(err, sharing.ErrUnauthorized) {
		t.Fatalf("idle 5 s past a 4 s timeout: %v", err)
	}
}
