package console

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/reporting"
)

func mustPeriod(t *testing.T, s string) reporting.Period {
	t.Helper()
	p, err := reporting.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDaysBetween(t *testing.T) {
	for _, c := range []struct {
		name     string
		from, to reporting.Date
		want     int
	}{
		{"same day", reporting.NewDate(2026, 8, 10), reporting.NewDate(2026, 8, 10), 0},
		{"three left", reporting.NewDate(2026, 8, 7), reporting.NewDate(2026, 8, 10), 3},
		{"two overdue", reporting.NewDate(2026, 8, 12), reporting.NewDate(2026, 8, 10), -2},
		{"across a year", reporting.NewDate(2025, 12, 31), reporting.NewDate(2026, 1, 2), 2},
	} {
		if got := daysBetween(c.from, c.to); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestBackQuery(t *testing.T) {
	got := backQuery("status=open&organization=carrier-b&evil=%0d&class=serious&period=FY2026Q2&done=met").Encode()
	if want := "class=serious&organization=carrier-b&period=FY2026Q2&status=open"; got != want {
		t.Errorf("backQuery = %q, want %q", got, want)
	}
}

func TestRecentPeriods(t *testing.T) {
	if diff := cmp.Diff([]string{"FY2026Q1", "FY2025Q4", "FY2025Q3", "FY2020Q1"}, recentPeriods(mustPeriod(t, "FY2026Q1"), "FY2020Q1", 3)); diff != "" {
		t.Errorf("recentPeriods (-want +got):\n%s", diff)
	}
}
