package server

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// previewCopy is one copy as the submitter previews it.
type previewCopy struct {
	channelStatus
	Bundle json.RawMessage `json:"bundle"`
}

// handlePreview is GET /api/v1/submissions/{id}/preview/{channel}: exactly
// the copy (or copies, one per recipient group) that channel gets or got.
func (s *Server) handlePreview(c *fiber.Ctx) error {
	ch, err := sharing.ParseChannel(c.Params("channel"))
	if err != nil {
		return err
	}
	copies, err := s.cfg.Releases.Preview(c.UserContext(), caller(c).Org, c.Params("id"), ch)
	if err != nil {
		return err
	}
	out := make([]previewCopy, 0, len(copies))
	for _, cp := range copies {
		out = append(out, previewCopy{channelStatus: channelStatuses([]sharing.StoredCopy{cp})[0], Bundle: json.RawMessage(cp.Bundle)})
	}
	return c.JSON(fiber.Map{"channel": ch, "copies": out})
}

// handleRelease is POST /api/v1/submissions/{id}/release: held community
// copies go out; withheld ones never do.
func (s *Server) handleRelease(c *fiber.Ctx) error {
	org := caller(c).Org
	n, err := s.cfg.Releases.Release(c.UserContext(), org, c.Params("id"))
	if err != nil {
		return err
	}
	v, err := s.cfg.Submissions.Find(c.UserContext(), org, c.Params("id"), false)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"submission_id": c.Params("id"), "released": n, "channels": channelStatuses(v.Copies)})
}

// handleWithheld is GET /api/v1/reviews/withheld: the operators' queue of
// withheld copies, with the reasons and never the content.
func (s *Server) handleWithheld(c *fiber.Ctx) error {
	list, err := s.cfg.Releases.Withheld(c.UserContext(), caller(c).Org)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"withheld": list})
}
