package server

import (
	"bytes"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// handleExport is GET /api/v1/exports/{channel}?added_after=…: the channel's
// current content that the caller may read, as one STIX bundle (the latest
// version of each object). Nothing in it says who else received it.
func (s *Server) handleExport(c *fiber.Ctx) error {
	return s.export(c, c.Params("channel"))
}

// handleExportPublic is GET /api/v1/exports/public, open to anyone.
func (s *Server) handleExportPublic(c *fiber.Ctx) error {
	return s.export(c, string(sharing.ChannelPublic))
}

func (s *Server) export(c *fiber.Ctx, name string) error {
	ch, err := sharing.ParseChannel(name)
	if err != nil || ch == sharing.ChannelIntake {
		return fmt.Errorf("no such channel: %w", sharing.ErrNotFound)
	}
	reader := ""
	if p := caller(c); p != nil {
		reader = p.Org.ID
		if !ch.InAudience(p.Org) {
			return fmt.Errorf("channel %s is not visible to %s: %w", ch, reader, sharing.ErrNotFound)
		}
	} else if ch != sharing.ChannelPublic {
		return fmt.Errorf("no bearer token: %w", sharing.ErrUnauthorized)
	}
	var after time.Time
	if v := c.Query("added_after"); v != "" {
		if after, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return newError(fiber.StatusBadRequest, "bad-request", "Bad added_after", fmt.Sprintf("added_after %q is not an RFC 3339 timestamp", v))
		}
	}
	entries, err := s.cfg.Store.FindChannelEntries(c.UserContext(), sharing.ChannelFilter{Channel: ch, Reader: reader, AddedAfter: after})
	if err != nil {
		return err
	}
	if err := s.cfg.Store.AppendAudit(c.UserContext(), sharing.AuditEvent{Actor: orDefault(reader, "anonymous"), Action: sharing.AuditChannelRead,
		Subject: string(ch), Detail: map[string]any{"objects": len(entries), "via": "export"}}); err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"type":"bundle","id":"bundle--%s","objects":[`, exportBundleUUID())
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e.JSON)
	}
	b.WriteString("]}")
	if len(entries) > 0 {
		c.Set("X-Kakehashi-Date-Added-Last", entries[len(entries)-1].DateAdded.UTC().Format("2006-01-02T15:04:05.000000Z"))
	}
	sign, encrypt := c.QueryBool("sign"), c.QueryBool("encrypt")
	if !sign && !encrypt {
		c.Set(fiber.HeaderContentType, "application/stix+json;version=2.1")
		return c.Send(b.Bytes())
	}
	// An OpenPGP export is always signed by the hub; encrypt=true also
	// encrypts it to the caller's organization key (SHARING.md §5).
	var out bytes.Buffer
	if encrypt {
		if reader == "" {
			return newError(fiber.StatusBadRequest, "bad-request", "Cannot encrypt", "encrypt=true needs a token: the export is encrypted to your organization's key")
		}
		key, err := s.cfg.Keys.KeyOf(c.UserContext(), reader)
		if err != nil {
			return newError(fiber.StatusUnprocessableEntity, "no-key", "No OpenPGP key", err.Error())
		}
		if err := pgp.SignAndEncrypt(&out, &b, s.cfg.HubKey, []*pgp.PublicKey{key}, true); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/pgp-encrypted")
	} else {
		if err := pgp.SignMessage(&out, &b, s.cfg.HubKey, true); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/pgp-signature")
	}
	return c.Send(out.Bytes())
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// exportBundleUUID is a fresh bundle id: an export is a new bundle each time.
func exportBundleUUID() string { return uuidString() }
