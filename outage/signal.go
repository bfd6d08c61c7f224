package outage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// Symptom is what a signal reports (INTERFACES §9).
type Symptom string

// The symptoms of INTERFACES §9. The last three come from the hub's outside
// sources; a carrier may send them too.
const (
	NoConnectivity    Symptom = "no-connectivity" // 繋がらない
	DNSFailure        Symptom = "dns-failure"
	PacketLoss        Symptom = "packet-loss"
	HighLatency       Symptom = "high-latency"
	CallFailure       Symptom = "call-failure" // 発着信不可
	RoutingAnomaly    Symptom = "routing-anomaly"
	RoutingWithdrawal Symptom = "routing-withdrawal"
	UserReportSurge   Symptom = "user-report-surge"
	OtherSymptom      Symptom = "other"
)

// Symptoms lists every valid symptom, in the order of INTERFACES §9.
var Symptoms = []Symptom{NoConnectivity, DNSFailure, PacketLoss, HighLatency, CallFailure,
	RoutingAnomaly, RoutingWithdrawal, UserReportSurge, OtherSymptom}

// ServiceClasses lists the valid service classes (PROFILE.md §3 services).
var ServiceClasses = []string{"emergency-voice", "voice", "free-internet", "lpwa", "other"}

// The outside sources. Each counts as an organization of its own when the
// Correlator counts who signalled (issue #16).
const (
	SourceRouting     = "routing"      // BGP updates (package outage/ris)
	SourceUserReports = "user-reports" // public posts (package outage/post)
)

// IsOutsideSource reports whether org is one of the hub's outside sources
// rather than a registry organization.
func IsOutsideSource(org string) bool { return org == SourceRouting || org == SourceUserReports }

// Signal is one early outage signal (INTERFACES §9). Carriers send them as
// incidents; the hub's outside sources make their own.
type Signal struct {
	ID           string         // the incident id, e.g. "incident--…"
	Organization string         // registry id of the sender, or SourceRouting / SourceUserReports
	ObservedAt   time.Time      // when the sender saw the trouble
	Symptom      Symptom        //
	ServiceClass string         // optional, one of ServiceClasses
	Regions      []string       // JIS X 0401 prefecture codes "01".."47"
	UpstreamASNs []int64        // upstream (or, for routing signals, offending) autonomous systems
	Prefixes     []netip.Prefix // affected networks, masked
	Note         string         // free text; identified view only
	// Concerns names the carriers an outside source's signal is about (the
	// carrier whose prefix was hijacked, whose name users posted); empty
	// for a carrier's own signal. It never leaves the identified view.
	Concerns []string
}

// Violation is one problem of a signal: where (a JSON pointer into the
// telecom extension) and what.
type Violation struct {
	Pointer string
	Message string
}

// ValidationError lists every violation of a signal.
type ValidationError struct {
	Violations []Violation
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid signal: ")
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.Pointer)
		b.WriteString(": ")
		b.WriteString(v.Message)
	}
	return b.String()
}

// MaxListLen bounds regions, upstream_asns and prefixes: a signal names a
// few places, not a routing table.
const MaxListLen = 256

// Validate checks the signal and returns a *ValidationError naming every bad
// field by its pointer under /signal, or nil.
func (s *Signal) Validate() error {
	var vs []Violation
	add := func(ptr, format string, args ...any) {
		vs = append(vs, Violation{Pointer: ptr, Message: fmt.Sprintf(format, args...)})
	}
	if s.ID == "" {
		add("/id", "is required: the signal's incident id")
	}
	if s.Organization == "" {
		add("/created_by_ref", "names no registry organization")
	}
	if s.ObservedAt.IsZero() {
		add("/signal/observed_at", "is required: an RFC 3339 UTC timestamp such as 2026-07-10T14:05:00Z")
	}
	if !slices.Contains(Symptoms, s.Symptom) {
		add("/signal/symptom", "%q is not one of %s", s.Symptom, joinSymptoms())
	}
	if s.ServiceClass != "" && !slices.Contains(ServiceClasses, s.ServiceClass) {
		add("/signal/service_class", "%q is not one of %s", s.ServiceClass, strings.Join(ServiceClasses, ", "))
	}
	if len(s.Regions) > MaxListLen {
		add("/signal/regions", "lists %d regions; at most %d", len(s.Regions), MaxListLen)
	}
	for i, r := range s.Regions {
		if !ValidRegion(r) {
			add("/signal/regions/"+strconv.Itoa(i), "%q is not a JIS X 0401 prefecture code \"01\"..\"47\" (13 is Tokyo)", r)
		}
	}
	if len(s.UpstreamASNs) > MaxListLen {
		add("/signal/upstream_asns", "lists %d ASNs; at most %d", len(s.UpstreamASNs), MaxListLen)
	}
	for i, a := range s.UpstreamASNs {
		if a < 1 || a > 4294967295 {
			add("/signal/upstream_asns/"+strconv.Itoa(i), "%d is not an autonomous system number 1..4294967295", a)
		}
	}
	if len(s.Prefixes) > MaxListLen {
		add("/signal/prefixes", "lists %d prefixes; at most %d", len(s.Prefixes), MaxListLen)
	}
	for i, p := range s.Prefixes {
		if !p.IsValid() || p != p.Masked() {
			add("/signal/prefixes/"+strconv.Itoa(i), "%q is not a network in CIDR notation with no host bits set", p)
		}
	}
	if len(vs) > 0 {
		return &ValidationError{Violations: vs}
	}
	return nil
}

func joinSymptoms() string {
	s := make([]string, len(Symptoms))
	for i, y := range Symptoms {
		s[i] = string(y)
	}
	return strings.Join(s, ", ")
}

// ValidRegion reports whether r is a JIS X 0401 prefecture code, "01"
// (Hokkaido) to "47" (Okinawa), written with two digits.
func ValidRegion(r string) bool {
	if len(r) != 2 || r[0] < '0' || r[0] > '4' || r[1] < '0' || r[1] > '9' {
		return false
	}
	n := int(r[0]-'0')*10 + int(r[1]-'0')
	return n >= 1 && n <= 47
}

// ErrNotSignal is returned by FromTelecom and DecodeSignal for an extension
// whose report_kind is not outage-signal.
var ErrNotSignal = errors.New(`report_kind is not "outage-signal"`)

// FromTelecom makes the signal of an incident from its decoded telecom
// extension: id is the incident id, org the registry id of its sender. It
// returns ErrNotSignal for other report kinds and a *ValidationError naming
// each bad field otherwise.
func FromTelecom(id, org string, t *stix.Telecom) (Signal, error) {
	if t == nil || t.ReportKind != stix.KindOutageSignal {
		return Signal{}, ErrNotSignal
	}
	if t.Signal == nil {
		return Signal{}, &ValidationError{Violations: []Violation{{"/signal", `is required on an outage-signal: add {"observed_at", "symptom"}`}}}
	}
	w := t.Signal
	s := Signal{
		ID: id, Organization: org, ObservedAt: w.ObservedAt.UTC(), Symptom: Symptom(w.Symptom), ServiceClass: w.ServiceClass,
		Regions: slices.Clone(w.Regions), UpstreamASNs: slices.Clone(w.UpstreamASNs), Note: w.Note,
	}
	var bad []Violation
	for i, p := range w.Prefixes {
		pfx, err := netip.ParsePrefix(strings.TrimSpace(p))
		if err != nil {
			bad = append(bad, Violation{"/signal/prefixes/" + strconv.Itoa(i), fmt.Sprintf("%q is not a network in CIDR notation such as 203.0.113.0/24", p)})
			continue
		}
		s.Prefixes = append(s.Prefixes, pfx)
	}
	if err := s.Validate(); err != nil {
		var ve *ValidationError
		errors.As(err, &ve)
		bad = append(bad, ve.Violations...)
	}
	if len(bad) > 0 {
		return Signal{}, &ValidationError{Violations: bad}
	}
	s.normalize()
	return s, nil
}

// DecodeSignal decodes the telecom extension JSON of an incident (the value
// of extensions[stix.TelecomExtensionID]) into its signal.
func DecodeSignal(id, org string, ext []byte) (Signal, error) {
	var t stix.Telecom
	dec := json.NewDecoder(bytes.NewReader(ext))
	if err := dec.Decode(&t); err != nil {
		return Signal{}, fmt.Errorf("decode telecom extension: %w", err)
	}
	return FromTelecom(id, org, &t)
}

// normalize sorts and deduplicates the lists so that equal signals compare
// equal and events list their values in one order.
func (s *Signal) normalize() {
	slices.Sort(s.Regions)
	s.Regions = slices.Compact(s.Regions)
	slices.Sort(s.UpstreamASNs)
	s.UpstreamASNs = slices.Compact(s.UpstreamASNs)
	slices.SortFunc(s.Prefixes, comparePrefix)
	s.Prefixes = slices.Compact(s.Prefixes)
	slices.Sort(s.Concerns)
	s.Concerns = slices.Compact(s.Concerns)
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}
