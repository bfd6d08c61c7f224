package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/postgres"
	"github.com/kakehashi-hub/kakehashi/store/sqlite"
)

// hubStore is what the wiring of cmd/kakehashi uses of a store: the
// contracts of sharing (one suite, store/storetest, for both stores) and the
// few housekeeping calls. *sqlite.DB and *postgres.DB both satisfy it;
// features only SQLite has (backup, the bench's floor) use hub.sqlite.
type hubStore interface {
	sharing.Store
	sharing.ReviewStore
	sharing.TAXIIStore
	sharing.APIKeyStore
	sharing.UserStore
	sharing.AuditPageStore
	sharing.EventStore

	Ping(ctx context.Context) error
	Close() error
	SkippedRows() int64
}

var (
	_ hubStore = (*sqlite.DB)(nil)
	_ hubStore = (*postgres.DB)(nil)
)

// isPostgresURL tells a PostgreSQL connection string (URL form) from anything else.
func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// openStore opens the hub's database: PostgreSQL when cfg.Database is set,
// else SQLite in the data directory (the default, as before --database).
func openStore(ctx context.Context, cfg Config) (hubStore, *sqlite.DB, error) {
	if cfg.Database == "" {
		db, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, dbFile))
		if err != nil {
			return nil, nil, err
		}
		return db, db, nil
	}
	db, err := postgres.Open(ctx, cfg.Database)
	if err != nil {
		return nil, nil, fmt.Errorf("database: %w", err)
	}
	return db, nil, nil
}

// setStoreLogger sends the store's reports of unreadable rows to log.
func setStoreLogger(db hubStore, log *slog.Logger) {
	switch d := db.(type) {
	case *sqlite.DB:
		d.Logger = log
	case *postgres.DB:
		d.Logger = log
	}
}

// errSQLiteOnly is the error of a command that works on SQLite's file only.
func errSQLiteOnly(what, instead string) error {
	return errors.New(what + " works on the SQLite database in the data directory only; this hub uses PostgreSQL (--database): " + instead)
}

// leaderStore is a store shared by several hubs, of which one at a time runs
// the cluster-wide periodic work (postgres.DB.Lead).
type leaderStore interface {
	Lead(ctx context.Context) (bool, error)
}

var _ leaderStore = (*postgres.DB)(nil)

// leadership says whether this hub runs the overdue sweep, statistics
// publication and audit checkpoints. A hub on SQLite is alone on its data
// and always leads; on PostgreSQL the hub holding the leader lock does.
type leadership struct {
	store   leaderStore // nil: always the leader
	every   time.Duration
	log     *slog.Logger
	leading atomic.Bool
}

// newLeadership tries for the lead every interval (leader_interval): a hub
// that does not lead takes it then, and the leader checks that it still
// holds it, so that a dead leader is replaced within one interval.
func newLeadership(db hubStore, every time.Duration, log *slog.Logger) *leadership {
	l := &leadership{every: every, log: log}
	if s, ok := db.(leaderStore); ok {
		l.store = s
	} else {
		l.leading.Store(true)
	}
	return l
}

// Leading reports whether this hub is the leader now.
func (l *leadership) Leading() bool { return l.leading.Load() }

// try asks the store once and logs a change of lead.
func (l *leadership) try(ctx context.Context) {
	if l.store == nil {
		return
	}
	ok, err := l.store.Lead(ctx)
	if err != nil && ctx.Err() == nil {
		l.log.Error("leader election", "err", err)
	}
	if was := l.leading.Swap(ok); was != ok {
		if ok {
			l.log.Info("this hub now leads: it runs the overdue sweep, statistics and audit checkpoints")
		} else {
			l.log.Warn("this hub no longer leads")
		}
	}
}

// run retries every l.every until ctx ends.
func (l *leadership) run(ctx context.Context) {
	if l.store == nil {
		return
	}
	t := time.NewTicker(l.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.try(ctx)
		}
	}
}

// redactDatabaseURL is a database address as it may be printed: a postgres://
// URL without its password (the user:password@ part and the password and
// sslpassword parameters, which libpq also accepts); anything else, such as
// a libpq keyword/value string, is not shown at all, since it may hold a
// password anywhere.
func redactDatabaseURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "(a database address that is not a postgres:// URL; not shown)"
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}
