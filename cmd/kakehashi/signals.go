package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/webhook"
)

// signalsTick is how often the hub closes quiet events and judges the
// minutes of posts that ended (outage.Correlator.Tick).
const signalsTick = 2 * time.Second

// sectorEvents is the wiring of issue #16 in a serving hub: the correlator,
// the events service that stores, publishes, streams and pushes its
// notifications, and the webhook sender.
type sectorEvents struct {
	correlator *outage.Correlator
	events     *sharing.Events
	signals    *sharing.Signals
	webhooks   *webhook.Sender
}

// openSignals builds the correlator with the configured rules and connects
// intake to it.
func (h *hub) openSignals(ctx context.Context, log *slog.Logger) (*sectorEvents, error) {
	key, err := pseudonymKey(h.cfg)
	if err != nil {
		return nil, err
	}
	idKey := sha256.Sum256(append([]byte("kakehashi sector event signal ids\x00"), key...))
	se := &sectorEvents{webhooks: webhook.New(webhook.Config{Log: log})}
	se.events = &sharing.Events{Store: h.db, Registry: h.registry, Publisher: h.db, Leaks: h.intake.Copier.Anonymizer,
		IDKey: idKey[:], Deliver: se.webhooks, Log: log, Now: time.Now}
	if n, err := se.events.Recover(ctx); err != nil {
		return nil, fmt.Errorf("sector events: %w", err)
	} else if n > 0 {
		log.Info("sector events left open by the previous run closed", "count", n)
	}
	se.correlator, err = outage.NewCorrelator(outage.Config{Rules: h.cfg.Signals, Notify: se.events.Notify})
	if err != nil {
		return nil, fmt.Errorf("signals: %w", err)
	}
	if se.signals, err = sharing.NewSignals(h.registry, se.correlator); err != nil {
		return nil, err
	}
	se.signals.Log = log
	h.intake.Signals = se.signals
	return se, nil
}

// run handles notifications, delivers webhooks and ticks the correlator
// until ctx ends; the returned function waits for all of it to stop.
func (se *sectorEvents) run(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	se.webhooks.Start(ctx)
	wg.Add(2)
	go func() { defer wg.Done(); se.events.Run(ctx) }()
	go func() {
		defer wg.Done()
		t := time.NewTicker(signalsTick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				se.signals.Tick(now)
			}
		}
	}()
	return func() {
		wg.Wait()
		se.events.Drain(context.Background()) // store what was notified before the stop
		se.webhooks.Wait()
	}
}

func (se *sectorEvents) collectors() []prometheus.Collector {
	return append(se.webhooks.Collectors(), prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "kakehashi_sector_events_withheld_total", Help: "Anonymized sector event copies the leak check kept out of the sector-events channel.",
	}, func() float64 { return float64(se.events.Withheld.Load()) }))
}

// cmdSignals is `kakehashi signals bgp|posts --registry FILE [--data DIR]
// FILE|-` (INTERFACES §9): it runs the outside-source detector over the
// lines offline, with the correlator on the lines' own clock, and writes
// each signal as a JSON line on stdout; progress goes to a terminal on
// stderr, and a summary of the signals and the events they made at the end.
func cmdSignals(args []string, e env) int {
	if len(args) == 0 || (args[0] != "bgp" && args[0] != "posts") {
		return usageError(e, fmt.Errorf("signals needs bgp or posts: kakehashi signals bgp|posts --registry FILE [--data DIR] FILE|-"))
	}
	kind := args[0]
	fs := newFlagSet("signals "+kind, e)
	build := configFlags(fs, e)
	registry := fs.String("registry", "", "registry file (default: the data directory's registry.yaml)")
	progress := fs.Bool("progress", false, "show progress even when stderr is not a terminal")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) != 1 {
		return usageError(e, fmt.Errorf("signals %s takes one FILE or - for standard input", kind))
	}
	cfg, err := build()
	if err != nil {
		return usageError(e, err)
	}
	if err := cfg.Signals.Validate(); err != nil {
		return usageError(e, err)
	}
	regPath := *registry
	if regPath == "" {
		regPath = cfg.RegistryPath()
	}
	reg, err := sharing.LoadRegistry(regPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "kakehashi: %v\n", err)
		return exitInvalid
	}
	in := e.stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			fmt.Fprintf(e.stderr, "kakehashi: %v\n", err)
			return exitInvalid
		}
		defer f.Close()
		in = f
	}
	// The correlator runs on the clock of the lines, so a replay of an
	// afternoon long past groups as it did that afternoon.
	var clock time.Time
	c, err := outage.NewCorrelator(outage.Config{Rules: cfg.Signals, Now: func() time.Time { return clock }})
	if err != nil {
		return usageError(e, err)
	}
	sig, err := sharing.NewSignals(reg, c)
	if err != nil {
		fmt.Fprintf(e.stderr, "kakehashi: %v\n", err)
		return exitInvalid
	}
	sig.Observed = func(t time.Time) {
		if t.After(clock) {
			clock = t
		}
	}
	out := json.NewEncoder(e.stdout)
	out.SetEscapeHTML(false)
	sig.Made = func(s outage.Signal, r outage.Result) {
		_ = out.Encode(signalLine(s, r))
	}
	tty := *progress || isTerminal(e.stderr)
	show := func(s sharing.FeedSummary) {
		if tty {
			fmt.Fprintf(e.stderr, "\r%s: %d messages read, %d signals", kind, s.Messages, s.Signals)
		}
	}
	feed := sig.FeedBGP
	if kind == "posts" {
		feed = sig.FeedPosts
	}
	operator := &sharing.Organization{ID: "operator", Role: sharing.RoleAdmin}
	sum, err := feed(context.Background(), operator, in, show)
	if err == nil && kind == "posts" && !clock.IsZero() {
		var last sharing.FeedSummary
		last, err = sig.FlushPosts(clock.Add(time.Minute))
		sum.Signals += last.Signals
		for k, v := range last.BySymptom {
			sum.BySymptom[k] += v
		}
	}
	if tty {
		show(sum)
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "kakehashi: %s: %v\n", pos[0], err)
		return exitInvalid
	}
	fmt.Fprint(e.stderr, summaryText(kind, sum, c.Events("")))
	return exitOK
}

// signalJSON is a signal as `kakehashi signals` writes it.
type signalJSON struct {
	ID           string         `json:"id"`
	Source       string         `json:"source"`
	ObservedAt   time.Time      `json:"observed_at"`
	Symptom      outage.Symptom `json:"symptom"`
	Concerns     []string       `json:"concerns"`
	UpstreamASNs []int64        `json:"upstream_asns,omitempty"`
	Prefixes     []string       `json:"prefixes,omitempty"`
	Event        string         `json:"event,omitempty"`
	Opened       bool           `json:"opened,omitempty"`
}

func signalLine(s outage.Signal, r outage.Result) signalJSON {
	l := signalJSON{ID: s.ID, Source: s.Organization, ObservedAt: s.ObservedAt, Symptom: s.Symptom, Concerns: s.Concerns,
		UpstreamASNs: s.UpstreamASNs, Event: r.EventID, Opened: r.Opened}
	for _, p := range s.Prefixes {
		l.Prefixes = append(l.Prefixes, p.String())
	}
	return l
}

func summaryText(kind string, s sharing.FeedSummary, events []outage.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d messages, %d signals", kind, s.Messages, s.Signals)
	var parts []string
	for _, k := range slices.Sorted(func(yield func(outage.Symptom) bool) {
		for k := range s.BySymptom {
			if !yield(k) {
				return
			}
		}
	}) {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.BySymptom[k]))
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, ", %d events\n", len(events))
	for _, ev := range events {
		fmt.Fprintf(&b, "  %s %s: %s, %d signals\n", ev.ID, ev.Status, strings.Join(ev.Organizations, ", "), ev.SignalCount)
	}
	return b.String()
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
