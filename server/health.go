package server

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	submissions *prometheus.CounterVec
	handler     fiber.Handler
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kakehashi_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kakehashi_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"method", "route"}),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kakehashi_submissions_total", Help: "Submissions by outcome (accepted, duplicate, refused).",
		}, []string{"outcome"}),
	}
	reg.MustRegister(m.requests, m.duration, m.submissions,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h := fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	m.handler = func(c *fiber.Ctx) error { h(c.Context()); return nil }
	return m
}

// handleAuditCheckpoint is GET /api/v1/audit/checkpoint: the latest signed
// checkpoint of the audit log, for the operators and the regulator to keep
// (sharing.Auditor.Latest decides who may).
func (s *Server) handleAuditCheckpoint(c *fiber.Ctx) error {
	cp, err := s.cfg.Auditor.Latest(c.UserContext(), caller(c).Org)
	if err != nil {
		return err
	}
	return c.JSON(cp)
}

// securityHeaders marks every answer nosniff, and every answer but the
// console's static files no-store: API and TAXII answers carry data that no
// shared or browser cache should keep.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	err := c.Next()
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	// Links out of the console carry no path or query (feed positions,
	// submission ids) to other sites.
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	if s.cfg.HSTS {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	}
	if !strings.HasPrefix(c.Path(), "/assets/") {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return err
}

// observe gives each request an id and records its metrics.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	c.Locals("request_id", uuid.NewString())
	err := c.Next()
	if err != nil {
		if herr := s.handleError(c, err); herr != nil {
			return herr
		}
	}
	// Fiber's strings point into buffers it reuses for the next request: the
	// label values must be copies, or a later request rewrites a stored label
	// (seen as "GETT" and a failing /metrics).
	route, method := strings.Clone(c.Route().Path), strings.Clone(c.Method())
	s.metrics.requests.WithLabelValues(method, route, strconv.Itoa(c.Response().StatusCode())).Inc()
	s.metrics.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	return nil
}

func (s *Server) handleHealth(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) handleReady(c *fiber.Ctx) error {
	if err := s.cfg.Ready(c.UserContext()); err != nil {
		s.log.Warn("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

func (s *Server) handleJWKS(c *fiber.Ctx) error {
	b, err := s.cfg.Signer.JWKS()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/jwk-set+json")
	return c.Send(b)
}

func (s *Server) handleMetrics(c *fiber.Ctx) error {
	if p := caller(c); p == nil || !sharing.MayOperate(p.Org) {
		return fmt.Errorf("metrics are for the hub's operators: %w", sharing.ErrForbidden)
	}
	return s.metrics.handler(c)
}
