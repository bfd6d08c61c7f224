package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// The signal form (issue #16 item 1): a carrier's reporter says "we see
// trouble" in seconds — when, what, where — and nothing else is required.
// sharing.SignalDraft builds the incident; it goes through the same intake
// as the API and lands on the submission page.

// signalForm is a posted signal form: single values by name, and the
// regions ticked.
type signalForm struct {
	v       map[string]string
	regions []string
}

func (f signalForm) get(name string) string { return strings.TrimSpace(f.v[name]) }

// readSignalForm reads an urlencoded signal form; regions may repeat.
func readSignalForm(ctx *fiber.Ctx) signalForm {
	f := signalForm{v: map[string]string{}}
	ctx.Request().PostArgs().VisitAll(func(k, v []byte) {
		switch key := string(k); {
		case key == "regions":
			f.regions = append(f.regions, string(v))
		default:
			if _, seen := f.v[key]; !seen {
				f.v[key] = string(v)
			}
		}
	})
	return f
}

// listSeparators split the ASN and prefix fields: commas, spaces, new lines
// and their Japanese forms (、，　).
var listSeparators = regexp.MustCompile(`[\s,、，]+`)

func splitList(s string) []string {
	var out []string
	for _, x := range listSeparators.Split(strings.TrimSpace(s), -1) {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// parseSignal reads the form into a draft. What cannot be read becomes a
// message next to its field, in the person's words; the draft's own check
// (sharing.BuiltSignal.Violations) judges the rest.
func parseSignal(f signalForm) (sharing.SignalDraft, map[string][]fieldMsg) {
	errs := map[string][]fieldMsg{}
	bad := func(field, id string, data map[string]any) {
		errs[field] = append(errs[field], fieldMsg{ID: id, Data: data})
	}
	d := sharing.SignalDraft{Symptom: f.get("symptom"), ServiceClass: f.get("service_class"), Note: f.get("note")}
	if s := f.get("observed_at"); s == "" {
		bad("observed_at", "signal.err.required", nil)
	} else if t, err := parseLocal(s); err != nil {
		bad("observed_at", "signal.err.datetime", map[string]any{"Value": s})
	} else {
		d.ObservedAt = t
	}
	if d.Symptom == "" {
		bad("symptom", "signal.err.required", nil)
	}
	for _, r := range f.regions {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(d.Regions, r) {
			d.Regions = append(d.Regions, r)
		}
	}
	for _, s := range splitList(f.get("upstream_asns")) {
		// "AS64500" and "64500" are the same number.
		n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimPrefix(s, "AS"), "as"), 10, 64)
		if err != nil || n < 1 || n > 4294967295 {
			bad("upstream_asns", "signal.err.asn", map[string]any{"Value": s})
			continue
		}
		d.UpstreamASNs = append(d.UpstreamASNs, n)
	}
	for _, s := range splitList(f.get("prefixes")) {
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil:
			bad("prefixes", "signal.err.prefix", map[string]any{"Value": s})
		case p != p.Masked():
			bad("prefixes", "signal.err.prefix-host", map[string]any{"Value": s, "Network": p.Masked().String()})
		default:
			d.Prefixes = append(d.Prefixes, p.String())
		}
	}
	if s := f.get("tlp"); s != "" {
		t, err := stix.ParseTLP(s)
		if err != nil {
			bad("tlp", "signal.err.tlp", nil)
		}
		d.TLP = t
	}
	return d, errs
}

// regionOption is one prefecture checkbox.
type regionOption struct {
	Code, Name string
	Checked    bool
}

// signalPage is the data of the signal form.
type signalPage struct {
	Field    map[string]*field
	Symptoms []outage.Symptom
	Services []string
	TLPs     []string
	Regions  []regionOption
	General  []string // messages no field stands for
}

// newSignalPage lays out the form for values.
func newSignalPage(caller *sharing.Organization, f signalForm, lang string) *signalPage {
	p := &signalPage{Field: map[string]*field{}, Symptoms: outage.Symptoms, Services: outage.ServiceClasses,
		TLPs: []string{"clear", "green", "amber", "amber+strict", "red"}}
	for _, n := range sharing.SignalFields {
		p.Field[n] = &field{Name: n, ID: fieldID(n), Label: "signal.f." + n, Value: f.v[n]}
	}
	if p.Field["tlp"].Value == "" {
		p.Field["tlp"].Value = caller.EffectiveDefaultTLP().String()
	}
	for _, pr := range prefectures {
		p.Regions = append(p.Regions, regionOption{Code: pr.Code, Name: pr.Name(lang), Checked: slices.Contains(f.regions, pr.Code)})
	}
	return p
}

// attach puts each message next to its field, or above the form.
func (p *signalPage) attach(field, msg string) {
	if fl := p.Field[field]; fl != nil {
		fl.Errors = append(fl.Errors, msg)
		return
	}
	p.General = append(p.General, msg)
}

// handleSignalForm is GET /signals/new; observed_at starts at now.
func (c *Console) handleSignalForm(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	if !sharing.MaySubmit(caller) {
		return fmt.Errorf("your role may not send outage signals: %w", sharing.ErrForbidden)
	}
	f := signalForm{v: map[string]string{"observed_at": c.cfg.Now().In(tokyo).Format("2006-01-02T15:04")}}
	return c.render(ctx, fiber.StatusOK, "signal", page{Title: "signal.title", Nav: "signal", Data: newSignalPage(caller, f, langOf(ctx))})
}

// handleSignalCreate is POST /signals: the signal goes through the intake
// like the API's (no classification: it is a signal) and the browser is
// sent (303) to its submission; a bad form comes back with each problem
// next to its field.
func (c *Console) handleSignalCreate(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	if !sharing.MaySubmit(caller) {
		return fmt.Errorf("your role may not send outage signals: %w", sharing.ErrForbidden)
	}
	lang := langOf(ctx)
	f := readSignalForm(ctx)
	p := newSignalPage(caller, f, lang)
	again := func(message string) error {
		return c.render(ctx, fiber.StatusUnprocessableEntity, "signal", page{Title: "signal.title", Nav: "signal", Data: p, Message: message})
	}
	d, parseErrs := parseSignal(f)
	for _, name := range sortedKeys(parseErrs) {
		for _, m := range parseErrs[name] {
			p.attach(name, c.i18n.text(lang, m.ID, m.Data))
		}
	}
	built, err := d.Build(caller, c.cfg.Now())
	if err != nil {
		return err
	}
	// The draft's own check, except where the form already said what is
	// wrong in the person's words.
	violations := func(vs []stix.Violation, prefix string) {
		for _, v := range vs {
			name := built.FieldOf(strings.TrimPrefix(v.Path, prefix))
			if _, said := parseErrs[name]; said && name != "" {
				continue
			}
			p.attach(name, v.Message)
		}
	}
	violations(built.Violations, "")
	if len(parseErrs) > 0 || len(built.Violations) > 0 {
		return again("")
	}
	bundle, err := json.Marshal(built.Bundle)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"bundle": json.RawMessage(bundle), "share_with": []string{}})
	if err != nil {
		return err
	}
	req, err := c.cfg.Intake.ParseSubmission(caller, body)
	var re *sharing.RefusedError
	if err == nil {
		var sub *sharing.Submission
		sub, _, err = c.cfg.Intake.Submit(ctx.UserContext(), caller, req)
		if err == nil {
			return ctx.Redirect("/submissions/"+sub.ID, fiber.StatusSeeOther)
		}
	}
	if errors.As(err, &re) {
		violations(re.Violations, "/bundle")
		return again("signal.refused")
	}
	return err
}
