package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// BenchmarkCreateSubmissionEntries stores submissions shaped like a bench
// bundle's community part: 1,000 new objects, each in the four ceptoar
// channels, into a database already holding 40 such submissions (160,000
// entries). It is the store's share of a 1,000-object intake after routing
// (docs/performance.md, fifth round).
func BenchmarkCreateSubmissionEntries(b *testing.B) {
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "hub.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	n := 0
	submit := func() {
		n++
		id := fmt.Sprintf("s%d", n)
		s := &sharing.Submission{ID: id, Organization: "carrier-a", ReceivedAt: time.Now().UTC(), Digest: "d-" + id}
		rec := &sharing.IntakeRecord{Submission: s}
		for _, ch := range []sharing.Channel{sharing.ChannelNISC, sharing.ChannelISACMembers, sharing.ChannelISACInternal, sharing.ChannelCrossSector} {
			for i := range 1000 {
				oid := fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", n, i)
				rec.Entries = append(rec.Entries, sharing.ChannelEntry{Channel: ch, ObjectID: oid, Version: "2026-07-10T01:10:00.000Z",
					SubmissionID: id, Organization: "carrier-a", Status: sharing.StatusReleased,
					JSON: fmt.Appendf(nil, `{"id":%q,"name":"Flood source","pattern":"[ipv4-addr:value = '198.18.%d.%d']","type":"indicator"}`, oid, i/250, i%250)})
			}
		}
		if err := db.CreateSubmission(context.Background(), rec); err != nil {
			b.Fatal(err)
		}
	}
	for range 40 {
		submit()
	}
	b.ResetTimer()
	for range b.N {
		submit()
	}
	b.ReportMetric(float64(b.N*4000)/b.Elapsed().Seconds(), "entries/s")
}
