package console

import (
	"slices"
	"testing"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// TestReportFormVocabularies checks that every choice the report form's
// selects offer has its label in every language, and that the form does not
// offer an outage signal (it has its own form, signal.go).
func TestReportFormVocabularies(t *testing.T) {
	cat, err := loadCatalogue(files)
	if err != nil {
		t.Fatal(err)
	}
	vocab := reportVocabularies()
	if slices.Contains(vocab["report_kind"], stix.KindOutageSignal) {
		t.Errorf("the report form offers report_kind %q", stix.KindOutageSignal)
	}
	if len(vocab["report_kind"]) != len(stix.TelecomVocabularies()["report_kind"])-1 {
		t.Errorf("report_kind choices %v: only outage-signal should be left out", vocab["report_kind"])
	}
	// The selects whose options report.html labels with report.opt.<field>.<value>.
	for _, f := range []string{"report_kind", "cause", "failed_equipment", "service_class", "impact", "disaster.kind", "cyber.attack_type", "osore.situation"} {
		if len(vocab[f]) == 0 {
			t.Errorf("no vocabulary %s", f)
		}
		for _, v := range vocab[f] {
			for _, lang := range languages {
				if id := "report.opt." + f + "." + v; !cat.ids[lang][id] {
					t.Errorf("%s: no message %s", lang, id)
				}
			}
		}
	}
}
