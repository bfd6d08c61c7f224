package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/server"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

func cmdServe(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("serve", e)
	build := configFlags(fs, e)
	addr := fs.String("addr", "", "listen address HOST:PORT (default 127.0.0.1:8080)")
	demo := fs.Bool("demo", false, "create (or reuse) the demo world in the data directory")
	schemas := fs.String("stix-schemas", "", "strict mode: also validate against the OASIS STIX 2.1 JSON schemas in DIR")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) > 0 {
		return usageError(e, fmt.Errorf("serve takes no arguments, got %q", pos))
	}
	cfg, err := build()
	if err != nil {
		return usageError(e, err)
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	if *demo {
		cfg.Demo = true
	}
	if *schemas != "" {
		cfg.STIXSchemas = *schemas
	}
	if err := cfg.Validate(); err != nil {
		return usageError(e, err)
	}
	applyGC(cfg, e)
	if err := serve(ctx, cfg, e); err != nil {
		fmt.Fprintf(e.stderr, "kakehashi: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

func serve(ctx context.Context, cfg Config, e env) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return fmt.Errorf("log level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	if cfg.Demo {
		created, err := ensureDemoWorld(cfg.DataDir)
		if err != nil {
			return err
		}
		if created {
			log.Info("demo world created", "data", cfg.DataDir)
		}
	}
	h, err := openHub(ctx, cfg)
	if err != nil {
		return err
	}
	defer h.Close()
	setStoreLogger(h.db, log)
	setLimitLogger(h.users.Access, log)
	tokensPath, usersPath := "", ""
	if cfg.Demo {
		if tokensPath, err = h.ensureDemoTokens(ctx); err != nil {
			return err
		}
		if usersPath, err = h.ensureDemoUsers(ctx); err != nil {
			return err
		}
	}
	var tlsCfg *tls.Config
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	se, err := h.openSignals(ctx, log)
	if err != nil {
		return err
	}
	secure := tlsCfg != nil || cfg.SecureCookies
	sc, err := h.serverConfig(secure)
	if err != nil {
		return err
	}
	sc.Events, sc.Signals, sc.Collectors = se.events, se.signals, append(sc.Collectors, se.collectors()...)
	sc.TAXIIMaxPageSize, sc.BodyLimit, sc.Logger, sc.TLS = cfg.TAXIIMaxPageSize, cfg.BodyLimit, log, tlsCfg
	sc.TrustedProxies, sc.HSTS = cfg.TrustedProxies, secure
	srv, err := server.New(sc)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	base := fmt.Sprintf("%s://%s", scheme, ln.Addr())
	fmt.Fprintf(e.stdout, "Kakehashi hub listening on %s\n", base)
	fmt.Fprintf(e.stdout, "  web console: %s/\n  API:         %s/api/v1/\n  JWKS:        %s/.well-known/jwks.json\n", base, base, base)
	if tokensPath != "" {
		abs, _ := filepath.Abs(tokensPath)
		users, _ := filepath.Abs(usersPath)
		fmt.Fprintf(e.stdout, "  demo people: %s (sign in to the web console)\n  demo tokens: %s\n  demo keys:   %s\n", users, abs, filepath.Join(filepath.Dir(abs), demoKeysDir))
	}
	// The first overdue sweep and statistics round run before the hub takes
	// requests, so that its first answers already reflect them.
	// On PostgreSQL only the leading hub runs them (and the checkpoints).
	lead := newLeadership(h.db, cfg.LeaderInterval, log)
	lead.try(ctx)
	if lead.Leading() {
		sweepOnce(ctx, h.obligations, log)
		publishOnce(ctx, h.statistics, log)
	}
	if e.ready != nil {
		e.ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go lead.run(sweepCtx)
	go sweepOverdue(sweepCtx, lead, h.obligations, cfg.SweepInterval, log)
	go publishStatistics(sweepCtx, lead, h.statistics, cfg.StatisticsInterval, log)
	waitSignals := se.run(sweepCtx)
	checkpointsDone := make(chan struct{})
	go func() {
		defer close(checkpointsDone)
		h.checkpointEvery(sweepCtx, lead, cfg.AuditCheckpointInterval, log)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// A shutdown that comes before the serving goroutine got to the
	// listener finds no server to stop; closing the listener ends Serve
	// either way (found as a test that hung when it stopped the hub at once).
	_ = ln.Close()
	if err = <-errc; errors.Is(err, net.ErrClosed) {
		err = nil
	}
	// The last checkpoint covers everything the hub wrote; the periodic one
	// has stopped first, so that the two never write the file at once.
	stopSweep()
	<-checkpointsDone
	waitSignals()
	if !lead.Leading() {
		return err
	}
	if cerr := h.checkpoint(context.Background()); cerr != nil {
		return errors.Join(err, fmt.Errorf("audit checkpoint at shutdown: %w", cerr))
	}
	return err
}

// checkpointEvery signs a checkpoint of the audit log every interval.
// Only the leading hub does (leadership).
func (h *hub) checkpointEvery(ctx context.Context, lead *leadership, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if !lead.Leading() {
				continue
			}
			if err := h.checkpoint(ctx); err != nil && ctx.Err() == nil {
				log.Error("audit checkpoint failed", "err", err)
			}
		}
	}
}

// sweepOverdue flips missed deadlines to overdue every interval (serve runs
// the first sweep itself before it takes requests).
func sweepOverdue(ctx context.Context, lead *leadership, obl *sharing.Obligations, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if lead.Leading() {
				sweepOnce(ctx, obl, log)
			}
		}
	}
}

func sweepOnce(ctx context.Context, obl *sharing.Obligations, log *slog.Logger) {
	if n, err := obl.SweepOverdue(ctx); err != nil {
		if ctx.Err() == nil {
			log.Error("overdue sweep failed", "err", err)
		}
	} else if n > 0 {
		log.Info("obligations overdue", "count", n)
	}
}

// publishStatistics keeps the public quarterly statistics of the current and
// the previous quarter up to date every interval (serve runs the first round
// itself before it takes requests).
func publishStatistics(ctx context.Context, lead *leadership, st *sharing.Statistics, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if lead.Leading() {
				publishOnce(ctx, st, log)
			}
		}
	}
}

func publishOnce(ctx context.Context, st *sharing.Statistics, log *slog.Logger) {
	cur := reporting.PeriodOf(time.Now(), 3)
	prev := reporting.PeriodOf(cur.Start().Time().AddDate(0, 0, -1), 3)
	for _, p := range []reporting.Period{prev, cur} {
		if done, err := st.Publish(ctx, p); err != nil {
			if ctx.Err() == nil {
				log.Error("publishing statistics failed", "period", p.String(), "err", err)
			}
		} else if done {
			log.Info("public statistics published", "period", p.String())
		}
	}
}
