package server

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"
)

// handleObligationList is GET /api/v1/obligations?status=…&organization=….
func (s *Server) handleObligationList(c *fiber.Ctx) error {
	obls, err := s.cfg.Obligations.List(c.UserContext(), caller(c).Org, c.Query("status"), c.Query("organization"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"obligations": obls})
}

// handleObligationMet is POST /api/v1/obligations/{id}/met with
// {"reference": "<reference of the filed report>"}.
func (s *Server) handleObligationMet(c *fiber.Ctx) error {
	var body struct {
		Reference string `json:"reference"`
	}
	raw, err := s.readBody(c)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return newError(fiber.StatusBadRequest, "bad-request", "Bad request", `the body must be {"reference": "<reference of the filed report>"}`)
	}
	o, err := s.cfg.Obligations.MarkMet(c.UserContext(), caller(c).Org, c.Params("id"), body.Reference)
	if err != nil {
		return err
	}
	return c.JSON(o)
}
