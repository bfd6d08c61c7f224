package reporting

import (
	"errors"
	"math/rand"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func dp(s string) *Date { v := d(s); return &v }

func mkObl(k Kind, status Status, raw, due string) Obligation {
	o := Obligation{ID: ObligationID("incident--x", "carrier-b", k), Kind: k, Recipient: "mic", Status: status}
	if raw != "" {
		o.DueRaw, o.Due = dp(raw), dp(due)
	}
	return o
}

func TestEscalate(t *testing.T) {
	type row struct {
		Kind   Kind
		Status Status
		Due    string
		By     Kind
	}
	view := func(obls []Obligation) []row {
		var out []row
		for _, o := range obls {
			r := row{Kind: o.Kind, Status: o.Status, By: o.SubsumedBy}
			if o.Due != nil {
				r.Due = o.Due.String()
			}
			out = append(out, r)
		}
		return out
	}
	cases := []struct {
		name       string
		prev, next []Obligation
		want       []row
	}{
		{"quarterly escalates to serious",
			[]Obligation{mkObl(KindQuarterlyReport, StatusOpen, "2024-11-30", "2024-12-02")},
			[]Obligation{mkObl(KindSeriousFirstReport, StatusOpen, "", ""), mkObl(KindSeriousDetailedReport, StatusOpen, "2024-08-09", "2024-08-09"), mkObl(KindQuarterlyReport, StatusOpen, "2024-11-30", "2024-12-02")},
			[]row{{KindSeriousFirstReport, StatusOpen, "", ""}, {KindSeriousDetailedReport, StatusOpen, "2024-08-09", ""}, {KindQuarterlyReport, StatusOpen, "2024-12-02", ""}}},
		{"a kind never disappears",
			[]Obligation{mkObl(KindSeriousFirstReport, StatusMet, "", ""), mkObl(KindSeriousDetailedReport, StatusOpen, "2024-08-09", "2024-08-09")},
			[]Obligation{mkObl(KindQuarterlyReport, StatusOpen, "2024-11-30", "2024-12-02")},
			[]row{{KindSeriousFirstReport, StatusMet, "", ""}, {KindSeriousDetailedReport, StatusOpen, "2024-08-09", ""}, {KindQuarterlyReport, StatusOpen, "2024-12-02", ""}}},
		{"met stays met, overdue stays overdue",
			[]Obligation{mkObl(KindSeriousDetailedReport, StatusMet, "2024-08-09", "2024-08-09"), mkObl(KindQuarterlyReport, StatusOverdue, "2024-11-30", "2024-12-02")},
			[]Obligation{mkObl(KindSeriousDetailedReport, StatusOpen, "2024-08-09", "2024-08-09"), mkObl(KindQuarterlyReport, StatusOpen, "2024-11-30", "2024-12-02")},
			[]row{{KindSeriousDetailedReport, StatusMet, "2024-08-09", ""}, {KindQuarterlyReport, StatusOverdue, "2024-12-02", ""}}},
		{"a day-count deadline never moves later",
			[]Obligation{mkObl(KindSeriousDetailedReport, StatusOpen, "2024-08-09", "2024-08-09")},
			[]Obligation{mkObl(KindSeriousDetailedReport, StatusOpen, "2024-08-10", "2024-08-13")},
			[]row{{KindSeriousDetailedReport, StatusOpen, "2024-08-09", ""}}},
		{"a day-count deadline moves earlier",
			[]Obligation{mkObl(KindSeriousDetailedReport, StatusOpen, "2024-08-10", "2024-08-13")},
			[]Obligation{mkObl(KindSeriousDetailedReport, StatusOpen, "2024-08-09", "2024-08-09")},
			[]row{{KindSeriousDetailedReport, StatusOpen, "2024-08-09", ""}}},
		{"the quarterly due follows a corrected quarter",
			[]Obligation{mkObl(KindQuarterlyReport, StatusOpen, "2025-05-31", "2025-06-02")},
			[]Obligation{mkObl(KindQuarterlyReport, StatusOpen, "2025-08-31", "2025-09-01")},
			[]row{{KindQuarterlyReport, StatusOpen, "2025-09-01", ""}}},
		{"osore report subsumed once the situation is a serious accident",
			[]Obligation{mkObl(KindOsoreReport, StatusOpen, "2025-01-02", "2025-01-06")},
			[]Obligation{mkObl(KindSeriousFirstReport, StatusOpen, "", ""), mkObl(KindSeriousDetailedReport, StatusOpen, "2025-01-01", "2025-01-06")},
			[]row{{KindSeriousFirstReport, StatusOpen, "", ""}, {KindSeriousDetailedReport, StatusOpen, "2025-01-06", ""}, {KindOsoreReport, StatusSubsumed, "2025-01-06", KindSeriousDetailedReport}}},
		{"simple form escalates to the detailed form",
			[]Obligation{mkObl(KindQuarterlySimpleReport, StatusOpen, "2024-11-30", "2024-12-02")},
			[]Obligation{mkObl(KindQuarterlyReport, StatusOpen, "2024-11-30", "2024-12-02")},
			[]row{{KindQuarterlyReport, StatusOpen, "2024-12-02", ""}, {KindQuarterlySimpleReport, StatusSubsumed, "2024-12-02", KindQuarterlyReport}}},
		{"open becomes subsumed by the disaster report",
			[]Obligation{mkObl(KindSeriousFirstReport, StatusOpen, "", "")},
			[]Obligation{{Kind: KindSeriousFirstReport, Status: StatusSubsumed, SubsumedBy: KindDisasterDamageReport}, mkObl(KindDisasterDamageReport, StatusOpen, "", "")},
			[]row{{KindSeriousFirstReport, StatusSubsumed, "", KindDisasterDamageReport}, {KindDisasterDamageReport, StatusOpen, "", ""}}},
		{"subsumed reopens when the disaster facts are withdrawn",
			[]Obligation{{Kind: KindSeriousFirstReport, Status: StatusSubsumed, SubsumedBy: KindDisasterDamageReport}},
			[]Obligation{mkObl(KindSeriousFirstReport, StatusOpen, "", "")},
			[]row{{KindSeriousFirstReport, StatusOpen, "", ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Escalate(tc.prev, tc.next)
			if diff := cmp.Diff(tc.want, view(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEscalateKeepsIdentity(t *testing.T) {
	created := time.Date(2024, 7, 10, 0, 0, 0, 0, time.UTC)
	p := mkObl(KindQuarterlyReport, StatusOpen, "2024-11-30", "2024-12-02")
	p.ID, p.CreatedAt = "obligation--first", created
	got := Escalate([]Obligation{p}, []Obligation{mkObl(KindQuarterlyReport, StatusOpen, "2024-11-30", "2024-12-02")})
	if got[0].ID != "obligation--first" || !got[0].CreatedAt.Equal(created) {
		t.Errorf("identity lost: %+v", got[0])
	}
}

func TestSweepAndMarkMet(t *testing.T) {
	obls := []Obligation{
		mkObl(KindSeriousDetailedReport, StatusOpen, "2024-08-09", "2024-08-09"),
		mkObl(KindQuarterlyReport, StatusOpen, "2024-11-30", "2024-12-02"),
		mkObl(KindSeriousFirstReport, StatusOpen, "", ""),
		mkObl(KindOsoreReport, StatusMet, "2024-08-01", "2024-08-01"),
	}
	// 2024-08-09 23:59 JST: still in time; 2024-08-10 00:00 JST: overdue.
	if got := Sweep(obls, jst(2024, time.August, 9, 23, 59)); len(got) != 0 {
		t.Errorf("swept too early: %+v", got)
	}
	got := Sweep(obls, jst(2024, time.August, 10, 0, 0))
	if len(got) != 1 || got[0].Kind != KindSeriousDetailedReport || got[0].Status != StatusOverdue {
		t.Fatalf("Sweep = %+v", got)
	}
	if obls[0].Status != StatusOpen {
		t.Error("Sweep modified its input")
	}
	o := got[0]
	if err := o.MarkMet("", time.Now()); err == nil {
		t.Error("met without a reference accepted")
	}
	if err := o.MarkMet("MIC-2024-0815", jst(2024, time.August, 12, 10, 0)); err != nil || o.Status != StatusMet {
		t.Fatalf("MarkMet: %v %+v", err, o)
	}
	if err := o.MarkMet("again", time.Now()); !errors.Is(err, ErrConflict) {
		t.Errorf("second MarkMet: %v", err)
	}
	s := Obligation{Status: StatusSubsumed}
	if err := s.MarkMet("x", time.Now()); !errors.Is(err, ErrConflict) {
		t.Errorf("MarkMet on subsumed: %v", err)
	}
}

// TestProfileEscalationNeverLowersClass: raising users or lengthening steps
// of a profile never lowers the classification (REPORTING.md §7).
func TestProfileEscalationNeverLowersClass(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	classes := []string{ClassEmergencyVoice, ClassVoice, ClassFreeInternet, ClassLPWA, ClassOther}
	equipment := []string{"core", "base-station", "customer-premises", "aerial-access-line", "other"}
	usersScale := []int64{1_000, 20_000, 35_000, 120_000, 1_500_000}
	for _, name := range []string{RuleSetBaseline, RuleSet2025} {
		rs := ruleSet(t, name)
		for i := 0; i < 1500; i++ {
			at := t0.Add(time.Duration(rng.Int63n(int64(365 * 24 * time.Hour))))
			type st struct {
				off, dur time.Duration
				users    int64
			}
			var steps []st
			off := time.Duration(0)
			for j := 0; j < 1+rng.Intn(5); j++ {
				gap := time.Duration(rng.Intn(3)) * 10 * time.Minute
				dur := time.Duration(1+rng.Intn(30*6)) * 10 * time.Minute
				steps = append(steps, st{off + gap, dur, rng.Int63n(usersScale[rng.Intn(len(usersScale))])})
				off += gap + dur
			}
			class, equip := classes[rng.Intn(len(classes))], equipment[rng.Intn(len(equipment))]
			total := off
			build := func(steps []st) map[string]any {
				prof := []any{}
				for _, s := range steps {
					prof = append(prof, step(at.Add(s.off), s.dur, s.users))
				}
				var last time.Duration
				for _, s := range steps {
					if s.off+s.dur > last {
						last = s.off + s.dur
					}
				}
				return with(ext(at, last, with(svc(class, "stop", -1), "user_profile", prof)), "failed_equipment", equip)
			}
			before, err := Classify(incident(t, build(steps)), carrB, rs, farFuture)
			if err != nil {
				t.Fatal(err)
			}
			// escalate: raise one step's users, or lengthen one step
			k := rng.Intn(len(steps))
			esc := append([]st(nil), steps...)
			if rng.Intn(2) == 0 {
				esc[k].users += rng.Int63n(2_000_000)
			} else {
				esc[k].dur += time.Duration(1+rng.Intn(24*6)) * 10 * time.Minute
			}
			after, err := Classify(incident(t, build(esc)), carrB, rs, farFuture)
			if err != nil {
				t.Fatal(err)
			}
			if after.Classification.Rank() < before.Classification.Rank() {
				t.Fatalf("%s %s %s total %s: %s → %s after escalating step %d (%+v → %+v)", name, class, equip, total, before.Classification, after.Classification, k, steps, esc)
			}
		}
	}
}
