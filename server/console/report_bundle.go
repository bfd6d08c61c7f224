package console

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// bundlePage is the data of the paste-or-upload form.
type bundlePage struct {
	Bundle     string
	Orgs       []orgOption
	Hold       bool
	Violations []problem
}

func (c *Console) bundlePage(caller *sharing.Organization, f formValues) *bundlePage {
	p := &bundlePage{Bundle: f.v["bundle"], Hold: f.v["hold_for_review"] != ""}
	for _, o := range c.cfg.Registry.Organizations() {
		if o.ID != caller.ID {
			p.Orgs = append(p.Orgs, orgOption{ID: o.ID, Name: o.Name, Checked: contains(f.shareWith, o.ID)})
		}
	}
	return p
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// handleBundleForm is GET /reports/bundle: for those who already have a
// STIX bundle, a textarea and a file input.
func (c *Console) handleBundleForm(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	if !sharing.MaySubmit(caller) {
		return errors.Join(errors.New("your role may not submit reports"), sharing.ErrForbidden)
	}
	return c.render(ctx, fiber.StatusOK, "report-bundle", page{Title: "report.bundle.title", Nav: "report", Data: c.bundlePage(caller, formValues{v: map[string]string{}})})
}

// handleBundleCreate is POST /reports/bundle: the pasted or uploaded
// bundle goes through the intake exactly as the API's body does.
func (c *Console) handleBundleCreate(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	f := readForm(ctx)
	p := c.bundlePage(caller, f)
	raw := []byte(f.v["bundle"])
	if mf, err := ctx.MultipartForm(); err == nil && mf != nil && len(mf.File["bundle_file"]) > 0 && mf.File["bundle_file"][0].Size > 0 {
		fh := mf.File["bundle_file"][0]
		r, err := fh.Open()
		if err != nil {
			return err
		}
		raw, err = io.ReadAll(r)
		r.Close()
		if err != nil {
			return err
		}
	}
	invalid := func(v []problem) error {
		p.Violations = v
		return c.render(ctx, fiber.StatusUnprocessableEntity, "report-bundle", page{Title: "report.bundle.title", Nav: "report", Data: p, Message: "report.refused"})
	}
	if len(raw) == 0 {
		return invalid([]problem{{Message: c.i18n.text(langOf(ctx), "report.bundle.err.empty", nil)}})
	}
	body := raw
	if len(f.shareWith) > 0 || p.Hold {
		if !json.Valid(raw) {
			return invalid([]problem{{Message: c.i18n.text(langOf(ctx), "report.bundle.err.json", nil)}})
		}
		var err error
		if body, err = json.Marshal(map[string]any{"bundle": json.RawMessage(raw), "share_with": f.shareWith, "hold_for_review": p.Hold}); err != nil {
			return err
		}
	}
	var re *sharing.RefusedError
	req, err := c.cfg.Intake.ParseSubmission(caller, body)
	if err == nil {
		var sub *sharing.Submission
		sub, _, err = c.cfg.Intake.Submit(ctx.UserContext(), caller, req)
		if err == nil {
			return ctx.Redirect("/submissions/"+sub.ID, fiber.StatusSeeOther)
		}
	}
	if errors.As(err, &re) {
		var v []problem
		for _, x := range re.Violations {
			v = append(v, problem{Field: x.Path, Message: x.Message})
		}
		return invalid(v)
	}
	return err
}
