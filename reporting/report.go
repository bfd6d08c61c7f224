package reporting

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// Item is one item of a regulator's form: its value when the incident
// supplies it, and where the value came from. Missing items are also listed
// in the report's Missing field so the carrier knows what to add before
// filing.
type Item struct {
	Value  any    `json:"value"`
	Source string `json:"source"`
}

// ServiceItem is one affected service in a detailed report.
type ServiceItem struct {
	Index         int    `json:"index"`
	ServiceClass  string `json:"service_class"`
	Impact        string `json:"impact"`
	AffectedUsers *int64 `json:"affected_users"`
	UsersBasis    string `json:"users_basis"` // "user_profile", "affected_users", "bandwidth-proxy", "unknown"
	WholesaleRole string `json:"wholesale_role"`
}

// DetailedReport is the machine-readable detailed report of a serious
// accident (施行規則57条, 様式第50の3), filled with the items the incident
// supplies. Items the hub cannot know (the measures taken and planned, the
// area) are null and named in Missing.
type DetailedReport struct {
	Form           string        `json:"form"`
	IncidentID     string        `json:"incident_id"`
	Modified       string        `json:"modified"`
	Classification string        `json:"classification"`
	Provisional    bool          `json:"provisional"`
	Due            *Date         `json:"due"`
	Operator       Item          `json:"operator"`           // 報告事業者
	Title          Item          `json:"title"`              // 事故の件名
	OccurredAt     Item          `json:"occurred_at"`        // 発生日時
	AwareAt        Item          `json:"aware_at"`           // 覚知日時
	RecoveredAt    Item          `json:"recovered_at"`       // 復旧日時
	Duration       Item          `json:"duration"`           // 継続時間
	Services       []ServiceItem `json:"services"`           // 影響を受けた役務・利用者数
	Area           Item          `json:"area"`               // 影響地域
	Facilities     Item          `json:"facilities"`         // 事故の発生した電気通信設備
	ImportantFac   Item          `json:"important_facility"` // 衛星・海底ケーブル等
	Cause          Item          `json:"cause"`              // 発生原因
	CyberAttack    Item          `json:"cyber_attack"`       // サイバー攻撃の態様
	Overview       Item          `json:"overview"`           // 事故の概要
	Measures       Item          `json:"measures"`           // 措置模様 (復旧措置)
	Prevention     Item          `json:"prevention"`         // 再発防止策
	UserNotice     Item          `json:"user_notice"`        // 利用者への周知
	Evidence       []Evidence    `json:"evidence"`           // why it is serious
	Missing        []string      `json:"missing"`            // items to complete before filing
}

// NewDetailedReport builds the 様式第50の3 report of a classified serious (or
// possibly serious) accident from its STIX incident. The measures, the
// prevention plan, the area and the user notice are not part of the telecom
// extension: they come from the incident's "x_kakehashi_measures" style
// properties when present and are otherwise listed as missing.
func NewDetailedReport(o *stix.Object, org Organization, res Result) (DetailedReport, error) {
	t, ok, err := o.TelecomExtension()
	if err != nil {
		return DetailedReport{}, fmt.Errorf("detailed report %s: %w", o.ID, err)
	}
	if !ok {
		return DetailedReport{}, fmt.Errorf("detailed report %s: %w", o.ID, ErrNotTelecomIncident)
	}
	r := DetailedReport{
		Form: "施行規則様式第50の3", IncidentID: o.ID, Modified: o.Version(),
		Classification: string(res.Classification), Provisional: res.Provisional,
		Evidence: res.Evidence, Missing: []string{},
	}
	for _, ob := range res.Obligations {
		if ob.Kind == KindSeriousDetailedReport {
			r.Due = ob.Due
		}
	}
	set := func(it *Item, name string, v any, source string) {
		if v == nil {
			*it = Item{Value: nil, Source: source}
			r.Missing = append(r.Missing, name)
			return
		}
		*it = Item{Value: v, Source: source}
	}
	operator := any(nil)
	if org.Name != "" {
		operator = org.Name
	} else if org.ID != "" {
		operator = org.ID
	}
	set(&r.Operator, "operator", operator, "registry: organization name")
	set(&r.Title, "title", str(o.Props["name"]), "incident.name")
	set(&r.Overview, "overview", str(o.Props["description"]), "incident.description")
	set(&r.OccurredAt, "occurred_at", stix.FormatTimestamp(t.OccurredAt), "extension.occurred_at")
	set(&r.AwareAt, "aware_at", stix.FormatTimestamp(*t.AwareAt), "extension.aware_at (default occurred_at)")
	if t.RecoveredAt != nil {
		set(&r.RecoveredAt, "recovered_at", stix.FormatTimestamp(*t.RecoveredAt), "extension.recovered_at")
		set(&r.Duration, "duration", t.RecoveredAt.Sub(t.OccurredAt).String(), "recovered_at − occurred_at")
	} else {
		set(&r.RecoveredAt, "recovered_at", nil, "extension.recovered_at (ongoing)")
		set(&r.Duration, "duration", nil, "recovered_at − occurred_at (ongoing)")
	}
	for i, s := range t.Services {
		si := ServiceItem{Index: i, ServiceClass: s.ServiceClass, Impact: s.Impact, WholesaleRole: s.WholesaleRole, UsersBasis: "unknown"}
		switch {
		case len(s.UserProfile) > 0:
			var m int64
			for _, st := range s.UserProfile {
				m = max(m, st.Users)
			}
			si.AffectedUsers, si.UsersBasis = &m, "user_profile"
		case s.AffectedUsers != nil && !s.UsersUnknown:
			v := *s.AffectedUsers
			si.AffectedUsers, si.UsersBasis = &v, "affected_users"
		case s.StoppedBandwidthBps != nil:
			si.UsersBasis = "bandwidth-proxy"
		}
		if si.AffectedUsers == nil {
			r.Missing = append(r.Missing, fmt.Sprintf("services[%d].affected_users", i))
		}
		r.Services = append(r.Services, si)
	}
	if len(t.Services) == 0 {
		r.Services = []ServiceItem{}
	}
	var fac any
	if t.FailedEquipment != "" {
		fac = t.FailedEquipment
	}
	set(&r.Facilities, "facilities", fac, "extension.failed_equipment")
	if t.ImportantFacility != nil {
		r.ImportantFac = Item{Value: t.ImportantFacility, Source: "extension.important_facility"}
	} else {
		r.ImportantFac = Item{Value: nil, Source: "extension.important_facility (none)"}
	}
	set(&r.Cause, "cause", t.Cause, "extension.cause")
	if t.Cyber != nil {
		r.CyberAttack = Item{Value: t.Cyber, Source: "extension.cyber"}
	} else {
		r.CyberAttack = Item{Value: nil, Source: "extension.cyber (none)"}
	}
	set(&r.Area, "area", str(o.Props["x_kakehashi_area"]), "incident.x_kakehashi_area")
	set(&r.Measures, "measures", str(o.Props["x_kakehashi_measures"]), "incident.x_kakehashi_measures")
	set(&r.Prevention, "prevention", str(o.Props["x_kakehashi_prevention"]), "incident.x_kakehashi_prevention")
	set(&r.UserNotice, "user_notice", str(o.Props["x_kakehashi_user_notice"]), "incident.x_kakehashi_user_notice")
	return r, nil
}

func str(v any) any {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return nil
}

// QuarterlyRow is one accident in the quarterly report (報告規則様式第27).
type QuarterlyRow struct {
	IncidentID     string `json:"incident_id"`
	OccurredAt     string `json:"occurred_at"`     // 発生日時 (JST)
	RecoveredAt    string `json:"recovered_at"`    // 復旧日時 (JST), empty while ongoing
	Duration       string `json:"duration"`        // 継続時間
	Item           string `json:"item"`            // 7条の3第1項の号: "1", "2", "3"
	ServiceClasses string `json:"service_classes"` // 役務の区分
	Impact         string `json:"impact"`          // 停止 / 品質の低下
	AffectedUsers  string `json:"affected_users"`  // 影響利用者数 (peak), empty when unknown
	Cause          string `json:"cause"`           // 発生原因
	CauseCode      string `json:"cause_code"`      // e.g. 送信型対電気通信設備サイバー攻撃
	Equipment      string `json:"equipment"`       // 故障設備
	Serious        bool   `json:"serious"`         // 重大な事故に該当
	Form           string `json:"form"`            // detailed or simple
}

// QuarterlyFile is the quarterly report of one organization for one
// reporting period (報告規則7条の3, 様式第27): the detailed rows and the
// counts of simple-form accidents by equipment.
type QuarterlyFile struct {
	Form         string         `json:"form"`
	Organization string         `json:"organization"`
	Period       string         `json:"period"`
	PeriodStart  Date           `json:"period_start"`
	PeriodEnd    Date           `json:"period_end"`
	DueRaw       Date           `json:"due_raw"`
	Due          Date           `json:"due"`
	Rows         []QuarterlyRow `json:"rows"`
	SimpleCounts map[string]int `json:"simple_counts"` // 告示様式: occurrences per equipment
}

// QuarterlyEntry pairs an incident with its (latest) classification.
type QuarterlyEntry struct {
	Incident *stix.Object
	Result   Result
}

// NewQuarterlyFile builds the file of organization org for period p from the
// classified incidents; entries of other organizations or periods, and
// incidents without a quarterly obligation, are skipped. Subsumed quarterly
// obligations (disaster subsumption) are left out: they need no report.
func NewQuarterlyFile(org string, p Period, rs *RuleSet, entries []QuarterlyEntry) (QuarterlyFile, error) {
	if rs == nil {
		rs = baseline()
	}
	raw := p.DueRaw(rs.PeriodReportMonths)
	f := QuarterlyFile{
		Form: rs.QuarterlyForm, Organization: org, Period: p.String(), PeriodStart: p.Start(), PeriodEnd: p.End(),
		DueRaw: raw, Due: RollForward(raw), Rows: []QuarterlyRow{}, SimpleCounts: map[string]int{},
	}
	for _, en := range entries {
		if en.Result.Organization != org || en.Incident == nil {
			continue
		}
		t, ok, err := en.Incident.TelecomExtension()
		if err != nil {
			return QuarterlyFile{}, fmt.Errorf("quarterly file: %s: %w", en.Incident.ID, err)
		}
		if !ok || PeriodOf(t.OccurredAt, p.Months) != p {
			continue
		}
		var kind Kind
		for _, ob := range en.Result.Obligations {
			if (ob.Kind == KindQuarterlyReport || ob.Kind == KindQuarterlySimpleReport) && ob.Status != StatusSubsumed {
				kind = ob.Kind
			}
		}
		if kind == "" {
			continue
		}
		if kind == KindQuarterlySimpleReport {
			f.SimpleCounts[t.FailedEquipment]++
			continue
		}
		f.Rows = append(f.Rows, quarterlyRow(en, t))
	}
	sort.Slice(f.Rows, func(i, j int) bool {
		if f.Rows[i].OccurredAt != f.Rows[j].OccurredAt {
			return f.Rows[i].OccurredAt < f.Rows[j].OccurredAt
		}
		return f.Rows[i].IncidentID < f.Rows[j].IncidentID
	})
	return f, nil
}

func quarterlyRow(en QuarterlyEntry, t *stix.Telecom) QuarterlyRow {
	const layout = "2006-01-02 15:04"
	row := QuarterlyRow{
		IncidentID: en.Incident.ID,
		OccurredAt: t.OccurredAt.In(JST).Format(layout),
		Cause:      t.Cause,
		Equipment:  t.FailedEquipment,
		Serious:    en.Result.Classification == Serious,
		Form:       "detailed",
	}
	if t.RecoveredAt != nil {
		row.RecoveredAt = t.RecoveredAt.In(JST).Format(layout)
		row.Duration = t.RecoveredAt.Sub(t.OccurredAt).String()
	}
	switch t.Cause {
	case CauseTelecomEquipment:
		row.Item = "1"
	case CauseNonTelecomFacility:
		row.Item = "2"
	case CauseFacilityInfoLeak:
		row.Item = "3"
	}
	if t.Cyber != nil && t.Cyber.OutboundAttackOnFacility {
		row.CauseCode = "送信型対電気通信設備サイバー攻撃"
	} else if t.Cyber != nil {
		row.CauseCode = "cyber:" + t.Cyber.AttackType
	}
	var classes, impacts []string
	var peak int64
	known := false
	for _, s := range t.Services {
		classes = appendUnique(classes, s.ServiceClass)
		impacts = appendUnique(impacts, s.Impact)
		if s.UsersUnknown {
			continue
		}
		if s.AffectedUsers != nil {
			peak, known = max(peak, *s.AffectedUsers), true
		}
		for _, st := range s.UserProfile {
			peak, known = max(peak, st.Users), true
		}
	}
	row.ServiceClasses = join(classes)
	row.Impact = join(impacts)
	if known {
		row.AffectedUsers = strconv.FormatInt(peak, 10)
	}
	return row
}

func appendUnique(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}

func join(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ";"
		}
		out += s
	}
	return out
}

// quarterlyHeader is the CSV header of the 様式第27 rows.
var quarterlyHeader = []string{"incident_id", "occurred_at", "recovered_at", "duration", "item", "service_classes", "impact", "affected_users", "cause", "cause_code", "equipment", "serious", "form", "count"}

// WriteCSV writes the detailed rows as CSV (UTF-8, header first; "count" is
// 1), followed by one row per equipment with form "simple" whose count is the
// number of simple-form accidents (告示様式 counts occurrences only).
func (f QuarterlyFile) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(quarterlyHeader); err != nil {
		return fmt.Errorf("write quarterly csv: %w", err)
	}
	for _, r := range f.Rows {
		rec := []string{r.IncidentID, r.OccurredAt, r.RecoveredAt, r.Duration, r.Item, r.ServiceClasses, r.Impact, r.AffectedUsers, r.Cause, r.CauseCode, r.Equipment, strconv.FormatBool(r.Serious), r.Form, "1"}
		if err := cw.Write(spreadsheetSafe(rec)); err != nil {
			return fmt.Errorf("write quarterly csv: %w", err)
		}
	}
	eqs := make([]string, 0, len(f.SimpleCounts))
	for e := range f.SimpleCounts {
		eqs = append(eqs, e)
	}
	sort.Strings(eqs)
	for _, e := range eqs {
		rec := make([]string, len(quarterlyHeader))
		rec[4], rec[10], rec[12], rec[13] = "1", e, "simple", strconv.Itoa(f.SimpleCounts[e])
		if err := cw.Write(spreadsheetSafe(rec)); err != nil {
			return fmt.Errorf("write quarterly csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write quarterly csv: %w", err)
	}
	return nil
}
