package sharing_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
	"github.com/kakehashi-hub/kakehashi/store/sqlite"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// boardWorld is a registry, a real database and intake, on a clock the
// test sets.
type boardWorld struct {
	reg   *sharing.Registry
	db    *sqlite.DB
	in    *sharing.Intake
	clock *clock
}

func newBoardWorld(t *testing.T) *boardWorld {
	t.Helper()
	reg, err := sharing.LoadRegistry("testdata/registry-demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{t: time.Date(2026, 7, 10, 3, 0, 0, 0, time.UTC)}
	anon, err := anonymize.NewAnonymizer(reg.Parties(), anonymize.Options{PseudonymKey: []byte("test-pseudonym-key-0123456789"), Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	in := &sharing.Intake{Store: db, Registry: reg, Now: c.Now, Router: &sharing.Router{Registry: reg}, Copier: &sharing.Copier{Anonymizer: anon}}
	return &boardWorld{reg: reg, db: db, in: in, clock: c}
}

func (w *boardWorld) org(t *testing.T, id string) *sharing.Organization {
	t.Helper()
	o, err := w.reg.FindOrganizationByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// submit files an emergency-voice outage of org: users for dur from occurred.
func (w *boardWorld) submit(t *testing.T, org, name string, occurred time.Time, dur time.Duration, users int) string {
	t.Helper()
	o := w.org(t, org)
	modified := w.clock.Now().UTC().Truncate(time.Millisecond)
	id := "incident--" + uuid.NewString()
	inc, err := stix.NewObject(map[string]any{
		"type": "incident", "spec_version": "2.1", "id": id,
		"created": stix.FormatTimestamp(modified), "modified": stix.FormatTimestamp(modified),
		"name": name, "created_by_ref": o.Identity, "object_marking_refs": []any{stix.MarkingAmber},
		"extensions": map[string]any{stix.TelecomExtensionID: map[string]any{
			"extension_type": "property-extension", "report_kind": "service-outage",
			"occurred_at": stix.FormatTimestamp(occurred), "recovered_at": stix.FormatTimestamp(occurred.Add(dur)), "failed_equipment": "core",
			"services": []any{map[string]any{"service_class": "emergency-voice", "impact": "stop", "affected_users": users}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.in.Submit(context.Background(), o, &sharing.SubmitRequest{Bundle: &stix.Bundle{ID: "bundle--" + uuid.NewString(), Objects: []*stix.Object{inc}}}); err != nil {
		t.Fatalf("submit %s: %v", name, err)
	}
	w.clock.Add(time.Minute)
	return id
}

func TestObligationsBoard(t *testing.T) {
	w := newBoardWorld(t)
	ctx := context.Background()
	// carrier-a: a serious accident on 2026-06-01 (FY2026Q1; detailed report
	// due 2026-07-01) and one on 2026-07-09 (FY2026Q2); carrier-b: a
	// quarterly one on 2026-07-08.
	june := w.submit(t, "carrier-a", "June outage", time.Date(2026, 6, 1, 1, 0, 0, 0, time.UTC), time.Hour, 30000)
	july := w.submit(t, "carrier-a", "July outage", time.Date(2026, 7, 9, 1, 0, 0, 0, time.UTC), time.Hour, 30000)
	quarterly := w.submit(t, "carrier-b", "Long outage", time.Date(2026, 7, 8, 1, 0, 0, 0, time.UTC), 3*time.Hour, 29999)
	obl := &sharing.Obligations{Store: w.db, Now: w.clock.Now}
	mic, a := w.org(t, "mic"), w.org(t, "carrier-a")

	incidents := func(es []sharing.BoardEntry) map[string]int {
		out := map[string]int{}
		for _, e := range es {
			out[e.IncidentID]++
		}
		return out
	}

	// A carrier: only its own, newest accident first; the overdue detailed
	// report is shown overdue before any sweep.
	es, err := obl.Board(ctx, a, sharing.BoardQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got := incidents(es); len(got) != 2 || got[june] == 0 || got[july] == 0 {
		t.Fatalf("carrier-a's board holds %v", got)
	}
	if es[0].IncidentID != july || es[0].Kind != reporting.KindSeriousFirstReport || es[0].IncidentName != "July outage" || es[0].Class != reporting.Serious {
		t.Errorf("first entry %+v", es[0])
	}
	for _, e := range es {
		if e.IncidentID == june && e.Kind == reporting.KindSeriousDetailedReport && e.Status != reporting.StatusOverdue {
			t.Errorf("June's detailed report (due %v) is %s on 2026-07-10", e.Due, e.Status)
		}
	}
	if _, err := obl.Board(ctx, a, sharing.BoardQuery{Organization: "carrier-b"}); !errors.Is(err, sharing.ErrForbidden) {
		t.Errorf("carrier-a asking for carrier-b's board: %v", err)
	}
	if _, err := obl.Board(ctx, w.org(t, "ict-isac"), sharing.BoardQuery{}); !errors.Is(err, sharing.ErrForbidden) {
		t.Errorf("the ISAC's board: %v", err)
	}

	// The regulator: everyone's, overdue first, then newest first.
	es, err = obl.Board(ctx, mic, sharing.BoardQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if es[0].Status != reporting.StatusOverdue || es[0].IncidentID != june {
		t.Errorf("the regulator's board starts with %+v", es[0])
	}
	if es[1].Status == reporting.StatusOverdue || es[1].IncidentID != july {
		t.Errorf("second entry %+v, want July's first obligation", es[1])
	}
	for _, c := range []struct {
		name string
		q    sharing.BoardQuery
		want map[string]bool // incidents
	}{
		{"class", sharing.BoardQuery{Class: "quarterly"}, map[string]bool{quarterly: true}},
		{"period", sharing.BoardQuery{Period: "FY2026Q1"}, map[string]bool{june: true}},
		{"year", sharing.BoardQuery{Period: "FY2026"}, map[string]bool{june: true, july: true, quarterly: true}},
		{"organization", sharing.BoardQuery{Organization: "carrier-b"}, map[string]bool{quarterly: true}},
		{"status", sharing.BoardQuery{Status: "overdue"}, map[string]bool{june: true}},
		{"class and period", sharing.BoardQuery{Class: "serious", Period: "FY2026Q2"}, map[string]bool{july: true}},
		{"nothing", sharing.BoardQuery{Class: "exempt"}, map[string]bool{}},
	} {
		es, err := obl.Board(ctx, mic, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := map[string]bool{}
		for id := range incidents(es) {
			got[id] = true
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: incidents %v, want %v", c.name, got, c.want)
		}
		for id := range c.want {
			if !got[id] {
				t.Errorf("%s: %s missing", c.name, id)
			}
		}
	}
	for _, q := range []sharing.BoardQuery{{Status: "late"}, {Class: "grave"}, {Period: "2026Q1"}} {
		if _, err := obl.Board(ctx, mic, q); !errors.Is(err, sharing.ErrInvalidArgument) {
			t.Errorf("%+v: %v, want ErrInvalidArgument", q, err)
		}
	}

	// The due day itself is still open; the next day it is overdue (Civil
	// Code Art. 141: the whole day counts, in Japan time).
	var det sharing.BoardEntry
	es, _ = obl.Board(ctx, a, sharing.BoardQuery{})
	for _, e := range es {
		if e.IncidentID == july && e.Kind == reporting.KindSeriousDetailedReport {
			det = e
		}
	}
	if det.Due == nil {
		t.Fatal("July's detailed report has no due date")
	}
	status := func(at time.Time) reporting.Status {
		w.clock.Set(at)
		es, err := obl.Board(ctx, a, sharing.BoardQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.ID == det.ID {
				return e.Status
			}
		}
		t.Fatal("lost the obligation")
		return ""
	}
	lastMinute := det.Due.AddDays(1).Time().Add(-time.Minute)
	if s := status(lastMinute); s != reporting.StatusOpen {
		t.Errorf("at %v (the due day, JST) the obligation is %s", lastMinute, s)
	}
	if s := status(lastMinute.Add(2 * time.Minute)); s != reporting.StatusOverdue {
		t.Errorf("the day after the due day it is %s", s)
	}
}

func TestMayMarkMet(t *testing.T) {
	w := newBoardWorld(t)
	for _, c := range []struct {
		org    string
		person *sharing.Person
		want   bool
	}{
		{"carrier-a", nil, true},
		{"carrier-a", &sharing.Person{Username: "r", Role: sharing.UserReporter}, true},
		{"carrier-a", &sharing.Person{Username: "v", Role: sharing.UserViewer}, false},
		{"mic", &sharing.Person{Username: "v", Role: sharing.UserViewer}, false},
		{"mic", &sharing.Person{Username: "a", Role: sharing.UserApprover}, true},
		{"ict-isac", nil, false},
	} {
		o := *w.org(t, c.org)
		o.Person = c.person
		if got := sharing.MayMarkMet(&o); got != c.want {
			t.Errorf("%s %+v: %v, want %v", c.org, c.person, got, c.want)
		}
	}
	if sharing.MayMarkMet(nil) {
		t.Error("nobody may mark met")
	}
}
