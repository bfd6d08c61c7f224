package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// BackupOptions tune Backup; the zero value is fine.
type BackupOptions struct {
	// Overwrite replaces an existing file at the destination; without it an
	// existing file is refused with an error wrapping fs.ErrExist.
	Overwrite bool
	// PagesPerStep is how many pages one backup step copies (default 256,
	// 1 MiB of 4 KiB pages). Between steps Backup checks its context.
	PagesPerStep int
	// Pause is how long Backup sleeps between steps, to leave the disk to
	// the hub's own writes (default none).
	Pause time.Duration
}

// BackupStats is what one Backup did.
type BackupStats struct {
	Pages    int           // database pages copied
	Bytes    int64         // size of the written file
	Steps    int           // backup steps taken
	Duration time.Duration // wall time from start to rename
}

// Backup writes a consistent snapshot of the database to path while the hub
// keeps serving, with SQLite's online backup API
// (https://www.sqlite.org/backup.html), in steps of PagesPerStep pages.
//
// The copy is made from a reader connection inside one read transaction, so
// it is the database as of the moment Backup started. That is what makes the
// steps work under load: the backup API restarts from the first page whenever
// another connection commits between two steps of a reader that has no
// transaction open, which under continuous submissions would never finish.
// In WAL mode a read transaction never blocks the writer; the only cost is
// that checkpoints cannot move past the snapshot until Backup ends, so the
// WAL file grows for the backup's duration.
//
// The pages go to a temporary file beside path, which is renamed into place
// only once complete: path never holds a partial backup. An existing path is
// refused (fs.ErrExist) unless opt.Overwrite; the live database file is
// always refused.
func (db *DB) Backup(ctx context.Context, path string, opt BackupOptions) (BackupStats, error) {
	start := time.Now()
	var st BackupStats
	if opt.PagesPerStep <= 0 {
		opt.PagesPerStep = 256
	}
	if err := db.checkBackupTarget(path, opt.Overwrite); err != nil {
		return st, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return st, fmt.Errorf("backup: create temporary file: %w", err)
	}
	tmpPath := tmp.Name()
	if err := tmp.Close(); err != nil {
		removeDB(tmpPath)
		return st, fmt.Errorf("backup: create temporary file: %w", err)
	}
	pages, steps, err := db.copyTo(ctx, tmpPath, opt)
	if err != nil {
		removeDB(tmpPath)
		return st, err
	}
	if err := place(tmpPath, path, opt.Overwrite); err != nil {
		removeDB(tmpPath)
		return st, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return st, fmt.Errorf("backup: %w", err)
	}
	return BackupStats{Pages: pages, Bytes: fi.Size(), Steps: steps, Duration: time.Since(start)}, nil
}

// checkBackupTarget refuses the live database (and its -wal and -shm files)
// always, and an existing file unless overwrite; it fails fast, before any
// page is copied. place checks existence again at the end.
func (db *DB) checkBackupTarget(path string, overwrite bool) error {
	target, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	live, err := filepath.Abs(db.path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	for _, f := range []string{live, live + "-wal", live + "-shm"} {
		if same(target, f) {
			return fmt.Errorf("backup: %s is the live database; write the backup elsewhere", path)
		}
	}
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("backup: %s is a directory; give a file name", path)
	case err == nil && !overwrite:
		return fmt.Errorf("backup: %s already exists; choose another name or overwrite it: %w", path, fs.ErrExist)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// same reports whether two absolute paths name one file: equal names, or
// the same file reached through a link.
func same(a, b string) bool {
	if a == b {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// copyTo runs the backup steps from a reader connection into the empty
// database file dst.
func (db *DB) copyTo(ctx context.Context, dst string, opt BackupOptions) (pages, steps int, err error) {
	dstDB, err := sql.Open("sqlite3", "file:"+dst)
	if err != nil {
		return 0, 0, fmt.Errorf("backup: open %s: %w", dst, err)
	}
	defer dstDB.Close()
	dstConn, err := dstDB.Conn(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("backup: open %s: %w", dst, err)
	}
	defer dstConn.Close()
	srcConn, err := db.read.Conn(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("backup: reader connection: %w", err)
	}
	defer srcConn.Close()
	err = srcConn.Raw(func(srcRaw any) error {
		src, ok := srcRaw.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("backup: reader connection is a %T, not SQLite", srcRaw)
		}
		return dstConn.Raw(func(dstRaw any) error {
			dc, ok := dstRaw.(*sqlite3.SQLiteConn)
			if !ok {
				return fmt.Errorf("backup: destination connection is a %T, not SQLite", dstRaw)
			}
			pages, steps, err = snapshot(ctx, dc, src, opt)
			return err
		})
	})
	return pages, steps, err
}

// snapshot copies src into dst in steps inside one read transaction on src
// (see Backup for why). The transaction is always ended; a connection whose
// rollback fails is discarded from the pool (driver.ErrBadConn) rather than
// returned to it with a transaction open.
func snapshot(ctx context.Context, dst, src *sqlite3.SQLiteConn, opt BackupOptions) (pages, steps int, err error) {
	if _, err := src.Exec("BEGIN", nil); err != nil {
		return 0, 0, fmt.Errorf("backup: begin read transaction: %w", err)
	}
	defer func() {
		if _, rerr := src.Exec("ROLLBACK", nil); rerr != nil {
			err = errors.Join(err, fmt.Errorf("backup: end read transaction: %w", rerr), errBadConn)
		}
	}()
	// BEGIN is deferred: the snapshot starts with the first read.
	if _, err := src.Exec("SELECT count(*) FROM sqlite_schema", nil); err != nil {
		return 0, 0, fmt.Errorf("backup: start read transaction: %w", err)
	}
	b, err := dst.Backup("main", src, "main")
	if err != nil {
		return 0, 0, fmt.Errorf("backup: start: %w", err)
	}
	for {
		done, err := b.Step(opt.PagesPerStep)
		steps++
		if err != nil {
			return 0, steps, errors.Join(fmt.Errorf("backup: step %d: %w", steps, err), b.Close())
		}
		if done {
			pages = b.PageCount()
			break
		}
		if err := ctx.Err(); err != nil {
			return 0, steps, errors.Join(fmt.Errorf("backup: stopped after %d steps: %w", steps, err), b.Close())
		}
		if opt.Pause > 0 {
			time.Sleep(opt.Pause)
		}
	}
	if err := b.Close(); err != nil {
		return 0, steps, fmt.Errorf("backup: finish: %w", err)
	}
	return pages, steps, nil
}

// place moves the finished temporary file to path: a rename when
// overwriting; otherwise a hard link, which fails if path appeared while the
// backup ran, so a file created meanwhile is never replaced. Where hard links
// are not supported, it checks once more and renames.
func place(tmp, path string, overwrite bool) error {
	if err := syncFile(tmp); err != nil {
		return err
	}
	if overwrite {
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("backup: rename into place: %w", err)
		}
		return syncDir(filepath.Dir(path))
	}
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		if err := os.Remove(tmp); err != nil {
			return fmt.Errorf("backup: remove temporary file: %w", err)
		}
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("backup: %s appeared while the backup ran; choose another name or overwrite it: %w", path, fs.ErrExist)
	default:
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("backup: %s appeared while the backup ran; choose another name or overwrite it: %w", path, fs.ErrExist)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("backup: rename into place: %w", err)
		}
	}
	return syncDir(filepath.Dir(path))
}

// syncFile flushes the finished backup to disk before it gets its name.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: sync: %w", err)
	}
	return nil
}

// syncDir makes the new name durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("backup: sync %s: %w", dir, err)
	}
	return nil
}

// errBadConn tells database/sql to discard a connection rather than pool it.
var errBadConn = driver.ErrBadConn

// removeDB removes a temporary database with any journal SQLite left beside it.
func removeDB(path string) {
	for _, f := range []string{path, path + "-journal", path + "-wal", path + "-shm"} {
		_ = os.Remove(f)
	}
}
