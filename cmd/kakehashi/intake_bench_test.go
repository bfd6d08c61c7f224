package main

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/kakehashi-hub/kakehashi/server"
)

// BenchmarkIntake1000 submits one 1,000-object bundle (an incident and GREEN
// indicators, as `kakehashi bench` does) straight to the intake service of a
// demo hub on a fresh SQLite file: validate, classify, route, anonymize,
// store, release. It is the profile behind docs/performance.md:
//
//	go test -run '^$' -bench Intake1000 -benchtime 20x -cpuprofile cpu.prof -memprofile mem.prof ./cmd/kakehashi/
func BenchmarkIntake1000(b *testing.B) {
	dir := b.TempDir()
	if _, err := ensureDemoWorld(dir); err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.DataDir = dir
	h, err := openHub(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	org, err := h.registry.FindOrganizationByID("carrier-a")
	if err != nil {
		b.Fatal(err)
	}
	bundles := benchBundles(benchBatch * (b.N + 1))
	b.ReportAllocs()
	b.SetBytes(int64(len(bundles[0])))
	b.ResetTimer()
	for i := range b.N {
		req, err := h.intake.ParseSubmission(org, bundles[i])
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := h.intake.Submit(context.Background(), org, req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkIntakeHTTP1000 is BenchmarkIntake1000 through the HTTP API on
// loopback, as `kakehashi bench` submits: body, parsing, the answer and
// the read-back of the submission's channels included.
func BenchmarkIntakeHTTP1000(b *testing.B) {
	dir := b.TempDir()
	if _, err := ensureDemoWorld(dir); err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.DataDir, cfg.LogLevel = dir, "error"
	h, err := openHub(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	tokens, err := h.ensureDemoTokensMap(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	sc, err := h.serverConfig(false)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := server.New(sc)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown(context.Background())
	base := "http://" + ln.Addr().String()
	n := benchBatch * (b.N + 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		raw := benchBundle(i, n)
		b.StartTimer()
		status, body, err := benchDo("POST", base+"/api/v1/submissions", tokens["carrier-a"], "application/json", raw)
		if err != nil || status != http.StatusCreated {
			b.Fatalf("intake: %d %v %.300s", status, err, body)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "objects/s")
}
