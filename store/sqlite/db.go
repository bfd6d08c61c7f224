package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

//go:embed migration/*.sql
var migrations embed.FS

// DB is an open hub database: one writer connection and a pool of readers.
type DB struct {
	write *sql.DB
	read  *sql.DB
	path  string
	// Now is the clock used for stored timestamps; tests replace it.
	Now func() time.Time
	// Logger receives the rows that lists skip because they cannot be
	// decoded; nil: slog.Default().
	Logger *slog.Logger

	skipped atomic.Int64

	stampMu   sync.Mutex // guards lastStamp (the writer is serialized anyway; this keeps it obvious)
	lastStamp time.Time

	ckpt *checkpointer
}

// SkippedRows is how many unreadable rows lists have skipped since Open
// (exported as a metric by cmd/kakehashi).
func (db *DB) SkippedRows() int64 { return db.skipped.Load() }

// skip records a row a list leaves out because it cannot be decoded. One bad
// row (say, written by an older version with a bug) must not turn every list
// that would include it into an error for every caller; it is logged with
// its key for the operators, and counted.
func (db *DB) skip(table, key string, err error) {
	db.skipped.Add(1)
	log := db.Logger
	if log == nil {
		log = slog.Default()
	}
	log.Error("unreadable row skipped", "table", table, "key", key, "err", err)
}

// Open opens (creating if needed) the database file and applies pending migrations.
func Open(ctx context.Context, file string) (*DB, error) {
	// Pragmas, set on every connection through the DSN:
	//   journal_mode=WAL   readers never block the writer and vice versa;
	//   busy_timeout=5000  a reader that meets a checkpoint waits instead of failing;
	//   foreign_keys=on    submission_objects/objects must point at a submission;
	//   synchronous=NORMAL durable across application crashes in WAL mode, and
	//                      much faster than FULL; an OS crash may lose the last
	//                      commits but never corrupts the file.
	//   _txlock=immediate  (writer) take the write lock at BEGIN, so a transaction
	//                      never fails half-way on a lock upgrade.
	//   _stmt_cache_size   each connection keeps its 64 most recent compiled
	//                      statements: intake's multi-row INSERTs (hundreds of
	//                      placeholders) and the TAXII page queries were
	//                      compiled again on every use (docs/performance.md).
	base := "file:" + file + "?_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_synchronous=NORMAL&_stmt_cache_size=64"
	// The writer does not checkpoint at commit (wal_autocheckpoint = 0,
	// checkpoint.go): a connection of its own does, in the background.
	// It keeps 64 MiB of pages (cache_size; SQLite's default is 2 MiB): a
	// 1,000-object submission inserts thousands of index entries at random
	// places (object ids), and with the default cache most of those pages are
	// read again, and dirty pages may be spilled to the WAL before commit. A
	// cache changes no durability: commits are written and synced as before
	// (docs/performance.md, fourth round). It costs up to 64 MiB resident.
	w, err := sql.Open(writerDriver(), base+"&_txlock=immediate&_cache_size=-65536")
	if err != nil {
		return nil, fmt.Errorf("open db: %w", err)
	}
	w.SetMaxOpenConns(1) // one writer
	r, err := sql.Open("sqlite3", base+"&mode=ro")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open db for reading: %w", err)
	}
	r.SetMaxOpenConns(8)
	db := &DB{write: w, read: r, path: file, Now: time.Now}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.restamp(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("restamp entries: %w", err)
	}
	if err := db.loadLastStamp(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.ckpt, err = startCheckpointer(base); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close stops the checkpointer and closes the pools; the last connection
// to close checkpoints what is left in the WAL.
func (db *DB) Close() error {
	var err error
	if db.ckpt != nil {
		err = db.ckpt.stop()
	}
	return errors.Join(err, db.read.Close(), db.write.Close())
}

// Ping checks that the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping db: %w", err)
	}
	return nil
}

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	files, err := fs.Glob(migrations, "migration/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(files)
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".sql")
		var version int
		if _, err := fmt.Sscanf(name, "%04d_", &version); err != nil {
			return fmt.Errorf("migration %s: name must start with a 4-digit number", f)
		}
		var n int
		if err := db.write.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
			return fmt.Errorf("check migration %s: %w", name, err)
		}
		if n > 0 {
			continue
		}
		body, err := migrations.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)", version, name, formatTime(db.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", name, err)
		}
	}
	return nil
}

// inTx runs fn in a write transaction, committing if it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(translate(err), tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	if db.ckpt != nil {
		db.ckpt.poke()
	}
	return nil
}

// translate maps driver errors to the domain sentinels at the storage boundary.
func translate(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w", sharing.ErrNotFound)
	}
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey) {
		return fmt.Errorf("%w: %v", sharing.ErrConflict, err)
	}
	return err
}

// timeLayout keeps microseconds and sorts lexically (TAXII 2.1 §3.2 precision).
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}
