package console

import "github.com/gofiber/fiber/v2"

// Mount adds the console's routes (INTERFACES.md §8) to the hub's app. The
// API (/api/v1, /taxii2) keeps its own routes and credentials: the console's
// middleware is attached to its own routes only, never with app.Use.
func (c *Console) Mount(app *fiber.App) {
	// open pages need no sign-in; user pages redirect to /login without a
	// session, and their forms must carry the session's CSRF token.
	open := func(h fiber.Handler) []fiber.Handler {
		return []fiber.Handler{c.chooseLanguage, c.signedIn, c.handle(h)}
	}
	user := func(h fiber.Handler) []fiber.Handler {
		return []fiber.Handler{c.chooseLanguage, c.signedIn, c.requireUser, c.handle(h)}
	}
	app.Get("/assets/:name", c.handle(c.handleAsset))

	app.Get("/login", open(c.handleLoginForm)...)
	app.Post("/login", open(c.handleLogin)...)
	app.Post("/logout", user(c.handleLogout)...)
	app.Get("/", user(c.handleHome)...)

	// Deadlines at a glance (issue #13 item 3) and the public statistics
	// (item 6).
	app.Get("/obligations", user(c.handleObligations)...)
	app.Post("/obligations/:id/met", user(c.handleObligationMet)...)
	app.Get("/obligations/detailed/:incident", user(c.handleDetailedReport)...)
	app.Get("/obligations/quarterly", user(c.handleQuarterlyFile)...)
	app.Get("/statistics", open(c.handleStatistics)...)
	app.Get("/statistics.csv", open(c.handleStatisticsCSV)...)
}
