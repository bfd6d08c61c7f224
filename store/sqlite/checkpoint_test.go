package sqlite

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// TestBackgroundCheckpoints: the writer does not checkpoint at commit, and
// the committed pages still reach the database file, by the checkpointer.
func TestBackgroundCheckpoints(t *testing.T) {
	db, p := openTest(t)
	var auto int
	if err := db.write.QueryRow("PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("writer wal_autocheckpoint = %d, %v; want 0", auto, err)
	}
	before, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		addSubmission(t, db, fmt.Sprintf("s%02d", i))
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > before.Size() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the database file stayed at %d bytes: nothing was checkpointed", st.Size())
		}
	}
}
