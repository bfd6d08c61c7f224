package reporting

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// DetailedItem is one line of the detailed report (様式第50の3) in form
// order: its JSON name, the form's Japanese label and the value as text.
type DetailedItem struct {
	Name   string
	Label  string // the form's item, in Japanese as the ordinance writes it
	Value  string // "" when the hub does not know it (see Missing)
	Source string
}

// Items lists the report's items in the order of the form, services
// expanded one line per field, so that the CSV and a printed page show the
// same lines. Values that are objects (the important facility, the cyber
// attack) are their JSON.
func (r DetailedReport) Items() []DetailedItem {
	var out []DetailedItem
	add := func(name, label string, it Item) {
		out = append(out, DetailedItem{Name: name, Label: label, Value: itemText(it.Value), Source: it.Source})
	}
	plain := func(name, label, value, source string) {
		out = append(out, DetailedItem{Name: name, Label: label, Value: value, Source: source})
	}
	plain("form", "様式", r.Form, "")
	plain("incident_id", "インシデントID", r.IncidentID, "incident.id")
	plain("modified", "版", r.Modified, "incident.modified")
	plain("classification", "分類", r.Classification, "classification")
	plain("provisional", "暫定", strconv.FormatBool(r.Provisional), "classification")
	due := ""
	if r.Due != nil {
		due = r.Due.String()
	}
	plain("due", "提出期限", due, "obligation "+string(KindSeriousDetailedReport))
	add("operator", "報告事業者", r.Operator)
	add("title", "事故の件名", r.Title)
	add("occurred_at", "発生日時", r.OccurredAt)
	add("aware_at", "覚知日時", r.AwareAt)
	add("recovered_at", "復旧日時", r.RecoveredAt)
	add("duration", "継続時間", r.Duration)
	for _, s := range r.Services {
		p := fmt.Sprintf("services[%d].", s.Index)
		users := ""
		if s.AffectedUsers != nil {
			users = strconv.FormatInt(*s.AffectedUsers, 10)
		}
		plain(p+"service_class", "役務の区分", s.ServiceClass, "extension.services")
		plain(p+"impact", "影響（停止／品質の低下）", s.Impact, "extension.services")
		plain(p+"affected_users", "影響利用者数", users, "extension.services ("+s.UsersBasis+")")
		plain(p+"wholesale_role", "卸役務の別", s.WholesaleRole, "extension.services")
	}
	add("area", "影響地域", r.Area)
	add("facilities", "事故の発生した電気通信設備", r.Facilities)
	add("important_facility", "重要な電気通信設備（衛星・海底ケーブル等）", r.ImportantFac)
	add("cause", "発生原因", r.Cause)
	add("cyber_attack", "サイバー攻撃の態様", r.CyberAttack)
	add("overview", "事故の概要", r.Overview)
	add("measures", "措置模様", r.Measures)
	add("prevention", "再発防止策", r.Prevention)
	add("user_notice", "利用者への周知", r.UserNotice)
	for i, e := range r.Evidence {
		plain(fmt.Sprintf("evidence[%d]", i), "該当の根拠", e.Rule+": "+e.Detail, "classification")
	}
	for i, m := range r.Missing {
		plain(fmt.Sprintf("missing[%d]", i), "未記入の項目", m, "")
	}
	return out
}

func itemText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// detailedHeader is the CSV header of the 様式第50の3 items.
var detailedHeader = []string{"item", "label", "value", "source"}

// WriteCSV writes the report as CSV (UTF-8, header first), one line per
// item of Items.
func (r DetailedReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(detailedHeader); err != nil {
		return fmt.Errorf("write detailed csv: %w", err)
	}
	for _, it := range r.Items() {
		if err := cw.Write([]string{it.Name, it.Label, it.Value, it.Source}); err != nil {
			return fmt.Errorf("write detailed csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write detailed csv: %w", err)
	}
	return nil
}
