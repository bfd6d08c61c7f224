package console

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// kindOrder lists the report kinds of the telecom profile (PROFILE.md).
var kindOrder = []string{stix.KindServiceOutage, stix.KindCyberAttack, stix.KindInfoLeak, stix.KindNearMiss, stix.KindDisasterDamage}

// statBar is one bar: a category and its count as published ("<3" for 1–2).
type statBar struct {
	Key   string // the wire value of the category
	Label string
	Value string
}

// statChart is one chart of a period: an inline SVG and the same figures
// as a table.
type statChart struct {
	Title string
	Bars  []statBar
	SVG   template.HTML
}

// statPeriod is one reporting period on the page.
type statPeriod struct {
	Period    string
	Label     string // the period in words: "2026年度 第2四半期"
	Start     string
	End       string
	Incidents string
	Charts    []statChart // by class, by report kind
}

// handleStatistics is GET /statistics: the public quarterly statistics as
// charts, from what the public channel carries. No sign-in needed.
func (c *Console) handleStatistics(ctx *fiber.Ctx) error {
	stats, err := c.publishedStatistics(ctx)
	if err != nil {
		return err
	}
	lang := langOf(ctx)
	tr := func(id string, kv ...any) string {
		data := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return c.i18n.text(lang, id, data)
	}
	periods := make([]statPeriod, 0, len(stats))
	for i := len(stats) - 1; i >= 0; i-- { // newest first
		st := stats[i]
		sp := statPeriod{Period: st.Period, Incidents: st.Incidents}
		if p, err := reporting.ParsePeriod(st.Period); err == nil {
			sp.Start, sp.End = p.Start().String(), p.End().String()
			if p.Months == 3 {
				sp.Label = tr("statistics.period.quarter", "Year", p.FiscalYear, "Quarter", p.Index)
			} else {
				sp.Label = tr("statistics.period.year", "Year", p.FiscalYear)
			}
		}
		var classBars, kindBars []statBar
		for _, k := range orderedKeys(st.ByClassification, classOrder) {
			classBars = append(classBars, statBar{Key: k, Label: labelOr(tr, "obligations.class."+k, k), Value: st.ByClassification[k]})
		}
		for _, k := range orderedKeys(st.ByReportKind, kindOrder) {
			kindBars = append(kindBars, statBar{Key: k, Label: labelOr(tr, "statistics.kind."+k, k), Value: st.ByReportKind[k]})
		}
		id := "chart-" + strings.ToLower(st.Period)
		desc := tr("statistics.chart-desc", "Period", st.Period, "Total", st.Incidents)
		for _, ch := range []struct {
			suffix, title string
			bars          []statBar
		}{
			{"class", tr("statistics.by-class", "Period", st.Period), classBars},
			{"kind", tr("statistics.by-kind", "Period", st.Period), kindBars},
		} {
			sp.Charts = append(sp.Charts, statChart{Title: ch.title, Bars: ch.bars, SVG: barChartSVG(id+"-"+ch.suffix, ch.title, desc, ch.bars)})
		}
		periods = append(periods, sp)
	}
	return c.render(ctx, fiber.StatusOK, "statistics", page{Title: "statistics.title", Nav: "statistics", Data: map[string]any{
		"Periods": periods,
	}})
}

// handleStatisticsCSV is GET /statistics.csv: the same figures as CSV.
func (c *Console) handleStatisticsCSV(ctx *fiber.Ctx) error {
	stats, err := c.publishedStatistics(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeStatisticsCSV(&buf, stats); err != nil {
		return err
	}
	return sendCSV(ctx, "kakehashi-statistics.csv", buf.Bytes())
}

// publishedStatistics reads the public channel's statistics; an anonymous
// visitor counts against its address's allowance like a reader of the
// public TAXII collection.
func (c *Console) publishedStatistics(ctx *fiber.Ctx) ([]sharing.QuarterStatistics, error) {
	caller := callerOf(ctx)
	if err := c.cfg.Access.Request(ctx.UserContext(), caller, ctx.IP(), sharing.RequestRead); err != nil {
		return nil, err
	}
	return c.cfg.Statistics.Published(ctx.UserContext(), caller)
}

// labelOr localizes id, or falls back to the wire value for a category the
// catalogue does not know (a newer hub's data).
func labelOr(tr func(string, ...any) string, id, fallback string) string {
	if s := tr(id); s != id {
		return s
	}
	return fallback
}

// orderedKeys lists the keys of m: those of order first, in that order,
// then any others sorted, so that no published figure is dropped.
func orderedKeys(m map[string]string, order []string) []string {
	out := []string{}
	for _, k := range order {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(order, k) {
			out = append(out, k)
		}
	}
	return out
}

// statisticsHeader is the header of /statistics.csv.
var statisticsHeader = []string{"period", "dimension", "category", "count"}

// writeStatisticsCSV writes the published figures, one line per period and
// category, the counts exactly as published ("<3" stays "<3").
func writeStatisticsCSV(w io.Writer, stats []sharing.QuarterStatistics) error {
	cw := csv.NewWriter(w)
	recs := [][]string{statisticsHeader}
	for _, st := range stats {
		recs = append(recs, []string{st.Period, "total", "incidents", st.Incidents})
		for _, k := range orderedKeys(st.ByClassification, classOrder) {
			recs = append(recs, []string{st.Period, "classification", k, st.ByClassification[k]})
		}
		for _, k := range orderedKeys(st.ByReportKind, kindOrder) {
			recs = append(recs, []string{st.Period, "report_kind", k, st.ByReportKind[k]})
		}
	}
	if err := cw.WriteAll(recs); err != nil {
		return fmt.Errorf("write statistics csv: %w", err)
	}
	return nil
}

// Chart geometry, in SVG user units.
const (
	chartWidth   = 680
	chartLabelW  = 320 // category labels, right-aligned before the bars
	chartBarW    = 300 // the longest bar
	chartRowH    = 28
	chartBarH    = 18
	chartPadding = 8
)

// barChartSVG renders a horizontal bar chart as inline SVG: a title and a
// description for assistive technology (role="img"), one bar per category
// with its published value as text. A suppressed count ("<3") is drawn as a
// dashed outline up to the largest count it may stand for (2): the
// published range, never a guess of the real count, which the page does not
// have.
func barChartSVG(id, title, desc string, bars []statBar) template.HTML {
	scale := 1.0
	for _, b := range bars {
		if n, ok := barLength(b.Value); ok && n > scale {
			scale = n
		}
	}
	height := len(bars)*chartRowH + 2*chartPadding
	esc := template.HTMLEscapeString
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 %d %d" width="%d" height="%d" aria-labelledby="%s-title %s-desc">`,
		chartWidth, height, chartWidth, height, esc(id), esc(id))
	fmt.Fprintf(&s, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	x0 := chartLabelW + 10
	fmt.Fprintf(&s, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#5a5a60" stroke-width="1"/>`, x0, chartPadding, x0, height-chartPadding)
	for i, b := range bars {
		y := chartPadding + i*chartRowH
		mid := y + chartRowH/2
		fmt.Fprintf(&s, `<g class="bar" data-category="%s" data-value="%s"><title>%s: %s</title>`, esc(b.Key), esc(b.Value), esc(b.Label), esc(b.Value))
		fmt.Fprintf(&s, `<text x="%d" y="%d" text-anchor="end" dominant-baseline="middle" font-size="13" fill="#1d1d1f">%s</text>`, chartLabelW, mid, esc(b.Label))
		w := 0
		if n, ok := barLength(b.Value); ok && n > 0 {
			w = int(n / scale * chartBarW)
			if strings.HasPrefix(b.Value, "<") {
				fmt.Fprintf(&s, `<rect class="suppressed" x="%d" y="%d" width="%d" height="%d" fill="#dbe7f5" stroke="#0b5cad" stroke-width="1.5" stroke-dasharray="4 3"/>`,
					x0, mid-chartBarH/2, w, chartBarH)
			} else {
				fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%d" height="%d" fill="#0b5cad"/>`, x0, mid-chartBarH/2, w, chartBarH)
			}
		}
		fmt.Fprintf(&s, `<text x="%d" y="%d" dominant-baseline="middle" font-size="13" font-weight="600" fill="#1d1d1f">%s</text></g>`, x0+w+6, mid, esc(b.Value))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String()) //nolint:gosec // every text above is escaped
}

// barLength is the length of a published value's bar in counts: the count,
// or for "<N" the largest count it stands for (N-1). Anything else has no
// bar.
func barLength(v string) (float64, bool) {
	if rest, ok := strings.CutPrefix(v, "<"); ok {
		n, err := strconv.Atoi(rest)
		if err != nil || n < 2 {
			return 0, false
		}
		return float64(n - 1), true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return float64(n), true
}
