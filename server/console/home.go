package console

import (
	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// handleHome is GET /: where each kind of user starts.
func (c *Console) handleHome(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	return c.render(ctx, fiber.StatusOK, "home", page{Title: "home.title", Nav: "home", Data: map[string]any{
		"MaySubmit":  sharing.MaySubmit(caller),
		"MayOperate": sharing.MayOperate(caller),
	}})
}
