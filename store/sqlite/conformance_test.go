package sqlite

import (
	"testing"

	"github.com/kakehashi-hub/kakehashi/store/storetest"
)

// TestConformance runs the store contract shared with store/postgres.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, _ := openTest(t)
		return tamperable{db}
	})
}

// tamperable lets the suite alter the audit log behind the store's back.
type tamperable struct{ *DB }

func (d tamperable) TamperAuditDetail(t *testing.T, seq int64, detail string) {
	t.Helper()
	// The triggers refuse updates; someone with the file drops them first.
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET detail = ? WHERE seq = ?`} {
		if _, err := d.write.Exec(q, detail, seq); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
