package sharing

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// Draft is an incident report as a person fills it in (the console's report
// form, INTERFACES.md §8), in the regulator's terms rather than STIX. Build
// turns it into the bundle of PROFILE.md §3. Zero values mean "not given":
// a zero time is absent, a nil count is absent, an empty string takes the
// default of PROFILE.md §3.
type Draft struct {
	// IncidentID and Created are those of the incident a follow-up report
	// (第2報, 第3報, 最終報) continues: the same id with a later modified
	// makes a new version (PROFILE.md §3). Empty for a first report.
	IncidentID string
	Created    time.Time

	Name            string
	Description     string
	ReportKind      string
	Cause           string // "" takes the default of the report kind
	OccurredAt      time.Time
	AwareAt         time.Time
	RecoveredAt     time.Time
	FailedEquipment string
	// SamePremisesOnly: the effect stayed inside the user's premises (exemption X1).
	SamePremisesOnly bool
	// Services are the service blocks of the form in form order; blank
	// blocks (nothing filled in) are left out of the bundle.
	Services []DraftService
	Disaster *stix.Disaster // 災害; nil when not a disaster
	Cyber    *stix.Cyber    // サイバー攻撃
	Osore    *stix.Osore    // おそれ事態
	TLP      stix.TLP       // 0: the organization's default TLP
	// Designs are sensitive design documents (SHARING.md §5): each becomes
	// an artifact listed in sensitive_design_refs, which intake encrypts.
	Designs []DraftDesign
}

// DraftService is one affected service (サービス区分) of a draft.
type DraftService struct {
	ServiceClass          string
	Impact                string
	AffectedUsers         *int64 // 影響利用者数 (peak)
	UsersUnknown          bool
	AdditionalFeatureOnly bool
	StoppedBandwidthBps   *int64 // 停止帯域
	// Profile are the user-profile steps in form order; blank ones are left out.
	Profile []DraftStep
}

// DraftStep is one step of the affected-user profile.
type DraftStep struct {
	Start, End time.Time
	Users      *int64
}

// DraftDesign is one uploaded design document.
type DraftDesign struct {
	Name     string
	MIMEType string
	Data     []byte
}

func (s DraftStep) blank() bool { return s.Start.IsZero() && s.End.IsZero() && s.Users == nil }

func (s DraftService) blank() bool {
	if s.ServiceClass != "" || s.Impact != "" || s.AffectedUsers != nil || s.UsersUnknown || s.AdditionalFeatureOnly || s.StoppedBandwidthBps != nil {
		return false
	}
	for _, st := range s.Profile {
		if !st.blank() {
			return false
		}
	}
	return true
}

// BuiltDraft is the bundle a draft makes and where each form field went.
type BuiltDraft struct {
	Bundle     *stix.Bundle
	IncidentID string
	// services maps the index of a service in the bundle to its form
	// index; steps the (bundle service, bundle step) to the form step.
	services []int
	steps    map[[2]int]int
	designs  map[int]int // bundle object index → design index
}

// designMediaType is what an uploaded design without a type is sent as.
const designMediaType = "application/octet-stream"

// Build writes the draft as a STIX 2.1 bundle from org (PROFILE.md §3): one
// incident with the telecom extension, created_by_ref the organization's
// identity, marked with the TLP chosen (else the organization's default),
// plus one artifact per design, listed in sensitive_design_refs and marked
// TLP:RED. It does not validate: pass the bundle to the intake, whose
// violations FieldOf maps back to the draft's fields. now is the version
// (modified) of the incident, and its created for a first report.
func (d Draft) Build(org *Organization, now time.Time) (*BuiltDraft, error) {
	now = now.UTC().Truncate(time.Millisecond)
	out := &BuiltDraft{IncidentID: d.IncidentID, steps: map[[2]int]int{}, designs: map[int]int{}}
	if out.IncidentID == "" {
		out.IncidentID = "incident--" + uuid.NewString()
	}
	created := d.Created
	if created.IsZero() || created.After(now) {
		created = now
	}
	tlp := d.TLP
	if tlp == 0 {
		tlp = org.EffectiveDefaultTLP()
	}
	ext := map[string]any{"extension_type": "property-extension"}
	setString(ext, "report_kind", d.ReportKind)
	setString(ext, "cause", d.Cause)
	setTime(ext, "occurred_at", d.OccurredAt)
	setTime(ext, "aware_at", d.AwareAt)
	setTime(ext, "recovered_at", d.RecoveredAt)
	setString(ext, "failed_equipment", d.FailedEquipment)
	if d.SamePremisesOnly {
		ext["same_premises_only"] = true
	}
	var services []any
	for i, s := range d.Services {
		if s.blank() {
			continue
		}
		svc := map[string]any{}
		setString(svc, "service_class", s.ServiceClass)
		setString(svc, "impact", s.Impact)
		setCount(svc, "affected_users", s.AffectedUsers)
		if s.UsersUnknown {
			svc["users_unknown"] = true
		}
		if s.AdditionalFeatureOnly {
			svc["additional_feature_only"] = true
		}
		setCount(svc, "stopped_bandwidth_bps", s.StoppedBandwidthBps)
		var steps []any
		for j, st := range s.Profile {
			if st.blank() {
				continue
			}
			step := map[string]any{}
			setTime(step, "start", st.Start)
			setTime(step, "end", st.End)
			setCount(step, "users", st.Users)
			out.steps[[2]int{len(services), len(steps)}] = j
			steps = append(steps, step)
		}
		if len(steps) > 0 {
			svc["user_profile"] = steps
		}
		out.services = append(out.services, i)
		services = append(services, svc)
	}
	if len(services) > 0 {
		ext["services"] = services
	}
	if d.Disaster != nil {
		m, err := asMap(d.Disaster)
		if err != nil {
			return nil, err
		}
		ext["disaster"] = m
	}
	if d.Cyber != nil {
		m, err := asMap(d.Cyber)
		if err != nil {
			return nil, err
		}
		ext["cyber"] = m
	}
	if d.Osore != nil {
		m, err := asMap(d.Osore)
		if err != nil {
			return nil, err
		}
		ext["osore"] = m
	}
	incident := map[string]any{
		"type": "incident", "spec_version": stix.SpecVersion, "id": out.IncidentID,
		"created": stix.FormatTimestamp(created), "modified": stix.FormatTimestamp(now),
		"created_by_ref":      org.Identity,
		"object_marking_refs": []any{stix.MarkingOf(tlp)},
		"extensions":          map[string]any{stix.TelecomExtensionID: ext},
	}
	setString(incident, "name", strings.TrimSpace(d.Name))
	setString(incident, "description", strings.TrimSpace(d.Description))
	objs := []map[string]any{incident}
	var refs []any
	for i, des := range d.Designs {
		a, err := designArtifact(des)
		if err != nil {
			return nil, err
		}
		out.designs[len(objs)] = i
		refs = append(refs, a["id"])
		objs = append(objs, a)
	}
	if len(refs) > 0 {
		ext["sensitive_design_refs"] = refs
	}
	out.Bundle = &stix.Bundle{ID: "bundle--" + uuid.NewString()}
	for _, m := range objs {
		// Through JSON once, so that the objects look exactly as decoded
		// ones do (json.Number, []any), which the validator expects.
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("encode draft: %w", err)
		}
		o, err := stix.DecodeObject(raw)
		if err != nil {
			return nil, fmt.Errorf("decode draft: %w", err)
		}
		out.Bundle.Objects = append(out.Bundle.Objects, o)
	}
	return out, nil
}

// scoNamespace is the UUIDv5 namespace of STIX Cyber-observable ids (STIX 2.1 §2.9).
var scoNamespace = uuid.MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7")

// designArtifact is the artifact of one design: its content inline (the
// vault refuses a url) with a deterministic id over payload_bin, its only
// ID contributing property here (STIX 2.1 §2.9, §6.1).
func designArtifact(d DraftDesign) (map[string]any, error) {
	payload := base64.StdEncoding.EncodeToString(d.Data)
	contributing, err := json.Marshal(map[string]string{"payload_bin": payload})
	if err != nil {
		return nil, err
	}
	mime := d.MIMEType
	if mime == "" {
		mime = designMediaType
	}
	return map[string]any{
		"type": "artifact", "spec_version": stix.SpecVersion,
		"id":                  "artifact--" + uuid.NewSHA1(scoNamespace, contributing).String(),
		"mime_type":           mime,
		"payload_bin":         payload,
		"object_marking_refs": []any{stix.MarkingRed},
	}, nil
}

func setString(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func setTime(m map[string]any, k string, t time.Time) {
	if !t.IsZero() {
		m[k] = stix.FormatTimestamp(t)
	}
}

func setCount(m map[string]any, k string, n *int64) {
	if n != nil {
		m[k] = *n
	}
}

func asMap(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(raw, &m)
}

var (
	pointerIncident = regexp.MustCompile(`^/objects/0(?:/(name|description|created_by_ref|object_marking_refs|id|created|modified))?(?:/.*)?$`)
	pointerExt      = regexp.MustCompile(`^/objects/0/extensions/` + regexp.QuoteMeta(stix.TelecomExtensionID) + `(?:/([a-z_]+))?(?:/(.*))?$`)
	pointerService  = regexp.MustCompile(`^(\d+)(?:/([a-z_]+))?(?:/(\d+))?(?:/([a-z_]+))?`)
	pointerObject   = regexp.MustCompile(`^/objects/(\d+)(?:/.*)?$`)
)

// FieldOf maps a JSON pointer into the built bundle (a violation's or a
// warning's) back to the name of the draft's form field (INTERFACES.md §8):
// "occurred_at", "services.1.affected_users", "services.0.profile.2.start",
// "disaster.kind", "designs". It returns "" for a pointer no single field
// stands for; such a problem is shown above the form.
func (b *BuiltDraft) FieldOf(pointer string) string {
	if m := pointerExt.FindStringSubmatch(pointer); m != nil {
		prop, rest := m[1], m[2]
		switch prop {
		case "", "extension_type":
			return ""
		case "services":
			return b.serviceField(rest)
		case "disaster", "cyber", "osore", "important_facility":
			if k, _, _ := strings.Cut(rest, "/"); k != "" {
				return prop + "." + k
			}
			return prop
		case "sensitive_design_refs":
			return "designs"
		}
		return prop
	}
	if m := pointerIncident.FindStringSubmatch(pointer); m != nil {
		switch m[1] {
		case "name", "description":
			return m[1]
		case "object_marking_refs":
			return "tlp"
		}
		return ""
	}
	if m := pointerObject.FindStringSubmatch(pointer); m != nil {
		i, _ := strconv.Atoi(m[1])
		if _, ok := b.designs[i]; ok {
			return "designs"
		}
	}
	return ""
}

// serviceField maps "N[/prop[/M[/prop]]]" below services.
func (b *BuiltDraft) serviceField(rest string) string {
	m := pointerService.FindStringSubmatch(rest)
	if m == nil {
		return "services.0.service_class" // the list itself: the first block
	}
	n, _ := strconv.Atoi(m[1])
	if n >= len(b.services) {
		return ""
	}
	form := b.services[n]
	prefix := fmt.Sprintf("services.%d.", form)
	switch m[2] {
	case "":
		return prefix + "service_class"
	case "user_profile":
		if m[3] == "" {
			return prefix + "profile.0.start"
		}
		step, _ := strconv.Atoi(m[3])
		fj, ok := b.steps[[2]int{n, step}]
		if !ok {
			return ""
		}
		p := m[4]
		if p == "" {
			p = "start"
		}
		return fmt.Sprintf("%sprofile.%d.%s", prefix, fj, p)
	}
	return prefix + m[2]
}
