package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

func TestPublicQuarterlyStatistics(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	f.clock.Set(time.Date(2026, 7, 10, 3, 0, 0, 0, time.UTC))
	stats := &sharing.Statistics{Store: f.db, Now: f.clock.Now}
	q2 := reporting.Period{FiscalYear: 2026, Index: 2, Months: 3}
	tok := f.token("carrier-a", "carrier")
	bundle := readFixture(t, "outage.json")

	publicReport := func() map[string]any {
		t.Helper()
		status, _, body := f.do("GET", "/api/v1/exports/public", "", "", nil)
		if status != http.StatusOK {
			t.Fatalf("public export: %d %v", status, body)
		}
		var found map[string]any
		for _, o := range body["objects"].([]any) {
			om := o.(map[string]any)
			if om["type"] == "report" {
				if found != nil {
					t.Fatal("the public channel serves more than the latest version of the statistics")
				}
				found = om
			}
		}
		return found
	}

	if status, _, body := f.do("POST", "/api/v1/submissions", tok, "application/json", bundle); status != 201 {
		t.Fatalf("submit: %d %v", status, body)
	}
	if done, err := stats.Publish(ctx, q2); err != nil || !done {
		t.Fatalf("Publish = %v, %v", done, err)
	}
	r := publicReport()
	st := r["x_kakehashi_statistics"].(map[string]any)
	if st["period"] != "FY2026Q2" || st["incidents"] != "<3" || st["by_classification"].(map[string]any)["serious"] != "<3" ||
		st["by_classification"].(map[string]any)["quarterly"] != "0" || st["by_report_kind"].(map[string]any)["service-outage"] != "<3" {
		t.Errorf("statistics = %v", st)
	}
	if done, err := stats.Publish(ctx, q2); err != nil || done {
		t.Errorf("unchanged statistics published again: %v %v", done, err)
	}

	// Three more serious outages: the count is published as a number, in a new version.
	for i := 1; i <= 3; i++ {
		b := bytes.ReplaceAll(bundle, []byte("incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10"), []byte(fmt.Sprintf("incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f1%d", i)))
		b = bytes.Replace(b, []byte(`"id": "bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f"`), []byte(fmt.Sprintf(`"id": "bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6%d"`, i)), 1)
		b = bytes.ReplaceAll(b, []byte("relationship--2f3e4d5c-6b7a-4898-a0b1-c2d3e4f5a6b7"), []byte(fmt.Sprintf("relationship--2f3e4d5c-6b7a-4898-a0b1-c2d3e4f5a6b%d", i)))
		if status, _, body := f.do("POST", "/api/v1/submissions", tok, "application/json", b); status != 201 {
			t.Fatalf("submit %d: %d %v", i, status, body)
		}
	}
	f.clock.Set(time.Date(2026, 7, 11, 3, 0, 0, 0, time.UTC))
	if done, err := stats.Publish(ctx, q2); err != nil || !done {
		t.Fatalf("Publish after new incidents = %v, %v", done, err)
	}
	r2 := publicReport()
	st2 := r2["x_kakehashi_statistics"].(map[string]any)
	if st2["incidents"] != "4" || st2["by_classification"].(map[string]any)["serious"] != "4" || r2["id"] != r["id"] || r2["modified"] == r["modified"] {
		t.Errorf("second version = %v (id %v modified %v)", st2, r2["id"], r2["modified"])
	}
	raw, _ := json.Marshal(r2)
	for _, secret := range []string{"carrier-a", "Sakura", "Kanto"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("public statistics name %q", secret)
		}
	}
	if n, brk, err := f.db.VerifyAudit(ctx); err != nil || brk != nil || n == 0 {
		t.Errorf("audit after publishing: %d %v %v", n, brk, err)
	}
}
