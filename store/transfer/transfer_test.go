package transfer_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/postgres"
	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
	"github.com/kakehashi-hub/kakehashi/store/sqlite"
	"github.com/kakehashi-hub/kakehashi/store/transfer"
)

// lying wraps a real source: it counts one user too many, or breaks off
// the audit log after two entries.
type lying struct {
	transfer.Source
	extraUser  bool
	breakAudit bool
}

func (l lying) Count(ctx context.Context, k transfer.Kind) (int64, error) {
	n, err := l.Source.Count(ctx, k)
	if l.extraUser && k == transfer.Users {
		n++
	}
	return n, err
}

func (l lying) AuditEntries(ctx context.Context) iter.Seq2[sharing.AuditEntry, error] {
	if !l.breakAudit {
		return l.Source.AuditEntries(ctx)
	}
	return func(yield func(sharing.AuditEntry, error) bool) {
		i := 0
		for e, err := range l.Source.AuditEntries(ctx) {
			if i++; i > 2 {
				yield(sharing.AuditEntry{}, errors.New("disk read error"))
				return
			}
			if !yield(e, err) {
				return
			}
		}
	}
}

// TestRunFailsClosed: a source that yields an error half-way, or fewer
// records than it counted, fails the copy, and the PostgreSQL import keeps
// nothing; the same source, honest, copies in full with the progress
// counted record by record.
func TestRunFailsClosed(t *testing.T) {
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kakehashi.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range 3 {
		name := fmt.Sprintf("user-%d", i)
		if err := lite.CreateUser(ctx, sharing.User{Username: name, Organization: "carrier-a", Role: sharing.UserViewer, PasswordHash: "x",
			CreatedAt: now, UpdatedAt: now}, sharing.AuditEvent{Actor: "operator", Action: sharing.AuditUserAdded, Subject: name}); err != nil {
			t.Fatal(err)
		}
	}
	pg, err := postgres.Open(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()

	for name, c := range map[string]struct {
		src  lying
		want string
	}{
		"source error":   {lying{breakAudit: true}, "copy audit entries: disk read error"},
		"count mismatch": {lying{extraUser: true}, "copy users: 3 copied, but the source counted 4"},
	} {
		t.Run(name, func(t *testing.T) {
			im, err := pg.BeginImport(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = lite.Export(ctx, func(s transfer.Source) error {
				c.src.Source = s
				_, err := transfer.Run(ctx, c.src, im, nil)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
			if err := im.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if users, err := pg.FindUsers(ctx, ""); err != nil || len(users) != 0 {
				t.Errorf("after a failed copy the target holds %d users (%v)", len(users), err)
			}
		})
	}

	im, err := pg.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var last transfer.Progress
	calls := 0
	err = lite.Export(ctx, func(s transfer.Source) error {
		counts, err := transfer.Run(ctx, s, im, func(p transfer.Progress) { last, calls = p, calls+1 })
		if err != nil {
			return err
		}
		for _, n := range counts {
			if want := map[transfer.Kind]int64{transfer.Users: 3, transfer.AuditEntries: 3}[n.Kind]; n.N != want {
				t.Errorf("%s: %d copied, want %d", n.Kind, n.N, want)
			}
		}
		return im.Commit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 6 || last.Done != 6 || last.Total != 6 {
		t.Errorf("progress: %d calls, last %+v; want 6 of 6", calls, last)
	}
	if users, err := pg.FindUsers(ctx, ""); err != nil || len(users) != 3 {
		t.Errorf("the target holds %d users (%v), want 3", len(users), err)
	}
	if _, err := pg.BeginImport(ctx); !errors.Is(err, postgres.ErrNotEmpty) ||
		!strings.Contains(err.Error(), "target database already holds a hub (0 submissions, 3 audit entries); copy only into an empty database") {
		t.Errorf("import into a database holding a hub: %v", err)
	}
}
