package console

import (
	"fmt"
	"io"
	"mime/multipart"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// The report form's blocks: at least this many service blocks and profile
// rows per service are shown, and always one blank more than filled in, so
// that a second service and further steps can be added without script
// ("check" re-renders the form with one more empty row).
const (
	minServices = 2
	minSteps    = 3
	// maxServices and maxSteps bound what a form may post.
	maxServices = 20
	maxSteps    = 48
	// maxDesignBytes bounds one uploaded design (artifact payload limit).
	maxDesignBytes = 16 << 20
)

// formValues is a posted report form: the field values by name, and the
// organizations ticked in share_with.
type formValues struct {
	v         map[string]string
	shareWith []string
}

func (f formValues) get(name string) string { return strings.TrimSpace(f.v[name]) }

// fieldMsg is a message id (with data) shown next to a field, or the
// hub's own sentence (Text) for a STIX violation or warning.
type fieldMsg struct {
	ID   string
	Data map[string]any
	Text string
}

// parseReport reads the form. Unreadable inputs become field errors; the
// draft holds what could be read.
func parseReport(f formValues) (sharing.Draft, map[string][]fieldMsg) {
	errs := map[string][]fieldMsg{}
	bad := func(field, id string) { errs[field] = append(errs[field], fieldMsg{ID: id}) }
	when := func(field string) time.Time {
		s := f.get(field)
		if s == "" {
			return time.Time{}
		}
		t, err := parseLocal(s)
		if err != nil {
			bad(field, "report.err.datetime")
		}
		return t
	}
	count := func(field string) *int64 {
		s := strings.NewReplacer(",", "", "_", "", " ", "", "，", "").Replace(f.get(field))
		if s == "" {
			return nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			bad(field, "report.err.count")
			return nil
		}
		return &n
	}
	d := sharing.Draft{
		IncidentID:       f.get("incident_id"),
		Name:             f.get("name"),
		Description:      f.get("description"),
		ReportKind:       f.get("report_kind"),
		Cause:            f.get("cause"),
		OccurredAt:       when("occurred_at"),
		AwareAt:          when("aware_at"),
		RecoveredAt:      when("recovered_at"),
		FailedEquipment:  f.get("failed_equipment"),
		SamePremisesOnly: f.get("same_premises_only") != "",
	}
	if d.IncidentID != "" && !stix.ValidID(d.IncidentID, "incident") {
		bad("name", "report.err.incident-id")
		d.IncidentID = ""
	}
	if s := f.get("created"); s != "" {
		if t, err := stix.ParseTimestamp(s); err == nil {
			d.Created = t
		}
	}
	for i := 0; i < maxServices; i++ {
		p := fmt.Sprintf("services.%d.", i)
		s := sharing.DraftService{
			ServiceClass:          f.get(p + "service_class"),
			Impact:                f.get(p + "impact"),
			AffectedUsers:         count(p + "affected_users"),
			UsersUnknown:          f.get(p+"users_unknown") != "",
			AdditionalFeatureOnly: f.get(p+"additional_feature_only") != "",
			StoppedBandwidthBps:   count(p + "stopped_bandwidth_bps"),
		}
		for j := 0; j < maxSteps; j++ {
			q := fmt.Sprintf("%sprofile.%d.", p, j)
			s.Profile = append(s.Profile, sharing.DraftStep{Start: when(q + "start"), End: when(q + "end"), Users: count(q + "users")})
		}
		d.Services = append(d.Services, s)
	}
	if k := f.get("disaster.kind"); k != "" {
		d.Disaster = &stix.Disaster{Kind: k, Name: f.get("disaster.name"), SeismicIntensity: f.get("disaster.seismic_intensity"),
			EmergencyNetworkReported: f.get("disaster.emergency_network_reported") != ""}
		if t := when("disaster.emergency_measures_completed_at"); !t.IsZero() {
			d.Disaster.EmergencyMeasuresCompletedAt = &t
		}
	}
	if k := f.get("cyber.attack_type"); k != "" {
		d.Cyber = &stix.Cyber{AttackType: k, OutboundAttackOnFacility: f.get("cyber.outbound_attack_on_facility") != ""}
	}
	if k := f.get("osore.situation"); k != "" {
		d.Osore = &stix.Osore{Situation: k, CoreNetwork: f.get("osore.core_network") != ""}
		if n := count("osore.prefectures"); n != nil {
			d.Osore.Prefectures = int(*n)
		}
	}
	if s := f.get("tlp"); s != "" {
		t, err := stix.ParseTLP(s)
		if err != nil {
			bad("tlp", "report.err.tlp")
		}
		d.TLP = t
	}
	return d, errs
}

// parseLocal reads a datetime-local value in Japan time and returns it in UTC.
func parseLocal(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, tokyo); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time", s)
}

// readDesigns reads the uploaded design files of a multipart form.
func readDesigns(form *multipart.Form) ([]sharing.DraftDesign, map[string][]fieldMsg) {
	errs := map[string][]fieldMsg{}
	if form == nil {
		return nil, errs
	}
	var out []sharing.DraftDesign
	for _, fh := range form.File["designs"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		if fh.Size > maxDesignBytes {
			errs["designs"] = append(errs["designs"], fieldMsg{ID: "report.err.design-size", Data: map[string]any{"Name": fh.Filename}})
			continue
		}
		f, err := fh.Open()
		if err != nil {
			errs["designs"] = append(errs["designs"], fieldMsg{ID: "report.err.design-read", Data: map[string]any{"Name": fh.Filename}})
			continue
		}
		data, err := io.ReadAll(io.LimitReader(f, maxDesignBytes+1))
		f.Close()
		if err != nil || len(data) == 0 {
			errs["designs"] = append(errs["designs"], fieldMsg{ID: "report.err.design-read", Data: map[string]any{"Name": fh.Filename}})
			continue
		}
		mt := fh.Header.Get("Content-Type")
		if mt == "" {
			mt = "application/octet-stream"
		}
		out = append(out, sharing.DraftDesign{Name: fh.Filename, MIMEType: mt, Data: data})
	}
	return out, errs
}

// valuesOf writes an incident of the caller's back as form values: the
// follow-up report (第2報 …) starts from the previous version.
func valuesOf(o *stix.Object) (map[string]string, error) {
	v := map[string]string{"incident_id": o.ID}
	if s, ok := o.Props["created"].(string); ok {
		v["created"] = s
	}
	v["name"], _ = o.Props["name"].(string)
	v["description"], _ = o.Props["description"].(string)
	if t, ok := o.TLP(); ok {
		v["tlp"] = t.String()
	}
	t, ok, err := o.TelecomExtension()
	if err != nil || !ok {
		return v, err
	}
	local := func(t time.Time) string { return t.In(tokyo).Format("2006-01-02T15:04") }
	v["report_kind"] = t.ReportKind
	if ext, _ := o.Props["extensions"].(map[string]any)[stix.TelecomExtensionID].(map[string]any); ext != nil {
		v["cause"], _ = ext["cause"].(string) // as written: an omitted cause stays the default
	}
	v["occurred_at"] = local(t.OccurredAt)
	if t.AwareAt != nil && !t.AwareAt.Equal(t.OccurredAt) {
		v["aware_at"] = local(*t.AwareAt)
	}
	if t.RecoveredAt != nil {
		v["recovered_at"] = local(*t.RecoveredAt)
	}
	v["failed_equipment"] = t.FailedEquipment
	if t.SamePremisesOnly {
		v["same_premises_only"] = "on"
	}
	num := func(n *int64) string {
		if n == nil {
			return ""
		}
		return strconv.FormatInt(*n, 10)
	}
	for i, s := range t.Services {
		p := fmt.Sprintf("services.%d.", i)
		v[p+"service_class"], v[p+"impact"] = s.ServiceClass, s.Impact
		v[p+"affected_users"] = num(s.AffectedUsers)
		v[p+"stopped_bandwidth_bps"] = num(s.StoppedBandwidthBps)
		if s.UsersUnknown {
			v[p+"users_unknown"] = "on"
		}
		if s.AdditionalFeatureOnly {
			v[p+"additional_feature_only"] = "on"
		}
		for j, st := range s.UserProfile {
			q := fmt.Sprintf("%sprofile.%d.", p, j)
			v[q+"start"], v[q+"end"], v[q+"users"] = local(st.Start), local(st.End), strconv.FormatInt(st.Users, 10)
		}
	}
	if d := t.Disaster; d != nil {
		v["disaster.kind"], v["disaster.name"], v["disaster.seismic_intensity"] = d.Kind, d.Name, d.SeismicIntensity
		if d.EmergencyNetworkReported {
			v["disaster.emergency_network_reported"] = "on"
		}
		if d.EmergencyMeasuresCompletedAt != nil {
			v["disaster.emergency_measures_completed_at"] = local(*d.EmergencyMeasuresCompletedAt)
		}
	}
	if c := t.Cyber; c != nil {
		v["cyber.attack_type"] = c.AttackType
		if c.OutboundAttackOnFacility {
			v["cyber.outbound_attack_on_facility"] = "on"
		}
	}
	if s := t.Osore; s != nil {
		v["osore.situation"] = s.Situation
		if s.CoreNetwork {
			v["osore.core_network"] = "on"
		}
		if s.Prefectures > 0 {
			v["osore.prefectures"] = strconv.Itoa(s.Prefectures)
		}
	}
	return v, nil
}

// blockCounts is how many service blocks, and profile rows per block, the
// form shows for these values: the minimum, or one more than filled in.
func blockCounts(v map[string]string) (int, []int) {
	filled := func(prefix string) bool {
		for k, x := range v {
			if strings.HasPrefix(k, prefix) && strings.TrimSpace(x) != "" {
				return true
			}
		}
		return false
	}
	services := minServices
	for i := 0; i < maxServices; i++ {
		if filled(fmt.Sprintf("services.%d.", i)) {
			services = max(services, min(i+2, maxServices))
		}
	}
	steps := make([]int, services)
	for i := range steps {
		steps[i] = minSteps
		for j := 0; j < maxSteps; j++ {
			if filled(fmt.Sprintf("services.%d.profile.%d.", i, j)) {
				steps[i] = max(steps[i], min(j+2, maxSteps))
			}
		}
	}
	return services, steps
}

// regulatorFields are the fields a follow-up's changes are listed by, in
// the form's order.
var regulatorFields = []string{"name", "description", "report_kind", "cause", "occurred_at", "aware_at", "recovered_at",
	"failed_equipment", "same_premises_only", "disaster.kind", "disaster.name", "disaster.seismic_intensity",
	"disaster.emergency_network_reported", "disaster.emergency_measures_completed_at", "cyber.attack_type",
	"cyber.outbound_attack_on_facility", "osore.situation", "osore.core_network", "osore.prefectures", "tlp"}

// change is one field that differs between two versions.
type change struct {
	Field       string
	Label       string // message id of the field's label
	Before, Now string
}

// diffVersions lists the fields of the regulator's form that differ between
// the previous and this version of an incident.
func diffVersions(prev, cur map[string]string) []change {
	var out []change
	add := func(field, label string) {
		if prev[field] != cur[field] {
			out = append(out, change{Field: field, Label: label, Before: prev[field], Now: cur[field]})
		}
	}
	for _, f := range regulatorFields {
		add(f, labelOf(f))
	}
	n := 0
	for k := range cur {
		if strings.HasPrefix(k, "services.") {
			i, _ := strconv.Atoi(strings.Split(k, ".")[1])
			n = max(n, i+1)
		}
	}
	for k := range prev {
		if strings.HasPrefix(k, "services.") {
			i, _ := strconv.Atoi(strings.Split(k, ".")[1])
			n = max(n, i+1)
		}
	}
	for i := 0; i < n; i++ {
		for _, p := range []string{"service_class", "impact", "affected_users", "users_unknown", "additional_feature_only", "stopped_bandwidth_bps"} {
			add(fmt.Sprintf("services.%d.%s", i, p), "report.f.services."+p)
		}
		keys := map[string]bool{}
		for k := range cur {
			if strings.HasPrefix(k, fmt.Sprintf("services.%d.profile.", i)) {
				keys[k] = true
			}
		}
		for k := range prev {
			if strings.HasPrefix(k, fmt.Sprintf("services.%d.profile.", i)) {
				keys[k] = true
			}
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		slices.SortFunc(sorted, compareFieldNames)
		for _, k := range sorted {
			parts := strings.Split(k, ".")
			add(k, "report.f.profile."+parts[len(parts)-1])
		}
	}
	return out
}

// compareFieldNames orders names with numeric parts by number.
func compareFieldNames(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil && na != nb:
			return na - nb
		case pa[i] != pb[i]:
			return strings.Compare(pa[i], pb[i])
		}
	}
	return len(pa) - len(pb)
}

// labelOf is the message id of a field's label.
func labelOf(field string) string {
	parts := strings.Split(field, ".")
	switch {
	case len(parts) >= 5 && parts[0] == "services" && parts[2] == "profile":
		return "report.f.profile." + parts[4]
	case len(parts) == 3 && parts[0] == "services":
		return "report.f.services." + parts[2]
	}
	return "report.f." + field
}
