package server

// routes lists every route of the hub (INTERFACES.md §6).
func (s *Server) routes() {
	a := s.app
	a.Use(s.observe, securityHeaders)

	// The web console (INTERFACES.md §8): its pages, sign-in and assets.
	if s.cfg.Console != nil {
		s.cfg.Console.Mount(a)
	}
	a.Get("/healthz", s.handleHealth)
	a.Get("/readyz", s.handleReady)
	a.Get("/.well-known/jwks.json", s.handleJWKS)
	// Metrics need a token of the hub's operators (INTERFACES.md §6: auth
	// everywhere but health, JWKS, TAXII discovery and the public channel).
	a.Get("/metrics", s.authenticate, s.handleMetrics)

	// The public channel is readable without a token (INTERFACES.md §6).
	a.Get("/api/v1/exports/public", s.authenticateOptional, s.handleExportPublic)

	api := a.Group("/api/v1", s.authenticate)
	api.Post("/submissions", s.handleSubmissionCreate)
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
	api.Get("/audit/checkpoint", s.handleAuditCheckpoint)
	api.Get("/stix/extension-definition/telecom-incident.json", s.handleExtensionDefinition)
	api.Get("/stix/telecom-extension.schema.json", s.handleExtensionSchema)
	api.Get("/organizations/:id/pgp-key", s.handleOrgKeyGet)
	api.Put("/organizations/:id/pgp-key", s.handleOrgKeyPut)
	api.Get("/organizations/:id/pgp-key/changes", s.handleOrgKeyChanges)
	if s.cfg.Events != nil && s.cfg.Signals != nil { // sector events (INTERFACES §9, server/event.go)
		api.Get("/events", s.handleEventList)
		api.Get("/events/stream", s.handleEventStream)
		api.Get("/events/:id", s.handleEventGet)
		api.Post("/signals/bgp", s.handleSignalsBGP)
		api.Post("/signals/posts", s.handleSignalsPosts)
	}

	// TAXII 2.1 (docs/taxii.md): discovery, the API root, the collection list
	// and the public collection answer without credentials; sent credentials
	// must be valid. Paths end in "/" (TAXII 2.1 §1.6.8); without it is accepted.
	taxii := a.Group("/taxii2", s.taxiiProtocol)
	taxii.Get("/", s.handleTAXIIDiscovery)
	root := taxii.Group("/hub", s.authenticateOptional)
	root.Get("/", s.handleTAXIIAPIRoot)
	root.Get("/status/:id/", s.handleTAXIIStatus)
	root.Get("/collections/", s.handleTAXIICollections)
	root.Get("/collections/:collection/", s.handleTAXIICollection)
	root.Get("/collections/:collection/manifest/", s.handleTAXIIManifest)
	root.Get("/collections/:collection/objects/", s.handleTAXIIObjects)
	root.Post("/collections/:collection/objects/", s.handleTAXIIObjectsAdd)
	root.Get("/collections/:collection/objects/:object/", s.handleTAXIIObject)
	root.Delete("/collections/:collection/objects/:object/", s.handleTAXIIObjectDelete)
	root.Get("/collections/:collection/objects/:object/versions/", s.handleTAXIIVersions)
	// Any other method on a TAXII resource is 405 with Allow (RFC 9110 §15.5.6).
	taxii.All("/", s.methodNotAllowed("GET, HEAD"))
	for path, allow := range map[string]string{
		"/": "GET, HEAD", "/status/:id/": "GET, HEAD", "/collections/": "GET, HEAD", "/collections/:collection/": "GET, HEAD",
		"/collections/:collection/manifest/": "GET, HEAD", "/collections/:collection/objects/": "GET, HEAD, POST",
		"/collections/:collection/objects/:object/": "GET, HEAD, DELETE", "/collections/:collection/objects/:object/versions/": "GET, HEAD",
	} {
		root.All(path, s.methodNotAllowed(allow))
	}

	a.Use(s.handleNotFound)
}
