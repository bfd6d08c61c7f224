package sharing

import (
	"context"
	"fmt"
)

// AuditPageStore reads the audit log a page at a time.
type AuditPageStore interface {
	// FindAuditPage returns up to limit entries with seq below before (0:
	// from the newest), newest first.
	FindAuditPage(ctx context.Context, before int64, limit int) ([]AuditEntry, error)
}

// AuditPage is one page of the audit log, newest first. Next is the
// "before" of the following (older) page; zero on the last page.
type AuditPage struct {
	Entries []AuditEntry
	Next    int64
}

// AuditLog lets the hub's operators read the audit log and verify its chain
// (the console's /audit). The regulator's read of the checkpoint stays with
// Auditor.Latest.
type AuditLog struct {
	Store   AuditPageStore
	Auditor *Auditor
	// Anchors returns the checkpoints kept outside the database (the file
	// beside it); nil: only the stored checkpoints are checked.
	Anchors func() ([]AuditCheckpoint, error)
}

// MaxAuditPage is the longest page Page returns.
const MaxAuditPage = 200

// Page returns entries older than before (0: the newest), newest first.
func (l *AuditLog) Page(ctx context.Context, caller *Organization, before int64, limit int) (AuditPage, error) {
	if !MayOperate(caller) {
		return AuditPage{}, fmt.Errorf("the audit log is for the hub's operators: %w", ErrForbidden)
	}
	if before < 0 {
		return AuditPage{}, fmt.Errorf("before %d must not be negative: %w", before, ErrInvalidArgument)
	}
	if limit <= 0 || limit > MaxAuditPage {
		limit = MaxAuditPage
	}
	// One more than asked tells whether an older page exists.
	entries, err := l.Store.FindAuditPage(ctx, before, limit+1)
	if err != nil {
		return AuditPage{}, err
	}
	p := AuditPage{Entries: entries}
	if len(entries) > limit {
		p.Entries = entries[:limit]
		p.Next = p.Entries[limit-1].Seq
	}
	return p, nil
}

// Verify checks the whole chain, the stored and kept checkpoints and the
// channel entries against their audited releases (Auditor.Verify).
func (l *AuditLog) Verify(ctx context.Context, caller *Organization) (AuditReport, error) {
	if !MayOperate(caller) {
		return AuditReport{}, fmt.Errorf("verifying the audit log is for the hub's operators: %w", ErrForbidden)
	}
	var anchors []AuditCheckpoint
	if l.Anchors != nil {
		var err error
		if anchors, err = l.Anchors(); err != nil {
			return AuditReport{}, err
		}
	}
	return l.Auditor.Verify(ctx, anchors)
}
