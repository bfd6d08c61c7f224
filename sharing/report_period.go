package sharing

import (
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
)

// PeriodOf is the reporting period of the rule set that an accident that
// occurred at t belongs to (REPORTING.md decision 4): a fiscal quarter, or a
// fiscal year under a rule set with annual reporting.
func (r *Reports) PeriodOf(t time.Time) reporting.Period {
	months := 3
	if rs, err := r.rules(); err == nil && rs.ReportingPeriodMonths > 0 {
		months = rs.ReportingPeriodMonths
	}
	return reporting.PeriodOf(t, months)
}
