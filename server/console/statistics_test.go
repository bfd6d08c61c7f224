package console

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

func TestBarChartSVG(t *testing.T) {
	bars := []statBar{
		{Key: "serious", Label: "重大な事故 <b>", Value: "<3"},
		{Key: "quarterly", Label: "四半期報告事故", Value: "8"},
		{Key: "exempt", Label: "軽微な事故", Value: "0"},
		{Key: "odd", Label: "odd", Value: "n/a"},
	}
	svg := string(barChartSVG("c1", `Title "x" & <y>`, "Desc", bars))

	// Well-formed XML, with its title and description referenced.
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := dec.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed: %v\n%s", err, svg)
			}
			break
		}
	}
	for _, want := range []string{
		`role="img"`, `aria-labelledby="c1-title c1-desc"`,
		`<title id="c1-title">Title &#34;x&#34; &amp; &lt;y&gt;</title>`, `<desc id="c1-desc">Desc</desc>`,
		`重大な事故 &lt;b&gt;`, `data-category="serious" data-value="&lt;3"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %s:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<b>") {
		t.Error("a label is not escaped")
	}
	// Bars: 8 is the longest (chartBarW); "<3" is a dashed bar of 2; 0 and
	// a value that is not a count have none.
	widths := regexp.MustCompile(`data-category="(\w+)"[^>]*>(?:<title>[^<]*</title>)<text[^>]*>[^<]*</text>(?:<rect( class="suppressed")?[^>]* width="(\d+)")?`).FindAllStringSubmatch(svg, -1)
	got := map[string]string{}
	for _, m := range widths {
		got[m[1]] = m[3] + m[2]
	}
	want := map[string]string{"serious": "75 class=\"suppressed\"", "quarterly": "300", "exempt": "", "odd": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bar widths (-want +got):\n%s\n%s", diff, svg)
	}
	// The value text of each bar is the published text, never a number
	// that was not published.
	texts := regexp.MustCompile(`font-weight="600"[^>]*>([^<]*)</text>`).FindAllStringSubmatch(svg, -1)
	var vals []string
	for _, m := range texts {
		vals = append(vals, m[1])
	}
	if diff := cmp.Diff([]string{"&lt;3", "8", "0", "n/a"}, vals); diff != "" {
		t.Errorf("value texts (-want +got):\n%s", diff)
	}
}

func TestBarChartSVGAllSuppressed(t *testing.T) {
	// One "<3" alone is drawn the same whatever the real count was: the
	// renderer only ever sees "<3".
	a := barChartSVG("a", "t", "d", []statBar{{Key: "k", Label: "l", Value: "<3"}})
	if !strings.Contains(string(a), `width="300"`) {
		t.Errorf("a lone <3 bar: %s", a)
	}
}

func TestWriteStatisticsCSV(t *testing.T) {
	stats := []sharing.QuarterStatistics{{
		Period: "FY2026Q2", Incidents: "5",
		ByClassification: map[string]string{"quarterly": "3", "serious": "<3", "a-new-class": "0"},
		ByReportKind:     map[string]string{"service-outage": "4", "cyber-attack": "<3"},
	}}
	var buf bytes.Buffer
	if err := writeStatisticsCSV(&buf, stats); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"period", "dimension", "category", "count"},
		{"FY2026Q2", "total", "incidents", "5"},
		{"FY2026Q2", "classification", "serious", "<3"},
		{"FY2026Q2", "classification", "quarterly", "3"},
		{"FY2026Q2", "classification", "a-new-class", "0"},
		{"FY2026Q2", "report_kind", "service-outage", "4"},
		{"FY2026Q2", "report_kind", "cyber-attack", "<3"},
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
}
