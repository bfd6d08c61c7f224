package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// incidentVersion is one incident of a submission with what changed
// against the caller's previous version (a follow-up report).
type incidentVersion struct {
	ID, Name, Modified string
	FollowUp           bool // there is an earlier version
	Changes            []change
}

type channelView struct {
	sharing.StoredCopy
	Reasons []anonymize.Hit
}

// submissionPage is the data of GET /submissions/{id}.
type submissionPage struct {
	Submission *sharing.Submission
	Results    []resultView
	Channels   []channelView
	Incidents  []incidentVersion
	Held       bool
	MayRelease bool
	ShareWith  []orgOption
	Warnings   []stix.Warning // what the reference validator would warn about, with pointers
}

// handleSubmission is GET /submissions/{id}: the caller's own submission;
// another organization's is 404 (the service decides).
func (c *Console) handleSubmission(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	v, err := c.cfg.Submissions.Find(ctx.UserContext(), caller, ctx.Params("id"), true)
	if err != nil {
		return err
	}
	p := submissionPage{Submission: v.Submission, MayRelease: sharing.MaySubmit(caller), Warnings: v.Warnings}
	// The obligations as they stand now (met, overdue, escalated), with the
	// evidence of this version's classification.
	for _, r := range v.Submission.Incidents {
		var obls []reporting.Obligation
		for _, o := range v.Obligations {
			if o.IncidentID == r.IncidentID {
				obls = append(obls, o)
			}
		}
		p.Results = append(p.Results, resultViewOf(r, obls))
	}
	for _, cp := range v.Copies {
		p.Channels = append(p.Channels, channelView{StoredCopy: cp, Reasons: cp.Hits})
		if cp.Status == sharing.StatusHeld {
			p.Held = true
		}
	}
	for _, id := range v.Submission.ShareWith {
		name := id
		if o, err := c.cfg.Registry.FindOrganizationByID(id); err == nil {
			name = o.Name
		}
		p.ShareWith = append(p.ShareWith, orgOption{ID: id, Name: name})
	}
	if b, err := stix.DecodeBundle(v.Bundle, stix.Limits{}); err == nil {
		for _, o := range b.Objects {
			if _, ok, _ := o.TelecomExtension(); !ok || o.Type != "incident" {
				continue
			}
			iv := incidentVersion{ID: o.ID, Modified: o.Version()}
			iv.Name, _ = o.Props["name"].(string)
			prev, err := c.cfg.Submissions.PreviousVersion(ctx.UserContext(), caller, o.ID, o.Version())
			switch {
			case errors.Is(err, sharing.ErrNotFound):
			case err != nil:
				return err
			default:
				before, err1 := valuesOf(prev)
				now, err2 := valuesOf(o)
				if err1 == nil && err2 == nil {
					iv.FollowUp = true
					iv.Changes = diffVersions(before, now)
				}
			}
			p.Incidents = append(p.Incidents, iv)
		}
	}
	msg := ""
	if ctx.Query("released") != "" {
		msg = "report.submission.released"
	}
	return c.render(ctx, fiber.StatusOK, "submission", page{Title: "report.submission.title", Nav: "report", Data: p, Message: msg})
}

// previewObject is one object of a copy, readably.
type previewObject struct {
	ID, Type, Name, TLP, TLPClass string
	Telecom                       []change // the telecom facts as label/value pairs (Now)
	JSON                          string   // indented, in a <details>
}

type previewCopy struct {
	channelView
	Objects []previewObject
}

// handlePreview is GET /submissions/{id}/preview/{channel}: exactly what
// that channel gets of the caller's submission.
func (c *Console) handlePreview(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	ch, err := sharing.ParseChannel(ctx.Params("channel"))
	if err != nil {
		return fmt.Errorf("%v: %w", err, sharing.ErrNotFound)
	}
	copies, err := c.cfg.Releases.Preview(ctx.UserContext(), caller, ctx.Params("id"), ch)
	if err != nil {
		return err
	}
	var out []previewCopy
	for _, cp := range copies {
		pc := previewCopy{channelView: channelView{StoredCopy: cp, Reasons: cp.Hits}}
		if cp.Bundle != nil {
			b, err := stix.DecodeBundle(cp.Bundle, stix.Limits{})
			if err != nil {
				return fmt.Errorf("decode copy: %w", err)
			}
			for _, o := range b.Objects {
				pc.Objects = append(pc.Objects, previewOf(o))
			}
		}
		out = append(out, pc)
	}
	return c.render(ctx, fiber.StatusOK, "submission-preview", page{Title: "report.preview.title", Nav: "report", Data: map[string]any{
		"SubmissionID": ctx.Params("id"), "Channel": string(ch), "Copies": out}})
}

func previewOf(o *stix.Object) previewObject {
	po := previewObject{ID: o.ID, Type: o.Type}
	po.Name, _ = o.Props["name"].(string)
	if po.Name == "" {
		po.Name, _ = o.Props["abstract"].(string)
	}
	if t, ok := o.TLP(); ok {
		po.TLP, po.TLPClass = t.String(), tlpClass(t.String())
	}
	if v, err := valuesOf(o); err == nil && o.Type == "incident" {
		if _, ok, _ := o.TelecomExtension(); ok {
			for _, k := range sortedKeys(v) {
				if k == "incident_id" || k == "created" || v[k] == "" {
					continue
				}
				po.Telecom = append(po.Telecom, change{Field: k, Label: labelOf(k), Now: v[k]})
			}
		}
	}
	if js, err := json.MarshalIndent(o.Props, "", "  "); err == nil {
		po.JSON = string(js)
	}
	return po
}

// handleRelease is POST /submissions/{id}/release: the held copies go out;
// back to the submission (303).
func (c *Console) handleRelease(ctx *fiber.Ctx) error {
	n, err := c.cfg.Releases.Release(ctx.UserContext(), callerOf(ctx), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.Redirect("/submissions/"+ctx.Params("id")+"?released="+strconv.Itoa(n), fiber.StatusSeeOther)
}

// tlpClass is the CSS class of a TLP label (console.css).
func tlpClass(t string) string { return "tlp-" + strings.ReplaceAll(t, "+", "-") }
