package reporting

import (
	"math/rand"
	"testing"
	"time"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestNationalHolidays(t *testing.T) {
	// Dates the worked cases and their deadlines depend on, checked against
	// the Cabinet Office list.
	holidays := []string{
		"2024-01-08", "2024-02-12", "2024-08-12", "2024-09-16", "2024-09-23", "2024-11-04",
		"2025-01-13", "2025-02-24", "2025-05-06", "2025-11-24",
		"2026-01-12", "2026-09-21", "2026-09-22", "2026-09-23", "2026-05-06",
		"2037-09-22", // citizens' holiday, derived from Art. 3(3)
	}
	for _, s := range holidays {
		if !IsNationalHoliday(d(s)) {
			t.Errorf("%s is a national holiday", s)
		}
	}
	for _, s := range []string{"2024-09-17", "2025-02-25", "2026-09-24", "2024-12-31", "2025-09-22"} {
		if IsNationalHoliday(d(s)) {
			t.Errorf("%s is not a national holiday", s)
		}
	}
}

func TestRollForward(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"2024-11-30", "2024-12-02"}, // Saturday
		{"2024-12-31", "2025-01-06"}, // year-end, 4–5 Jan weekend
		{"2025-01-02", "2025-01-06"},
		{"2024-12-28", "2025-01-06"},
		{"2025-05-31", "2025-06-02"},
		{"2025-08-31", "2025-09-01"},
		{"2026-02-28", "2026-03-02"},
		{"2024-02-29", "2024-02-29"},
		{"2024-09-21", "2024-09-24"}, // Sat, Sun 22 (equinox), Mon 23 (substitute)
		{"2026-09-19", "2026-09-24"}, // the 2026 silver week
		{"2025-04-29", "2025-04-30"},
		{"2025-05-03", "2025-05-07"},
	}
	for _, tc := range cases {
		if got := RollForward(d(tc.raw)); got != d(tc.want) {
			t.Errorf("RollForward(%s) = %s, want %s", tc.raw, got, tc.want)
		}
	}
}

func TestDaysFrom(t *testing.T) {
	cases := []struct {
		name string
		at   time.Time
		n    int
		want string
	}{
		{"first day not counted", jst(2024, time.July, 10, 9, 0), 30, "2024-08-09"},
		{"a period starting at 00:00 counts its first day", jst(2024, time.July, 10, 0, 0), 30, "2024-08-08"},
		{"JST date of a UTC instant", time.Date(2024, 7, 9, 15, 30, 0, 0, time.UTC), 30, "2024-08-09"},
	}
	for _, tc := range cases {
		if got := DaysFrom(tc.at, tc.n); got != d(tc.want) {
			t.Errorf("%s: DaysFrom = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestPeriodOf(t *testing.T) {
	cases := []struct {
		at     time.Time
		months int
		name   string
		start  string
		end    string
		dueRaw string
	}{
		{jst(2024, time.July, 10, 9, 0), 3, "FY2024Q2", "2024-07-01", "2024-09-30", "2024-11-30"},
		{jst(2023, time.November, 15, 9, 0), 3, "FY2023Q3", "2023-10-01", "2023-12-31", "2024-02-29"},
		{jst(2025, time.March, 31, 23, 30), 3, "FY2024Q4", "2025-01-01", "2025-03-31", "2025-05-31"},
		{jst(2025, time.April, 1, 0, 10), 3, "FY2025Q1", "2025-04-01", "2025-06-30", "2025-08-31"},
		{jst(2025, time.February, 1, 0, 0), 12, "FY2024", "2024-04-01", "2025-03-31", "2025-05-31"},
	}
	for _, tc := range cases {
		p := PeriodOf(tc.at, tc.months)
		if p.String() != tc.name || p.Start() != d(tc.start) || p.End() != d(tc.end) || p.DueRaw(2) != d(tc.dueRaw) {
			t.Errorf("PeriodOf(%s) = %s %s–%s due %s, want %s %s–%s due %s", tc.at, p, p.Start(), p.End(), p.DueRaw(2), tc.name, tc.start, tc.end, tc.dueRaw)
		}
	}
}

// TestQuarterBoundaryProperty: moving occurred_at across a quarter boundary
// in Japan time changes the quarter exactly there, and nowhere else.
func TestQuarterBoundaryProperty(t *testing.T) {
	// The named instance: 2025-04-01 00:00 JST is 2025-03-31T15:00:00Z.
	before := PeriodOf(time.Date(2025, 3, 31, 14, 59, 59, 0, time.UTC), 3)
	after := PeriodOf(time.Date(2025, 3, 31, 15, 0, 0, 0, time.UTC), 3)
	if before.String() != "FY2024Q4" || after.String() != "FY2025Q1" {
		t.Fatalf("boundary: %s / %s", before, after)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		// a random quarter boundary between 2000 and 2099
		y := 2000 + rng.Intn(100)
		m := time.Month(1 + 3*rng.Intn(4))
		b := time.Date(y, m, 1, 0, 0, 0, 0, JST)
		eps := time.Duration(1+rng.Int63n(int64(80*24*time.Hour))) * time.Nanosecond
		p0, p1 := PeriodOf(b.Add(-time.Nanosecond), 3), PeriodOf(b, 3)
		if p0 == p1 || p0.End().AddDays(1) != p1.Start() || p1.Start() != DateOf(b) {
			t.Fatalf("boundary %s: %s then %s", b, p0, p1)
		}
		// within a quarter on either side nothing changes
		if PeriodOf(b.Add(-eps), 3) != p0 || PeriodOf(b.Add(eps-time.Nanosecond), 3) != p1 {
			t.Fatalf("period changed away from the boundary %s (eps %s)", b, eps)
		}
		// and the deadline of the classification follows the quarter
		if p1.DueRaw(2) == p0.DueRaw(2) {
			t.Fatalf("same due date across %s", b)
		}
	}
}

// TestAdministrativeHolidays cross-checks a whole range: weekends and the
// year-end are holidays, and RollForward never lands on one.
func TestAdministrativeHolidays(t *testing.T) {
	for day := d("2024-01-01"); day.Before(d("2031-01-01")); day = day.AddDays(1) {
		r := RollForward(day)
		if IsAdministrativeHoliday(r) || r.Before(day) || r.After(day.AddDays(10)) {
			t.Fatalf("RollForward(%s) = %s", day, r)
		}
		if wd := day.Weekday(); (wd == time.Saturday || wd == time.Sunday) && !IsAdministrativeHoliday(day) {
			t.Fatalf("%s is a weekend day", day)
		}
	}
}
