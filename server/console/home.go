package console

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// homeCounts are the obligations waiting on a carrier or, for the
// regulator, on every carrier.
type homeCounts struct {
	Overdue, Open int
}

// handleHome is GET /: where each kind of user starts — what waits on them
// and the sections their role opens.
func (c *Console) handleHome(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	data := map[string]any{"Feeds": 0}
	if c.cfg.TAXII != nil {
		data["Feeds"] = len(c.cfg.TAXII.Feeds(caller))
	}
	if c.cfg.Obligations != nil {
		entries, err := c.cfg.Obligations.Board(ctx.UserContext(), caller, sharing.BoardQuery{})
		switch {
		case errors.Is(err, sharing.ErrForbidden): // this role has no obligations to watch
		case err != nil:
			return err
		default:
			var n homeCounts
			for _, e := range entries {
				switch e.Status {
				case reporting.StatusOverdue:
					n.Overdue++
				case reporting.StatusOpen:
					n.Open++
				}
			}
			data["Obligations"] = n
		}
	}
	return c.render(ctx, fiber.StatusOK, "home", page{Title: "home.title", Nav: "home", Data: data})
}
