package storetest

import (
	"context"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// testEvents: an event's later version replaces it; lists are newest opened first.
func testEvents(t *testing.T, open Open) {
	ctx := context.Background()
	es, _ := fresh[sharing.EventStore](t, open)
	e1 := outage.Event{ID: "event-1", Status: outage.StatusOpen, OpenedAt: at(1), UpdatedAt: at(1),
		Symptoms: []outage.Symptom{outage.NoConnectivity}, Regions: []string{"13"}, Organizations: []string{"carrier-a", "carrier-b"},
		UpstreamASNs: []int64{64500}, Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, SignalCount: 2}
	e2 := outage.Event{ID: "event-2", Status: outage.StatusOpen, OpenedAt: at(2), UpdatedAt: at(2), Regions: []string{"27"}, SignalCount: 1}
	for _, e := range []outage.Event{e1, e2} {
		if err := es.SaveEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	e1.Status, e1.UpdatedAt, e1.ClosedAt, e1.SignalCount = outage.StatusClosed, at(3), at(3), 3
	if err := es.SaveEvent(ctx, e1); err != nil {
		t.Fatal(err)
	}
	opt := cmpopts.EquateComparable(netip.Prefix{})
	got, err := es.FindEventByID(ctx, "event-1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(e1, got, opt); d != "" {
		t.Errorf("event-1 (-want +got):\n%s", d)
	}
	_, err = es.FindEventByID(ctx, "event-9")
	mustNotFound(t, "unknown event", err)
	all, err := es.FindEvents(ctx, sharing.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]outage.Event{e2, e1}, all, opt); d != "" {
		t.Errorf("events, newest opened first (-want +got):\n%s", d)
	}
	open1, err := es.FindEvents(ctx, sharing.EventFilter{Status: outage.StatusOpen})
	if err != nil || len(open1) != 1 || open1[0].ID != "event-2" {
		t.Errorf("open events = %v, %v; want event-2", open1, err)
	}
	if one, err := es.FindEvents(ctx, sharing.EventFilter{Limit: 1}); err != nil || len(one) != 1 || one[0].ID != "event-2" {
		t.Errorf("one event = %v, %v; want event-2", one, err)
	}
}
