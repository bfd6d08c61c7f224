package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/kakehashi-hub/kakehashi/store/sqlite"
)

// cmdBackup is `kakehashi backup`: a consistent copy of the data directory's
// database, taken while the hub serves (docs/operator-guide.md, "Backup and
// restore"). The registry and the keys are not in it.
func cmdBackup(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("backup", e)
	build := configFlags(fs, e)
	out := fs.String("out", "", "file to write the backup to (required)")
	force := fs.Bool("force", false, "replace FILE if it exists")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) != 0 || *out == "" {
		return usageError(e, errors.New("usage: kakehashi backup --out FILE [--force] [--data DIR | --config FILE]"))
	}
	h, err := openFromFlags(ctx, build)
	if err != nil {
		return usageError(e, err)
	}
	defer h.Close()
	if h.sqlite == nil {
		return usageError(e, errSQLiteOnly("backup", "back PostgreSQL up with pg_dump, or continuous WAL archiving with point-in-time recovery (docs/deployment.md, Backups)"))
	}
	st, err := h.sqlite.Backup(ctx, *out, sqlite.BackupOptions{Overwrite: *force})
	if err != nil {
		return usageError(e, err)
	}
	fmt.Fprintf(e.stdout, "backup of %s written to %s: %d pages, %d bytes in %s (%d steps)\n",
		filepath.Join(h.cfg.DataDir, dbFile), *out, st.Pages, st.Bytes, st.Duration.Round(time.Millisecond), st.Steps)
	return exitOK
}
