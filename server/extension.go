package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// handleExtensionDefinition is GET /api/v1/stix/extension-definition/telecom-incident.json:
// the extension-definition object of the telecom incident extension
// (PROFILE.md §3), so consumers can resolve it.
func (s *Server) handleExtensionDefinition(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/stix+json;version=2.1")
	return c.JSON(fiber.Map{"type": "bundle", "id": "bundle--" + stix.TelecomExtensionID[len("extension-definition--"):],
		"objects": []any{stix.HubIdentity(), stix.TelecomExtensionDefinition()}})
}

// handleExtensionSchema is GET /api/v1/stix/telecom-extension.schema.json: the JSON
// Schema of the extension's properties.
func (s *Server) handleExtensionSchema(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/schema+json")
	return c.Send(stix.TelecomExtensionSchema)
}
