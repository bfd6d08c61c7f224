package reporting

import (
	"fmt"
	"sort"
	"time"
)

// Service classes of the telecom extension (PROFILE.md §3), resolved as in
// REPORTING.md §2.2.
const (
	ClassEmergencyVoice = "emergency-voice" // 緊急通報を取り扱う音声伝送役務
	ClassVoice          = "voice"           // 緊急通報を取り扱わない音声伝送役務 (incl. free voice)
	ClassFreeInternet   = "free-internet"   // 利用者から料金の支払を受けないインターネット関連サービス
	ClassLPWA           = "lpwa"            // LPWAサービス (users counted in contracts)
	ClassOther          = "other"           // 上記以外の電気通信役務
)

// Leg is one (minimum users, minimum duration) condition of a serious-accident
// row (施行規則58条2項各号): the row holds when the longest continuous interval
// with at least MinUsers affected users lasts at least MinDuration. Both
// comparisons are "以上" (≥).
type Leg struct {
	MinUsers    int64         `json:"min_users"`
	MinDuration time.Duration `json:"min_duration"`
}

// RuleSet is one versioned regime of the Telecommunications Business Act
// reporting rules (REPORTING.md §5, §7). Everything tagged [U] in the
// research lives here as data, not in code.
type RuleSet struct {
	// Name is the stable key: "baseline" or "2025-proposed".
	Name string `json:"name"`
	// Description says what the rule set is and where it comes from.
	Description string `json:"description"`
	// EffectiveFrom is the first day the rules apply; nil when unknown
	// (a proposal not yet in force).
	EffectiveFrom *Date `json:"effective_from"`
	// EffectiveUntil is the last day the rules apply; nil when open-ended.
	EffectiveUntil *Date `json:"effective_until"`

	// Serious maps a service class to its serious-accident legs, combined
	// by OR (Art. 28; 施行規則58条2項各号; REPORTING.md §2.3 rows A–E).
	Serious map[string][]Leg `json:"serious"`
	// ImportantFacilityMin is row F: all traffic over a satellite, submarine
	// cable or equivalent important facility down for at least this long is
	// serious, with no user threshold and even without service impact.
	ImportantFacilityMin time.Duration `json:"important_facility_min"`

	// ProxyBandwidthBps is the 2 Gbps proxy (告示 under 施行規則58条2項1号;
	// REPORTING.md §2.5): when users cannot be counted and the service was
	// stopped, a total stopped bandwidth strictly greater than this deems the
	// users to be at least ProxyDeemedUsers. Zero disables the proxy.
	ProxyBandwidthBps int64 `json:"proxy_bandwidth_bps"`
	// ProxyDeemedUsers is the user count the proxy establishes (30,000 only;
	// it never establishes the 100,000 or 1,000,000 tiers).
	ProxyDeemedUsers int64 `json:"proxy_deemed_users"`

	// QuarterlyMinUsers and QuarterlyMinDuration are the thresholds of
	// quarterly items 1 and 2 (報告規則7条の3第1項1号・2号), judged
	// independently: peak users ≥ QuarterlyMinUsers OR duration ≥
	// QuarterlyMinDuration.
	QuarterlyMinUsers    int64         `json:"quarterly_min_users"`
	QuarterlyMinDuration time.Duration `json:"quarterly_min_duration"`
	// ReportingPeriodMonths is 3 for quarterly reporting (報告規則1条) or 12
	// for the once-a-fiscal-year reporting proposed in 2025 [U].
	ReportingPeriodMonths int `json:"reporting_period_months"`
	// PeriodReportMonths is the number of months after the period within
	// which the report is due ("経過後二月以内": 2).
	PeriodReportMonths int `json:"period_report_months"`

	// SimpleFormEquipment lists the failed_equipment values whose
	// non-serious accidents may use the simple form (7条の3 ただし書;
	// 平成22年総務省告示第136号): base stations, remote terminals, DSLAMs.
	SimpleFormEquipment []string `json:"simple_form_equipment"`
	// BaseStationOutageCounts makes a base-station outage count for
	// quarterly item 1 on the equipment outage duration even when
	// neighbouring cells covered the area and no user saw an impact
	// (seed, REPORTING.md T19) [U].
	BaseStationOutageCounts bool `json:"base_station_outage_counts"`
	// ExemptPremisesEquipment is exemption X1 (7条の3第2項, 軽微な事故):
	// failed equipment at the user's premises whose effect stayed there.
	ExemptPremisesEquipment []string `json:"exempt_premises_equipment"`
	// ExemptAerialEquipment is exemption X2: a failure in an aerial section
	// of the terminal-side line (base stations excluded by construction).
	ExemptAerialEquipment []string `json:"exempt_aerial_equipment"`

	// DetailedReportDays is the period of the serious-accident detailed
	// report (施行規則57条: 発生した日から三十日以内).
	DetailedReportDays int `json:"detailed_report_days"`

	// OsoreMinUsersAtFYEnd is gate R1 of the serious-accident-risk
	// situation (おそれ事態, Art. 28 as amended 2022): users at the end of
	// the previous fiscal year.
	OsoreMinUsersAtFYEnd int64 `json:"osore_min_users_at_fy_end"`
	// OsoreMinPrefectures is gate R2(a): services across at least this many
	// prefectures.
	OsoreMinPrefectures int `json:"osore_min_prefectures"`
	// OsoreSituations are the listed situations of gate R3 (MIC おそれ事態
	// page). Only the two verified items are in the baseline [U].
	OsoreSituations []string `json:"osore_situations"`
	// OsoreReportDays is the period from awareness (覚知した日から30日以内).
	OsoreReportDays int `json:"osore_report_days"`

	// DisasterDamageMinIntensity is D1: the seismic intensity from which
	// operators on the emergency network list (非常時NW) report damage.
	DisasterDamageMinIntensity string `json:"disaster_damage_min_intensity"`
	// LargeDisasterMinIntensity is D2/D4: a large-scale disaster (震度5強).
	LargeDisasterMinIntensity string `json:"large_disaster_min_intensity"`
	// DisasterReportDays is D2's final report under 災害対策基本法53条:
	// 20 days after emergency measures are completed [S].
	DisasterReportDays int `json:"disaster_report_days"`
	// DisasterSubsumption is D4 (product decision 5): a designated public
	// institution that reported a large-scale disaster outage through the
	// emergency network needs no separate accident report.
	DisasterSubsumption bool `json:"disaster_subsumption"`

	// AccumulateIntervals sums separated intervals of one incident into
	// D(N) instead of taking the longest continuous run (REPORTING.md
	// 2.3.1(2)) [U]. Off: D(N) is continuous.
	AccumulateIntervals bool `json:"accumulate_intervals"`
	// PeakOnlyPending applies REPORTING.md 2.3.1(1) literally: without a
	// user_profile, a serious decision that rests on pairing the peak with
	// the whole duration becomes possibly-serious. Off in both shipped rule
	// sets, because product decision 1 overrides it.
	PeakOnlyPending bool `json:"peak_only_pending"`

	// Recipients maps the addressees of the obligations to organization ids
	// of the registry (INTERFACES.md §2); NISC became NCO on 2025-07-01.
	RecipientMIC        string `json:"recipient_mic"`
	RecipientCabinet    string `json:"recipient_cabinet_office"`
	RecipientNISC       string `json:"recipient_nisc"`
	QuarterlyForm       string `json:"quarterly_form"`
	QuarterlySimpleForm string `json:"quarterly_simple_form"`
	SeriousDetailedForm string `json:"serious_detailed_form"`
}

// Rule-set names (INTERFACES.md §1 `--rules`).
const (
	RuleSetBaseline = "baseline"
	RuleSet2025     = "2025-proposed"
)

// DefaultRuleSet is the name of the rule set used when none is chosen.
const DefaultRuleSet = RuleSetBaseline

// baseline returns the regime in force (REPORTING.md §2.3–2.5, "2019-baseline").
func baseline() *RuleSet {
	from := NewDate(2019, time.April, 1) // LPWA row and cyber cause code (2019 ordinance)
	return &RuleSet{
		Name:          RuleSetBaseline,
		Description:   "Regime in force: 施行規則58条2項各号 rows A–F, 報告規則7条の3 quarterly reporting, 2 Gbps proxy, disaster subsumption on",
		EffectiveFrom: &from,
		Serious: map[string][]Leg{
			ClassEmergencyVoice: {{30_000, time.Hour}},                                    // row A
			ClassVoice:          {{30_000, 2 * time.Hour}, {100_000, time.Hour}},          // row B
			ClassFreeInternet:   {{100_000, 24 * time.Hour}, {1_000_000, 12 * time.Hour}}, // row C
			ClassLPWA:           {{30_000, 12 * time.Hour}, {1_000_000, 2 * time.Hour}},   // row D [S+]
			ClassOther:          {{30_000, 2 * time.Hour}, {1_000_000, time.Hour}},        // row E
		},
		ImportantFacilityMin:       2 * time.Hour,
		ProxyBandwidthBps:          2_000_000_000,
		ProxyDeemedUsers:           30_000,
		QuarterlyMinUsers:          30_000,
		QuarterlyMinDuration:       2 * time.Hour,
		ReportingPeriodMonths:      3,
		PeriodReportMonths:         2,
		SimpleFormEquipment:        []string{"base-station", "remote-terminal", "dslam"},
		BaseStationOutageCounts:    true,
		ExemptPremisesEquipment:    []string{"customer-premises"},
		ExemptAerialEquipment:      []string{"aerial-access-line"},
		DetailedReportDays:         30,
		OsoreMinUsersAtFYEnd:       30_000,
		OsoreMinPrefectures:        2,
		OsoreSituations:            []string{"malfunction-not-stoppable", "failover-not-prompt"},
		OsoreReportDays:            30,
		DisasterDamageMinIntensity: "5-",
		LargeDisasterMinIntensity:  "5+",
		DisasterReportDays:         20,
		DisasterSubsumption:        true,
		RecipientMIC:               "mic",
		RecipientCabinet:           "cabinet-office",
		RecipientNISC:              "nisc",
		QuarterlyForm:              "報告規則様式第27",
		QuarterlySimpleForm:        "告示様式（平成22年総務省告示第136号）",
		SeriousDetailedForm:        "施行規則様式第50の3",
	}
}

// proposed2025 returns the baseline with the 2025-09-01 情報通信審議会 答申:
// data services (class "other") become serious at D(100,000) ≥ 1h instead of
// D(1,000,000) ≥ 1h. Not in force; in-force date unknown [U]. The答申's
// tighter legs for free messaging with MAU ≥ 10M (≥2h & 1M, ≥4h & 100k) need
// an MAU fact the telecom extension does not carry, so free-internet keeps
// the baseline legs; quarterly reporting stays quarterly (the 2025 annual
// reporting consultation is a separate, unconfirmed change: set
// ReportingPeriodMonths to 12 to model it).
func proposed2025() *RuleSet {
	rs := baseline()
	rs.Name = RuleSet2025
	rs.Description = "2025-09-01 情報通信審議会 答申 (proposed, not in force): data services serious at D(100000) ≥ 1h"
	rs.EffectiveFrom = nil
	rs.Serious = map[string][]Leg{
		ClassEmergencyVoice: {{30_000, time.Hour}},
		ClassVoice:          {{30_000, 2 * time.Hour}, {100_000, time.Hour}},
		ClassFreeInternet:   {{100_000, 24 * time.Hour}, {1_000_000, 12 * time.Hour}},
		ClassLPWA:           {{30_000, 12 * time.Hour}, {1_000_000, 2 * time.Hour}},
		ClassOther:          {{30_000, 2 * time.Hour}, {100_000, time.Hour}},
	}
	return rs
}

var ruleSets = map[string]func() *RuleSet{
	RuleSetBaseline: baseline,
	RuleSet2025:     proposed2025,
}

// RuleSetByName returns a fresh copy of the named rule set ("baseline" or
// "2025-proposed"); the caller may modify it. An empty name gives the
// default. An unknown name is an error listing the known ones.
func RuleSetByName(name string) (*RuleSet, error) {
	if name == "" {
		name = DefaultRuleSet
	}
	f, ok := ruleSets[name]
	if !ok {
		return nil, fmt.Errorf("rule set %q is unknown; use one of %v", name, RuleSetNames())
	}
	return f(), nil
}

// RuleSetNames returns the names of the shipped rule sets, sorted.
func RuleSetNames() []string {
	names := make([]string, 0, len(ruleSets))
	for n := range ruleSets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Validate checks that the rule set is usable: every service class has legs,
// the periods are positive.
func (rs *RuleSet) Validate() error {
	var problems []string
	for _, c := range []string{ClassEmergencyVoice, ClassVoice, ClassFreeInternet, ClassLPWA, ClassOther} {
		if len(rs.Serious[c]) == 0 {
			problems = append(problems, fmt.Sprintf("serious legs for %q are missing", c))
		}
	}
	if rs.ReportingPeriodMonths != 3 && rs.ReportingPeriodMonths != 12 {
		problems = append(problems, "reporting_period_months must be 3 or 12")
	}
	if rs.DetailedReportDays <= 0 || rs.OsoreReportDays <= 0 || rs.DisasterReportDays <= 0 || rs.PeriodReportMonths <= 0 {
		problems = append(problems, "report periods must be positive")
	}
	if intensityRank(rs.DisasterDamageMinIntensity) < 0 || intensityRank(rs.LargeDisasterMinIntensity) < 0 {
		problems = append(problems, "disaster intensities must be JMA scale values such as \"5-\"")
	}
	if len(problems) > 0 {
		return fmt.Errorf("rule set %q: %v", rs.Name, problems)
	}
	return nil
}

// intensities is the JMA seismic intensity scale (震度) in order.
var intensities = []string{"0", "1", "2", "3", "4", "5-", "5+", "6-", "6+", "7"}

func intensityRank(s string) int {
	for i, v := range intensities {
		if v == s {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
