package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
	"github.com/kakehashi-hub/kakehashi/store/storetest"
)

// TestHubsStartingTogether: several hubs opening one new database apply
// each migration once (the advisory lock makes the others wait, then find
// nothing to do) and all come up.
func TestHubsStartingTogether(t *testing.T) {
	u := pgtest.URL(t)
	const hubs = 5
	var wg sync.WaitGroup
	errs := make([]error, hubs)
	dbs := make([]*DB, hubs)
	for i := range hubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = Open(context.Background(), u)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("hub %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	files, _ := migrations.ReadDir("migration")
	var applied int
	if err := dbs[0].pool.QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != len(files) {
		t.Errorf("%d migrations recorded, want %d (each once)", applied, len(files))
	}
}

// TestAuditChainAcrossHubs: two hubs appending at once over one database
// write one chain that verifies, with no sequence number twice.
func TestAuditChainAcrossHubs(t *testing.T) {
	u := pgtest.URL(t)
	a, b := openURL(t, u), openURL(t, u)
	ctx := context.Background()
	const writers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		hub := a
		if w%2 == 1 {
			hub = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- hub.AppendAudit(ctx, sharing.AuditEvent{Actor: "carrier-a", Action: sharing.AuditChannelRead, Subject: fmt.Sprintf("w%d-%d", w, i)})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, hub := range map[string]*DB{"a": a, "b": b} {
		n, brk, err := hub.VerifyAudit(ctx)
		if n != writers*each || brk != nil || err != nil {
			t.Errorf("verify through hub %s = %d, %v, %v; want %d entries intact", name, n, brk, err, writers*each)
		}
	}
}

// TestAuditLogIsAppendOnly: the database itself refuses to change or remove
// entries, whichever client asks.
func TestAuditLogIsAppendOnly(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.AppendAudit(ctx, sharing.AuditEvent{Actor: "operator", Action: sharing.AuditIntake, Subject: "s1"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit_log SET actor = 'someone'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`,
		`UPDATE audit_checkpoints SET signature = ''`, `DELETE FROM audit_checkpoints`} {
		if _, err := db.pool.Exec(ctx, q); err == nil {
			t.Errorf("%s: accepted, want refused", q)
		}
	}
	if n, brk, err := db.VerifyAudit(ctx); n != 1 || brk != nil || err != nil {
		t.Errorf("verify = %d, %v, %v", n, brk, err)
	}
}

// TestTAXIIPagingAcrossHubs: writers on two hubs (two pools over one
// database) commit while a reader pages alternately through both with the
// cursor the other gave: no entry is skipped or read twice, because
// positions are taken in commit order across the cluster (stamp.go).
func TestTAXIIPagingAcrossHubs(t *testing.T) {
	u := pgtest.URL(t)
	a, b := openURL(t, u), openURL(t, u)
	storetest.TAXIIPaging(t, 8, a, b)
}
