package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// field is one input of the report form as the template shows it.
type field struct {
	Name     string
	ID       string // the element id, for <label for>
	Label    string // message id
	Value    string
	Errors   []string // localized, shown next to the input
	Warnings []string
}

// Checked is true for a ticked checkbox.
func (f *field) Checked() bool { return f.Value != "" }

type stepView struct {
	M                 int
	Start, End, Users *field
}

type serviceView struct {
	N      int
	Number int // N+1, as people count
	Fields map[string]*field
	Steps  []stepView
}

type orgOption struct {
	ID, Name string
	Checked  bool
}

// problem is a violation or warning listed in the check fragment, with the
// label of its field (empty when no single field stands for it).
type problem struct {
	Field, Label, Message string
}

// Anchor is the element id of the problem's field.
func (p problem) Anchor() string { return fieldID(p.Field) }

// fieldID is the element id of a form field.
func fieldID(name string) string { return "f-" + strings.NewReplacer(".", "-", "+", "-").Replace(name) }

type obligationView struct {
	reporting.Obligation
	DueText string   // YYYY-MM-DD or ""
	Rules   []string // the evidence that triggered it
}

type resultView struct {
	IncidentID     string
	Classification reporting.Classification
	Provisional    bool
	Obligations    []obligationView
	Evidence       []reporting.Evidence
}

// checkView is the live classification: the fragment the form shows while
// the user types, and again after a "check" without script.
type checkView struct {
	Ran      bool
	Results  []resultView
	Errors   []problem
	Warnings []problem
}

// reportPage is the data of the report form.
type reportPage struct {
	Field    map[string]*field
	Services []serviceView
	Vocab    map[string][]string
	TLPs     []string
	Orgs     []orgOption
	Check    checkView
	General  []string // errors no field stands for
	Hold     bool
	FollowUp bool
}

// reportFields are the single fields of the form besides the services.
var reportFields = []string{"incident_id", "created", "name", "description", "report_kind", "cause", "occurred_at", "aware_at",
	"recovered_at", "failed_equipment", "same_premises_only", "disaster.kind", "disaster.name", "disaster.seismic_intensity",
	"disaster.emergency_network_reported", "disaster.emergency_measures_completed_at", "cyber.attack_type",
	"cyber.outbound_attack_on_facility", "osore.situation", "osore.core_network", "osore.prefectures", "tlp", "share_with",
	"hold_for_review", "designs"}

var serviceFields = []string{"service_class", "impact", "affected_users", "users_unknown", "additional_feature_only", "stopped_bandwidth_bps"}

// newReportPage lays out the form for values.
func (c *Console) newReportPage(caller *sharing.Organization, f formValues) *reportPage {
	p := &reportPage{Field: map[string]*field{}, Vocab: stix.TelecomVocabularies(),
		TLPs: []string{"clear", "green", "amber", "amber+strict", "red"}}
	mk := func(name string) *field {
		fl := &field{Name: name, ID: fieldID(name), Label: labelOf(name), Value: f.v[name]}
		p.Field[name] = fl
		return fl
	}
	for _, n := range reportFields {
		mk(n)
	}
	if p.Field["tlp"].Value == "" {
		p.Field["tlp"].Value = caller.EffectiveDefaultTLP().String()
	}
	p.FollowUp = p.Field["incident_id"].Value != ""
	p.Hold = f.v["hold_for_review"] != ""
	services, steps := blockCounts(f.v)
	for i := 0; i < services; i++ {
		sv := serviceView{N: i, Number: i + 1, Fields: map[string]*field{}}
		for _, n := range serviceFields {
			sv.Fields[n] = mk(fmt.Sprintf("services.%d.%s", i, n))
		}
		for j := 0; j < steps[i]; j++ {
			q := fmt.Sprintf("services.%d.profile.%d.", i, j)
			sv.Steps = append(sv.Steps, stepView{M: j, Start: mk(q + "start"), End: mk(q + "end"), Users: mk(q + "users")})
		}
		p.Services = append(p.Services, sv)
	}
	for _, o := range c.cfg.Registry.Organizations() {
		if o.ID == caller.ID {
			continue
		}
		p.Orgs = append(p.Orgs, orgOption{ID: o.ID, Name: o.Name, Checked: slices.Contains(f.shareWith, o.ID)})
	}
	return p
}

// attach puts messages next to their fields; those of no field (or of a
// field the form does not show) go above the form.
func (p *reportPage) attach(errs, warns []problem) {
	for _, e := range errs {
		if fl := p.Field[e.Field]; fl != nil {
			fl.Errors = append(fl.Errors, e.Message)
		} else {
			p.General = append(p.General, e.Message)
		}
	}
	for _, w := range warns {
		if fl := p.Field[w.Field]; fl != nil {
			fl.Warnings = append(fl.Warnings, w.Message)
		}
	}
}

// readForm reads the posted form, urlencoded or multipart, into values.
func readForm(ctx *fiber.Ctx) formValues {
	f := formValues{v: map[string]string{}}
	if mf, err := ctx.MultipartForm(); err == nil && mf != nil {
		for k, vs := range mf.Value {
			if k == "share_with" {
				f.shareWith = append(f.shareWith, vs...)
			} else if len(vs) > 0 {
				f.v[k] = vs[0]
			}
		}
		return f
	}
	ctx.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == "share_with" {
			f.shareWith = append(f.shareWith, string(v))
		} else if _, seen := f.v[string(k)]; !seen {
			f.v[string(k)] = string(v)
		}
	})
	return f
}

// handleReportForm is GET /reports/new; ?from={submission id} starts a
// follow-up report from the incident of that submission.
func (c *Console) handleReportForm(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	if !sharing.MaySubmit(caller) {
		return fmt.Errorf("your role may not submit reports: %w", sharing.ErrForbidden)
	}
	f := formValues{v: map[string]string{}}
	if from := ctx.Query("from"); from != "" {
		v, err := c.cfg.Submissions.Find(ctx.UserContext(), caller, from, true)
		if err != nil {
			return err
		}
		inc, err := incidentOf(v.Bundle)
		if err != nil {
			return err
		}
		if f.v, err = valuesOf(inc); err != nil {
			return err
		}
		f.shareWith = v.Submission.ShareWith
	}
	p := c.newReportPage(caller, f)
	title := "report.title"
	if p.FollowUp {
		title = "report.title-follow-up"
	}
	return c.render(ctx, fiber.StatusOK, "report", page{Title: title, Nav: "report", Data: p})
}

// incidentOf finds the telecom incident of a stored bundle.
func incidentOf(raw json.RawMessage) (*stix.Object, error) {
	b, err := stix.DecodeBundle(raw, stix.Limits{})
	if err != nil {
		return nil, err
	}
	for _, o := range b.Objects {
		if _, ok, _ := o.TelecomExtension(); ok && o.Type == "incident" {
			return o, nil
		}
	}
	return nil, fmt.Errorf("the submission has no telecom incident to follow up: %w", sharing.ErrNotFound)
}

// drafted is a form built into a bundle, with the problems found so far.
type drafted struct {
	built *sharing.BuiltDraft
	errs  []problem
}

// draftOf reads and builds the form; withDesigns reads the uploaded files too.
func (c *Console) draftOf(ctx *fiber.Ctx, caller *sharing.Organization, f formValues, withDesigns bool) (drafted, error) {
	lang := langOf(ctx)
	d, parseErrs := parseReport(f)
	if withDesigns {
		mf, _ := ctx.MultipartForm()
		designs, derrs := readDesigns(mf)
		d.Designs = designs
		for k, v := range derrs {
			parseErrs[k] = append(parseErrs[k], v...)
		}
	}
	var out drafted
	for _, name := range sortedKeys(parseErrs) {
		for _, m := range parseErrs[name] {
			out.errs = append(out.errs, problem{Field: name, Label: labelOf(name), Message: c.i18n.text(lang, m.ID, m.Data)})
		}
	}
	built, err := d.Build(caller, c.cfg.Now())
	if err != nil {
		return out, err
	}
	out.built = built
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, compareFieldNames)
	return out
}

// problemsOf maps violations (pointers into the built bundle, optionally
// under prefix) to fields, skipping fields that already have a parse error
// (the parse error says what is wrong in the user's terms).
func (c *Console) problemsOf(ctx *fiber.Ctx, built *sharing.BuiltDraft, v []stix.Violation, prefix string, already []problem) []problem {
	lang := langOf(ctx)
	had := map[string]bool{}
	for _, p := range already {
		had[p.Field] = true
	}
	out := already
	for _, x := range v {
		ptr := strings.TrimPrefix(x.Path, prefix)
		fieldName := built.FieldOf(ptr)
		switch {
		case strings.HasPrefix(x.Path, "/share_with"):
			fieldName = "share_with"
		case fieldName == "" && ptr == x.Path && prefix != "" && strings.HasPrefix(x.Path, "/hold_for_review"):
			fieldName = "hold_for_review"
		}
		if had[fieldName] && fieldName != "" {
			continue
		}
		label := ""
		if fieldName != "" {
			label = c.i18n.text(lang, labelOf(fieldName), nil)
		}
		out = append(out, problem{Field: fieldName, Label: label, Message: x.Message})
	}
	return out
}

// assess runs the dry run on a built draft and returns the check fragment's data.
func (c *Console) assess(ctx *fiber.Ctx, caller *sharing.Organization, d drafted) (checkView, error) {
	a, err := c.cfg.Intake.Assess(ctx.UserContext(), caller, d.built.Bundle)
	if err != nil {
		return checkView{}, err
	}
	cv := checkView{Ran: true}
	cv.Errors = c.problemsOf(ctx, d.built, a.Violations, "", d.errs)
	for i := range cv.Errors {
		if cv.Errors[i].Label == "" && cv.Errors[i].Field != "" {
			cv.Errors[i].Label = c.i18n.text(langOf(ctx), labelOf(cv.Errors[i].Field), nil)
		}
	}
	for _, w := range a.Warnings {
		name := d.built.FieldOf(w.Path)
		label := ""
		if name != "" {
			label = c.i18n.text(langOf(ctx), labelOf(name), nil)
		}
		cv.Warnings = append(cv.Warnings, problem{Field: name, Label: label, Message: w.Message})
	}
	for _, r := range a.Incidents {
		cv.Results = append(cv.Results, resultViewOf(r, r.Obligations))
	}
	return cv, nil
}

// evidencePrefixes names, per obligation kind, the rules whose evidence
// triggers it (reporting/classify.go).
var evidencePrefixes = map[reporting.Kind][]string{
	reporting.KindSeriousFirstReport:    {"serious/", "possibly-serious/", "proxy/"},
	reporting.KindSeriousDetailedReport: {"serious/", "proxy/"},
	reporting.KindQuarterlyReport:       {"quarterly/item", "serious/"},
	reporting.KindQuarterlySimpleReport: {"quarterly/"},
	reporting.KindOsoreReport:           {"osore/"},
	reporting.KindDisasterDamageReport:  {"disaster/"},
	reporting.KindCabinetDisasterReport: {"disaster/"},
	reporting.KindNISCSharing:           {"nisc/"},
}

func resultViewOf(r reporting.Result, obls []reporting.Obligation) resultView {
	rv := resultView{IncidentID: r.IncidentID, Classification: r.Classification, Provisional: r.Provisional, Evidence: r.Evidence}
	for _, o := range obls {
		ov := obligationView{Obligation: o}
		if o.Due != nil {
			ov.DueText = o.Due.String()
		}
		for _, e := range r.Evidence {
			for _, p := range evidencePrefixes[o.Kind] {
				if strings.HasPrefix(e.Rule, p) && !(o.Kind == reporting.KindQuarterlyReport && p == "serious/" && r.Classification != reporting.Serious) {
					ov.Rules = append(ov.Rules, evidenceText(e))
					break
				}
			}
		}
		rv.Obligations = append(rv.Obligations, ov)
	}
	return rv
}

func evidenceText(e reporting.Evidence) string {
	if e.Service != nil {
		return fmt.Sprintf("%s (services.%d): %s", e.Rule, *e.Service, e.Detail)
	}
	return e.Rule + ": " + e.Detail
}

// handleReportCheck is POST /reports/check: the live classification of the
// caller's draft as an HTML fragment. It stores nothing.
func (c *Console) handleReportCheck(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	d, err := c.draftOf(ctx, caller, readForm(ctx), false)
	if err != nil {
		return err
	}
	cv, err := c.assess(ctx, caller, d)
	if err != nil {
		return err
	}
	return c.renderFragment(ctx, "report", "report-check", cv)
}

// renderFragment writes one named template of a page's set, without the layout.
func (c *Console) renderFragment(ctx *fiber.Ctx, pageName, name string, data any) error {
	t := c.pages[langOf(ctx)][pageName]
	if t == nil {
		return fmt.Errorf("console: no page %q", pageName)
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return fmt.Errorf("console fragment %s: %w", name, err)
	}
	ctx.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	ctx.Set("Content-Security-Policy", policy)
	ctx.Set(fiber.HeaderCacheControl, "no-store")
	return ctx.SendString(b.String())
}

// handleReportCreate is POST /reports: "check" re-renders the form with the
// classification (no script needed); submit sends the report through the
// intake like the API and redirects (303) to the submission.
func (c *Console) handleReportCreate(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	if !sharing.MaySubmit(caller) {
		return fmt.Errorf("your role may not submit reports: %w", sharing.ErrForbidden)
	}
	f := readForm(ctx)
	p := c.newReportPage(caller, f)
	title := "report.title"
	if p.FollowUp {
		title = "report.title-follow-up"
	}
	check := f.v["action"] == "check"
	d, err := c.draftOf(ctx, caller, f, !check)
	if err != nil {
		return err
	}
	if check || len(d.errs) > 0 {
		if p.Check, err = c.assess(ctx, caller, d); err != nil {
			return err
		}
		p.attach(p.Check.Errors, p.Check.Warnings)
		status := fiber.StatusOK
		if !check {
			status = fiber.StatusUnprocessableEntity
		}
		return c.render(ctx, status, "report", page{Title: title, Nav: "report", Data: p})
	}
	bundle, err := json.Marshal(d.built.Bundle)
	if err != nil {
		return err
	}
	shareWith := f.shareWith
	if shareWith == nil {
		shareWith = []string{}
	}
	body, err := json.Marshal(map[string]any{"bundle": json.RawMessage(bundle), "share_with": shareWith, "hold_for_review": p.Hold})
	if err != nil {
		return err
	}
	refused := func(re *sharing.RefusedError) error {
		if p.Check, err = c.assess(ctx, caller, d); err != nil {
			return err
		}
		// The intake's own refusals (ownership, share_with, designs) come
		// first; the dry run's add what else it knows.
		errs := c.problemsOf(ctx, d.built, re.Violations, "/bundle", nil)
		seen := map[string]bool{}
		for _, e := range errs {
			seen[e.Field+"\x00"+e.Message] = true
		}
		for _, e := range p.Check.Errors {
			if !seen[e.Field+"\x00"+e.Message] {
				errs = append(errs, e)
			}
		}
		p.Check.Errors = errs
		p.attach(errs, p.Check.Warnings)
		return c.render(ctx, fiber.StatusUnprocessableEntity, "report", page{Title: title, Nav: "report", Data: p, Message: "report.refused"})
	}
	req, err := c.cfg.Intake.ParseSubmission(caller, body)
	var re *sharing.RefusedError
	if errors.As(err, &re) {
		return refused(re)
	}
	if err != nil {
		return err
	}
	sub, _, err := c.cfg.Intake.Submit(ctx.UserContext(), caller, req)
	if errors.As(err, &re) {
		return refused(re)
	}
	if err != nil {
		return err
	}
	return ctx.Redirect("/submissions/"+sub.ID, fiber.StatusSeeOther)
}
