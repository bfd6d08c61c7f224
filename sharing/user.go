package sharing

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/kakehashi-hub/kakehashi/crypto/password"
)

// UserRole is what a person may do inside the organization (docs/console.md).
type UserRole string

// User roles, weakest first.
const (
	UserViewer   UserRole = "viewer"   // reads the organization's feeds, submissions and obligations
	UserReporter UserRole = "reporter" // also submits reports and follow-ups, releases held copies, marks obligations met
	UserApprover UserRole = "approver" // also manages the organization's own users
	UserOperator UserRole = "operator" // the hub's operators (only in the admin organization)
)

// UserRoles lists the roles in order of rights.
var UserRoles = []UserRole{UserViewer, UserReporter, UserApprover, UserOperator}

func (r UserRole) rank() int {
	for i, x := range UserRoles {
		if x == r {
			return i + 1
		}
	}
	return 0
}

// Person is the console user acting for an organization. Users.Resume
// returns a copy of the registry's organization with Person set, so that the
// services that take the caller see who acts, and the audit log names them.
type Person struct {
	Username string
	Role     UserRole
}

// Actor is how the audit log names the caller: the organization id, and
// "org/username" when a person signed in to the console acts.
func (o *Organization) Actor() string {
	if o == nil {
		return "anonymous"
	}
	if o.Person != nil {
		return o.ID + "/" + o.Person.Username
	}
	return o.ID
}

// mayAct reports whether a caller may do what needs at least the given user
// role. Machine credentials (tokens, API keys) act for the whole organization
// and are not limited by user roles.
func (o *Organization) mayAct(least UserRole) bool {
	if o == nil {
		return false
	}
	return o.Person == nil || o.Person.Role.rank() >= least.rank()
}

// User is a named person of an organization who signs in to the console.
type User struct {
	Username     string // unique across the hub
	Organization string
	Role         UserRole
	PasswordHash string // argon2id PHC string (crypto/password)
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is a signed-in browser. The cookie carries a random token; the
// store keeps only its SHA-256 (ID), so a copy of the database signs nobody in.
type Session struct {
	ID           string
	Username     string
	Organization string
	CSRF         string // the token every state-changing form must carry
	CreatedAt    time.Time
	LastSeen     time.Time
}

// UserStore keeps users and sessions. Find* return ErrNotFound for a missing
// row; CreateUser returns ErrConflict for a taken username. Writes append
// their audit event in the same transaction.
type UserStore interface {
	CreateUser(ctx context.Context, u User, ev AuditEvent) error
	FindUserByName(ctx context.Context, username string) (User, error)
	// FindUsers lists an organization's users ("" lists everyone), by username.
	FindUsers(ctx context.Context, organization string) ([]User, error)
	// UpdateUser saves the user's role, hash and disabled flag and ends all
	// of the user's sessions.
	UpdateUser(ctx context.Context, u User, ev AuditEvent) error
	CreateSession(ctx context.Context, s Session, ev AuditEvent) error
	FindSessionByID(ctx context.Context, id string) (Session, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	// DeleteSession ends a session; ev is appended when it is not empty.
	DeleteSession(ctx context.Context, id string, ev AuditEvent) error
}

// Audit actions of the console's users.
const (
	AuditUserAdded    = "user.added"
	AuditUserPassword = "user.password"
	AuditUserDisabled = "user.disabled"
	AuditSignIn       = "user.signed-in"
	AuditSignOut      = "user.signed-out"
)

// Users manages the console's people and their sessions.
type Users struct {
	Store    UserStore
	Registry *Registry
	Access   *Access // failed sign-ins are limited and audited like failed tokens
	// Hashing is the argon2id cost of new hashes; zero: password.Default.
	Hashing password.Params
	// IdleTimeout ends a session unused this long (default 30 min); MaxAge
	// ends any session this long after sign-in (default 12 h).
	IdleTimeout, MaxAge time.Duration
	Now                 func() time.Time

	slotsOnce sync.Once
	slots     chan struct{} // hashSlot
	dummyOnce sync.Once
	dummyHash string // dummy
}

func (u *Users) now() time.Time {
	if u.Now == nil {
		return time.Now().UTC()
	}
	return u.Now().UTC()
}

func (u *Users) params() password.Params {
	if u.Hashing == (password.Params{}) {
		return password.Default
	}
	return u.Hashing
}

func (u *Users) idle() time.Duration {
	if u.IdleTimeout <= 0 {
		return 30 * time.Minute
	}
	return u.IdleTimeout
}

// MaxAgeOrDefault is the absolute lifetime of a session.
func (u *Users) MaxAgeOrDefault() time.Duration { return u.maxAge() }

func (u *Users) maxAge() time.Duration {
	if u.MaxAge <= 0 {
		return 12 * time.Hour
	}
	return u.MaxAge
}

// CommandLine is the caller of `kakehashi user …`: the operator at the hub's
// own terminal, who has the data directory and so every right.
var CommandLine = &Organization{ID: "operator", Role: RoleAdmin}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// mayManage reports whether caller may manage the users of org: the hub's
// operators everywhere, an organization's approvers in their own.
func mayManage(caller *Organization, org string) bool {
	switch {
	case caller == nil:
		return false
	case caller.Role == RoleAdmin && caller.mayAct(UserOperator):
		return true
	default:
		return caller.ID == org && caller.Person != nil && caller.Person.Role == UserApprover
	}
}

// MayManageUsers reports whether the caller manages any users: the hub's
// operators, and approvers (their own organization's).
func MayManageUsers(caller *Organization) bool {
	return caller != nil && mayManage(caller, caller.ID)
}

// Add creates a user. Operators may add anyone; an approver only people of
// its own organization, and no operators.
func (u *Users) Add(ctx context.Context, caller *Organization, org, username string, role UserRole, pw string) (User, error) {
	if !mayManage(caller, org) {
		return User{}, fmt.Errorf("only the hub's operators, or an approver of %s, may add its users: %w", org, ErrForbidden)
	}
	if !usernamePattern.MatchString(username) {
		return User{}, fmt.Errorf("username %q: use 3–64 characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit: %w", username, ErrInvalidArgument)
	}
	o, err := u.Registry.FindOrganizationByID(org)
	if err != nil {
		return User{}, fmt.Errorf("organization %q is not in the registry: %w", org, ErrInvalidArgument)
	}
	if role.rank() == 0 {
		return User{}, fmt.Errorf("role %q: use viewer, reporter, approver or operator: %w", role, ErrInvalidArgument)
	}
	if (role == UserOperator) != (o.Role == RoleAdmin) {
		return User{}, fmt.Errorf("operators belong to the hub's admin organization, and its users are operators: %w", ErrInvalidArgument)
	}
	if role == UserOperator && caller.Role != RoleAdmin {
		return User{}, fmt.Errorf("only operators add operators: %w", ErrForbidden)
	}
	if err := u.checkNamespace(caller, org, username); err != nil {
		return User{}, err
	}
	hash, err := u.hash(pw)
	if err != nil {
		return User{}, err
	}
	now := u.now()
	user := User{Username: username, Organization: org, Role: role, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	err = u.Store.CreateUser(ctx, user, AuditEvent{Actor: caller.Actor(), Action: AuditUserAdded, Subject: username,
		Detail: map[string]any{"organization": org, "role": string(role)}})
	if errors.Is(err, ErrConflict) {
		return User{}, fmt.Errorf("username %q is taken: %w", username, ErrConflict)
	}
	return user, err
}

// checkNamespace keeps "username is taken" from telling an approver about
// another organization's people: usernames are unique across the hub, so an
// approver names its people in its organization's own namespace
// ("carrier-a.yamada"), and nobody — operators included — may create a name
// in another organization's namespace. A taken name then only ever belongs
// to the approver's own organization. Operators, who see every user anyway,
// may use any other name.
func (u *Users) checkNamespace(caller *Organization, org, username string) error {
	prefix, _, dotted := strings.Cut(username, ".")
	if dotted && prefix != org {
		if _, err := u.Registry.FindOrganizationByID(prefix); err == nil {
			return fmt.Errorf("usernames starting with %q belong to that organization; use %s.<name>: %w", prefix+".", org, ErrInvalidArgument)
		}
	}
	if !(caller.Role == RoleAdmin && caller.mayAct(UserOperator)) && (!dotted || prefix != org) {
		return fmt.Errorf("name your organization's people %s.<name> (e.g. %s.yamada): %w", org, org, ErrInvalidArgument)
	}
	return nil
}

func (u *Users) hash(pw string) (string, error) {
	if err := password.CheckStrength(pw); err != nil {
		return "", fmt.Errorf("%s: %w", err.Error(), ErrInvalidArgument)
	}
	return password.Hash(pw, u.params())
}

// managed finds a user the caller may manage; one the caller may not manage
// does not exist for it.
func (u *Users) managed(ctx context.Context, caller *Organization, username string) (User, error) {
	user, err := u.Store.FindUserByName(ctx, username)
	if err != nil {
		return User{}, err
	}
	if !mayManage(caller, user.Organization) {
		return User{}, fmt.Errorf("user %s: %w", username, ErrNotFound)
	}
	return user, nil
}

// SetPassword replaces a user's password and ends the user's sessions:
// operators and approvers for the people they manage. A person changes
// their own password only with the current one (ChangeOwnPassword): a
// signed-in browser left unattended must not be enough to take the account.
func (u *Users) SetPassword(ctx context.Context, caller *Organization, username, pw string) error {
	if caller != nil && caller.Person != nil && caller.Person.Username == username {
		return fmt.Errorf("change your own password on your account page, with your current password: %w", ErrForbidden)
	}
	user, err := u.managed(ctx, caller, username)
	if err != nil {
		return err
	}
	return u.setPassword(ctx, caller, user, pw)
}

func (u *Users) setPassword(ctx context.Context, caller *Organization, user User, pw string) error {
	var err error
	if user.PasswordHash, err = u.hash(pw); err != nil {
		return err
	}
	user.UpdatedAt = u.now()
	return u.Store.UpdateUser(ctx, user, AuditEvent{Actor: caller.Actor(), Action: AuditUserPassword, Subject: user.Username,
		Detail: map[string]any{"organization": user.Organization}})
}

// Disable stops a user from signing in and ends the user's sessions.
func (u *Users) Disable(ctx context.Context, caller *Organization, username string) error {
	user, err := u.managed(ctx, caller, username)
	if err != nil {
		return err
	}
	if user.Disabled {
		return fmt.Errorf("user %s is already disabled: %w", username, ErrConflict)
	}
	user.Disabled, user.UpdatedAt = true, u.now()
	return u.Store.UpdateUser(ctx, user, AuditEvent{Actor: caller.Actor(), Action: AuditUserDisabled, Subject: username,
		Detail: map[string]any{"organization": user.Organization}})
}

// List returns the users the caller may manage: everyone for operators, the
// organization's own for an approver.
func (u *Users) List(ctx context.Context, caller *Organization) ([]User, error) {
	switch {
	case caller != nil && caller.Role == RoleAdmin && caller.mayAct(UserOperator):
		return u.Store.FindUsers(ctx, "")
	case mayManage(caller, caller.ID):
		return u.Store.FindUsers(ctx, caller.ID)
	}
	return nil, fmt.Errorf("only operators and approvers manage users: %w", ErrForbidden)
}

// hashSlots bounds the password checks running at once (each costs 19 MiB
// and ~45 ms of a core), so that a burst of sign-ins cannot exhaust the
// hub's memory or cores; past it a sign-in waits up to two seconds, then is
// told to retry.
const hashSlots = 4

func (u *Users) hashSlot(ctx context.Context) (func(), error) {
	u.slotsOnce.Do(func() { u.slots = make(chan struct{}, hashSlots) })
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	select {
	case u.slots <- struct{}{}:
		return func() { <-u.slots }, nil
	case <-t.C:
		return nil, &RateLimitedError{What: "sign-ins at once", RetryAfter: time.Second}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dummy is the hash checked when a sign-in names no user, made with this
// hub's cost, so that an unknown username costs the same time as a wrong
// password.
func (u *Users) dummy() string {
	u.dummyOnce.Do(func() {
		var err error
		if u.dummyHash, err = password.Hash("kakehashi dummy password", u.params()); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
	})
	return u.dummyHash
}

// ErrSignIn is the one answer to every failed sign-in: unknown user, wrong
// password or disabled user look the same from outside.
var ErrSignIn = fmt.Errorf("the username or password is not right: %w", ErrUnauthorized)

// SignIn checks a username and password from a client address and starts a
// session; it returns the session and the token for the cookie. Failures are
// rate-limited per address and per username, and audited (Access.Failed).
func (u *Users) SignIn(ctx context.Context, addr, username, pw string) (Session, string, error) {
	if err := u.Access.Admit(ctx, addr); err != nil {
		return Session{}, "", err
	}
	// A username that failed too often, from any address, waits for the
	// rest of the window before its password is even checked: guesses
	// spread over many addresses are bounded too. The wait ends with the
	// window (a minute), so nobody can lock a person out for longer.
	if wait, over := u.Access.Failures.Exceeded(ctx, credentialKey(userCredential(username))); over {
		return Session{}, "", &RateLimitedError{What: "failed sign-ins for this user", RetryAfter: wait}
	}
	release, err := u.hashSlot(ctx)
	if err != nil {
		return Session{}, "", err
	}
	defer release()
	user, err := u.Store.FindUserByName(ctx, username)
	switch {
	case errors.Is(err, ErrNotFound):
		_ = password.Verify(pw, u.dummy())
		return Session{}, "", u.failed(ctx, addr, username, "unknown user")
	case err != nil:
		return Session{}, "", err
	}
	if verr := password.Verify(pw, user.PasswordHash); verr != nil {
		return Session{}, "", u.failed(ctx, addr, username, "wrong password")
	}
	if user.Disabled {
		return Session{}, "", u.failed(ctx, addr, username, "disabled user")
	}
	if _, err := u.Registry.FindOrganizationByID(user.Organization); err != nil {
		return Session{}, "", u.failed(ctx, addr, username, "organization no longer in the registry")
	}
	token, id, err := newSessionToken()
	if err != nil {
		return Session{}, "", err
	}
	csrf, _, err := newSessionToken()
	if err != nil {
		return Session{}, "", err
	}
	now := u.now()
	s := Session{ID: id, Username: user.Username, Organization: user.Organization, CSRF: csrf, CreatedAt: now, LastSeen: now}
	err = u.Store.CreateSession(ctx, s, AuditEvent{Actor: user.Organization + "/" + user.Username, Action: AuditSignIn,
		Subject: user.Username, Detail: map[string]any{"address": addr}})
	return s, token, err
}

// userCredential names a username in failure counts and the audit log.
// What was typed into the username field is recorded only when it could be a
// username: a password typed there by mistake must not reach the log the
// operators read.
func userCredential(username string) string {
	if usernamePattern.MatchString(username) {
		return "user " + username
	}
	sum := sha256.Sum256([]byte(username))
	return "user (not a username, sha256 " + hex.EncodeToString(sum[:6]) + ")"
}

func (u *Users) failed(ctx context.Context, addr, username, why string) error {
	if err := u.Access.Failed(ctx, addr, "password", userCredential(username), errors.New(why)); err != nil {
		return err
	}
	return ErrSignIn
}

// Resume returns the caller of a session cookie's token: a copy of the
// organization with Person set. A session past its idle or absolute expiry,
// of a disabled user or of an organization gone from the registry, is ended
// and answers ErrUnauthorized.
func (u *Users) Resume(ctx context.Context, token string) (*Organization, Session, error) {
	id := sessionID(token)
	s, err := u.Store.FindSessionByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Session{}, fmt.Errorf("no such session: %w", ErrUnauthorized)
	}
	if err != nil {
		return nil, Session{}, err
	}
	now := u.now()
	if now.Sub(s.LastSeen) > u.idle() || now.Sub(s.CreatedAt) > u.maxAge() {
		if err := u.Store.DeleteSession(ctx, id, AuditEvent{}); err != nil {
			return nil, Session{}, err
		}
		return nil, Session{}, fmt.Errorf("the session expired; sign in again: %w", ErrUnauthorized)
	}
	user, err := u.Store.FindUserByName(ctx, s.Username)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, Session{}, err
	}
	org, oerr := u.Registry.FindOrganizationByID(s.Organization)
	if err != nil || oerr != nil || user.Disabled || user.Organization != s.Organization {
		if err := u.Store.DeleteSession(ctx, id, AuditEvent{}); err != nil {
			return nil, Session{}, err
		}
		return nil, Session{}, fmt.Errorf("the session's user can no longer sign in: %w", ErrUnauthorized)
	}
	// Touch at most once a minute (a page view is not worth a write), and
	// often enough that a short idle timeout does not end a session in use.
	if now.Sub(s.LastSeen) > min(time.Minute, u.idle()/4) {
		if err := u.Store.TouchSession(ctx, id, now); err != nil {
			return nil, Session{}, err
		}
		s.LastSeen = now
	}
	acting := *org
	acting.Person = &Person{Username: user.Username, Role: user.Role}
	return &acting, s, nil
}

// SignOut ends the session of a cookie's token.
func (u *Users) SignOut(ctx context.Context, caller *Organization, token string) error {
	return u.Store.DeleteSession(ctx, sessionID(token), AuditEvent{Actor: caller.Actor(), Action: AuditSignOut,
		Subject: caller.Person.Username})
}

func newSessionToken() (token, id string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("session token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, sessionID(token), nil
}

func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
