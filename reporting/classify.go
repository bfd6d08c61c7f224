package reporting

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// ErrInvalidIncident marks a telecom extension whose values the engine
// cannot judge (unknown enumeration values, a recovery before the
// occurrence, negative counts). The message lists every problem.
var ErrInvalidIncident = errors.New("invalid telecom incident")

// Causes of the statutory gate (REPORTING.md §2.1; PROFILE.md §3 `cause`).
const (
	CauseTelecomEquipment     = "telecom-equipment-failure"    // G1: 電気通信設備の故障
	CauseNonTelecomFacility   = "non-telecom-facility-failure" // G2: 電気通信設備以外の設備の故障
	CauseFacilityInfoLeak     = "facility-info-leak"           // G3: 電気通信設備に関する情報の漏えい
	CauseNone                 = "none"                         // not an accident
	equipmentBaseStation      = "base-station"
	impactStop                = "stop"
	impactDegradation         = "degradation"
	impactNone                = "none"
	disasterKindEarthquake    = "earthquake"
	reasonDisasterSubsumption = "reported through the emergency network (非常時NW) by a designated public institution in a large-scale disaster: no separate accident report (REPORTING 2.8 D4, product decision 5)"
)

var (
	validReportKinds = []string{stix.KindServiceOutage, stix.KindCyberAttack, stix.KindInfoLeak, stix.KindNearMiss, stix.KindDisasterDamage}
	validCauses      = []string{CauseTelecomEquipment, CauseNonTelecomFacility, CauseFacilityInfoLeak, CauseNone}
	validEquipment   = []string{"", "core", "base-station", "remote-terminal", "dslam", "customer-premises", "aerial-access-line", "non-telecom-system", "other"}
	validClasses     = []string{ClassEmergencyVoice, ClassVoice, ClassFreeInternet, ClassLPWA, ClassOther}
	validImpacts     = []string{impactStop, impactDegradation, impactNone}
	validRoles       = []string{"self", "wholesaler", "wholesale-receiver"}
	validSituations  = []string{"malfunction-not-stoppable", "failover-not-prompt", "other"}
	// terminalEquipment is terminal equipment or terminal-side transmission
	// line equipment, which gate R2(b) of おそれ事態 excludes.
	terminalEquipment = []string{"base-station", "remote-terminal", "dslam", "customer-premises", "aerial-access-line"}
)

// Classify classifies one version of a telecom incident for the reporting
// organization under the rule set rs (nil: baseline) and returns its
// obligations with their deadlines and the evidence of every decision
// (REPORTING.md §2–§4; INTERFACES.md §4). An ongoing incident (no
// recovered_at) is judged on the time elapsed up to now and marked
// provisional. Obligations get stable IDs and CreatedAt = now; merge them into
// those of earlier versions with Escalate.
//
// Classify returns an error wrapping ErrNotTelecomIncident for objects that
// are not incidents with the telecom extension, and one wrapping
// ErrInvalidIncident for extension values it cannot judge.
func Classify(o *stix.Object, org Organization, rs *RuleSet, now time.Time) (Result, error) {
	if o == nil || o.Type != "incident" {
		return Result{}, fmt.Errorf("classify: %w", ErrNotTelecomIncident)
	}
	t, ok, err := o.TelecomExtension()
	if err != nil {
		return Result{}, fmt.Errorf("classify %s: %w: %w", o.ID, ErrInvalidIncident, err)
	}
	if !ok {
		return Result{}, fmt.Errorf("classify %s: %w", o.ID, ErrNotTelecomIncident)
	}
	return ClassifyTelecom(o.ID, o.Version(), t, org, rs, now)
}

// ClassifyTelecom is Classify on an already decoded telecom extension (with
// the defaults of PROFILE.md §3 applied, as stix.Object.TelecomExtension
// returns it); modified is the version string of the incident.
func ClassifyTelecom(incidentID, modified string, t *stix.Telecom, org Organization, rs *RuleSet, now time.Time) (Result, error) {
	if rs == nil {
		rs = baseline()
	}
	if t == nil {
		return Result{}, fmt.Errorf("classify %s: %w", incidentID, ErrNotTelecomIncident)
	}
	if err := validateTelecom(t); err != nil {
		return Result{}, fmt.Errorf("classify %s: %w", incidentID, err)
	}
	e := newEngine(t, org, rs, now)
	e.run()
	res := Result{
		IncidentID:     incidentID,
		Modified:       modified,
		Organization:   org.ID,
		Classification: e.class,
		Provisional:    t.RecoveredAt == nil,
		Evidence:       e.ev,
		RuleSet:        rs.Name,
		Period:         e.period,
		ReportKind:     t.ReportKind,
		OccurredAt:     t.OccurredAt,
	}
	res.Obligations = e.obligations(incidentID, now)
	return res, nil
}

func validateTelecom(t *stix.Telecom) error {
	var p []string
	bad := func(field, val string, valid []string) {
		if !contains(valid, val) {
			p = append(p, fmt.Sprintf("%s: %q is not one of %s", field, val, strings.Join(valid, ", ")))
		}
	}
	bad("report_kind", t.ReportKind, validReportKinds)
	bad("cause", t.Cause, validCauses)
	bad("failed_equipment", t.FailedEquipment, validEquipment)
	if t.OccurredAt.IsZero() {
		p = append(p, "occurred_at: is required")
	}
	// Deadlines run up to about a year past these times (REPORTING 3) and
	// are written as YYYY-MM-DD: a time whose deadline could pass year 9999
	// would produce a date nobody can read back.
	for _, at := range []struct {
		name string
		t    *time.Time
	}{{"occurred_at", &t.OccurredAt}, {"aware_at", t.AwareAt}, {"recovered_at", t.RecoveredAt}} {
		if at.t != nil && !at.t.IsZero() && at.t.Year() > maxYear {
			p = append(p, fmt.Sprintf("%s: year %d is not a plausible time of an incident (at most %d)", at.name, at.t.Year(), maxYear))
		}
	}
	if t.RecoveredAt != nil && t.RecoveredAt.Before(t.OccurredAt) {
		p = append(p, "recovered_at: is before occurred_at")
	}
	for i, s := range t.Services {
		f := fmt.Sprintf("services[%d].", i)
		bad(f+"service_class", s.ServiceClass, validClasses)
		bad(f+"impact", s.Impact, validImpacts)
		bad(f+"wholesale_role", s.WholesaleRole, validRoles)
		if s.AffectedUsers != nil && *s.AffectedUsers < 0 {
			p = append(p, f+"affected_users: must not be negative")
		}
		if s.StoppedBandwidthBps != nil && *s.StoppedBandwidthBps < 0 {
			p = append(p, f+"stopped_bandwidth_bps: must not be negative")
		}
		for j, st := range s.UserProfile {
			if st.End.Before(st.Start) {
				p = append(p, fmt.Sprintf("%suser_profile[%d]: end is before start", f, j))
			}
			if st.Users < 0 {
				p = append(p, fmt.Sprintf("%suser_profile[%d].users: must not be negative", f, j))
			}
		}
	}
	if f := t.ImportantFacility; f != nil && f.AllTrafficDownSeconds < 0 {
		p = append(p, "important_facility.all_traffic_down_seconds: must not be negative")
	}
	if d := t.Disaster; d != nil && d.SeismicIntensity != "" && intensityRank(d.SeismicIntensity) < 0 {
		p = append(p, fmt.Sprintf("disaster.seismic_intensity: %q is not one of %s", d.SeismicIntensity, strings.Join(intensities[1:], ", ")))
	}
	if o := t.Osore; o != nil {
		bad("osore.situation", o.Situation, validSituations)
	}
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalidIncident, strings.Join(p, "; "))
}

// engine holds the state of one classification.
type engine struct {
	t   *stix.Telecom
	org Organization
	rs  *RuleSet
	end time.Time // recovered_at, or now while ongoing
	// span is the incident duration: occurred_at to recovered_at (or now).
	span   time.Duration
	period Period
	ev     []Evidence

	serious, possible          bool
	q1, q2, q3, exempt, simple bool
	osore, disasterDamage      bool
	cabinet, subsumed, nisc    bool
	class, established         Classification
	cabinetDue                 *time.Time
}

func newEngine(t *stix.Telecom, org Organization, rs *RuleSet, now time.Time) *engine {
	e := &engine{t: t, org: org, rs: rs, end: now}
	if t.RecoveredAt != nil {
		e.end = *t.RecoveredAt
	}
	if e.end.After(t.OccurredAt) {
		e.span = e.end.Sub(t.OccurredAt)
	}
	e.period = PeriodOf(t.OccurredAt, rs.ReportingPeriodMonths)
	return e
}

func (e *engine) add(rule string, svc int, format string, args ...any) {
	var s *int
	if svc >= 0 {
		v := svc
		s = &v
	}
	e.ev = append(e.ev, Evidence{Rule: rule, Service: s, Detail: fmt.Sprintf(format, args...)})
}

func (e *engine) run() {
	t := e.t
	switch t.Cause {
	case CauseTelecomEquipment:
		for i := range t.Services {
			e.judgeService(i)
		}
		e.importantFacility()
		e.baseStationOutage()
	case CauseNonTelecomFacility:
		e.quarterlyItem2()
	case CauseFacilityInfoLeak:
		e.q3 = true
		e.add("quarterly/item3", -1, "leak of information on telecom facilities (cause %s): reportable with no threshold (報告規則7条の3第1項3号)", t.Cause)
	default:
		e.add("gate/not-an-accident", -1, "cause %q (report_kind %s): not a telecom accident under Art. 28 or 報告規則7条の3; a communications-secrecy leak is reported to the 総合通信局 outside this engine's obligation kinds", t.Cause, t.ReportKind)
	}
	e.exemptAndForm()
	e.decideClass()
	e.osoreGate()
	e.disasterRules()
	e.niscSharing()
}

// users describes what is known about the affected users of one service.
type users struct {
	profile []stix.UserStep
	count   int64 // affected_users, when known without a profile
	known   bool  // count is established (profile or affected_users)
	proxy   bool  // users unknown but deemed ≥ ProxyDeemedUsers by the proxy
}

func (e *engine) usersOf(i int) users {
	s := e.t.Services[i]
	switch {
	case len(s.UserProfile) > 0:
		return users{profile: s.UserProfile, known: true}
	case s.AffectedUsers != nil && !s.UsersUnknown:
		return users{count: *s.AffectedUsers, known: true}
	}
	u := users{}
	if e.rs.ProxyBandwidthBps > 0 && s.Impact == impactStop && s.StoppedBandwidthBps != nil {
		bw := *s.StoppedBandwidthBps
		if bw > e.rs.ProxyBandwidthBps {
			u.proxy = true
			e.add("proxy/bandwidth", i, "users unknown; stopped bandwidth %d bps > %d bps: users deemed ≥ %d (告示 under 施行規則58条2項1号)", bw, e.rs.ProxyBandwidthBps, e.rs.ProxyDeemedUsers)
		} else {
			e.add("proxy/bandwidth", i, "users unknown; stopped bandwidth %d bps is not > %d bps: proxy not met, establish the user count", bw, e.rs.ProxyBandwidthBps)
		}
	}
	return u
}

// d returns D(n), the longest continuous interval with at least n affected
// users (REPORTING.md 2.3.1; product decision 1), and whether it is known.
func (e *engine) d(u users, n int64) (time.Duration, bool) {
	switch {
	case u.profile != nil:
		return runLength(u.profile, n, e.end, e.rs.AccumulateIntervals), true
	case u.known:
		if u.count >= n {
			return e.span, true
		}
		return 0, true
	case u.proxy && n <= e.rs.ProxyDeemedUsers:
		return e.span, true
	}
	return 0, false
}

// peak returns the peak affected users and whether it is established.
func (e *engine) peak(u users) (int64, bool) {
	switch {
	case u.profile != nil:
		var m int64
		for _, s := range u.profile {
			if s.Start.Before(e.end) && s.Users > m {
				m = s.Users
			}
		}
		return m, true
	case u.known:
		return u.count, true
	case u.proxy:
		return e.rs.ProxyDeemedUsers, true
	}
	return 0, false
}

// runLength computes D(N) over a piecewise-constant profile: steps with at
// least n users that are adjacent or overlap merge into one run; steps are
// clipped at end (recovery, or now while ongoing). With accumulate, the runs
// are summed instead of taking the longest.
func runLength(steps []stix.UserStep, n int64, end time.Time, accumulate bool) time.Duration {
	type iv struct{ s, e time.Time }
	var ivs []iv
	for _, st := range steps {
		if st.Users < n {
			continue
		}
		s, en := st.Start, st.End
		if en.After(end) {
			en = end
		}
		if !en.After(s) {
			continue
		}
		ivs = append(ivs, iv{s, en})
	}
	if len(ivs) == 0 {
		return 0
	}
	sort.Slice(ivs, func(a, b int) bool { return ivs[a].s.Before(ivs[b].s) })
	var best, total time.Duration
	cur := ivs[0]
	flush := func() {
		l := cur.e.Sub(cur.s)
		total += l
		if l > best {
			best = l
		}
	}
	for _, v := range ivs[1:] {
		if !v.s.After(cur.e) { // adjacent or overlapping
			if v.e.After(cur.e) {
				cur.e = v.e
			}
			continue
		}
		flush()
		cur = v
	}
	flush()
	if accumulate {
		return total
	}
	return best
}

// judgeService applies rows A–E and quarterly item 1 to one service
// (REPORTING.md §2.2–2.4): each service is judged separately, on the users
// of the reporting organization (a wholesale receiver on its own
// subscribers, a wholesaler on all end users, 2.3.1(4)).
func (e *engine) judgeService(i int) {
	s := e.t.Services[i]
	if s.Impact == impactNone {
		e.add("gate/G1", i, "impact none: no stop or degradation of the service")
		return
	}
	if s.AdditionalFeatureOnly {
		e.add("gate/G1", i, "only an additional feature (付加的な機能) was affected: excluded (報告規則7条の3; 58条 assumed alike)")
		return
	}
	if s.WholesaleRole != "self" {
		e.add("wholesale", i, "%s judged on its own affected users (REPORTING 2.3.1(4))", s.WholesaleRole)
	}
	u := e.usersOf(i)
	rule := "serious/" + s.ServiceClass
	var met, possible bool
	legs := e.rs.Serious[s.ServiceClass]
	var notes []string
	for _, leg := range legs {
		d, known := e.d(u, leg.MinUsers)
		switch {
		case !known && e.span >= leg.MinDuration:
			possible = true
			notes = append(notes, fmt.Sprintf("D(%d) unknown (users not established) while the duration %s ≥ %s", leg.MinUsers, e.span, fmtLimit(leg.MinDuration)))
		case !known:
			notes = append(notes, fmt.Sprintf("D(%d) unknown, but the duration %s < %s", leg.MinUsers, e.span, fmtLimit(leg.MinDuration)))
		case d >= leg.MinDuration:
			if e.rs.PeakOnlyPending && u.profile == nil && u.known {
				possible = true
				notes = append(notes, fmt.Sprintf("D(%d) = %s ≥ %s only by pairing the peak with the whole duration: pending a user_profile (REPORTING 2.3.1(1))", leg.MinUsers, d, fmtLimit(leg.MinDuration)))
				continue
			}
			met = true
			e.add(rule, i, "D(%d) = %s ≥ %s", leg.MinUsers, d, fmtLimit(leg.MinDuration))
		default:
			notes = append(notes, fmt.Sprintf("D(%d) = %s < %s", leg.MinUsers, d, fmtLimit(leg.MinDuration)))
		}
	}
	if met {
		e.serious = true
	} else {
		r := rule
		if possible {
			r = "possibly-serious/" + s.ServiceClass
			e.possible = true
		}
		for _, n := range notes {
			e.add(r, i, "%s", n)
		}
	}
	// Quarterly item 1: peak and duration judged independently.
	if p, ok := e.peak(u); ok && p >= e.rs.QuarterlyMinUsers {
		e.q1 = true
		e.add("quarterly/item1", i, "peak users %d ≥ %d", p, e.rs.QuarterlyMinUsers)
	} else if e.span >= e.rs.QuarterlyMinDuration {
		e.q1 = true
		e.add("quarterly/item1", i, "duration %s ≥ %s", e.span, fmtLimit(e.rs.QuarterlyMinDuration))
	} else if ok {
		e.add("quarterly/item1", i, "peak users %d < %d and duration %s < %s", p, e.rs.QuarterlyMinUsers, e.span, fmtLimit(e.rs.QuarterlyMinDuration))
	} else {
		e.add("quarterly/item1", i, "users unknown and duration %s < %s", e.span, fmtLimit(e.rs.QuarterlyMinDuration))
	}
}

// importantFacility is row F: no user threshold, no impact needed.
func (e *engine) importantFacility() {
	f := e.t.ImportantFacility
	if f == nil {
		return
	}
	d := time.Duration(f.AllTrafficDownSeconds) * time.Second
	if d >= e.rs.ImportantFacilityMin {
		e.serious = true
		e.add("serious/important-facility", -1, "all traffic on the %s down %s ≥ %s", f.Kind, d, fmtLimit(e.rs.ImportantFacilityMin))
		return
	}
	e.add("serious/important-facility", -1, "all traffic on the %s down %s < %s", f.Kind, d, fmtLimit(e.rs.ImportantFacilityMin))
}

// baseStationOutage counts a base-station outage for quarterly item 1 on the
// equipment outage even without user impact (T19) [U].
func (e *engine) baseStationOutage() {
	if e.q1 || !e.rs.BaseStationOutageCounts || e.t.FailedEquipment != equipmentBaseStation {
		return
	}
	if e.span >= e.rs.QuarterlyMinDuration {
		e.q1 = true
		e.add("quarterly/item1", -1, "base-station outage %s ≥ %s, counted even where neighbouring cells covered the area (seed; [U])", e.span, fmtLimit(e.rs.QuarterlyMinDuration))
	}
}

// quarterlyItem2 is a non-telecom facility failure that hindered service
// provision: ≥ 30,000 affected (applicants included) or ≥ 2h. Never serious.
func (e *engine) quarterlyItem2() {
	var hindered bool
	var peak int64
	for i := range e.t.Services {
		s := e.t.Services[i]
		if s.Impact == impactNone {
			continue
		}
		hindered = true
		if s.UsersUnknown {
			continue
		}
		if s.AffectedUsers != nil && *s.AffectedUsers > peak {
			peak = *s.AffectedUsers
		}
		for _, st := range s.UserProfile {
			if st.Users > peak {
				peak = st.Users
			}
		}
	}
	switch {
	case !hindered:
		e.add("quarterly/item2", -1, "non-telecom facility failure without hindrance to any service")
	case peak >= e.rs.QuarterlyMinUsers:
		e.q2 = true
		e.add("quarterly/item2", -1, "non-telecom facility failure: affected %d ≥ %d (applicants included); never serious", peak, e.rs.QuarterlyMinUsers)
	case e.span >= e.rs.QuarterlyMinDuration:
		e.q2 = true
		e.add("quarterly/item2", -1, "non-telecom facility failure: duration %s ≥ %s; never serious", e.span, fmtLimit(e.rs.QuarterlyMinDuration))
	default:
		e.add("quarterly/item2", -1, "non-telecom facility failure: affected %d < %d and duration %s < %s", peak, e.rs.QuarterlyMinUsers, e.span, fmtLimit(e.rs.QuarterlyMinDuration))
	}
}

// exemptAndForm applies the minor-accident exemptions X1/X2 and the
// simple-form selection to quarterly item 1 (報告規則7条の3第2項 and ただし書).
func (e *engine) exemptAndForm() {
	if !e.q1 || e.serious {
		return
	}
	eq := e.t.FailedEquipment
	switch {
	case contains(e.rs.ExemptPremisesEquipment, eq) && e.t.SamePremisesOnly:
		e.exempt = true
		e.add("exempt/X1", -1, "%s failure whose effect stayed within the same premises: minor accident (軽微な事故)", eq)
	case contains(e.rs.ExemptPremisesEquipment, eq):
		e.add("exempt/X1", -1, "%s failure with effect beyond the premises: not exempt", eq)
	case contains(e.rs.ExemptAerialEquipment, eq):
		e.exempt = true
		e.add("exempt/X2", -1, "failure in an aerial section of the terminal-side line (%s): minor accident (軽微な事故)", eq)
	case contains(e.rs.SimpleFormEquipment, eq):
		e.simple = true
		e.add("quarterly/simple-form", -1, "%s failure, not serious: the simple form may be used (平成22年総務省告示第136号)", eq)
	}
}

func (e *engine) decideClass() {
	switch {
	case e.q2 || e.q3:
		e.established = Quarterly
	case e.q1 && e.exempt:
		e.established = Exempt
	case e.q1 && e.simple:
		e.established = QuarterlySimple
	case e.q1:
		e.established = Quarterly
	default:
		e.established = NotReportable
	}
	switch {
	case e.serious:
		e.class = Serious
	case e.possible:
		e.class = PossiblySerious
	default:
		e.class = e.established
	}
}

// osoreGate is the serious-accident-risk situation (REPORTING.md §2.6): R1
// AND R2 AND R3.
func (e *engine) osoreGate() {
	o := e.t.Osore
	if o == nil {
		return
	}
	ok := true
	switch u := e.org.UsersAtFYEnd; {
	case u == nil:
		ok = false
		e.add("osore/R1", -1, "users at the previous fiscal-year end unknown (registry): gate not established")
	case *u >= e.rs.OsoreMinUsersAtFYEnd:
		e.add("osore/R1", -1, "users at the previous fiscal-year end %d ≥ %d", *u, e.rs.OsoreMinUsersAtFYEnd)
	default:
		ok = false
		e.add("osore/R1", -1, "users at the previous fiscal-year end %d < %d", *u, e.rs.OsoreMinUsersAtFYEnd)
	}
	if o.CoreNetwork && o.Prefectures >= e.rs.OsoreMinPrefectures && !contains(terminalEquipment, e.t.FailedEquipment) {
		e.add("osore/R2", -1, "core-network equipment serving %d ≥ %d prefectures", o.Prefectures, e.rs.OsoreMinPrefectures)
	} else {
		ok = false
		e.add("osore/R2", -1, "not core-network equipment across ≥ %d prefectures (core_network %t, prefectures %d, failed_equipment %q)", e.rs.OsoreMinPrefectures, o.CoreNetwork, o.Prefectures, e.t.FailedEquipment)
	}
	if contains(e.rs.OsoreSituations, o.Situation) {
		e.add("osore/R3", -1, "listed situation %q", o.Situation)
	} else {
		ok = false
		e.add("osore/R3", -1, "situation %q is not in the rule set's list %v: review by a person", o.Situation, e.rs.OsoreSituations)
	}
	if !ok {
		return
	}
	if e.serious {
		e.add("osore/reported-as-serious", -1, "the situation is also a serious accident and is reported as one; these facts are kept as evidence (product decision 6)")
		return
	}
	e.osore = true
}

// disasterRules applies D1, D2, D4 and D5 (REPORTING.md §2.8).
func (e *engine) disasterRules() {
	d := e.t.Disaster
	if d == nil {
		return
	}
	rank := intensityRank(d.SeismicIntensity)
	onList := e.org.DesignatedPublicInstitution || d.EmergencyNetworkReported
	// Without a seismic intensity (typhoon, heavy rain …) the per-bureau
	// criteria cannot be judged from the facts; an operator that did report
	// through the emergency network is taken to have met them [U].
	noScale := rank < 0 && d.Kind != disasterKindEarthquake && d.EmergencyNetworkReported
	damage := rank >= intensityRank(e.rs.DisasterDamageMinIntensity) || noScale
	large := rank >= intensityRank(e.rs.LargeDisasterMinIntensity) || noScale
	if onList && damage {
		e.disasterDamage = true
		e.add("disaster/D1", -1, "seismic intensity %q, operator on the emergency network list: damage-status reports (逐次)", d.SeismicIntensity)
	}
	if e.org.DesignatedPublicInstitution && large {
		e.cabinet = true
		e.cabinetDue = d.EmergencyMeasuresCompletedAt
		e.add("disaster/D2", -1, "designated public institution in a large-scale disaster (seismic intensity %q): report under 災害対策基本法53条", d.SeismicIntensity)
	}
	accident := e.class == Serious || e.class == PossiblySerious || e.established == Quarterly || e.established == QuarterlySimple
	if !accident {
		return
	}
	if e.rs.DisasterSubsumption && e.org.DesignatedPublicInstitution && d.EmergencyNetworkReported && large {
		e.subsumed = true
		e.add("disaster/D4", -1, "accident reports satisfied by the emergency-network report (disaster subsumption on)")
		return
	}
	e.add("disaster/D5", -1, "disaster-caused accident reported normally (not a designated public institution reporting through 非常時NW in a large-scale disaster)")
}

// niscSharing: cyber-related events (cyber facts, a cyber-attack report, a
// facility information leak) are shared with NISC/NCO under the
// critical-infrastructure action plan when the operator is a designated
// public institution (the stand-in for the plan's major operators) or the
// event is (possibly) a serious accident, which must be reported under law
// (REPORTING.md §2.9) [U].
func (e *engine) niscSharing() {
	t := e.t
	cyber := t.Cyber != nil || t.ReportKind == stix.KindCyberAttack || t.Cause == CauseFacilityInfoLeak
	if !cyber {
		return
	}
	if e.org.DesignatedPublicInstitution || e.class == Serious || e.class == PossiblySerious {
		e.nisc = true
		what := "cyber-related event"
		if t.Cyber != nil && t.Cyber.OutboundAttackOnFacility {
			what = "送信型対電気通信設備サイバー攻撃"
		}
		e.add("nisc/sharing", -1, "%s (%s) at a %s: information sharing with NISC/NCO (適時)", what, t.ReportKind, map[bool]string{true: "designated public institution", false: "carrier with a (possibly) serious accident"}[e.org.DesignatedPublicInstitution])
	}
}

// obligations turns the decisions into obligations with deadlines.
func (e *engine) obligations(incidentID string, now time.Time) []Obligation {
	rs := e.rs
	var out []Obligation
	mk := func(k Kind, recipient string, form string, urg Urgency, raw *Date) Obligation {
		o := Obligation{
			ID: ObligationID(incidentID, e.org.ID, k), IncidentID: incidentID, Organization: e.org.ID,
			Kind: k, Recipient: recipient, Urgency: urg, Status: StatusOpen, CreatedAt: now.UTC(), UpdatedAt: now.UTC(),
		}
		if form != "" {
			f := form
			o.Form = &f
		}
		if raw != nil {
			r := *raw
			due := RollForward(r)
			o.DueRaw, o.Due = &r, &due
		}
		return o
	}
	periodDue := e.period.DueRaw(rs.PeriodReportMonths)
	accident := func(o Obligation) Obligation {
		if e.subsumed {
			o.Status, o.SubsumedBy, o.Reason = StatusSubsumed, KindDisasterDamageReport, reasonDisasterSubsumption
		}
		return o
	}
	if e.serious || e.possible {
		out = append(out, accident(mk(KindSeriousFirstReport, rs.RecipientMIC, "", UrgencyWithoutDelay, nil)))
	}
	if e.serious {
		raw := DaysFrom(e.t.OccurredAt, rs.DetailedReportDays)
		out = append(out, accident(mk(KindSeriousDetailedReport, rs.RecipientMIC, rs.SeriousDetailedForm, "", &raw)))
	}
	switch {
	case e.serious && (e.q1 || e.q2 || e.q3):
		out = append(out, accident(mk(KindQuarterlyReport, rs.RecipientMIC, rs.QuarterlyForm, "", &periodDue)))
	case e.serious:
	case e.established == Quarterly:
		out = append(out, accident(mk(KindQuarterlyReport, rs.RecipientMIC, rs.QuarterlyForm, "", &periodDue)))
	case e.established == QuarterlySimple:
		out = append(out, accident(mk(KindQuarterlySimpleReport, rs.RecipientMIC, rs.QuarterlySimpleForm, "", &periodDue)))
	}
	if e.osore {
		aware := e.t.OccurredAt
		if e.t.AwareAt != nil {
			aware = *e.t.AwareAt
		}
		raw := DaysFrom(aware, rs.OsoreReportDays)
		out = append(out, mk(KindOsoreReport, rs.RecipientMIC, "", "", &raw))
	}
	if e.disasterDamage {
		out = append(out, mk(KindDisasterDamageReport, rs.RecipientMIC, "", UrgencySuccessive, nil))
	}
	if e.cabinet {
		if e.cabinetDue != nil {
			raw := DaysFrom(*e.cabinetDue, rs.DisasterReportDays)
			out = append(out, mk(KindCabinetDisasterReport, rs.RecipientCabinet, "", "", &raw))
		} else {
			out = append(out, mk(KindCabinetDisasterReport, rs.RecipientCabinet, "", UrgencySuccessive, nil))
		}
	}
	if e.nisc {
		out = append(out, mk(KindNISCSharing, rs.RecipientNISC, "", UrgencyTimely, nil))
	}
	if out == nil {
		out = []Obligation{}
	}
	return out
}

// fmtLimit formats a threshold duration the way the ordinance states it:
// whole hours as "1h", "24h"; anything else as time.Duration does.
func fmtLimit(d time.Duration) string {
	if d > 0 && d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return d.String()
}

func itoa(i int) string { return strconv.Itoa(i) }
