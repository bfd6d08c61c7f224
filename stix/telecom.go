package stix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// TelecomExtensionID is the id of the Kakehashi telecom incident
// property-extension (PROFILE.md §3). Consumers key on it: never change it.
const TelecomExtensionID = "extension-definition--5f2b0473-bd73-4291-aaed-c406b2665a04"

// Report kinds of the telecom extension (PROFILE.md §3).
const (
	KindServiceOutage  = "service-outage"
	KindCyberAttack    = "cyber-attack"
	KindInfoLeak       = "info-leak"
	KindNearMiss       = "near-miss" // 予兆・ヒヤリハット
	KindDisasterDamage = "disaster-damage"
	KindOutageSignal   = "outage-signal" // an early signal (INTERFACES §9); not classified
)

// Telecom is the content of the telecom incident extension on an incident
// (PROFILE.md §3). Times are parsed; optional values are pointers or zero.
type Telecom struct {
	ReportKind          string             `json:"report_kind"`
	Cause               string             `json:"cause,omitempty"`
	OccurredAt          time.Time          `json:"occurred_at"`
	AwareAt             *time.Time         `json:"aware_at,omitempty"`
	RecoveredAt         *time.Time         `json:"recovered_at,omitempty"`
	FailedEquipment     string             `json:"failed_equipment,omitempty"`
	SamePremisesOnly    bool               `json:"same_premises_only,omitempty"`
	Services            []Service          `json:"services,omitempty"`
	ImportantFacility   *ImportantFacility `json:"important_facility,omitempty"`
	Disaster            *Disaster          `json:"disaster,omitempty"`
	Cyber               *Cyber             `json:"cyber,omitempty"`
	Osore               *Osore             `json:"osore,omitempty"`
	SensitiveDesignRefs []string           `json:"sensitive_design_refs,omitempty"`
	Signal              *Signal            `json:"signal,omitempty"` // outage-signal only
}

// Signal is the signal block of an outage-signal incident (INTERFACES §9),
// as written. Package outage turns it into a validated signal.
type Signal struct {
	ObservedAt   time.Time `json:"observed_at"`
	Symptom      string    `json:"symptom"`
	ServiceClass string    `json:"service_class,omitempty"`
	Regions      []string  `json:"regions,omitempty"`       // JIS X 0401 prefecture codes
	UpstreamASNs []int64   `json:"upstream_asns,omitempty"` // autonomous system numbers
	Prefixes     []string  `json:"prefixes,omitempty"`      // CIDR
	Note         string    `json:"note,omitempty"`
}

// Service is one affected service, judged separately (REPORTING 2.2).
type Service struct {
	ServiceClass          string     `json:"service_class"`
	Impact                string     `json:"impact"`
	AdditionalFeatureOnly bool       `json:"additional_feature_only,omitempty"`
	AffectedUsers         *int64     `json:"affected_users,omitempty"`
	UserProfile           []UserStep `json:"user_profile,omitempty"`
	UsersUnknown          bool       `json:"users_unknown,omitempty"`
	StoppedBandwidthBps   *int64     `json:"stopped_bandwidth_bps,omitempty"`
	WholesaleRole         string     `json:"wholesale_role,omitempty"`
	WholesalePartnerRefs  []string   `json:"wholesale_partner_refs,omitempty"`
}

// UserStep is one step of a piecewise-constant affected-user profile.
type UserStep struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Users int64     `json:"users"`
}

// ImportantFacility is an outage of a satellite, submarine cable or other
// important facility (REPORTING 2.3 row F).
type ImportantFacility struct {
	Kind                  string `json:"kind"`
	AllTrafficDownSeconds int64  `json:"all_traffic_down_seconds"`
}

// Disaster holds the disaster facts of an incident (REPORTING 2.8).
type Disaster struct {
	Kind                         string     `json:"kind"`
	Name                         string     `json:"name,omitempty"`
	SeismicIntensity             string     `json:"seismic_intensity,omitempty"`
	EmergencyNetworkReported     bool       `json:"emergency_network_reported,omitempty"`
	EmergencyMeasuresCompletedAt *time.Time `json:"emergency_measures_completed_at,omitempty"`
}

// Cyber holds the cyber-attack facts of an incident.
type Cyber struct {
	AttackType               string `json:"attack_type"`
	OutboundAttackOnFacility bool   `json:"outbound_attack_on_facility,omitempty"` // 送信型対電気通信設備サイバー攻撃
}

// Osore holds the facts of a serious-accident-risk situation (おそれ事態, REPORTING 2.6).
type Osore struct {
	Situation   string `json:"situation"`
	CoreNetwork bool   `json:"core_network,omitempty"`
	Prefectures int    `json:"prefectures,omitempty"`
}

// TelecomExtension returns the telecom extension of an incident, false when the
// object does not carry it, and an error when it is present but malformed (the
// validator reports the same problems with their pointers).
func (o *Object) TelecomExtension() (*Telecom, bool, error) {
	exts, _ := o.Props["extensions"].(map[string]any)
	raw, ok := exts[TelecomExtensionID]
	if !ok {
		return nil, false, nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, true, fmt.Errorf("encode telecom extension: %w", err)
	}
	var t Telecom
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&t); err != nil {
		return nil, true, fmt.Errorf("telecom extension of %s: %w", o.ID, err)
	}
	t.applyDefaults()
	return &t, true, nil
}

// applyDefaults fills the defaults of PROFILE.md §3.
func (t *Telecom) applyDefaults() {
	if t.Cause == "" {
		switch t.ReportKind {
		case KindInfoLeak:
			t.Cause = "facility-info-leak"
		case KindNearMiss:
			t.Cause = "none"
		default:
			t.Cause = "telecom-equipment-failure"
		}
	}
	if t.ReportKind == KindOutageSignal && t.OccurredAt.IsZero() && t.Signal != nil {
		// A signal says when it was observed; that is when it occurred.
		t.OccurredAt = t.Signal.ObservedAt
	}
	if t.AwareAt == nil {
		a := t.OccurredAt
		t.AwareAt = &a
	}
	for i := range t.Services {
		if t.Services[i].WholesaleRole == "" {
			t.Services[i].WholesaleRole = "self"
		}
	}
}
