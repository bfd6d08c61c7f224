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

	// Report an incident (issue #13 item 2): the form, its live check, the
	// paste-a-bundle form, and the submission with its copies.
	app.Get("/reports/new", user(c.handleReportForm)...)
	app.Post("/reports", user(c.handleReportCreate)...)
	app.Post("/reports/check", user(c.handleReportCheck)...)
	app.Get("/reports/bundle", user(c.handleBundleForm)...)
	app.Post("/reports/bundle", user(c.handleBundleCreate)...)
	app.Get("/submissions/:id", user(c.handleSubmission)...)
	app.Get("/submissions/:id/preview/:channel", user(c.handlePreview)...)
	app.Post("/submissions/:id/release", user(c.handleRelease)...)

	// Operators (issue #13 item 5) and every person's own account
	// (operators.go). The services decide who may: MayOperate, or the users'
	// managers for /users.
	app.Get("/review", user(c.handleReview)...)
	app.Get("/organizations", user(c.handleOrganizations)...)
	app.Get("/users", user(c.handleUsers)...)
	app.Post("/users", user(c.handleUserAdd)...)
	app.Post("/users/:username/disable", user(c.handleUserDisable)...)
	app.Post("/users/:username/password", user(c.handleUserPassword)...)
	app.Get("/account", user(c.handleAccount)...)
	app.Post("/account", user(c.handleAccountPassword)...)
	app.Get("/tokens", user(c.handleTokens)...)
	app.Post("/tokens", user(c.handleTokenIssue)...)
	app.Post("/tokens/:id/revoke", user(c.handleTokenRevoke)...)
	app.Get("/audit", user(c.handleAudit)...)
	app.Post("/audit/verify", user(c.handleAuditVerify)...)

	// Feeds (issue #13 item 4): the channels the organization may read.
	app.Get("/feeds", user(c.handleFeeds)...)
	app.Get("/feeds/:channel", user(c.handleFeed)...)
	app.Get("/feeds/:channel/export", user(c.handleFeedExport)...)

	// Deadlines at a glance (issue #13 item 3) and the public statistics
	// (item 6).
	app.Get("/obligations", user(c.handleObligations)...)
	app.Post("/obligations/:id/met", user(c.handleObligationMet)...)
	app.Get("/obligations/detailed/:incident", user(c.handleDetailedReport)...)
	app.Get("/obligations/quarterly", user(c.handleQuarterlyFile)...)
	app.Get("/statistics", open(c.handleStatistics)...)
	app.Get("/statistics.csv", open(c.handleStatisticsCSV)...)
}
