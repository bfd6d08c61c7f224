package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
	"github.com/kakehashi-hub/kakehashi/crypto/token"
	"github.com/kakehashi-hub/kakehashi/server/console"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// Config is everything the HTTP layer needs, as plain values and domain services.
type Config struct {
	Intake      *sharing.Intake
	Obligations *sharing.Obligations
	Reports     *sharing.Reports
	Releases    *sharing.Releases
	Keys        *sharing.Keys // organizations' OpenPGP keys
	Exports     *sharing.Exports
	HubKey      *pgp.SecretKey       // the hub's OpenPGP key: signs exports
	Access      *sharing.Access      // who a caller is
	Submissions *sharing.Submissions // a submitter's own submissions
	TAXII       *sharing.TAXII       // the collections (docs/taxii.md)
	Auditor     *sharing.Auditor     // the audit log's signed checkpoints
	Signer      *token.Signer
	Console     *console.Console                // the web console; nil: API and TAXII only
	Events      *sharing.Events                 // sector events (INTERFACES §9); nil with Signals: no event routes
	Signals     *sharing.Signals                // outside sources and the correlator
	Ready       func(ctx context.Context) error // readiness probe (the database)
	BodyLimit   int                             // bytes; default 32 MiB (PROFILE.md §1)
	// HeaderTimeout bounds the time to receive a request's headers (default
	// 10 s), BodyTimeout then its body (default 1 min), IdleTimeout a
	// keep-alive connection without a request (default 30 s).
	HeaderTimeout, BodyTimeout, IdleTimeout time.Duration
	Logger                                  *slog.Logger
	TLS                                     *tls.Config // nil: plain HTTP
	// Collectors are further metrics to export, such as the store's count of
	// skipped unreadable rows.
	Collectors []prometheus.Collector
	// CursorKey (32 bytes) seals TAXII next tokens; hubs that share a
	// database must share it. nil: a random key, so tokens do not survive a
	// restart.
	CursorKey []byte
	// TAXIIMaxPageSize caps TAXII limit (TAXII 2.1 §3.4.1); 0: 1,000.
	TAXIIMaxPageSize int
}

// Server is the hub's HTTP server.
type Server struct {
	app     *fiber.App
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	cursor  *cursorSealer
	bodies  bodySlots
}

// New builds the Fiber app with every route.
func New(cfg Config) (*Server, error) {
	if cfg.Intake == nil || cfg.Obligations == nil || cfg.Reports == nil || cfg.Releases == nil || cfg.Keys == nil || cfg.HubKey == nil || cfg.Exports == nil ||
		cfg.Access == nil || cfg.Submissions == nil || cfg.TAXII == nil || cfg.Auditor == nil || cfg.Signer == nil {
		return nil, errors.New("server: intake, obligations, reports, releases, keys, hub key, exports, access, submissions, taxii, auditor and signer are required")
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 32 << 20
	}
	if cfg.HeaderTimeout <= 0 {
		cfg.HeaderTimeout = 10 * time.Second
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = time.Minute
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Ready == nil {
		cfg.Ready = func(context.Context) error { return nil }
	}
	reg := prometheus.NewRegistry()
	for _, c := range cfg.Collectors {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("server: register metric: %w", err)
		}
	}
	key := cfg.CursorKey
	if key == nil {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("server: cursor key: %w", err)
		}
	}
	cursor, err := newCursorSealer(key)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, metrics: newMetrics(reg), cursor: cursor}
	s.app = fiber.New(fiber.Config{
		AppName:               "kakehashi",
		BodyLimit:             cfg.BodyLimit,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		// Bodies are read in the handlers, after authentication (body.go).
		StreamRequestBody: true,
		// fasthttp would otherwise parse a multipart/form-data body (to
		// memory and temporary files, past the body limit) before any
		// handler runs; the hub takes no forms.
		DisablePreParseMultipartForm: true,
		// Headers must arrive within ReadTimeout; the body then gets
		// BodyTimeout (HeaderReceived below). An idle keep-alive connection
		// is closed after IdleTimeout.
		ReadTimeout:   cfg.HeaderTimeout,
		WriteTimeout:  2 * time.Minute,
		IdleTimeout:   cfg.IdleTimeout,
		StrictRouting: false,
	})
	s.bodies.perKey = maxBodiesPerClient
	s.app.Server().HeaderReceived = func(*fasthttp.RequestHeader) fasthttp.RequestConfig {
		return fasthttp.RequestConfig{ReadTimeout: cfg.BodyTimeout}
	}
	s.routes()
	return s, nil
}

// App exposes the Fiber app for in-process tests (app.Test).
func (s *Server) App() *fiber.App { return s.app }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	if err := s.app.Listener(ln); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Shutdown stops accepting connections and waits, up to the context's
// deadline, for requests in flight to finish, so that a submission being
// stored when SIGTERM arrives is stored and answered.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.cfg.Events != nil {
		s.cfg.Events.CloseStreams() // open event streams would hold the shutdown up
	}
	return s.app.ShutdownWithContext(ctx)
}
