package main

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
)

// BenchmarkStoreCopy copies a demo hub that took 10 TAXII envelopes of
// 1,000 indicators each (objects, intake and channel entries, copies:
// about 70,000 records) into an empty PostgreSQL schema, through the
// command: source verification, the copy, target verification. It reports
// the copy's own rate (records/s, from the summary) and the whole
// command's.
func BenchmarkStoreCopy(b *testing.B) {
	dir := b.TempDir()
	h := startHub(b, "--demo", "--data", dir)
	writer := &taxiiClient{t: b, auth: "Bearer " + readTokens(b, dir)["carrier-a"]}
	intake := writer.collectionURL(h.base, "intake") + "objects/"
	for i := range 10 {
		if a := writer.do("POST", intake, greenIndicators(i*1000, 1000)); a.status != http.StatusAccepted {
			b.Fatalf("envelope %d: %d %s", i, a.status, a.raw)
		}
	}
	h.stop(b)
	summary := regexp.MustCompile(`: ([0-9,]+) records in (\S+) \(([0-9,]+)/s\)`)
	var records, copyRate float64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		pg := pgtest.URL(b)
		b.StartTimer()
		e, out, errb := testEnv("")
		if code := run(context.Background(), []string{"store", "copy", "--from", dir, "--to", pg}, e); code != exitOK {
			b.Fatalf("store copy: %d\n%s\n%s", code, out, errb)
		}
		m := summary.FindStringSubmatch(out.String())
		if m == nil {
			b.Fatalf("no summary in:\n%s", out)
		}
		records, _ = strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
		rate, _ := strconv.ParseFloat(strings.ReplaceAll(m[3], ",", ""), 64)
		copyRate += rate
		b.Logf("%s", strings.SplitN(out.String(), "\n", 3)[1])
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(records, "records")
	b.ReportMetric(copyRate/float64(b.N), "copy-records/s")
	b.ReportMetric(records/perOp.Seconds(), "command-records/s")
}
