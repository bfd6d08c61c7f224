package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// taxiiStatusStore is the status half of sharing.TAXIIStore.
type taxiiStatusStore interface {
	CreateTAXIIStatus(ctx context.Context, st *sharing.TAXIIStatus) error
	FindTAXIIStatusByID(ctx context.Context, id string) (*sharing.TAXIIStatus, error)
}

// testTAXIIStatus: status resources are kept StatusRetention (TAXII 2.1 §4.3
// asks for at least 24 hours) and then gone.
func testTAXIIStatus(t *testing.T, open Open) {
	ctx := context.Background()
	ss, _ := fresh[taxiiStatusStore](t, open)
	now := time.Now().UTC().Truncate(time.Microsecond)
	st := &sharing.TAXIIStatus{ID: "status-1", Status: "complete", TotalCount: 2, SuccessCount: 1, FailureCount: 1,
		Successes:    []sharing.TAXIIStatusDetail{{ID: "indicator--1", Version: "2026-07-10T00:00:00.000Z"}},
		Failures:     []sharing.TAXIIStatusDetail{{ID: "indicator--2", Version: "2026-07-10T00:00:00.000Z", Message: "objects[1].created: not RFC 3339"}},
		SubmissionID: "submission-1", Organization: "carrier-a", CreatedAt: now}
	if err := ss.CreateTAXIIStatus(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, err := ss.FindTAXIIStatusByID(ctx, "status-1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(st, got); d != "" {
		t.Errorf("status (-want +got):\n%s", d)
	}
	_, err = ss.FindTAXIIStatusByID(ctx, "status-9")
	mustNotFound(t, "unknown status", err)
	old := &sharing.TAXIIStatus{ID: "status-old", Status: "complete", Organization: "carrier-a", CreatedAt: now.Add(-sharing.StatusRetention - time.Hour)}
	if err := ss.CreateTAXIIStatus(ctx, old); err != nil {
		t.Fatal(err)
	}
	_, err = ss.FindTAXIIStatusByID(ctx, "status-old")
	mustNotFound(t, "a status older than the retention", err)
}
