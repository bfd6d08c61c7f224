package server

import (
	"embed"
	"path"

	"github.com/gofiber/fiber/v2"
)

// assets are the web console's page, style sheet and script, embedded in the
// binary. The page holds no data; everything goes through the API.
//
//go:embed assets
var assets embed.FS

// consolePolicy allows only the hub's own scripts, styles and API: no inline
// script or style (so an injected one never runs), no framing.
const consolePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func (s *Server) handleConsole(c *fiber.Ctx) error {
	return s.sendAsset(c, "console.html")
}

// handleAsset is GET /assets/{name}.
func (s *Server) handleAsset(c *fiber.Ctx) error {
	return s.sendAsset(c, path.Base(c.Params("name")))
}

func (s *Server) sendAsset(c *fiber.Ctx, name string) error {
	body, err := assets.ReadFile("assets/" + name)
	if err != nil {
		return fiber.ErrNotFound
	}
	switch path.Ext(name) {
	case ".html":
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	case ".css":
		c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	case ".js":
		c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	default:
		return fiber.ErrNotFound
	}
	c.Set("Content-Security-Policy", consolePolicy)
	return c.Send(body)
}
