package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kakehashi-hub/kakehashi/crypto/token"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/postgres"
	"github.com/kakehashi-hub/kakehashi/store/sqlite"
	"github.com/kakehashi-hub/kakehashi/store/transfer"
)

const storeUsage = "usage: kakehashi store copy --from DIR --to postgres://… [--progress]"

// cmdStore is `kakehashi store copy`: moving a hub from SQLite in its data
// directory to PostgreSQL (docs/deployment.md, "Moving up"). Exit codes: 0
// copied and verified; 1 refused or failed (the target is not empty, the
// source hub is still writing, a record cannot be read or written; nothing
// is kept); 2 usage or I/O; 4 the audit log does not verify, on the source
// (nothing copied) or on the target.
func cmdStore(ctx context.Context, args []string, e env) int {
	if len(args) == 0 || args[0] != "copy" {
		return usageError(e, errors.New(storeUsage))
	}
	fs := newFlagSet("store copy", e)
	from := fs.String("from", "", "data directory of the SQLite hub to copy (required; stop the hub first)")
	to := fs.String("to", "", "PostgreSQL database to copy it into, postgres://… (required; must hold no hub)")
	progress := fs.Bool("progress", false, "show progress on stderr even when it is not a terminal")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return usageError(e, err)
	}
	switch {
	case len(pos) != 0 || *from == "" || *to == "":
		return usageError(e, errors.New(storeUsage))
	case !isPostgresURL(*to):
		return usageError(e, fmt.Errorf("--to %s is not a PostgreSQL URL: give postgres://USER@HOST/DATABASE (the hub's data moves from SQLite to PostgreSQL only)", redactDatabaseURL(*to)))
	}
	dbPath := filepath.Join(*from, dbFile)
	if _, err := os.Stat(dbPath); err != nil {
		return usageError(e, fmt.Errorf("--from %s is not a hub's data directory: it has no %s", *from, dbFile))
	}
	keyPath := filepath.Join(*from, jwtKeyFile)
	keyJSON, err := os.ReadFile(keyPath)
	if err != nil {
		return usageError(e, fmt.Errorf("--from %s is not a hub's data directory: %s, which signs the audit checkpoints, cannot be read: %w", *from, jwtKeyFile, err))
	}
	signer, err := token.NewSigner(keyJSON)
	if err != nil {
		return usageError(e, fmt.Errorf("%s: %w", keyPath, err))
	}
	anchors, err := auditAnchorsIn(*from, "")
	if err != nil {
		return usageError(e, err)
	}
	c := storeCopy{from: *from, to: *to, signer: signer, anchors: anchors, e: e, tty: *progress || isTerminal(e.stderr)}
	return c.run(ctx)
}

// storeCopy is one run of `kakehashi store copy`.
type storeCopy struct {
	from, to string
	signer   *token.Signer
	anchors  []sharing.AuditCheckpoint
	e        env
	tty      bool
}

func (c storeCopy) run(ctx context.Context) int {
	e := c.e
	src, err := sqlite.Open(ctx, filepath.Join(c.from, dbFile))
	if err != nil {
		return usageError(e, err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, c.to)
	if err != nil {
		return usageError(e, fmt.Errorf("--to %s: %w", redactDatabaseURL(c.to), err))
	}
	defer dst.Close()
	imp, err := dst.BeginImport(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "kakehashi: %s: %v\n", redactDatabaseURL(c.to), err)
		if errors.Is(err, postgres.ErrNotEmpty) {
			return exitInvalid
		}
		return exitUsage
	}
	defer imp.Rollback(context.Background())
	// The source is verified before anything is copied: a log that does
	// not verify is not carried over.
	if code, ok := c.verify(ctx, src, "source"); !ok {
		fmt.Fprintln(e.stderr, "kakehashi: nothing copied")
		return code
	}
	head, err := auditHead(ctx, src)
	if err != nil {
		return usageError(e, err)
	}
	meter := newCopyMeter(e.stderr, c.tty)
	start := time.Now()
	var counts []transfer.Count
	err = src.Export(ctx, func(s transfer.Source) error {
		var err error
		if counts, err = transfer.Run(ctx, s, imp, meter.update); err != nil {
			return err
		}
		// The copy is of one snapshot; a hub still writing to the file
		// would lose what it writes after it. Nearly every write appends to
		// the audit log, so a log that moved on betrays a running hub.
		now, err := auditHead(ctx, src)
		if err != nil {
			return err
		}
		if now != head {
			return fmt.Errorf("the hub of %s is still running: its audit log moved from entry %d to %d during the copy; stop it and copy again", c.from, head.Seq, now.Seq)
		}
		return imp.Commit(ctx)
	})
	meter.stop()
	if err != nil {
		fmt.Fprintf(e.stderr, "kakehashi: store copy: %v\nkakehashi: nothing copied: %s is as it was\n", err, redactDatabaseURL(c.to))
		return exitInvalid
	}
	c.summary(counts, time.Since(start))
	if code, ok := c.verify(ctx, dst, "target"); !ok {
		fmt.Fprintf(e.stderr, "kakehashi: the copy in %s does not verify: do not serve from it; drop its tables (or the schema) before copying again\n", redactDatabaseURL(c.to))
		return code
	}
	// The planner has no statistics of the freshly filled tables until
	// autovacuum gets to them; without them a TAXII page of a large
	// collection can take seconds (docs/performance.md, "PostgreSQL").
	if err := dst.Analyze(ctx); err != nil {
		fmt.Fprintf(e.stderr, "kakehashi: the copy is complete and verified, but %v; run ANALYZE on the database before serving\n", err)
	}
	return exitOK
}

// verify runs `audit verify` on one side of the copy: the chain, every
// stored checkpoint and the data directory's checkpoint file, and the
// channel entries against their audited releases.
func (c storeCopy) verify(ctx context.Context, db sharing.AuditStore, side string) (int, bool) {
	a := &sharing.Auditor{Store: db, Sign: c.signer.SignPayload, Open: c.signer.VerifyPayload, Now: time.Now}
	r, err := a.Verify(ctx, c.anchors)
	if err != nil {
		fmt.Fprintf(c.e.stderr, "kakehashi: verify the audit log of the %s: %v\n", side, err)
		return exitUsage, false
	}
	if r.Break != nil {
		if r.Break.Seq > 0 {
			fmt.Fprintf(c.e.stdout, "%s audit log BROKEN at entry %d: %s\n", side, r.Break.Seq, r.Break.Reason)
		} else {
			fmt.Fprintf(c.e.stdout, "%s audit log BROKEN: %s\n", side, r.Break.Reason)
		}
		return exitBroken, false
	}
	fmt.Fprintf(c.e.stdout, "%s audit log intact: %d entries, %d signed checkpoints, %d channel entries match their audited releases\n",
		side, r.Entries, r.Checkpoints, r.Channel)
	return exitOK, true
}

// auditHead is the last entry of the log (the zero entry when it is empty).
func auditHead(ctx context.Context, db sharing.AuditStore) (sharing.AuditEntry, error) {
	e, err := db.FindAuditHead(ctx)
	if errors.Is(err, sharing.ErrNotFound) {
		return sharing.AuditEntry{}, nil
	}
	if err != nil {
		return e, fmt.Errorf("read the head of the audit log: %w", err)
	}
	return e, nil
}

// summary prints what was copied, kind by kind.
func (c storeCopy) summary(counts []transfer.Count, took time.Duration) {
	var total int64
	for _, n := range counts {
		total += n.N
	}
	fmt.Fprintf(c.e.stdout, "copied %s to %s: %s records in %s (%s/s)\n", filepath.Join(c.from, dbFile), redactDatabaseURL(c.to),
		grouped(total), took.Round(time.Millisecond), grouped(perSecond(total, took)))
	for _, n := range counts {
		fmt.Fprintf(c.e.stdout, "  %-18s %s\n", n.Kind, grouped(n.N))
	}
}

// grouped writes n with thousands separators: 12,345.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + grouped(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func perSecond(n int64, d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(float64(n) / d.Seconds())
}

// copyMeter shows a copy's progress on one updating line of a terminal:
// "copied 12,345 / 200,000 records, 8,100/s, about 23 s left". Records
// are counted as they go; the line is redrawn four times a second.
type copyMeter struct {
	w           io.Writer
	done, total atomic.Int64
	start       time.Time
	quit        chan struct{}
	wg          sync.WaitGroup
}

func newCopyMeter(w io.Writer, tty bool) *copyMeter {
	m := &copyMeter{w: w, start: time.Now(), quit: make(chan struct{})}
	if !tty {
		return m
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.quit:
				m.draw()
				fmt.Fprintln(m.w)
				return
			case <-t.C:
				m.draw()
			}
		}
	}()
	return m
}

// update is transfer.Run's progress callback.
func (m *copyMeter) update(p transfer.Progress) {
	m.done.Store(p.Done)
	m.total.Store(p.Total)
}

func (m *copyMeter) draw() {
	done, total := m.done.Load(), m.total.Load()
	rate := perSecond(done, time.Since(m.start))
	left := "time left unknown"
	if rate > 0 {
		left = timeLeft(float64(total-done) / float64(rate))
	}
	fmt.Fprintf(m.w, "\rcopied %s / %s records, %s/s, %s\x1b[K", grouped(done), grouped(total), grouped(rate), left)
}

// timeLeft says how long the rest takes, in whole seconds (rounded up)
// under two minutes, else in minutes.
func timeLeft(seconds float64) string {
	if seconds < 120 {
		return fmt.Sprintf("about %d s left", int(math.Ceil(seconds)))
	}
	return fmt.Sprintf("about %d min left", int(math.Round(seconds/60)))
}

// stop ends the line (on a terminal).
func (m *copyMeter) stop() {
	select {
	case <-m.quit:
	default:
		close(m.quit)
	}
	m.wg.Wait()
}
