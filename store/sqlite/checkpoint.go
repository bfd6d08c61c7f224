package sqlite

import (
	"database/sql"
	"fmt"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Checkpoints. In WAL mode a commit appends its pages to the WAL, and by
// default the committing connection then copies the WAL back into the
// database file once it holds 1,000 pages (wal_autocheckpoint), syncing
// both files (synchronous=NORMAL). A 1,000-object submission writes about
// that much, so nearly every submission paid for a checkpoint, two fsyncs
// included, before it was acknowledged (docs/performance.md). The writer
// connection therefore does not checkpoint; a connection of its own runs
// PASSIVE checkpoints after commits, on the other core. Durability is
// unchanged: a committed transaction is in the WAL either way, and a
// checkpoint never loses one. PASSIVE never blocks the writer or readers;
// a checkpoint that cannot finish (a reader still needs old pages) is
// retried after the next commit or tick, as the automatic one would be.

// writerDriverName is the driver of the writer pool: sqlite3 with
// wal_autocheckpoint = 0 on every connection it opens.
const writerDriverName = "sqlite3_kakehashi_writer"

var registerWriter sync.Once

func writerDriver() string {
	registerWriter.Do(func() {
		sql.Register(writerDriverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA wal_autocheckpoint = 0", nil)
			return err
		}})
	})
	return writerDriverName
}

// checkpointInterval is how often the checkpointer runs without commits.
const checkpointInterval = time.Second

// checkpointer runs PASSIVE checkpoints on its own connection after
// commits (poke) and every checkpointInterval.
type checkpointer struct {
	conn     *sql.DB
	wake     chan struct{}
	done     chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once
	stopErr  error
}

func startCheckpointer(dsn string) (*checkpointer, error) {
	conn, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	c := &checkpointer{conn: conn, wake: make(chan struct{}, 1), done: make(chan struct{})}
	c.wg.Add(1)
	go c.run()
	return c, nil
}

// poke asks for a checkpoint soon; it never blocks the committer.
func (c *checkpointer) poke() {
	select {
	case c.wake <- struct{}{}:
	default: // one is already asked for
	}
}

func (c *checkpointer) run() {
	defer c.wg.Done()
	tick := time.NewTicker(checkpointInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-c.wake:
		case <-tick.C:
		}
		// An error (busy, or the file going away at shutdown) leaves the
		// pages in the WAL for the next attempt; nothing is lost.
		_, _ = c.conn.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// stop ends the checkpointer and closes its connection; later calls do
// nothing (DB.Close may be called twice).
func (c *checkpointer) stop() error {
	c.stopOnce.Do(func() {
		close(c.done)
		c.wg.Wait()
		c.stopErr = c.conn.Close()
	})
	return c.stopErr
}
