package reporting

import (
	"encoding/json"
	"fmt"
	"time"
)

// Classification is the strongest statutory accident class of an incident
// (INTERFACES.md §4). The values are a fixed contract.
type Classification string

// Accident classes, strongest first.
const (
	// Serious is a serious accident (重大な事故, Art. 28; 施行規則58条2項各号):
	// first report without delay, detailed report in 30 days, and the
	// accident also goes into the quarterly file.
	Serious Classification = "serious"
	// PossiblySerious is a possibly serious accident (重大な事故に該当する
	// おそれのある事故; product decision 2): a serious threshold could be met
	// but a fact is missing (users not established, the bandwidth proxy does
	// not settle it, and the duration would satisfy a serious leg). The first
	// report is owed at once; the obligations of the established class apply.
	PossiblySerious Classification = "possibly-serious"
	// Quarterly is an accident reported quarterly on the detailed form
	// (四半期報告事故, Art. 166; 報告規則7条の3, 様式第27).
	Quarterly Classification = "quarterly"
	// QuarterlySimple is a quarterly accident of a base station, remote
	// terminal or DSLAM, reported on the simple form (7条の3 ただし書;
	// 平成22年総務省告示第136号).
	QuarterlySimple Classification = "quarterly-simple"
	// Exempt is a minor accident exempt from reporting (軽微な事故,
	// 報告規則7条の3第2項): customer-premises failures confined to the
	// premises, failures in aerial line sections.
	Exempt Classification = "exempt"
	// NotReportable is no statutory accident (電気通信事故に該当しない):
	// below every threshold, no stop or degradation, or not an accident at
	// all (e.g. a communications-secrecy leak, a near miss).
	NotReportable Classification = "not-reportable"
)

// Rank orders classifications: a higher rank is a stronger class.
func (c Classification) Rank() int {
	switch c {
	case Serious:
		return 5
	case PossiblySerious:
		return 4
	case Quarterly:
		return 3
	case QuarterlySimple:
		return 2
	case Exempt:
		return 1
	}
	return 0
}

// Stronger returns the stronger of two classifications; a follow-up version
// that ends lower keeps the class already reached when the caller escalates.
func Stronger(a, b Classification) Classification {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// Organization holds the facts about the reporting carrier that come from the
// organization registry, never from the incident (PROFILE.md §3).
type Organization struct {
	// ID is the registry id (e.g. "carrier-a"); empty for an unknown carrier.
	ID string
	// Name is the carrier's name, used in the regulator's report forms.
	Name string
	// DesignatedPublicInstitution is true for 指定公共機関 (災害対策基本法
	// 2条5号), which report disasters through the emergency network.
	DesignatedPublicInstitution bool
	// UsersAtFYEnd is the number of users at the end of the previous fiscal
	// year (31 March); nil when unknown (gate R1 of おそれ事態).
	UsersAtFYEnd *int64
}

// Evidence records one decision of the engine so that a reviewer can audit
// it (REPORTING.md §7): the rule, the service it was judged on (nil for a
// decision about the whole incident) and what was computed, e.g.
// "D(30000) = 1h0m0s ≥ 1h".
type Evidence struct {
	Rule    string `json:"rule"`
	Service *int   `json:"service"`
	Detail  string `json:"detail"`
}

// Result is the classification of one version of one incident for one
// organization: one element of "incidents" in INTERFACES.md §4.
type Result struct {
	IncidentID     string         `json:"incident_id"`
	Modified       string         `json:"modified"`
	Organization   string         `json:"organization"`
	Classification Classification `json:"classification"`
	// Provisional is true while the incident has no recovered_at: it was
	// classified on the time elapsed up to now (product decision 3).
	Provisional bool         `json:"provisional"`
	Obligations []Obligation `json:"obligations"`
	Evidence    []Evidence   `json:"evidence"`

	// RuleSet is the name of the rule set applied.
	RuleSet string `json:"-"`
	// Period is the reporting period (quarter) the accident belongs to, by
	// occurred_at in Japan time (product decision 4).
	Period Period `json:"-"`
	// ReportKind is the incident's report_kind (PROFILE.md §3) and
	// OccurredAt its occurred_at, as classified: the public statistics
	// count by them without reading the incident again. OccurredAt is kept
	// beside Period because the statistics are quarterly even under a rule
	// set that reports once a fiscal year.
	ReportKind string    `json:"-"`
	OccurredAt time.Time `json:"-"`
}

// ResultSet is the whole document of INTERFACES.md §4 (`kakehashi classify`).
type ResultSet struct {
	RuleSet   string   `json:"rule_set"`
	Incidents []Result `json:"incidents"`
}

// wireObligation is an obligation as INTERFACES.md §4 shows it inside a
// Result: the incident and organization are those of the Result, and the
// bookkeeping fields of the stored record are left out.
type wireObligation struct {
	Kind       Kind    `json:"kind"`
	Recipient  string  `json:"recipient"`
	Form       *string `json:"form"`
	Urgency    Urgency `json:"urgency,omitempty"`
	DueRaw     *Date   `json:"due_raw"`
	Due        *Date   `json:"due"`
	Status     Status  `json:"status"`
	SubsumedBy Kind    `json:"subsumed_by,omitempty"`
	Reason     string  `json:"reason,omitempty"`
}

// MarshalJSON encodes the Result in exactly the shape of INTERFACES.md §4.
func (r Result) MarshalJSON() ([]byte, error) {
	obls := make([]wireObligation, len(r.Obligations))
	for i, o := range r.Obligations {
		obls[i] = wireObligation{o.Kind, o.Recipient, o.Form, o.Urgency, o.DueRaw, o.Due, o.Status, o.SubsumedBy, o.Reason}
	}
	ev := r.Evidence
	if ev == nil {
		ev = []Evidence{}
	}
	return json.Marshal(struct {
		IncidentID     string           `json:"incident_id"`
		Modified       string           `json:"modified"`
		Organization   string           `json:"organization"`
		Classification Classification   `json:"classification"`
		Provisional    bool             `json:"provisional"`
		Obligations    []wireObligation `json:"obligations"`
		Evidence       []Evidence       `json:"evidence"`
	}{r.IncidentID, r.Modified, r.Organization, r.Classification, r.Provisional, obls, ev})
}

// Period is a reporting period of the Japanese fiscal year (April–March): a
// quarter (報告規則1条: 四半期) or, under the proposed annual regime, the
// whole year.
type Period struct {
	FiscalYear int `json:"fiscal_year"` // the calendar year in which the fiscal year begins
	Index      int `json:"index"`       // 1–4 for quarters, 1 for a year
	Months     int `json:"months"`      // 3 or 12
}

// PeriodOf returns the reporting period of months (3 or 12) that contains t
// in Japan time.
func PeriodOf(t time.Time, months int) Period {
	if months <= 0 || 12%months != 0 {
		months = 3
	}
	d := DateOf(t)
	fy := d.Year
	if d.Month < time.April {
		fy--
	}
	off := (int(d.Month) - int(time.April) + 12) % 12
	return Period{FiscalYear: fy, Index: off/months + 1, Months: months}
}

// Start returns the first day of the period.
func (p Period) Start() Date {
	return NewDate(p.FiscalYear, time.April+time.Month((p.Index-1)*p.Months), 1)
}

// End returns the last day of the period.
func (p Period) End() Date {
	s := p.Start()
	return NewDate(s.Year, s.Month+time.Month(p.Months), 0)
}

// DueRaw returns the last day of the months-th month after the period
// ("毎四半期経過後二月以内": 30 June → 31 August, 31 December → end of
// February).
func (p Period) DueRaw(months int) Date {
	e := p.End()
	return lastDayOfMonth(e.Year, e.Month+time.Month(months))
}

// String names the period: "FY2024Q2" for July–September 2024, "FY2024" for
// a whole fiscal year.
func (p Period) String() string {
	if p.Months == 12 {
		return "FY" + itoa(p.FiscalYear)
	}
	return "FY" + itoa(p.FiscalYear) + "Q" + itoa(p.Index)
}

// ParsePeriod reads a period in the form String writes: "FY2026Q2" (a
// quarter of fiscal year 2026, July–September 2026) or "FY2026" (the year).
func ParsePeriod(s string) (Period, error) {
	var fy, q int
	if n, err := fmt.Sscanf(s, "FY%4dQ%1d", &fy, &q); err == nil && n == 2 && q >= 1 && q <= 4 && len(s) == 8 {
		return Period{FiscalYear: fy, Index: q, Months: 3}, nil
	}
	if n, err := fmt.Sscanf(s, "FY%4d", &fy); err == nil && n == 1 && len(s) == 6 {
		return Period{FiscalYear: fy, Index: 1, Months: 12}, nil
	}
	return Period{}, fmt.Errorf("period %q is not FY<year>Q<1-4> (e.g. FY2026Q2 for July–September 2026) or FY<year>", s)
}
