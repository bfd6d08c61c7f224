// Package webhook delivers sector events to the organizations that
// registered a webhook (INTERFACES §9, issue #16): JSON bodies signed with
// HMAC-SHA256 in X-Kakehashi-Signature, retried with exponential backoff, from
// a bounded queue that never blocks the hub (a full queue drops the delivery
// and counts it). It is the HTTP adapter of sharing.Deliverer.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.Deliverer = (*Sender)(nil)

// Config configures a Sender; zero values take the defaults.
type Config struct {
	Queue    int           // deliveries waiting at most (default 1,000)
	Workers  int           // concurrent deliveries (default 4)
	Attempts int           // tries per delivery (default 6)
	Backoff  time.Duration // wait before the second try, doubled each time (default 1 s, so about a minute in all)
	Timeout  time.Duration // per try (default 10 s)
	Client   *http.Client  // default: no redirects followed
	Log      *slog.Logger
}

// Sender queues and delivers webhook calls.
type Sender struct {
	cfg   Config
	queue chan delivery
	wg    sync.WaitGroup

	delivered, failed, dropped atomic.Int64
}

type delivery struct {
	url    string
	secret []byte
	org    string
	body   []byte
}

// New returns a Sender; Start runs its workers.
func New(cfg Config) *Sender {
	if cfg.Queue <= 0 {
		cfg.Queue = 1000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 6
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Client == nil {
		// A webhook answers; it does not send the hub elsewhere.
		cfg.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Sender{cfg: cfg, queue: make(chan delivery, cfg.Queue)}
}

// Deliver implements sharing.Deliverer: it queues the call, or drops it
// when the queue is full.
func (s *Sender) Deliver(org *sharing.Organization, body []byte) {
	if org.Webhook == nil {
		return
	}
	select {
	case s.queue <- delivery{url: org.Webhook.URL, secret: org.Webhook.Secret, org: org.ID, body: body}:
	default:
		s.dropped.Add(1)
		s.cfg.Log.Warn("webhook queue full: delivery dropped", "org", org.ID)
	}
}

// Start runs the workers until ctx ends; Wait waits for them.
func (s *Sender) Start(ctx context.Context) {
	for range s.cfg.Workers {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case d := <-s.queue:
					s.send(ctx, d)
				}
			}
		}()
	}
}

// Wait waits for the workers to stop after their context ended.
func (s *Sender) Wait() { s.wg.Wait() }

func (s *Sender) send(ctx context.Context, d delivery) {
	wait := s.cfg.Backoff
	var err error
	for attempt := 1; attempt <= s.cfg.Attempts; attempt++ {
		if err = s.try(ctx, d); err == nil {
			s.delivered.Add(1)
			return
		}
		if attempt == s.cfg.Attempts {
			break
		}
		select {
		case <-ctx.Done():
			s.failed.Add(1)
			return
		case <-time.After(wait):
		}
		wait *= 2
	}
	s.failed.Add(1)
	s.cfg.Log.Warn("webhook delivery failed", "org", d.org, "attempts", s.cfg.Attempts, "err", err)
}

// errStatus is a delivery the receiver did not acknowledge with 2xx.
var errStatus = errors.New("webhook answered")

func (s *Sender) try(ctx context.Context, d delivery) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kakehashi-webhook/1")
	req.Header.Set(sharing.SignatureHeader, sharing.Sign(d.secret, d.body))
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w %d", errStatus, resp.StatusCode)
	}
	return nil
}

// Collectors are the Sender's metrics: deliveries made, failed after every
// attempt, and dropped because the queue was full.
func (s *Sender) Collectors() []prometheus.Collector {
	f := func(name, help string, v *atomic.Int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v.Load()) })
	}
	return []prometheus.Collector{
		f("kakehashi_webhook_deliveries_total", "Webhook deliveries acknowledged with 2xx.", &s.delivered),
		f("kakehashi_webhook_failures_total", "Webhook deliveries that failed after every attempt.", &s.failed),
		f("kakehashi_webhook_dropped_total", "Webhook deliveries dropped because the queue was full (intake is never held up).", &s.dropped),
	}
}
