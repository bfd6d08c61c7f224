package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestEntryQueryPlans checks, with EXPLAIN QUERY PLAN, that every read of
// channel_entries but audit verification's (which reads them all by seq) seeks
// an index rather than scanning the table: the indexes kept after migrations
// 0011, 0017 and 0018 (channel_entries_read and channel_entries_objects) must
// serve TAXII paging in both directions, match[id] and match[type], the
// version filters, feeds, revocations and ReleaseHeld; and
// the copy of a run of entries repeated in another channel (insertEntries)
// reads its source by seq.
func TestEntryQueryPlans(t *testing.T) {
	db, _ := openTest(t)
	vis := func(a string) string { return strings.ReplaceAll(visibleTo, "channel_entries.", a+".") }
	newer := ` AND NOT EXISTS (SELECT 1 FROM channel_entries n WHERE n.channel = e.channel AND n.object_id = e.object_id AND n.status = 'released' AND ` + vis("n") + ` AND (n.version_key > e.version_key OR (n.version_key = e.version_key AND n.seq > e.seq)))`
	page := `SELECT e.seq, e.object_id, e.version, e.date_added, j.json FROM channel_entries e JOIN copy_objects j ON j.id = e.json_id WHERE e.channel = 'nisc' AND e.status = 'released' AND ` + vis("e")
	chans := placeholders(len(allChannels()))
	queries := map[string]string{
		"taxii page":             page + ` AND (e.date_added, e.seq) > ('x', 1)` + newer + ` ORDER BY e.date_added, e.seq LIMIT 1001`,
		"taxii page newest":      page + ` AND (e.date_added, e.seq) < ('x', 1)` + newer + ` ORDER BY e.date_added DESC, e.seq DESC LIMIT 1001`,
		"taxii added_after":      page + ` AND e.date_added > 'x'` + newer + ` ORDER BY e.date_added, e.seq LIMIT 1001`,
		"taxii match[id]":        page + ` AND e.object_id IN ('a', 'b')` + newer + ` ORDER BY e.date_added, e.seq LIMIT 1001`,
		"taxii match[type]":      page + ` AND ((e.object_id >= 'indicator--' AND e.object_id < 'indicator-.'))` + newer + ` ORDER BY e.date_added, e.seq LIMIT 1001`,
		"channel entries (feed)": `SELECT seq FROM channel_entries e JOIN copy_objects j ON j.id = e.json_id WHERE channel = 'nisc' AND status = 'released' AND ` + vis("e") + newer + ` AND date_added > 'x' ORDER BY date_added, seq LIMIT 10`,
		"released entries":       `SELECT seq FROM channel_entries e JOIN copy_objects j ON j.id = e.json_id WHERE status = 'released' AND organization = 'o' AND object_id IN ('a', 'b') ORDER BY channel, object_id, version_key, seq`,
		"release held":           `SELECT seq FROM channel_entries WHERE channel IN (` + chans + `) AND status = 'held' AND submission_id = 's' ORDER BY seq`,
		"revoke":                 `UPDATE channel_entries SET status = 'revoked' WHERE seq = 1`,
	}
	type query struct {
		sql  string
		args []any
	}
	plans := map[string]query{}
	for name, q := range queries {
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = "x"
		}
		plans[name] = query{q, args}
	}
	// The copy of a repeated run, as insertEntries runs it (its SELECT).
	for _, n := range []int{1000, 1000000} {
		plans[fmt.Sprintf("repeated entries (%d)", n)] = query{copyEntriesSQL(n), copyEntriesArgs("nisc", time.Now().UTC(), 1, n)}
	}
	for name, pq := range plans {
		q, args := pq.sql, pq.args
		rows, err := db.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		t.Logf("%s:\n  %s", name, strings.Join(plan, "\n  "))
		for _, d := range plan {
			if (strings.HasPrefix(d, "SCAN e") || strings.HasPrefix(d, "SCAN n") || strings.HasPrefix(d, "SCAN channel_entries")) && !strings.Contains(d, "INDEX") {
				t.Errorf("%s scans channel_entries: %s", name, d)
			}
		}
	}
}
