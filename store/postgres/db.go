package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

//go:embed migration/*.sql
var migrations embed.FS

// DB is an open hub database: a pool of connections shared by reads and
// writes. Any number of hub processes may open the same database.
type DB struct {
	pool *pgxpool.Pool
	// Now is the clock used for stored timestamps; tests replace it.
	Now func() time.Time
	// Logger receives the rows that lists skip because they cannot be
	// decoded; nil: slog.Default().
	Logger *slog.Logger

	skipped atomic.Int64
	// nextPrune is when rate_counters is next pruned (rate.go), Unix ns.
	nextPrune atomic.Int64

	// Advisory lock keys (pg_advisory_lock takes a bigint), derived from the
	// schema so that hubs in different schemas of one database (the tests)
	// do not wait for each other.
	migrateKey, auditKey, leaderKey int64

	// The leader lock's own connection (leader.go), nil when not leading.
	leadMu sync.Mutex
	leader *pgx.Conn
	closed bool
}

// Open connects to the database at url (postgres://…, libpq keywords and
// pgxpool's pool_* parameters accepted) and applies pending migrations.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open db: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open db: %w", err)
	}
	db := &DB{pool: pool, Now: time.Now}
	var schema string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open db: %w", err)
	}
	db.migrateKey, db.auditKey, db.leaderKey = lockKey("migrate", schema), lockKey("audit", schema), lockKey("leader", schema)
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// lockKey names an advisory lock of the hub: FNV-64a of its purpose and schema.
func lockKey(purpose, schema string) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "kakehashi\x00%s\x00%s", purpose, schema)
	return int64(h.Sum64())
}

// Close gives up the leader lock if held (another hub takes over at its next
// try) and closes the pool.
func (db *DB) Close() error {
	db.leadMu.Lock()
	db.dropLeader()
	db.closed = true
	db.leadMu.Unlock()
	db.pool.Close()
	return nil
}

// Ping checks that the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping db: %w", err)
	}
	return nil
}

// SkippedRows is how many unreadable rows lists have skipped since Open.
func (db *DB) SkippedRows() int64 { return db.skipped.Load() }

// skip records a row a list leaves out because it cannot be decoded (see
// store/sqlite: one bad row must not fail every list that includes it).
func (db *DB) skip(table, key string, err error) {
	db.skipped.Add(1)
	db.logger().Error("unreadable row skipped", "table", table, "key", key, "err", err)
}

func (db *DB) logger() *slog.Logger {
	if db.Logger == nil {
		return slog.Default()
	}
	return db.Logger
}

// migrate applies the pending migrations, each in its own transaction, while
// holding a session advisory lock on one connection: hubs starting together
// apply them once, one after the other, and the lock goes with the
// connection if this process dies half-way.
func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, db.migrateKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer func() {
		// A fresh context: unlock even when ctx was cancelled. Should this
		// fail, the lock is released with the connection.
		unlockCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(unlockCtx, `SELECT pg_advisory_unlock($1)`, db.migrateKey); err != nil {
			conn.Conn().Close(unlockCtx)
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`); err != nil {
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
		var applied bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&applied); err != nil {
			return fmt.Errorf("check migration %s: %w", name, err)
		}
		if applied {
			continue
		}
		body, err := migrations.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// Simple protocol: a migration is several statements.
			if _, err := tx.Exec(ctx, string(body), pgx.QueryExecModeSimpleProtocol); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)`, version, name, db.Now())
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", name, err)
		}
	}
	return nil
}

// inTx runs fn in a transaction, committing if it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	if err := pgx.BeginFunc(ctx, db.pool, fn); err != nil {
		return translate(err)
	}
	return nil
}

// translate maps driver errors to the domain sentinels at the storage
// boundary: no rows is ErrNotFound, a unique violation ErrConflict.
func translate(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w", sharing.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation
		return fmt.Errorf("%w: %v", sharing.ErrConflict, err)
	}
	return err
}

// stamp is a time as stored: UTC, microseconds (TAXII 2.1 §3.2, and what
// timestamptz keeps).
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTime is a *time.Time as a nullable column value.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return stamp(*t)
}

// Analyze refreshes the planner's statistics of the tables of this hub's
// schema, which autovacuum otherwise does on its own some time after a
// large change (its naptime is a minute). Call it after filling a database
// in a burst (`kakehashi bench`, a copy from SQLite): until then the planner
// takes the tables for nearly empty and may choose plans whose cost grows
// with the table — before it, the first TAXII page of a freshly written
// collection of 50,000 objects took 51 s (docs/performance.md, "PostgreSQL").
func (db *DB) Analyze(ctx context.Context) error {
	rows, err := db.pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	if len(tables) == 0 {
		return nil
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = pgx.Identifier{t}.Sanitize()
	}
	if _, err := db.pool.Exec(ctx, `ANALYZE `+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
