package reporting

import (
	"fmt"
	"time"
)

// JST is Japan Standard Time (UTC+9). Japan has observed no daylight saving
// time since 1951, so a fixed zone is exact and needs no tzdata on the host.
var JST = time.FixedZone("JST", 9*60*60)

// Date is a civil date in Japan time. Deadlines under the Act are dates, not
// instants: a report is due "by the end of" its last day (Civil Code Art. 141).
// It is comparable and usable as a map key; the zero Date is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the Japan-time date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(JST).Date()
	return Date{y, m, d}
}

// NewDate returns the normalized date y-m-d (out-of-range values roll over as
// in time.Date).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 0, 0, 0, 0, JST))
}

// ParseDate parses a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, JST)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
	}
	return DateOf(t), nil
}

// Time returns the start (00:00 JST) of the date.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, JST) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// AddDays returns d plus n days.
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// MarshalText encodes d as YYYY-MM-DD (INTERFACES.md §4).
func (d Date) MarshalText() ([]byte, error) {
	if d.Year < 1 || d.Year > 9999 {
		return nil, fmt.Errorf("date of year %d cannot be written as YYYY-MM-DD", d.Year)
	}
	return []byte(d.String()), nil
}

// maxYear is the latest year of an incident time that classification accepts,
// so that every deadline stays a four-digit year.
const maxYear = 9000

// UnmarshalText decodes a YYYY-MM-DD date.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// lastDayOfMonth returns the last day of month m of year y.
func lastDayOfMonth(y int, m time.Month) Date { return NewDate(y, m+1, 0) }
