// Package rowjson holds the JSON row encodings both stores keep for domain
// values stored as one JSON value (a submission's classifications; SQLite's
// obligations). They are the stores' own types, not the API's encodings, so
// that a change to what the API shows never changes what is stored or makes
// stored rows unreadable; both stores write the same shape, so that
// `kakehashi store copy` moves the column as it is.
//
// The field names are those rows were first written with (the API's, before
// these types), so every stored row reads.
package rowjson

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
)

// Obligation is a stored reporting.Obligation.
type Obligation struct {
	ID           string     `json:"id,omitempty"`
	IncidentID   string     `json:"incident_id,omitempty"`
	Organization string     `json:"organization,omitempty"`
	Kind         string     `json:"kind"`
	Recipient    string     `json:"recipient"`
	Form         *string    `json:"form"`
	Urgency      string     `json:"urgency,omitempty"`
	DueRaw       string     `json:"due_raw,omitempty"` // YYYY-MM-DD; empty when undated
	Due          string     `json:"due,omitempty"`
	Status       string     `json:"status"`
	SubsumedBy   string     `json:"subsumed_by,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	MetReference string     `json:"met_reference,omitempty"`
	MetAt        *time.Time `json:"met_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at,omitzero"`
	UpdatedAt    time.Time  `json:"updated_at,omitzero"`
}

// ObligationOf is the row of o.
func ObligationOf(o reporting.Obligation) Obligation {
	return Obligation{ID: o.ID, IncidentID: o.IncidentID, Organization: o.Organization, Kind: string(o.Kind),
		Recipient: o.Recipient, Form: o.Form, Urgency: string(o.Urgency), DueRaw: dateText(o.DueRaw), Due: dateText(o.Due),
		Status: string(o.Status), SubsumedBy: string(o.SubsumedBy), Reason: o.Reason, MetReference: o.MetReference,
		MetAt: o.MetAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// Domain is the obligation the row holds.
func (r Obligation) Domain() (reporting.Obligation, error) {
	o := reporting.Obligation{ID: r.ID, IncidentID: r.IncidentID, Organization: r.Organization, Kind: reporting.Kind(r.Kind),
		Recipient: r.Recipient, Form: r.Form, Urgency: reporting.Urgency(r.Urgency), Status: reporting.Status(r.Status),
		SubsumedBy: reporting.Kind(r.SubsumedBy), Reason: r.Reason, MetReference: r.MetReference, MetAt: r.MetAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	var err error
	if o.DueRaw, err = parseDate(r.DueRaw); err != nil {
		return o, fmt.Errorf("obligation %s: due_raw: %w", r.ID, err)
	}
	if o.Due, err = parseDate(r.Due); err != nil {
		return o, fmt.Errorf("obligation %s: due: %w", r.ID, err)
	}
	return o, nil
}

// EncodeObligation is the stored JSON of o.
func EncodeObligation(o reporting.Obligation) ([]byte, error) {
	return json.Marshal(ObligationOf(o))
}

// DecodeObligation reads a stored obligation.
func DecodeObligation(raw []byte) (reporting.Obligation, error) {
	var r Obligation
	if err := json.Unmarshal(raw, &r); err != nil {
		return reporting.Obligation{}, fmt.Errorf("decode stored obligation: %w", err)
	}
	return r.Domain()
}

// Classification is a stored reporting.Result: every field, the rule set,
// period, report kind and occurred_at included, which the API encoding
// (reporting.Result's MarshalJSON) leaves out with the obligations'
// bookkeeping.
//
// Rows written in the API encoding (SQLite's before issue #14) decode with the
// rule set, period, report kind and occurred_at zero (sharing.Statistics
// reads the incident for those), and their obligations get back the id,
// incident and organization that the encoding dropped and that the Result
// determines. Rows written before the report kind and occurred_at were kept
// read with both zero.
type Classification struct {
	IncidentID     string                   `json:"incident_id"`
	Modified       string                   `json:"modified"`
	Organization   string                   `json:"organization"`
	Classification reporting.Classification `json:"classification"`
	Provisional    bool                     `json:"provisional"`
	Obligations    []Obligation             `json:"obligations"`
	Evidence       []reporting.Evidence     `json:"evidence"`
	RuleSet        string                   `json:"rule_set"`
	Period         reporting.Period         `json:"period"`
	ReportKind     string                   `json:"report_kind,omitempty"`
	OccurredAt     time.Time                `json:"occurred_at,omitzero"`
}

// EncodeClassifications is the stored JSON of a submission's
// classifications (an empty list for none).
func EncodeClassifications(rs []reporting.Result) ([]byte, error) {
	out := make([]Classification, len(rs))
	for i, r := range rs {
		obls := make([]Obligation, len(r.Obligations))
		for j, o := range r.Obligations {
			obls[j] = ObligationOf(o)
		}
		out[i] = Classification{r.IncidentID, r.Modified, r.Organization, r.Classification, r.Provisional,
			obls, r.Evidence, r.RuleSet, r.Period, r.ReportKind, r.OccurredAt}
	}
	return json.Marshal(out)
}

// DecodeClassifications reads a submission's stored classifications, in this
// encoding or the API encoding of rows written before it.
func DecodeClassifications(raw []byte) ([]reporting.Result, error) {
	var rows []Classification
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, err
	}
	out := make([]reporting.Result, len(rows))
	for i, c := range rows {
		var obls []reporting.Obligation
		if c.Obligations != nil {
			obls = make([]reporting.Obligation, len(c.Obligations))
		}
		for j, row := range c.Obligations {
			if row.ID == "" { // the API encoding's
				row.ID, row.IncidentID, row.Organization = reporting.ObligationID(c.IncidentID, c.Organization, reporting.Kind(row.Kind)), c.IncidentID, c.Organization
			}
			o, err := row.Domain()
			if err != nil {
				return nil, fmt.Errorf("classification of %s: %w", c.IncidentID, err)
			}
			obls[j] = o
		}
		out[i] = reporting.Result{IncidentID: c.IncidentID, Modified: c.Modified, Organization: c.Organization,
			Classification: c.Classification, Provisional: c.Provisional, Obligations: obls,
			Evidence: c.Evidence, RuleSet: c.RuleSet, Period: c.Period, ReportKind: c.ReportKind, OccurredAt: c.OccurredAt}
	}
	return out, nil
}

func dateText(d *reporting.Date) string {
	if d == nil || d.IsZero() {
		return ""
	}
	return d.String()
}

func parseDate(s string) (*reporting.Date, error) {
	if s == "" {
		return nil, nil
	}
	d, err := reporting.ParseDate(s)
	if err != nil {
		return nil, err
	}
	return &d, nil
}
