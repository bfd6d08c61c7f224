package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// submissionResponse is the body of INTERFACES.md §6 for a submission.
// Classification (incidents) and routing (channels) are filled by later stages.
type submissionResponse struct {
	SubmissionID  string                    `json:"submission_id"`
	Status        string                    `json:"status"`
	Organization  string                    `json:"organization"`
	ReceivedAt    string                    `json:"received_at"`
	ShareWith     []string                  `json:"share_with"`
	HoldForReview bool                      `json:"hold_for_review"`
	Objects       []sharing.SubmittedObject `json:"objects"`
	Incidents     []reporting.Result        `json:"incidents"`
	Obligations   []reporting.Obligation    `json:"obligations"`
	Channels      []channelStatus           `json:"channels"`
	Bundle        json.RawMessage           `json:"bundle,omitempty"`
}

func newSubmissionResponse(sub *sharing.Submission, status string) submissionResponse {
	r := submissionResponse{
		SubmissionID: sub.ID, Status: status, Organization: sub.Organization,
		ReceivedAt: sub.ReceivedAt.UTC().Format(time.RFC3339Nano), ShareWith: sub.ShareWith,
		HoldForReview: sub.HoldForReview, Objects: sub.Objects,
		Incidents: sub.Incidents, Obligations: []reporting.Obligation{}, Channels: []channelStatus{},
	}
	if r.Incidents == nil {
		r.Incidents = []reporting.Result{}
	}
	for _, inc := range sub.Incidents {
		r.Obligations = append(r.Obligations, inc.Obligations...)
	}
	if r.ShareWith == nil {
		r.ShareWith = []string{}
	}
	return r
}

// channelStatus is a routing-plan element (INTERFACES.md §5) with the status
// of its copy (§6): released, held or withheld, and why.
type channelStatus struct {
	sharing.Route
	Status  sharing.ReleaseStatus `json:"status"`
	Notice  string                `json:"notice,omitempty"`
	Reasons []anonymize.Hit       `json:"reasons,omitempty"`
}

func channelStatuses(copies []sharing.StoredCopy) []channelStatus {
	out := make([]channelStatus, 0, len(copies))
	for _, c := range copies {
		out = append(out, channelStatus{Route: c.Route, Status: c.Status, Notice: c.Notice, Reasons: c.Hits})
	}
	return out
}

// acceptedMediaTypes are the content types a submission may be sent as.
var acceptedMediaTypes = []string{"application/json", "application/stix+json", "application/taxii+json"}

func checkContentType(c *fiber.Ctx) error {
	ct := c.Get(fiber.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		for _, ok := range acceptedMediaTypes {
			if mt == ok {
				return nil
			}
		}
	}
	return newError(fiber.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported content type",
		fmt.Sprintf("content type %q is not accepted; send the bundle as %s", ct, strings.Join(acceptedMediaTypes, ", ")))
}

// handleSubmissionCreate is POST /api/v1/submissions.
func (s *Server) handleSubmissionCreate(c *fiber.Ctx) error {
	if err := checkContentType(c); err != nil {
		return err
	}
	p := caller(c)
	req, err := s.cfg.Intake.ParseSubmission(c.Body())
	if err == nil {
		var sub *sharing.Submission
		var created bool
		sub, created, err = s.cfg.Intake.Submit(c.UserContext(), p.Org, req)
		if err == nil {
			r := newSubmissionResponse(sub, "accepted")
			copies, err := s.cfg.Store.FindCopies(c.UserContext(), sub.ID)
			if err != nil {
				return err
			}
			r.Channels = channelStatuses(copies)
			if !created {
				s.metrics.submissions.WithLabelValues("duplicate").Inc()
				return c.Status(fiber.StatusOK).JSON(r)
			}
			s.metrics.submissions.WithLabelValues("accepted").Inc()
			c.Location("/api/v1/submissions/" + sub.ID)
			return c.Status(fiber.StatusCreated).JSON(r)
		}
	}
	s.metrics.submissions.WithLabelValues("refused").Inc()
	return err
}

// handleSubmissionGet is GET /api/v1/submissions/{id}: the submitter's own
// only; for anyone else it does not exist (404).
func (s *Server) handleSubmissionGet(c *fiber.Ctx) error {
	p := caller(c)
	sub, err := s.cfg.Store.FindSubmissionByID(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if sub.Organization != p.Org.ID {
		return fmt.Errorf("submission of another organization: %w", sharing.ErrNotFound)
	}
	bundle, err := s.submissionBundle(c, sub)
	if err != nil {
		return err
	}
	r := newSubmissionResponse(sub, "accepted")
	r.Bundle = bundle
	copies, err := s.cfg.Store.FindCopies(c.UserContext(), sub.ID)
	if err != nil {
		return err
	}
	r.Channels = channelStatuses(copies)
	// The obligations as they stand now (met, overdue, escalated by later versions).
	r.Obligations = []reporting.Obligation{}
	for _, inc := range sub.Incidents {
		id := inc.IncidentID
		obls, err := s.cfg.Store.FindObligations(c.UserContext(), reporting.ObligationFilter{IncidentID: &id, Organization: &sub.Organization})
		if err != nil {
			return err
		}
		r.Obligations = append(r.Obligations, obls...)
	}
	return c.JSON(r)
}

// submissionBundle rebuilds the bundle of a submission from the stored versions.
func (s *Server) submissionBundle(c *fiber.Ctx, sub *sharing.Submission) (json.RawMessage, error) {
	var b strings.Builder
	b.WriteString(`{"type":"bundle","id":`)
	id := sub.BundleID
	if id == "" {
		id = "bundle--" + sub.ID
	}
	idJSON, _ := json.Marshal(id)
	b.Write(idJSON)
	b.WriteString(`,"objects":[`)
	for i, o := range sub.Objects {
		stored, err := s.cfg.Store.FindObjectVersion(c.UserContext(), sharing.ObjectKey{ID: o.ID, Version: o.Version})
		if err != nil {
			if errors.Is(err, sharing.ErrNotFound) {
				return nil, fmt.Errorf("object %s of submission %s is missing from the store: %v", o.ID, sub.ID, err)
			}
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(stored.JSON)
	}
	b.WriteString("]}")
	return json.RawMessage(b.String()), nil
}
