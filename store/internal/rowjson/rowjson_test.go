package rowjson

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
)

// TestObligationRow: the stores' own obligation row keeps every field, and
// rows written before it (the API encoding of reporting.Obligation) still
// read, dated and undated.
func TestObligationRow(t *testing.T) {
	form := "様式第50の3"
	due, raw := reporting.NewDate(2026, time.July, 13), reporting.NewDate(2026, time.July, 11)
	met := time.Date(2026, 7, 12, 3, 4, 5, 600000000, time.UTC)
	full := reporting.Obligation{
		ID: reporting.ObligationID("incident--1", "carrier-a", reporting.Kind("serious_accident_report")), IncidentID: "incident--1",
		Organization: "carrier-a", Kind: reporting.Kind("serious_accident_report"), Recipient: "mic", Form: &form,
		Urgency: reporting.Urgency("promptly"), DueRaw: &raw, Due: &due, Status: reporting.StatusMet,
		SubsumedBy: reporting.Kind("quarterly_report"), Reason: "why", MetReference: "MIC-2026-1", MetAt: &met,
		CreatedAt: met.Add(-time.Hour), UpdatedAt: met,
	}
	undated := reporting.Obligation{ID: "obligation--2", Kind: reporting.Kind("quarterly_report"), Recipient: "mic",
		Status: reporting.Status("pending"), CreatedAt: met, UpdatedAt: met}
	for name, o := range map[string]reporting.Obligation{"full": full, "undated": undated} {
		stored, err := EncodeObligation(o)
		if err != nil {
			t.Fatal(err)
		}
		old, err := json.Marshal(o) // how rows were written before this type
		if err != nil {
			t.Fatal(err)
		}
		for enc, b := range map[string][]byte{"row": stored, "api encoding": old} {
			got, err := DecodeObligation(b)
			if err != nil {
				t.Fatalf("%s (%s): %v", name, enc, err)
			}
			if !reflect.DeepEqual(got, o) {
				t.Errorf("%s (%s) read back\n%+v\nwant\n%+v", name, enc, got, o)
			}
		}
	}
	if _, err := DecodeObligation([]byte(`{"id":"obligation--3","due":"2026-13-40"}`)); err == nil {
		t.Error("a row with an impossible due date was read")
	}
}
