package reporting

import (
	"sync"
	"time"

	"github.com/rickar/cal/v2/jp"
)

// Where the national holidays come from (product decision 7: a maintained
// calendar, never hand-written dates).
//
// Source: github.com/rickar/cal/v2/jp, which implements the Act on National
// Holidays (国民の祝日に関する法律) including substitute holidays (振替休日,
// Art. 3(2)), the equinoxes by the standard formula, the 2019 enthronement
// holidays and the 2020/2021 Olympic moves of Marine and Sports Day. It was
// checked against Debian's python3-holidays 0.10.1 for 2016–2040; the only
// differences in the years a deadline can still fall in are
//   - 2025-02-24 and 2031-02-24 (substitute for the Emperor's Birthday on a
//     Sunday): present in rickar/cal, missing in python3-holidays — which is
//     why the Debian package was not used;
//   - 2037-09-22 (citizens' holiday between Respect for the Aged Day and the
//     Autumnal Equinox): rickar/cal keeps such days as a table ending in
//     2032. We derive them from the statute instead (Art. 3(3): a day between
//     two national holidays is a holiday), which covers every year.
//
// Known historic gaps of the library, irrelevant for deadlines today: Mountain
// Day 2020 (moved to 08-10) and 2021 (08-08, substitute 08-09), and
// 2019-12-23 listed as the Emperor's Birthday. Update the module when the
// Cabinet Office announces a change (equinox days are fixed each February for
// the following year).
const (
	holidayFirstYear = 1990
	holidayLastYear  = 2150
)

var (
	holidayOnce sync.Once
	holidaySet  map[Date]bool
)

// loadHolidays computes every national holiday of holidayFirstYear through
// holidayLastYear once. The library is called only here, under sync.Once:
// some of its holiday functions write to the shared *cal.Holiday while
// computing, so it must not be called from concurrent goroutines.
func loadHolidays() {
	actual := make(map[Date]bool, 20*(holidayLastYear-holidayFirstYear+1))
	set := make(map[Date]bool, len(actual))
	for _, h := range jp.Holidays {
		for y := holidayFirstYear; y <= holidayLastYear; y++ {
			act, obs := h.Calc(y)
			if !act.IsZero() {
				d := civil(act)
				actual[d] = true
				set[d] = true
			}
			if !obs.IsZero() {
				set[civil(obs)] = true
			}
		}
	}
	// 国民の祝日に関する法律 Art. 3(3): a day whose previous and next days
	// are national holidays (and that is not one itself) is a holiday.
	for d := range actual {
		mid := d.AddDays(1)
		if !actual[mid] && actual[mid.AddDays(1)] {
			set[mid] = true
		}
	}
	holidaySet = set
}

// civil converts a library date (midnight in cal.DefaultLoc) to a Date
// without shifting it through a time zone.
func civil(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsNationalHoliday reports whether d is a national holiday, a substitute
// holiday or a citizens' holiday (国民の祝日に関する法律 Art. 2–3). Outside
// 1990–2150 it reports false.
func IsNationalHoliday(d Date) bool {
	holidayOnce.Do(loadHolidays)
	return holidaySet[d]
}

// IsAdministrativeHoliday reports whether d is a holiday of the national
// administrative organs (行政機関の休日に関する法律 Art. 1(1)): Saturdays,
// Sundays, national holidays, and 29 December through 3 January.
func IsAdministrativeHoliday(d Date) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return true
	}
	if (d.Month == time.December && d.Day >= 29) || (d.Month == time.January && d.Day <= 3) {
		return true
	}
	return IsNationalHoliday(d)
}

// RollForward returns d, or the first day after it that is not an
// administrative holiday: a period for a submission to a national
// administrative organ that ends on such a holiday ends on the next working
// day (行政機関の休日に関する法律 Art. 2).
func RollForward(d Date) Date {
	for IsAdministrativeHoliday(d) {
		d = d.AddDays(1)
	}
	return d
}

// DaysFrom returns the last day of a period of n days starting at t, counted
// in Japan time. The first day is not counted unless the period starts at
// 00:00 (Civil Code Art. 140), so 30 days from 2024-07-10 09:00 ends on
// 2024-08-09.
func DaysFrom(t time.Time, n int) Date {
	d := DateOf(t)
	lt := t.In(JST)
	if lt.Hour() == 0 && lt.Minute() == 0 && lt.Second() == 0 && lt.Nanosecond() == 0 {
		return d.AddDays(n - 1)
	}
	return d.AddDays(n)
}
