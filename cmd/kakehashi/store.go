package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

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
