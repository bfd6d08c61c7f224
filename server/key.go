package server

import (
	"github.com/gofiber/fiber/v2"
)

// handleHubKey is GET /api/v1/keys/hub.asc: the hub's armored OpenPGP public
// key, to verify signed exports and to encrypt designs to the hub.
func (s *Server) handleHubKey(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/pgp-keys")
	c.Set("X-Kakehashi-Fingerprint", s.cfg.HubKey.Fingerprint())
	return c.SendString(s.cfg.HubKey.ArmoredPublic())
}

// keyInfo describes an organization's current OpenPGP key.
type keyInfo struct {
	Organization string `json:"organization"`
	Fingerprint  string `json:"fingerprint"`
	Version      int    `json:"version"`
	UserID       string `json:"user_id"`
	Armored      string `json:"armored"`
}

// handleOrgKeyGet is GET /api/v1/organizations/{id}/pgp-key: the key the hub
// encrypts to for that organization, with its fingerprint (sharing.Keys.Show
// decides who may ask).
func (s *Server) handleOrgKeyGet(c *fiber.Ctx) error {
	k, err := s.cfg.Keys.Show(c.UserContext(), caller(c).Org, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(keyInfo{Organization: c.Params("id"), Fingerprint: k.Fingerprint(), Version: k.Version(), UserID: k.UserID(), Armored: k.Armored()})
}

// handleOrgKeyChanges is GET /api/v1/organizations/{id}/pgp-key/changes:
// every change of the caller's own key, whoever made it.
func (s *Server) handleOrgKeyChanges(c *fiber.Ctx) error {
	changes, err := s.cfg.Keys.Changes(c.UserContext(), caller(c).Org, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"organization": c.Params("id"), "changes": changes})
}

// handleOrgKeyPut is PUT /api/v1/organizations/{id}/pgp-key with the armored
// public key as the body: only the organization itself (sharing.Keys).
func (s *Server) handleOrgKeyPut(c *fiber.Ctx) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	k, err := s.cfg.Keys.Upload(c.UserContext(), caller(c).Org, c.Params("id"), body)
	if err != nil {
		return err
	}
	return c.JSON(keyInfo{Organization: c.Params("id"), Fingerprint: k.Fingerprint(), Version: k.Version(), UserID: k.UserID(), Armored: k.Armored()})
}
