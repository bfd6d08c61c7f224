package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// The console reads feeds newest first; its keyset paging must neither skip
// nor repeat an entry when many share one date_added, as TAXII's does.
func TestTAXIINewestFirstPaging(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 7, 10, 1, 0, 0, 0, time.UTC)
	var rows []entryRow
	for i := range 500 {
		added := t0.Add(time.Duration(i/100) * time.Microsecond) // five buckets of 100 sharing one date_added
		rows = append(rows, entryRow{sharing.ChannelNISC, fmt.Sprintf("indicator--%05d", i), "2026-07-10T00:00:00.000Z", "", "released", added})
	}
	insertEntries(t, db, rows)
	for _, limit := range []int{1, 7, 100, 1000} {
		seen := map[string]int{}
		var cur *sharing.Cursor
		var prev *sharing.TAXIIEntry
		for {
			es, more, err := db.FindTAXIIEntries(ctx, sharing.TAXIIQuery{Collection: sharing.ChannelNISC, Reader: "nisc", After: cur, Limit: limit, Newest: true})
			if err != nil {
				t.Fatal(err)
			}
			for i := range es {
				e := es[i]
				seen[e.ObjectID]++
				if prev != nil && (e.DateAdded.After(prev.DateAdded) || (e.DateAdded.Equal(prev.DateAdded) && e.Seq >= prev.Seq)) {
					t.Fatalf("limit %d: %s (seq %d) after %s (seq %d): not newest first", limit, e.ObjectID, e.Seq, prev.ObjectID, prev.Seq)
				}
				prev = &e
			}
			if !more {
				break
			}
			last := es[len(es)-1]
			cur = &sharing.Cursor{DateAdded: last.DateAdded, Seq: last.Seq}
		}
		if len(seen) != 500 {
			t.Errorf("limit %d: %d distinct objects, want 500", limit, len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("limit %d: %s served %d times", limit, id, n)
			}
		}
	}
	es, _, err := db.FindTAXIIEntries(ctx, sharing.TAXIIQuery{Collection: sharing.ChannelNISC, Reader: "nisc", Limit: 1, Newest: true})
	if err != nil || len(es) != 1 || es[0].ObjectID != "indicator--00499" {
		t.Fatalf("first newest entry = %v %v, want indicator--00499", entryKeys(es), err)
	}
}
