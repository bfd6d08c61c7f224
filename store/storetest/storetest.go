// Package storetest is the contract the domain's store interfaces state
// (sharing.Store and the stores beside it, reporting.Store), as one suite that
// every store runs unchanged: store/sqlite and store/postgres call Run from
// their tests. It checks behaviour through the interfaces only; what a store
// keeps and how is its own business.
//
// Each group of the suite needs one interface. A store that does not (yet)
// implement an interface has that group skipped with a message naming the
// interface, so `go test -v` shows what a partial store leaves out; store/sqlite
// implements all of them.
package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// Store is the least a store under test implements: the audit log, which
// nearly every write of the other contracts appends to in its transaction.
type Store interface {
	sharing.AuditAppender
	VerifyAudit(ctx context.Context) (int64, *sharing.AuditBreak, error)
	FindAuditHead(ctx context.Context) (sharing.AuditEntry, error)
	FindAuditEntry(ctx context.Context, seq int64) (sharing.AuditEntry, error)
	FindAuditEvents(ctx context.Context, actions []string) ([]sharing.AuditEntry, error)
}

// Tamperer is implemented by a test's wrapper of its store (not by the store)
// to prove that verification catches an altered entry: it rewrites the
// detail of the entry seq behind the store's back, as someone with write
// access to the database could.
type Tamperer interface {
	TamperAuditDetail(t *testing.T, seq int64, detail string)
}

// Open returns a fresh, empty store for one test; the test's cleanup closes
// it. It is called once per subtest, and subtests run in parallel.
type Open func(t *testing.T) Store

// Run runs the whole suite against the stores open makes.
func Run(t *testing.T, open Open) {
	groups := []struct {
		name string
		run  func(t *testing.T, open Open)
	}{
		{"audit", testAudit},
		{"tokens", testTokens},
		{"api keys", testAPIKeys},
		{"users and sessions", testUsers},
		{"keys", testKeys},
		{"obligations", testObligations},
		{"events", testEvents},
		{"taxii status", testTAXIIStatus},
		{"intake", testIntake},
		{"classifications", testClassifications},
		{"taxii paging", testTAXIIPaging},
		{"releases", testReleases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, open) })
	}
}

// need returns the store as T, or skips the test naming the interface the
// store does not implement.
func need[T any](t *testing.T, s Store) T {
	t.Helper()
	v, ok := s.(T)
	if !ok {
		t.Skipf("%T does not implement %s", s, reflect.TypeFor[T]())
	}
	return v
}

// fresh opens a store for a parallel subtest and returns it as T.
func fresh[T any](t *testing.T, open Open) (T, Store) {
	t.Helper()
	t.Parallel()
	s := open(t)
	return need[T](t, s), s
}

// at is a fixed instant at microsecond precision, the precision stores keep
// (TAXII 2.1 §3.2).
func at(minute int) time.Time {
	return time.Date(2026, 7, 10, 9, minute, 0, 123456000, time.UTC)
}

func ev(action, subject string) sharing.AuditEvent {
	return sharing.AuditEvent{Actor: "carrier-a", Action: action, Subject: subject, Detail: map[string]any{"n": 1}}
}

func mustNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, sharing.ErrNotFound) {
		t.Errorf("%s: err = %v, want one wrapping sharing.ErrNotFound", what, err)
	}
}

// audited checks that the log's newest entries have the actions, oldest
// first, and that the chain verifies.
func audited(t *testing.T, s Store, actions ...string) {
	t.Helper()
	ctx := context.Background()
	head, err := s.FindAuditHead(ctx)
	if err != nil {
		t.Fatalf("audit head: %v", err)
	}
	for i := len(actions) - 1; i >= 0; i-- {
		seq := head.Seq - int64(len(actions)-1-i)
		e, err := s.FindAuditEntry(ctx, seq)
		if err != nil {
			t.Fatalf("audit entry %d: %v", seq, err)
		}
		if e.Action != actions[i] {
			t.Errorf("audit entry %d action = %q, want %q", seq, e.Action, actions[i])
		}
	}
	if n, b, err := s.VerifyAudit(ctx); err != nil || b != nil {
		t.Errorf("verify after %d entries: %v, %v", n, b, err)
	}
}

// auditCount is the number of entries in the log (0 when empty).
func auditCount(t *testing.T, s Store) int64 {
	t.Helper()
	head, err := s.FindAuditHead(context.Background())
	if errors.Is(err, sharing.ErrNotFound) {
		return 0
	}
	if err != nil {
		t.Fatalf("audit head: %v", err)
	}
	return head.Seq
}
