package server

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// consoleHTML is the web console: a form that submits a bundle with a token
// and shows the answer. It holds no data; everything goes through the API.
//
//go:embed console.html
var consoleHTML []byte

func (s *Server) handleConsole(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(consoleHTML)
}
