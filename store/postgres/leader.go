package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lead reports whether this hub is the leader: the one hub of the database
// that runs the cluster-wide periodic work (the overdue sweep, statistics
// publication, audit checkpoints). The leader holds a session advisory lock
// (pg_try_advisory_lock) on a connection of its own, outside the pool; a
// hub that is not the leader tries to take it on each call.
//
// Callers call Lead periodically (serve: every 30 s). The leader's call
// checks that its connection still answers: when it does not, the lock is
// gone with the session and Lead reports false. When the leader dies, the
// server drops its session as the connection breaks (at once on a clean
// exit or kill; after the TCP keepalives on a lost machine) and the next
// call of another hub takes over.
func (db *DB) Lead(ctx context.Context) (bool, error) {
	db.leadMu.Lock()
	defer db.leadMu.Unlock()
	if db.closed {
		return false, nil
	}
	if db.leader != nil {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := db.leader.Ping(pctx)
		cancel()
		if err == nil {
			return true, nil
		}
		db.dropLeader()
		return false, fmt.Errorf("leader connection lost: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig)
	if err != nil {
		return false, fmt.Errorf("leader lock: %w", err)
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, db.leaderKey).Scan(&got); err != nil {
		conn.Close(context.Background())
		return false, fmt.Errorf("leader lock: %w", err)
	}
	if !got {
		conn.Close(context.Background())
		return false, nil
	}
	db.leader = conn
	return true, nil
}

// dropLeader closes the leader's connection, which releases the lock.
// db.leadMu is held.
func (db *DB) dropLeader() {
	if db.leader == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db.leader.Close(ctx)
	db.leader = nil
}
