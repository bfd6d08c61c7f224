package server

import (
	"encoding/json"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
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
	// Warnings are what the OASIS reference validator would warn about (SHOULDs):
	// told, never refused (docs/stix-profile.md). Only in the intake answer.
	Warnings []stix.Warning  `json:"warnings,omitempty"`
	Bundle   json.RawMessage `json:"bundle,omitempty"`
}

func newSubmissionResponse(sub *sharing.Submission, status string) submissionResponse {
	r := submissionResponse{
		SubmissionID: sub.ID, Status: status, Organization: sub.Organization,
		ReceivedAt: sub.ReceivedAt.UTC().Format(time.RFC3339Nano), ShareWith: sub.ShareWith,
		HoldForReview: sub.HoldForReview, Objects: sub.Objects,
		Incidents: sub.Incidents, Obligations: []reporting.Obligation{}, Channels: []channelStatus{}, Warnings: sub.Warnings,
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
	org := caller(c).Org
	raw, err := s.readBody(c)
	if err != nil {
		return err
	}
	req, err := s.cfg.Intake.ParseSubmission(org, raw)
	if err != nil {
		s.metrics.submissions.WithLabelValues("refused").Inc()
		return err
	}
	sub, copies, created, err := s.cfg.Intake.SubmitCopies(c.UserContext(), org, req)
	if err != nil {
		s.metrics.submissions.WithLabelValues("refused").Inc()
		return err
	}
	if !created {
		// An earlier submission: its copies are read as they stand now
		// (a held copy may have been released since).
		v, err := s.cfg.Submissions.Find(c.UserContext(), org, sub.ID, false)
		if err != nil {
			return err
		}
		copies = v.Copies
	} else {
		// A new one: intake stored these copies in its transaction; they
		// are what reading them back would give, without assembling every
		// copy's bundle again.
		copies = sharing.ForSubmitter(s.cfg.Submissions.Registry, copies)
	}
	r := newSubmissionResponse(sub, "accepted")
	r.Channels = channelStatuses(copies)
	if !created {
		s.metrics.submissions.WithLabelValues("duplicate").Inc()
		return c.Status(fiber.StatusOK).JSON(r)
	}
	s.metrics.submissions.WithLabelValues("accepted").Inc()
	c.Location("/api/v1/submissions/" + sub.ID)
	return c.Status(fiber.StatusCreated).JSON(r)
}

// handleSubmissionGet is GET /api/v1/submissions/{id}: the submitter's own
// only; for anyone else it does not exist (404).
func (s *Server) handleSubmissionGet(c *fiber.Ctx) error {
	v, err := s.cfg.Submissions.Find(c.UserContext(), caller(c).Org, c.Params("id"), true)
	if err != nil {
		return err
	}
	r := newSubmissionResponse(v.Submission, "accepted")
	r.Bundle = v.Bundle
	r.Channels = channelStatuses(v.Copies)
	r.Obligations = v.Obligations
	return c.JSON(r)
}
