package console

import (
	"bytes"
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// boardFilters are the query parameters of GET /obligations (a plain GET
// form); the same names travel back after "met".
var boardFilters = []string{"status", "organization", "class", "period"}

// obligationRow is one obligation on the dashboard.
type obligationRow struct {
	sharing.BoardEntry
	OrgName       string
	RecipientName string
	DueText       string // YYYY-MM-DD or ""
	// Days is the countdown: days left until the due date (0: due today,
	// negative: overdue by -Days days), for dated obligations not met.
	Days     int
	HasDays  bool
	Period   string // the reporting period of the incident, for the 様式第27 link
	Closed   bool   // met or subsumed
	MetAtJST string
}

// Left and Over are the countdown's figures for the templates.
func (r obligationRow) Left() int { return r.Days }

// Over is how many days the deadline has passed.
func (r obligationRow) Over() int { return -r.Days }

// handleObligations is GET /obligations: the deadlines dashboard.
func (c *Console) handleObligations(ctx *fiber.Ctx) error {
	msg := ""
	if ctx.Query("done") == "met" {
		msg = "obligations.met-done"
	}
	return c.obligationsPage(ctx, fiber.StatusOK, msg, nil, nil)
}

// obligationsPage renders the dashboard; errs and refs are the "met" form's
// errors (message ids) and values by obligation id.
func (c *Console) obligationsPage(ctx *fiber.Ctx, status int, msg string, errs, refs map[string]string) error {
	caller := callerOf(ctx)
	q := sharing.BoardQuery{Status: ctx.Query("status"), Organization: ctx.Query("organization"),
		Class: ctx.Query("class"), Period: ctx.Query("period")}
	entries, err := c.cfg.Obligations.Board(ctx.UserContext(), caller, q)
	if err != nil {
		return err
	}
	now := c.cfg.Now()
	today := reporting.DateOf(now)
	rows := make([]obligationRow, 0, len(entries))
	counts := map[string]int{}
	for _, e := range entries {
		r := obligationRow{BoardEntry: e, OrgName: c.orgName(e.Organization), RecipientName: c.orgName(e.Recipient)}
		if e.Due != nil {
			r.DueText = e.Due.String()
		}
		r.Closed = e.Status == reporting.StatusMet || e.Status == reporting.StatusSubsumed
		if e.Due != nil && !r.Closed {
			r.Days, r.HasDays = daysBetween(today, *e.Due), true
		}
		if e.MetAt != nil {
			r.MetAtJST = e.MetAt.In(tokyo).Format("2006-01-02 15:04")
		}
		if !e.OccurredAt.IsZero() {
			r.Period = c.cfg.Reports.PeriodOf(e.OccurredAt).String()
		}
		counts[string(e.Status)]++
		rows = append(rows, r)
	}
	regulator := caller.Role == sharing.RoleRegulator
	var carriers []*sharing.Organization
	if regulator {
		for _, o := range c.cfg.Registry.Organizations() {
			if o.Role == sharing.RoleCarrier {
				carriers = append(carriers, o)
			}
		}
	}
	back := url.Values{}
	for _, k := range boardFilters {
		if v := ctx.Query(k); v != "" {
			back.Set(k, v)
		}
	}
	cur := c.cfg.Reports.PeriodOf(now)
	return c.render(ctx, status, "obligations", page{Title: "obligations.title", Nav: "obligations", Message: msg, Data: map[string]any{
		"Rows":      rows,
		"Counts":    counts,
		"Regulator": regulator,
		"Carriers":  carriers,
		"Query":     q,
		"Back":      back.Encode(),
		"MayMeet":   sharing.MayMarkMet(caller),
		"Errors":    errs,
		"Refs":      refs,
		"Statuses":  []string{"overdue", "open", "met", "subsumed"},
		"Classes":   classOrder,
		"Periods":   recentPeriods(cur, q.Period, 8),
		"Current":   cur.String(),
		"Today":     today.String(),
	}})
}

// classOrder lists the statutory classes (INTERFACES.md §4), strongest first.
var classOrder = []string{
	string(reporting.Serious), string(reporting.PossiblySerious), string(reporting.Quarterly),
	string(reporting.QuarterlySimple), string(reporting.Exempt), string(reporting.NotReportable),
}

// recentPeriods lists the period cur and the n-1 before it, newest first,
// plus a chosen period outside them.
func recentPeriods(cur reporting.Period, chosen string, n int) []string {
	out := []string{}
	p := cur
	for i := 0; i < n; i++ {
		out = append(out, p.String())
		p = reporting.PeriodOf(p.Start().Time().AddDate(0, 0, -1), p.Months)
	}
	if chosen != "" {
		for _, s := range out {
			if s == chosen {
				return out
			}
		}
		out = append(out, chosen)
	}
	return out
}

// daysBetween is the number of calendar days from a to b (negative when b
// is earlier).
func daysBetween(a, b reporting.Date) int {
	return int(b.Time().Sub(a.Time()).Round(24*time.Hour) / (24 * time.Hour))
}

// handleObligationMet is POST /obligations/{id}/met with "reference": the
// obligation is met by the filed report of that reference. Errors of the
// field are shown next to it; another organization's obligation is a 404
// page and a viewer's attempt a 403 page (the service decides both).
func (c *Console) handleObligationMet(ctx *fiber.Ctx) error {
	id := ctx.Params("id")
	ref := strings.TrimSpace(ctx.FormValue("reference"))
	back := backQuery(ctx.FormValue("back"))
	_, err := c.cfg.Obligations.MarkMet(ctx.UserContext(), callerOf(ctx), id, ref)
	var field string
	status := fiber.StatusBadRequest
	switch {
	case err == nil:
		back.Set("done", "met")
		return ctx.Redirect("/obligations?"+back.Encode(), fiber.StatusSeeOther)
	case errors.Is(err, sharing.ErrInvalidArgument):
		field = "obligations.error.reference"
	case errors.Is(err, sharing.ErrConflict):
		field, status = "obligations.error.closed", fiber.StatusConflict
	default:
		return err // 404, 403, 500: the error page
	}
	// Render the dashboard the form came from, with the error by the field
	// (and a language switch that leads back to it).
	ctx.Path("/obligations")
	for _, k := range boardFilters {
		ctx.Request().URI().QueryArgs().Del(k)
		if v := back.Get(k); v != "" {
			ctx.Request().URI().QueryArgs().Set(k, v)
		}
	}
	return c.obligationsPage(ctx, status, "", map[string]string{id: field}, map[string]string{id: ref})
}

// backQuery keeps only the dashboard's filters of a form's "back" value.
func backQuery(raw string) url.Values {
	in, _ := url.ParseQuery(raw)
	out := url.Values{}
	for _, k := range boardFilters {
		if v := in.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// handleDetailedReport is GET /obligations/detailed/{incident}[?format=csv|json]:
// the detailed report of a serious accident (様式第50の3) as a printable page,
// CSV or the API's JSON.
func (c *Console) handleDetailedReport(ctx *fiber.Ctx) error {
	id := ctx.Params("incident")
	rep, err := c.cfg.Reports.Detailed(ctx.UserContext(), callerOf(ctx), id)
	if err != nil {
		return err
	}
	name := "detailed-" + strings.TrimPrefix(rep.IncidentID, "incident--")
	switch ctx.Query("format") {
	case "":
		return c.render(ctx, fiber.StatusOK, "report-detailed", page{Title: "report-print.detailed.title", Nav: "obligations", Data: map[string]any{
			"Report": rep, "Items": inJapanTime(rep.Items()), "Base": "/obligations/detailed/" + url.PathEscape(rep.IncidentID),
		}})
	case "json":
		attach(ctx, name+".json")
		return ctx.JSON(rep)
	case "csv":
		var buf bytes.Buffer
		if err := rep.WriteCSV(&buf); err != nil {
			return err
		}
		return sendCSV(ctx, name+".csv", buf.Bytes())
	}
	return fiber.NewError(fiber.StatusBadRequest, "format must be csv or json")
}

// inJapanTime shows the report's times in Japan time on the printed page
// (the CSV and JSON keep the API's RFC 3339 UTC values).
func inJapanTime(items []reporting.DetailedItem) []reporting.DetailedItem {
	for i, it := range items {
		switch it.Name {
		case "occurred_at", "aware_at", "recovered_at", "modified":
			if t, err := stix.ParseTimestamp(it.Value); err == nil {
				items[i].Value = t.In(tokyo).Format("2006-01-02 15:04:05") + " JST"
			}
		}
	}
	return items
}

// handleQuarterlyFile is GET /obligations/quarterly?period=FY2026Q2
// [&organization=ID][&format=csv|json]: the quarterly file (様式第27).
func (c *Console) handleQuarterlyFile(ctx *fiber.Ctx) error {
	p, err := reporting.ParsePeriod(ctx.Query("period"))
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "period must be a reporting period like FY2026Q2")
	}
	f, err := c.cfg.Reports.Quarterly(ctx.UserContext(), callerOf(ctx), ctx.Query("organization"), p)
	if err != nil {
		return err
	}
	name := f.Organization + "-" + f.Period
	switch ctx.Query("format") {
	case "":
		q := url.Values{"period": {f.Period}, "organization": {f.Organization}}
		return c.render(ctx, fiber.StatusOK, "report-quarterly", page{Title: "report-print.quarterly.title", Nav: "obligations", Data: map[string]any{
			"File": f, "OrgName": c.orgName(f.Organization), "Query": q.Encode(), "Simple": simpleCounts(f),
		}})
	case "json":
		attach(ctx, name+".json")
		return ctx.JSON(f)
	case "csv":
		var buf bytes.Buffer
		if err := f.WriteCSV(&buf); err != nil {
			return err
		}
		return sendCSV(ctx, name+".csv", buf.Bytes())
	}
	return fiber.NewError(fiber.StatusBadRequest, "format must be csv or json")
}

// simpleCount is one equipment's count of simple-form accidents.
type simpleCount struct {
	Equipment string
	Count     int
}

func simpleCounts(f reporting.QuarterlyFile) []simpleCount {
	out := make([]simpleCount, 0, len(f.SimpleCounts))
	for e, n := range f.SimpleCounts {
		out = append(out, simpleCount{e, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Equipment < out[j].Equipment })
	return out
}

func attach(ctx *fiber.Ctx, filename string) {
	ctx.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
}

func sendCSV(ctx *fiber.Ctx, filename string, body []byte) error {
	ctx.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	attach(ctx, filename)
	return ctx.Send(body)
}
