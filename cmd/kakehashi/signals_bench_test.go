package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// signalBundle is an outage signal of one carrier on one network.
func signalBundle(prefix string, symptom string, at time.Time) []byte {
	ts := stix.FormatTimestamp(at)
	b, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + uuid.NewString(), "objects": []any{map[string]any{
		"type": "incident", "spec_version": "2.1", "id": "incident--" + uuid.NewString(), "created": ts, "modified": ts, "name": "Outage signal",
		"extensions": map[string]any{stix.TelecomExtensionID: map[string]any{"extension_type": "property-extension", "report_kind": "outage-signal",
			"signal": map[string]any{"observed_at": ts, "symptom": symptom, "prefixes": []any{prefix}}}}}}})
	return b
}

// BenchmarkEventOpenedLatency measures issue #16 §6 on a real hub on
// loopback: from the HTTP acknowledgement of the second carrier's signal
// (POST /api/v1/submissions answered 201) to the regulator's SSE message
// "opened". Each iteration opens a new event (a network of its own); the
// p50 and p99 are reported as ms-p50 and ms-p99 (the issue asks p99 ≤ 1 s).
func BenchmarkEventOpenedLatency(b *testing.B) {
	dir := b.TempDir()
	cfg := filepath.Join(dir, "kakehashi.yaml")
	if err := os.WriteFile(cfg, []byte("intake_per_minute: 0\nreads_per_minute: 0\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	h := startHub(b, "--demo", "--data", dir, "--config", cfg)
	defer h.stop(b)
	tok := readTokens(b, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mic := openStream(b, ctx, h.base, tok["mic"])
	submit := func(org string, body []byte) {
		code, raw := postLines(b, h.base+"/api/v1/submissions", tok[org], "application/json", body)
		if code != http.StatusCreated {
			b.Fatalf("%s: %d %s", org, code, raw)
		}
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		prefix := fmt.Sprintf("10.%d.%d.0/24", (i>>8)&255, i&255)
		now := time.Now().UTC()
		submit("carrier-a", signalBundle(prefix, "no-connectivity", now))
		submit("carrier-b", signalBundle(prefix, "packet-loss", now))
		ack := time.Now()
		for {
			m, ok := <-mic
			if !ok {
				b.Fatal("the stream ended")
			}
			if m.Kind == "opened" {
				lat = append(lat, m.At.Sub(ack))
				break
			}
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(pct(0.5), "ms-p50")
	b.ReportMetric(pct(0.99), "ms-p99")
}
