package server

// routes lists every route of the hub (INTERFACES.md §6).
func (s *Server) routes() {
	a := s.app
	a.Use(s.observe)

	a.Get("/", s.handleConsole)
	a.Get("/healthz", s.handleHealth)
	a.Get("/readyz", s.handleReady)
	a.Get("/.well-known/jwks.json", s.handleJWKS)
	a.Get("/metrics", s.handleMetrics)

	// The public channel is readable without a token (INTERFACES.md §6).
	a.Get("/api/v1/exports/public", s.handleExportPublic)

	api := a.Group("/api/v1", s.authenticate)
	api.Post("/submissions", s.require(rightSubmit), s.handleSubmissionCreate)
	api.Get("/submissions/:id", s.handleSubmissionGet)
	api.Get("/submissions/:id/preview/:channel", s.handlePreview)
	api.Post("/submissions/:id/release", s.handleRelease)
	api.Get("/reviews/withheld", s.handleWithheld)
	api.Get("/exports/:channel", s.handleExport)
	api.Get("/obligations", s.handleObligationList)
	api.Post("/obligations/:id/met", s.handleObligationMet)
	api.Get("/reports/detailed/:id", s.handleReportDetailed)
	api.Get("/reports/quarterly", s.handleReportQuarterly)
	api.Get("/keys/hub.asc", s.handleHubKey)
	api.Get("/organizations/:id/pgp-key", s.handleOrgKeyGet)
	api.Put("/organizations/:id/pgp-key", s.handleOrgKeyPut)

	a.Use(s.handleNotFound)
}
