package server

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// handleExport is GET /api/v1/exports/{channel}?added_after=…&sign=true&encrypt=true:
// the channel's current content that the caller may read, as one STIX bundle
// or an OpenPGP message. Nothing in it says who else received it.
func (s *Server) handleExport(c *fiber.Ctx) error {
	return s.export(c, c.Params("channel"))
}

// handleExportPublic is GET /api/v1/exports/public, open to anyone.
func (s *Server) handleExportPublic(c *fiber.Ctx) error {
	return s.export(c, string(sharing.ChannelPublic))
}

func (s *Server) export(c *fiber.Ctx, name string) error {
	req := sharing.ExportRequest{Channel: sharing.Channel(name), Sign: c.QueryBool("sign"), Encrypt: c.QueryBool("encrypt")}
	if p := caller(c); p != nil {
		req.Reader = p.Org
	}
	if v := c.Query("added_after"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return newError(fiber.StatusBadRequest, "bad-request", "Bad added_after", fmt.Sprintf("added_after %q is not an RFC 3339 timestamp", v))
		}
		req.AddedAfter = t
	}
	out, err := s.cfg.Exports.Export(c.UserContext(), req)
	if err != nil {
		return err
	}
	if !out.LastAdded.IsZero() {
		c.Set("X-Kakehashi-Date-Added-Last", out.LastAdded.UTC().Format("2006-01-02T15:04:05.000000Z"))
	}
	c.Set(fiber.HeaderContentType, out.ContentType)
	return c.Send(out.Body)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// uuidString is a fresh random UUID.
func uuidString() string { return uuid.NewString() }
