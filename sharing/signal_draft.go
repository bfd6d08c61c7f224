package sharing

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// SignalDraft is an outage signal as a carrier's reporter fills it in (the
// console's signal form, issue #16 item 1): when the trouble was seen, what
// it looks like and where, and nothing else. Build turns it into the
// incident of INTERFACES §9 (report_kind "outage-signal" and a signal
// block). Zero values mean "not given".
type SignalDraft struct {
	ObservedAt   time.Time
	Symptom      string // one of outage.Symptoms
	ServiceClass string // optional, PROFILE.md §3 services
	Regions      []string
	UpstreamASNs []int64
	Prefixes     []string // CIDR, as written
	Note         string
	TLP          stix.TLP // 0: the organization's default TLP
}

// BuiltSignal is the bundle a signal draft makes, with what the correlator
// would refuse in it.
type BuiltSignal struct {
	Bundle     *stix.Bundle
	IncidentID string
	// Violations are the signal block's problems as the correlator judges
	// them (outage.FromTelecom: prefecture codes, ASN range, prefixes with
	// host bits …), with pointers into Bundle. Intake checks only the block's
	// shape (stix), and would store such a signal without correlating it; a
	// form refuses it first and shows each problem next to its field.
	Violations []stix.Violation
}

// signalName is the incident's name: a signal needs none from the person,
// STIX 2.1 §4.7 requires one, and it must not name the carrier (the
// anonymizer would have to scrub it from the ISAC's copy).
const signalName = "Outage signal"

// Build writes the draft as a STIX 2.1 bundle from org: one incident with
// the telecom extension, report_kind "outage-signal" and the signal block
// (INTERFACES §9), created_by_ref the organization's identity, marked with
// the TLP chosen (else the organization's default); now is its created and
// modified. It checks the signal block as the correlator will and lists
// what it refuses in Violations; the intake validates the rest.
func (d SignalDraft) Build(org *Organization, now time.Time) (*BuiltSignal, error) {
	now = now.UTC().Truncate(time.Millisecond)
	out := &BuiltSignal{IncidentID: "incident--" + uuid.NewString()}
	tlp := d.TLP
	if tlp == 0 {
		tlp = org.EffectiveDefaultTLP()
	}
	sig := map[string]any{}
	setTime(sig, "observed_at", d.ObservedAt)
	setString(sig, "symptom", d.Symptom)
	setString(sig, "service_class", d.ServiceClass)
	if len(d.Regions) > 0 {
		sig["regions"] = d.Regions
	}
	if len(d.UpstreamASNs) > 0 {
		sig["upstream_asns"] = d.UpstreamASNs
	}
	if len(d.Prefixes) > 0 {
		sig["prefixes"] = d.Prefixes
	}
	setString(sig, "note", d.Note)
	name := signalName
	if d.Symptom != "" {
		name += ": " + d.Symptom
	}
	incident := map[string]any{
		"type": "incident", "spec_version": stix.SpecVersion, "id": out.IncidentID,
		"created": stix.FormatTimestamp(now), "modified": stix.FormatTimestamp(now),
		"name": name, "created_by_ref": org.Identity,
		"object_marking_refs": []any{stix.MarkingOf(tlp)},
		"extensions": map[string]any{stix.TelecomExtensionID: map[string]any{
			"extension_type": "property-extension", "report_kind": stix.KindOutageSignal, "signal": sig}},
	}
	// Through JSON once, so that the object looks exactly as a decoded one
	// does, as Draft.Build does.
	raw, err := json.Marshal(incident)
	if err != nil {
		return nil, fmt.Errorf("encode signal: %w", err)
	}
	o, err := stix.DecodeObject(raw)
	if err != nil {
		return nil, fmt.Errorf("decode signal: %w", err)
	}
	out.Bundle = &stix.Bundle{ID: "bundle--" + uuid.NewString(), Objects: []*stix.Object{o}}
	t, ok, err := o.TelecomExtension()
	if err != nil || !ok {
		return nil, fmt.Errorf("decode signal extension: %v", err)
	}
	_, err = outage.FromTelecom(o.ID, org.ID, t)
	var ve *outage.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, v := range ve.Violations {
			out.Violations = append(out.Violations, stix.Violation{Path: signalExtPointer + v.Pointer, Message: v.Message})
		}
	case err != nil:
		return nil, fmt.Errorf("check signal: %w", err)
	}
	return out, nil
}

// signalExtPointer is the JSON pointer of the built incident's telecom
// extension; outage's pointers ("/signal/regions/1") are relative to it.
const signalExtPointer = "/objects/0/extensions/" + stix.TelecomExtensionID

var pointerSignal = regexp.MustCompile(`^` + regexp.QuoteMeta(signalExtPointer) + `/signal(?:/([a-z_]+))?`)

// SignalFields are the fields of the signal form (console, issue #16 item
// 1), named after the signal block's properties (INTERFACES §9), plus tlp.
var SignalFields = []string{"observed_at", "symptom", "service_class", "regions", "upstream_asns", "prefixes", "note", "tlp"}

// FieldOf maps a JSON pointer into the built bundle (a violation's or a
// warning's) back to the signal form's field: "regions" for
// /objects/0/extensions/…/signal/regions/1, "tlp" for the marking. It
// returns "" for a pointer no single field stands for.
func (b *BuiltSignal) FieldOf(pointer string) string {
	if m := pointerSignal.FindStringSubmatch(pointer); m != nil {
		return m[1] // "" for the block itself
	}
	if m := pointerIncident.FindStringSubmatch(pointer); m != nil && m[1] == "object_marking_refs" {
		return "tlp"
	}
	return ""
}
